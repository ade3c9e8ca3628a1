// SPDX-License-Identifier: MIT
/// \file
/// \brief L3/L2 white-line ratio by the double-step (Pearson) method, with Heaviside or arctangent
/// steps, or by the second-derivative method, with its Poisson-propagated uncertainty.
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
#include <limits>
#include <string>
#include <utility>

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

namespace detail {

template <class = void>
void check_white_line_input(const char* function, const vector_ref& energy, const vector_ref& signal,
                            const vector_ref& variance) {
  core::check_same_size(function, "signal", signal, "energy", energy);
  core::check_same_size(function, "variance", variance, "energy", energy);
  core::check_abscissa(function, "energy", energy, 3);
  core::check_finite(function, "signal", signal);
  core::check_finite(function, "variance", variance);
  if ((variance.array() < 0).any()) {
    throw invalid_input(
        core::detail::message(function, "parameter 'variance' holds a negative value; expected variances >= 0"));
  }
}

// Both methods make I(L3) and I(L2) linear in the channels, I = sum a_i S_i: the intensities, the
// ratio and their errors, var I = sum a_i^2 var_i, with the covariance of the two in the ratio's.
template <class = void>
void finish_ratio(const char* function, const vector_ref& a3, const vector_ref& a2, const vector_ref& signal,
                  const vector_ref& variance, white_line_result& out) {
  out.l3_area = a3.dot(signal);
  out.l2_area = a2.dot(signal);
  if (!(out.l2_area > 0)) {
    throw invalid_input(core::detail::message(function, "the L2 intensity is " +
                                                            core::detail::format_value(out.l2_area) +
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
}

}  // namespace detail

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
template <class = void>
[[nodiscard]] white_line_result white_line_ratio(const vector_ref& energy, const vector_ref& signal,
                                                 const vector_ref& variance, const white_line_options& options) {
  constexpr const char* function = "valence::eels::white_line_ratio";
  using core::detail::format_value;
  using core::detail::message;
  detail::check_white_line_input(function, energy, signal, variance);
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
  detail::finish_ratio(function, a3, a2, signal, variance, out);
  return out;
}

/// \brief Options of the second-derivative form of white_line_ratio().
/// \ingroup eels
struct second_derivative_options {
  double l3_energy = 0;          ///< eV: near the L3 maximum; its lobe is sought within ± search_half_width
  double l2_energy = 0;          ///< eV: near the L2 maximum
  double search_half_width = 3;  ///< eV
  double smoothing = 1;          ///< eV: σ of the Gaussian applied before differentiating
};

/// \brief L3/L2 ratio by the second-derivative method.
/// \ingroup eels
///
/// The spectrum is smoothed by a Gaussian of standard deviation σ and differentiated twice, in one
/// convolution with \f$k = D_2 g_\sigma\f$ (the central second difference of the normalised
/// discrete Gaussian, cut at 4σ). Each white line gives a negative lobe of \f$S''\f$: the channels
/// around the most negative value within the search window, out to where \f$S''\f$ changes sign.
/// Its intensity is \f$I = -\Delta E \sum_{\text{lobe}} S''_j\f$, the drop of the slope \f$S'\f$
/// across the line. A smooth continuum (steps wider than σ, the tail of a power law) contributes
/// little, which is the method's appeal; sharp features do. For a Gaussian line of area \f$A\f$
/// and width \f$s\f$, \f$I = 2A e^{-1/2}/(\sqrt{2\pi}\,w^2)\f$ with \f$w^2 = s^2 + \sigma^2\f$, so
/// the ratio equals the area ratio when both lines have the same width. With the lobes fixed, each
/// intensity is linear in the channels, \f$I = \sum_i a_i S_i\f$, and the errors are propagated as
/// in the double-step form (with the covariance of \f$I(L_3)\f$ and \f$I(L_2)\f$).
/// \param energy energy loss, eV, strictly increasing and uniform (channels equal to 1e-6).
/// \param signal counts per channel (background subtraction optional: see above).
/// \param variance variance of each channel (the raw counts for Poisson data), \f$\ge 0\f$.
/// \param options line positions, search window and smoothing.
/// \returns the two intensities (counts/eV), the ratio and their errors; `continuum` is 0 and the
///          channel ranges are the lobes.
/// \throws valence::invalid_input for unequal lengths, non-finite values, negative variances, a
///         non-uniform axis, a non-positive smoothing or search width, a search window or lobe
///         closer than 4σ to an end of the data, or a line without a negative lobe.
///
/// **Accuracy.** Two Gaussian lines of equal width give their area ratio to 1e-9, and to 1e-3 on a
/// power law eleven times their height; each intensity is within 1.4e-3 of the analytic value;
/// the errors match the scatter over Poisson noise (tests/eels/test_white_line.cpp).
///
/// **References.** G. A. Botton, C. C. Ahn, C. J. Humphreys, Ultramicroscopy 59, 93 (1995);
/// M. Riedl, T. Gemming, K. Wetzig, Ultramicroscopy 106, 284 (2006), for a comparison of methods.
template <class = void>
[[nodiscard]] white_line_result white_line_ratio(const vector_ref& energy, const vector_ref& signal,
                                                 const vector_ref& variance, const second_derivative_options& options) {
  constexpr const char* function = "valence::eels::white_line_ratio";
  using core::detail::format_value;
  using core::detail::message;
  detail::check_white_line_input(function, energy, signal, variance);
  const index n = energy.size();
  const double step = (energy(n - 1) - energy(0)) / double(n - 1);
  for (index i = 1; i < n; ++i) {
    if (std::abs(energy(i) - energy(i - 1) - step) > 1e-6 * step) {
      throw invalid_input(message(function, "parameter 'energy' is not uniform at index " + std::to_string(i) +
                                                "; expected equal channels (the kernel is in channels)"));
    }
  }
  for (const auto& [name, value] : {std::pair<const char*, double>{"smoothing", options.smoothing},
                                    std::pair<const char*, double>{"search_half_width", options.search_half_width}}) {
    if (!(value > 0 && std::isfinite(value))) {
      throw invalid_input(message(function, std::string("option '") + name + "' is " + format_value(value) +
                                                "; expected a positive width in eV"));
    }
  }
  // k = D2 g: the normalised Gaussian (radius 4 sigma, in channels), then the second difference.
  const double sigma = options.smoothing / step;
  const auto radius = static_cast<index>(std::floor(4 * sigma + 0.5)) + 1;
  vector_d g(2 * radius + 1);
  for (index m = -radius; m <= radius; ++m) {
    g(m + radius) = std::exp(-0.5 * double(m * m) / (sigma * sigma));
  }
  g(0) = g(2 * radius) = 0;  // the outermost taps only carry the second difference
  g /= g.sum();
  vector_d kernel = vector_d::Zero(2 * radius + 1);
  for (index m = 1; m < 2 * radius; ++m) {
    kernel(m) = (g(m - 1) - 2 * g(m) + g(m + 1)) / (step * step);
  }
  kernel(0) = g(1) / (step * step);
  kernel(2 * radius) = g(2 * radius - 1) / (step * step);
  // S'' wherever the whole kernel fits in the data; NaN elsewhere.
  vector_d second = vector_d::Constant(n, std::numeric_limits<double>::quiet_NaN());
  for (index j = radius; j + radius < n; ++j) {
    second(j) = kernel.dot(signal.segment(j - radius, 2 * radius + 1));
  }
  white_line_result out;
  const auto lobe = [&](double at, const char* line) {
    const std::string name = std::string(line) + " search window";
    const auto search =
        core::select_window(function, name.c_str(), energy,
                            core::window<double>{at - options.search_half_width, at + options.search_half_width}, 1);
    if (search.begin < radius || search.end() + radius > n) {
      throw invalid_input(message(function, std::string("the ") + line + " search window [" +
                                                format_value(at - options.search_half_width) + ", " +
                                                format_value(at + options.search_half_width) +
                                                "] eV comes within 4 sigma of an end of the data; expected room "
                                                "for the smoothing kernel"));
    }
    index low = search.begin;
    for (index j = search.begin; j < search.end(); ++j) {
      low = second(j) < second(low) ? j : low;
    }
    if (!(second(low) < 0)) {
      throw invalid_input(message(function, std::string("the second derivative has no negative lobe near ") + line +
                                                " = " + format_value(at) + " eV; expected a white line there"));
    }
    index first = low;
    index last = low;
    while (first - 1 >= radius && second(first - 1) < 0) {
      --first;
    }
    while (last + 1 + radius < n && second(last + 1) < 0) {
      ++last;
    }
    return core::index_range{first, last - first + 1};
  };
  out.l3_channels = lobe(options.l3_energy, "L3");
  out.l2_channels = lobe(options.l2_energy, "L2");
  // I = -dE sum_{j in lobe} sum_m k_m S_{j - radius + m}: coefficients a_i by scattering the kernel.
  const auto coefficients = [&](core::index_range w) {
    vector_d a = vector_d::Zero(n);
    for (index j = w.begin; j < w.end(); ++j) {
      a.segment(j - radius, 2 * radius + 1) -= step * kernel;
    }
    return a;
  };
  const vector_d a3 = coefficients(out.l3_channels);
  const vector_d a2 = coefficients(out.l2_channels);
  detail::finish_ratio(function, a3, a2, signal, variance, out);
  return out;
}

}  // namespace valence::eels

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::eels {
extern template white_line_result white_line_ratio<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                                     const white_line_options&);
extern template white_line_result white_line_ratio<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                                     const second_derivative_options&);
}  // namespace valence::eels
#endif

#endif  // VALENCE_EELS_WHITE_LINE_HPP
