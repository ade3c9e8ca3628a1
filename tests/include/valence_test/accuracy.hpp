// SPDX-License-Identifier: MIT
// Shared test helpers: reference values, ulp and relative-error checks with readable output,
// log relative error (LRE) as NIST defines it, and access to the public validation data.
#ifndef VALENCE_TEST_ACCURACY_HPP
#define VALENCE_TEST_ACCURACY_HPP

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <boost/math/special_functions/next.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>

namespace valence_test {

/// A reference value given as a decimal string, converted at the precision of Real.
template <typename Real>
Real ref(const char* digits) {
  return static_cast<Real>(std::strtold(digits, nullptr));
}

/// |distance| in units in the last place between two values of the same type.
template <typename Real>
Real ulp_distance(Real expected, Real computed) {
  using std::abs;
  return abs(boost::math::float_distance(expected, computed));
}

/// NIST's log relative error: -log10(|computed - certified| / |certified|), capped at the
/// number of significant digits the certified values carry (15).
inline double log_relative_error(double certified, double computed) {
  if (computed == certified) {
    return 15.0;
  }
  const double rel = certified == 0 ? std::abs(computed) : std::abs(computed - certified) / std::abs(certified);
  const double lre = -std::log10(rel);
  return lre > 15.0 ? 15.0 : lre;
}

/// Text of a value with all its digits, for failure messages.
template <typename Real>
std::string digits(Real value) {
  std::ostringstream out;
  out.precision(std::numeric_limits<Real>::max_digits10);
  out << value;
  return out.str();
}

/// Same shape and the same values, NaN where the other is NaN: maps compared bit for bit (NaN is
/// unequal to itself, so `==` alone cannot say that two maps with failed pixels agree).
template <typename A, typename B>
bool same_values(const Eigen::DenseBase<A>& a, const Eigen::DenseBase<B>& b) {
  const auto x = a.derived().array();
  const auto y = b.derived().array();
  return a.rows() == b.rows() && a.cols() == b.cols() && ((x == y) || (x.isNaN() && y.isNaN())).all();
}

/// A double vector from a brace list, for short literal inputs.
inline Eigen::VectorXd vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) {
    v(i++) = x;
  }
  return v;
}

/// The folder of the public validation data, or an empty path when this checkout has none.
inline std::filesystem::path data_dir() {
  const std::filesystem::path dir(VALENCE_TEST_DATA_DIR);
  return std::filesystem::is_directory(dir) ? dir : std::filesystem::path{};
}

/// True when the data file (relative to the data folder) exists.
inline bool has_data(const char* relative) {
  const auto dir = data_dir();
  return !dir.empty() && std::filesystem::is_regular_file(dir / relative);
}

}  // namespace valence_test

/// Ends the current test case, reported as skipped, when a validation data file is absent (a user's
/// clone has no ../shared/data). The marker line is what CTest's SKIP_REGULAR_EXPRESSION matches;
/// the test case stays registered, so it shows as skipped rather than disappearing.
#define VALENCE_REQUIRE_DATA(relative)                                              \
  do {                                                                              \
    if (!::valence_test::has_data(relative)) {                                      \
      MESSAGE("VALENCE-SKIPPED: validation data '", relative, "' not found under ", \
              std::string(VALENCE_TEST_DATA_DIR));                                  \
      return;                                                                       \
    }                                                                               \
  } while (false)

/// Checks |expected - computed| <= max_ulps ulp, printing both values and the distance.
#define VALENCE_CHECK_ULP(expected, computed, max_ulps)                                                          \
  do {                                                                                                           \
    const auto valence_e_ = (expected);                                                                          \
    const auto valence_c_ = (computed);                                                                          \
    const auto valence_d_ = ::valence_test::ulp_distance(valence_e_, valence_c_);                                \
    INFO("expected = ", ::valence_test::digits(valence_e_), ", computed = ", ::valence_test::digits(valence_c_), \
         ", distance = ", valence_d_, " ulp");                                                                   \
    CHECK(valence_d_ <= (max_ulps));                                                                             \
  } while (false)

/// Checks |expected - computed| <= tolerance * max(|expected|, floor), printing the relative error.
#define VALENCE_CHECK_REL(expected, computed, tolerance, floor)                                                  \
  do {                                                                                                           \
    using std::abs;                                                                                              \
    const auto valence_e_ = (expected);                                                                          \
    const auto valence_c_ = (computed);                                                                          \
    const auto valence_s_ = abs(valence_e_) > (floor) ? abs(valence_e_) : (floor);                               \
    const auto valence_r_ = abs(valence_c_ - valence_e_) / valence_s_;                                           \
    INFO("expected = ", ::valence_test::digits(valence_e_), ", computed = ", ::valence_test::digits(valence_c_), \
         ", relative error = ", valence_r_, ", tolerance = ", (tolerance));                                      \
    CHECK(valence_r_ <= (tolerance));                                                                            \
  } while (false)

#endif  // VALENCE_TEST_ACCURACY_HPP
