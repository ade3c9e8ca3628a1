// SPDX-License-Identifier: MIT
// Linear interpolation against numpy 1.24.2 np.interp and the not-a-knot cubic spline against
// scipy 1.10.1 CubicSpline (values from tools/core_references.py), plus exactness properties.
#include <valence/core/interpolate.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <limits>

namespace {

using valence_test::vec;

const Eigen::VectorXd knots = vec({0.0, 0.5, 1.25, 2.0, 3.5, 4.0, 5.75, 6.0});
const Eigen::VectorXd values = vec({1.0, 1.5, 0.75, -0.25, 2.0, 2.5, 1.125, 0.5});
const Eigen::VectorXd queries = vec({0.125, 0.5, 1.0, 2.75, 3.625, 5.0, 5.875, 6.0});

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("interpolate_linear matches numpy interp bit for bit") {
    const auto expected = vec({1.125, 1.5, 1.0, 0.875, 2.125, 1.7142857142857144, 0.8125, 0.5});
    const auto computed = valence::core::interpolate_linear(knots, values, queries);
    for (Eigen::Index i = 0; i < queries.size(); ++i) {
      CAPTURE(i);
      VALENCE_CHECK_ULP(expected(i), computed(i), 0);
    }
  }

  TEST_CASE("interpolate_linear extrapolation policies") {
    using valence::core::extrapolation;
    const auto outside = vec({-1.0, 7.0});
    const auto held = valence::core::interpolate_linear(knots, values, outside, extrapolation::hold);
    CHECK(held(0) == 1.0);
    CHECK(held(1) == 0.5);
    const auto extended = valence::core::interpolate_linear(knots, values, outside, extrapolation::extend);
    CHECK(extended(0) == 0.0);   // slope 1 on [0, 0.5]
    CHECK(extended(1) == -2.0);  // slope -2.5 on [5.75, 6]
    CHECK_THROWS_WITH_AS((void)valence::core::interpolate_linear(knots, values, outside),
                         doctest::Contains("'x_new' holds -1 at index 0, outside the data range [0, 6]"),
                         valence::invalid_input);
  }

  TEST_CASE("cubic_spline matches scipy CubicSpline (not-a-knot)") {
    const valence::core::cubic_spline<double> spline(knots, values, valence::core::extrapolation::extend);
    const auto values = vec({1.2292959536861066, 1.5, 1.13055773941071, 0.5406962482744104, 2.1707911576306653,
                             2.326284674289181, 0.8270982549105789, 0.5});
    const auto slopes = vec({1.530204238604919, -0.00832678176787045, -1.3305577394107098, 1.9417321823212976,
                             1.229539538439634, -0.9588557561950981, -2.499357121190548, -2.7348578361881657});
    const auto computed = spline(queries);
    for (Eigen::Index i = 0; i < queries.size(); ++i) {
      CAPTURE(i);
      // measured: at most 1.1e-15 relative to the data scale (2.5); tolerance 8 eps.
      VALENCE_CHECK_REL(values(i), computed(i), 8 * std::numeric_limits<double>::epsilon(), 2.5);
      VALENCE_CHECK_REL(slopes(i), spline.derivative(queries(i)), 8 * std::numeric_limits<double>::epsilon(), 2.5);
    }
    VALENCE_CHECK_REL(-0.7860958241250318, spline(-0.5), 16 * std::numeric_limits<double>::epsilon(), 2.5);
    VALENCE_CHECK_REL(-1.1100012999956688, spline(6.5), 16 * std::numeric_limits<double>::epsilon(), 2.5);
  }

  TEST_CASE("cubic_spline with three points is the interpolating parabola (scipy)") {
    const valence::core::cubic_spline<double> spline(knots.head(3), values.head(3));
    VALENCE_CHECK_REL(1.3499999999999999, spline(0.25), 4 * std::numeric_limits<double>::epsilon(), 1.5);
    VALENCE_CHECK_REL(1.1999999999999997, spline(1.0), 4 * std::numeric_limits<double>::epsilon(), 1.5);
  }

  TEST_CASE_TEMPLATE("cubic_spline reproduces a cubic polynomial and its nodes", Real, float, double, long double) {
    using V = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
    V xs(7);
    xs << Real(-2), Real(-1.5), Real(0), Real(0.25), Real(1), Real(2.5), Real(3);
    const auto p = [](Real t) { return ((Real(0.5) * t - Real(1)) * t + Real(2)) * t - Real(3); };
    V ys(7);
    for (Eigen::Index i = 0; i < 7; ++i) {
      ys(i) = p(xs(i));
    }
    const valence::core::cubic_spline<Real> spline(xs, ys);
    for (Eigen::Index i = 0; i + 1 < 7; ++i) {
      CHECK(spline(xs(i)) == ys(i));  // a node is the left end of its piece: reproduced exactly
    }
    const Real eps = std::numeric_limits<Real>::epsilon();
    for (Real t = Real(-2); t <= Real(3); t += Real(0.125)) {
      CAPTURE(t);
      // measured: below 40 eps of the function scale (|p| <= 17) in every type; tolerance 128 eps.
      VALENCE_CHECK_REL(p(t), spline(t), Real(128) * eps, Real(17));
    }
  }

  TEST_CASE("cubic_spline::through_columns equals one spline per column, bit for bit") {
    // The shared elimination does each column's arithmetic as the constructor does: the values,
    // derivatives and slopes agree exactly, for 2, 3 and 8 points (the straight line, the parabola
    // and the tridiagonal system) and for ascending and unordered queries.
    for (const Eigen::Index n : {2, 3, 8}) {
      CAPTURE(n);
      Eigen::MatrixXd ordinates(n, 3);
      ordinates.col(0) = values.head(n);
      ordinates.col(1) = values.head(n).array().square();
      ordinates.col(2) = -0.5 * values.head(n).array() + knots.head(n).array();
      const Eigen::VectorXd x = knots.head(n);
      const auto splines =
          valence::core::cubic_spline<double>::through_columns(x, ordinates, valence::core::extrapolation::extend);
      REQUIRE(splines.size() == 3);
      const Eigen::VectorXd unordered = vec({5.875, 0.125, 3.625, 0.5, 6.0, 1.0, 2.75, -0.5});
      for (Eigen::Index c = 0; c < 3; ++c) {
        CAPTURE(c);
        const valence::core::cubic_spline<double> alone(x, Eigen::VectorXd(ordinates.col(c)),
                                                        valence::core::extrapolation::extend);
        CHECK(splines[std::size_t(c)](queries) == alone(queries));
        CHECK(splines[std::size_t(c)](unordered) == alone(unordered));
        // A vector of queries starts each search from the previous point's interval; a single
        // query searches from scratch: the same intervals, so the same values.
        const Eigen::VectorXd together = alone(unordered);
        for (Eigen::Index i = 0; i < unordered.size(); ++i) {
          CHECK(together(i) == alone(unordered(i)));
        }
        CHECK(splines[std::size_t(c)].derivative(2.75) == alone.derivative(2.75));
        CHECK(splines[std::size_t(c)].y() == alone.y());
      }
    }
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::core::cubic_spline<double>::through_columns(knots, Eigen::MatrixXd(7, 2)),
                         doctest::Contains("'y' has 7 rows but 'x' has 8 elements"), invalid_input);
    Eigen::MatrixXd bad = Eigen::MatrixXd::Zero(8, 2);
    bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS((void)valence::core::cubic_spline<double>::through_columns(knots, bad),
                         doctest::Contains("'y' holds nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::cubic_spline<double>::through_columns(vec({0, 2, 1}), bad.topRows(3)),
                         doctest::Contains("'x' has a decrease at index 2"), invalid_input);
  }

  TEST_CASE("cubic_spline and interpolate_cubic reject bad input") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS(valence::core::cubic_spline<double>(vec({1.0}), vec({1.0})),
                         doctest::Contains("expected at least 2"), invalid_input);
    CHECK_THROWS_WITH_AS(valence::core::cubic_spline<double>(vec({0, 2, 1}), vec({1, 2, 3})),
                         doctest::Contains("'x' has a decrease at index 2"), invalid_input);
    CHECK_THROWS_WITH_AS(valence::core::cubic_spline<double>(knots, values.head(3)),
                         doctest::Contains("expected equal sizes"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::interpolate_cubic(knots, values, vec({6.5})),
                         doctest::Contains("outside the data range"), invalid_input);
    Eigen::VectorXd bad = values;
    bad(0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH_AS((void)valence::core::interpolate_cubic(knots, bad, queries),
                         doctest::Contains("'y' holds inf"), invalid_input);
  }
}
