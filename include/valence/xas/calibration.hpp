// SPDX-License-Identifier: MIT
/// \file
/// \brief Energy calibration against a reference foil and alignment of one spectrum to another.
#ifndef VALENCE_XAS_CALIBRATION_HPP
#define VALENCE_XAS_CALIBRATION_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/find_e0.hpp>

#include <Eigen/Core>

#include <boost/math/tools/minima.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace valence::xas {

/// \brief Tabulated K-edge energy of a 3d transition metal (Ti to Zn), eV.
/// \ingroup xas
///
/// The first inflection point of the metal foil's K edge, the convention of beamline calibration
/// and of Athena's and Larch's edge tables: Ti 4966, V 5465, Cr 5989, Mn 6539, Fe 7112, Co 7709,
/// Ni 8333, Cu 8979, Zn 9659 eV.
/// \param symbol element symbol, e.g. "Ni".
/// \returns the edge energy, eV.
/// \throws valence::invalid_input for any other symbol.
///
/// **Reference.** J. A. Bearden, A. F. Burr, Rev. Mod. Phys. 39, 125 (1967), as tabulated in the
/// X-ray Data Booklet (LBNL, 2009), Table 1-1.
[[nodiscard]] inline double k_edge_energy(std::string_view symbol) {
  struct entry {
    std::string_view symbol;
    double energy;
  };
  static constexpr std::array<entry, 9> table{{{"Ti", 4966},
                                               {"V", 5465},
                                               {"Cr", 5989},
                                               {"Mn", 6539},
                                               {"Fe", 7112},
                                               {"Co", 7709},
                                               {"Ni", 8333},
                                               {"Cu", 8979},
                                               {"Zn", 9659}}};
  for (const auto& e : table) {
    if (e.symbol == symbol) {
      return e.energy;
    }
  }
  throw invalid_input(core::detail::message(
      "valence::xas::k_edge_energy",
      "parameter 'symbol' is '" + std::string(symbol) + "'; expected one of Ti, V, Cr, Mn, Fe, Co, Ni, Cu, Zn"));
}

/// \brief Energy of the first inflection point of an absorption edge, eV.
/// \ingroup xas
///
/// With \f$d_i = d\mu/dE\f$ (numpy-gradient quotient) and \f$d_{\max}\f$ its largest value, the first
/// local maximum \f$d_i \ge d_{i\pm1}\f$ (scanning up in energy) with \f$d_i \ge t\,d_{\max}\f$, refined by
/// the vertex of the parabola through \f$i-1, i, i+1\f$. A foil's tabulated edge energy is its first
/// inflection, which is not always the largest derivative: the Mn foil's first derivative peak
/// (6539 eV) is 0.46–0.61 of the main one 5 eV higher in the twelve Mn reference scans of the test
/// data, hence the default \f$t = 0.3\f$. Noisy data should be smoothed first
/// (core::smooth), as a noise peak above \f$t\,d_{\max}\f$ would count.
///
/// \param energy energies, eV, strictly increasing, at least 5 points.
/// \param mu absorption (raw μ is fine: a constant factor or offset does not move it), same size.
/// \param threshold \f$t\f$ in (0, 1].
/// \returns the inflection energy, eV.
/// \throws valence::invalid_input on a size mismatch, non-finite values, energies that are not
///         strictly increasing, a threshold outside (0, 1], or a spectrum whose derivative is nowhere positive.
template <typename DerivedE, typename DerivedM>
[[nodiscard]] double first_inflection(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                                      double threshold = 0.3) {
  constexpr const char* function = "valence::xas::first_inflection";
  using core::detail::format_value;
  using core::detail::message;
  core::check_abscissa(function, "energy", energy, 5);
  core::check_same_size(function, "mu", mu, "energy", energy);
  core::check_finite(function, "mu", mu);
  if (!(threshold > 0 && threshold <= 1)) {
    throw invalid_input(
        message(function, "parameter 'threshold' is " + format_value(threshold) + "; expected a value in (0, 1]"));
  }
  const vector_x<double> e = energy.derived().template cast<double>();
  const vector_x<double> y = mu.derived().template cast<double>();
  const vector_x<double> d = core::gradient(y).cwiseQuotient(core::gradient(e));
  const double largest = d.maxCoeff();
  if (!(largest > 0)) {
    throw invalid_input(message(function, "parameter 'mu' never increases with energy (largest dmu/dE is " +
                                              format_value(largest) + "); expected an absorption edge"));
  }
  index peak = 1;
  while (!(d(peak) >= threshold * largest && d(peak) >= d(peak - 1) && d(peak) >= d(peak + 1))) {
    ++peak;  // terminates: the global maximum qualifies unless it is an end point
    if (peak == e.size() - 1) {
      return d(0) >= d(e.size() - 1) ? e(0) : e(e.size() - 1);
    }
  }
  return detail::parabola_vertex(e, d, peak).x;
}

/// \brief Result of calibrate_energy(): add `shift` to the energy axis (of the sample and of its
/// reference channel) to put the reference's first inflection at the tabulated value.
/// \ingroup xas
struct energy_calibration {
  double measured = 0;   ///< first inflection of the reference as measured, eV
  double tabulated = 0;  ///< the value it should have, eV
  double shift = 0;      ///< tabulated − measured, eV
};

/// \brief Energy calibration from a reference-foil channel measured with the sample.
/// \ingroup xas
///
/// The measured edge is first_inflection() of the reference channel; the shift is
/// \f$E_{\mathrm{tab}} - E_{\mathrm{meas}}\f$ (Athena's "calibrate"). Use k_edge_energy() for the
/// tabulated value of a 3d-metal foil.
/// \param energy energies, eV, strictly increasing.
/// \param reference_mu the reference channel, e.g. \f$\ln(I_t/I_{\mathrm{ref}})\f$, same size.
/// \param tabulated_energy the edge energy of the reference, eV (finite).
/// \param threshold as first_inflection().
/// \returns the measured and tabulated energies and the shift.
/// \throws valence::invalid_input as first_inflection(), or for a non-finite tabulated energy.
template <typename DerivedE, typename DerivedM>
[[nodiscard]] energy_calibration calibrate_energy(const Eigen::DenseBase<DerivedE>& energy,
                                                  const Eigen::DenseBase<DerivedM>& reference_mu,
                                                  double tabulated_energy, double threshold = 0.3) {
  if (!std::isfinite(tabulated_energy)) {
    throw invalid_input(
        core::detail::message("valence::xas::calibrate_energy", "parameter 'tabulated_energy' is " +
                                                                    core::detail::format_value(tabulated_energy) +
                                                                    "; expected a finite energy in eV"));
  }
  energy_calibration out;
  out.measured = first_inflection(energy, reference_mu, threshold);
  out.tabulated = tabulated_energy;
  out.shift = tabulated_energy - out.measured;
  return out;
}

/// \brief Options of align().
/// \ingroup xas
struct align_options {
  double window_low = -20;             ///< fit window start, relative to the reference's E0, eV (Athena: −20)
  double window_high = 50;             ///< fit window end, relative to the reference's E0, eV (Athena: +50)
  double max_shift = 20;               ///< shifts in [−max_shift, max_shift] are searched, eV (> 0)
  std::optional<double> reference_e0;  ///< E0 of the reference; default find_e0() of the reference
};

/// \brief Result of align(): add `shift` to the spectrum's energies to align it with the reference.
/// \ingroup xas
struct alignment {
  double shift = 0;                 ///< \f$\delta\f$, eV
  double shift_standard_error = 0;  ///< \f$\sigma_\delta\f$ from the curvature of \f$\chi^2(\delta)\f$, eV
  double scale = 0;                 ///< \f$a\f$: reference derivative ≈ a × spectrum derivative + b
  double offset = 0;                ///< \f$b\f$, units of dμ/dE of the reference
  double chi_square = 0;            ///< \f$\chi^2\f$ at the optimum (unweighted)
  index points = 0;                 ///< reference points in the window
  bool at_bound = false;            ///< the optimum is within one search step of ±max_shift: widen the search
};

/// \brief Aligns a spectrum to a reference by least squares on their energy derivatives.
/// \ingroup xas
///
/// Minimises over the shift \f$\delta\f$, scale \f$a\f$ and offset \f$b\f$
/// \f[ \chi^2 = \sum_{i \in W} \bigl(r'(E_i) - a\,s'(E_i - \delta) - b\bigr)^2 \f]
/// over the reference's grid points \f$E_i\f$ in the window \f$W\f$ around its E0, with \f$r'\f$ and \f$s'\f$ the
/// derivatives of not-a-knot cubic splines through the reference and the spectrum (so raw μ of
/// different thickness or normalisation align, and a spectrum aligned to itself gives 0 exactly).
/// For each \f$\delta\f$, \f$a\f$ and \f$b\f$ are solved exactly by fit::least_squares; \f$\chi^2(\delta)\f$ is scanned
/// on a grid of half the spectrum's finest spacing in the window and the best step is refined by
/// Brent's method (to about \f$\sqrt{\varepsilon}\f$ relative). The standard error is the profile-likelihood one,
/// \f$\sigma_\delta^2 = 2\hat\sigma^2 / (d^2\chi^2/d\delta^2)\f$ with \f$\hat\sigma^2 = \chi^2/(n-3)\f$ (central
/// differences). It assumes independent residuals, but the derivative of noisy data is
/// correlated from point to point, so the error is conservative: for white noise on μ it is 1.7
/// times the scatter of the shift over noise realisations (tests/xas/test_calibration.cpp). It is NaN when \f$\chi^2\f$
/// does not curve upwards at the optimum.
///
/// \param energy energies of the spectrum, eV, strictly increasing, at least 5.
/// \param mu the spectrum, same size.
/// \param reference_energy energies of the reference, eV, strictly increasing, at least 16.
/// \param reference_mu the reference, same size.
/// \param options window, search range and reference E0.
/// \returns the shift with its standard error, the scale and offset, χ² and the point count.
/// \throws valence::invalid_input on size mismatches, non-finite values, unsorted energies, a
///         non-positive max_shift, a window with fewer than 5 reference points, or a spectrum that
///         does not cover the window shifted by ±max_shift.
///
/// **Reference.** B. Ravel, M. Newville, J. Synchrotron Rad. 12, 537 (2005) (Athena's alignment);
/// R. P. Brent, *Algorithms for Minimization without Derivatives* (1973), ch. 5.
template <typename DerivedE, typename DerivedM, typename DerivedRE, typename DerivedRM>
[[nodiscard]] alignment align(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                              const Eigen::DenseBase<DerivedRE>& reference_energy,
                              const Eigen::DenseBase<DerivedRM>& reference_mu, const align_options& options = {}) {
  constexpr const char* function = "valence::xas::align";
  using core::detail::format_value;
  using core::detail::message;
  core::check_abscissa(function, "energy", energy, 5);
  core::check_same_size(function, "mu", mu, "energy", energy);
  core::check_finite(function, "mu", mu);
  core::check_abscissa(function, "reference_energy", reference_energy, 16);
  core::check_same_size(function, "reference_mu", reference_mu, "reference_energy", reference_energy);
  core::check_finite(function, "reference_mu", reference_mu);
  if (!(options.max_shift > 0 && std::isfinite(options.max_shift))) {
    throw invalid_input(
        message(function, "option 'max_shift' is " + format_value(options.max_shift) + " eV; expected a value > 0"));
  }
  const vector_x<double> e = energy.derived().template cast<double>();
  const vector_x<double> re = reference_energy.derived().template cast<double>();
  const vector_x<double> rmu = reference_mu.derived().template cast<double>();
  const double e0 = options.reference_e0 ? *options.reference_e0 : find_e0(re, rmu).e0;
  const auto w = core::select_window(function, "alignment window", re,
                                     core::window<double>{e0 + options.window_low, e0 + options.window_high}, 5);
  const double needed_low = re(w.begin) - options.max_shift;
  const double needed_high = re(w.end() - 1) + options.max_shift;
  if (needed_low < e(0) || needed_high > e(e.size() - 1)) {
    throw invalid_input(message(function, "parameter 'energy' spans [" + format_value(e(0)) + ", " +
                                              format_value(e(e.size() - 1)) + "] eV; expected it to cover [" +
                                              format_value(needed_low) + ", " + format_value(needed_high) +
                                              "] eV, the window shifted by +-max_shift"));
  }
  const core::cubic_spline<double> spectrum(e, mu.derived().template cast<double>());
  const core::cubic_spline<double> reference(re, rmu);
  const vector_x<double> window_energy = re.segment(w.begin, w.size);
  vector_x<double> target(w.size);
  for (index i = 0; i < w.size; ++i) {
    target(i) = reference.derivative(window_energy(i));
  }
  matrix_x<double> design(w.size, 2);
  design.col(1).setOnes();
  const auto fit_at = [&](double shift) {
    for (index i = 0; i < w.size; ++i) {
      design(i, 0) = spectrum.derivative(window_energy(i) - shift);
    }
    return fit::least_squares(design, target);
  };
  const auto chi_square = [&](double shift) { return fit_at(shift).chi_square; };

  // Scan, then Brent's method in the bracket around the best scanned shift.
  double spacing = options.max_shift;
  const index first = core::index_of(e, re(w.begin));
  for (index i = first; i + 1 < e.size() && e(i) < re(w.end() - 1) + options.max_shift; ++i) {
    spacing = std::min(spacing, e(i + 1) - e(i));
  }
  const double step = spacing / 2;
  const auto steps = static_cast<index>(std::ceil(options.max_shift / step));
  double best_shift = 0;
  double best = chi_square(0);
  for (index k = -steps; k <= steps; ++k) {
    const double shift = std::clamp(double(k) * step, -options.max_shift, options.max_shift);
    const double value = chi_square(shift);
    if (value < best) {
      best = value;
      best_shift = shift;
    }
  }
  const double low = std::max(-options.max_shift, best_shift - step);
  const double high = std::min(options.max_shift, best_shift + step);
  std::uintmax_t iterations = 200;
  const int bits = std::numeric_limits<double>::digits / 2;  // Brent's limit for a smooth minimum
  const auto refined = boost::math::tools::brent_find_minima(chi_square, low, high, bits, iterations);
  alignment out;
  out.shift = refined.second < best ? refined.first : best_shift;
  const auto fit = fit_at(out.shift);
  out.scale = fit.coefficients(0);
  out.offset = fit.coefficients(1);
  out.chi_square = fit.chi_square;
  out.points = w.size;
  out.at_bound = std::abs(out.shift) > options.max_shift - step;
  const double h = step / 4;
  const double curvature = (chi_square(out.shift + h) - 2 * out.chi_square + chi_square(out.shift - h)) / (h * h);
  const double variance = w.size > 3 ? out.chi_square / double(w.size - 3) : 0.0;
  out.shift_standard_error =
      curvature > 0 ? std::sqrt(2 * variance / curvature) : std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_CALIBRATION_HPP
