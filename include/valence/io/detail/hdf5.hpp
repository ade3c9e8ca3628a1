// SPDX-License-Identifier: MIT
// A thin layer over the HDF5 C API for the HDF5 readers and writer (not part of the public API):
// owned identifiers, existence checks that never make the library print, attributes and string
// datasets in every encoding the beamline files use, whole reads and hyperslab reads with type
// conversion done by HDF5.
#ifndef VALENCE_IO_DETAIL_HDF5_HPP
#define VALENCE_IO_DETAIL_HDF5_HPP

#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <hdf5.h>

namespace valence::io::detail {

// An owned HDF5 identifier, closed with the function matching its kind.
class h5_id {
 public:
  h5_id() = default;
  explicit h5_id(hid_t id) : id_(id) {}
  h5_id(const h5_id&) = delete;
  h5_id& operator=(const h5_id&) = delete;
  h5_id(h5_id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  h5_id& operator=(h5_id&& other) noexcept {
    if (this != &other) {
      close();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  ~h5_id() { close(); }
  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }

 private:
  void close() {
    if (id_ < 0) {
      return;
    }
    switch (H5Iget_type(id_)) {
      case H5I_FILE:
        H5Fclose(id_);
        break;
      case H5I_GROUP:
        H5Gclose(id_);
        break;
      case H5I_DATASET:
        H5Dclose(id_);
        break;
      case H5I_ATTR:
        H5Aclose(id_);
        break;
      case H5I_DATATYPE:
        H5Tclose(id_);
        break;
      case H5I_DATASPACE:
        H5Sclose(id_);
        break;
      case H5I_GENPROP_LST:
        H5Pclose(id_);
        break;
      default:
        break;
    }
    id_ = H5I_INVALID_HID;
  }
  hid_t id_ = H5I_INVALID_HID;
};

// Silences HDF5's printing of its error stack while a reader probes a file (on this thread's
// default stack), restoring what was set before. Failures are reported as valence exceptions.
class h5_quiet {
 public:
  h5_quiet() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  h5_quiet(const h5_quiet&) = delete;
  h5_quiet& operator=(const h5_quiet&) = delete;
  ~h5_quiet() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

[[noreturn]] inline void h5_fail(const std::string& file, const char* function, const std::string& text) {
  throw parse_error(file, 0, std::string(function) + ": " + text);
}

// Opens an existing HDF5 file read-only; a missing file or one that is not HDF5 is a parse_error.
inline h5_id h5_open(const char* function, const std::string& path) {
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    h5_fail(path, function, "cannot open the file; expected a readable HDF5 file");
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    h5_fail(path, function, "the file has no HDF5 signature; expected an HDF5 file");
  }
  h5_id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) {
    h5_fail(path, function, "HDF5 cannot open the file (damaged or truncated?)");
  }
  return file;
}

// Whether every link of `path` (absolute, or relative to `location`) exists and resolves.
inline bool h5_exists(hid_t location, const std::string& path) {
  std::string partial;
  std::size_t at = 0;
  if (!path.empty() && path[0] == '/') {
    partial = "/";
    at = 1;
  }
  while (at <= path.size()) {
    const std::size_t slash = path.find('/', at);
    const std::string part = path.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    if (!part.empty()) {
      partial += (partial.empty() || partial.back() == '/' ? "" : "/") + part;
      if (H5Lexists(location, partial.c_str(), H5P_DEFAULT) <= 0 ||
          H5Oexists_by_name(location, partial.c_str(), H5P_DEFAULT) <= 0) {
        return false;
      }
    }
    if (slash == std::string::npos) {
      break;
    }
    at = slash + 1;
  }
  return true;
}

inline H5O_type_t h5_object_type(hid_t location, const std::string& path) {
  H5O_info_t info;
  if (!h5_exists(location, path) || H5Oget_info_by_name(location, path.c_str(), &info, H5P_DEFAULT) < 0) {
    return H5O_TYPE_UNKNOWN;
  }
  return info.type;
}

inline bool h5_is_dataset(hid_t location, const std::string& path) {
  return h5_object_type(location, path) == H5O_TYPE_DATASET;
}
inline bool h5_is_group(hid_t location, const std::string& path) {
  return h5_object_type(location, path) == H5O_TYPE_GROUP;
}

inline h5_id h5_open_dataset(const char* function, const std::string& file, hid_t location, const std::string& path) {
  if (!h5_is_dataset(location, path)) {
    h5_fail(file, function, "no dataset '" + path + "'; expected one there");
  }
  h5_id d(H5Dopen2(location, path.c_str(), H5P_DEFAULT));
  if (!d.valid()) {
    h5_fail(file, function, "HDF5 cannot open the dataset '" + path + "'");
  }
  return d;
}

inline h5_id h5_open_group(const char* function, const std::string& file, hid_t location, const std::string& path) {
  if (!h5_is_group(location, path)) {
    h5_fail(file, function, "no group '" + path + "'; expected one there");
  }
  h5_id g(H5Gopen2(location, path.c_str(), H5P_DEFAULT));
  if (!g.valid()) {
    h5_fail(file, function, "HDF5 cannot open the group '" + path + "'");
  }
  return g;
}

// The dimensions of a dataset (empty for a scalar).
inline std::vector<hsize_t> h5_shape(hid_t dataset) {
  const h5_id space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank < 0 ? 0 : rank));
  if (rank > 0) {
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  }
  return dims;
}

inline std::string h5_shape_text(const std::vector<hsize_t>& dims) {
  if (dims.empty()) {
    return "a scalar";
  }
  std::string text = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return text + ")";
}

// Strings of a string-typed dataset or attribute (`is_attribute` selects the API): variable- or
// fixed-length, scalar or 1-D; trailing NULs and spaces of fixed-length strings removed.
inline std::vector<std::string> h5_read_strings(hid_t object, bool is_attribute) {
  const h5_id type(is_attribute ? H5Aget_type(object) : H5Dget_type(object));
  if (H5Tget_class(type.get()) != H5T_STRING) {
    return {};
  }
  const h5_id space(is_attribute ? H5Aget_space(object) : H5Dget_space(object));
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 1) {
    return {};
  }
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    h5_id memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    std::vector<char*> values(static_cast<std::size_t>(count), nullptr);
    const herr_t status = is_attribute ? H5Aread(object, memory.get(), values.data())
                                       : H5Dread(object, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    if (status < 0) {
      return {};
    }
    for (char* v : values) {
      out.emplace_back(v == nullptr ? "" : v);
    }
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, values.data());
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  h5_id memory(H5Tcopy(H5T_C_S1));
  H5Tset_size(memory.get(), size);
  H5Tset_strpad(memory.get(), H5T_STR_NULLPAD);
  H5Tset_cset(memory.get(), H5Tget_cset(type.get()));  // HDF5 converts no ASCII <-> UTF-8
  std::vector<char> bytes(size * static_cast<std::size_t>(count) + 1, '\0');
  const herr_t status = is_attribute ? H5Aread(object, memory.get(), bytes.data())
                                     : H5Dread(object, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  if (status < 0) {
    return {};
  }
  for (hssize_t i = 0; i < count; ++i) {
    std::string s(bytes.data() + static_cast<std::size_t>(i) * size, size);
    s.erase(s.find_last_not_of(std::string("\0 ", 2)) + 1);
    out.push_back(s);
  }
  return out;
}

// Numbers of a numeric dataset or attribute, converted to double by HDF5 (empty if not numeric).
inline std::vector<double> h5_read_numbers(hid_t object, bool is_attribute) {
  const h5_id type(is_attribute ? H5Aget_type(object) : H5Dget_type(object));
  const H5T_class_t kind = H5Tget_class(type.get());
  if (kind != H5T_INTEGER && kind != H5T_FLOAT && kind != H5T_ENUM) {
    return {};
  }
  const h5_id space(is_attribute ? H5Aget_space(object) : H5Dget_space(object));
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  std::vector<double> values(static_cast<std::size_t>(count < 0 ? 0 : count));
  if (values.empty()) {
    return values;
  }
  const herr_t status = is_attribute ? H5Aread(object, H5T_NATIVE_DOUBLE, values.data())
                                     : H5Dread(object, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  if (status < 0) {
    return {};
  }
  return values;
}

inline bool h5_has_attribute(hid_t object, const char* name) {
  return H5Aexists(object, name) > 0;
}

// An attribute as text: a string (the first of an array), or a number printed; empty if absent.
inline std::string h5_attribute_text(hid_t object, const char* name) {
  if (!h5_has_attribute(object, name)) {
    return {};
  }
  const h5_id a(H5Aopen(object, name, H5P_DEFAULT));
  if (!a.valid()) {
    return {};
  }
  const auto strings = h5_read_strings(a.get(), true);
  if (!strings.empty()) {
    return strings.front();
  }
  const auto numbers = h5_read_numbers(a.get(), true);
  if (numbers.size() == 1) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", numbers[0]);
    return text;
  }
  return {};
}

inline std::vector<std::string> h5_attribute_strings(hid_t object, const char* name) {
  if (!h5_has_attribute(object, name)) {
    return {};
  }
  const h5_id a(H5Aopen(object, name, H5P_DEFAULT));
  return a.valid() ? h5_read_strings(a.get(), true) : std::vector<std::string>{};
}

// A numeric attribute; `found` false if absent or not a single number.
inline double h5_attribute_number(hid_t object, const char* name, bool& found) {
  found = false;
  if (!h5_has_attribute(object, name)) {
    return 0;
  }
  const h5_id a(H5Aopen(object, name, H5P_DEFAULT));
  const auto numbers = a.valid() ? h5_read_numbers(a.get(), true) : std::vector<double>{};
  if (numbers.size() != 1) {
    return 0;
  }
  found = true;
  return numbers[0];
}

// The text of a string (or number) dataset, e.g. FXI's "Pixel Size" or NXxas's "mode"; empty if absent.
inline std::string h5_dataset_text(hid_t location, const std::string& path) {
  if (!h5_is_dataset(location, path)) {
    return {};
  }
  const h5_id d(H5Dopen2(location, path.c_str(), H5P_DEFAULT));
  const auto strings = h5_read_strings(d.get(), false);
  if (!strings.empty()) {
    return strings.front();
  }
  const auto numbers = h5_read_numbers(d.get(), false);
  if (numbers.size() == 1) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", numbers[0]);
    return text;
  }
  return {};
}

// A whole numeric dataset as doubles, checked to be numeric.
inline std::vector<double> h5_dataset_numbers(const char* function, const std::string& file, hid_t location,
                                              const std::string& path) {
  const h5_id d = h5_open_dataset(function, file, location, path);
  const h5_id type(H5Dget_type(d.get()));
  const H5T_class_t kind = H5Tget_class(type.get());
  if (kind != H5T_INTEGER && kind != H5T_FLOAT) {
    h5_fail(file, function, "dataset '" + path + "' is not numeric; expected numbers");
  }
  auto values = h5_read_numbers(d.get(), false);
  if (values.empty() && H5Sget_simple_extent_npoints(h5_id(H5Dget_space(d.get())).get()) > 0) {
    h5_fail(file, function, "HDF5 cannot read the dataset '" + path + "'");
  }
  return values;
}

template <typename T>
hid_t h5_native_type() {
  if constexpr (std::is_same_v<T, float>) {
    return H5T_NATIVE_FLOAT;
  } else if constexpr (std::is_same_v<T, double>) {
    return H5T_NATIVE_DOUBLE;
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return H5T_NATIVE_UINT8;
  } else {
    static_assert(std::is_same_v<T, std::int32_t>, "valence::io: HDF5 values of float, double, uint8 or int32");
    return H5T_NATIVE_INT32;
  }
}

// Reads the hyperslab start/count of `dataset` into `out` (contiguous, C order), converted to T.
template <typename T>
void h5_read_slab(const char* function, const std::string& file, const std::string& path, hid_t dataset,
                  const std::vector<hsize_t>& start, const std::vector<hsize_t>& count, T* out) {
  const h5_id space(H5Dget_space(dataset));
  h5_id memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
      H5Dread(dataset, h5_native_type<T>(), memory.get(), space.get(), H5P_DEFAULT, out) < 0) {
    h5_fail(file, function,
            "HDF5 cannot read the block at " + h5_shape_text(start) + " of size " + h5_shape_text(count) +
                " of dataset '" + path + "'");
  }
}

}  // namespace valence::io::detail

#endif  // VALENCE_IO_DETAIL_HDF5_HPP
