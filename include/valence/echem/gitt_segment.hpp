// SPDX-License-Identifier: MIT
/// \file
/// \brief Splitting a GITT record into titration steps (current pulse + relaxation).
#ifndef VALENCE_ECHEM_GITT_SEGMENT_HPP
#define VALENCE_ECHEM_GITT_SEGMENT_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/echem/detail/current.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace valence::echem::gitt {

/// \brief Settings of segment().
/// \ingroup echem
struct segment_options {
  /// A sample is at rest when \f$|I|\f$ is below this fraction of the pulse current (the median
  /// \f$|I|\f$ of the samples above half the largest). 1 % as in Kang and Chueh's analysis.
  double rest_fraction = 0.01;
  /// Pulses with fewer samples than this are not steps (a switching transient, not a titration);
  /// the rest before such a transient still ends at it.
  index min_pulse_points = 2;
};

/// \brief One titration step: a current pulse and the relaxation after it.
/// \ingroup echem
///
/// Index ranges are half-open, into the arrays given to segment(). A pulse followed at once by a
/// pulse of the other sign has an empty relaxation.
struct titration_step {
  index pulse_begin = 0;  ///< first sample with the current on
  index pulse_end = 0;    ///< one past the last sample with the current on
  index rest_begin = 0;   ///< first sample of the relaxation (= pulse_end)
  index rest_end = 0;     ///< one past its last sample (the next pulse, or the end of the record)
  /// Mean current over the pulse's samples, A (sign as recorded: positive or negative).
  double current = 0;
  /// \f$\tau\f$ in s: from the pulse's first sample to the first sample after it, when that follows
  /// within 1.5 median sampling intervals (instruments log the switch, or sample through it);
  /// otherwise (a gap in the record, or its end) to the pulse's last sample.
  double duration = 0;
  /// Rest from the end of the previous step (or the start of the record) to this pulse: the
  /// pre-pulse equilibrium. False for a record that begins in this pulse.
  bool rested_before = true;
  /// False when the record ends during the pulse (or at its last sample), so its end is not seen.
  bool complete = true;
};

/// \brief The steps of a GITT record.
/// \ingroup echem
struct segmentation {
  std::vector<titration_step> steps;  ///< in time order
  double pulse_current = 0;           ///< the reference \f$|I|\f$ in A that the rest threshold is relative to
  index initial_rest_end = 0;         ///< one past the rest that precedes the first pulse (0 if none)
};

/// \brief Splits a (t, V, I) record into titration steps by its current.
/// \ingroup echem
///
/// Samples with \f$|I| <\f$ rest_fraction × pulse current are at rest; runs of samples with the
/// current on and one sign are pulses. Each pulse and the rest after it form a step. The sign
/// convention (charge positive or negative) does not matter, a record may begin inside a pulse
/// (rested_before = false) or end inside one (complete = false), and the sampling need not be
/// regular: gaps in time (missing points) only lengthen a run. Voltage is checked, not used.
/// \param time s, non-decreasing, finite (repeated time stamps at step changes, as cyclers log the
///        end of one step and the start of the next, are allowed; split_cycles() takes the same rule).
/// \param voltage V, finite, same length.
/// \param current A, finite, same length.
/// \param options threshold and minimum pulse length.
/// \returns the steps and the reference current.
/// \throws valence::invalid_input on unequal lengths, fewer than 2 samples, non-finite values,
///         time that decreases or never advances, a rest_fraction outside (0, 1), min_pulse_points < 1, or
///         no current pulse at all.
template <class = void>
[[nodiscard]] segmentation segment(const vector_ref& time, const vector_ref& voltage, const vector_ref& current,
                                   const segment_options& options = {}) {
  constexpr const char* function = "valence::echem::gitt::segment";
  valence::echem::detail::check_record(function, time, voltage, current);
  if (!(options.rest_fraction > 0 && options.rest_fraction < 1)) {
    throw invalid_input(core::detail::message(function, "option 'rest_fraction' is " +
                                                            core::detail::format_value(options.rest_fraction) +
                                                            "; expected a fraction in (0, 1)"));
  }
  if (options.min_pulse_points < 1) {
    throw invalid_input(core::detail::message(
        function,
        "option 'min_pulse_points' is " + std::to_string(options.min_pulse_points) + "; expected at least 1"));
  }
  const index n = time.size();
  segmentation out;
  out.pulse_current = valence::echem::detail::reference_current(current);
  if (!(out.pulse_current > 0)) {
    throw invalid_input(core::detail::message(function, "the current is zero throughout; expected current pulses"));
  }
  const double threshold = options.rest_fraction * out.pulse_current;
  // -1, 0, +1 per sample: current off, or on with its sign.
  const auto state = [&](index i) { return std::abs(current(i)) < threshold ? 0 : (current(i) > 0 ? 1 : -1); };
  // The sampling interval: the median step between distinct time stamps (a repeated stamp at a
  // switch is not a sample interval).
  std::vector<double> steps_in_time;
  for (index i = 0; i + 1 < n; ++i) {
    if (time(i + 1) > time(i)) {
      steps_in_time.push_back(time(i + 1) - time(i));
    }
  }
  const auto middle = steps_in_time.begin() + static_cast<std::ptrdiff_t>((steps_in_time.size() - 1) / 2);
  std::nth_element(steps_in_time.begin(), middle, steps_in_time.end());
  const double sampling = *middle;
  index i = 0;
  while (i < n) {
    const int s = state(i);
    index j = i + 1;
    while (j < n && state(j) == s) {
      ++j;
    }
    if (s != 0 && j - i >= options.min_pulse_points) {
      titration_step step;
      step.pulse_begin = i;
      step.pulse_end = j;
      step.current = current.segment(i, j - i).mean();
      step.rested_before = i > 0 && state(i - 1) == 0;
      step.complete = j < n;
      step.duration = time(j - 1) - time(i);
      if (j < n && time(j) - time(j - 1) <= 1.5 * sampling) {
        step.duration = time(j) - time(i);
      }
      index k = j;
      while (k < n && state(k) == 0) {
        ++k;
      }
      step.rest_begin = j;
      step.rest_end = k;
      out.steps.push_back(step);
    } else if (s == 0 && out.steps.empty()) {
      out.initial_rest_end = j;
    }
    i = j;
  }
  if (out.steps.empty()) {
    throw invalid_input(core::detail::message(
        function, "no current pulse of at least " + std::to_string(options.min_pulse_points) + " samples above " +
                      core::detail::format_value(threshold) + " A was found; expected a GITT record"));
  }
  return out;
}

}  // namespace valence::echem::gitt

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::echem::gitt {
extern template segmentation segment<>(const vector_ref&, const vector_ref&, const vector_ref&, const segment_options&);
}  // namespace valence::echem::gitt
#endif

#endif  // VALENCE_ECHEM_GITT_SEGMENT_HPP
