// SPDX-License-Identifier: MIT
/// \file
/// \brief Sources of image data read a block of pixel rows at a time (the scale model).
#ifndef VALENCE_CORE_ROW_SOURCE_HPP
#define VALENCE_CORE_ROW_SOURCE_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <cstddef>
#include <string>
#include <type_traits>

namespace valence::core {

/// \brief An image of `rows × cols` pixels with `channels` values each (energies of a XANES
/// stack or an EELS spectrum image), read a block of rows at a time into the caller's buffer.
/// \ingroup core
///
/// The image jobs of valence (xas::normalize_stack(), eels::fit_spectrum_image(),
/// xas::lcf_batch() with a source) read their input through this interface, so that an array in
/// memory, a DM file and an HDF5 dataset are processed by the same code in bounded memory. A
/// block is delivered in one layout whatever the stored one: `[row][col][channel]`, channel
/// fastest, so that each pixel's spectrum is contiguous (the layout of HyperSpy's arrays, and a
/// column-major `channels × pixels` matrix). Sources stored another way (`[energy][y][x]`, the
/// layout of TXM stacks and DM spectrum images) transpose through scratch memory they declare in
/// scratch_bytes_per_row(), so that a job's memory cap counts it.
///
/// Implementations must be safe to call from one thread other than the one that constructed
/// them (the jobs read the next block while they fit the current one), one call at a time.
/// \tparam T float or double, the type the values are delivered in.
template <typename T>
class row_source {
  static_assert(std::is_floating_point_v<T>, "valence::core::row_source delivers float or double");

 public:
  /// \brief The value type delivered.
  using value_type = T;
  virtual ~row_source() = default;
  /// \brief Pixels along y. \returns the number of rows.
  [[nodiscard]] virtual index rows() const = 0;
  /// \brief Pixels along x. \returns the number of columns.
  [[nodiscard]] virtual index cols() const = 0;
  /// \brief Values per pixel. \returns the number of channels (energies).
  [[nodiscard]] virtual index channels() const = 0;
  /// \brief Writes rows `[first, first + count)` into \p buffer as `[row][col][channel]`.
  /// \param first first row, 0 ≤ first; \param count rows, first + count ≤ rows().
  /// \param buffer count · cols() · channels() values, owned by the caller.
  /// \throws valence::invalid_input for a row range outside the image; an implementation
  ///         reading a file throws valence::parse_error when the file cannot be read.
  virtual void read_rows(index first, index count, T* buffer) const = 0;
  /// \brief Bytes the source allocates per row of a block while reading it (0 for a source that
  /// writes straight into the buffer). \returns bytes per row.
  [[nodiscard]] virtual std::size_t scratch_bytes_per_row() const { return 0; }
  /// \brief Whether read_rows() may run on a second thread while the caller's thread works (and
  /// calls other functions of the same I/O library, such as a writer of the results). False for a
  /// source over a library that is not thread-safe: the job then reads between fits.
  /// \returns true by default.
  [[nodiscard]] virtual bool reads_concurrently() const { return true; }
  /// \brief What the data are, for messages (a file and dataset, "array in memory").
  /// \returns a short description.
  [[nodiscard]] virtual std::string describe() const = 0;

 protected:
  /// \brief Sources are made by implementations only.
  row_source() = default;
  /// \brief Copies the (stateless) base of an implementation.
  row_source(const row_source&) = default;
  /// \brief Copies the (stateless) base of an implementation. \returns this source.
  row_source& operator=(const row_source&) = default;
  /// \brief Throws unless rows `[first, first + count)` lie in the image.
  /// \param function the caller, for the message. \param first, count the requested rows.
  void check_rows(const char* function, index first, index count) const {
    if (first < 0 || count < 1 || first + count > rows()) {
      throw invalid_input(detail::message(
          function, "rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " + describe() +
                        "; expected a non-empty range within its " + std::to_string(rows()) + " rows"));
    }
  }
};

/// \brief A row_source over an array the caller holds in memory, at any strides (in elements),
/// so that `[y][x][E]` arrays, `[E][y][x]` stacks and DM spectrum images are read in place.
/// \ingroup core
///
/// It copies each requested block into the job's buffer; it is what a job reads when the data
/// fit in memory, and the reference that every file source is tested against.
/// \tparam T float or double.
template <typename T>
class array_rows final : public row_source<T> {
 public:
  /// \brief A view of \p data.
  /// \param data element (0, 0, 0), not owned: it must outlive the source.
  /// \param rows, cols, channels the sizes, each ≥ 1.
  /// \param row_stride elements from (y, x, c) to (y + 1, x, c).
  /// \param col_stride elements from (y, x, c) to (y, x + 1, c).
  /// \param channel_stride elements from (y, x, c) to (y, x, c + 1).
  /// \throws valence::invalid_input for a null pointer or a size below 1.
  array_rows(const T* data, index rows, index cols, index channels, index row_stride, index col_stride,
             index channel_stride)
      : data_(data),
        rows_(rows),
        cols_(cols),
        channels_(channels),
        row_stride_(row_stride),
        col_stride_(col_stride),
        channel_stride_(channel_stride) {
    if (data == nullptr || rows < 1 || cols < 1 || channels < 1) {
      throw invalid_input(detail::message("valence::core::array_rows",
                                          "array of " + std::to_string(rows) + " x " + std::to_string(cols) + " x " +
                                              std::to_string(channels) + (data == nullptr ? " with no data" : "") +
                                              "; expected a non-empty array"));
    }
  }
  /// \brief A contiguous `[y][x][E]` array (energy fastest).
  /// \param data first element; \param rows, cols, channels the sizes. \returns the source.
  static array_rows pixel_major(const T* data, index rows, index cols, index channels) {
    return {data, rows, cols, channels, cols * channels, channels, 1};
  }
  /// \brief A contiguous `[E][y][x]` array (one image per energy, x fastest).
  /// \param data first element; \param rows, cols, channels the sizes. \returns the source.
  static array_rows energy_major(const T* data, index rows, index cols, index channels) {
    return {data, rows, cols, channels, cols, 1, rows * cols};
  }
  [[nodiscard]] index rows() const override { return rows_; }
  [[nodiscard]] index cols() const override { return cols_; }
  [[nodiscard]] index channels() const override { return channels_; }
  [[nodiscard]] std::string describe() const override { return "an array in memory"; }
  void read_rows(index first, index count, T* buffer) const override {
    this->check_rows("valence::core::array_rows::read_rows", first, count);
    for (index y = first; y < first + count; ++y) {
      for (index x = 0; x < cols_; ++x) {
        const T* from = data_ + y * row_stride_ + x * col_stride_;
        for (index c = 0; c < channels_; ++c) {
          *buffer++ = from[c * channel_stride_];
        }
      }
    }
  }

 private:
  const T* data_;
  index rows_, cols_, channels_, row_stride_, col_stride_, channel_stride_;
};

}  // namespace valence::core

#endif  // VALENCE_CORE_ROW_SOURCE_HPP
