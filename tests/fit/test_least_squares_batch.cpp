// SPDX-License-Identifier: MIT
// valence::fit::least_squares_batch against column-by-column valence::fit::least_squares (whose
// accuracy is established against NIST and by KKT tests), bad-pixel handling and errors.
#include <valence/fit/least_squares.hpp>
#include <valence/fit/least_squares_batch.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace {

using valence::fit::batch_options;
using valence::fit::column_status;
using valence::fit::least_squares_options;

// Two smooth "reference spectra" plus a constant, and P noisy mixtures of them.
struct mixture_problem {
  Eigen::MatrixXd design;
  Eigen::MatrixXd data;
};

mixture_problem make_problem(Eigen::Index m, Eigen::Index p, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::uniform_real_distribution<double> fraction(-0.2, 1.2);
  mixture_problem out{Eigen::MatrixXd(m, 3), Eigen::MatrixXd(m, p)};
  for (Eigen::Index i = 0; i < m; ++i) {
    const double e = 10.0 * double(i) / double(m);
    out.design(i, 0) = 1.0 / (1.0 + std::exp(-(e - 4.0) * 2.0));
    out.design(i, 1) = 1.0 / (1.0 + std::exp(-(e - 5.0) * 2.0)) + 0.3 * std::exp(-(e - 6.0) * (e - 6.0));
    out.design(i, 2) = 1.0;
  }
  for (Eigen::Index k = 0; k < p; ++k) {
    const double f = fraction(gen);
    for (Eigen::Index i = 0; i < m; ++i) {
      out.data(i, k) = f * out.design(i, 0) + (1 - f) * out.design(i, 1) + 0.05 + noise(gen);
    }
  }
  return out;
}

void check_against_single(const mixture_problem& p, const least_squares_options<double>& o,
                          const batch_options<double>& b = {}) {
  const auto batch = valence::fit::least_squares_batch(p.design, p.data, o, b);
  REQUIRE(batch.coefficients.cols() == p.data.cols());
  CHECK(batch.failed() == 0);
  for (Eigen::Index k = 0; k < p.data.cols(); ++k) {
    CAPTURE(k);
    auto single_options = o;
    if (b.column_weights.size() != 0) {
      single_options.weights = b.column_weights.col(k);
    }
    const auto single = valence::fit::least_squares(p.design, Eigen::VectorXd(p.data.col(k)), single_options);
    for (Eigen::Index j = 0; j < p.design.cols(); ++j) {
      CAPTURE(j);
      // measured: below 1e-12 relative (the single fit adds one refinement step); tolerance 1e-10.
      VALENCE_CHECK_REL(single.coefficients(j), batch.coefficients(j, k), 1e-10, 1.0);
      VALENCE_CHECK_REL(single.standard_errors(j), batch.standard_errors(j, k), 1e-8, 1e-12);
      CHECK(single.active[std::size_t(j)] == batch.active[std::size_t(j + p.design.cols() * k)]);
    }
    VALENCE_CHECK_REL(single.chi_square, batch.chi_square(k), 1e-9, 0.0);
    VALENCE_CHECK_REL(single.r_factor, batch.r_factor(k), 1e-9, 0.0);
    CHECK(single.dof == batch.dof(k));
    if (b.keep_residuals) {
      VALENCE_CHECK_REL(single.residuals.norm(), batch.residuals.col(k).norm(), 1e-9, 0.0);
    }
    if (b.keep_covariance) {
      const Eigen::Index n = p.design.cols();
      REQUIRE(batch.covariances.rows() == n * n);
      for (Eigen::Index j = 0; j < n * n; ++j) {
        CAPTURE(j);
        // The same tolerance as the standard errors, on the scale of the variances.
        VALENCE_CHECK_REL(single.covariance(j % n, j / n), batch.covariances(j, k), 1e-8,
                          1e-12 * single.covariance.diagonal().maxCoeff());
      }
    }
  }
}

}  // namespace

TEST_SUITE("fit") {
  TEST_CASE("least_squares_batch equals column-by-column fits, unconstrained") {
    const auto p = make_problem(200, 37, 1);
    check_against_single(p, {});
    batch_options<double> b;
    b.keep_residuals = true;
    b.keep_covariance = true;
    b.block_columns = 5;  // several blocks, a ragged last one
    check_against_single(p, {}, b);
  }

  TEST_CASE("least_squares_batch equals column-by-column fits with shared weights") {
    const auto p = make_problem(150, 20, 2);
    least_squares_options<double> o;
    o.weights = Eigen::VectorXd::LinSpaced(150, 0.5, 2.0);
    o.scale_covariance = false;
    check_against_single(p, o);
  }

  TEST_CASE("least_squares_batch equals column-by-column fits under NNLS and sum-to-one") {
    const auto p = make_problem(120, 40, 3);
    least_squares_options<double> nn;
    nn.nonnegative = true;
    check_against_single(p, nn);
    least_squares_options<double> sum;
    sum.lower = Eigen::Vector3d(0.0, 0.0, -1.0);
    sum.upper = Eigen::Vector3d(1.0, 1.0, 1.0);
    sum.sum_to = 1.05;
    batch_options<double> b;
    b.block_columns = 7;
    b.keep_covariance = true;
    check_against_single(p, sum, b);
  }

  TEST_CASE("least_squares_batch with per-column weights equals weighted single fits") {
    const auto p = make_problem(100, 12, 4);
    batch_options<double> b;
    b.column_weights = (p.data.array().abs() + 0.1).inverse().matrix();  // Poisson-like 1/counts
    b.keep_covariance = true;
    check_against_single(p, {}, b);
    least_squares_options<double> nn;
    nn.nonnegative = true;
    check_against_single(p, nn, b);
  }

  TEST_CASE("least_squares_batch chi-square is accurate both from Pythagoras and from explicit residuals") {
    // Noisy columns take chi^2 = ||y||^2 - ||Q^T y||^2 (documented to 1e-6 relative); exact
    // mixtures (chi^2 ~ rounding) must form the residual explicitly and stay tiny in absolute terms.
    auto p = make_problem(300, 6, 8);
    for (Eigen::Index i = 0; i < 300; ++i) {
      p.data(i, 0) = 0.3 * p.design(i, 0) + 0.7 * p.design(i, 1);  // exact: chi^2 at rounding level
    }
    const auto r = valence::fit::least_squares_batch(p.design, p.data);
    for (Eigen::Index k = 1; k < 6; ++k) {
      const auto single = valence::fit::least_squares(p.design, Eigen::VectorXd(p.data.col(k)));
      VALENCE_CHECK_REL(single.chi_square, r.chi_square(k), 1e-6, 0.0);  // measured 1e-12
    }
    CHECK(r.chi_square(0) <= 1e-26 * p.data.col(0).squaredNorm());
    CHECK(r.chi_square(0) >= 0.0);
  }

  TEST_CASE("least_squares_batch flags columns whose active-set budget runs out") {
    auto p = make_problem(60, 4, 9);
    p.data.col(2) = p.design.col(0) + p.design.col(1) + p.design.col(2);  // three releases: > 1 iteration
    least_squares_options<double> o;
    o.nonnegative = true;
    o.max_iterations = 1;
    const auto r = valence::fit::least_squares_batch(p.design, p.data, o);
    CHECK(r.status[2] == column_status::iteration_limit);
    CHECK(std::string(to_string(r.status[2])) == "iteration_limit");
    CHECK(std::string(to_string(column_status::singular)) == "singular");
    CHECK(doctest::IsNaN(r.coefficients(0, 2)));
  }

  TEST_CASE("least_squares_batch flags bad pixels and fits the rest") {
    auto p = make_problem(80, 10, 5);
    p.data(7, 3) = std::numeric_limits<double>::quiet_NaN();
    p.data(0, 8) = std::numeric_limits<double>::infinity();
    batch_options<double> b;
    b.keep_covariance = true;
    const auto r = valence::fit::least_squares_batch(p.design, p.data, {}, b);
    CHECK(r.failed() == 2);
    CHECK(doctest::IsNaN(r.covariances(4, 3)));
    CHECK(std::isfinite(r.covariances(4, 2)));
    CHECK(r.status[3] == column_status::non_finite_data);
    CHECK(r.status[8] == column_status::non_finite_data);
    CHECK(doctest::IsNaN(r.coefficients(0, 3)));
    CHECK(doctest::IsNaN(r.chi_square(8)));
    const auto single = valence::fit::least_squares(p.design, Eigen::VectorXd(p.data.col(4)));
    VALENCE_CHECK_REL(single.coefficients(1), r.coefficients(1, 4), 1e-10, 1.0);

    batch_options<double> own;
    own.column_weights = Eigen::MatrixXd::Ones(80, 10);
    own.column_weights(5, 6) = -1;
    p = make_problem(80, 10, 5);
    const auto rw = valence::fit::least_squares_batch(p.design, p.data, {}, own);
    CHECK(rw.failed() == 1);
    CHECK(rw.status[6] == column_status::invalid_weights);
  }

  TEST_CASE("columns in tiny units fit like any other") {
    // A reference spectrum in units of 1e-170 squares to underflow; equilibration and the
    // Householder reflections must not see it as a zero column. Exact expectation: the coefficient
    // of the scaled column scales by 1e170, the others are unchanged.
    const auto p = make_problem(100, 5, 12);
    Eigen::MatrixXd tiny = p.design;
    tiny.col(1) *= 1e-170;
    for (const bool nonnegative : {false, true}) {
      CAPTURE(nonnegative);
      least_squares_options<double> o;
      o.nonnegative = nonnegative;
      const auto ref = valence::fit::least_squares_batch(p.design, p.data, o);
      const auto r = valence::fit::least_squares_batch(tiny, p.data, o);
      const auto single = valence::fit::least_squares(tiny, Eigen::VectorXd(p.data.col(0)), o);
      REQUIRE(r.failed() == 0);
      for (Eigen::Index k = 0; k < 5; ++k) {
        // measured below 1e-14; the scaling by 1e-170 is inexact, so not bit-identical
        VALENCE_CHECK_REL(ref.coefficients(0, k), r.coefficients(0, k), 1e-12, 1e-12);
        VALENCE_CHECK_REL(ref.coefficients(1, k) * 1e170, r.coefficients(1, k), 1e-12, 1e158);
        VALENCE_CHECK_REL(ref.chi_square(k), r.chi_square(k), 1e-10, 0.0);
      }
      VALENCE_CHECK_REL(ref.coefficients(1, 0) * 1e170, single.coefficients(1), 1e-12, 1e158);
    }
  }

  TEST_CASE("least_squares_batch flags a column whose weighted design is numerically singular") {
    // Column 1 of the design lives in one row only, in tiny units (1e-300); a weight of 1e-300 there
    // scales it by 1e-150 to exactly 0 (underflow): that column's weighted design has a zero pivot.
    Eigen::MatrixXd a(4, 2);
    a << 1, 0, 1, 0, 1, 0, 0, 1e-300;
    Eigen::MatrixXd y(4, 3);
    y << 1, 2, 3, 1, 2, 3, 1, 2, 3, 1e-300, 2e-300, 3e-300;
    batch_options<double> b;
    b.column_weights = Eigen::MatrixXd::Ones(4, 3);
    b.column_weights(3, 1) = 1e-300;
    const auto r = valence::fit::least_squares_batch(a, y, {}, b);
    CHECK(r.status[0] == column_status::ok);
    CHECK(r.status[1] == column_status::singular);
    CHECK(r.status[2] == column_status::ok);
    CHECK(doctest::IsNaN(r.coefficients(0, 1)));
    CHECK(r.coefficients(0, 2) == doctest::Approx(3.0));
    CHECK(r.coefficients(1, 2) == doctest::Approx(3.0));
  }

  TEST_CASE_TEMPLATE("least_squares_batch in float agrees with double to float precision", Real, float, double) {
    const auto p = make_problem(256, 16, 6);
    const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> a = p.design.cast<Real>();
    const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> y = p.data.cast<Real>();
    const auto r = valence::fit::least_squares_batch(a, y);
    const auto ref = valence::fit::least_squares_batch(p.design, p.data);
    // The design's condition number (~30) times the data's rounding: measured below 2e-6 in float.
    const double tol = std::is_same_v<Real, float> ? 1e-5 : 1e-12;
    for (Eigen::Index k = 0; k < p.data.cols(); ++k) {
      for (Eigen::Index j = 0; j < 3; ++j) {
        VALENCE_CHECK_REL(ref.coefficients(j, k), double(r.coefficients(j, k)), tol, 1.0);
      }
    }
  }

  TEST_CASE("least_squares_batch on float data computes in double and rounds once") {
    // The same float inputs fitted as double: a float batch must return those results rounded to
    // float (relative difference <= 2^-24), which accumulating in float (errors ~1e-6) cannot.
    for (const bool constrained : {false, true}) {
      CAPTURE(constrained);
      const auto p = make_problem(512, 24, 10);
      const Eigen::MatrixXf a = p.design.cast<float>();
      const Eigen::MatrixXf y = p.data.cast<float>();
      least_squares_options<float> of;
      least_squares_options<double> od;
      of.nonnegative = od.nonnegative = constrained;
      const auto r = valence::fit::least_squares_batch(a, y, of);
      const auto ref =
          valence::fit::least_squares_batch(Eigen::MatrixXd(a.cast<double>()), Eigen::MatrixXd(y.cast<double>()), od);
      constexpr double half_ulp = 0.5 * std::numeric_limits<float>::epsilon();
      for (Eigen::Index k = 0; k < p.data.cols(); ++k) {
        CAPTURE(k);
        for (Eigen::Index j = 0; j < 3; ++j) {
          VALENCE_CHECK_REL(ref.coefficients(j, k), double(r.coefficients(j, k)), half_ulp, 1e-30);
          VALENCE_CHECK_REL(ref.standard_errors(j, k), double(r.standard_errors(j, k)), half_ulp, 1e-30);
        }
        VALENCE_CHECK_REL(ref.chi_square(k), double(r.chi_square(k)), half_ulp, 0.0);
      }
    }
  }

  TEST_CASE("least_squares_batch reads strided and row-major data like contiguous data") {
    const auto p = make_problem(97, 11, 11);  // m not a multiple of the kernel's four lanes
    const auto contiguous = valence::fit::least_squares_batch(p.design, p.data);
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = p.data;
    const auto from_rows = valence::fit::least_squares_batch(p.design, row_major);
    // every other column of a wider matrix: a strided view
    Eigen::MatrixXd wide = Eigen::MatrixXd::Zero(97, 22);
    for (Eigen::Index k = 0; k < 11; ++k) {
      wide.col(2 * k) = p.data.col(k);
    }
    const Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>> strided(wide.data(), 97, 11,
                                                                             Eigen::OuterStride<>(2 * 97));
    const auto from_strided = valence::fit::least_squares_batch(p.design, strided);
    // identical arithmetic on identical numbers: equal to the last bit
    CHECK(from_rows.coefficients == contiguous.coefficients);
    CHECK(from_rows.chi_square == contiguous.chi_square);
    CHECK(from_strided.coefficients == contiguous.coefficients);
    CHECK(from_strided.standard_errors == contiguous.standard_errors);
  }

  TEST_CASE("least_squares_batch rejects bad input") {
    using valence::invalid_input;
    const auto p = make_problem(50, 4, 7);
    CHECK_THROWS_WITH_AS((void)valence::fit::least_squares_batch(p.design, Eigen::MatrixXd(p.data.topRows(40))),
                         doctest::Contains("'Y' has 40 rows but 'A' has 50"), invalid_input);
    least_squares_options<double> o;
    o.weights = Eigen::VectorXd::Ones(50);
    batch_options<double> b;
    b.column_weights = Eigen::MatrixXd::Ones(50, 4);
    CHECK_THROWS_WITH_AS((void)valence::fit::least_squares_batch(p.design, p.data, o, b),
                         doctest::Contains("expected at most one of them"), invalid_input);
    b.column_weights = Eigen::MatrixXd::Ones(50, 3);
    CHECK_THROWS_WITH_AS((void)valence::fit::least_squares_batch(p.design, p.data, {}, b),
                         doctest::Contains("'column_weights' is 50 x 3 but 'Y' is 50 x 4"), invalid_input);
    batch_options<double> neg;
    neg.block_columns = -2;
    CHECK_THROWS_WITH_AS((void)valence::fit::least_squares_batch(p.design, p.data, {}, neg),
                         doctest::Contains("'block_columns' is -2"), invalid_input);
    Eigen::MatrixXd collinear = p.design;
    collinear.col(2) = collinear.col(0) * 2.0;
    CHECK_THROWS_WITH_AS((void)valence::fit::least_squares_batch(collinear, p.data),
                         doctest::Contains("linear combination of the others"), invalid_input);
  }
}
