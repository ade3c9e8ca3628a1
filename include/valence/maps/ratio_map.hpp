// SPDX-License-Identifier: MIT
/// \file
/// \brief Ratio maps of two count maps (e.g. XRF Mn Kα over Ni Kα) with Poisson errors and a mask.
#ifndef VALENCE_MAPS_RATIO_MAP_HPP
#define VALENCE_MAPS_RATIO_MAP_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace valence::maps {

/// \defgroup maps Maps
/// \brief Two-dimensional map tools shared by XRF, valence and fraction maps: ratio maps with
/// Poisson errors and masks, line profiles across an image.

/// \brief Why a pixel of a ratio map has no value.
/// \ingroup maps
enum class ratio_status : std::uint8_t {
  ok,               ///< ratio and error computed
  below_threshold,  ///< the denominator (or the total) is below the options' threshold
  non_finite        ///< a count or a variance is NaN or infinite
};

/// \brief Options of ratio_map().
/// \ingroup maps
struct ratio_map_options {
  /// Pixels whose denominator is below this are masked (a ratio of a few counts is noise; 0 keeps
  /// every pixel with a positive denominator).
  double min_denominator = 10;
  /// Pixels whose numerator + denominator is below this are masked (outside the particle).
  double min_total = 0;
  /// Variances of the numerator, one per pixel (e.g. after background subtraction); empty: the
  /// counts themselves (Poisson), at least 1 (see ratio_map()).
  matrix_d numerator_variance;
  /// Variances of the denominator, as numerator_variance.
  matrix_d denominator_variance;
};

/// \brief The result of ratio_map(): maps indexed (row, column) as the inputs.
/// \ingroup maps
struct ratio_map_result {
  matrix_d ratio;  ///< \f$N/D\f$; NaN where masked
  matrix_d error;  ///< standard error of the ratio; NaN where masked
  Eigen::Matrix<ratio_status, Eigen::Dynamic, Eigen::Dynamic> status;  ///< per pixel
  index masked = 0;                                                    ///< pixels without a value

  /// \brief The number of pixels with a value.
  /// \returns pixels whose status is ok.
  [[nodiscard]] index valid() const noexcept { return ratio.size() - masked; }
};

/// \brief The ratio of two count maps, pixel by pixel, with its Poisson error:
/// \f$r = N/D\f$, \f$\sigma_r = r\sqrt{\sigma_N^2/N^2 + \sigma_D^2/D^2}\f$ written as
/// \f$\sqrt{\sigma_N^2 + r^2\sigma_D^2}/D\f$ (defined at \f$N = 0\f$).
/// \ingroup maps
///
/// Variances are the counts unless given, with a floor of 1: a Poisson count of 0 or 1 says its
/// mean is about 1, not 0, so a pixel with no counts in the numerator still gets an error. The
/// errors are first order (the ratio's distribution is skewed when D is a few counts: the
/// threshold keeps such pixels out). Masked pixels get NaN and a status; the rest are computed.
/// \param numerator, denominator counts (or background-subtracted intensities with their
///        variances in the options), the same shape.
/// \param options thresholds and optional variances.
/// \returns the ratio, its error and a status per pixel.
/// \throws valence::invalid_input for maps of different shapes, variance maps of another shape or
///         with negative values, or negative thresholds.
template <class = void>
[[nodiscard]] ratio_map_result ratio_map(const matrix_ref& numerator, const matrix_ref& denominator,
                                         const ratio_map_options& options = {}) {
  constexpr const char* function = "valence::maps::ratio_map";
  const auto same_shape = [&](const char* name, const matrix_ref& m) {
    if (m.rows() != numerator.rows() || m.cols() != numerator.cols()) {
      throw invalid_input(core::detail::message(
          function, std::string("parameter '") + name + "' is " + std::to_string(m.rows()) + " x " +
                        std::to_string(m.cols()) + "; expected " + std::to_string(numerator.rows()) + " x " +
                        std::to_string(numerator.cols()) + " (the numerator's shape)"));
    }
  };
  same_shape("denominator", denominator);
  const bool given_n = options.numerator_variance.size() != 0;
  const bool given_d = options.denominator_variance.size() != 0;
  if (given_n) {
    same_shape("numerator_variance", options.numerator_variance);
  }
  if (given_d) {
    same_shape("denominator_variance", options.denominator_variance);
  }
  for (const auto& [name, value] : {std::pair<const char*, double>{"min_denominator", options.min_denominator},
                                    std::pair<const char*, double>{"min_total", options.min_total}}) {
    if (!(value >= 0) || !std::isfinite(value)) {
      throw invalid_input(core::detail::message(function, std::string("option '") + name + "' is " +
                                                              core::detail::format_value(value) +
                                                              "; expected a finite threshold >= 0"));
    }
  }
  const index rows = numerator.rows();
  const index cols = numerator.cols();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ratio_map_result out{matrix_d::Constant(rows, cols, nan), matrix_d::Constant(rows, cols, nan),
                       decltype(ratio_map_result::status)::Constant(rows, cols, ratio_status::ok), 0};
  for (index c = 0; c < cols; ++c) {
    for (index r = 0; r < rows; ++r) {
      const double n = numerator(r, c);
      const double d = denominator(r, c);
      const double vn = given_n ? options.numerator_variance(r, c) : std::max(n, 1.0);
      const double vd = given_d ? options.denominator_variance(r, c) : std::max(d, 1.0);
      if ((given_n && vn < 0) || (given_d && vd < 0)) {
        throw invalid_input(core::detail::message(
            function, "a variance at (" + std::to_string(r) + ", " + std::to_string(c) + ") is negative (" +
                          core::detail::format_value(given_n && vn < 0 ? vn : vd) + "); expected variances >= 0"));
      }
      if (!std::isfinite(n) || !std::isfinite(d) || !std::isfinite(vn) || !std::isfinite(vd)) {
        out.status(r, c) = ratio_status::non_finite;
        ++out.masked;
        continue;
      }
      if (!(d > 0) || d < options.min_denominator || n + d < options.min_total) {
        out.status(r, c) = ratio_status::below_threshold;
        ++out.masked;
        continue;
      }
      const double ratio = n / d;
      out.ratio(r, c) = ratio;
      out.error(r, c) = std::sqrt(vn + ratio * ratio * vd) / d;
    }
  }
  return out;
}

/// \brief The name of a ratio_status.
/// \ingroup maps
/// \param s a status. \returns "ok", "below_threshold" or "non_finite".
inline const char* to_string(ratio_status s) noexcept {
  switch (s) {
    case ratio_status::ok:
      return "ok";
    case ratio_status::below_threshold:
      return "below_threshold";
    default:
      return "non_finite";
  }
}

}  // namespace valence::maps

#endif  // VALENCE_MAPS_RATIO_MAP_HPP
