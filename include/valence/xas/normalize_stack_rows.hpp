// SPDX-License-Identifier: MIT
/// \file
/// \brief normalize_stack() on a row_source: XANES stacks larger than memory, in one pass.
#ifndef VALENCE_XAS_NORMALIZE_STACK_ROWS_HPP
#define VALENCE_XAS_NORMALIZE_STACK_ROWS_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/streaming.hpp>
#include <valence/core/types.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/normalize_stack.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>

namespace valence::xas {

namespace detail {
// Energies valid for a stack and one per channel of the source.
template <typename Real>
void check_stack_source(const char* function, const vector_ref& energy, const core::row_source<Real>& source) {
  core::check_abscissa(function, "energy", energy, 16);
  if (energy.size() != source.channels()) {
    throw invalid_input(core::detail::message(
        function, "parameter 'energy' has " + std::to_string(energy.size()) + " values but " + source.describe() +
                      " has " + std::to_string(source.channels()) + " channels; expected one energy per channel"));
  }
}
}  // namespace detail

/// \brief Receives the maps of one block of rows from normalize_stack_blocks().
/// \ingroup xas
///
/// Called as `sink(first_row, rows, maps)`: `maps` holds `rows · cols` pixels, row-major (pixel
/// (y, x) of the image at `(y - first_row) · cols + x`), valid only during the call.
template <typename Real>
using stack_block_sink = std::function<void(index first_row, index rows, const stack_normalization<Real>& maps)>;

/// \brief The E0 shared by every pixel of a fixed-E0 normalisation of \p source, as
/// normalize_stack() finds it in memory: find_e0() of the mean of the finite pixels, summed in
/// pixel order. It reads the whole source once, in blocks within the memory cap.
/// \ingroup xas
/// \tparam Real float or double.
/// \param energy energies, eV, one per channel. \param source the stack.
/// \param streaming memory cap (its row range and progress callback are not used: E0 is a
///        property of the whole image).
/// \returns E0, eV.
/// \throws valence::invalid_input if the energies do not match the channels, no pixel is finite,
///         the mean has no edge (as find_e0()), or the cap is smaller than two rows.
template <typename Real>
[[nodiscard]] double stack_mean_e0(const vector_ref& energy, const core::row_source<Real>& source,
                                   const core::streaming_options& streaming) {
  constexpr const char* function = "valence::xas::stack_mean_e0";
  detail::check_stack_source(function, energy, source);
  core::streaming_options whole;
  whole.memory_cap_bytes = streaming.memory_cap_bytes;
  vector_x<double> sum = vector_x<double>::Zero(energy.size());
  index finite = 0;
  (void)core::detail::for_each_row_block(
      function, source, whole, 0,
      [&](index, index rows, const Real* block) {
        detail::add_finite_columns(Eigen::Map<const matrix_x<Real>>(block, source.channels(), rows * source.cols()),
                                   sum, finite);
      },
      [](index, index) {});
  if (finite == 0) {
    throw invalid_input(core::detail::message(
        function, "no pixel of " + source.describe() + " is finite; expected at least one spectrum"));
  }
  return find_e0(energy, vector_x<double>(sum / double(finite))).e0;
}

/// \brief Normalises a XANES stack read from \p source a block of rows at a time, within a
/// memory cap, and hands the maps of each block to \p sink (to be written to a file, so that
/// neither the stack nor the maps need fit in memory).
/// \ingroup xas
///
/// Every pixel gets exactly what normalize_stack() gives it in memory (the same code runs on each
/// block): bit-identical maps whatever the cap, the block size or the row range. The next block
/// is read on a second thread while the current one is normalised, so a file source costs
/// little more than its read rate.
///
/// With a fixed E0 not given, E0 is a property of the whole image: it is found first by
/// stack_mean_e0(), a second read of the source. Give `options.normalization.e0` (from
/// stack_mean_e0() once, or from a reference) for one pass; a job split across processes must,
/// so that every part uses the same E0.
///
/// Memory: two blocks of input, the source's scratch and the block's maps stay under
/// `streaming.memory_cap_bytes`.
/// \tparam Real float or double.
/// \param energy energies, eV, one per channel of \p source, strictly increasing, at least 16.
/// \param source the stack (any row_source: memory, DM file, HDF5 dataset).
/// \param options as normalize_stack(); its `progress` is not used (streaming's is, per block).
/// \param streaming memory cap, row range, progress per block.
/// \param sink receives each block's maps, in row order.
/// \returns false if the progress callback cancelled the job, true when every row was done.
/// \throws valence::invalid_input for everything normalize_stack() rejects, energies that do not
///         match the channels, a row range outside the image, or a cap smaller than two rows;
///         what the source throws when it cannot read (valence::parse_error for a file).
template <typename Real>
[[nodiscard]] bool normalize_stack_blocks(const vector_ref& energy, const core::row_source<Real>& source,
                                          const stack_options& options, const core::streaming_options& streaming,
                                          const stack_block_sink<Real>& sink) {
  constexpr const char* function = "valence::xas::normalize_stack_blocks";
  detail::check_stack_source(function, energy, source);
  stack_options per_block = options;
  per_block.progress = nullptr;
  if (!options.per_pixel_e0 && !options.normalization.e0) {
    per_block.normalization.e0 = stack_mean_e0(energy, source, streaming);
  }
  const std::size_t result_bytes =
      5 * sizeof(Real) + sizeof(pixel_status) + (options.keep_norm ? std::size_t(energy.size()) * sizeof(Real) : 0);
  stack_normalization<Real> maps;
  return core::detail::for_each_row_block(
      function, source, streaming, result_bytes,
      [&](index, index rows, const Real* block) {
        // Into the same maps block after block: allocated and first touched once, not per block.
        normalize_stack(energy, Eigen::Map<const matrix_x<Real>>(block, source.channels(), rows * source.cols()),
                        per_block, maps);
      },
      [&](index first_row, index rows) { sink(first_row, rows, maps); });
}

/// \brief normalize_stack() on a row_source: the whole image's maps, assembled in memory from
/// blocks read within the cap (the maps, not the stack, must fit in memory).
/// \ingroup xas
///
/// The maps are bit-identical to normalize_stack() on the same stack held in memory as a
/// `channels × pixels` matrix (pixels row-major); see normalize_stack_blocks() for E0 and memory.
/// \tparam Real float or double.
/// \param energy energies, eV. \param source the stack. \param options as normalize_stack().
/// \param streaming memory cap, row range (maps outside it stay NaN and cancelled), progress.
/// \returns the maps, `rows · cols` pixels row-major; `cancelled` set if the job was cancelled.
/// \throws as normalize_stack_blocks().
template <typename Real>
[[nodiscard]] stack_normalization<Real> normalize_stack(const vector_ref& energy, const core::row_source<Real>& source,
                                                        const stack_options& options,
                                                        const core::streaming_options& streaming) {
  auto out = detail::unprocessed_maps<Real>(source.rows() * source.cols(), energy.size(), options.keep_norm);
  const bool done = normalize_stack_blocks<Real>(
      energy, source, options, streaming, [&](index first_row, index rows, const stack_normalization<Real>& block) {
        const index at = first_row * source.cols();
        const index n = rows * source.cols();
        out.e0.segment(at, n) = block.e0;
        out.edge_step.segment(at, n) = block.edge_step;
        out.edge_energy.segment(at, n) = block.edge_energy;
        out.white_line_energy.segment(at, n) = block.white_line_energy;
        out.white_line_height.segment(at, n) = block.white_line_height;
        std::copy(block.status.begin(), block.status.end(), out.status.begin() + at);
        if (options.keep_norm) {
          out.norm.middleCols(at, n) = block.norm;
        }
      });
  out.cancelled = !done;
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_NORMALIZE_STACK_ROWS_HPP
