// SPDX-License-Identifier: MIT
/// \file
/// \brief White-line peak and pre-edge centroid of a XANES spectrum, for valence work.
#ifndef VALENCE_XAS_EDGE_METRICS_HPP
#define VALENCE_XAS_EDGE_METRICS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/pre_edge.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>

namespace valence::xas {

/// \brief Options of white_line().
/// \ingroup xas
struct white_line_options {
  double window = 30;                   ///< energies E0 … E0 + window are searched, eV (> 0)
  pre_edge_options normalization = {};  ///< how μ is normalised first (Larch defaults)
};

/// \brief The white-line maximum of a normalised spectrum.
/// \ingroup xas
struct white_line_peak {
  double energy = 0;     ///< energy of the maximum, eV (parabola vertex when interior)
  double height = 0;     ///< normalised μ there (the vertex value when interior)
  bool interior = true;  ///< false when the maximum is the first or last point of the window: no peak inside it
};

/// \brief White-line energy and height: the maximum of the normalised spectrum above E0.
/// \ingroup xas
///
/// Normalises with pre_edge(), takes the grid maximum \f$i\f$ of norm on \f$[E_0, E_0 + w]\f$ and, when
/// \f$i\f$ is inside that window, refines it by the vertex of the parabola through points
/// \f$i-1, i, i+1\f$ (energy and height). A maximum on the window's edge is reported as the grid point
/// with `interior = false`: the spectrum is still rising (or falling) there, so there is no peak to
/// refine, and a caller mapping white lines should treat it as such. The sub-grid refinement is exact
/// for a parabolic top; on a Gaussian of FWHM Γ sampled every h its error is \f$O(h^4/\Gamma^3)\f$.
///
/// \param energy energies, eV, strictly increasing, at least 16 points.
/// \param mu absorption, same size.
/// \param options the window and the normalisation.
/// \returns the white-line energy (eV) and height (edge-step units).
/// \throws valence::invalid_input as pre_edge(), for a window that is not positive and finite, or
///         when the window holds fewer than three grid points.
///
/// **Reference.** The white-line position as a valence marker in layered-oxide cathodes: e.g.
/// the TXM-XANES mapping of F. Lin et al., Nat. Commun. 5, 3529 (2014).
template <typename DerivedE, typename DerivedM>
[[nodiscard]] white_line_peak white_line(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                                         const white_line_options& options = {}) {
  constexpr const char* function = "valence::xas::white_line";
  using core::detail::format_value;
  using core::detail::message;
  if (!(options.window > 0 && std::isfinite(options.window))) {
    throw invalid_input(
        message(function, "option 'window' is " + format_value(options.window) + " eV; expected a value > 0"));
  }
  const auto normalised = pre_edge(energy, mu, options.normalization);
  const vector_x<double> e = energy.derived().template cast<double>();
  const auto range = core::select_window(function, "white-line window", e,
                                         core::window<double>{normalised.e0, normalised.e0 + options.window}, 3);
  index peak = range.begin;
  for (index i = range.begin; i < range.end(); ++i) {
    if (normalised.norm(i) > normalised.norm(peak)) {
      peak = i;
    }
  }
  white_line_peak out;
  if (peak == range.begin || peak == range.end() - 1) {
    out.energy = e(peak);
    out.height = normalised.norm(peak);
    out.interior = false;
    return out;
  }
  const auto top = detail::parabola_vertex(e, normalised.norm, peak);
  out.energy = top.x;
  out.height = top.y;
  return out;
}

/// \brief Options of pre_edge_centroid(). Energies are relative to E0, eV, in increasing order
/// `baseline_low < peak_low < peak_high < baseline_high`.
/// \ingroup xas
///
/// The defaults are Larch's `pre_edge_baseline` code defaults (E0−30, E0−15, E0−5, E0−1 eV).
struct pre_edge_centroid_options {
  double baseline_low = -30;            ///< start of the lower baseline region
  double peak_low = -15;                ///< start of the peak region (end of the lower baseline region)
  double peak_high = -5;                ///< end of the peak region (start of the upper baseline region)
  double baseline_high = -1;            ///< end of the upper baseline region
  int baseline_degree = 2;              ///< degree of the baseline polynomial, 0–3 (2 follows the edge onset)
  pre_edge_options normalization = {};  ///< how μ is normalised first (Larch defaults)
};

/// \brief Centroid, area and height of the pre-edge peaks, with standard errors.
/// \ingroup xas
struct pre_edge_centroid_result {
  double centroid = 0;                 ///< \f$\bar E = \sum_i w_i E_i p_i / \sum_i w_i p_i\f$, eV
  double centroid_standard_error = 0;  ///< propagated from the noise and the baseline fit, eV
  double area = 0;                     ///< \f$\sum_i w_i p_i\f$, edge-step units × eV
  double area_standard_error = 0;      ///< propagated likewise
  double height = 0;                   ///< largest \f$p_i\f$ in the peak region, edge-step units
  double noise = 0;                    ///< RMS residual of the baseline fit, \f$\hat\sigma\f$, edge-step units
  vector_x<double> energy;             ///< energies of the peak region, eV
  vector_x<double> peak;               ///< \f$p_i\f$: norm minus baseline there
  vector_x<double> baseline;           ///< the baseline there
};

/// \brief Pre-edge peak centroid of a K-edge spectrum (the valence and coordination marker of
/// 3d transition metals), by baseline subtraction and integration.
/// \ingroup xas
///
/// Normalises with pre_edge(), fits a polynomial of the chosen degree (in \f$E - E_0\f$) by
/// fit::least_squares to norm over the two baseline regions \f$[E_0+b_l, E_0+p_l) \cup (E_0+p_h, E_0+b_h]\f$,
/// subtracts it over the peak region \f$[E_0+p_l, E_0+p_h]\f$ to give \f$p_i\f$, and integrates with trapezoid
/// weights \f$w_i\f$: area \f$A = \sum w_i p_i\f$ and centroid \f$\bar E = \sum w_i E_i p_i / A\f$. Model-free: no
/// peak shape is assumed (Larch's `prepeaks` fits Gaussians or Voigts on top of the same baseline idea).
///
/// **Uncertainty.** With \f$\hat\sigma^2\f$ the reduced χ² of the baseline fit (independent noise of equal
/// size on every point) and \f$C_\beta\f$ its covariance, the gradient \f$g_i = w_i(E_i - \bar E)/A\f$ gives
/// \f$\sigma^2_{\bar E} = \hat\sigma^2\sum g_i^2 + g^T B C_\beta B^T g\f$ (B the baseline basis on the peak
/// region); the area likewise with \f$g_i = w_i\f$. Correlated noise (smoothed or interpolated data) makes
/// these too small.
///
/// \param energy energies, eV, strictly increasing, at least 16 points.
/// \param mu absorption, same size.
/// \param options the regions, the baseline degree and the normalisation.
/// \returns centroid, area and height with their standard errors and the curves used.
/// \throws valence::invalid_input as pre_edge(); for regions out of order or not finite, a degree
///         outside 0–3, a peak region with fewer than 3 points, baseline regions with fewer than
///         degree + 2 points together; or when the baseline-subtracted area is not positive (no
///         pre-edge peak above the baseline).
///
/// **Reference.** M. Wilke, F. Farges, P.-E. Petit, G. E. Brown, F. Martin, Am. Mineral. 86, 714 (2001)
/// (centroid against valence and coordination, Fe K pre-edge).
template <typename DerivedE, typename DerivedM>
[[nodiscard]] pre_edge_centroid_result pre_edge_centroid(const Eigen::DenseBase<DerivedE>& energy,
                                                         const Eigen::DenseBase<DerivedM>& mu,
                                                         const pre_edge_centroid_options& options = {}) {
  constexpr const char* function = "valence::xas::pre_edge_centroid";
  using core::detail::format_value;
  using core::detail::message;
  const auto& o = options;
  const bool ordered = std::isfinite(o.baseline_low) && std::isfinite(o.baseline_high) && o.baseline_low < o.peak_low &&
                       o.peak_low < o.peak_high && o.peak_high < o.baseline_high;
  if (!ordered) {
    throw invalid_input(message(function, "options baseline_low, peak_low, peak_high, baseline_high are " +
                                              format_value(o.baseline_low) + ", " + format_value(o.peak_low) + ", " +
                                              format_value(o.peak_high) + ", " + format_value(o.baseline_high) +
                                              " eV; expected finite and strictly increasing"));
  }
  if (o.baseline_degree < 0 || o.baseline_degree > 3) {
    throw invalid_input(
        message(function, "option 'baseline_degree' is " + std::to_string(o.baseline_degree) + "; expected 0 to 3"));
  }
  const auto normalised = pre_edge(energy, mu, o.normalization);
  const double e0 = normalised.e0;
  const vector_x<double> e = energy.derived().template cast<double>();
  const auto peak =
      core::select_window(function, "peak region", e, core::window<double>{e0 + o.peak_low, e0 + o.peak_high}, 3);
  const index lower_first = core::select_window(function, "baseline region", e,
                                                core::window<double>{e0 + o.baseline_low, e0 + o.baseline_high}, 1)
                                .begin;
  const index upper_last = core::index_of(e, e0 + o.baseline_high);  // last point <= baseline_high
  const index below = peak.begin - lower_first;
  const index above = std::max<index>(0, upper_last - peak.end() + 1);
  const int terms = o.baseline_degree + 1;
  if (below + above < terms + 1) {
    throw invalid_input(message(function, "the baseline regions hold " + std::to_string(below + above) +
                                              " points; expected at least " + std::to_string(terms + 1) +
                                              " for a degree-" + std::to_string(o.baseline_degree) + " baseline"));
  }
  const auto basis_row = [&](double energy_value, index row, matrix_x<double>& basis) {
    double power = 1;
    for (int k = 0; k < terms; ++k) {
      basis(row, k) = power;
      power *= energy_value - e0;
    }
  };
  matrix_x<double> design(below + above, terms);
  vector_x<double> y(below + above);
  index row = 0;
  for (index i = lower_first; i <= upper_last; ++i) {
    if (i < peak.begin || i >= peak.end()) {
      basis_row(e(i), row, design);
      y(row++) = normalised.norm(i);
    }
  }
  const auto baseline_fit = fit::least_squares(design, y);
  pre_edge_centroid_result out;
  out.energy = e.segment(peak.begin, peak.size);
  matrix_x<double> peak_basis(peak.size, terms);
  for (index i = 0; i < peak.size; ++i) {
    basis_row(out.energy(i), i, peak_basis);
  }
  out.baseline = peak_basis * baseline_fit.coefficients;
  out.peak = normalised.norm.segment(peak.begin, peak.size) - out.baseline;
  // Trapezoid weights on the (possibly uneven) grid of the peak region.
  vector_x<double> w = vector_x<double>::Zero(peak.size);
  for (index i = 0; i + 1 < peak.size; ++i) {
    const double h = out.energy(i + 1) - out.energy(i);
    w(i) += h / 2;
    w(i + 1) += h / 2;
  }
  out.area = w.dot(out.peak);
  if (!(out.area > 0)) {
    throw invalid_input(message(function, "the area above the baseline in [" + format_value(e0 + o.peak_low) + ", " +
                                              format_value(e0 + o.peak_high) + "] eV is " + format_value(out.area) +
                                              "; expected a pre-edge peak above the baseline"));
  }
  out.centroid = w.cwiseProduct(out.energy).dot(out.peak) / out.area;
  out.height = out.peak.maxCoeff();
  const double variance = baseline_fit.reduced_chi_square;  // dof >= 1 by the count check above
  out.noise = std::sqrt(variance);
  const auto propagated = [&](const vector_x<double>& g) {
    const vector_x<double> bg = peak_basis.transpose() * g;
    return std::sqrt(variance * g.squaredNorm() + bg.dot(baseline_fit.covariance * bg));
  };
  const vector_x<double> centroid_gradient = w.cwiseProduct((out.energy.array() - out.centroid).matrix()) / out.area;
  out.centroid_standard_error = propagated(centroid_gradient);
  out.area_standard_error = propagated(w);
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_EDGE_METRICS_HPP
