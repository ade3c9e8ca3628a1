// SPDX-License-Identifier: MIT
// What every (t, V, I) analysis checks first, and the current scale that rest thresholds are
// relative to (not part of the public API).
#ifndef VALENCE_ECHEM_DETAIL_CURRENT_HPP
#define VALENCE_ECHEM_DETAIL_CURRENT_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace valence::echem::detail {

// Equal lengths, at least two samples, all finite, and time that never decreases. Cyclers log a
// step's end and the next step's start with one time stamp, so equal times are allowed (the
// interval carries no charge); time running backwards is not.
template <class = void>
void check_record(const char* function, const vector_ref& time, const vector_ref& voltage, const vector_ref& current) {
  core::check_same_size(function, "voltage", voltage, "time", time);
  core::check_same_size(function, "current", current, "time", time);
  core::check_min_size(function, "time", time, 2);
  core::check_finite(function, "time", time);
  core::check_finite(function, "voltage", voltage);
  core::check_finite(function, "current", current);
  for (index i = 0; i + 1 < time.size(); ++i) {
    if (time(i + 1) < time(i)) {
      throw invalid_input(core::detail::message(
          function, "parameter 'time' decreases at index " + std::to_string(i + 1) + " (" +
                        core::detail::format_value(time(i)) + " then " + core::detail::format_value(time(i + 1)) +
                        "); expected non-decreasing times"));
    }
  }
  if (!(time(time.size() - 1) > time(0))) {
    throw invalid_input(core::detail::message(function, "parameter 'time' is " + core::detail::format_value(time(0)) +
                                                            " s throughout; expected a record that advances in time"));
  }
}

// The median |I| of the samples above half the largest |I|, so that a switching spike does not set
// the scale. Zero when the current is zero throughout.
inline double reference_current(const vector_ref& current) {
  const double largest = current.size() > 0 ? current.cwiseAbs().maxCoeff() : 0.0;
  if (!(largest > 0)) {
    return 0.0;
  }
  std::vector<double> high;
  for (index i = 0; i < current.size(); ++i) {
    if (std::abs(current(i)) > 0.5 * largest) {
      high.push_back(std::abs(current(i)));
    }
  }
  const auto middle = high.begin() + static_cast<std::ptrdiff_t>(high.size() / 2);
  std::nth_element(high.begin(), middle, high.end());
  return *middle;
}

}  // namespace valence::echem::detail

#endif  // VALENCE_ECHEM_DETAIL_CURRENT_HPP
