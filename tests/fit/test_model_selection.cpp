// SPDX-License-Identifier: MIT
// F test, Hamilton test, AIC and BIC: against the closed form of the F(2, d) tail, scipy 1.10.1
// scipy.stats.f.sf values, and lmfit's AIC/BIC definitions evaluated exactly.
#include <valence/fit/least_squares.hpp>
#include <valence/fit/model_selection.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <random>

TEST_SUITE("fit") {
  TEST_CASE("f_test p-value equals the closed-form tail of F(2, d)") {
    // For d1 = 2: P(F > x) = (1 + 2x/d2)^(-d2/2). chi2 ratio chosen so that F = 4 with d1 = 2, d2 = 10.
    // F = (s/f - 1) * 10 / 2 = 4  =>  s/f = 1.8
    const auto r = valence::fit::f_test(1.8, 3, 1.0, 5, 15);
    CHECK(r.df_numerator == 2);
    CHECK(r.df_denominator == 10);
    VALENCE_CHECK_REL(4.0, r.statistic, 4e-16, 1.0);
    VALENCE_CHECK_REL(std::pow(1.8, -5.0), r.p_value, 1e-14, 0.0);  // measured 4e-16
  }

  TEST_CASE("f_test and hamilton_test match scipy's F survival function") {
    // scipy.stats.f.sf(2.5, 3, 40) = 0.07325435201794978: statistic 2.5 from s/f = 1 + 2.5 * 3/40.
    const auto r = valence::fit::f_test(1.0 + 2.5 * 3.0 / 40.0, 2, 1.0, 5, 45);
    VALENCE_CHECK_REL(0.07325435201794978, r.p_value, 1e-13, 0.0);
    const auto h = valence::fit::hamilton_test(1.0 + 2.5 * 3.0 / 40.0, 2, 1.0, 5, 45);
    CHECK(h.p_value == r.p_value);
    // scipy.stats.f.sf(0.7, 1, 150) = 0.4041146088274804
    const auto g = valence::fit::f_test(1.0 + 0.7 / 150.0, 1, 1.0, 2, 152);
    VALENCE_CHECK_REL(0.4041146088274804, g.p_value, 1e-12, 0.0);
  }

  TEST_CASE("f_test edge cases: a worse fuller fit has p = 1, a perfect one p = 0") {
    CHECK(valence::fit::f_test(1.0, 1, 1.1, 2, 10).p_value == 1.0);
    CHECK(valence::fit::f_test(1.0, 1, 0.0, 2, 10).p_value == 0.0);
  }

  TEST_CASE("f_test detects a needed component and accepts a superfluous one") {
    std::mt19937_64 gen(9);
    std::normal_distribution<double> noise(0.0, 0.05);
    const Eigen::Index m = 200;
    Eigen::MatrixXd a(m, 3);
    Eigen::VectorXd y(m);
    for (Eigen::Index i = 0; i < m; ++i) {
      const double t = double(i) / double(m);
      a(i, 0) = 1;
      a(i, 1) = t;
      a(i, 2) = std::sin(6.0 * t);
      y(i) = 1.0 + 0.5 * t + noise(gen);  // the sine is not in the truth
    }
    const auto two = valence::fit::least_squares(Eigen::MatrixXd(a.leftCols(2)), y);
    const auto three = valence::fit::least_squares(a, y);
    const auto superfluous = valence::fit::f_test(two.chi_square, 2, three.chi_square, 3, m);
    CHECK(superfluous.p_value > 0.01);
    const Eigen::VectorXd y2 = y + 0.2 * a.col(2);
    const auto two_b = valence::fit::least_squares(Eigen::MatrixXd(a.leftCols(2)), y2);
    const auto three_b = valence::fit::least_squares(a, y2);
    const auto needed = valence::fit::f_test(two_b.chi_square, 2, three_b.chi_square, 3, m);
    CHECK(needed.p_value < 1e-10);
  }

  TEST_CASE("aic and bic follow lmfit's definitions and agree with the fit result") {
    // m ln(chi2/m) + 2p and m ln(chi2/m) + p ln m, with chi2/m = 1/4 chosen to make the log exact.
    VALENCE_CHECK_ULP(100.0 * std::log(0.25) + 6.0, valence::fit::aic(25.0, 100, 3), 2);
    VALENCE_CHECK_ULP(100.0 * std::log(0.25) + 3.0 * std::log(100.0), valence::fit::bic(25.0, 100, 3), 2);
    const Eigen::MatrixXd a = Eigen::MatrixXd::Random(30, 2);
    const Eigen::VectorXd y = Eigen::VectorXd::Random(30);
    const auto r = valence::fit::least_squares(a, y);
    CHECK(r.aic == valence::fit::aic(r.chi_square, 30, 2));
    CHECK(r.bic == valence::fit::bic(r.chi_square, 30, 2));
  }

  TEST_CASE("f_test and hamilton_test reject inconsistent arguments") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::fit::f_test(1.0, 3, 0.5, 3, 10),
                         doctest::Contains("expected 0 <= simple < full"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::fit::f_test(1.0, 1, 0.5, 3, 3),
                         doctest::Contains("'observations' is 3; expected more observations"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::fit::hamilton_test(-1.0, 1, 0.5, 3, 10),
                         doctest::Contains("expected finite values >= 0"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::fit::f_test(std::nan(""), 1, 0.5, 3, 10),
                         doctest::Contains("valence::fit::f_test"), invalid_input);
  }
}
