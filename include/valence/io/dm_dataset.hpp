// SPDX-License-Identifier: MIT
/// \file
/// \brief One call from a DM3/DM4 path to its measurement: the values in HyperSpy's axis order,
/// with named, calibrated axes.
#ifndef VALENCE_IO_DM_DATASET_HPP
#define VALENCE_IO_DM_DATASET_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/dm.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace valence::io {

/// \brief One axis of a dm_dataset: a name and DM's calibration.
/// \ingroup io
struct dm_named_axis {
  std::string name;  ///< `y`, `x` (spatial) or `energy` (the spectral axis)
  dm_axis axis;      ///< size, offset, scale and units
};

/// \brief A DM image read in full, in HyperSpy's order: the axes as HyperSpy's `data.shape` lists
/// them, the last varying fastest in `values`.
/// \ingroup io
///
/// | image | axes | value of | at |
/// |---|---|---|---|
/// | spectrum image | (`y`, `x`, `energy`) | pixel (y, x), channel c | `(y·nx + x)·nE + c` |
/// | image | (`y`, `x`) | pixel (y, x) | `y·nx + x` |
/// | spectrum | (`energy`) | channel c | `c` |
///
/// A spectrum image is thus held `[y][x][E]`, the layout eels::fit_spectrum_image() reads fastest.
/// DM itself stores the spectral axis slowest (`[E][y][x]`); read_dm_image() transposes, once.
/// \tparam T float or double.
template <typename T>
struct dm_dataset {
  std::string name;                 ///< the image's Name tag
  std::vector<dm_named_axis> axes;  ///< slowest first, as HyperSpy lists them
  std::vector<T> values;            ///< row-major in `axes` order
  double intensity_scale = 1;       ///< DM's Brightness scale (e.g. electrons per count)
  std::string intensity_units;      ///< DM's Brightness units

  /// \brief The axis of a name. \param axis_name `y`, `x` or `energy`. \returns that axis.
  /// \throws valence::invalid_input if the dataset has no axis of that name.
  [[nodiscard]] const dm_axis& axis(const std::string& axis_name) const {
    for (const auto& a : axes) {
      if (a.name == axis_name) {
        return a.axis;
      }
    }
    std::string names;
    for (const auto& a : axes) {
      names += (names.empty() ? "" : ", ") + a.name;
    }
    throw invalid_input(core::detail::message("valence::io::dm_dataset::axis",
                                              "no axis '" + axis_name + "'; expected one of: " + names));
  }
};

/// \brief Reads a DM3 or DM4 file's measurement (dm_file::primary_image()) in one call: values
/// converted to T in HyperSpy's axis order, with named, calibrated axes (see dm_dataset).
/// \ingroup io
///
/// Equivalent to read_dm(), primary_image() and read_dm_data() followed, for a spectrum image, by a
/// transpose from DM's `[E][y][x]` to `[y][x][E]` (one pass, a second copy of the values in memory
/// while it runs). Use read_dm_data() to read in DM's own order into a buffer you own.
/// Images of more than three dimensions keep DM's order, reversed (slowest first), with axes named
/// `axis0`, `axis1`, ... from the fastest.
/// \tparam T float or double.
/// \param path the file.
/// \returns the dataset.
/// \throws valence::parse_error and valence::invalid_input as read_dm() and read_dm_data(), and
///         valence::invalid_input if the file has no numeric image.
///
/// **Reference.** HyperSpy 1.7 / RosettaSciIO's DigitalMicrograph reader: axes (y, x, Energy loss)
/// for `EELS_SI.dm4` (tests/io/test_dm.cpp checks the same file against its recorded shape, axes
/// and first values).
template <typename T = double>
[[nodiscard]] dm_dataset<T> read_dm_image(const std::string& path) {
  static_assert(std::is_floating_point_v<T>, "read_dm_image converts to float or double");
  const dm_file file = read_dm(path);
  const dm_image& image = file.primary_image();
  dm_dataset<T> out;
  out.name = image.name;
  out.intensity_scale = image.intensity_scale;
  out.intensity_units = image.intensity_units;
  std::vector<T> stored = read_dm_data<T>(path, file, image);
  const std::size_t dimensions = image.axes.size();
  if (dimensions == 3) {  // DM: x fastest, then y, then energy; out: [y][x][E]
    const dm_axis& x = image.axes[0];
    const dm_axis& y = image.axes[1];
    const dm_axis& e = image.axes[2];
    out.axes = {{"y", y}, {"x", x}, {"energy", e}};
    out.values.resize(stored.size());
    const auto plane = static_cast<std::size_t>(x.size * y.size);
    for (std::size_t c = 0; c < static_cast<std::size_t>(e.size); ++c) {
      for (std::size_t p = 0; p < plane; ++p) {
        out.values[p * static_cast<std::size_t>(e.size) + c] = stored[c * plane + p];
      }
    }
    return out;
  }
  if (dimensions == 2) {
    out.axes = {{"y", image.axes[1]}, {"x", image.axes[0]}};
  } else if (dimensions == 1) {
    out.axes = {{"energy", image.axes[0]}};
  } else {
    for (std::size_t d = dimensions; d-- > 0;) {
      out.axes.push_back({"axis" + std::to_string(d), image.axes[d]});
    }
  }
  out.values = std::move(stored);  // already slowest-first in these cases
  return out;
}

}  // namespace valence::io

#endif  // VALENCE_IO_DM_DATASET_HPP
