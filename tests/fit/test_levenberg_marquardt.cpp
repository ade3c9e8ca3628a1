// SPDX-License-Identifier: MIT
// valence::fit::levenberg_marquardt: exact fits, agreement with the linear solver on linear models,
// bounds, honest non-convergence, singular Jacobians and every documented error. (Accuracy on the
// NIST problems is in test_levenberg_marquardt_nist.cpp.)
#include <valence/fit/least_squares.hpp>
#include <valence/fit/levenberg_marquardt.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using valence::fit::bound_state;
using valence::fit::levenberg_marquardt;
using valence::fit::levenberg_marquardt_options;
using valence::fit::stop_reason;

VectorXd grid() {
  return VectorXd::LinSpaced(40, 0.0, 6.0);
}

// Residuals and Jacobian of y - a exp(-b x).
struct exponential {
  VectorXd x;
  VectorXd y;
  VectorXd operator()(const VectorXd& p) const { return y - p(0) * (-p(1) * x.array()).exp().matrix(); }
  MatrixXd jacobian(const VectorXd& p) const {
    MatrixXd jac(x.size(), 2);
    const VectorXd e = (-p(1) * x.array()).exp();
    jac.col(0) = -e;
    jac.col(1) = p(0) * x.cwiseProduct(e);
    return jac;
  }
};

exponential exact_exponential() {
  const VectorXd x = grid();
  return {x, 2.0 * (-0.5 * x.array()).exp().matrix()};
}

}  // namespace

TEST_CASE("levenberg_marquardt recovers an exact exponential from a distant start") {
  const auto model = exact_exponential();
  const VectorXd start = valence_test::vec({0.3, 3.0});
  const auto analytic = levenberg_marquardt(
      model, [&](const VectorXd& p) { return model.jacobian(p); }, start);
  const auto differences = levenberg_marquardt(model, start);
  levenberg_marquardt_options<double> central;
  central.differences = valence::fit::difference_scheme::central;
  const auto centred = levenberg_marquardt(model, start, central);
  for (const auto* fit : {&analytic, &differences, &centred}) {
    CAPTURE(valence::fit::to_string(fit->reason));
    CHECK(fit->converged);
    CHECK(fit->parameters(0) == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(fit->parameters(1) == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(fit->chi_square < 1e-26);
    CHECK(fit->evaluations >= fit->iterations);
  }
  // Forward differences cost one evaluation per parameter per Jacobian, central two.
  CHECK(analytic.evaluations == analytic.iterations + 1);
  CHECK(differences.evaluations == differences.iterations + 1 + 2 * differences.jacobian_evaluations);
  CHECK(centred.evaluations == centred.iterations + 1 + 4 * centred.jacobian_evaluations);
}

TEST_CASE("levenberg_marquardt on a linear model equals the linear least-squares solution") {
  // Reference: fit::least_squares (itself checked against NIST), same weights and covariance rule.
  const VectorXd x = grid();
  MatrixXd design(x.size(), 3);
  design.col(0).setOnes();
  design.col(1) = x;
  design.col(2) = x.array().square();
  const VectorXd noise = (7.3 * x.array()).sin() * 0.05;
  const VectorXd y = design * valence_test::vec({1.0, -0.4, 0.07}) + noise;
  for (const bool scale : {true, false}) {
    valence::fit::least_squares_options<double> linear_options;
    linear_options.scale_covariance = scale;
    const auto linear = valence::fit::least_squares(design, y, linear_options);
    levenberg_marquardt_options<double> options;
    options.scale_covariance = scale;
    const auto fit =
        levenberg_marquardt([&](const VectorXd& p) { return VectorXd(y - design * p); },
                            [&](const VectorXd&) { return MatrixXd(-design); }, VectorXd::Zero(3), options);
    CHECK(fit.converged);
    CHECK((fit.parameters - linear.coefficients).norm() <= 1e-12 * linear.coefficients.norm());
    CHECK((fit.covariance - linear.covariance).norm() <= 1e-10 * linear.covariance.norm());
    CHECK(fit.chi_square == doctest::Approx(linear.chi_square).epsilon(1e-12));
    CHECK(fit.dof == x.size() - 3);
    CHECK(fit.aic == doctest::Approx(linear.aic).epsilon(1e-12));
    for (Index j = 0; j < 3; ++j) {
      CHECK(fit.correlation(j, j) == doctest::Approx(1.0).epsilon(1e-14));
      CHECK(fit.correlation(0, j) == doctest::Approx(fit.correlation(j, 0)).epsilon(1e-14));
    }
  }
}

TEST_CASE("levenberg_marquardt holds a parameter on its bound and fits the rest exactly") {
  // True rate 0.5, upper bound 0.3: the answer is b = 0.3 and the amplitude that is the linear
  // least-squares solution for that fixed rate (computed by fit::least_squares).
  const auto model = exact_exponential();
  levenberg_marquardt_options<double> options;
  options.lower = valence_test::vec({-10.0, 0.0});
  options.upper = valence_test::vec({10.0, 0.3});
  const auto fit = levenberg_marquardt(
      model, [&](const VectorXd& p) { return model.jacobian(p); }, valence_test::vec({1.0, 0.1}), options);
  CHECK(fit.converged);
  CHECK(fit.parameters(1) == 0.3);
  CHECK(fit.active[1] == bound_state::at_upper);
  CHECK(fit.active[0] == bound_state::free);
  const MatrixXd column = (-0.3 * model.x.array()).exp().matrix();
  const auto linear = valence::fit::least_squares(column, model.y);
  CHECK(fit.parameters(0) == doctest::Approx(linear.coefficients(0)).epsilon(1e-10));
  CHECK(fit.standard_errors(1) == 0);
  CHECK(fit.standard_errors(0) == doctest::Approx(linear.standard_errors(0)).epsilon(1e-8));
  CHECK(fit.free_parameters == 1);
  CHECK(fit.dof == model.x.size() - 1);
}

TEST_CASE("levenberg_marquardt rejects trial points where the model is not finite") {
  // r = sqrt(b) - 1 at every point: from b = 100 the Gauss-Newton step lands at b = -80 (NaN).
  const auto residuals = [](const VectorXd& p) { return VectorXd::Constant(5, std::sqrt(p(0)) - 1.0); };
  const auto fit = levenberg_marquardt(residuals, valence_test::vec({100.0}));
  CHECK(fit.converged);
  CHECK(fit.parameters(0) == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(fit.iterations > fit.jacobian_evaluations - 1);  // at least one rejected trial
}

TEST_CASE("levenberg_marquardt reports a singular Jacobian instead of claiming convergence") {
  // y = (a + b) x: only the sum is determined. (Noisy data: an exact fit is a global minimum.)
  const VectorXd x = grid();
  const VectorXd y = 3.0 * x + 0.01 * (5.1 * x.array()).sin().matrix();
  const auto fit = levenberg_marquardt([&](const VectorXd& p) { return VectorXd(y - (p(0) + p(1)) * x); },
                                       valence_test::vec({1.0, 1.0}));
  CHECK_FALSE(fit.converged);
  CHECK(fit.reason == stop_reason::singular_jacobian);
  CHECK_FALSE(fit.covariance_available);
  CHECK(std::isnan(fit.standard_errors(0)));
  // Stopped at an offset of 1.8e-8 from the range, which bounds the error of the sum at 1e-11.
  CHECK(fit.parameters.sum() == doctest::Approx(x.dot(y) / x.squaredNorm()).epsilon(1e-10));
  // Every step is the minimum-norm one in the scaled variables: it never moves along the null
  // direction (1, -1), so a and b, equal at the start and equal in scale, stay equal.
  CHECK(fit.parameters(0) == doctest::Approx(fit.parameters(1)).epsilon(1e-12));
}

TEST_CASE("levenberg_marquardt reports an exhausted iteration budget as not converged") {
  const auto model = exact_exponential();
  levenberg_marquardt_options<double> options;
  options.max_iterations = 2;
  const auto fit = levenberg_marquardt(model, valence_test::vec({0.3, 3.0}), options);
  CHECK_FALSE(fit.converged);
  CHECK(fit.reason == stop_reason::iteration_budget);
  CHECK(fit.iterations == 2);
  CHECK(std::string(valence::fit::to_string(fit.reason)) == "iteration_budget");
  CHECK(std::string(valence::fit::to_string(stop_reason::jacobian_accuracy)) == "jacobian_accuracy");
}

TEST_CASE("levenberg_marquardt rejects bad input with messages that name it") {
  const auto model = exact_exponential();
  const VectorXd start = valence_test::vec({1.0, 1.0});
  const auto throws_with = [&](const levenberg_marquardt_options<double>& options, const VectorXd& p0,
                               const char* text) {
    CHECK_THROWS_WITH_AS(static_cast<void>(levenberg_marquardt(model, p0, options)), doctest::Contains(text),
                         valence::invalid_input);
  };
  levenberg_marquardt_options<double> options;
  throws_with(options, VectorXd(), "'p0' has 0 elements");
  throws_with(options, valence_test::vec({1.0, std::nan("")}), "'p0' holds nan");
  options.typical_magnitude = valence_test::vec({1.0});
  throws_with(options, start, "'options.typical_magnitude' has 1 elements");
  options.typical_magnitude.resize(0);
  options.lower = valence_test::vec({0.0});
  throws_with(options, start, "'options.lower' has 1 elements");
  options.lower = valence_test::vec({0.0, 1.0});
  options.upper = valence_test::vec({5.0, 1.0});
  throws_with(options, start, "bounds [1, 1] for parameter 1");
  options.upper = valence_test::vec({5.0, std::nan("")});
  throws_with(options, start, "expected lower < upper");
  options.lower = valence_test::vec({2.0, 0.0});
  options.upper = valence_test::vec({5.0, 5.0});
  throws_with(options, start, "outside its bounds [2, 5]");
  const levenberg_marquardt_options<double> none;
  CHECK_THROWS_WITH_AS(
      static_cast<void>(levenberg_marquardt([](const VectorXd&) { return VectorXd::Constant(1, 1.0); }, start)),
      doctest::Contains("returned 1 residuals for 2 parameters"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(
      static_cast<void>(levenberg_marquardt([](const VectorXd& p) { return VectorXd::Constant(4, std::log(p(0))); },
                                            valence_test::vec({-1.0}))),
      doctest::Contains("non-finite value at 'p0'"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(levenberg_marquardt(
                           model, [](const VectorXd&) { return MatrixXd::Zero(3, 2); }, start, none)),
                       doctest::Contains("is not a finite 40 x 2 matrix"), valence::fit_error);
  CHECK_THROWS_WITH_AS(static_cast<void>(levenberg_marquardt(
                           model, [](const VectorXd&) { return MatrixXd::Constant(40, 2, std::nan("")); }, start)),
                       doctest::Contains("the Jacobian at parameters [1, 1]"), valence::fit_error);
}
