// SPDX-License-Identifier: MIT
/// \file
/// \brief Differential capacity dQ/dV of a half-cycle on a uniform voltage grid, its peaks, and a
/// peak followed across cycles.
#ifndef VALENCE_ECHEM_DQDV_HPP
#define VALENCE_ECHEM_DQDV_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/smooth.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace valence::echem {

/// \brief Options of differential_capacity().
/// \ingroup echem
struct differential_capacity_options {
  /// Width \f$h\f$ of the voltage bins, V. The bin edges are integer multiples of \f$h\f$, so the
  /// curves of different cycles share one grid and can be compared bin by bin.
  double voltage_step = 0.001;
  /// Smoothing as cellpy's ICA does it (its default 0.01 V): a Gaussian filter (reflecting ends,
  /// cut at 4σ) with \f$\sigma = \max(1, \lfloor \mathrm{fwhm}/h \rfloor / 2)\f$ bins. Note that
  /// this σ is half the stated width, not fwhm/2.355. 0 turns smoothing off.
  double smoothing_fwhm = 0.01;
  /// A local maximum is reported as a peak when its prominence is at least this fraction of the
  /// curve's largest value.
  double min_prominence = 0.05;
};

/// \brief A peak of a dQ/dV curve.
/// \ingroup echem
struct dqdv_peak {
  double voltage = 0;  ///< V: vertex of the parabola through the largest bin and its two neighbours
  double height = 0;   ///< dQ/dV at the vertex, capacity per V
  /// Height above the higher of the two bases, with the bases defined as in SciPy's
  /// `signal.peak_prominences` (the lowest point on each side before a higher value or the end).
  double prominence = 0;
  double width = 0;  ///< V: full width at half the prominence (SciPy's `peak_widths` default)
  /// Capacity under the curve from \ref left_valley to \ref right_valley (bins inclusive).
  double area = 0;
  /// V: the lowest bin between this peak and the reported peak below it (for the lowest peak, its
  /// left prominence base).
  double left_valley = 0;
  /// V: the lowest bin between this peak and the reported peak above it (for the highest peak,
  /// its right prominence base).
  double right_valley = 0;
};

/// \brief Result of differential_capacity().
/// \ingroup echem
struct differential_capacity_result {
  vector_d voltage;            ///< bin centres, V, increasing by `voltage_step`
  vector_d dq_dv;              ///< smoothed \f$dQ/dV \ge 0\f$, capacity per V (e.g. mAh/V)
  vector_d dq_dv_raw;          ///< before smoothing
  double smoothing_sigma = 0;  ///< σ of the Gaussian filter, V (0 when smoothing is off)
  double capacity = 0;         ///< charge of the half-cycle, \f$\sum h\, dQ/dV\f$ (smoothed or not)
  int direction = 0;           ///< +1 when the voltage rises over the half-cycle, −1 when it falls
  /// Charge passed while the voltage moved against \ref direction (noise, relaxation, a CV step):
  /// it is still counted in the bins the voltage visited. A large value says the record is not
  /// one half-cycle.
  double backtracking_charge = 0;
  std::vector<dqdv_peak> peaks;  ///< in increasing voltage
};

namespace detail {

// Peaks of y on the grid x with SciPy's definitions (find_peaks with plateaus, peak_prominences,
// peak_widths at rel_height 0.5), refined by a parabola through the largest sample.
template <class = void>
std::vector<dqdv_peak> find_dqdv_peaks(const vector_ref& x, const vector_ref& y, double step, double min_prominence) {
  std::vector<dqdv_peak> peaks;
  std::vector<index> tops;
  std::vector<std::pair<index, index>> bases;
  const index n = y.size();
  const double largest = n > 0 ? y.maxCoeff() : 0.0;
  for (index i = 1; i + 1 < n; ++i) {
    if (!(y(i - 1) < y(i))) {
      continue;
    }
    index ahead = i + 1;
    while (ahead + 1 < n && y(ahead) == y(i)) {
      ++ahead;
    }
    if (!(y(ahead) < y(i))) {
      i = ahead - 1;
      continue;
    }
    const index top = (i + ahead - 1) / 2;  // the middle of a plateau, rounded down (as SciPy)
    i = ahead - 1;
    index left_base = top;
    double left_min = y(top);
    for (index k = top; k >= 0 && y(k) <= y(top); --k) {
      if (y(k) < left_min) {
        left_min = y(k);
        left_base = k;
      }
    }
    index right_base = top;
    double right_min = y(top);
    for (index k = top; k < n && y(k) <= y(top); ++k) {
      if (y(k) < right_min) {
        right_min = y(k);
        right_base = k;
      }
    }
    dqdv_peak p;
    p.prominence = y(top) - std::max(left_min, right_min);
    if (!(p.prominence >= min_prominence * largest) || !(p.prominence > 0)) {
      continue;
    }
    const double half = y(top) - 0.5 * p.prominence;
    index l = top;
    while (l > left_base && y(l) > half) {
      --l;
    }
    double left = double(l);
    if (y(l) < half) {
      left += (half - y(l)) / (y(l + 1) - y(l));
    }
    index r = top;
    while (r < right_base && y(r) > half) {
      ++r;
    }
    double right = double(r);
    if (y(r) < half) {
      right -= (half - y(r)) / (y(r - 1) - y(r));
    }
    p.width = (right - left) * step;
    const double curvature = y(top - 1) - 2 * y(top) + y(top + 1);
    const double offset = curvature < 0 ? std::clamp(0.5 * (y(top - 1) - y(top + 1)) / curvature, -0.5, 0.5) : 0.0;
    p.voltage = x(top) + offset * step;
    p.height = y(top) - 0.25 * (y(top - 1) - y(top + 1)) * offset;
    peaks.push_back(p);
    tops.push_back(top);
    bases.emplace_back(left_base, right_base);
  }
  // Areas between the valleys that separate neighbouring peaks: a prominence base can lie beyond
  // a lower peak, whose charge must not be counted twice.
  for (std::size_t k = 0; k < peaks.size(); ++k) {
    index from = bases[k].first;
    index to = bases[k].second;
    if (k > 0) {
      y.segment(tops[k - 1], tops[k] - tops[k - 1] + 1).minCoeff(&from);
      from += tops[k - 1];
    }
    if (k + 1 < peaks.size()) {
      y.segment(tops[k], tops[k + 1] - tops[k] + 1).minCoeff(&to);
      to += tops[k];
    }
    peaks[k].area = y.segment(from, to - from + 1).sum() * step;
    peaks[k].left_valley = x(from);
    peaks[k].right_valley = x(to);
  }
  return peaks;
}

}  // namespace detail

/// \brief Differential capacity \f$dQ/dV\f$ of one half-cycle on a uniform voltage grid, smoothed,
/// with its peaks.
/// \ingroup echem
///
/// **Method.** Between consecutive samples the record is taken as linear in both Q and V, and the
/// charge \f$|Q_{i+1} - Q_i|\f$ of each interval is shared among the voltage bins
/// \f$[kh, (k+1)h)\f$ that the interval crosses, in proportion to the voltage covered in each (an
/// interval at constant voltage puts its charge in its bin). Each bin then holds the charge passed
/// while the voltage was in it, and \f$dQ/dV = \text{charge}/h\f$. When the voltage is monotonic
/// this equals differencing the linear interpolant \f$Q(V)\f$ at the bin edges, which is what
/// cellpy and BEEP compute; unlike an interpolation of \f$Q(V)\f$, it needs no monotonic voltage:
/// noise, relaxation and turning points put their charge where the voltage was, and nothing is
/// counted twice (Σ h dQ/dV is always the half-cycle's charge). Intervals in which the capacity
/// does not advance (rests) contribute nothing, so relaxation after the current stops does not
/// disturb the curve. The raw curve is then smoothed as set by
/// differential_capacity_options::smoothing_fwhm and rescaled so that its area stays the charge.
///
/// \param capacity charge passed since the start of the half-cycle, monotonic (either sign, any
///        unit, e.g. mAh); equal consecutive values are allowed.
/// \param voltage cell or electrode voltage, V, same length.
/// \param options bin width, smoothing, peak threshold.
/// \returns the curve on the bin centres, its peaks and diagnostics; see differential_capacity_result.
/// \throws valence::invalid_input for unequal lengths, fewer than 2 samples, non-finite values, a
///         capacity that does not advance or that reverses (more than one half-cycle: split the
///         record first, e.g. with split_cycles()), a non-positive `voltage_step`, a negative
///         `smoothing_fwhm`, a `min_prominence` outside [0, 1), or more than 10⁷ bins.
///
/// **Accuracy.** Exact (to rounding) for piecewise-linear Q(V): see
/// tests/echem/test_dqdv.cpp for analytic curves with known peaks.
///
/// **References.** cellpy's ICA recipe (J. Wind et al., J. Open Source Softw. 9, 6236 (2024));
/// M. Dubarry, B. Y. Liaw, J. Power Sources 194, 541 (2009) for incremental capacity analysis.
template <class = void>
[[nodiscard]] differential_capacity_result differential_capacity(const vector_ref& capacity, const vector_ref& voltage,
                                                                 const differential_capacity_options& options = {}) {
  constexpr const char* function = "valence::echem::differential_capacity";
  using core::detail::format_value;
  using core::detail::message;
  core::check_same_size(function, "voltage", voltage, "capacity", capacity);
  core::check_min_size(function, "capacity", capacity, 2);
  core::check_finite(function, "capacity", capacity);
  core::check_finite(function, "voltage", voltage);
  const double h = options.voltage_step;
  if (!(std::isfinite(h) && h > 0)) {
    throw invalid_input(
        message(function, "option 'voltage_step' is " + format_value(h) + "; expected a positive step in V"));
  }
  if (!(options.smoothing_fwhm >= 0 && std::isfinite(options.smoothing_fwhm))) {
    throw invalid_input(message(function, "option 'smoothing_fwhm' is " + format_value(options.smoothing_fwhm) +
                                              "; expected a width >= 0 in V (0 for no smoothing)"));
  }
  if (!(options.min_prominence >= 0 && options.min_prominence < 1)) {
    throw invalid_input(message(function, "option 'min_prominence' is " + format_value(options.min_prominence) +
                                              "; expected a fraction in [0, 1)"));
  }
  const index n = capacity.size();
  const double total = capacity(n - 1) - capacity(0);
  if (!(total != 0)) {
    throw invalid_input(message(function, "parameter 'capacity' does not advance (" + format_value(capacity(0)) +
                                              " at both ends); expected the charge of a half-cycle"));
  }
  const double sense = total > 0 ? 1.0 : -1.0;
  for (index i = 0; i + 1 < n; ++i) {
    if (sense * (capacity(i + 1) - capacity(i)) < 0) {
      throw invalid_input(message(
          function, "parameter 'capacity' reverses at index " + std::to_string(i + 1) + " (" +
                        format_value(capacity(i)) + " then " + format_value(capacity(i + 1)) +
                        "); expected a monotonic charge within one half-cycle (split the record into half-cycles)"));
    }
  }
  const double v_low = voltage.minCoeff();
  const double v_high = voltage.maxCoeff();
  // Edges at multiples of h; the margin keeps a voltage that is a multiple of h up to rounding
  // (3.4 / 0.001 = 3399.9999999999995) from opening a bin of its own.
  constexpr double margin = 1e-9;
  const double first_edge = std::floor(v_low / h + margin) * h;
  const double bins_needed = std::max(1.0, std::ceil((v_high - first_edge) / h - margin));
  if (!(bins_needed <= 1e7)) {
    throw invalid_input(message(function, "option 'voltage_step' " + format_value(h) + " V over " +
                                              format_value(v_high - v_low) +
                                              " V would need more than 1e7 bins; expected a coarser step"));
  }
  const auto bins = static_cast<index>(bins_needed);
  const auto bin_of = [&](double v) {
    return std::clamp<index>(static_cast<index>(std::floor((v - first_edge) / h)), 0, bins - 1);
  };
  differential_capacity_result out;
  out.direction = voltage(n - 1) >= voltage(0) ? 1 : -1;
  vector_d charge = vector_d::Zero(bins);
  for (index i = 0; i + 1 < n; ++i) {
    const double dq = std::abs(capacity(i + 1) - capacity(i));
    if (dq == 0) {
      continue;
    }
    const double dv = voltage(i + 1) - voltage(i);
    if (dv * out.direction < 0) {
      out.backtracking_charge += dq;
    }
    const double low = std::min(voltage(i), voltage(i + 1));
    const double high = std::max(voltage(i), voltage(i + 1));
    const index k_low = bin_of(low);
    const index k_high = bin_of(high);
    if (k_low == k_high) {
      charge(k_low) += dq;
      continue;
    }
    for (index k = k_low; k <= k_high; ++k) {
      // The outer bins are open outwards, so the shares of an interval always add up to one.
      const double from = k == k_low ? low : first_edge + double(k) * h;
      const double to = k == k_high ? high : first_edge + double(k + 1) * h;
      charge(k) += dq * (to - from) / (high - low);
    }
  }
  out.voltage = vector_d::LinSpaced(bins, first_edge + 0.5 * h, first_edge + (double(bins) - 0.5) * h);
  out.dq_dv_raw = charge / h;
  out.capacity = charge.sum();
  out.dq_dv = out.dq_dv_raw;
  if (options.smoothing_fwhm > 0) {
    // cellpy: sigma = max(1, int(fwhm / step) / 2) samples. The small margin keeps 0.01/0.001 at 10.
    const double sigma = std::max(1.0, std::floor(options.smoothing_fwhm / h * (1 + 1e-12)) / 2);
    out.smoothing_sigma = sigma * h;
    out.dq_dv = core::gaussian_filter(out.dq_dv_raw, sigma);
    out.dq_dv *= out.dq_dv_raw.sum() / out.dq_dv.sum();
  }
  out.peaks = detail::find_dqdv_peaks(out.voltage, out.dq_dv, h, options.min_prominence);
  return out;
}

/// \brief One peak followed across the dQ/dV curves of successive cycles.
/// \ingroup echem
struct peak_track {
  vector_d voltage;  ///< V per cycle; NaN where no peak was found
  vector_d height;   ///< capacity per V per cycle; NaN where no peak was found
  vector_d area;     ///< capacity per cycle; NaN where no peak was found
};

/// \brief Follows one dQ/dV peak (e.g. the ~3.8 V oxidation peak of a layered cathode) over cycles.
/// \ingroup echem
///
/// In each curve the peak nearest the current reference voltage within \p window is taken; the
/// reference starts at \p start_voltage and moves to each peak found, so a peak that drifts with
/// ageing (polarisation grows) is followed as long as it moves less than \p window per cycle. A
/// cycle without a peak in the window gets NaN and leaves the reference where it was.
/// \param curves the differential_capacity() results of the cycles, in order.
/// \param start_voltage where to look in the first curve, V.
/// \param window largest distance from the reference, V, \f$> 0\f$.
/// \returns voltage, height and area of the peak per cycle.
/// \throws valence::invalid_input for a non-finite \p start_voltage or a non-positive \p window.
template <class = void>
[[nodiscard]] peak_track track_peak(const std::vector<differential_capacity_result>& curves, double start_voltage,
                                    double window) {
  constexpr const char* function = "valence::echem::track_peak";
  if (!std::isfinite(start_voltage)) {
    throw invalid_input(core::detail::message(
        function,
        "parameter 'start_voltage' is " + core::detail::format_value(start_voltage) + "; expected a finite voltage"));
  }
  if (!(window > 0 && std::isfinite(window))) {
    throw invalid_input(core::detail::message(
        function, "parameter 'window' is " + core::detail::format_value(window) + "; expected a positive width in V"));
  }
  const auto cycles = static_cast<index>(curves.size());
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  peak_track out{vector_d::Constant(cycles, nan), vector_d::Constant(cycles, nan), vector_d::Constant(cycles, nan)};
  double reference = start_voltage;
  for (index c = 0; c < cycles; ++c) {
    const dqdv_peak* best = nullptr;
    for (const auto& p : curves[static_cast<std::size_t>(c)].peaks) {
      const double distance = std::abs(p.voltage - reference);
      if (distance <= window && (best == nullptr || distance < std::abs(best->voltage - reference))) {
        best = &p;
      }
    }
    if (best != nullptr) {
      out.voltage(c) = best->voltage;
      out.height(c) = best->height;
      out.area(c) = best->area;
      reference = best->voltage;
    }
  }
  return out;
}

}  // namespace valence::echem

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::echem {
extern template differential_capacity_result differential_capacity<>(const vector_ref&, const vector_ref&,
                                                                     const differential_capacity_options&);
extern template peak_track track_peak<>(const std::vector<differential_capacity_result>&, double, double);
}  // namespace valence::echem
#endif

#endif  // VALENCE_ECHEM_DQDV_HPP
