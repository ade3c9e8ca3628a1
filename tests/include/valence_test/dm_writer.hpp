// SPDX-License-Identifier: MIT
// Builds DM3/DM4 files byte by byte for the tests: either byte order for the values, every
// numeric type, text as DM writes it (uint16 arrays), and an ImageList entry with dimensions and
// calibrations. Tag headers are big-endian as in real files; DM4's per-tag size field is written
// as 0 (readers do not need it).
#ifndef VALENCE_TEST_DM_WRITER_HPP
#define VALENCE_TEST_DM_WRITER_HPP

#include <valence/io/dm.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace valence_test {

class dm_writer {
 public:
  dm_writer(int version, bool little_endian) : version_(version), little_(little_endian) {}

  // Root group with `tags` entries; call first.
  void begin(std::uint64_t tags) {
    big(std::uint64_t(version_), 4);
    big(0, version_ == 4 ? 8 : 4);
    big(little_ ? 1 : 0, 4);
    group_header(tags);
  }

  void group(const std::string& label, std::uint64_t tags) {
    tag_header(20, label);
    group_header(tags);
  }

  void number(const std::string& label, valence::io::dm_type type, double value) {
    data_header(label, {std::uint64_t(type)});
    put(type, value);
  }

  void array(const std::string& label, valence::io::dm_type type, const std::vector<double>& values) {
    data_header(label, {20, std::uint64_t(type), values.size()});
    for (const double v : values) {
      put(type, v);
    }
  }

  // An array of structs with the given field types, filled from `values` field by field (DM stores
  // complex images so).
  void struct_array(const std::string& label, const std::vector<valence::io::dm_type>& fields,
                    const std::vector<double>& values) {
    std::vector<std::uint64_t> info = {20, 15, 0, fields.size()};
    for (const auto type : fields) {
      info.push_back(0);
      info.push_back(std::uint64_t(type));
    }
    info.push_back(values.size() / fields.size());
    data_header(label, info);
    for (std::size_t i = 0; i < values.size(); ++i) {
      put(fields[i % fields.size()], values[i]);
    }
  }

  // Text as DM stores names and units: an array of UTF-16 code units (ASCII here, plus 'µ').
  void text(const std::string& label, const std::u16string& value) {
    data_header(label, {20, 4, value.size()});
    for (const char16_t c : value) {
      put(valence::io::dm_type::uint16, double(c));
    }
  }

  // A one-image ImageList: data with the given dimensions (fastest first) and calibrations; with
  // `fields`, the data are structs of those types (then `type` is not used).
  void image(const std::string& name, valence::io::dm_type type, const std::vector<double>& values,
             const std::vector<std::uint64_t>& dimensions, const std::vector<double>& origins,
             const std::vector<double>& scales, const std::u16string& units,
             const std::vector<valence::io::dm_type>& fields = {}) {
    group("ImageList", 1);
    group("", 2);
    text("Name", std::u16string(name.begin(), name.end()));
    group("ImageData", 4);
    group("Calibrations", 1);
    group("Dimension", dimensions.size());
    for (std::size_t d = 0; d < dimensions.size(); ++d) {
      group("", 3);
      number("Origin", valence::io::dm_type::float32, origins[d]);
      number("Scale", valence::io::dm_type::float32, scales[d]);
      text("Units", units);
    }
    if (fields.empty()) {
      array("Data", type, values);
    } else {
      struct_array("Data", fields, values);
    }
    number("DataType", valence::io::dm_type::uint32, 2);
    group("Dimensions", dimensions.size());
    for (const auto n : dimensions) {
      number("", valence::io::dm_type::uint32, double(n));
    }
  }

  std::string bytes;

 private:
  void big(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      bytes += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
  }
  void count(std::uint64_t v) { big(v, version_ == 4 ? 8 : 4); }
  void group_header(std::uint64_t tags) {
    bytes += '\0';
    bytes += '\0';
    count(tags);
  }
  void tag_header(int kind, const std::string& label) {
    bytes += static_cast<char>(kind);
    big(label.size(), 2);
    bytes += label;
    if (version_ == 4) {
      big(0, 8);
    }
  }
  void data_header(const std::string& label, const std::vector<std::uint64_t>& info) {
    tag_header(21, label);
    bytes += "%%%%";
    count(info.size());
    for (const auto i : info) {
      count(i);
    }
  }
  template <typename T>
  void raw(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    const bool native_little = valence::io::detail::native_little_endian();
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      bytes += b[little_ == native_little ? i : sizeof(T) - 1 - i];
    }
  }
  void put(valence::io::dm_type type, double v) {
    using t = valence::io::dm_type;
    switch (type) {
      case t::int16:
        raw(std::int16_t(v));
        break;
      case t::int32:
        raw(std::int32_t(v));
        break;
      case t::uint16:
        raw(std::uint16_t(v));
        break;
      case t::uint32:
        raw(std::uint32_t(v));
        break;
      case t::float32:
        raw(float(v));
        break;
      case t::float64:
        raw(v);
        break;
      case t::boolean:
      case t::uint8:
        raw(std::uint8_t(v));
        break;
      case t::int8:
        raw(std::int8_t(v));
        break;
      case t::int64:
        raw(std::int64_t(v));
        break;
      case t::uint64:
        raw(std::uint64_t(v));
        break;
      case t::none:
        break;
    }
  }

  int version_;
  bool little_;
};

}  // namespace valence_test

#endif  // VALENCE_TEST_DM_WRITER_HPP
