// SPDX-License-Identifier: MIT
/// \file
/// \brief fit_spectrum_image() on a row_source: spectrum images larger than memory, in one pass.
#ifndef VALENCE_EELS_SPECTRUM_IMAGE_ROWS_HPP
#define VALENCE_EELS_SPECTRUM_IMAGE_ROWS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/streaming.hpp>
#include <valence/core/types.hpp>
#include <valence/eels/mlls.hpp>
#include <valence/eels/spectrum_image.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>

namespace valence::eels {

/// \brief Receives the maps of one block of rows from fit_spectrum_image_blocks().
/// \ingroup eels
///
/// Called as `sink(first_row, rows, maps)`: every map of `maps` is `rows × cols` (its row 0 is
/// row `first_row` of the image), valid only during the call.
using spectrum_image_block_sink = std::function<void(index first_row, index rows, const spectrum_image_fit& maps)>;

/// \brief MLLS-fits a spectrum image read from \p source a block of rows at a time, within a
/// memory cap, and hands each block's maps to \p sink (to be written to a file, so that neither
/// the image nor the maps need fit in memory).
/// \ingroup eels
///
/// Every pixel gets exactly what fit_spectrum_image() gives it in memory (the same code runs on
/// each block): bit-identical maps whatever the cap, the block size or the row range. The next
/// block is read on a second thread while the current one is fitted.
/// Memory: two blocks of input, the source's scratch and the block's maps stay under
/// `streaming.memory_cap_bytes`.
/// \tparam T float or double.
/// \param energy energy loss of each channel, eV. \param source the spectrum image.
/// \param references, options as fit_spectrum_image().
/// \param streaming memory cap, row range, progress per block.
/// \param sink receives each block's maps, in row order.
/// \returns false if the progress callback cancelled the job, true when every row was done.
/// \throws valence::invalid_input for everything fit_spectrum_image() rejects, `energy` not
///         matching the channels, a row range outside the image or a cap smaller than two rows;
///         what the source throws when it cannot read (valence::parse_error for a file).
template <typename T>
[[nodiscard]] bool fit_spectrum_image_blocks(const vector_ref& energy, const core::row_source<T>& source,
                                             const matrix_ref& references, const mlls_options& options,
                                             const core::streaming_options& streaming,
                                             const spectrum_image_block_sink& sink) {
  constexpr const char* function = "valence::eels::fit_spectrum_image_blocks";
  if (energy.size() != source.channels()) {
    throw invalid_input(core::detail::message(
        function, "parameter 'energy' has " + std::to_string(energy.size()) + " values but " + source.describe() +
                      " has " + std::to_string(source.channels()) + " channels; expected one energy per channel"));
  }
  // Validates the axis, references, windows and options before any data are read.
  const auto plan = detail::make_mlls_plan(function, energy, references, options);
  const auto map_count = static_cast<std::size_t>(2 * plan.terms + 2 * plan.k + 5);
  const std::size_t result_bytes = map_count * sizeof(double) + sizeof(pixel_status);
  spectrum_image_fit maps;
  return core::detail::for_each_row_block(
      function, source, streaming, result_bytes,
      [&](index, index rows, const T* block) {
        // Into the same maps block after block: allocated and first touched once, not per block.
        fit_spectrum_image(energy, spectrum_image_view<T>::contiguous(block, rows, source.cols(), source.channels()),
                           references, options, maps);
      },
      [&](index first_row, index rows) { sink(first_row, rows, maps); });
}

/// \brief fit_spectrum_image() on a row_source: the whole image's maps, assembled in memory from
/// blocks read within the cap (the maps, not the image, must fit in memory).
/// \ingroup eels
///
/// The maps are bit-identical to fit_spectrum_image() on the same image held in memory.
/// \tparam T float or double.
/// \param energy, source, references, options as fit_spectrum_image_blocks().
/// \param streaming memory cap, row range (maps outside it stay NaN and cancelled), progress.
/// \returns the maps; `cancelled` set if the job was cancelled.
/// \throws as fit_spectrum_image_blocks().
template <typename T>
[[nodiscard]] spectrum_image_fit fit_spectrum_image(const vector_ref& energy, const core::row_source<T>& source,
                                                    const matrix_ref& references, const mlls_options& options,
                                                    const core::streaming_options& streaming) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const matrix_d blank = matrix_d::Constant(source.rows(), source.cols(), nan);
  spectrum_image_fit out;
  out.status.assign(static_cast<std::size_t>(source.rows() * source.cols()), pixel_status::cancelled);
  for (matrix_d* map : {&out.amplitude, &out.exponent, &out.chi_square, &out.reduced_chi_square, &out.r_factor}) {
    *map = blank;
  }
  const auto place = [](std::vector<matrix_d>& to, const std::vector<matrix_d>& from, index first_row,
                        const matrix_d& empty) {
    to.resize(from.size(), empty);
    for (std::size_t j = 0; j < from.size(); ++j) {
      to[j].middleRows(first_row, from[j].rows()) = from[j];
    }
  };
  const bool done = fit_spectrum_image_blocks<T>(
      energy, source, references, options, streaming,
      [&](index first_row, index rows, const spectrum_image_fit& block) {
        place(out.coefficients, block.coefficients, first_row, blank);
        place(out.standard_errors, block.standard_errors, first_row, blank);
        place(out.fractions, block.fractions, first_row, blank);
        place(out.fraction_errors, block.fraction_errors, first_row, blank);
        out.amplitude.middleRows(first_row, rows) = block.amplitude;
        out.exponent.middleRows(first_row, rows) = block.exponent;
        out.chi_square.middleRows(first_row, rows) = block.chi_square;
        out.reduced_chi_square.middleRows(first_row, rows) = block.reduced_chi_square;
        out.r_factor.middleRows(first_row, rows) = block.r_factor;
        std::copy(block.status.begin(), block.status.end(),
                  out.status.begin() + static_cast<std::ptrdiff_t>(first_row * source.cols()));
      });
  out.cancelled = !done;
  return out;
}

}  // namespace valence::eels

#endif  // VALENCE_EELS_SPECTRUM_IMAGE_ROWS_HPP
