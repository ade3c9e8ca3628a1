// SPDX-License-Identifier: MIT
/// \file
/// \brief Soft-XAS normalisation (L edges, O K edge) of TEY, TFY and PFY channels: I0 division, linear
/// pre-edge subtraction and normalisation to the maximum, a post-edge window, the area or min–max.
#ifndef VALENCE_XAS_SOFT_XAS_HPP
#define VALENCE_XAS_SOFT_XAS_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace valence::xas {

/// \brief What a soft-XAS spectrum is normalised to, after the pre-edge line is subtracted.
/// \ingroup xas
enum class soft_normalization {
  maximum,    ///< the largest value is 1 (the Li/Mn-rich study's L-edge convention)
  post_edge,  ///< the mean over the post-edge window is 1 (an edge-jump normalisation)
  area,       ///< the trapezoid integral over the area window is 1 eV (HERFD / flexpes "Area")
  min_max,    ///< the smallest value is 0 and the largest 1
  none        ///< pre-edge subtraction (and I0 division) only
};

/// \brief Options of soft_normalize(). Windows are absolute energies, eV.
/// \ingroup xas
struct soft_xas_options {
  /// Subtract a straight line fitted (least squares) to the pre-edge window.
  bool subtract_pre_edge = true;
  /// Pre-edge window; default the first 5 % of the energy span. Needs at least 2 points.
  std::optional<core::window<double>> pre_edge;
  soft_normalization method = soft_normalization::maximum;  ///< the normalisation
  std::optional<core::window<double>> post_edge;            ///< required by soft_normalization::post_edge
  std::optional<core::window<double>> area;  ///< integration window of soft_normalization::area; default all energies
};

/// \brief A normalised soft-XAS channel: \f$\mathrm{norm} = (y - (c_0 + c_1 (E - E_{\mathrm{first}})) - o)/s\f$.
/// \ingroup xas
struct soft_xas_result {
  vector_x<double> signal;   ///< \f$y\f$: the channel, divided by I0 when I0 was given
  vector_x<double> norm;     ///< the normalised channel
  double pre_intercept = 0;  ///< \f$c_0\f$ at the first energy (0 without pre-edge subtraction)
  double pre_slope = 0;      ///< \f$c_1\f$, per eV
  double offset = 0;         ///< \f$o\f$: the minimum for soft_normalization::min_max, else 0
  double scale = 1;          ///< \f$s\f$: the maximum, post-edge mean, area or range (1 for soft_normalization::none)
};

namespace detail {

template <typename Signal>
soft_xas_result soft_normalize_signal(const char* function, const vector_x<double>& e, Signal&& signal,
                                      const soft_xas_options& options) {
  using core::detail::format_value;
  using core::detail::message;
  const index n = e.size();
  soft_xas_result out;
  out.signal = std::forward<Signal>(signal);
  vector_x<double> y = out.signal;
  if (options.subtract_pre_edge) {
    const auto window =
        options.pre_edge ? *options.pre_edge : core::window<double>{e(0), e(0) + 0.05 * (e(n - 1) - e(0))};
    const auto pre = core::select_window(function, "pre_edge", e, window, 2);
    matrix_x<double> design(pre.size, 2);
    design.col(0).setOnes();
    design.col(1) = e.segment(pre.begin, pre.size).array() - e(0);
    const auto line = fit::least_squares(design, y.segment(pre.begin, pre.size));
    out.pre_intercept = line.coefficients(0);
    out.pre_slope = line.coefficients(1);
    y.array() -= out.pre_intercept + out.pre_slope * (e.array() - e(0));
  }
  // A scale at the rounding level of the data (a maximum of 1e-17 after subtracting a line that
  // passes through every point, for instance) is no edge: dividing by it would be a silent answer.
  const double rounding = 64 * std::numeric_limits<double>::epsilon() * out.signal.cwiseAbs().maxCoeff();
  const auto require_positive = [&](double value, const std::string& what) {
    if (!(value > rounding)) {
      throw invalid_input(message(function, what + " is " + format_value(value) +
                                                "; expected a positive value above the rounding level of the data (" +
                                                format_value(rounding) +
                                                ") to normalise by (an edge above the pre-edge line)"));
    }
  };
  switch (options.method) {
    case soft_normalization::maximum:
      out.scale = y.maxCoeff();
      require_positive(out.scale, "the maximum after pre-edge subtraction");
      break;
    case soft_normalization::post_edge: {
      if (!options.post_edge) {
        throw invalid_input(message(function,
                                    "option 'post_edge' is not set; expected a window for "
                                    "soft_normalization::post_edge"));
      }
      const auto post = core::select_window(function, "post_edge", e, *options.post_edge, 1);
      out.scale = y.segment(post.begin, post.size).mean();
      require_positive(out.scale, "the post-edge mean");
      break;
    }
    case soft_normalization::area: {
      const auto range = core::select_window(function, "area", e,
                                             options.area ? *options.area : core::window<double>{e(0), e(n - 1)}, 2);
      double integral = 0;
      for (index i = range.begin; i + 1 < range.end(); ++i) {
        integral += (e(i + 1) - e(i)) * (y(i) + y(i + 1)) / 2;
      }
      out.scale = integral;
      require_positive(out.scale, "the area");
      break;
    }
    case soft_normalization::min_max:
      out.offset = y.minCoeff();
      out.scale = y.maxCoeff() - out.offset;
      require_positive(out.scale, "the range max - min");
      break;
    case soft_normalization::none:
      break;
  }
  out.norm = (y.array() - out.offset) / out.scale;
  return out;
}

}  // namespace detail

/// \brief Normalises one soft-XAS channel (TEY, TFY, PFY or any other) already divided by I0.
/// \ingroup xas
///
/// Steps, in order: a straight line \f$c_0 + c_1(E - E_{\mathrm{first}})\f$ fitted by fit::least_squares
/// over the pre-edge window is subtracted (unless disabled), then the result is divided by the
/// chosen scale (after subtracting the minimum for min–max). Every channel is treated the same
/// way, so TEY, TFY and PFY of one scan stay comparable; what differs between them (probing depth,
/// self-absorption in TFY) is physics this step does not undo.
///
/// \param energy energies, eV, strictly increasing, at least 3 points.
/// \param signal the channel, same size.
/// \param options pre-edge window, normalisation and its window.
/// \returns the normalised channel with the line, offset and scale used.
/// \throws valence::invalid_input on a size mismatch, non-finite values, unsorted energies, a window
///         with too few points (2 for the pre-edge and area, 1 for the post-edge), a missing post-edge
///         window for soft_normalization::post_edge, or a maximum, post-edge mean, area or range that is not
///         positive above the rounding level of the data (64 ε times its largest magnitude).
///
/// **Reference.** J. Stöhr, *NEXAFS Spectroscopy*, Springer (1992), ch. 5 (normalisation of
/// electron- and fluorescence-yield spectra).
template <typename DerivedE, typename DerivedS>
[[nodiscard]] soft_xas_result soft_normalize(const Eigen::DenseBase<DerivedE>& energy,
                                             const Eigen::DenseBase<DerivedS>& signal,
                                             const soft_xas_options& options = {}) {
  constexpr const char* function = "valence::xas::soft_normalize";
  core::check_abscissa(function, "energy", energy, 3);
  core::check_same_size(function, "signal", signal, "energy", energy);
  core::check_finite(function, "signal", signal);
  const vector_x<double> e = energy.derived().template cast<double>();
  return detail::soft_normalize_signal(function, e, vector_x<double>(signal.derived().template cast<double>()),
                                       options);
}

/// \brief Normalises one soft-XAS channel measured with its incident flux: divides by I0, then as
/// soft_normalize(energy, signal, options).
/// \ingroup xas
/// \param energy energies, eV, strictly increasing, at least 3 points.
/// \param signal the raw channel (drain current, fluorescence counts), same size.
/// \param i0 the incident-flux monitor, same size, positive.
/// \param options as the other overload.
/// \returns as the other overload; `signal` holds \f$y/I_0\f$.
/// \throws valence::invalid_input as the other overload, or for an I0 value that is not positive and finite.
template <typename DerivedE, typename DerivedS, typename DerivedI>
[[nodiscard]] soft_xas_result soft_normalize(const Eigen::DenseBase<DerivedE>& energy,
                                             const Eigen::DenseBase<DerivedS>& signal,
                                             const Eigen::DenseBase<DerivedI>& i0,
                                             const soft_xas_options& options = {}) {
  constexpr const char* function = "valence::xas::soft_normalize";
  core::check_abscissa(function, "energy", energy, 3);
  core::check_same_size(function, "signal", signal, "energy", energy);
  core::check_same_size(function, "i0", i0, "energy", energy);
  core::check_finite(function, "signal", signal);
  core::check_positive(function, "i0", i0);
  const vector_x<double> e = energy.derived().template cast<double>();
  return detail::soft_normalize_signal(
      function, e,
      vector_x<double>(signal.derived().template cast<double>().cwiseQuotient(i0.derived().template cast<double>())),
      options);
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_SOFT_XAS_HPP
