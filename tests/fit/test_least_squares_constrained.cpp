// SPDX-License-Identifier: MIT
// valence::fit::least_squares with weights, bounds, non-negativity and a sum constraint:
// KKT conditions on random problems (fixed seed), agreement with brute-force enumeration of
// active sets (each candidate solved independently through the KKT normal equations), analytic
// cases, the documented covariance convention and every documented error.
#include <valence/fit/least_squares.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>
#include <Eigen/LU>

#include <cmath>
#include <limits>
#include <random>

namespace {

using valence::fit::bound_state;
using valence::fit::least_squares;
using valence::fit::least_squares_options;
constexpr double inf = std::numeric_limits<double>::infinity();

Eigen::MatrixXd random_matrix(std::mt19937_64& gen, Eigen::Index rows, Eigen::Index cols) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      m(i, j) = normal(gen);
    }
  }
  return m;
}

// Verifies the Karush-Kuhn-Tucker conditions of min ||Ax - y||^2 / 2 under the options' bounds and
// sum constraint: feasibility, zero reduced gradient on free coefficients and multipliers of the
// right sign on held ones. tolerance is relative to ||A||(||A|| ||x|| + ||y||).
void check_kkt(const Eigen::MatrixXd& a, const Eigen::VectorXd& y, const least_squares_options<double>& o,
               const valence::fit::least_squares_result<double>& r) {
  const Eigen::Index n = a.cols();
  const Eigen::VectorXd& x = r.coefficients;
  const Eigen::VectorXd g = a.transpose() * (a * x - y);
  const double scale = a.norm() * (a.norm() * x.norm() + y.norm());
  const double tol = 1e-13 * scale;  // measured: below 1e-14 * scale on these problems
  double lambda = 0;
  Eigen::Index free_count = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    if (r.active[static_cast<std::size_t>(j)] == bound_state::free) {
      lambda -= g(j);
      ++free_count;
    }
  }
  lambda = o.sum_to && free_count > 0 ? lambda / double(free_count) : 0.0;
  if (o.sum_to) {
    CHECK(std::abs(x.sum() - *o.sum_to) <= 1e-13 * (1 + x.cwiseAbs().sum()));
  }
  for (Eigen::Index j = 0; j < n; ++j) {
    CAPTURE(j);
    const double lo = std::max(o.lower.size() ? o.lower(j) : -inf, o.nonnegative ? 0.0 : -inf);
    const double hi = o.upper.size() ? o.upper(j) : inf;
    CHECK(x(j) >= lo);
    CHECK(x(j) <= hi);
    const double reduced = g(j) + lambda;
    switch (r.active[static_cast<std::size_t>(j)]) {
      case bound_state::free:
        CHECK(std::abs(reduced) <= tol);
        break;
      case bound_state::at_lower:
        CHECK(x(j) == lo);
        CHECK(reduced >= -tol);
        break;
      case bound_state::at_upper:
        CHECK(x(j) == hi);
        CHECK(reduced <= tol);
        break;
    }
  }
}

// Brute force: every assignment of each coefficient to {lower, upper, free}; the free ones solve
// the (sum-)constrained least-squares problem through its KKT system, [A_F^T A_F  1; 1^T 0],
// factorised by full-pivot LU (an independent method). Returns the feasible minimum objective.
double brute_force_minimum(const Eigen::MatrixXd& a, const Eigen::VectorXd& y, const Eigen::VectorXd& lo,
                           const Eigen::VectorXd& hi, bool has_sum, double total) {
  const Eigen::Index n = a.cols();
  double best = inf;
  int combos = 1;
  for (Eigen::Index j = 0; j < n; ++j) {
    combos *= 3;
  }
  for (int code = 0; code < combos; ++code) {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
    std::vector<Eigen::Index> free_set;
    bool valid = true;
    int c = code;
    for (Eigen::Index j = 0; j < n; ++j, c /= 3) {
      const int choice = c % 3;
      if (choice == 2) {
        free_set.push_back(j);
      } else {
        x(j) = choice == 0 ? lo(j) : hi(j);
        valid = valid && std::isfinite(x(j));
      }
    }
    if (!valid) {
      continue;
    }
    const auto k = static_cast<Eigen::Index>(free_set.size());
    const Eigen::VectorXd rhs_base = y - a * x;
    const Eigen::Index size = k + (has_sum ? 1 : 0);
    if (size > 0) {
      Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(size, size);
      Eigen::VectorXd rhs = Eigen::VectorXd::Zero(size);
      for (Eigen::Index i = 0; i < k; ++i) {
        for (Eigen::Index l = 0; l < k; ++l) {
          kkt(i, l) = a.col(free_set[std::size_t(i)]).dot(a.col(free_set[std::size_t(l)]));
        }
        rhs(i) = a.col(free_set[std::size_t(i)]).dot(rhs_base);
        if (has_sum) {
          kkt(i, k) = 1;
          kkt(k, i) = 1;
        }
      }
      if (has_sum) {
        rhs(k) = total - x.sum();
      }
      Eigen::FullPivLU<Eigen::MatrixXd> lu(kkt);
      if (!lu.isInvertible()) {
        continue;
      }
      const Eigen::VectorXd sol = lu.solve(rhs);
      for (Eigen::Index i = 0; i < k; ++i) {
        x(free_set[std::size_t(i)]) = sol(i);
      }
    }
    bool feasible = true;
    for (Eigen::Index j = 0; j < n; ++j) {
      feasible = feasible && x(j) >= lo(j) - 1e-12 && x(j) <= hi(j) + 1e-12;
    }
    if (has_sum) {
      feasible = feasible && std::abs(x.sum() - total) <= 1e-10;
    }
    if (feasible) {
      best = std::min(best, (a * x - y).squaredNorm());
    }
  }
  return best;
}

}  // namespace

TEST_SUITE("fit") {
  TEST_CASE("least_squares NNLS satisfies the KKT conditions on random problems") {
    std::mt19937_64 gen(42);
    for (int trial = 0; trial < 200; ++trial) {
      CAPTURE(trial);
      const Eigen::MatrixXd a = random_matrix(gen, 25, 6);
      const Eigen::VectorXd y = random_matrix(gen, 25, 1);
      least_squares_options<double> o;
      o.nonnegative = true;
      const auto r = least_squares(a, y, o);
      check_kkt(a, y, o, r);
    }
  }

  TEST_CASE("least_squares with general bounds and a sum constraint satisfies the KKT conditions") {
    std::mt19937_64 gen(7);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (int trial = 0; trial < 200; ++trial) {
      CAPTURE(trial);
      const Eigen::MatrixXd a = random_matrix(gen, 30, 5);
      const Eigen::VectorXd y = random_matrix(gen, 30, 1) * 3.0;
      least_squares_options<double> o;
      o.lower = Eigen::VectorXd::Constant(5, -0.5);
      o.upper = Eigen::VectorXd::Constant(5, 0.75);
      o.lower(1) = -inf;  // one coefficient bounded on one side only
      if (trial % 2 == 0) {
        o.sum_to = u(gen);
      }
      const auto r = least_squares(a, y, o);
      check_kkt(a, y, o, r);
    }
  }

  TEST_CASE("least_squares agrees with brute-force enumeration of active sets") {
    std::mt19937_64 gen(2026);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int trial = 0; trial < 150; ++trial) {
      CAPTURE(trial);
      const Eigen::MatrixXd a = random_matrix(gen, 12, 4);
      const Eigen::VectorXd y = random_matrix(gen, 12, 1) * 2.0;
      least_squares_options<double> o;
      o.lower = Eigen::VectorXd::Constant(4, 0.0);
      o.upper = Eigen::VectorXd::Constant(4, 1.0);
      const int kind = trial % 3;
      if (kind == 1) {
        o.sum_to = 1.0;
      } else if (kind == 2) {
        o.upper = Eigen::VectorXd::Constant(4, inf);  // plain NNLS
      }
      const auto r = least_squares(a, y, o);
      const double brute = brute_force_minimum(a, y, o.lower, o.upper, o.sum_to.has_value(), o.sum_to.value_or(0));
      const double ours = (a * r.coefficients - y).squaredNorm();
      INFO("active-set objective ", ours, ", brute force ", brute);
      // measured: relative difference below 1e-14; tolerance 1e-13.
      CHECK(std::abs(ours - brute) <= 1e-13 * brute);
    }
  }

  TEST_CASE("least_squares recovers exact fractions of two references under sum-to-one and [0, 1]") {
    const Eigen::Index m = 40;
    Eigen::MatrixXd refs(m, 2);
    for (Eigen::Index i = 0; i < m; ++i) {
      const double e = double(i) / 4.0;
      refs(i, 0) = 1.0 / (1.0 + std::exp(-(e - 4.0)));
      refs(i, 1) = 1.0 / (1.0 + std::exp(-(e - 5.5))) + 0.25 * std::exp(-(e - 6.0) * (e - 6.0));
    }
    const Eigen::VectorXd y = 0.3 * refs.col(0) + 0.7 * refs.col(1);
    least_squares_options<double> o;
    o.sum_to = 1.0;
    o.lower = Eigen::VectorXd::Zero(2);
    o.upper = Eigen::VectorXd::Ones(2);
    const auto r = least_squares(refs, y, o);
    VALENCE_CHECK_REL(0.3, r.coefficients(0), 1e-13, 1.0);
    VALENCE_CHECK_REL(0.7, r.coefficients(1), 1e-13, 1.0);
    CHECK(r.parameters == 1);
    CHECK(r.dof == m - 1);
  }

  TEST_CASE("least_squares covariance under a sum constraint is that of the reduced problem") {
    // With x0 + x1 = 1 the model is y - s1 = x0 (s0 - s1): one parameter with variance
    // s^2 / ||s0 - s1||^2, s^2 = chi^2 / (m - 1); and x1 = 1 - x0 gives cov = [[v, -v], [-v, v]].
    std::mt19937_64 gen(3);
    const Eigen::MatrixXd a = random_matrix(gen, 20, 2);
    const Eigen::VectorXd y = 0.4 * a.col(0) + 0.6 * a.col(1) + 0.01 * random_matrix(gen, 20, 1);
    least_squares_options<double> o;
    o.sum_to = 1.0;
    const auto r = least_squares(a, y, o);
    const Eigen::VectorXd d = a.col(0) - a.col(1);
    const double x0 = d.dot(y - a.col(1)) / d.squaredNorm();
    const double chi2 = (y - a.col(1) - x0 * d).squaredNorm();
    const double v = chi2 / 19.0 / d.squaredNorm();
    VALENCE_CHECK_REL(x0, r.coefficients(0), 1e-13, 1.0);
    VALENCE_CHECK_REL(1 - x0, r.coefficients(1), 1e-13, 1.0);
    VALENCE_CHECK_REL(v, r.covariance(0, 0), 1e-12, 0.0);
    VALENCE_CHECK_REL(-v, r.covariance(0, 1), 1e-12, 0.0);
    VALENCE_CHECK_REL(v, r.covariance(1, 1), 1e-12, 0.0);
    VALENCE_CHECK_REL(chi2, r.chi_square, 1e-12, 0.0);
  }

  TEST_CASE("least_squares reports coefficients held on a bound with zero standard error") {
    // y = 2 s0 - 0.5 s1 exactly: NNLS must hold x1 at 0 and fit x0 alone.
    std::mt19937_64 gen(11);
    const Eigen::MatrixXd a = random_matrix(gen, 15, 2).cwiseAbs();
    const Eigen::VectorXd y = 2.0 * a.col(0) - 0.5 * a.col(1);
    least_squares_options<double> o;
    o.nonnegative = true;
    const auto r = least_squares(a, y, o);
    CHECK(r.active[1] == bound_state::at_lower);
    CHECK(r.coefficients(1) == 0.0);
    CHECK(r.standard_errors(1) == 0.0);
    CHECK(r.covariance(0, 1) == 0.0);
    CHECK(r.parameters == 1);
    VALENCE_CHECK_REL(a.col(0).dot(y) / a.col(0).squaredNorm(), r.coefficients(0), 1e-13, 0.0);
    CHECK(r.iterations >= 1);
  }

  TEST_CASE("least_squares weighted mean has the textbook value and variance") {
    // One column of ones: x = sum(w y) / sum(w), unscaled variance 1 / sum(w).
    const Eigen::VectorXd y = (Eigen::VectorXd(4) << 1.0, 2.0, 4.0, 8.0).finished();
    const Eigen::VectorXd w = (Eigen::VectorXd(4) << 4.0, 1.0, 0.25, 0.0625).finished();
    least_squares_options<double> o;
    o.weights = w;
    o.scale_covariance = false;
    const auto r = least_squares(Eigen::MatrixXd::Ones(4, 1), y, o);
    VALENCE_CHECK_ULP(w.dot(y) / w.sum(), r.coefficients(0), 4);
    VALENCE_CHECK_ULP(1.0 / w.sum(), r.covariance(0, 0), 4);
    const double mean = w.dot(y) / w.sum();
    VALENCE_CHECK_REL((w.array() * (y.array() - mean).square()).sum(), r.chi_square, 1e-14, 0.0);
    CHECK(r.dof == 3);
    VALENCE_CHECK_REL((y.array() - mean).square().sum() / y.squaredNorm(), r.r_factor, 1e-14, 0.0);
  }

  TEST_CASE_TEMPLATE("least_squares fits a line through exact data in every precision", Real, float, double,
                     long double) {
    using M = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
    using V = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
    M a(9, 2);
    V y(9);
    for (int i = 0; i < 9; ++i) {
      a(i, 0) = Real(1);
      a(i, 1) = Real(i) / Real(4);
      y(i) = Real(0.75) - Real(1.5) * a(i, 1);
    }
    const auto r = valence::fit::least_squares(a, y);
    // measured: within 3 ulp of the exact coefficients in float, double and long double
    VALENCE_CHECK_REL(Real(0.75), r.coefficients(0), Real(16) * std::numeric_limits<Real>::epsilon(), Real(1));
    VALENCE_CHECK_REL(Real(-1.5), r.coefficients(1), Real(16) * std::numeric_limits<Real>::epsilon(), Real(1));
    valence::fit::least_squares_options<Real> o;
    o.nonnegative = true;
    const auto nn = valence::fit::least_squares(a, y, o);
    CHECK(nn.active[1] == bound_state::at_lower);
    CHECK(nn.coefficients(1) == Real(0));
  }

  TEST_CASE("least_squares rank-deficient designs: an error, or the minimum-norm solution on request") {
    Eigen::MatrixXd a(5, 3);
    a << 1, 2, 3, 1, 0, 1, 1, 1, 2, 1, 3, 4, 1, 5, 6;  // column 2 = column 0 + column 1
    const Eigen::VectorXd y = (Eigen::VectorXd(5) << 1, 2, 3, 4, 5).finished();
    CHECK_THROWS_WITH_AS((void)least_squares(a, y), doctest::Contains("has rank 2 with 3 columns"),
                         valence::invalid_input);
    least_squares_options<double> o;
    o.allow_rank_deficient = true;
    const auto r = least_squares(a, y, o);
    CHECK(r.rank == 2);
    CHECK_FALSE(r.covariance_available);
    CHECK(doctest::IsNaN(r.standard_errors(0)));
    // Any least-squares solution has the same fit; compare with the rank-2 fit on columns 0, 1.
    const auto reduced = least_squares(Eigen::MatrixXd(a.leftCols(2)), y);
    VALENCE_CHECK_REL(reduced.chi_square, r.chi_square, 1e-12, 1e-12);
    o.nonnegative = true;  // constrained fits never accept a collinear design
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, o), doctest::Contains("linear combination of the others"),
                         valence::invalid_input);
  }

  TEST_CASE("least_squares rejects bad input with messages naming the parameter") {
    using valence::invalid_input;
    const Eigen::MatrixXd a = Eigen::MatrixXd::Random(6, 2);
    const Eigen::VectorXd y = Eigen::VectorXd::Random(6);
    CHECK_THROWS_WITH_AS((void)least_squares(a, Eigen::VectorXd(Eigen::VectorXd::Random(5))),
                         doctest::Contains("'y' has 5 elements but 'A' has 6 rows"), invalid_input);
    Eigen::VectorXd bad_y = y;
    bad_y(2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS((void)least_squares(a, bad_y), doctest::Contains("'y' holds nan at index 2"), invalid_input);
    Eigen::MatrixXd bad_a = a;
    bad_a(1, 1) = inf;
    CHECK_THROWS_WITH_AS((void)least_squares(bad_a, y), doctest::Contains("'A' holds inf at row 1, column 1"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)least_squares(Eigen::MatrixXd(Eigen::MatrixXd::Random(2, 3)),
                                             Eigen::VectorXd(Eigen::VectorXd::Random(2))),
                         doctest::Contains("expected at least as many observations as unknowns"), invalid_input);
    Eigen::MatrixXd zero_col = a;
    zero_col.col(1).setZero();
    CHECK_THROWS_WITH_AS((void)least_squares(zero_col, y), doctest::Contains("column 1 of parameter 'A' is all zeros"),
                         invalid_input);

    least_squares_options<double> o;
    o.weights = Eigen::VectorXd::Ones(6);
    o.weights(3) = -1;
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, o), doctest::Contains("'weights' holds -1 at index 3"),
                         invalid_input);
    o.weights = Eigen::VectorXd::Ones(6);
    o.weights(0) = 0;
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, o), doctest::Contains("expected positive finite values"),
                         invalid_input);
    o.weights = Eigen::VectorXd::Ones(4);
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, o), doctest::Contains("'weights' has 4 elements"), invalid_input);

    least_squares_options<double> b;
    b.lower = (Eigen::VectorXd(2) << 0.0, 1.0).finished();
    b.upper = (Eigen::VectorXd(2) << 1.0, 0.5).finished();
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, b), doctest::Contains("bounds of coefficient 1 are [1, 0.5]"),
                         invalid_input);
    b.upper = (Eigen::VectorXd(2) << 1.0, 2.0).finished();
    b.sum_to = 5.0;
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, b),
                         doctest::Contains("'sum_to' is 5 but the bounds allow sums in [1, 3]"), invalid_input);
    b.sum_to.reset();
    b.lower = Eigen::VectorXd::Zero(3);
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, b), doctest::Contains("'lower' has 3 elements"), invalid_input);
    b.lower = (Eigen::VectorXd(2) << std::numeric_limits<double>::quiet_NaN(), 0.0).finished();
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, b), doctest::Contains("'lower' holds nan at index 0"),
                         invalid_input);
  }

  TEST_CASE("least_squares reports an exhausted iteration budget as fit_error") {
    std::mt19937_64 gen(5);
    const Eigen::MatrixXd a = random_matrix(gen, 20, 6);
    const Eigen::VectorXd y = -a * Eigen::VectorXd::Ones(6) + a.col(0) * 4.0;
    least_squares_options<double> o;
    o.nonnegative = true;
    o.max_iterations = 1;
    CHECK_THROWS_WITH_AS((void)least_squares(a, y, o), doctest::Contains("did not converge within 1 iterations"),
                         valence::fit_error);
  }
}
