// SPDX-License-Identifier: MIT
/// \file
/// \brief Pre-edge subtraction, edge-step normalisation and flattening of an XAS spectrum, with
/// Larch's defaults and an Athena preset.
#ifndef VALENCE_XAS_PRE_EDGE_HPP
#define VALENCE_XAS_PRE_EDGE_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/xas/find_e0.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace valence::xas {

/// \brief Options of pre_edge(). Every range is relative to E0, in eV; an unset value takes Larch's
/// default rule, and the result reports the value used.
/// \ingroup xas
struct pre_edge_options {
  std::optional<double> e0;                ///< edge energy, eV; default find_e0() (also when outside (E₁, E₋₂))
  e0_search e0_method = e0_search::larch;  ///< find_e0()'s smoothing when E0 is searched
  std::optional<double> step;              ///< edge step; default post-edge − pre-edge at the grid point nearest E0
  std::optional<double>
      pre1;  ///< start of the pre-edge fit; default the 2nd point, rounded to 5 eV (2 eV if E0 is within 20 points)
  std::optional<double> pre2;   ///< end of the pre-edge fit (excluded); default pre1/2
  std::optional<double> norm1;  ///< start of the post-edge fit; default min(25, 5·round(norm2/15))
  /// End of the post-edge fit (its nearest point excluded); default the end of the data rounded to
  /// 5 eV. A negative value counts back from the end of the data (Athena's convention).
  std::optional<double> norm2;
  std::optional<int> nnorm;  ///< post-edge polynomial degree 0–5; default 2 over ≥ 300 eV, 1 over ≥ 30 eV, else 0
  int nvict = 0;             ///< Victoreen exponent: the pre-edge line is fitted to \f$\mu E^{n}\f$, 0–4
  int npre = 1;              ///< pre-edge degree: 1 (line) or 0 (constant)

  /// \brief Athena's defaults (Demeter `bkg.demeter_conf`): pre-edge −150 to −30 eV, post-edge
  /// 150 eV to 100 eV before the end of the data, quadratic post-edge ("3 terms").
  /// \returns the options.
  [[nodiscard]] static pre_edge_options athena() {
    pre_edge_options o;
    o.pre1 = -150.0;
    o.pre2 = -30.0;
    o.norm1 = 150.0;
    o.norm2 = -100.0;
    o.nnorm = 2;
    return o;
  }
};

/// \brief A normalised spectrum and the parameters actually used.
/// \ingroup xas
struct pre_edge_result {
  double e0 = 0;               ///< edge energy, eV
  index e0_index = 0;          ///< index of the grid point nearest E0
  double edge_step = 0;        ///< edge step (units of μ)
  double pre1 = 0;             ///< pre-edge range start used, eV relative to E0
  double pre2 = 0;             ///< pre-edge range end used
  double norm1 = 0;            ///< post-edge range start used
  double norm2 = 0;            ///< post-edge range end used
  int nnorm = 0;               ///< post-edge polynomial degree used
  int nvict = 0;               ///< Victoreen exponent used
  int npre = 1;                ///< pre-edge degree used (0 when the range holds fewer than 3 points)
  vector_x<double> pre_edge;   ///< pre-edge curve on the energy grid
  vector_x<double> post_edge;  ///< post-edge curve (pre-edge + polynomial) on the energy grid
  vector_x<double> norm;       ///< \f$(\mu - \mathrm{pre})/\mathrm{step}\f$
  vector_x<double> flat;       ///< norm with the post-edge curvature removed above E0
};

namespace detail {

// Rows [first, last) of the polynomial basis of degree `degree` in energies mapped onto [-1, 1]
// over that window, evaluated at every energy of e.
template <class = void>
matrix_x<double> mapped_basis(const vector_ref& e, index first, index last, int degree) {
  const double low = e(first);
  const double high = e(last - 1);
  const double scale = high > low ? 2.0 / (high - low) : 1.0;
  const double offset = high > low ? -(high + low) / (high - low) : -low;
  matrix_x<double> basis(e.size(), degree + 1);
  for (index i = 0; i < e.size(); ++i) {
    const double t = offset + scale * e(i);
    double p = 1;
    for (int k = 0; k <= degree; ++k, p *= t) {
      basis(i, k) = p;
    }
  }
  return basis;
}

// Least-squares polynomial of degree `degree` through (e, y) over points [first, last), in
// energies mapped onto [-1, 1] (numpy Polynomial.fit style, well conditioned at 8000 eV),
// evaluated at every energy of e. The engine's small path: the window's basis reduced in place by
// Householder QR and judged by the one rank rule, the polynomial evaluated by Horner; a window
// that fails the rule (too few distinct energies) goes through fit::least_squares, which reduces
// the degree as its rank allows.
template <class = void>
vector_x<double> polynomial_fit(const vector_ref& e, index first, index last, const vector_ref& y, int degree) {
  const index rows = last - first;
  const index cols = degree + 1;
  const double low = e(first);
  const double high = e(last - 1);
  const double scale = high > low ? 2.0 / (high - low) : 1.0;
  const double offset = high > low ? -(high + low) / (high - low) : -low;
  if (rows >= cols) {
    matrix_x<double> design(rows, cols + 1);  // the basis and, in its last column, the data
    auto a = design.leftCols(cols);
    auto b = design.col(cols);
    b = y.segment(first, rows);
    // Column by column, so that each loop vectorises (the same products as t^k built by t^(k-1) t).
    for (index i = 0; i < rows; ++i) {
      a(i, 0) = 1;
    }
    if (cols > 1) {
      for (index i = 0; i < rows; ++i) {
        a(i, 1) = offset + scale * e(first + i);
      }
    }
    for (index k = 2; k < cols; ++k) {
      for (index i = 0; i < rows; ++i) {
        a(i, k) = a(i, k - 1) * a(i, 1);
      }
    }
    double norms[6];  // nnorm <= 5
    for (index k = 0; k < cols; ++k) {
      norms[k] = a.col(k).norm();
    }
    if (fit::detail::householder_reduce<double>(a, b) &&
        fit::detail::first_dependent_column(
            a.topRows(cols), [&](index j) { return norms[j]; }, fit::detail::rank_tolerance(0.0, rows)) < 0) {
      vector_x<double> c(cols);
      fit::detail::back_substitute<double>(a.topRows(cols), b.head(cols), c);
      // Horner's rule over all energies at once, one vectorised loop per degree.
      const index n = e.size();
      vector_x<double> t(n);
      vector_x<double> out(n);
      for (index i = 0; i < n; ++i) {
        t(i) = offset + scale * e(i);
        out(i) = c(cols - 1);
      }
      for (index k = cols - 2; k >= 0; --k) {
        const double coefficient = c(k);
        for (index i = 0; i < n; ++i) {
          out(i) = out(i) * t(i) + coefficient;
        }
      }
      return out;
    }
  }
  const matrix_x<double> basis = mapped_basis(e, first, last, degree);
  const auto fit = fit::least_squares(basis.middleRows(first, last - first), y.segment(first, last - first));
  return basis * fit.coefficients;
}

// Python's round(): halves to even.
inline double round_half_even(double x) {
  return std::nearbyint(x);
}

// The checks of pre_edge_options that do not depend on mu.
template <class = void>
void check_pre_edge_options(const char* function, const pre_edge_options& options, const vector_ref& e) {
  using core::detail::format_value;
  using core::detail::message;
  if (options.nnorm && (*options.nnorm < 0 || *options.nnorm > 5)) {
    throw invalid_input(message(function, "option 'nnorm' is " + std::to_string(*options.nnorm) + "; expected 0 to 5"));
  }
  if (options.nvict < 0 || options.nvict > 4) {
    throw invalid_input(message(function, "option 'nvict' is " + std::to_string(options.nvict) + "; expected 0 to 4"));
  }
  if (options.npre != 0 && options.npre != 1) {
    throw invalid_input(message(function, "option 'npre' is " + std::to_string(options.npre) + "; expected 0 or 1"));
  }
  if (options.step && !(std::isfinite(*options.step) && *options.step > 0)) {
    throw invalid_input(
        message(function, "option 'step' is " + format_value(*options.step) + "; expected a value > 0"));
  }
  const index n = e.size();
  if (options.e0 && !(*options.e0 >= e(0) && *options.e0 <= e(n - 1))) {
    throw invalid_input(message(function, "option 'e0' is " + format_value(*options.e0) + " eV; expected a value in [" +
                                              format_value(e(0)) + ", " + format_value(e(n - 1)) + "] eV"));
  }
}

// The ranges, degrees and fit windows that Larch's rules give for E0 (index ie0) on grid e.
struct normalization_plan {
  double pre1, pre2, norm1, norm2;
  int nnorm, nvict, npre;
  index pre_first, pre_last;    // pre-edge fit points [pre_first, pre_last)
  index post_first, post_last;  // post-edge fit points [post_first, post_last)
};

template <class = void>
normalization_plan plan_normalization(const vector_ref& e, double e0, index ie0, const pre_edge_options& options) {
  const index n = e.size();
  normalization_plan plan{};
  double pre1 = options.pre1
                    ? *options.pre1
                    : (ie0 > 20 ? 5.0 * round_half_even((e(1) - e0) / 5.0) : 2.0 * round_half_even((e(1) - e0) / 2.0));
  pre1 = std::max(pre1, e(0) - e0);
  double pre2 = options.pre2 ? *options.pre2 : 0.5 * pre1;
  if (pre1 > pre2) {
    std::swap(pre1, pre2);
  }
  const double span = e(n - 1) - e0;
  double norm2 = options.norm2 ? *options.norm2 : 5.0 * round_half_even(span / 5.0);
  if (norm2 < 0) {
    norm2 = span + norm2;  // Athena: counted back from the end of the data
  }
  norm2 = std::min(norm2, span);
  double norm1 = options.norm1 ? *options.norm1 : std::min(25.0, 5.0 * round_half_even(norm2 / 15.0));
  if (norm1 > norm2) {
    std::swap(norm1, norm2);
  }
  norm1 = std::min(norm1, norm2 - 2);
  plan.nnorm = options.nnorm ? *options.nnorm : (norm2 - norm1 >= 300 ? 2 : (norm2 - norm1 >= 30 ? 1 : 0));
  plan.nvict = options.nvict;
  plan.npre = options.npre;
  // Larch's index_of(energy - e0, pre): a binary search on the differences, formed as it forms them.
  const auto index_of_relative = [&](double value) {
    index lo = 0;
    index hi = n;
    while (lo < hi) {
      const index mid = lo + (hi - lo) / 2;
      if (e(mid) - e0 <= value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == 0 ? index{0} : lo - 1;
  };
  if (index_of_relative(pre2) - index_of_relative(pre1) < 3) {
    plan.nvict = 0;
    plan.npre = 0;
  }
  // Pre-edge window; at least one point for a constant, two for a line.
  index p1 = core::index_of(e, e0 + pre1);
  index p2 = core::index_nearest_sorted(e, e0 + pre2);
  if (plan.npre == 0) {
    p2 = std::max(p2, p1 + 1);
  } else if (p2 - p1 < 2) {
    p2 = std::min(n, p1 + 2);
  }
  // Post-edge window, with the degree reduced when it holds few points.
  index q1 = std::min(core::index_of(e, e0 + norm1), n - 3);
  const index q2 = core::index_nearest_sorted(e, e0 + norm2);
  if (q2 - q1 < 2) {
    q1 = std::max<index>(0, q1 - 2);
    plan.nnorm = 0;
  } else if (q2 - q1 < 5) {
    plan.nnorm = std::min(1, plan.nnorm);
  }
  plan.pre1 = pre1;
  plan.pre2 = pre2;
  plan.norm1 = norm1;
  plan.norm2 = norm2;
  plan.pre_first = p1;
  plan.pre_last = p2;
  plan.post_first = q1;
  plan.post_last = q2;
  return plan;
}

}  // namespace detail

/// \brief Pre-edge subtraction and normalisation: \f$\mathrm{norm} = (\mu - \mathrm{pre}(E))/\Delta\mu\f$,
/// with Larch's `pre_edge` rules (xraylarch 2026.3, `larch.xafs.pre_edge`).
/// \ingroup xas
///
/// The pre-edge line \f$(c_0 + c_1E)E^{-n_v}\f$ is fitted to \f$\mu E^{n_v}\f$ over the points
/// \f$[\,\mathrm{index\_of}(E_0+\mathrm{pre1}),\ \mathrm{index\_nearest}(E_0+\mathrm{pre2}))\f$ (a constant
/// when that range holds fewer than 3 points); a polynomial of degree nnorm is fitted to
/// \f$\mu - \mathrm{pre}\f$ over
/// \f$[\,\mathrm{index\_of}(E_0+\mathrm{norm1}),\ \mathrm{index\_nearest}(E_0+\mathrm{norm2}))\f$ (degree at most 1
/// below 5 points, 0 below 2), giving post(E) = pre(E) + polynomial; the edge step is post − pre at the grid point
/// nearest E0; flat = norm − (post − pre)/step + its value at E0 above E0. Polynomials are fitted in energies mapped
/// onto [−1, 1] (as numpy's `Polynomial.fit`), so the curves agree with Larch's while raw coefficients, ill-conditioned
/// at 8 keV, are not reported.
///
/// Where this differs from Larch, deliberately: energies must already be sorted and distinct (Larch
/// sorts and nudges duplicates silently), non-finite values are an error (Larch drops them), a
/// negative or zero edge step is an error (Larch takes \f$\max(10^{-12}, |\Delta\mu|)\f$, inverting or
/// zeroing the spectrum silently), and a negative norm2 counts back from the end of the data as
/// Athena does (Larch's arithmetic turns it into the full range).
///
/// \param energy energies, eV, strictly increasing, finite, at least 16 points.
/// \param mu absorption, finite, same size, not constant.
/// \param options ranges, degrees, E0 and step; see pre_edge_options.
/// \returns the curves and the parameters used.
/// \throws valence::invalid_input for bad arrays (as find_e0()), a given E0 outside the data, nnorm
///         outside 0–5, nvict outside 0–4, npre not 0 or 1, a non-positive or non-finite given step,
///         or an edge step that comes out \f$\le 10^{-10}\max|\mu|\f$ (μ decreasing or flat across the edge).
///
/// Accuracy: against Larch on the reference spectra, E0 the same grid point, edge step within
/// 1e-6 relative, norm and flat within 1e-6 absolute (tests/xas/test_pre_edge.cpp).
template <typename DerivedE, typename DerivedM>
[[nodiscard]] pre_edge_result pre_edge(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                                       const pre_edge_options& options = {}) {
  constexpr const char* function = "valence::xas::pre_edge";
  using core::detail::format_value;
  using core::detail::message;
  core::check_same_size(function, "mu", mu, "energy", energy);
  core::check_abscissa(function, "energy", energy, 16);
  core::check_finite(function, "mu", mu);
  // Views of double input (a copy only for another scalar type or a strided expression).
  const vector_ref e(energy.derived().template cast<double>());
  const vector_ref m(mu.derived().template cast<double>());
  const index n = e.size();
  detail::check_pre_edge_options(function, options, e);
  pre_edge_result r;
  // Larch re-finds E0 when the given one is not strictly inside the first and last points.
  if (options.e0 && *options.e0 >= e(1) && *options.e0 <= e(n - 2)) {
    r.e0 = *options.e0;
    r.e0_index = core::index_nearest_sorted(e, r.e0);
  } else {
    const auto found = detail::find_e0_checked(function, e, m, options.e0_method);
    r.e0 = found.e0;
    r.e0_index = found.e0_index;
  }
  const double e0 = r.e0;
  const index ie0 = core::index_nearest_sorted(e, e0);
  r.e0_index = ie0;

  const auto plan = detail::plan_normalization(e, e0, ie0, options);
  const index p1 = plan.pre_first;
  const index p2 = plan.pre_last;
  if (plan.npre == 0) {
    r.pre_edge = vector_x<double>::Constant(n, m.segment(p1, p2 - p1).mean());
  } else {
    if (plan.nvict == 0) {  // E^0 = 1: no power to take
      r.pre_edge = detail::polynomial_fit(e, p1, p2, m, 1);
    } else {
      const vector_x<double> victoreen = e.array().pow(double(plan.nvict));
      const vector_x<double> weighted = m.cwiseProduct(victoreen);
      r.pre_edge = detail::polynomial_fit(e, p1, p2, weighted, 1).cwiseQuotient(victoreen);
    }
  }
  const index q1 = plan.post_first;
  const index q2 = plan.post_last;
  r.norm = m - r.pre_edge;  // above the pre-edge line; divided by the step below
  r.post_edge = detail::polynomial_fit(e, q1, q2, r.norm, plan.nnorm);
  r.post_edge += r.pre_edge;

  const double step = options.step ? *options.step : r.post_edge(ie0) - r.pre_edge(ie0);
  // A step at rounding level is no edge either (e.g. E0 found on a flat part of an inverted spectrum).
  if (!(step > 1e-10 * m.cwiseAbs().maxCoeff())) {
    throw invalid_input(message(function, "the edge step at E0 = " + format_value(e0) + " eV is " + format_value(step) +
                                              "; expected a positive step (mu increasing across the edge)"));
  }
  r.edge_step = step;
  r.norm /= step;
  // Above E0 the post-edge curvature, (post - pre) / step, is taken out relative to its value at E0.
  const double residue_at_e0 = (r.post_edge(ie0) - r.pre_edge(ie0)) / step;
  r.flat.resize(n);
  for (index i = 0; i < ie0; ++i) {
    r.flat(i) = r.norm(i);
  }
  for (index i = ie0; i < n; ++i) {  // no condition in the loop, so that it vectorises
    r.flat(i) = (r.norm(i) - (r.post_edge(i) - r.pre_edge(i)) / step) + residue_at_e0;
  }
  r.pre1 = plan.pre1;
  r.pre2 = plan.pre2;
  r.norm1 = plan.norm1;
  r.norm2 = plan.norm2;
  r.nnorm = plan.nnorm;
  r.nvict = plan.nvict;
  r.npre = plan.npre;
  return r;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_PRE_EDGE_HPP
