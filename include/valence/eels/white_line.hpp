// SPDX-License-Identifier: MIT
/// \file
/// \brief L3/L2 white-line ratio by the double-step (Pearson) method, with Heaviside or arctangent
/// steps, and its Poisson-propagated uncertainty.
#ifndef VALENCE_EELS_WHITE_LINE_HPP
#define VALENCE_EELS_WHITE_LINE_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>

namespace valence::eels {

/// \brief L3 and L2 edge onsets of a transition metal, eV.
/// \ingroup eels
struct l23_onsets {
  double l3 = 0;  ///< L3 onset, eV
  double l2 = 0;  ///< L2 onset, eV
};

/// \brief Tabulated L3 and L2 onsets of Mn, Fe, Co and Ni, the cathode metals whose white lines
/// the studies compare.
/// \ingroup eels
///
/// | element | L3 (eV) | L2 (eV) |
/// |---|---|---|
/// | Mn | 640 | 651 |
/// | Fe | 708 | 721 |
/// | Co | 779 | 794 |
/// | Ni | 855 | 872 |
///
/// The onsets move by a few eV with the oxidation state; use them to place windows, and the
/// measured maxima or onsets of a spectrum to place the steps.
/// \param symbol "Mn", "Fe", "Co" or "Ni".
/// \returns the two onsets.
/// \throws valence::invalid_input for any other symbol.
///
/// **Reference.** C. C. Ahn, O. L. Krivanek, *EELS Atlas* (Gatan, 1983); R. F. Egerton,
/// *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed. (2011), Appendix D.
[[nodiscard]] inline l23_onsets l23_edge_onsets(const std::string& symbol) {
  if (symbol == "Mn") {
    return {640, 651};
  }
  if (symbol == "Fe") {
    return {708, 721};
  }
  if (symbol == "Co") {
    return {779, 794};
  }
  if (symbol == "Ni") {
    return {855, 872};
  }
  throw invalid_input(core::detail::message("valence::eels::l23_edge_onsets",
                                            "parameter 'symbol' is '" + symbol + "'; expected Mn, Fe, Co or Ni"));
}

/// \brief Options of white_line_ratio().
/// \ingroup eels
struct white_line_options {
  double l3_energy = 0;  ///< eV: where the L3 step sits (the L3 onset or maximum, as the study chooses)
  double l2_energy = 0;  ///< eV: where the L2 step sits
  /// eV: a flat region after L2 whose mean signal is the continuum height \f$h\f$.
  core::window<double> continuum_window{0, 0};
  double l3_half_width = 5;  ///< eV: L3 is integrated over l3_energy ± this (Pearson-style windows)
  double l2_half_width = 4;  ///< eV: L2 is integrated over l2_energy ± this
  /// eV: 0 for Heaviside steps (Pearson et al.); otherwise arctangent steps
  /// \f$\tfrac{1}{\pi}\left(\arctan(\pi (E - E_0)/w) + \tfrac{\pi}{2}\right)\f$ of this width (van Aken).
  double step_width = 0;
};

/// \brief Result of white_line_ratio().
/// \ingroup eels
struct white_line_result {
  double l3_area = 0;             ///< \f$I(L_3)\f$: the sum of signal minus steps over the L3 window (counts)
  double l2_area = 0;             ///< \f$I(L_2)\f$, likewise
  double ratio = 0;               ///< \f$I(L_3)/I(L_2)\f$
  double l3_error = 0;            ///< standard error of l3_area
  double l2_error = 0;            ///< standard error of l2_area
  double ratio_error = 0;         ///< standard error of the ratio (covariance through \f$h\f$ included)
  double continuum = 0;           ///< \f$h\f$, counts per channel
  core::index_range l3_channels;  ///< the channels integrated for L3
  core::index_range l2_channels;  ///< the channels integrated for L2
};

/// \brief L3/L2 ratio of a background-subtracted L2,3 edge by the double-step method.
/// \ingroup eels
///
/// The continuum under the white lines is modelled as two steps of heights \f$2h/3\f$ at L3 and
/// \f$h/3\f$ at L2 (the 2:1 degeneracy of the \f$2p_{3/2}\f$ and \f$2p_{1/2}\f$ levels), with
/// \f$h\f$ the mean signal over the continuum window. Each white line's intensity is the sum over
/// its window of the signal minus the steps. Both are linear in the channels,
/// \f$I = \sum_i a_i S_i\f$ (the continuum's mean enters through \f$h\f$), so
/// \f$\mathrm{var}\,I = \sum_i a_i^2 \sigma_i^2\f$ and the ratio's error includes the covariance
/// of \f$I(L_3)\f$ and \f$I(L_2)\f$ through the shared \f$h\f$.
/// \param energy energy loss, eV, strictly increasing.
/// \param signal background-subtracted counts per channel (e.g. subtract_power_law().signal).
/// \param variance variance of each channel of \p signal: for Poisson counts, the raw counts
///        (plus the background's error squared when it matters); same length, \f$\ge 0\f$.
/// \param options step positions, windows and step shape.
/// \returns the two intensities, the ratio and their errors.
/// \throws valence::invalid_input for unequal lengths, non-finite values, negative variances, a
///         window (continuum, L3 or L2) outside the data or with fewer than 2 channels, a
///         negative step width, or an L2 intensity that is not positive.
///
/// **Accuracy.** Exact on constructed edges (tests/eels/test_white_line.cpp); the reported errors
/// match the scatter over Poisson noise.
///
/// **References.** D. H. Pearson, C. C. Ahn, B. Fultz, Phys. Rev. B 47, 8471 (1993);
/// P. A. van Aken, B. Liebscher, Phys. Chem. Miner. 29, 188 (2002).
[[nodiscard]] inline white_line_result white_line_ratio(const vector_d& energy, const vector_d& signal,
                                                        const vector_d& variance, const white_line_options& options) {
  constexpr const char* function = "valence::eels::white_line_ratio";
  using core::detail::format_value;
  using core::detail::message;
  core::check_same_size(function, "signal", signal, "energy", energy);
  core::check_same_size(function, "variance", variance, "energy", energy);
  core::check_abscissa(function, "energy", energy, 3);
  core::check_finite(function, "signal", signal);
  core::check_finite(function, "variance", variance);
  if ((variance.array() < 0).any()) {
    throw invalid_input(message(function, "parameter 'variance' holds a negative value; expected variances >= 0"));
  }
  if (!(options.step_width >= 0 && std::isfinite(options.step_width))) {
    throw invalid_input(message(function, "option 'step_width' is " + format_value(options.step_width) +
                                              "; expected 0 (Heaviside) or a positive width in eV"));
  }
  const index n = energy.size();
  const auto continuum = core::select_window(function, "continuum_window", energy, options.continuum_window, 2);
  white_line_result out;
  out.l3_channels = core::select_window(
      function, "L3 window", energy,
      core::window<double>{options.l3_energy - options.l3_half_width, options.l3_energy + options.l3_half_width}, 2);
  out.l2_channels = core::select_window(
      function, "L2 window", energy,
      core::window<double>{options.l2_energy - options.l2_half_width, options.l2_energy + options.l2_half_width}, 2);
  constexpr double pi = 3.14159265358979323846;
  const auto step = [&](double e, double at) {
    if (options.step_width > 0) {
      return (std::atan(pi * (e - at) / options.step_width) + pi / 2) / pi;
    }
    return e >= at ? 1.0 : 0.0;
  };
  // h = mean of the continuum window: coefficients 1/N there.
  vector_d h_coefficients = vector_d::Zero(n);
  h_coefficients.segment(continuum.begin, continuum.size).setConstant(1.0 / double(continuum.size));
  out.continuum = h_coefficients.dot(signal);
  const auto intensity = [&](core::index_range w) {
    vector_d a = vector_d::Zero(n);
    double steps = 0;  // sum over the window of (2/3 step_L3 + 1/3 step_L2)
    for (index i = w.begin; i < w.end(); ++i) {
      a(i) += 1;
      steps += 2.0 / 3 * step(energy(i), options.l3_energy) + 1.0 / 3 * step(energy(i), options.l2_energy);
    }
    a -= steps * h_coefficients;
    return a;
  };
  const vector_d a3 = intensity(out.l3_channels);
  const vector_d a2 = intensity(out.l2_channels);
  out.l3_area = a3.dot(signal);
  out.l2_area = a2.dot(signal);
  if (!(out.l2_area > 0)) {
    throw invalid_input(message(function, "the L2 intensity is " + format_value(out.l2_area) +
                                              "; expected a positive white line over the L2 window"));
  }
  out.ratio = out.l3_area / out.l2_area;
  const double var3 = a3.cwiseAbs2().dot(variance);
  const double var2 = a2.cwiseAbs2().dot(variance);
  const double cov = a3.cwiseProduct(a2).dot(variance);
  out.l3_error = std::sqrt(var3);
  out.l2_error = std::sqrt(var2);
  // R = I3/I2: dR = dI3/I2 - R dI2/I2.
  const double var_ratio = (var3 - 2 * out.ratio * cov + out.ratio * out.ratio * var2) / (out.l2_area * out.l2_area);
  out.ratio_error = std::sqrt(std::max(var_ratio, 0.0));
  return out;
}

}  // namespace valence::eels

#endif  // VALENCE_EELS_WHITE_LINE_HPP
