// SPDX-License-Identifier: MIT
/// \file
/// \brief MLLS at every pixel of a spectrum image: coefficient ("valence") maps with their errors,
/// fraction maps, power-law maps and fit statistics, with a status per pixel.
#ifndef VALENCE_EELS_SPECTRUM_IMAGE_HPP
#define VALENCE_EELS_SPECTRUM_IMAGE_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/detail/parallel.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/eels/mlls.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace valence::eels {

/// \brief A read-only view of a spectrum image: `rows × cols` pixels of `channels` values each,
/// at any strides (in elements), so that `[y][x][E]` arrays (HyperSpy, NumPy), DM files (x
/// fastest, energy slowest: energy_planes()) and channel-major stacks are all read in place.
/// \ingroup eels
/// \tparam T float or double.
template <typename T>
struct spectrum_image_view {
  static_assert(std::is_floating_point_v<T>, "valence::eels::spectrum_image_view holds float or double");
  const T* data = nullptr;   ///< element (0, 0, 0)
  index rows = 0;            ///< pixels along y
  index cols = 0;            ///< pixels along x
  index channels = 0;        ///< energy channels per pixel
  index row_stride = 0;      ///< elements from (y, x, c) to (y + 1, x, c)
  index col_stride = 0;      ///< elements from (y, x, c) to (y, x + 1, c)
  index channel_stride = 1;  ///< elements from (y, x, c) to (y, x, c + 1)

  /// \brief A contiguous `[y][x][E]` cube (energy fastest), the layout of HyperSpy's arrays.
  /// \param data first element; \param rows, cols, channels the sizes. \returns the view.
  static spectrum_image_view contiguous(const T* data, index rows, index cols, index channels) {
    return {data, rows, cols, channels, cols * channels, channels, 1};
  }
  /// \brief A contiguous `[E][y][x]` cube (one image per channel, x fastest), the layout of DM
  /// spectrum images (io::read_dm_data returns their values in this order).
  /// \param data first element; \param rows, cols, channels the sizes. \returns the view.
  static spectrum_image_view energy_planes(const T* data, index rows, index cols, index channels) {
    return {data, rows, cols, channels, cols, 1, rows * cols};
  }
  /// \brief The value at pixel (\p y, \p x), channel \p c.
  /// \param y row; \param x column; \param c channel. \returns the value.
  T operator()(index y, index x, index c) const { return data[y * row_stride + x * col_stride + c * channel_stride]; }
};

/// \brief The mean spectrum of the pixels of a region (e.g. the surface, transition zone or bulk
/// of a particle), to serve as an MLLS reference or to compare regions.
/// \ingroup eels
///
/// Pixels whose spectrum is not finite are left out and not counted.
/// \tparam T float or double.
/// \param cube the spectrum image. \param mask rows × cols; nonzero marks the region.
/// \param[out] pixels if not null, receives the number of pixels averaged.
/// \returns the mean spectrum (one value per channel).
/// \throws valence::invalid_input for a null or empty view, a mask of another shape, or a region
///         without a finite pixel.
template <typename T>
[[nodiscard]] vector_d region_mean(const spectrum_image_view<T>& cube,
                                   const Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>& mask,
                                   index* pixels = nullptr) {
  constexpr const char* function = "valence::eels::region_mean";
  if (cube.data == nullptr || cube.rows < 1 || cube.cols < 1 || cube.channels < 1) {
    throw invalid_input(core::detail::message(function, "parameter 'cube' is empty; expected a spectrum image"));
  }
  if (mask.rows() != cube.rows || mask.cols() != cube.cols) {
    throw invalid_input(core::detail::message(
        function, "parameter 'mask' is " + std::to_string(mask.rows()) + " x " + std::to_string(mask.cols()) +
                      " but the cube has " + std::to_string(cube.rows) + " x " + std::to_string(cube.cols) +
                      " pixels; expected one entry per pixel"));
  }
  vector_d sum = vector_d::Zero(cube.channels);
  vector_d spectrum(cube.channels);
  index count = 0;
  for (index y = 0; y < cube.rows; ++y) {
    for (index x = 0; x < cube.cols; ++x) {
      if (!mask(y, x)) {
        continue;
      }
      for (index c = 0; c < cube.channels; ++c) {
        spectrum(c) = static_cast<double>(cube(y, x, c));
      }
      if (spectrum.allFinite()) {
        sum += spectrum;
        ++count;
      }
    }
  }
  if (count == 0) {
    throw invalid_input(
        core::detail::message(function, "the region holds no pixel with a finite spectrum; expected at least one"));
  }
  if (pixels != nullptr) {
    *pixels = count;
  }
  return sum / double(count);
}

/// \brief A spectrum image owned in memory, contiguous `[y][x][E]` (what bin_spectrum_image() makes).
/// \ingroup eels
struct spectrum_image {
  std::vector<double> data;  ///< rows · cols · channels values, energy fastest
  index rows = 0;            ///< pixels along y
  index cols = 0;            ///< pixels along x
  index channels = 0;        ///< channels per pixel
  /// \brief A view for fit_spectrum_image() and region_mean(). \returns the contiguous view.
  [[nodiscard]] spectrum_image_view<double> view() const {
    return spectrum_image_view<double>::contiguous(data.data(), rows, cols, channels);
  }
};

/// \brief Sums blocks of \p by × \p bx pixels, trading resolution for counts (sums keep Poisson
/// statistics, which mlls_weighting::poisson assumes).
/// \ingroup eels
///
/// Rows and columns beyond the last whole block are left out. A block with a non-finite value
/// yields a non-finite spectrum, which fit_spectrum_image() then flags.
/// \tparam T float or double.
/// \param cube the spectrum image. \param by, bx block size in pixels, \f$\ge 1\f$.
/// \returns the binned image, \f$\lfloor rows/by\rfloor \times \lfloor cols/bx\rfloor\f$ pixels.
/// \throws valence::invalid_input for a null or empty view, or a block size below 1 or larger than
///         the image.
template <typename T>
[[nodiscard]] spectrum_image bin_spectrum_image(const spectrum_image_view<T>& cube, index by, index bx) {
  constexpr const char* function = "valence::eels::bin_spectrum_image";
  if (cube.data == nullptr || cube.rows < 1 || cube.cols < 1 || cube.channels < 1) {
    throw invalid_input(core::detail::message(function, "parameter 'cube' is empty; expected a spectrum image"));
  }
  if (by < 1 || bx < 1 || by > cube.rows || bx > cube.cols) {
    throw invalid_input(core::detail::message(function, "block " + std::to_string(by) + " x " + std::to_string(bx) +
                                                            " for an image of " + std::to_string(cube.rows) + " x " +
                                                            std::to_string(cube.cols) +
                                                            " pixels; expected 1 <= block <= image in each direction"));
  }
  spectrum_image out;
  out.rows = cube.rows / by;
  out.cols = cube.cols / bx;
  out.channels = cube.channels;
  out.data.assign(static_cast<std::size_t>(out.rows * out.cols * out.channels), 0.0);
  for (index y = 0; y < out.rows * by; ++y) {
    for (index x = 0; x < out.cols * bx; ++x) {
      double* target = out.data.data() + ((y / by) * out.cols + x / bx) * out.channels;
      for (index c = 0; c < cube.channels; ++c) {
        target[c] += static_cast<double>(cube(y, x, c));
      }
    }
  }
  return out;
}

/// \brief Outcome per pixel of fit_spectrum_image().
/// \ingroup eels
enum class pixel_status : std::uint8_t {
  ok,                 ///< fitted
  non_finite,         ///< the pixel's spectrum holds NaN or infinity
  background_failed,  ///< its power law cannot be fitted (non-positive counts in the background window)
  singular,           ///< its model is rank deficient over the fit window
  cancelled           ///< not processed: the progress callback cancelled the run
};

/// \brief The name of a pixel_status, e.g. `"background_failed"`.
/// \ingroup eels
/// \param status the status. \returns a static string.
[[nodiscard]] constexpr const char* to_string(pixel_status status) noexcept {
  switch (status) {
    case pixel_status::ok:
      return "ok";
    case pixel_status::non_finite:
      return "non_finite";
    case pixel_status::background_failed:
      return "background_failed";
    case pixel_status::singular:
      return "singular";
    case pixel_status::cancelled:
      return "cancelled";
  }
  return "unknown";
}

/// \brief Maps produced by fit_spectrum_image(); every map is rows × cols, NaN where the pixel
/// failed.
/// \ingroup eels
struct spectrum_image_fit {
  std::vector<matrix_d> coefficients;     ///< one map per model term, in mlls_result order
  std::vector<matrix_d> standard_errors;  ///< one map per model term
  std::vector<matrix_d> fractions;        ///< one map per reference: \f$\beta_i/\sum\beta\f$
  std::vector<matrix_d> fraction_errors;  ///< one map per reference
  matrix_d amplitude;                     ///< power-law \f$A\f$ (NaN without background)
  matrix_d exponent;                      ///< power-law \f$r\f$ (NaN without background)
  matrix_d chi_square;                    ///< \f$\chi^2\f$
  matrix_d reduced_chi_square;            ///< \f$\chi^2/(m - p)\f$
  matrix_d r_factor;                      ///< \f$\sum r^2/\sum y^2\f$
  std::vector<pixel_status> status;       ///< per pixel, row-major: pixel (y, x) at y · cols + x
  bool cancelled = false;                 ///< the progress callback stopped the run
  /// \brief The status of pixel (\p row, \p col), indexed as the maps are.
  /// \param row, col the pixel, 0 ≤ row < rows and 0 ≤ col < cols of the maps.
  /// \returns its status. \throws valence::invalid_input for a pixel outside the image.
  [[nodiscard]] pixel_status status_at(index row, index col) const {
    const index rows = chi_square.rows();
    const index cols = chi_square.cols();
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      throw invalid_input(core::detail::message("valence::eels::spectrum_image_fit::status_at",
                                                "pixel (" + std::to_string(row) + ", " + std::to_string(col) +
                                                    ") is outside the " + std::to_string(rows) + " x " +
                                                    std::to_string(cols) + " image"));
    }
    return status[static_cast<std::size_t>(row * cols + col)];
  }
  /// \brief Number of pixels that were not fitted. \returns the count of status ≠ ok.
  [[nodiscard]] index failed() const {
    return static_cast<index>(
        std::count_if(status.begin(), status.end(), [](pixel_status s) { return s != pixel_status::ok; }));
  }
};

namespace detail {

// The cache lines of each run of channels a pixel's fit reads, the background window's first (the
// fit reads it first), from each run's first channel's line to its last's, as addresses to
// prefetch (null when the channels are strided, the whole spectrum is read or the run is empty).
// The caller issues the prefetches in its own loop: a function that only prefetches is "pure" to
// GCC's interprocedural analysis, and calls to it are deleted.
struct channel_lines {
  const char* first[2] = {nullptr, nullptr};
  const char* last[2] = {nullptr, nullptr};
};

template <typename T>
channel_lines lines_of(const spectrum_image_view<T>& cube, index y, index x, const mlls_plan& plan) {
  channel_lines lines;
  if (cube.channel_stride != 1 || plan.whole_spectrum) {
    return lines;
  }
  const auto* spectrum = reinterpret_cast<const char*>(cube.data + y * cube.row_stride + x * cube.col_stride);
  const core::index_range runs[2] = {plan.background, plan.window};
  for (int r = 0; r < 2; ++r) {
    if (runs[r].size == 0) {  // no background window
      continue;
    }
    lines.first[r] = spectrum + runs[r].begin * static_cast<index>(sizeof(T));
    lines.last[r] = spectrum + (runs[r].end() - 1) * static_cast<index>(sizeof(T));
  }
  return lines;
}

// Sizes `out` for a rows × cols image of `terms` model terms and `k` references, leaving the
// values unset: Eigen reallocates only when a size changes, so maps reused from image to image
// (or block to block) are allocated and first touched once.
template <class = void>
void resize_maps(spectrum_image_fit& out, index rows, index cols, index terms, index k) {
  const auto resize_all = [&](std::vector<matrix_d>& maps, index count) {
    maps.resize(static_cast<std::size_t>(count));
    for (auto& map : maps) {
      map.resize(rows, cols);
    }
  };
  resize_all(out.coefficients, terms);
  resize_all(out.standard_errors, terms);
  resize_all(out.fractions, k);
  resize_all(out.fraction_errors, k);
  for (matrix_d* map : {&out.amplitude, &out.exponent, &out.chi_square, &out.reduced_chi_square, &out.r_factor}) {
    map->resize(rows, cols);
  }
  out.status.resize(static_cast<std::size_t>(rows * cols));
  out.cancelled = false;
}

// Every map of pixel (y, x) NaN and its status `status`.
template <class = void>
void mark_pixel(spectrum_image_fit& out, index y, index x, pixel_status status) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto* maps : {&out.coefficients, &out.standard_errors, &out.fractions, &out.fraction_errors}) {
    for (auto& map : *maps) {
      map(y, x) = nan;
    }
  }
  for (matrix_d* map : {&out.amplitude, &out.exponent, &out.chi_square, &out.reduced_chi_square, &out.r_factor}) {
    (*map)(y, x) = nan;
  }
  out.status[static_cast<std::size_t>(y * out.chi_square.cols() + x)] = status;
}

}  // namespace detail

/// \brief mlls() at every pixel of a spectrum image, in parallel with OpenMP, into maps the
/// caller keeps.
/// \ingroup eels
///
/// The axis, references, windows and options are checked and prepared once; each pixel's
/// channels are read through the view (converted to double), fitted exactly as mlls() fits one
/// spectrum, and written to the maps. Only the channels the fit uses are read: the fit window
/// and the two-area background window (the whole spectrum for the iterative power-law
/// estimators). A pixel with a non-finite value among them, whose power law fails or whose model
/// is singular gets its status and NaN in the maps; the others are still fitted. Without
/// non-negativity and with the two-area (default) or no background, no pixel allocates memory:
/// each task of 256 pixels (8 rows by 32 columns) shares one workspace.
/// \tparam T float or double.
/// \param energy energy loss, eV, one per channel.
/// \param cube the spectrum image; see spectrum_image_view.
/// \param references one column per reference spectrum, one row per channel.
/// \param options as for mlls().
/// \param progress called for each row of pixels, in order, with (pixels done, total), once the
///        band of eight rows that holds it is fitted; returning false cancels the run: the pixels
///        of the later rows are flagged cancelled and the maps are returned.
/// \param[out] out the maps and statuses, resized to the image. Their storage is kept when the
///        sizes match, so a pipeline that fits image after image into the same maps allocates
///        them, and the system maps their pages, once (docs/performance.md: in double 0.77 – 0.85
///        of the memory floor in the median against 0.66 – 0.79 into new maps; in float about
///        the same either way).
///        Left unchanged when the call throws.
/// \throws valence::invalid_input for a null or empty view, `energy` not matching the channels,
///         and everything mlls() rejects in its axis, references, windows and options.
///
/// **Accuracy.** Every pixel equals mlls() on its spectrum exactly (tests/eels/test_spectrum_image.cpp).
/// Complexity: one power-law fit and one least-squares solve per pixel.
template <typename T>
void fit_spectrum_image(const vector_ref& energy, const spectrum_image_view<T>& cube, const matrix_ref& references,
                        const mlls_options& options, spectrum_image_fit& out,
                        const std::function<bool(index, index)>& progress = {}) {
  constexpr const char* function = "valence::eels::fit_spectrum_image";
  if (cube.data == nullptr || cube.rows < 1 || cube.cols < 1 || cube.channels < 1) {
    throw invalid_input(core::detail::message(
        function, "parameter 'cube' is " + std::to_string(cube.rows) + " x " + std::to_string(cube.cols) + " x " +
                      std::to_string(cube.channels) + (cube.data == nullptr ? " with no data" : "") +
                      "; expected a non-empty spectrum image"));
  }
  if (energy.size() != cube.channels) {
    throw invalid_input(core::detail::message(
        function, "parameter 'energy' has " + std::to_string(energy.size()) + " values but the cube has " +
                      std::to_string(cube.channels) + " channels; expected one energy per channel"));
  }
  const auto plan = detail::make_mlls_plan(function, energy, references, options);
  const index k = plan.k;
  const index terms = plan.terms;
  // Nothing below throws invalid_input: `out` changes only from here on. Every value of every
  // pixel is written (NaN where it failed), so the maps are not cleared first.
  detail::resize_maps(out, cube.rows, cube.cols, terms, k);
  const auto fit_pixel = [&](index y, index x, detail::mlls_workspace& ws) {
    const auto p = static_cast<std::size_t>(y * cube.cols + x);
    const detail::channels_view<T> spectrum{cube.data + y * cube.row_stride + x * cube.col_stride, cube.channel_stride};
    const auto outcome = detail::solve_mlls(plan, spectrum, ws);
    if (outcome != detail::mlls_outcome::ok) {
      detail::mark_pixel(out, y, x,
                         outcome == detail::mlls_outcome::non_finite          ? pixel_status::non_finite
                         : outcome == detail::mlls_outcome::background_failed ? pixel_status::background_failed
                                                                              : pixel_status::singular);
      return;
    }
    for (index j = 0; j < terms; ++j) {
      out.coefficients[static_cast<std::size_t>(j)](y, x) = ws.coefficients(j);
      out.standard_errors[static_cast<std::size_t>(j)](y, x) = ws.standard_errors(j);
    }
    for (index j = 0; j < k; ++j) {
      out.fractions[static_cast<std::size_t>(j)](y, x) = ws.fractions(j);
      out.fraction_errors[static_cast<std::size_t>(j)](y, x) = ws.fraction_errors(j);
    }
    out.amplitude(y, x) = ws.power_law.amplitude;
    out.exponent(y, x) = ws.power_law.exponent;
    out.chi_square(y, x) = ws.chi_square;
    out.reduced_chi_square(y, x) = ws.reduced_chi_square;
    out.r_factor(y, x) = ws.r_factor;
    out.status[p] = pixel_status::ok;
  };
  // The image is fitted in bands of eight rows, and each band in tiles of 32 columns, one task per
  // tile through its own workspace (the workspaces are the only allocations, one per task, never one
  // per pixel). The maps are column-major: a column's eight values of a band share a cache line of
  // each map, so a tile writes 32 lines of each of its fifteen maps, eight times each, while they
  // stay in cache. Row by row, a 256-column image wrote 3840 lines per row and came back to them a
  // row later. Per pixel, float / double, bench_spectrum_image's cube, maps reused, medians of five
  // runs on the development machine: rows 0.77 / 1.07 us, bands walked column by column 0.71 /
  // 0.90 us, tiles walked row by row 0.69 / 0.83 us (neighbouring pixels, neighbouring memory).
  constexpr index band = 8;
  constexpr index run = 32;
  const index runs = (cube.cols + run - 1) / run;
  const index pixels = cube.rows * cube.cols;
  for (index top = 0; top < cube.rows; top += band) {
    const index bottom = std::min(top + band, cube.rows);
    core::detail::for_each_in_parallel(static_cast<std::size_t>(runs), [&](std::size_t r) {
      detail::mlls_workspace ws(plan);
      const index first = static_cast<index>(r) * run;
      const index last = std::min(first + run, cube.cols);
      for (index y = top; y < bottom; ++y) {
        for (index x = first; x < last; ++x) {
          // Asks the memory system for the channels the next pixel's fit reads while this one is
          // fitted: they are a few hundred values out of a long spectrum, runs too short for the
          // hardware prefetcher to follow from a standing start. Into the second-level cache
          // (locality 2): prefetches into the first level held its few miss buffers, and the fit
          // stalled on them (0.97 against 0.85 us per pixel, float). At most twenty lines a pixel,
          // the background's first, then the window's leading lines, from which the hardware
          // prefetcher follows: a double pixel reads forty, and prefetching them all cost 0.83
          // against 0.77 us (float, 21 lines, is unchanged). bench_spectrum_image's cube, medians
          // of seven runs on the development machine.
#if defined(__GNUC__)
          const bool across = x + 1 < last;
          if (across || y + 1 < bottom) {
            const auto lines = detail::lines_of(cube, across ? y : y + 1, across ? x + 1 : first, plan);
            int budget = 20;
            for (int run_of = 0; run_of < 2; ++run_of) {
              if (lines.first[run_of] == nullptr) {
                continue;
              }
              for (const char* line = lines.first[run_of]; line < lines.last[run_of] && budget > 0;
                   line += 64, --budget) {
                __builtin_prefetch(line, 0, 2);
              }
              if (budget > 0) {  // the last line, when the run does not start on a line
                __builtin_prefetch(lines.last[run_of], 0, 2);
                --budget;
              }
            }
          }
#endif
          fit_pixel(y, x, ws);
        }
      }
    });
    // Progress by rows, as documented, once the band's rows are done.
    for (index row = top; row < bottom; ++row) {
      const index done = (row + 1) * cube.cols;
      if (progress && !progress(done, pixels) && done < pixels) {
        for (index later = row + 1; later < cube.rows; ++later) {
          for (index x = 0; x < cube.cols; ++x) {
            detail::mark_pixel(out, later, x, pixel_status::cancelled);
          }
        }
        out.cancelled = true;
        return;
      }
    }
  }
}

/// \brief mlls() at every pixel of a spectrum image, in parallel with OpenMP:
/// fit_spectrum_image(energy, cube, references, options, out, progress) into new maps.
/// \ingroup eels
/// \tparam T float or double.
/// \param energy energy loss, eV, one per channel.
/// \param cube the spectrum image; see spectrum_image_view.
/// \param references one column per reference spectrum, one row per channel.
/// \param options as for mlls().
/// \param progress called for each row of pixels, in order, with (pixels done, total), once the
///        band of eight rows that holds it is fitted; returning false cancels the run: the pixels
///        of the later rows are flagged cancelled and the maps are returned.
/// \returns the maps and statuses.
/// \throws valence::invalid_input as the overload that writes into maps.
template <typename T>
[[nodiscard]] spectrum_image_fit fit_spectrum_image(const vector_ref& energy, const spectrum_image_view<T>& cube,
                                                    const matrix_ref& references, const mlls_options& options,
                                                    const std::function<bool(index, index)>& progress = {}) {
  spectrum_image_fit out;
  fit_spectrum_image(energy, cube, references, options, out, progress);
  return out;
}

}  // namespace valence::eels

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: the per-pixel fit and its parallel loop are instantiated once, in the
// valence::compiled library (so every file of a program sees the same OpenMP setting).
namespace valence::eels {
extern template void fit_spectrum_image<float>(const vector_ref&, const spectrum_image_view<float>&, const matrix_ref&,
                                               const mlls_options&, spectrum_image_fit&,
                                               const std::function<bool(index, index)>&);
extern template void fit_spectrum_image<double>(const vector_ref&, const spectrum_image_view<double>&,
                                                const matrix_ref&, const mlls_options&, spectrum_image_fit&,
                                                const std::function<bool(index, index)>&);
}  // namespace valence::eels
#endif

#endif  // VALENCE_EELS_SPECTRUM_IMAGE_HPP
