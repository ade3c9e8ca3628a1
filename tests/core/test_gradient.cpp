// SPDX-License-Identifier: MIT
// valence::core::gradient against numpy 1.24.2 np.gradient (values from tools/core_references.py)
// and against exact derivatives of quadratics.
#include <valence/core/gradient.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

namespace {

using valence_test::vec;

const Eigen::VectorXd x = vec({0.0, 0.5, 1.25, 2.0, 3.5, 4.0, 5.75, 6.0});
const Eigen::VectorXd y = vec({1.0, 1.5, 0.75, -0.25, 2.0, 2.5, 1.125, 0.5});

void check_all(const Eigen::VectorXd& expected, const Eigen::VectorXd& computed, double max_ulps) {
  REQUIRE(computed.size() == expected.size());
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    VALENCE_CHECK_ULP(expected(i), computed(i), max_ulps);
  }
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("gradient matches numpy on a non-uniform grid, first-order edges") {
    // numpy 1.24.2: np.gradient(y, x, edge_order=1)
    const auto expected = vec({1.0, 0.20000000000000007, -1.1666666666666667, -0.38888888888888884, 1.125,
                               0.6031746031746033, -2.2857142857142856, -2.5});
    check_all(expected, valence::core::gradient(y, x), 0);  // same formulas, same order: bit-identical
  }

  TEST_CASE("gradient matches numpy on a non-uniform grid, second-order edges") {
    // numpy 1.24.2: np.gradient(y, x, edge_order=2)
    const auto expected = vec({1.8000000000000003, 0.20000000000000007, -1.1666666666666667, -0.38888888888888884,
                               1.125, 0.6031746031746033, -2.2857142857142856, -2.7142857142857135});
    check_all(expected, valence::core::gradient(y, x, valence::core::edge_order::second), 0);
  }

  TEST_CASE("gradient matches numpy on a uniform grid") {
    // numpy 1.24.2: np.gradient(y, 0.25, edge_order=1 and 2)
    check_all(vec({2.0, -0.5, -3.5, 2.5, 5.5, -1.75, -4.0, -2.5}), valence::core::gradient(y, 0.25), 0);
    check_all(vec({4.5, -0.5, -3.5, 2.5, 5.5, -1.75, -4.0, -1.0}),
              valence::core::gradient(y, 0.25, valence::core::edge_order::second), 0);
    // A uniform abscissa given explicitly takes numpy's uniform branch too.
    const Eigen::VectorXd xu = Eigen::VectorXd::LinSpaced(8, 0.0, 1.75);
    check_all(valence::core::gradient(y, 0.25), valence::core::gradient(y, xu), 0);
  }

  TEST_CASE_TEMPLATE("gradient is exact for a quadratic with second-order edges", Real, float, double, long double) {
    using V = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
    V xs(6);
    xs << Real(0), Real(0.5), Real(1.5), Real(1.75), Real(3), Real(4);
    const V ys = xs.array().square() * Real(3) - xs.array() * Real(2) + Real(1);  // y' = 6x - 2
    const V g = valence::core::gradient(ys, xs, valence::core::edge_order::second);
    for (Eigen::Index i = 0; i < xs.size(); ++i) {
      CAPTURE(i);
      // measured: at most 6 ulp of the largest term (22) in float/double/long double
      VALENCE_CHECK_REL(Real(6) * xs(i) - Real(2), g(i), Real(16) * std::numeric_limits<Real>::epsilon(), Real(22));
    }
  }

  TEST_CASE("gradient rejects bad input with a message naming the parameter") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(y, vec({0, 1, 2})), doctest::Contains("expected equal sizes"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(vec({1.0})), doctest::Contains("expected at least 2"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(vec({1.0, 2.0}), 1.0, valence::core::edge_order::second),
                         doctest::Contains("expected at least 3"), invalid_input);
    Eigen::VectorXd bad = y;
    bad(3) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(bad, x), doctest::Contains("parameter 'y' holds nan at index 3"),
                         invalid_input);
    Eigen::VectorXd dup = x;
    dup(4) = dup(3);
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(y, dup), doctest::Contains("'x' has a duplicate at index 4"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gradient(y, 0.0), doctest::Contains("'spacing' is 0"), invalid_input);
  }
}
