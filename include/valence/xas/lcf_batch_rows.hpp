// SPDX-License-Identifier: MIT
/// \file
/// \brief lcf_batch() on a row_source: fraction maps of stacks larger than memory, in one pass.
#ifndef VALENCE_XAS_LCF_BATCH_ROWS_HPP
#define VALENCE_XAS_LCF_BATCH_ROWS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/streaming.hpp>
#include <valence/core/types.hpp>
#include <valence/xas/lcf.hpp>
#include <valence/xas/lcf_batch.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace valence::xas {

/// \brief Receives the results of one block of rows from lcf_batch_blocks().
/// \ingroup xas
///
/// Called as `sink(first_row, rows, results)`: `results` holds `rows · cols` spectra, row-major
/// (pixel (y, x) at `(y - first_row) · cols + x`), valid only during the call.
template <typename Real>
using lcf_block_sink = std::function<void(index first_row, index rows, const lcf_batch_result<Real>& results)>;

/// \brief Linear-combination fits of every pixel of a stack read from \p source a block of rows
/// at a time, within a memory cap; each block's results go to \p sink.
/// \ingroup xas
///
/// Each block is fitted by lcf_batch() (one factorisation of the standards per block), so every
/// pixel gets what lcf_batch() gives it in memory; tests/xas/test_streaming.cpp checks the
/// agreement bit for bit across caps. The next block is read while the current one is fitted.
/// \tparam Real float or double.
/// \param energy energies, eV, one per channel. \param source the stack (e.g. normalised μ).
/// \param standards, options, known_values as lcf_batch().
/// \param streaming memory cap, row range, progress per block.
/// \param sink receives each block's results, in row order.
/// \returns false if the progress callback cancelled the job, true when every row was done.
/// \throws valence::invalid_input for everything lcf_batch() rejects (checked on the first block),
///         energies that do not match the channels, a row range outside the image or a cap smaller
///         than two rows; what the source throws when it cannot read.
template <typename Real>
[[nodiscard]] bool lcf_batch_blocks(const vector_ref& energy, const core::row_source<Real>& source,
                                    const std::vector<lcf_standard>& standards, const lcf_options& options,
                                    const vector_ref& known_values, const core::streaming_options& streaming,
                                    const lcf_block_sink<Real>& sink) {
  constexpr const char* function = "valence::xas::lcf_batch_blocks";
  if (energy.size() != source.channels()) {
    throw invalid_input(core::detail::message(
        function, "parameter 'energy' has " + std::to_string(energy.size()) + " values but " + source.describe() +
                      " has " + std::to_string(source.channels()) + " channels; expected one energy per channel"));
  }
  const auto n = static_cast<std::size_t>(standards.size());
  const std::size_t result_bytes = (2 * n + 8) * sizeof(Real) + sizeof(fit::column_status);
  lcf_batch_result<Real> results;
  return core::detail::for_each_row_block(
      function, source, streaming, result_bytes,
      [&](index, index rows, const Real* block) {
        results = lcf_batch(energy, Eigen::Map<const matrix_x<Real>>(block, source.channels(), rows * source.cols()),
                            standards, options, known_values);
      },
      [&](index first_row, index rows) { sink(first_row, rows, results); });
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_LCF_BATCH_ROWS_HPP
