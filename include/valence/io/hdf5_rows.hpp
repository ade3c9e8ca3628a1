// SPDX-License-Identifier: MIT
/// \file
/// \brief A row_source reading an HDF5 image stack by hyperslab, a block of rows at a time.
/// Needs HDF5 (link valence::hdf5).
#ifndef VALENCE_IO_HDF5_ROWS_HPP
#define VALENCE_IO_HDF5_ROWS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/detail/planes.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/hdf5.hpp>
#include <valence/io/hdf5_stack.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace valence::io {

/// \brief What hdf5_rows delivers: the stored values, or absorbance.
/// \ingroup io
enum class hdf5_values {
  /// The values as stored, flat-field normalised when the stack has white and dark frames:
  /// \f$T = (I - D)/(W - D)\f$ (transmission of TXM and tomography data).
  transmission,
  /// \f$\mu = -\ln T\f$ of the values above: the absorbance a XANES normalisation reads.
  absorbance
};

/// \brief Reads an image stack described by open_hdf5_stack() a block of rows at a time, by
/// hyperslab, into the caller's buffer as `[row][col][channel]`: the source the streaming image
/// jobs (xas::normalize_stack_blocks(), eels::fit_spectrum_image_blocks(),
/// xas::lcf_batch_blocks()) read a file larger than memory from.
/// \ingroup io
///
/// A `[channel][y][x]` stack (TXM, Data Exchange) is read as one hyperslab of all channels and the
/// block's rows, then transposed; the scratch that takes is declared by scratch_bytes_per_row()
/// and counted in a job's memory cap. HDF5 converts the stored type (uint16, float32, ...) to
/// \p T. Raw stacks are flat-field normalised with their white and dark frames: per channel when
/// there is one frame per channel (FXI's `img_bkg`), else with the mean of the frames (Data
/// Exchange's `data_white`, `data_dark`).
///
/// The file stays open for the source's lifetime. The next block may be read on a second thread
/// only when the HDF5 library is thread-safe (reads_concurrently()).
/// \tparam T float or double.
template <typename T>
class hdf5_rows final : public core::row_source<T> {
 public:
  /// \brief Opens the stack's file for reading.
  /// \param stack as returned by open_hdf5_stack(). \param values transmission or absorbance.
  /// \throws valence::parse_error if the file or its datasets cannot be opened.
  explicit hdf5_rows(hdf5_stack stack, hdf5_values values = hdf5_values::transmission)
      : stack_(std::move(stack)), values_(values) {
    const detail::h5_quiet quiet;
    file_ = detail::h5_open(function_, stack_.file);
    data_ = detail::h5_open_dataset(function_, stack_.file, file_.get(), stack_.dataset);
    if (!stack_.white.empty()) {
      white_ = detail::h5_open_dataset(function_, stack_.file, file_.get(), stack_.white);
      dark_ = detail::h5_open_dataset(function_, stack_.file, file_.get(), stack_.dark);
      white_frames_ = detail::h5_shape(white_.get()).at(0);
      dark_frames_ = detail::h5_shape(dark_.get()).at(0);
    }
    hbool_t safe = 0;
    concurrent_ = H5is_library_threadsafe(&safe) >= 0 && safe > 0;
  }
  [[nodiscard]] index rows() const override { return stack_.rows; }
  [[nodiscard]] index cols() const override { return stack_.cols; }
  [[nodiscard]] index channels() const override { return stack_.channels; }
  [[nodiscard]] bool reads_concurrently() const override { return concurrent_; }
  [[nodiscard]] std::string describe() const override { return "'" + stack_.dataset + "' of " + stack_.file; }
  [[nodiscard]] std::size_t scratch_bytes_per_row() const override {
    if (!stack_.channels_first) {
      return 0;
    }
    const auto pixels = static_cast<std::size_t>(stack_.cols);
    std::size_t values = pixels * static_cast<std::size_t>(stack_.channels);
    if (white_.valid()) {
      values += pixels * static_cast<std::size_t>(white_frames_ + dark_frames_);
    }
    return values * sizeof(T);
  }
  /// \brief The description the source was opened with. \returns the stack.
  [[nodiscard]] const hdf5_stack& stack() const { return stack_; }

  /// \copydoc core::row_source::read_rows
  void read_rows(index first, index count, T* buffer) const override {
    this->check_rows("valence::io::hdf5_rows::read_rows", first, count);
    const detail::h5_quiet quiet;
    const auto c = static_cast<hsize_t>(stack_.channels);
    const auto x = static_cast<hsize_t>(stack_.cols);
    const auto r0 = static_cast<hsize_t>(first);
    const auto n = static_cast<hsize_t>(count);
    const std::size_t values = static_cast<std::size_t>(n * x * c);
    if (!stack_.channels_first) {
      // [y][x][E] as stored: the block is the hyperslab itself.
      std::vector<hsize_t> start(stack_.shape.size(), 0);
      std::vector<hsize_t> size(stack_.shape.begin(), stack_.shape.end());
      if (size.size() == 3) {
        start[0] = r0;
        size[0] = n;
      }
      detail::h5_read_slab(function_, stack_.file, stack_.dataset, data_.get(), start, size, buffer);
      finish(buffer, values);
      return;
    }
    scratch_.resize(values);
    detail::h5_read_slab(function_, stack_.file, stack_.dataset, data_.get(), {0, r0, 0}, {c, n, x}, scratch_.data());
    const std::size_t plane = static_cast<std::size_t>(n * x);
    if (white_.valid()) {
      flat_field(r0, n, x, plane);
    }
    core::detail::planes_to_spectra(scratch_.data(), plane, static_cast<std::size_t>(c), buffer);
    finish(buffer, values);
  }

 private:
  // (I - D) / (W - D) in the scratch, with per-channel frames or the mean frame.
  void flat_field(hsize_t r0, hsize_t n, hsize_t x, std::size_t plane) const {
    const auto frames = [&](const detail::h5_id& d, hsize_t count, const std::string& path) {
      std::vector<T> f(static_cast<std::size_t>(count) * plane);
      detail::h5_read_slab(function_, stack_.file, path, d.get(), {0, r0, 0}, {count, n, x}, f.data());
      if (count != static_cast<hsize_t>(stack_.channels)) {
        // the mean frame, in double so that many frames do not lose precision
        std::vector<T> mean(plane);
        for (std::size_t p = 0; p < plane; ++p) {
          double sum = 0;
          for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
            sum += double(f[k * plane + p]);
          }
          mean[p] = T(sum / double(count));
        }
        return mean;
      }
      return f;
    };
    const std::vector<T> white = frames(white_, white_frames_, stack_.white);
    const std::vector<T> dark = frames(dark_, dark_frames_, stack_.dark);
    const bool white_per_channel = white.size() > plane;
    const bool dark_per_channel = dark.size() > plane;
    for (std::size_t k = 0; k < static_cast<std::size_t>(stack_.channels); ++k) {
      for (std::size_t p = 0; p < plane; ++p) {
        const T d = dark[(dark_per_channel ? k * plane : 0) + p];
        const T w = white[(white_per_channel ? k * plane : 0) + p];
        T& v = scratch_[k * plane + p];
        v = (v - d) / (w - d);
      }
    }
  }
  void finish(T* buffer, std::size_t values) const {
    if (values_ == hdf5_values::absorbance) {
      for (std::size_t i = 0; i < values; ++i) {
        buffer[i] = -std::log(buffer[i]);
      }
    }
  }

  static constexpr const char* function_ = "valence::io::hdf5_rows";
  hdf5_stack stack_;
  hdf5_values values_;
  detail::h5_id file_, data_, white_, dark_;
  hsize_t white_frames_ = 0, dark_frames_ = 0;
  bool concurrent_ = false;
  mutable std::vector<T> scratch_;
};

}  // namespace valence::io

#endif  // VALENCE_IO_HDF5_ROWS_HPP
