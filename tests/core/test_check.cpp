// SPDX-License-Identifier: MIT
// The shared input checks, windows and index look-ups, and the error types.
#include <valence/core/check.hpp>
#include <valence/core/error.hpp>
#include <valence/core/window.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <limits>
#include <random>

namespace {

using valence_test::vec;

constexpr const char* fn = "valence::test::caller";

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("error types derive from valence::error and parse_error carries file and line") {
    const valence::parse_error e("spectrum.xdi", 12, "expected a column label");
    CHECK(e.file() == "spectrum.xdi");
    CHECK(e.line() == 12);
    CHECK(std::string(e.what()) == "spectrum.xdi:12: expected a column label");
    const valence::error& base = e;
    CHECK(dynamic_cast<const valence::parse_error*>(&base) != nullptr);
    CHECK_THROWS_AS(throw valence::invalid_input("x"), valence::error);
    CHECK_THROWS_AS(throw valence::fit_error("x"), valence::error);
    CHECK_THROWS_AS(throw valence::error("x"), std::runtime_error);
  }

  TEST_CASE("check_same_size names both parameters and sizes") {
    CHECK_NOTHROW(valence::core::check_same_size(fn, "a", vec({1, 2}), "b", vec({3, 4})));
    CHECK_THROWS_WITH_AS(
        valence::core::check_same_size(fn, "mu", vec({1, 2}), "energy", vec({1, 2, 3})),
        "valence::test::caller: parameter 'mu' has 2 elements but 'energy' has 3; expected equal sizes",
        valence::invalid_input);
  }

  TEST_CASE("check_finite names the first non-finite value and where it is") {
    CHECK_NOTHROW(valence::core::check_finite(fn, "y", vec({1, 2})));
    CHECK_THROWS_WITH_AS(valence::core::check_finite(fn, "y", vec({1, -std::numeric_limits<double>::infinity()})),
                         "valence::test::caller: parameter 'y' holds -inf at index 1; expected finite values",
                         valence::invalid_input);
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(3, 2);
    m(2, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(valence::core::check_finite(fn, "A", m), doctest::Contains("'A' holds nan at row 2, column 1"),
                         valence::invalid_input);
  }

  TEST_CASE("check_strictly_increasing distinguishes duplicates from decreases") {
    CHECK_NOTHROW(valence::core::check_strictly_increasing(fn, "energy", vec({1, 2, 3})));
    CHECK_THROWS_WITH_AS(valence::core::check_strictly_increasing(fn, "energy", vec({8000, 8000.5, 8000.5})),
                         "valence::test::caller: parameter 'energy' has a duplicate at index 2 (energy[1] = 8000.5, "
                         "energy[2] = 8000.5); "
                         "expected strictly increasing values",
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS(valence::core::check_strictly_increasing(fn, "energy", vec({3, 2})),
                         doctest::Contains("has a decrease at index 1"), valence::invalid_input);
  }

  TEST_CASE("check_positive and check_min_size") {
    CHECK_NOTHROW(valence::core::check_positive(fn, "w", vec({1, 0.5})));
    CHECK_THROWS_WITH_AS(valence::core::check_positive(fn, "w", vec({1, 0})),
                         "valence::test::caller: parameter 'w' holds 0 at index 1; expected positive finite values",
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS(valence::core::check_min_size(fn, "x", vec({1}), 2),
                         "valence::test::caller: parameter 'x' has 1 elements; expected at least 2",
                         valence::invalid_input);
  }

  TEST_CASE("index_of and index_nearest follow Larch") {
    const auto x = vec({1, 2, 3, 4});
    CHECK(valence::core::index_of(x, 0.5) == 0);  // below the data: 0
    CHECK(valence::core::index_of(x, 2.0) == 1);  // at a node: that node
    CHECK(valence::core::index_of(x, 2.9) == 1);  // at or below
    CHECK(valence::core::index_of(x, 9.0) == 3);
    CHECK(valence::core::index_nearest(x, 2.5) == 1);  // tie: the first
    CHECK(valence::core::index_nearest(x, 2.6) == 2);
  }

  TEST_CASE("index_nearest_sorted gives index_nearest's index on sorted abscissas") {
    std::mt19937_64 generator(5);
    std::uniform_real_distribution<double> step(0.01, 2.0);
    for (int trial = 0; trial < 200; ++trial) {
      Eigen::VectorXd x(1 + trial % 37);
      x(0) = 8000 + step(generator);
      for (Eigen::Index i = 1; i < x.size(); ++i) {
        x(i) = x(i - 1) + (trial % 5 == 0 ? 0.5 : step(generator));  // every fifth: ties at midpoints
      }
      for (const double v : {x(0) - 3.0, x(0), x(x.size() - 1), x(x.size() - 1) + 7.0, 0.5 * (x(0) + x(x.size() / 2)),
                             x(x.size() / 2) + 0.25, 1e30, -1e30}) {
        CAPTURE(trial);
        CAPTURE(v);
        CHECK(valence::core::index_nearest_sorted(x, v) == valence::core::index_nearest(x, v));
      }
    }
    CHECK(valence::core::index_nearest_sorted(vec({1, 2, 3, 4}), 2.5) == 1);  // tie: the first
    CHECK(valence::core::index_nearest_sorted(vec({1, 2}), 1e20) == 0);       // equal distances in rounding
  }

  TEST_CASE("select_window returns the closed window's indices or explains why not") {
    const auto x = vec({10, 11, 12, 13, 14, 15});
    const auto r = valence::core::select_window(fn, "fit_window", x, {11.0, 13.5}, 2);
    CHECK(r.begin == 1);
    CHECK(r.size == 3);
    CHECK(r.end() == 4);
    CHECK_THROWS_WITH_AS((void)valence::core::select_window(fn, "fit_window", x, {20.0, 30.0}, 2),
                         "valence::test::caller: window 'fit_window' = [20, 30] holds 0 points of data span [10, 15]; "
                         "expected at least 2",
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::select_window(fn, "fit_window", x, {13.0, 12.0}, 1),
                         doctest::Contains("expected finite bounds with lower <= upper"), valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::select_window(fn, "w", x, {11.5, 11.9}, 1),
                         doctest::Contains("holds 0 points"), valence::invalid_input);
  }
}
