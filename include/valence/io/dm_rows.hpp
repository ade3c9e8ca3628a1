// SPDX-License-Identifier: MIT
/// \file
/// \brief A row_source reading a DM3/DM4 spectrum image a block of rows at a time.
#ifndef VALENCE_IO_DM_ROWS_HPP
#define VALENCE_IO_DM_ROWS_HPP

#include <valence/core/detail/planes.hpp>
#include <valence/core/error.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/types.hpp>
#include <valence/io/dm.hpp>

#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace valence::io {

/// \brief Reads the spectrum image of a DM3 or DM4 file a block of rows at a time, so that the
/// streaming image jobs (eels::fit_spectrum_image_blocks()) fit files larger than memory.
/// \ingroup io
///
/// DM stores a spectrum image as energy planes (x fastest, then y, then energy): a block of rows
/// is one seek and read per channel of `rows · nx` values, converted to \p T (byte order
/// swapped where needed) and transposed to `[row][col][channel]` through scratch memory that
/// scratch_bytes_per_row() declares. The file stays open for the source's lifetime; it is read
/// with its own stream, so the next block can be read on a second thread.
/// \tparam T float or double.
template <typename T>
class dm_rows final : public core::row_source<T> {
 public:
  /// \brief Opens \p path and selects its primary image (dm_file::primary_image()), which must be a
  /// spectrum image.
  /// \param path the DM3 or DM4 file.
  /// \throws valence::parse_error if the file cannot be read as DM (see read_dm()) or its primary
  ///         image is not three-dimensional; valence::invalid_input if no image holds numbers
  ///         (dm_file::primary_image(); complex images, stored as structs, do not).
  explicit dm_rows(const std::string& path) : path_(path), file_(read_dm(path)), in_(path, std::ios::binary) {
    image_ = file_.primary_image();
    if (image_.axes.size() != 3) {
      throw parse_error(path, 0,
                        "valence::io::dm_rows: the image '" + image_.path + "' has " +
                            std::to_string(image_.axes.size()) +
                            " dimensions; expected a spectrum image (x, y, energy)");
    }
  }
  [[nodiscard]] index rows() const override { return image_.axes[1].size; }
  [[nodiscard]] index cols() const override { return image_.axes[0].size; }
  [[nodiscard]] index channels() const override { return image_.axes[2].size; }
  [[nodiscard]] std::string describe() const override { return "image '" + image_.path + "' of " + path_; }
  [[nodiscard]] std::size_t scratch_bytes_per_row() const override {
    return static_cast<std::size_t>(cols() * channels()) * (sizeof(T) + detail::dm_size(image_.element));
  }
  /// \brief The image read (axes x, y, energy with their calibrations). \returns the image.
  [[nodiscard]] const dm_image& image() const { return image_; }
  /// \copydoc core::row_source::read_rows
  void read_rows(index first, index count, T* buffer) const override {
    this->check_rows("valence::io::dm_rows::read_rows", first, count);
    const std::size_t size = detail::dm_size(image_.element);
    const auto nx = static_cast<std::uint64_t>(cols());
    const auto ny = static_cast<std::uint64_t>(rows());
    const auto run = static_cast<std::uint64_t>(count) * nx;  // values of one channel in the block
    const bool swap = file_.little_endian != detail::native_little_endian();
    planes_.resize(static_cast<std::size_t>(run) * static_cast<std::size_t>(channels()));
    bytes_.resize(static_cast<std::size_t>(run) * size);
    for (index c = 0; c < channels(); ++c) {
      const std::uint64_t at =
          image_.offset + (static_cast<std::uint64_t>(c) * nx * ny + static_cast<std::uint64_t>(first) * nx) * size;
      in_.clear();
      in_.seekg(static_cast<std::streamoff>(at));
      in_.read(reinterpret_cast<char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
      if (!in_) {
        throw parse_error(path_, static_cast<std::size_t>(at),
                          "the file ends inside the data of '" + image_.path + "' (truncated file?)");
      }
      detail::dm_convert(bytes_.data(), run, image_.element, swap,
                         planes_.data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(run));
    }
    core::detail::planes_to_spectra(planes_.data(), static_cast<std::size_t>(run), static_cast<std::size_t>(channels()),
                                    buffer);
  }

 private:
  std::string path_;
  dm_file file_;
  dm_image image_;
  mutable std::ifstream in_;
  mutable std::vector<T> planes_;
  mutable std::vector<unsigned char> bytes_;
};

}  // namespace valence::io

#endif  // VALENCE_IO_DM_ROWS_HPP
