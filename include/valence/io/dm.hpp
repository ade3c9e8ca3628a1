// SPDX-License-Identifier: MIT
/// \file
/// \brief Gatan DigitalMicrograph DM3 and DM4 files: the tag tree, the images with their
/// calibrations, and their data read into a destination the caller owns.
#ifndef VALENCE_IO_DM_HPP
#define VALENCE_IO_DM_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/text.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace valence::io {

/// \brief The numeric types of DM tags and arrays, with DM's own codes.
/// \ingroup io
enum class dm_type : int {
  none = 0,     ///< not a simple number (a string, a struct, an array of structs)
  int16 = 2,    ///< signed 16-bit
  int32 = 3,    ///< signed 32-bit
  uint16 = 4,   ///< unsigned 16-bit (also DM's UTF-16 strings)
  uint32 = 5,   ///< unsigned 32-bit
  float32 = 6,  ///< IEEE single
  float64 = 7,  ///< IEEE double
  boolean = 8,  ///< one byte, 0 or 1
  int8 = 9,     ///< signed 8-bit ("char")
  uint8 = 10,   ///< unsigned 8-bit ("octet")
  int64 = 11,   ///< signed 64-bit (DM4)
  uint64 = 12,  ///< unsigned 64-bit (DM4)
};

/// \brief One data tag of a DM file. Groups are not listed; their names make up the path.
/// \ingroup io
struct dm_tag {
  /// Group names joined by '/', with the position in the group for unnamed entries
  /// (e.g. `ImageList/1/ImageData/Calibrations/Dimension/2/Scale`).
  std::string path;
  /// A simple number: its value. A struct: its fields in order. Otherwise empty.
  std::vector<double> numbers;
  /// A string (type 18) or a short array of uint16 (DM's way to store text), in UTF-8.
  std::string text;
  dm_type element = dm_type::none;  ///< arrays: the element type (`none` for arrays of structs)
  std::uint64_t count = 0;          ///< arrays: the number of elements
  std::uint64_t offset = 0;         ///< arrays: the byte offset of the first element in the file
  bool is_array = false;            ///< true for arrays (their values stay in the file)
};

/// \brief The calibration of one image dimension: value = (i − origin) · scale.
/// \ingroup io
struct dm_axis {
  index size = 0;     ///< number of pixels or channels
  double origin = 0;  ///< DM's origin, in pixels
  double scale = 1;   ///< units per pixel
  std::string units;  ///< e.g. `eV`, `nm`, `µm` (UTF-8)

  /// \brief The calibrated position of the first element, −origin · scale (HyperSpy's `offset`).
  /// \returns the offset in `units`.
  [[nodiscard]] double offset() const noexcept { return -origin * scale; }
};

/// \brief One image of a DM file's ImageList.
/// \ingroup io
///
/// Values are stored fastest dimension first. A spectrum image has axes (x, y, energy): the value
/// at pixel (y, x), channel c is element `c·nx·ny + y·nx + x`, which
/// `eels::spectrum_image_view<T>::energy_planes(values, ny, nx, channels)` reads in place.
struct dm_image {
  std::string name;                 ///< the image's Name tag
  std::string path;                 ///< its tag path, e.g. `ImageList/1`
  int data_type = 0;                ///< DM's ImageData/DataType (2 float32, 23 RGB thumbnail, ...)
  std::vector<dm_axis> axes;        ///< one per dimension, fastest-varying first: x, then y, then energy
  dm_type element = dm_type::none;  ///< the type of each stored value
  std::uint64_t count = 0;          ///< number of values (the product of the axis sizes)
  std::uint64_t offset = 0;         ///< byte offset of the first value in the file
  double intensity_scale = 1;       ///< Brightness scale (e.g. electrons per count)
  std::string intensity_units;      ///< Brightness units

  /// \brief The calibrated axis of one dimension.
  /// \param dimension 0 for the fastest. \returns offset + i · scale for each i.
  /// \throws valence::invalid_input if the image has no such dimension.
  [[nodiscard]] vector_d axis_values(std::size_t dimension) const {
    if (dimension >= axes.size()) {
      throw invalid_input(
          core::detail::message("valence::io::dm_image::axis_values", "dimension " + std::to_string(dimension) +
                                                                          " requested of an image with " +
                                                                          std::to_string(axes.size()) + " dimensions"));
    }
    const dm_axis& a = axes[dimension];
    return vector_d::LinSpaced(a.size, 0, double(a.size - 1)).array() * a.scale + a.offset();
  }
};

/// \brief The tags and images of a DM3 or DM4 file. The image values are not read here: see
/// read_dm_data().
/// \ingroup io
struct dm_file {
  int version = 0;               ///< 3 or 4
  bool little_endian = true;     ///< byte order of the values (tag structure is always big-endian)
  std::vector<dm_tag> tags;      ///< every data tag, in file order
  std::vector<dm_image> images;  ///< every entry of ImageList, in file order (the first is usually a thumbnail)

  /// \brief A tag by path. \param path as in dm_tag::path. \returns the tag, or nullptr.
  [[nodiscard]] const dm_tag* find(std::string_view path) const {
    for (const auto& t : tags) {
      if (t.path == path) {
        return &t;
      }
    }
    return nullptr;
  }
  /// \brief A numeric tag. \param path as in dm_tag::path.
  /// \returns its (first) value, or nothing when absent or not a number.
  [[nodiscard]] std::optional<double> number(std::string_view path) const {
    const dm_tag* t = find(path);
    return t && !t->numbers.empty() ? std::optional<double>(t->numbers.front()) : std::nullopt;
  }
  /// \brief A text tag. \param path as in dm_tag::path. \returns its text, or nothing.
  [[nodiscard]] std::optional<std::string> text(std::string_view path) const {
    const dm_tag* t = find(path);
    return t && (!t->text.empty() || t->element == dm_type::uint16) ? std::optional<std::string>(t->text)
                                                                    : std::nullopt;
  }
  /// \brief The image holding the measurement: the largest that is not an RGB thumbnail.
  /// \returns that image.
  /// \throws valence::invalid_input if the file has no such image.
  [[nodiscard]] const dm_image& primary_image() const {
    const dm_image* best = nullptr;
    for (const auto& image : images) {
      if (image.data_type != 23 && image.element != dm_type::none && (!best || image.count > best->count)) {
        best = &image;
      }
    }
    if (!best) {
      throw invalid_input(
          core::detail::message("valence::io::dm_file::primary_image",
                                "the file has " + std::to_string(images.size()) +
                                    " images and none holds numeric data; expected a spectrum or image"));
    }
    return *best;
  }
};

namespace detail {

// Calls visit(Stored{}) with the C++ type DM stores for t; false for dm_type::none. The one
// place that maps DM's type codes to types: sizes, decoding and block conversion all go through it.
template <typename Visit>
bool dm_visit(dm_type t, const Visit& visit) {
  switch (t) {
    case dm_type::int16:
      return visit(std::int16_t{}), true;
    case dm_type::int32:
      return visit(std::int32_t{}), true;
    case dm_type::uint16:
      return visit(std::uint16_t{}), true;
    case dm_type::uint32:
      return visit(std::uint32_t{}), true;
    case dm_type::float32:
      return visit(float{}), true;
    case dm_type::float64:
      return visit(double{}), true;
    case dm_type::boolean:
    case dm_type::uint8:
      return visit(std::uint8_t{}), true;
    case dm_type::int8:
      return visit(std::int8_t{}), true;
    case dm_type::int64:
      return visit(std::int64_t{}), true;
    case dm_type::uint64:
      return visit(std::uint64_t{}), true;
    case dm_type::none:
      break;
  }
  return false;
}

inline std::size_t dm_size(dm_type t) {
  std::size_t size = 0;
  dm_visit(t, [&](auto stored) { size = sizeof stored; });
  return size;
}

inline dm_type dm_simple_type(std::uint64_t code) {
  return (code >= 2 && code <= 12) ? static_cast<dm_type>(code) : dm_type::none;
}

inline bool native_little_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

// A value of type t from bytes in the given order.
inline double dm_decode(const unsigned char* p, dm_type t, bool little) {
  double value = 0;
  dm_visit(t, [&](auto stored) {
    unsigned char b[sizeof stored];
    for (std::size_t i = 0; i < sizeof stored; ++i) {
      b[i] = little == native_little_endian() ? p[i] : p[sizeof stored - 1 - i];
    }
    std::memcpy(&stored, b, sizeof stored);
    value = static_cast<double>(stored);
  });
  return value;
}

// n stored values of type Stored to T: one typed loop per block (a byte swap first when the
// file's order is not the machine's), not a type switch per value.
template <typename Stored, typename T>
void dm_convert_as(unsigned char* bytes, std::uint64_t n, bool swap, T* out) {
  for (std::uint64_t k = 0; k < n; ++k) {
    unsigned char* p = bytes + k * sizeof(Stored);
    if (swap) {
      std::reverse(p, p + sizeof(Stored));
    }
    Stored v;
    std::memcpy(&v, p, sizeof v);
    out[k] = static_cast<T>(v);
  }
}

template <typename T>
void dm_convert(unsigned char* bytes, std::uint64_t n, dm_type type, bool swap, T* out) {
  dm_visit(type, [&](auto stored) { dm_convert_as<decltype(stored)>(bytes, n, swap, out); });
}

// UTF-16 code units to UTF-8; an unpaired surrogate becomes U+FFFD.
inline std::string utf16_to_utf8(const std::vector<std::uint16_t>& units) {
  std::string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::uint32_t u = units[i];
    if (u >= 0xD800 && u < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] < 0xE000) {
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00u));
      ++i;
    } else {
      append_utf8(out, (u >= 0xD800 && u < 0xE000) ? 0xFFFD : u);
    }
  }
  return out;
}

// The tag-tree parser. It reads the structure with bounds checked against the file size and
// skips array contents, so a 10 GB spectrum image costs a few kilobytes of reading here.
class dm_parser {
 public:
  dm_parser(std::istream& in, const std::string& source) : in_(in), source_(source) {}

  dm_file parse() {
    const auto start = in_.tellg();
    if (start == std::istream::pos_type(-1) || !in_.seekg(0, std::ios::end)) {
      throw parse_error(source_, 0, "the stream cannot seek; expected a file (DM files are read by offset)");
    }
    size_ = static_cast<std::uint64_t>(in_.tellg() - start);
    base_ = start;
    in_.seekg(start);
    dm_file out;
    out.version = static_cast<int>(big(4));
    if (out.version != 3 && out.version != 4) {
      fail(0, "the version is " + std::to_string(out.version) + "; expected 3 or 4 (a DigitalMicrograph DM3/DM4 file)");
    }
    wide_ = out.version == 4;
    (void)big(wide_ ? 8 : 4);  // the declared size; files in the wild disagree with it, so it is not trusted
    const std::uint64_t order = big(4);
    if (order > 1) {
      fail(position() - 4, "the byte-order flag is " + std::to_string(order) + "; expected 0 or 1");
    }
    out.little_endian = order == 1;
    little_ = out.little_endian;
    group("", 0, out);
    assemble_images(out);
    return out;
  }

 private:
  [[noreturn]] void fail(std::uint64_t offset, const std::string& message) const {
    throw parse_error(source_, static_cast<std::size_t>(offset), message);
  }

  std::uint64_t position() const { return static_cast<std::uint64_t>(in_.tellg() - base_); }
  std::uint64_t remaining() const { return size_ - position(); }

  void read(void* buffer, std::uint64_t n) {
    if (n > remaining()) {
      fail(position(), "the file ends after " + std::to_string(size_) + " bytes; expected " + std::to_string(n) +
                           " more (truncated file?)");
    }
    in_.read(static_cast<char*>(buffer), static_cast<std::streamsize>(n));
    if (!in_) {
      fail(position(), "reading failed");
    }
  }

  void skip(std::uint64_t n) {
    if (n > remaining()) {
      fail(position(), "a tag declares " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
                           " remain; expected sizes within the file");
    }
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
  }

  std::uint64_t big(std::size_t n) {
    unsigned char b[8];
    read(b, n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = (v << 8) | b[i];
    }
    return v;
  }

  std::uint64_t count() { return big(wide_ ? 8 : 4); }

  double value(dm_type t) {
    unsigned char b[8];
    read(b, dm_size(t));
    return dm_decode(b, t, little_);
  }

  void group(const std::string& path, int depth, dm_file& out) {
    if (depth > 64) {
      fail(position(), "tag groups nest deeper than 64; expected a DM tag tree");
    }
    (void)big(1);  // sorted
    (void)big(1);  // open
    const std::uint64_t n = count();
    if (n > remaining()) {  // every tag takes at least a byte: an absurd count is an error, not an allocation
      fail(position(),
           "a group declares " + std::to_string(n) + " tags in " + std::to_string(remaining()) + " remaining bytes");
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t at = position();
      const auto kind = big(1);
      const auto label_length = big(2);
      std::string label(static_cast<std::size_t>(label_length), '\0');
      read(label.data(), label_length);
      if (wide_) {
        (void)big(8);  // DM4: the tag's total size
      }
      const std::string child = (path.empty() ? "" : path + "/") + (label.empty() ? std::to_string(i) : to_utf8(label));
      if (kind == 20) {
        group(child, depth + 1, out);
      } else if (kind == 21) {
        out.tags.push_back(data_tag(child));
      } else if (kind == 0 && depth == 0) {
        return;  // end-of-file marker some writers put in the root group
      } else {
        fail(at, "tag type " + std::to_string(kind) + "; expected 20 (group) or 21 (data)");
      }
    }
  }

  dm_tag data_tag(const std::string& path) {
    char mark[4];
    const std::uint64_t at = position();
    read(mark, 4);
    if (std::string_view(mark, 4) != "%%%%") {
      fail(at, "tag '" + path + "' does not start with '%%%%'; expected a DM data tag");
    }
    const std::uint64_t n = count();
    if (n < 1 || n > 1024) {
      fail(at + 4, "tag '" + path + "' declares " + std::to_string(n) + " type codes; expected 1 to 1024");
    }
    std::vector<std::uint64_t> info(static_cast<std::size_t>(n));
    for (auto& v : info) {
      v = count();
    }
    dm_tag tag;
    tag.path = path;
    const auto bad = [&] { fail(at, "tag '" + path + "' has an unknown type description; expected a DM type"); };
    const auto simple = dm_simple_type(info[0]);
    if (simple != dm_type::none && n == 1) {
      tag.numbers.push_back(value(simple));
    } else if (info[0] == 18 && n == 2) {  // string: UTF-16 code units
      tag.text = utf16(info[1]);
    } else if (info[0] == 15 && n >= 3 && info[2] <= n && n == 3 + 2 * info[2]) {  // struct
      // (info[2] <= n first: a field count near 2^63 would wrap 3 + 2 info[2] round to n.)
      for (std::uint64_t f = 0; f < info[2]; ++f) {
        const auto t = dm_simple_type(info[4 + 2 * f]);
        if (t == dm_type::none) {
          bad();
        }
        tag.numbers.push_back(value(t));
      }
    } else if (info[0] == 20 && n == 3 && dm_simple_type(info[1]) != dm_type::none) {  // array of numbers
      tag.is_array = true;
      tag.element = dm_simple_type(info[1]);
      tag.count = info[2];
      tag.offset = position();
      if (tag.count > remaining() / dm_size(tag.element)) {
        fail(at, "array '" + path + "' declares " + std::to_string(tag.count) + " values, more than the " +
                     std::to_string(remaining()) + " remaining bytes hold");
      }
      if (tag.element == dm_type::uint16 && tag.count <= 4096) {
        tag.text = utf16(tag.count);  // DM stores names and units this way
      } else {
        skip(tag.count * dm_size(tag.element));
      }
    } else if (info[0] == 20 && n >= 5 && info[1] == 15 && info[3] <= n && n == 5 + 2 * info[3]) {  // of structs
      std::uint64_t bytes = 0;
      for (std::uint64_t f = 0; f < info[3]; ++f) {
        const auto t = dm_simple_type(info[5 + 2 * f]);
        if (t == dm_type::none) {
          bad();
        }
        bytes += dm_size(t);
      }
      tag.is_array = true;
      tag.count = info[n - 1];
      tag.offset = position();
      if (bytes == 0 || tag.count > remaining() / bytes) {
        fail(at, "array '" + path + "' declares " + std::to_string(tag.count) + " structs, more than the file holds");
      }
      skip(tag.count * bytes);
    } else {
      bad();
    }
    return tag;
  }

  std::string utf16(std::uint64_t units) {
    if (units > remaining() / 2) {
      fail(position(), "a string declares " + std::to_string(units) + " characters, more than the file holds");
    }
    std::vector<std::uint16_t> code(static_cast<std::size_t>(units));
    for (auto& c : code) {
      c = static_cast<std::uint16_t>(value(dm_type::uint16));
    }
    return utf16_to_utf8(code);
  }

  // Images are ImageList/<i> entries with an ImageData/Data array. The tags are indexed once by
  // path, so assembly stays linear however many tags a (hostile) file holds.
  void assemble_images(dm_file& out) const {
    std::map<std::string, const dm_tag*> by_path;
    std::vector<std::string> entries;
    for (const auto& t : out.tags) {
      by_path.emplace(t.path, &t);
      const std::string_view p = t.path;
      if (p.compare(0, 10, "ImageList/") == 0) {
        const std::string entry(p.substr(0, p.find('/', 10)));
        if (entries.empty() || entries.back() != entry) {
          entries.push_back(entry);
        }
      }
    }
    const auto tag = [&](const std::string& path) {
      const auto it = by_path.find(path);
      return it == by_path.end() ? nullptr : it->second;
    };
    const auto number = [&](const std::string& path) {
      const dm_tag* t = tag(path);
      return t && !t->numbers.empty() ? std::optional<double>(t->numbers.front()) : std::nullopt;
    };
    const auto text = [&](const std::string& path) {
      const dm_tag* t = tag(path);
      return t ? t->text : std::string();
    };
    for (const auto& path : entries) {
      const std::string data = path + "/ImageData/";
      const dm_tag* values = tag(data + "Data");
      if (!values ||
          std::any_of(out.images.begin(), out.images.end(), [&](const dm_image& i) { return i.path == path; })) {
        continue;
      }
      dm_image image;
      image.path = path;
      image.name = text(path + "/Name");
      const double data_type = number(data + "DataType").value_or(0);
      if (!(data_type >= 0 && data_type <= 1000 && data_type == std::floor(data_type))) {
        fail(values->offset, path + " has DataType " + core::detail::format_value(data_type) +
                                 "; expected a DM image data type code (a whole number up to 1000)");
      }
      image.data_type = static_cast<int>(data_type);
      image.element = values->element;
      image.count = values->count;
      image.offset = values->offset;
      image.intensity_scale = number(data + "Calibrations/Brightness/Scale").value_or(1.0);
      image.intensity_units = text(data + "Calibrations/Brightness/Units");
      double product = 1;
      for (int d = 0; d < 16; ++d) {
        const auto size = number(data + "Dimensions/" + std::to_string(d));
        if (!size) {
          break;
        }
        if (!(*size >= 1 && *size <= 1e12 && *size == std::floor(*size))) {
          fail(values->offset, path + " dimension " + std::to_string(d) + " is " + core::detail::format_value(*size) +
                                   "; expected a positive whole number");
        }
        const std::string calibration = data + "Calibrations/Dimension/" + std::to_string(d) + "/";
        image.axes.push_back({static_cast<index>(*size), number(calibration + "Origin").value_or(0.0),
                              number(calibration + "Scale").value_or(1.0), text(calibration + "Units")});
        product *= *size;
      }
      if (image.element != dm_type::none && product != static_cast<double>(image.count)) {
        fail(values->offset, path + " has dimensions of " + core::detail::format_value(product) + " values but " +
                                 std::to_string(image.count) + " stored; expected them to agree");
      }
      out.images.push_back(std::move(image));
    }
  }

  std::istream& in_;
  const std::string& source_;
  std::istream::pos_type base_ = 0;
  std::uint64_t size_ = 0;
  bool wide_ = false;
  bool little_ = true;
};

}  // namespace detail

/// \brief Reads the tag tree of a DM3 or DM4 file from a seekable stream.
/// \ingroup io
///
/// Every data tag is listed with its path; arrays are recorded by offset and count, not read
/// (except short uint16 arrays, which DM uses for text). The images of `ImageList` are assembled
/// with their dimensions (fastest first: x, y, then energy for a spectrum image), calibrations
/// (origin, scale, units), intensity scale and data location. Every size in the file is checked
/// against the bytes that remain before anything is allocated, so a corrupt or hostile header is
/// an error, not an allocation.
/// \param in the file opened in binary mode, at its first byte (offsets count from there; the
///        stream must be able to seek).
/// \param source the name used in error messages.
/// \returns the version, byte order, tags and images.
/// \throws valence::parse_error with the byte offset for a version other than 3 or 4, a bad
///         byte-order flag, a tag of unknown kind or type, a size beyond the end of the file, a
///         truncated file, groups nested deeper than 64, a DataType that is not a whole number
///         from 0 to 1000, or dimensions that disagree with the data; at offset 0 if the stream
///         cannot seek.
///
/// **Reference.** The DM3/DM4 layout as documented by C. Boothroyd (DM3) and in Gatan's DM4
/// notes; image calibrations as HyperSpy/RosettaSciIO interpret them (offset = −origin · scale).
template <class = void>
[[nodiscard]] dm_file read_dm(std::istream& in, const std::string& source) {
  return detail::dm_parser(in, source).parse();
}

/// \brief Reads the tag tree of a DM3 or DM4 file. \ingroup io
/// \param path the file. \returns as the stream form.
/// \throws valence::parse_error as the stream form, or when the file cannot be opened (offset 0).
template <class = void>
[[nodiscard]] dm_file read_dm(const std::string& path) {
  auto in = detail::open_input(path, "a readable DM3/DM4 file");
  return read_dm(in, path);
}

/// \brief Reads an image's values into a destination the caller owns, converting to T.
/// \ingroup io
///
/// The values are in file order (fastest dimension first). When T is the stored type and the
/// byte orders agree, the bytes go straight into \p destination with no intermediate copy;
/// otherwise they are converted in blocks of 64 KiB.
/// \tparam T float or double.
/// \param in the file the image was read from. \param file what read_dm returned for it.
/// \param image one of `file.images`. \param destination room for `image.count` values.
/// \param source the name used in error messages.
/// \throws valence::parse_error with the byte offset if the file ends early.
/// \throws valence::invalid_input if the image holds structs (RGB or complex) rather than numbers.
template <typename T>
void read_dm_data(std::istream& in, const dm_file& file, const dm_image& image, T* destination,
                  const std::string& source) {
  static_assert(std::is_floating_point_v<T>, "read_dm_data converts to float or double");
  if (image.element == dm_type::none) {
    throw invalid_input(core::detail::message(
        "valence::io::read_dm_data", "image '" + image.path + "' has data type " + std::to_string(image.data_type) +
                                         " stored as structs; expected numeric values"));
  }
  const std::size_t size = detail::dm_size(image.element);
  const bool direct = ((std::is_same_v<T, float> && image.element == dm_type::float32) ||
                       (std::is_same_v<T, double> && image.element == dm_type::float64)) &&
                      file.little_endian == detail::native_little_endian();
  in.clear();
  in.seekg(static_cast<std::streamoff>(image.offset));
  const auto check = [&](std::uint64_t done) {
    if (!in) {
      throw parse_error(source, static_cast<std::size_t>(image.offset + done * size),
                        "the file ends inside the data of '" + image.path + "'; expected " +
                            std::to_string(image.count) + " values (truncated file?)");
    }
  };
  if (direct) {
    in.read(reinterpret_cast<char*>(destination), static_cast<std::streamsize>(image.count * size));
    check(0);
    return;
  }
  std::vector<unsigned char> block(65536);
  const std::uint64_t per_block = block.size() / size;
  const bool swap = file.little_endian != detail::native_little_endian();
  for (std::uint64_t done = 0; done < image.count;) {
    const std::uint64_t n = std::min(per_block, image.count - done);
    in.read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(n * size));
    check(done);
    detail::dm_convert(block.data(), n, image.element, swap, destination + done);
    done += n;
  }
}

/// \brief Reads an image's values from a file into a new vector, converting to T.
/// \ingroup io
/// \tparam T float or double. \param path the file. \param file what read_dm returned for it.
/// \param image one of `file.images`. \returns `image.count` values in file order.
/// \throws valence::parse_error and valence::invalid_input as the stream form.
template <typename T = double>
[[nodiscard]] std::vector<T> read_dm_data(const std::string& path, const dm_file& file, const dm_image& image) {
  auto in = detail::open_input(path, "a readable DM3/DM4 file");
  std::vector<T> values(static_cast<std::size_t>(image.count));
  read_dm_data(in, file, image, values.data(), path);
  return values;
}

}  // namespace valence::io

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::io {
extern template dm_file read_dm<>(std::istream&, const std::string&);
extern template dm_file read_dm<>(const std::string&);
}  // namespace valence::io
#endif

#endif  // VALENCE_IO_DM_HPP
