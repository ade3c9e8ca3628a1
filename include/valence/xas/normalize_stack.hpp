// SPDX-License-Identifier: MIT
/// \file
/// \brief Normalisation of every pixel of a XANES image stack, with maps of E0, edge step, edge
/// energy and white line.
#ifndef VALENCE_XAS_NORMALIZE_STACK_HPP
#define VALENCE_XAS_NORMALIZE_STACK_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/packet.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/detail/projection.hpp>
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
  no_edge,          ///< edge step at or below the minimum, or pre_edge() failed: maps NaN (E0 kept if found)
  no_crossing,      ///< normalised, but the spectrum never reaches the step fraction: edge_energy NaN
  cancelled         ///< not processed: the progress callback cancelled the run
};

/// \brief The name of a pixel_status, e.g. `"no_edge"`.
/// \ingroup xas
/// \param status the status. \returns a static string.
[[nodiscard]] constexpr const char* to_string(pixel_status status) noexcept {
  switch (status) {
    case pixel_status::ok:
      return "ok";
    case pixel_status::non_finite_data:
      return "non_finite_data";
    case pixel_status::no_edge:
      return "no_edge";
    case pixel_status::no_crossing:
      return "no_crossing";
    case pixel_status::cancelled:
      return "cancelled";
  }
  return "unknown";
}

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
  matrix_x<double> m_pre_t;   // k x 2: M_pre transposed (second column 0 for a constant pre-edge)
  matrix_x<double> b_pre;     // n x 2 (second column 0 for a constant)
  matrix_x<double> m_post_t;  // k2 x (nnorm+1): M_post transposed
  matrix_x<double> g;         // (nnorm+1) x 2: M_post B_pre[post window]
  vector_x<double> step_row;  // b_post(ie0)
  // The step is linear in the data, b_post(ie0) . (M_post y[post] - G M_pre y[pre]) = u . y: one
  // dot product over the windows' span instead of the post-edge coefficients and their algebra.
  core::index_range step_span;
  vector_x<double> step_weights;  // u over step_span
  core::index_range white_line;   // the points E0 <= E <= E0 + white_line_window
};

// The points E0 <= E_i <= E0 + window, where the white-line maximum is sought: found once per E0
// (two binary searches), so that the search itself compares no energies.
template <class = void>
core::index_range white_line_range(const vector_x<double>& e, double e0, double window) {
  const auto first = std::lower_bound(e.data(), e.data() + e.size(), e0);
  const auto last = std::upper_bound(first, e.data() + e.size(), e0 + window);
  return {static_cast<index>(first - e.data()), static_cast<index>(last - first)};
}

template <class = void>
matrix_x<double> pseudo_inverse(const matrix_ref& a) {
  const matrix_x<double> identity = matrix_x<double>::Identity(a.rows(), a.rows());
  return fit::least_squares_batch(a, identity).coefficients;
}

template <class = void>
stack_operators make_stack_operators(const vector_ref& e, double e0, const pre_edge_options& options) {
  stack_operators op;
  op.ie0 = core::index_nearest(e, e0);
  const auto plan = plan_normalization(e, e0, op.ie0, options);
  op.pre_first = plan.pre_first;
  op.pre_last = plan.pre_last;
  op.post_first = plan.post_first;
  op.post_last = plan.post_last;
  const index k = op.pre_last - op.pre_first;
  op.m_pre_t = matrix_x<double>::Zero(k, 2);
  op.b_pre = matrix_x<double>::Zero(e.size(), 2);
  if (plan.npre == 0) {
    op.m_pre_t.col(0).setConstant(1.0 / double(k));
    op.b_pre.col(0).setOnes();
  } else {
    const vector_x<double> victoreen = e.array().pow(double(plan.nvict));
    const matrix_x<double> basis = mapped_basis(e, op.pre_first, op.pre_last, 1);
    op.m_pre_t = (pseudo_inverse(basis.middleRows(op.pre_first, k)) * victoreen.segment(op.pre_first, k).asDiagonal())
                     .transpose();
    op.b_pre = victoreen.cwiseInverse().asDiagonal() * basis;
  }
  const index k2 = op.post_last - op.post_first;
  const matrix_x<double> post_basis = mapped_basis(e, op.post_first, op.post_last, plan.nnorm);
  const matrix_x<double> m_post = pseudo_inverse(post_basis.middleRows(op.post_first, k2));
  op.m_post_t = m_post.transpose();
  op.g = m_post * op.b_pre.middleRows(op.post_first, k2);
  op.step_row = post_basis.row(op.ie0).transpose();
  const index first = std::min(op.pre_first, op.post_first);
  op.step_span = {first, std::max(op.pre_last, op.post_last) - first};
  op.step_weights = vector_x<double>::Zero(op.step_span.size);
  op.step_weights.segment(op.post_first - first, k2) = op.m_post_t * op.step_row;
  op.step_weights.segment(op.pre_first - first, k) -= op.m_pre_t * (op.g.transpose() * op.step_row);
  return op;
}

// Sizes `out` for `pixels` pixels of `channels` energies (the normalised spectra only when kept,
// otherwise none), leaving the values unset: Eigen reallocates only when a size changes, so maps
// reused from stack to stack (or block to block) are allocated and first touched once.
template <typename Real>
void resize_maps(stack_normalization<Real>& out, index pixels, index channels, bool keep_norm) {
  out.e0.resize(pixels);
  out.edge_step.resize(pixels);
  out.edge_energy.resize(pixels);
  out.white_line_energy.resize(pixels);
  out.white_line_height.resize(pixels);
  out.status.resize(static_cast<std::size_t>(pixels));
  out.norm.resize(keep_norm ? channels : 0, keep_norm ? pixels : 0);
  out.cancelled = false;
}

// Pixels [first, end) of `out` not processed: NaN maps (and spectra, when kept), status cancelled.
template <typename Real>
void mark_unprocessed(stack_normalization<Real>& out, index first, index end) {
  constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  const index count = end - first;
  out.e0.segment(first, count).setConstant(nan);
  out.edge_step.segment(first, count).setConstant(nan);
  out.edge_energy.segment(first, count).setConstant(nan);
  out.white_line_energy.segment(first, count).setConstant(nan);
  out.white_line_height.segment(first, count).setConstant(nan);
  std::fill(out.status.begin() + first, out.status.begin() + end, pixel_status::cancelled);
  if (out.norm.cols() > 0) {
    out.norm.middleCols(first, count).setConstant(nan);
  }
}

// Maps of `pixels` pixels not processed yet (mark_unprocessed over all of them).
template <typename Real>
stack_normalization<Real> unprocessed_maps(index pixels, index channels, bool keep_norm) {
  stack_normalization<Real> out;
  resize_maps(out, pixels, channels, keep_norm);
  mark_unprocessed(out, 0, pixels);
  return out;
}

// Adds the finite columns of `stack` to `sum` in column order and counts them: the mean spectrum
// that fixes a shared E0. The streaming normalize_stack() adds its blocks through this same loop, so
// both give the same bits.
template <typename Derived>
void add_finite_columns(const Eigen::DenseBase<Derived>& stack, vector_x<double>& sum, index& finite) {
  for (index p = 0; p < stack.cols(); ++p) {
    const auto column = stack.col(p).template cast<double>();
    if (column.allFinite()) {
      sum += column;
      ++finite;
    }
  }
}

// Energy at which value(i) / scale (scale > 0: the search compares numerators) crosses
// `fraction` upward nearest E0 (ie0 the grid point nearest E0), by linear interpolation; NaN when
// it never does. The search starts at E0 and stops as soon as nothing farther can be nearer, so a
// pixel costs a few points, not a scan.
template <typename Value>
double edge_crossing(const vector_x<double>& e, const Value& value, double scale, double e0, index ie0,
                     double fraction) {
  double edge_energy = std::numeric_limits<double>::quiet_NaN();
  const double f = fraction * scale;
  const index n = e.size();
  double distance = std::numeric_limits<double>::infinity();
  const auto consider = [&](index i) {  // interval [i, i + 1]
    const double low = value(i);
    const double high = value(i + 1);
    if (low < f && high >= f) {
      const double crossing = e(i) + (f - low) / (high - low) * (e(i + 1) - e(i));
      if (std::abs(crossing - e0) < distance) {
        distance = std::abs(crossing - e0);
        edge_energy = crossing;
      }
    }
  };
  // Outward from E0, always to the nearer of the next interval below and the next above (by its
  // nearer end): the nearest crossing is then usually the first found, and the search stops once
  // both directions are farther than it. (Going all the way down first walked the whole pre-edge
  // whenever the crossing lay above E0.)
  index down = std::min(ie0, n - 2);
  index up = down + 1;
  while (down >= 0 || up <= n - 2) {
    const double below = down >= 0 ? e0 - e(down + 1) : std::numeric_limits<double>::infinity();
    const double above = up <= n - 2 ? e(up) - e0 : std::numeric_limits<double>::infinity();
    if (!(std::min(below, above) <= distance)) {
      break;
    }
    if (below <= above) {
      consider(down--);
    } else {
      consider(up++);
    }
  }
  return edge_energy;
}

// Where, and how high, a spectrum has its first maximum over a window.
struct window_maximum {
  index at = 0;
  double top = 0;
};

// The first maximum of value(i) over a non-empty window, without a branch on the data: the
// comparison selects.
template <typename Value>
window_maximum first_maximum(const Value& value, const core::index_range& window) {
  window_maximum m{window.begin, value(window.begin)};
  for (index i = window.begin + 1; i < window.end(); ++i) {
    const double v = value(i);
    m.at = v > m.top ? i : m.at;
    m.top = v > m.top ? v : m.top;
  }
  return m;
}

// Edge energy (edge_crossing) and the white-line maximum over `white_line` (white_line_range) of
// one normalised spectrum: energy and height of its first maximum there; NaN when absent.
template <typename Value>
void edge_features(const vector_x<double>& e, const Value& value, double e0, index ie0,
                   const core::index_range& white_line, const stack_options& options, double& edge_energy,
                   double& white_energy, double& white_height) {
  edge_energy = edge_crossing(e, value, 1.0, e0, ie0, options.fraction);
  white_energy = std::numeric_limits<double>::quiet_NaN();
  white_height = std::numeric_limits<double>::quiet_NaN();
  if (white_line.size > 0) {
    const window_maximum white = first_maximum(value, white_line);
    white_energy = e(white.at);
    white_height = white.top;
  }
}

// The first maximum of mu_i - c0 B_pre(i, 0) - c1 B_pre(i, 1) (μ above the pre-edge line) over the
// white-line window of `op` (at least one point), a packet of points at a time: each lane keeps its
// own first maximum and its index, a last packet flush with the window's end covers the rest (a
// point seen twice keeps its index), and ties between lanes go to the lowest index, so the result
// is first_maximum's. Nothing branches on the data. (first_maximum is one chain through its
// running maximum, about 2.5 cycles a point; Eigen 3.4's array select does not vectorise, hence
// the packet primitives.)
template <typename In>
window_maximum white_line_maximum(const stack_operators& op, const In* mu, double c0, double c1) {
  namespace ei = Eigen::internal;
  using core::detail::packet;
  constexpr index size = core::detail::packet_size;
  const index first = op.white_line.begin;
  const index end = op.white_line.end();
  const double* b0 = op.b_pre.col(0).data();
  const double* b1 = op.b_pre.col(1).data();
  if (op.white_line.size < size) {
    return first_maximum([&](index i) { return double(mu[i]) - b0[i] * c0 - b1[i] * c1; }, op.white_line);
  }
  const packet pc0 = ei::pset1<packet>(c0);
  const packet pc1 = ei::pset1<packet>(c1);
  packet best = ei::pset1<packet>(-std::numeric_limits<double>::infinity());
  packet best_index = ei::pzero(best);
  const auto consider = [&](index i) {
    const packet v = ei::psub(ei::psub(core::detail::load_as_double(mu + i), ei::pmul(ei::ploadu<packet>(b0 + i), pc0)),
                              ei::pmul(ei::ploadu<packet>(b1 + i), pc1));
    const packet larger = ei::pcmp_lt(best, v);
    best = ei::pselect(larger, v, best);
    best_index = ei::pselect(larger, ei::plset<packet>(double(i)), best_index);
  };
  // One loop, its last packet clamped to the window's end: a separate flush packet was compiled
  // to convert its floats through the stack, and that store-to-load stall cost more than the scan.
  const index last = end - size;
  for (index i = first;; i += size) {
    consider(std::min(i, last));
    if (i >= last) {
      break;
    }
  }
  const double top = ei::predux_max(best);
  const packet tied = ei::pselect(ei::pcmp_eq(best, ei::pset1<packet>(top)), best_index,
                                  ei::pset1<packet>(std::numeric_limits<double>::infinity()));
  return {index(ei::predux_min(tied)), top};
}

struct pixel_features {
  pixel_status status = pixel_status::ok;
  double step = 0;
  double edge_energy = std::numeric_limits<double>::quiet_NaN();
  double white_energy = std::numeric_limits<double>::quiet_NaN();
  double white_height = std::numeric_limits<double>::quiet_NaN();
};

// One pixel with fixed E0 and ranges: the pre-edge line and the step as dot products by the batch
// fits' streaming kernel (fit::detail::project_group), a vectorised finiteness test of the points
// outside the step's span, then the searches for the step-fraction crossing nearest E0 and the
// white-line maximum, which touch only the points they visit (the whole normalised spectrum is
// formed into `norm` only when it is kept). Accumulates in double whatever the input type.
template <typename In>
pixel_features normalize_fixed_pixel(const stack_operators& op, const In* y, const vector_x<double>& e, double e0,
                                     const stack_options& options, vector_x<double>& norm) {
  const bool keep_norm = options.keep_norm;
  pixel_features out;
  double c[2];
  double step = 0;
  double unused = 0;
  const index k = op.m_pre_t.rows();
  const index span = op.step_span.size;
  fit::detail::project_group<2, false>(op.m_pre_t.data(), k, k, y + op.pre_first, c, unused);
  fit::detail::project_group<1, false>(op.step_weights.data(), span, span, y + op.step_span.begin, &step, unused);
  // Tested before a given step replaces it: a NaN in the span shows only here.
  if (!std::isfinite(step)) {
    out.step = step;
    out.status = pixel_status::non_finite_data;
    return out;
  }
  if (options.normalization.step) {
    step = *options.normalization.step;
  }
  out.step = step;
  if (!(step > options.min_step)) {
    out.status = pixel_status::no_edge;
    return out;
  }
  const Eigen::Map<const Eigen::Array<In, Eigen::Dynamic, 1>> mu(y, e.size());
  // A bad value outside the step's span (inside it, the step is already NaN: a weight, even 0,
  // times infinity or NaN is NaN): x * 0 is 0 for finite x and NaN for infinities and NaN, so the
  // sum of the products is 0 exactly when every value is finite (no overflow, unlike a plain sum),
  // vectorised in the input's own type.
  const index after = op.step_span.end();
  if (!((mu.head(op.step_span.begin) * In(0)).sum() + (mu.tail(e.size() - after) * In(0)).sum() == In(0))) {
    out = pixel_features{};
    out.status = pixel_status::non_finite_data;
    return out;
  }
  const double c0 = c[0];
  const double c1 = c[1];
  if (keep_norm) {
    norm.array() = (mu.template cast<double>() - op.b_pre.col(0).array() * c0 - op.b_pre.col(1).array() * c1) / step;
  }
  // The searches read mu minus the pre-edge line at the points they visit and divide once.
  const auto above_pre_edge = [&](index i) { return double(y[i]) - op.b_pre(i, 0) * c0 - op.b_pre(i, 1) * c1; };
  out.edge_energy = edge_crossing(e, above_pre_edge, step, e0, op.ie0, options.fraction);
  if (op.white_line.size > 0) {
    const window_maximum white = white_line_maximum(op, y, c0, c1);
    out.white_energy = e(white.at);
    out.white_height = white.top / step;
  }
  out.status = std::isnan(out.edge_energy) ? pixel_status::no_crossing : pixel_status::ok;
  return out;
}

}  // namespace detail

/// \brief Normalises every pixel of a XANES stack, as pre_edge() does one spectrum, and maps E0,
/// edge step, edge energy and white line, into maps the caller keeps.
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
/// \param[out] out the maps and per-pixel status, resized to the stack's pixels. Its storage is
///        kept when the sizes match, so a pipeline that normalises stack after stack into the same
///        maps allocates them, and the system maps their pages, once (on the development machine
///        that first touch costs more than a tenth of a 512 × 512 × 120 float stack's
///        normalisation). Left unchanged when the call throws.
/// \throws valence::invalid_input if \p stack does not have one row per energy, the energies are
///         not valid (as find_e0()), the fraction is outside (0, 1), min_step is negative or the
///         white-line window is not positive, pre_edge_options are invalid (as pre_edge()), or (fixed E0
///         not given) no pixel is finite or the mean of the finite pixels has no edge.
///
/// **Performance.** `benchmarks/bench_normalize_stack.cpp` reports the fixed-E0 run on
/// 512 × 512 pixels × 120 energies as a fraction of the memory-bandwidth floor, and pixels per
/// second with per-pixel E0, both into new maps and into reused ones.
template <typename DerivedE, typename DerivedS>
void normalize_stack(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedS>& stack,
                     const stack_options& options, stack_normalization<typename DerivedS::Scalar>& out) {
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
      detail::add_finite_columns(stack, mean, finite);
      if (finite == 0) {
        throw invalid_input(message(function, "no pixel of 'stack' is finite; expected at least one spectrum"));
      }
      mean /= double(finite);
      shared_e0 = find_e0(e, mean).e0;
    }
    op = detail::make_stack_operators(e, shared_e0, shared);
    op.white_line = detail::white_line_range(e, shared_e0, options.white_line_window);
  }
  // Nothing below throws: `out` changes only from here on.
  detail::resize_maps(out, pixels, n, options.keep_norm);
  // Per-thread scratch: the fixed-E0 path allocates nothing per pixel.
  struct scratch {
    vector_x<double> y, norm;
  };
  constexpr bool contiguous = (int(DerivedS::Flags) & Eigen::DirectAccessBit) != 0 && !bool(DerivedS::IsRowMajor);
  // Every value of the pixel is written (the maps are not cleared beforehand): NaN where the status
  // says so.
  constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  const auto store = [&](index p, double e0, const detail::pixel_features& f, const vector_x<double>& norm) {
    out.status[std::size_t(p)] = f.status;
    out.e0(p) = Real(e0);
    const bool normalised = f.status == pixel_status::ok || f.status == pixel_status::no_crossing;
    out.edge_step(p) = normalised ? Real(f.step) : nan;
    out.edge_energy(p) = normalised ? Real(f.edge_energy) : nan;
    out.white_line_energy(p) = normalised ? Real(f.white_energy) : nan;
    out.white_line_height(p) = normalised ? Real(f.white_height) : nan;
    if (options.keep_norm) {
      if (normalised) {
        out.norm.col(p) = norm.template cast<Real>();
      } else {
        out.norm.col(p).setConstant(nan);
      }
    }
  };
  const auto fail = [&](index p, pixel_status status, const scratch& w) {
    detail::pixel_features f;
    f.status = status;
    store(p, std::numeric_limits<double>::quiet_NaN(), f, w.norm);
  };
  const auto fit_pixel = [&](index p, scratch& w) {
    if (!options.per_pixel_e0) {
      if constexpr (contiguous) {
        if (stack.derived().innerStride() == 1) {
          const Real* column = stack.derived().data() + p * stack.derived().outerStride();
          store(p, shared_e0, detail::normalize_fixed_pixel(op, column, e, shared_e0, options, w.norm), w.norm);
          return;
        }
      }
      w.y = stack.col(p).template cast<double>();
      store(p, shared_e0, detail::normalize_fixed_pixel(op, w.y.data(), e, shared_e0, options, w.norm), w.norm);
      return;
    }
    w.y = stack.col(p).template cast<double>();
    if (!w.y.allFinite()) {
      fail(p, pixel_status::non_finite_data, w);
      return;
    }
    try {
      const auto r = pre_edge(e, w.y, options.normalization);
      detail::pixel_features f;
      f.step = r.edge_step;
      if (!(f.step > options.min_step)) {
        f.status = pixel_status::no_edge;
      } else {
        detail::edge_features(e, r.norm, r.e0, r.e0_index, detail::white_line_range(e, r.e0, options.white_line_window),
                              options, f.edge_energy, f.white_energy, f.white_height);
        f.status = std::isnan(f.edge_energy) ? pixel_status::no_crossing : pixel_status::ok;
      }
      store(p, r.e0, f, r.norm);
    } catch (const invalid_input&) {
      fail(p, pixel_status::no_edge, w);
    }
  };

  const index block = 4096;
  for (index first = 0; first < pixels; first += block) {
    const index last = std::min(pixels, first + block);
#if defined(_OPENMP)
#pragma omp parallel
#endif
    {
      scratch w{vector_x<double>(n), vector_x<double>(n)};
#if defined(_OPENMP)
#pragma omp for schedule(static)
#endif
      for (index p = first; p < last; ++p) {
        fit_pixel(p, w);
      }
    }
    if (options.progress && !options.progress(last, pixels) && last < pixels) {
      detail::mark_unprocessed(out, last, pixels);
      out.cancelled = true;
      break;
    }
  }
}

/// \brief Normalises every pixel of a XANES stack, as pre_edge() does one spectrum, and maps E0,
/// edge step, edge energy and white line: normalize_stack(energy, stack, options, out) into new
/// maps.
/// \ingroup xas
/// \param energy energies, eV, strictly increasing, at least 16.
/// \param stack μ, energies × pixels, float or double.
/// \param options normalisation, E0 mode, minimum step, fraction, white-line window, output, progress.
/// \returns the maps and per-pixel status.
/// \throws valence::invalid_input as the overload that writes into maps.
template <typename DerivedE, typename DerivedS>
[[nodiscard]] stack_normalization<typename DerivedS::Scalar> normalize_stack(const Eigen::DenseBase<DerivedE>& energy,
                                                                             const Eigen::DenseBase<DerivedS>& stack,
                                                                             const stack_options& options = {}) {
  stack_normalization<typename DerivedS::Scalar> out;
  normalize_stack(energy, stack, options, out);
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_NORMALIZE_STACK_HPP
