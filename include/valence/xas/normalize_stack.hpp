// SPDX-License-Identifier: MIT
/// \file
/// \brief Normalisation of every pixel of a XANES image stack, with maps of E0, edge step, edge
/// energy and white line.
#ifndef VALENCE_XAS_NORMALIZE_STACK_HPP
#define VALENCE_XAS_NORMALIZE_STACK_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/pre_edge.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace valence::xas {

/// \brief Outcome of one pixel of normalize_stack().
/// \ingroup xas
enum class pixel_status : std::uint8_t {
  ok,               ///< normalised; every map holds a value
  non_finite_data,  ///< the pixel's spectrum holds NaN or infinity: maps NaN
  no_edge,          ///< edge step at or below the minimum (or E0 not found): maps NaN but E0
  no_crossing,      ///< normalised, but the spectrum never reaches the step fraction: edge_energy NaN
  cancelled         ///< not processed: the progress callback cancelled the run
};

/// \brief Options of normalize_stack().
/// \ingroup xas
struct stack_options {
  /// Ranges, degrees and step as for pre_edge(). With `e0` set (and per_pixel_e0 false) every
  /// pixel uses that E0; unset, E0 is found once on the mean of the finite pixels.
  pre_edge_options normalization = {};
  /// Search E0 in every pixel (pre_edge() per pixel, with Larch's rules); slower.
  bool per_pixel_e0 = false;
  /// Pixels whose edge step is at or below this value (units of μ) are flagged no_edge, not
  /// normalised (thin or empty regions of the field of view).
  double min_step = 0;
  /// Fraction of the step that defines the edge_energy map (0.5: half-step energy).
  double fraction = 0.5;
  /// Energies above E0 searched for the white-line maximum of the normalised spectrum, eV.
  double white_line_window = 30;
  /// Keep the normalised spectra (energies × pixels, same scalar as the stack).
  bool keep_norm = false;
  /// Called after each block of pixels with (pixels done, total); returning false cancels the
  /// run: the remaining pixels are flagged cancelled and the result is returned.
  std::function<bool(index, index)> progress;
};

/// \brief Maps from normalize_stack(), one value per pixel (NaN where the status says so).
/// \ingroup xas
/// \tparam Real the scalar type of the stack.
template <typename Real>
struct stack_normalization {
  vector_x<Real> e0;                 ///< edge energy E0, eV
  vector_x<Real> edge_step;          ///< edge step, units of μ
  vector_x<Real> edge_energy;        ///< energy where norm reaches stack_options::fraction, eV
  vector_x<Real> white_line_energy;  ///< energy of the maximum of norm within the white-line window, eV
  vector_x<Real> white_line_height;  ///< that maximum (normalised units)
  std::vector<pixel_status> status;  ///< per pixel; see pixel_status
  matrix_x<Real> norm;               ///< energies × pixels, only with stack_options::keep_norm
  bool cancelled = false;            ///< the progress callback stopped the run
  /// \brief Number of pixels whose status is neither ok nor no_crossing.
  /// \returns the count.
  [[nodiscard]] index failed() const {
    return static_cast<index>(std::count_if(status.begin(), status.end(), [](pixel_status s) {
      return s != pixel_status::ok && s != pixel_status::no_crossing;
    }));
  }
};

namespace detail {

// Linear operators of a normalisation with fixed E0 and ranges. The pre-edge coefficients are
// c = M_pre y[pre window] (pseudo-inverse of the mapped line basis, the Victoreen factor folded
// in), the post-edge ones d = M_post y[post window] - G c, the step b_post(ie0) . d, and
// pre(E_i) = B_pre(i, :) c. Pseudo-inverses come from least_squares_batch on identity columns:
// the library's one solver, no second one.
struct stack_operators {
  index pre_first = 0, pre_last = 0, post_first = 0, post_last = 0, ie0 = 0;
  matrix_x<double> m_pre;     // 2 x k (or 1 x k for a constant)
  matrix_x<double> b_pre;     // n x 2 (or n x 1)
  matrix_x<double> m_post;    // (nnorm+1) x k2
  matrix_x<double> g;         // (nnorm+1) x 2: M_post B_pre[post window]
  vector_x<double> step_row;  // b_post(ie0)
};

inline matrix_x<double> pseudo_inverse(const matrix_x<double>& a) {
  const matrix_x<double> identity = matrix_x<double>::Identity(a.rows(), a.rows());
  return fit::least_squares_batch(a, identity).coefficients;
}

// Rows [first, last) of the polynomial basis of degree `degree` in energies mapped onto [-1, 1]
// over that window, evaluated at every energy of e.
inline matrix_x<double> mapped_basis(const vector_x<double>& e, index first, index last, int degree) {
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

inline stack_operators make_stack_operators(const vector_x<double>& e, double e0, const pre_edge_options& options) {
  stack_operators op;
  op.ie0 = core::index_nearest(e, e0);
  const auto plan = plan_normalization(e, e0, op.ie0, options);
  op.pre_first = plan.pre_first;
  op.pre_last = plan.pre_last;
  op.post_first = plan.post_first;
  op.post_last = plan.post_last;
  const index k = op.pre_last - op.pre_first;
  if (plan.npre == 0) {
    op.m_pre = matrix_x<double>::Constant(1, k, 1.0 / double(k));
    op.b_pre = matrix_x<double>::Ones(e.size(), 1);
  } else {
    const vector_x<double> victoreen = e.array().pow(double(plan.nvict));
    const matrix_x<double> basis = mapped_basis(e, op.pre_first, op.pre_last, 1);
    op.m_pre = pseudo_inverse(basis.middleRows(op.pre_first, k)) * victoreen.segment(op.pre_first, k).asDiagonal();
    op.b_pre = victoreen.cwiseInverse().asDiagonal() * basis;
  }
  const index k2 = op.post_last - op.post_first;
  const matrix_x<double> post_basis = mapped_basis(e, op.post_first, op.post_last, plan.nnorm);
  op.m_post = pseudo_inverse(post_basis.middleRows(op.post_first, k2));
  op.g = op.m_post * op.b_pre.middleRows(op.post_first, k2);
  op.step_row = post_basis.row(op.ie0).transpose();
  return op;
}

// Edge energy at `fraction` (crossing nearest E0) and white-line maximum of one normalised
// spectrum, written as NaN when absent.
template <typename Norm>
void edge_features(const vector_x<double>& e, const Norm& norm, double e0, const stack_options& options,
                   double& edge_energy, double& white_energy, double& white_height) {
  edge_energy = std::numeric_limits<double>::quiet_NaN();
  white_energy = std::numeric_limits<double>::quiet_NaN();
  white_height = std::numeric_limits<double>::quiet_NaN();
  const double f = options.fraction;
  for (index i = 0; i + 1 < e.size(); ++i) {
    const double a = norm(i);
    const double b = norm(i + 1);
    if (a < f && b >= f) {
      const double crossing = e(i) + (f - a) / (b - a) * (e(i + 1) - e(i));
      if (std::isnan(edge_energy) || std::abs(crossing - e0) < std::abs(edge_energy - e0)) {
        edge_energy = crossing;
      }
    }
    if (e(i) >= e0 && e(i) <= e0 + options.white_line_window && !(a <= white_height)) {
      white_height = a;
      white_energy = e(i);
    }
  }
}

}  // namespace detail

/// \brief Normalises every pixel of a XANES stack, as pre_edge() does one spectrum, and maps E0,
/// edge step, edge energy and white line.
/// \ingroup xas
///
/// **Fixed E0 (default).** E0 (given, or found once on the mean spectrum) and the ranges are
/// shared, so the normalisation is linear in μ: per pixel it is a few dot products over the
/// pre- and post-edge windows (pseudo-inverses of the mapped polynomial bases, computed once by
/// least_squares_batch), the step \f$b_{\mathrm{post}}(E_0)\cdot d\f$ and one pass that forms
/// \f$(\mu - \mathrm{pre})/\mathrm{step}\f$, finds the step-fraction crossing nearest E0 and the white-line
/// maximum. The spectrum is read from memory once and stays in L1, and pixels are processed in
/// parallel when the library is compiled with OpenMP. Results equal pre_edge() with the same E0
/// and ranges to rounding.
///
/// **Per-pixel E0.** Every pixel runs pre_edge() with Larch's rules (find_e0 per pixel, ranges per
/// pixel); a pixel pre_edge() rejects is flagged no_edge, not fatal.
///
/// \param energy energies, eV, strictly increasing, at least 16.
/// \param stack μ, energies × pixels (a column per pixel; any Eigen expression, contiguous columns
///        are fastest), float or double.
/// \param options normalisation, E0 mode, minimum step, fraction, white-line window, output, progress.
/// \returns the maps and per-pixel status.
/// \throws valence::invalid_input if \p stack does not have one row per energy, the energies are
///         not valid (as find_e0()), the fraction is outside (0, 1), min_step is negative or the
///         white-line window is not positive, pre_edge_options are invalid (as pre_edge()), or (fixed E0
///         not given) no pixel is finite or the mean of the finite pixels has no edge.
///
/// **Performance.** `benchmarks/bench_normalize_stack.cpp` reports the fixed-E0 run on
/// 512 × 512 pixels × 120 energies as a fraction of the memory-bandwidth floor, and pixels per
/// second with per-pixel E0.
template <typename DerivedE, typename DerivedS>
[[nodiscard]] stack_normalization<typename DerivedS::Scalar> normalize_stack(const Eigen::DenseBase<DerivedE>& energy,
                                                                             const Eigen::DenseBase<DerivedS>& stack,
                                                                             const stack_options& options = {}) {
  using Real = typename DerivedS::Scalar;
  constexpr const char* function = "valence::xas::normalize_stack";
  using core::detail::format_value;
  using core::detail::message;
  core::check_abscissa(function, "energy", energy, 16);
  if (stack.rows() != energy.size()) {
    throw invalid_input(message(function, "parameter 'stack' has " + std::to_string(stack.rows()) +
                                              " rows but 'energy' has " + std::to_string(energy.size()) +
                                              "; expected one row per energy"));
  }
  if (!(options.fraction > 0 && options.fraction < 1)) {
    throw invalid_input(
        message(function, "option 'fraction' is " + format_value(options.fraction) + "; expected a value in (0, 1)"));
  }
  if (!(options.min_step >= 0)) {
    throw invalid_input(
        message(function, "option 'min_step' is " + format_value(options.min_step) + "; expected a value >= 0"));
  }
  if (!(options.white_line_window > 0)) {
    throw invalid_input(message(function, "option 'white_line_window' is " + format_value(options.white_line_window) +
                                              " eV; expected a value > 0"));
  }
  const vector_x<double> e = energy.derived().template cast<double>();
  const index n = e.size();
  const index pixels = stack.cols();
  // Bad options are the caller's error, not a per-pixel failure.
  detail::check_pre_edge_options(function, options.normalization, e);
  constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  stack_normalization<Real> out;
  out.e0 = vector_x<Real>::Constant(pixels, nan);
  out.edge_step = out.e0;
  out.edge_energy = out.e0;
  out.white_line_energy = out.e0;
  out.white_line_height = out.e0;
  out.status.assign(static_cast<std::size_t>(pixels), pixel_status::cancelled);
  if (options.keep_norm) {
    out.norm = matrix_x<Real>::Constant(n, pixels, nan);
  }

  detail::stack_operators op;
  double shared_e0 = 0;
  if (!options.per_pixel_e0) {
    // Validates the options on the mean spectrum and fixes E0 (and the ranges) for every pixel.
    pre_edge_options shared = options.normalization;
    if (shared.e0) {
      shared_e0 = *shared.e0;
    } else {
      // E0 of the mean of the finite pixels: a bad pixel is flagged below, it must not spoil E0.
      vector_x<double> mean = vector_x<double>::Zero(n);
      index finite = 0;
      for (index p = 0; p < pixels; ++p) {
        const auto column = stack.col(p).template cast<double>();
        if (column.allFinite()) {
          mean += column;
          ++finite;
        }
      }
      if (finite == 0) {
        throw invalid_input(message(function, "no pixel of 'stack' is finite; expected at least one spectrum"));
      }
      mean /= double(finite);
      shared_e0 = find_e0(e, mean).e0;
    }
    op = detail::make_stack_operators(e, shared_e0, shared);
  }
  // Per-thread scratch: the fixed-E0 path allocates nothing per pixel.
  struct scratch {
    vector_x<double> y, norm, c, d;
  };
  const auto fit_pixel = [&](index p, scratch& w) {
    vector_x<double>& y = w.y;
    vector_x<double>& norm = w.norm;
    y = stack.col(p).template cast<double>();
    if (!y.allFinite()) {
      out.status[std::size_t(p)] = pixel_status::non_finite_data;
      return;
    }
    double e0 = shared_e0;
    double step = 0;
    if (options.per_pixel_e0) {
      try {
        const auto r = pre_edge(e, y, options.normalization);
        e0 = r.e0;
        step = r.edge_step;
        norm = r.norm;
      } catch (const invalid_input&) {
        out.status[std::size_t(p)] = pixel_status::no_edge;
        return;
      }
    } else {
      w.c.noalias() = op.m_pre * y.segment(op.pre_first, op.pre_last - op.pre_first);
      w.d.noalias() = op.m_post * y.segment(op.post_first, op.post_last - op.post_first);
      w.d.noalias() -= op.g * w.c;
      step = options.normalization.step ? *options.normalization.step : op.step_row.dot(w.d);
      if (step > options.min_step && std::isfinite(step)) {
        norm.noalias() = op.b_pre * w.c;
        norm = (y - norm) / step;
      }
    }
    out.e0(p) = Real(e0);
    if (!(step > options.min_step)) {
      out.status[std::size_t(p)] = pixel_status::no_edge;
      return;
    }
    double edge_energy = 0;
    double white_energy = 0;
    double white_height = 0;
    detail::edge_features(e, norm, e0, options, edge_energy, white_energy, white_height);
    out.edge_step(p) = Real(step);
    out.edge_energy(p) = Real(edge_energy);
    out.white_line_energy(p) = Real(white_energy);
    out.white_line_height(p) = Real(white_height);
    if (options.keep_norm) {
      out.norm.col(p) = norm.template cast<Real>();
    }
    out.status[std::size_t(p)] = std::isnan(edge_energy) ? pixel_status::no_crossing : pixel_status::ok;
  };

  const index block = 4096;
  for (index first = 0; first < pixels; first += block) {
    const index last = std::min(pixels, first + block);
#if defined(_OPENMP)
#pragma omp parallel
#endif
    {
      scratch w{vector_x<double>(n), vector_x<double>(n), vector_x<double>(op.m_pre.rows()),
                vector_x<double>(op.m_post.rows())};
#if defined(_OPENMP)
#pragma omp for schedule(static)
#endif
      for (index p = first; p < last; ++p) {
        fit_pixel(p, w);
      }
    }
    if (options.progress && !options.progress(last, pixels) && last < pixels) {
      out.cancelled = true;
      break;
    }
  }
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_NORMALIZE_STACK_HPP
