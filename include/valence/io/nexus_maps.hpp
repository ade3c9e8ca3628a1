// SPDX-License-Identifier: MIT
/// \file
/// \brief Result maps written as NeXus NXdata in HDF5, a block of rows at a time. Needs HDF5
/// (link valence::hdf5).
#ifndef VALENCE_IO_NEXUS_MAPS_HPP
#define VALENCE_IO_NEXUS_MAPS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/hdf5.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/version.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace valence::io {

/// \brief The stored type of a map.
/// \ingroup io
enum class map_type {
  float32,  ///< IEEE single
  float64,  ///< IEEE double
  uint8     ///< status codes
};

/// \brief One map of a nexus_map_writer: its dataset name, units, description and type.
/// \ingroup io
struct map_spec {
  std::string name;                   ///< dataset name, e.g. "edge_step" (letters, digits, '_')
  std::string units;                  ///< e.g. "eV"; empty for dimensionless maps
  std::string long_name;              ///< axis label a viewer shows, e.g. "edge energy (eV)"
  map_type type = map_type::float32;  ///< stored type
  std::string flag_meanings;          ///< uint8 status maps: space-separated names of codes 0, 1, ...
};

/// \brief Writes result maps of `rows × cols` pixels as one NeXus NXdata group in a new HDF5 file,
/// a block of rows at a time, so that a job whose maps do not fit in memory writes them as it goes.
/// \ingroup io
///
/// Layout (NeXus: `/@default` → `entry/@default` → `maps/@signal`, `@axes`), which HyperSpy,
/// silx and NeXus viewers open as images:
/// ```
/// /                  @NX_class=NXroot @default=entry @creator="valence <version>"
/// /entry             NXentry, @default=maps; program_name, parameters (NXnote: one dataset per job option)
/// /entry/maps        NXdata, @signal=<first map> @auxiliary_signals=<the others> @axes=[y, x]
/// /entry/maps/y, x   pixel positions with @units
/// /entry/maps/<map>  [rows][cols] with @units, @long_name (uint8 status maps: @flag_meanings)
/// ```
/// Datasets are contiguous and allocated at creation, and no object times are stored: the same
/// maps written in any order of blocks give byte-identical files (what the command line's
/// results across MPI rank counts are compared by).
class nexus_map_writer {
 public:
  /// \brief Creates (or truncates) \p path and every map, filled with NaN (0 for uint8).
  /// \param path the file. \param y, x pixel axes (values of length rows and cols).
  /// \param maps the maps, the first being the NXdata signal.
  /// \param parameters job options recorded in `entry/parameters`, as name → text.
  /// \throws valence::invalid_input for no maps, an empty axis, or a map name that is empty or
  ///         repeated; valence::parse_error if HDF5 cannot create the file.
  nexus_map_writer(const std::string& path, const hdf5_axis& y, const hdf5_axis& x, std::vector<map_spec> maps,
                   const std::vector<std::pair<std::string, std::string>>& parameters = {})
      : path_(path), maps_(std::move(maps)), rows_(index(y.values.size())), cols_(index(x.values.size())) {
    if (maps_.empty() || rows_ < 1 || cols_ < 1) {
      throw invalid_input(core::detail::message(function_, "no maps or an empty axis (" + std::to_string(rows_) +
                                                               " x " + std::to_string(cols_) +
                                                               "); expected at least one map of at least one pixel"));
    }
    for (std::size_t i = 0; i < maps_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (maps_[i].name.empty() || maps_[i].name == maps_[j].name) {
          throw invalid_input(core::detail::message(
              function_, "map name '" + maps_[i].name + "' is empty or repeated; expected distinct names"));
        }
      }
    }
    const detail::h5_quiet quiet;
    file_ = detail::h5_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!file_.valid()) {
      detail::h5_fail(path, function_, "HDF5 cannot create the file; expected a writable path");
    }
    text_attribute(file_.get(), "NX_class", "NXroot");
    text_attribute(file_.get(), "default", "entry");
    text_attribute(file_.get(), "creator",
                   "valence " + std::to_string(VALENCE_VERSION_MAJOR) + "." + std::to_string(VALENCE_VERSION_MINOR) +
                       "." + std::to_string(VALENCE_VERSION_PATCH));
    const detail::h5_id entry = group(file_.get(), "entry", "NXentry");
    text_attribute(entry.get(), "default", "maps");
    text_dataset(entry.get(), "program_name", "valence");
    const detail::h5_id note = group(entry.get(), "parameters", "NXnote");
    for (const auto& [name, value] : parameters) {
      text_dataset(note.get(), name, value);
    }
    const detail::h5_id data = group(entry.get(), "maps", "NXdata");
    text_attribute(data.get(), "signal", maps_.front().name);
    std::vector<std::string> others;
    for (std::size_t i = 1; i < maps_.size(); ++i) {
      others.push_back(maps_[i].name);
    }
    if (!others.empty()) {
      text_attribute(data.get(), "auxiliary_signals", others);
    }
    text_attribute(data.get(), "axes", std::vector<std::string>{"y", "x"});
    axis(data.get(), "y", y);
    axis(data.get(), "x", x);
    for (const auto& spec : maps_) {
      create_map(data.get(), spec);
    }
    data_ = detail::h5_id(H5Gopen2(file_.get(), "/entry/maps", H5P_DEFAULT));
  }

  /// \brief Writes rows `[first_row, first_row + rows)` of map \p name from \p values (row-major,
  /// `rows · cols` values; converted to the map's stored type).
  /// \tparam V float, double or std::uint8_t.
  /// \param name a map given to the constructor. \param first_row, rows the block.
  /// \param values the block's values.
  /// \throws valence::invalid_input for an unknown map or rows outside the image;
  ///         valence::parse_error if HDF5 cannot write.
  template <typename V>
  void write_rows(const std::string& name, index first_row, index rows, const V* values) {
    if (first_row < 0 || rows < 1 || first_row + rows > rows_) {
      throw invalid_input(core::detail::message(
          function_, "rows [" + std::to_string(first_row) + ", " + std::to_string(first_row + rows) + ") of map '" +
                         name + "'; expected a range within its " + std::to_string(rows_) + " rows"));
    }
    bool known = false;
    for (const auto& spec : maps_) {
      known = known || spec.name == name;
    }
    if (!known) {
      throw invalid_input(core::detail::message(function_, "no map '" + name + "' in " + path_));
    }
    const detail::h5_quiet quiet;
    const detail::h5_id d(H5Dopen2(data_.get(), name.c_str(), H5P_DEFAULT));
    const detail::h5_id space(H5Dget_space(d.get()));
    const hsize_t start[2] = {hsize_t(first_row), 0};
    const hsize_t count[2] = {hsize_t(rows), hsize_t(cols_)};
    const detail::h5_id memory(H5Screate_simple(2, count, nullptr));
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
        H5Dwrite(d.get(), detail::h5_native_type<V>(), memory.get(), space.get(), H5P_DEFAULT, values) < 0) {
      detail::h5_fail(path_, function_, "HDF5 cannot write rows of '/entry/maps/" + name + "'");
    }
  }

  /// \brief Pixels along y. \returns rows.
  [[nodiscard]] index rows() const { return rows_; }
  /// \brief Pixels along x. \returns cols.
  [[nodiscard]] index cols() const { return cols_; }

 private:
  static detail::h5_id string_type(std::size_t size) {
    detail::h5_id t(H5Tcopy(H5T_C_S1));
    H5Tset_size(t.get(), size == 0 ? 1 : size);
    H5Tset_strpad(t.get(), H5T_STR_NULLPAD);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
  }
  void check(herr_t status, const std::string& what) const {
    if (status < 0) {
      detail::h5_fail(path_, function_, "HDF5 cannot write " + what);
    }
  }
  void text_attribute(hid_t object, const char* name, const std::string& value) const {
    const detail::h5_id type = string_type(value.size());
    const detail::h5_id space(H5Screate(H5S_SCALAR));
    const detail::h5_id a(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    check(a.valid() ? H5Awrite(a.get(), type.get(), value.data()) : -1, std::string("attribute @") + name);
  }
  void text_attribute(hid_t object, const char* name, const std::vector<std::string>& values) const {
    std::size_t size = 1;
    for (const auto& v : values) {
      size = std::max(size, v.size());
    }
    std::vector<char> bytes(size * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::copy(values[i].begin(), values[i].end(), bytes.begin() + std::ptrdiff_t(i * size));
    }
    const detail::h5_id type = string_type(size);
    const hsize_t n = values.size();
    const detail::h5_id space(H5Screate_simple(1, &n, nullptr));
    const detail::h5_id a(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    check(a.valid() ? H5Awrite(a.get(), type.get(), bytes.data()) : -1, std::string("attribute @") + name);
  }
  void text_dataset(hid_t location, const std::string& name, const std::string& value) const {
    const detail::h5_id type = string_type(value.size());
    const detail::h5_id space(H5Screate(H5S_SCALAR));
    const detail::h5_id create(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_obj_track_times(create.get(), 0);
    const detail::h5_id d(
        H5Dcreate2(location, name.c_str(), type.get(), space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT));
    check(d.valid() ? H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) : -1,
          "dataset '" + name + "'");
  }
  detail::h5_id group(hid_t location, const char* name, const char* nx_class) const {
    const detail::h5_id create(H5Pcreate(H5P_GROUP_CREATE));
    H5Pset_obj_track_times(create.get(), 0);
    detail::h5_id g(H5Gcreate2(location, name, H5P_DEFAULT, create.get(), H5P_DEFAULT));
    if (!g.valid()) {
      detail::h5_fail(path_, function_, std::string("HDF5 cannot create the group '") + name + "'");
    }
    text_attribute(g.get(), "NX_class", nx_class);
    return g;
  }
  void axis(hid_t location, const char* name, const hdf5_axis& a) const {
    const hsize_t n = a.values.size();
    const detail::h5_id space(H5Screate_simple(1, &n, nullptr));
    const detail::h5_id create(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_obj_track_times(create.get(), 0);
    const detail::h5_id d(
        H5Dcreate2(location, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT));
    check(d.valid() ? H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) : -1,
          std::string("axis '") + name + "'");
    text_attribute(d.get(), "units", a.units.empty() ? std::string("pixel") : a.units);
    text_attribute(d.get(), "long_name", a.name.empty() ? std::string(name) : a.name);
  }
  void create_map(hid_t location, const map_spec& spec) const {
    const hsize_t dims[2] = {hsize_t(rows_), hsize_t(cols_)};
    const detail::h5_id space(H5Screate_simple(2, dims, nullptr));
    const detail::h5_id create(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_obj_track_times(create.get(), 0);
    H5Pset_alloc_time(create.get(), H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(create.get(), H5D_FILL_TIME_ALLOC);
    const hid_t type = spec.type == map_type::float32   ? H5T_IEEE_F32LE
                       : spec.type == map_type::float64 ? H5T_IEEE_F64LE
                                                        : H5T_STD_U8LE;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::uint8_t zero = 0;
    if (spec.type == map_type::uint8) {
      H5Pset_fill_value(create.get(), H5T_NATIVE_UINT8, &zero);
    } else {
      H5Pset_fill_value(create.get(), H5T_NATIVE_DOUBLE, &nan);
    }
    const detail::h5_id d(
        H5Dcreate2(location, spec.name.c_str(), type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT));
    if (!d.valid()) {
      detail::h5_fail(path_, function_, "HDF5 cannot create the map '" + spec.name + "'");
    }
    if (!spec.units.empty()) {
      text_attribute(d.get(), "units", spec.units);
    }
    text_attribute(d.get(), "long_name", spec.long_name.empty() ? spec.name : spec.long_name);
    if (!spec.flag_meanings.empty()) {
      text_attribute(d.get(), "flag_meanings", spec.flag_meanings);
    }
  }

  static constexpr const char* function_ = "valence::io::nexus_map_writer";
  std::string path_;
  std::vector<map_spec> maps_;
  index rows_, cols_;
  detail::h5_id file_, data_;
};

}  // namespace valence::io

#endif  // VALENCE_IO_NEXUS_MAPS_HPP
