// SPDX-License-Identifier: MIT
/// \file
/// \brief Options of image jobs that stream their input in blocks of rows, and the block loop.
#ifndef VALENCE_CORE_STREAMING_HPP
#define VALENCE_CORE_STREAMING_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/types.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace valence::core {

/// \brief How an image job reads a row_source: the memory it may use and its progress callback.
/// \ingroup core
struct streaming_options {
  /// Bytes the job may hold for its input and results at once: two blocks (the one being fitted
  /// and the one being read), the source's scratch and the block's results. The rows per block
  /// follow from it; a cap smaller than two rows is an error. Default 256 MiB.
  std::size_t memory_cap_bytes = std::size_t(256) << 20;
  /// Rows `[first_row, last_row)` of the source to process (last_row < 0: to the end). A job split
  /// across processes gives each its own range; the results do not depend on the split.
  index first_row = 0;
  index last_row = -1;  ///< see first_row
  /// Called after each block with (pixels done, pixels in the range); returning false cancels the
  /// job after that block.
  std::function<bool(index, index)> progress;
  /// Input bytes a block aims for, within the cap (default 8 MiB): blocks of a few MiB stay in the
  /// last-level cache between being read and being fitted, and still amortise each read call
  /// (on the 512 × 512 × 120 stack of `bench_hdf5_rows`, 21 MiB blocks took 1.3 × the time of
  /// 5 MiB ones).
  std::size_t block_bytes = std::size_t(8) << 20;
};

namespace detail {

// The rows a block may hold under the cap: two blocks of input (read ahead while fitting), the
// source's scratch and the job's results per pixel.
template <typename T>
index rows_per_block(const char* function, const row_source<T>& source, const streaming_options& options,
                     std::size_t result_bytes_per_pixel) {
  const auto pixels = static_cast<std::size_t>(source.cols());
  const std::size_t input = pixels * static_cast<std::size_t>(source.channels()) * sizeof(T);
  const std::size_t per_row = 2 * input + source.scratch_bytes_per_row() + pixels * result_bytes_per_pixel;
  const std::size_t rows = options.memory_cap_bytes / per_row;
  if (rows < 1) {
    throw invalid_input(message(function, "option 'memory_cap_bytes' is " + std::to_string(options.memory_cap_bytes) +
                                              " but one row of " + source.describe() + " needs " +
                                              std::to_string(per_row) +
                                              " bytes (two blocks of input, scratch and results); expected at least " +
                                              std::to_string(per_row)));
  }
  const std::size_t preferred = std::max<std::size_t>(1, options.block_bytes / input);
  return static_cast<index>(std::min({rows, preferred, static_cast<std::size_t>(source.rows())}));
}

// The row range of a job, checked.
template <typename T>
std::pair<index, index> row_range(const char* function, const row_source<T>& source, const streaming_options& options) {
  const index last = options.last_row < 0 ? source.rows() : options.last_row;
  if (options.first_row < 0 || last > source.rows() || options.first_row > last) {
    throw invalid_input(message(function, "rows [" + std::to_string(options.first_row) + ", " + std::to_string(last) +
                                              ") of " + source.describe() + "; expected a range within its " +
                                              std::to_string(source.rows()) + " rows"));
  }
  return {options.first_row, last};
}

// Reads the rows of a job's range in blocks: `fit(first_row, rows, data)` works on each block while
// the next one is read on a second thread (when the source allows it), and `deliver(first_row,
// rows)` hands the block's results on once that read has finished, so that a deliverer writing
// with the source's I/O library never runs beside its reads. The progress callback is called
// after each delivery; false stops the job. Returns false if the job was stopped before its last
// row. An exception of the reader, `fit` or `deliver` ends the job and is rethrown here.
template <typename T, typename Fit, typename Deliver>
bool for_each_row_block(const char* function, const row_source<T>& source, const streaming_options& options,
                        std::size_t result_bytes_per_pixel, Fit&& fit, Deliver&& deliver) {
  const auto [first, last] = row_range(function, source, options);
  if (first == last) {
    return true;
  }
  const index block = rows_per_block(function, source, options, result_bytes_per_pixel);
  const auto values_per_row = static_cast<std::size_t>(source.cols() * source.channels());
  // Uninitialised: every value is written by read_rows() before it is read (zeroing two blocks
  // of hundreds of MB would cost as much as reading them).
  const std::size_t block_values = static_cast<std::size_t>(std::min(block, last - first)) * values_per_row;
  std::unique_ptr<T[]> current(new T[block_values]);
  std::unique_ptr<T[]> next(new T[block_values]);
  const auto rows_at = [&](index row) { return std::min(block, last - row); };
  const bool concurrent = source.reads_concurrently();
  source.read_rows(first, rows_at(first), current.get());
  const index total = (last - first) * source.cols();
  for (index row = first; row < last; row += block) {
    const index count = rows_at(row);
    const index following = row + count;
    const auto read_following = [&source, &next, following, n = rows_at(following)] {
      source.read_rows(following, n, next.get());
    };
    std::future<void> reading;
    if (following < last && concurrent) {
      reading = std::async(std::launch::async, read_following);
    }
    try {
      fit(row, count, static_cast<const T*>(current.get()));
    } catch (...) {
      if (reading.valid()) {
        reading.wait();  // never leave the reader writing into a buffer that is about to go
      }
      throw;
    }
    if (reading.valid()) {
      reading.get();
    }
    deliver(row, count);
    const index done = (following - first) * source.cols();
    if (options.progress && !options.progress(done, total)) {
      return following >= last;
    }
    if (following < last && !concurrent) {
      read_following();
    }
    current.swap(next);
  }
  return true;
}

}  // namespace detail

}  // namespace valence::core

#endif  // VALENCE_CORE_STREAMING_HPP
