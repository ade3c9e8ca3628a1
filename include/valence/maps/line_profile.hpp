// SPDX-License-Identifier: MIT
/// \file
/// \brief Line profiles across a map: bilinear samples along a segment, averaged over a width,
/// with errors propagated exactly from a per-pixel error map.
#ifndef VALENCE_MAPS_LINE_PROFILE_HPP
#define VALENCE_MAPS_LINE_PROFILE_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace valence::maps {

/// \brief A point of a map in pixel coordinates: x along columns, y along rows, pixel (r, c)
/// centred at (x, y) = (c, r).
/// \ingroup maps
struct map_point {
  double x = 0;  ///< column coordinate, pixels
  double y = 0;  ///< row coordinate, pixels
};

/// \brief Options of line_profile().
/// \ingroup maps
struct line_profile_options {
  double width = 1;  ///< pixels across the line averaged at each point (samples 1 pixel apart), ≥ 1
  double step = 1;   ///< pixels between points along the line, > 0
};

/// \brief The result of line_profile().
/// \ingroup maps
struct line_profile_result {
  vector_d distance;  ///< pixels from the start along the line
  vector_d value;     ///< mean of the valid samples across the width; NaN where none is valid
  vector_d error;     ///< standard error from the error map (exact: shared pixels counted once); NaN without one
  vector_d x;         ///< the points on the line: column coordinate, pixels
  vector_d y;         ///< the points on the line: row coordinate, pixels
  std::vector<index> samples;  ///< valid samples averaged at each point
};

/// \brief Samples a map along the segment from \p start to \p end, each point the mean of samples
/// spread across the line over \p width pixels, each sample the bilinear interpolation of the four
/// pixels around it.
/// \ingroup maps
///
/// A sample is valid when its four pixels are inside the map and finite (masked pixels, NaN, are
/// left out, as in ratio_map()). Each point is then a weighted sum of pixels,
/// \f$v = \sum_p c_p I_p\f$, so its error is \f$\sqrt{\sum_p c_p^2\sigma_p^2}\f$ with the pixel
/// errors independent: neighbouring samples share pixels, and the sum over pixels counts each share
/// once (averaging across the width does not pretend to more independent data than it reads).
/// \param image the map, (row, column).
/// \param error per-pixel standard errors of the same shape, or an empty matrix for none.
/// \param start, end the segment's ends, pixel coordinates (see map_point).
/// \param options width across and step along.
/// \returns the profile.
/// \throws valence::invalid_input for an error map of another shape, non-finite or coincident
///         ends, a width below 1, a step not positive, or a segment whose every point lies outside
///         the map.
template <class = void>
[[nodiscard]] line_profile_result line_profile(const matrix_ref& image, const matrix_ref& error, map_point start,
                                               map_point end, const line_profile_options& options = {}) {
  constexpr const char* function = "valence::maps::line_profile";
  const auto fail = [&](const std::string& what) { throw invalid_input(core::detail::message(function, what)); };
  const bool with_errors = error.size() != 0;
  if (with_errors && (error.rows() != image.rows() || error.cols() != image.cols())) {
    fail("parameter 'error' is " + std::to_string(error.rows()) + " x " + std::to_string(error.cols()) +
         "; expected the image's " + std::to_string(image.rows()) + " x " + std::to_string(image.cols()) + " or empty");
  }
  const double length = std::hypot(end.x - start.x, end.y - start.y);
  if (!std::isfinite(length) || !(length > 0)) {
    fail("the segment from (" + core::detail::format_value(start.x) + ", " + core::detail::format_value(start.y) +
         ") to (" + core::detail::format_value(end.x) + ", " + core::detail::format_value(end.y) +
         ") has no length; expected two distinct finite points");
  }
  if (!(options.width >= 1) || !std::isfinite(options.width)) {
    fail("option 'width' is " + core::detail::format_value(options.width) + " pixels; expected a finite width >= 1");
  }
  if (!(options.step > 0) || !std::isfinite(options.step)) {
    fail("option 'step' is " + core::detail::format_value(options.step) + " pixels; expected a finite step > 0");
  }
  const double ux = (end.x - start.x) / length;  // along
  const double uy = (end.y - start.y) / length;
  const index points = static_cast<index>(std::floor(length / options.step + 1e-9)) + 1;
  const index across = std::max<index>(1, static_cast<index>(std::floor(options.width + 1e-9)));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  line_profile_result out{vector_d(points),
                          vector_d::Constant(points, nan),
                          vector_d::Constant(points, nan),
                          vector_d(points),
                          vector_d(points),
                          std::vector<index>(static_cast<std::size_t>(points), 0)};
  std::vector<std::pair<index, double>> weights;  // (pixel, coefficient) of one point
  index defined = 0;
  for (index k = 0; k < points; ++k) {
    const double t = double(k) * options.step;
    const double cx = start.x + t * ux;
    const double cy = start.y + t * uy;
    out.distance(k) = t;
    out.x(k) = cx;
    out.y(k) = cy;
    weights.clear();
    double sum = 0;
    index valid = 0;
    for (index a = 0; a < across; ++a) {
      const double offset = double(a) - 0.5 * double(across - 1);
      const double x = cx - offset * uy;  // perpendicular: (-uy, ux)
      const double y = cy + offset * ux;
      const double fx = std::floor(x);
      const double fy = std::floor(y);
      if (!(fx >= 0 && fy >= 0 && fx <= double(image.cols() - 1) && fy <= double(image.rows() - 1))) {
        continue;
      }
      const auto c0 = static_cast<index>(fx);
      const auto r0 = static_cast<index>(fy);
      const index c1 = std::min(c0 + 1, image.cols() - 1);
      const index r1 = std::min(r0 + 1, image.rows() - 1);
      const double wx = x - fx;
      const double wy = y - fy;
      const std::pair<index, double> corners[4] = {{c0 * image.rows() + r0, (1 - wx) * (1 - wy)},
                                                   {c1 * image.rows() + r0, wx * (1 - wy)},
                                                   {c0 * image.rows() + r1, (1 - wx) * wy},
                                                   {c1 * image.rows() + r1, wx * wy}};
      bool finite = true;
      double sample = 0;
      for (const auto& [pixel, w] : corners) {
        const double v = image(pixel % image.rows(), pixel / image.rows());
        const double e = with_errors ? error(pixel % image.rows(), pixel / image.rows()) : 0.0;
        if (w > 0 && (!std::isfinite(v) || !std::isfinite(e))) {
          finite = false;
        }
        sample += w > 0 ? w * v : 0.0;
      }
      if (!finite) {
        continue;
      }
      sum += sample;
      ++valid;
      for (const auto& corner : corners) {
        if (corner.second > 0) {
          weights.push_back(corner);
        }
      }
    }
    out.samples[static_cast<std::size_t>(k)] = valid;
    if (valid == 0) {
      continue;
    }
    ++defined;
    out.value(k) = sum / double(valid);
    if (with_errors) {
      std::sort(weights.begin(), weights.end());
      double variance = 0;
      for (std::size_t i = 0; i < weights.size();) {
        double c = 0;
        const index pixel = weights[i].first;
        for (; i < weights.size() && weights[i].first == pixel; ++i) {
          c += weights[i].second;
        }
        c /= double(valid);
        const double e = error(pixel % image.rows(), pixel / image.rows());
        variance += c * c * e * e;
      }
      out.error(k) = std::sqrt(variance);
    }
  }
  if (defined == 0) {
    fail("no point of the segment from (" + core::detail::format_value(start.x) + ", " +
         core::detail::format_value(start.y) + ") to (" + core::detail::format_value(end.x) + ", " +
         core::detail::format_value(end.y) + ") has a valid sample in the " + std::to_string(image.rows()) + " x " +
         std::to_string(image.cols()) + " map; expected a segment across it");
  }
  return out;
}

}  // namespace valence::maps

#endif  // VALENCE_MAPS_LINE_PROFILE_HPP
