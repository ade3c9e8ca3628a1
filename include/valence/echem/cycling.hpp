// SPDX-License-Identifier: MIT
/// \file
/// \brief Splitting a galvanostatic record into half-cycles and cycles, with capacities and
/// coulombic and energy efficiencies.
#ifndef VALENCE_ECHEM_CYCLING_HPP
#define VALENCE_ECHEM_CYCLING_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/echem/detail/current.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace valence::echem {

/// \brief Options of split_cycles().
/// \ingroup echem
struct cycling_options {
  /// A sample is at rest when \f$|I|\f$ is below this fraction of the reference current (the median
  /// \f$|I|\f$ of the samples above half the largest), as in gitt::segment().
  double rest_fraction = 0.01;
};

/// \brief One half-cycle: from the first sample with current of one sign up to the first sample
/// with current of the other sign (so the rest that follows it belongs to it).
/// \ingroup echem
struct half_cycle {
  index begin = 0;  ///< first sample with the current on
  index end = 0;    ///< one past the last sample (the next half-cycle's first sample, or the record's end)
  int sign = 0;     ///< +1 for positive current (charge in the usual convention), −1 for negative
  /// Charge passed, \f$\left|\int I\,dt\right|/3600\f$ over the half-cycle's samples (trapezoids):
  /// current unit × h, e.g. mAh for mA.
  double capacity = 0;
  /// Energy, \f$\left|\int I V\,dt\right|/3600\f$: current unit × V × h, e.g. mWh for mA.
  double energy = 0;
  double mean_voltage = 0;  ///< energy / capacity, V
};

/// \brief A cycle: a half-cycle of the record's first sign and the half-cycle that follows it.
/// \ingroup echem
struct cycle_summary {
  index first = -1;           ///< index into cycling_record::half_cycles
  index second = -1;          ///< the following half-cycle of the other sign; −1 if the record ends first
  double first_capacity = 0;  ///< capacity of the first half-cycle
  double second_capacity = std::numeric_limits<double>::quiet_NaN();  ///< NaN when incomplete
  /// Coulombic efficiency, second over first: discharge/charge for a cathode started in charge,
  /// delithiation/lithiation for an anode half-cell started in lithiation. NaN when incomplete.
  double coulombic_efficiency = std::numeric_limits<double>::quiet_NaN();
  double energy_efficiency = std::numeric_limits<double>::quiet_NaN();  ///< energies, second over first
};

/// \brief Result of split_cycles().
/// \ingroup echem
struct cycling_record {
  std::vector<half_cycle> half_cycles;  ///< in time order, alternating in sign
  std::vector<cycle_summary> cycles;    ///< in time order
  /// Per sample: charge passed since the start of its half-cycle in the half-cycle's own direction
  /// (current unit × h), as a running maximum so that it never decreases; 0 before the first
  /// half-cycle. Together with the voltage it is the input of differential_capacity().
  vector_d capacity;
  double reference_current = 0;  ///< the \f$|I|\f$ the rest threshold is relative to
};

/// \brief Splits a \f$(t, V, I)\f$ record into half-cycles and cycles and integrates their
/// capacities and energies.
/// \ingroup echem
///
/// Samples are classified as rest (\f$|I| <\f$ rest_fraction × reference current) or on with a
/// sign. A half-cycle starts at the first on-sample of a sign and runs to the first on-sample of
/// the other sign; rests inside it (GITT, relaxation, the end of a CV step) belong to it. Its charge
/// and energy are trapezoid integrals over its own samples: the interval from its last sample to
/// the next half-cycle's first belongs to neither, so a record sampled coarsely at the switch
/// loses at most that one interval's charge. Cycles pair each half-cycle of the record's first
/// sign with the next one.
/// \param time s, non-decreasing (repeated time stamps at step changes are allowed).
/// \param voltage V.
/// \param current any unit (capacities come out in that unit × h), sign as recorded.
/// \param options the rest threshold.
/// \returns half-cycles, cycles with coulombic and energy efficiencies, and the per-sample capacity.
/// \throws valence::invalid_input for unequal lengths, fewer than 2 samples, non-finite values,
///         time that decreases or never advances, a `rest_fraction` outside (0, 1), or a current that is
///         zero throughout.
template <class = void>
[[nodiscard]] cycling_record split_cycles(const vector_ref& time, const vector_ref& voltage, const vector_ref& current,
                                          const cycling_options& options = {}) {
  constexpr const char* function = "valence::echem::split_cycles";
  valence::echem::detail::check_record(function, time, voltage, current);
  if (!(options.rest_fraction > 0 && options.rest_fraction < 1)) {
    throw invalid_input(core::detail::message(function, "option 'rest_fraction' is " +
                                                            core::detail::format_value(options.rest_fraction) +
                                                            "; expected a fraction in (0, 1)"));
  }
  cycling_record out;
  out.reference_current = detail::reference_current(current);
  if (!(out.reference_current > 0)) {
    throw invalid_input(core::detail::message(function, "the current is zero throughout; expected a cycling record"));
  }
  const double threshold = options.rest_fraction * out.reference_current;
  const index n = time.size();
  std::vector<index> starts;  // first on-sample of each half-cycle
  std::vector<int> signs;
  for (index i = 0; i < n; ++i) {
    if (std::abs(current(i)) < threshold) {
      continue;
    }
    const int s = current(i) > 0 ? 1 : -1;
    if (signs.empty() || signs.back() != s) {
      starts.push_back(i);
      signs.push_back(s);
    }
  }
  out.capacity = vector_d::Zero(n);
  constexpr double seconds_per_hour = 3600.0;
  for (std::size_t h = 0; h < starts.size(); ++h) {
    half_cycle hc;
    hc.begin = starts[h];
    hc.end = h + 1 < starts.size() ? starts[h + 1] : n;
    hc.sign = signs[h];
    double charge = 0;
    double energy = 0;
    for (index i = hc.begin; i + 1 < hc.end; ++i) {
      const double dt = time(i + 1) - time(i);
      charge += 0.5 * (current(i) + current(i + 1)) * dt;
      energy += 0.5 * (current(i) * voltage(i) + current(i + 1) * voltage(i + 1)) * dt;
      // The running maximum keeps the curve monotonic, as differential_capacity() needs: current
      // noise at rest can make the integral dip by a hair.
      out.capacity(i + 1) = std::max(out.capacity(i), hc.sign * charge / seconds_per_hour);
    }
    hc.capacity = std::abs(charge) / seconds_per_hour;
    hc.energy = std::abs(energy) / seconds_per_hour;
    hc.mean_voltage = hc.capacity > 0 ? hc.energy / hc.capacity : std::numeric_limits<double>::quiet_NaN();
    out.half_cycles.push_back(hc);
  }
  const int first_sign = signs.front();
  for (std::size_t h = 0; h < out.half_cycles.size(); ++h) {
    if (out.half_cycles[h].sign != first_sign) {
      continue;
    }
    cycle_summary c;
    c.first = static_cast<index>(h);
    c.first_capacity = out.half_cycles[h].capacity;
    if (h + 1 < out.half_cycles.size()) {
      const auto& second = out.half_cycles[h + 1];
      c.second = static_cast<index>(h + 1);
      c.second_capacity = second.capacity;
      c.coulombic_efficiency = second.capacity / c.first_capacity;
      c.energy_efficiency = second.energy / out.half_cycles[h].energy;
    }
    out.cycles.push_back(c);
  }
  return out;
}

}  // namespace valence::echem

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::echem {
extern template cycling_record split_cycles<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                              const cycling_options&);
}  // namespace valence::echem
#endif

#endif  // VALENCE_ECHEM_CYCLING_HPP
