// SPDX-License-Identifier: MIT
/// \file
/// \brief Image stacks in HDF5 files as beamlines and HyperSpy write them: layout, axes, metadata.
/// Needs HDF5 (link valence::hdf5).
#ifndef VALENCE_IO_HDF5_STACK_HPP
#define VALENCE_IO_HDF5_STACK_HPP

#include <valence/core/types.hpp>
#include <valence/io/detail/hdf5.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace valence::io {

/// \brief The HDF5 layouts valence recognises.
/// \ingroup io
enum class hdf5_layout {
  fxi_xanes,      ///< NSLS-II FXI (18-ID) TXM XANES export: `img_xanes` [energy][y][x], `X_eng` in keV
  data_exchange,  ///< APS Data Exchange: `/exchange/data` with `@axes` such as "theta:y:x"
  hyperspy,       ///< HyperSpy `.hspy` (v1.0–3.1): `/Experiments/<title>/data`, signal axis last
  explicit_path   ///< a 3-D dataset named by the caller, `[channel][y][x]`
};

/// \brief The name of a layout, e.g. `"fxi_xanes"`.
/// \ingroup io
/// \param layout the layout. \returns a static string.
[[nodiscard]] constexpr const char* to_string(hdf5_layout layout) noexcept {
  switch (layout) {
    case hdf5_layout::fxi_xanes:
      return "fxi_xanes";
    case hdf5_layout::data_exchange:
      return "data_exchange";
    case hdf5_layout::hyperspy:
      return "hyperspy";
    case hdf5_layout::explicit_path:
      return "explicit_path";
  }
  return "unknown";
}

/// \brief One axis of a stack: name, units and one value per index.
/// \ingroup io
struct hdf5_axis {
  std::string name;            ///< e.g. "energy", "theta", "x", "Energy loss"
  std::string units;           ///< e.g. "eV", "degrees", "nm"; empty when the file gives none
  std::vector<double> values;  ///< one per index along the axis
};

/// \brief An image stack found in an HDF5 file: where its values are, their shape and order, the
/// axes with units, the flat-field references of raw data, and the metadata, read by
/// open_hdf5_stack() without reading the values (see hdf5_rows to read them).
/// \ingroup io
struct hdf5_stack {
  std::string file;                                 ///< the file
  hdf5_layout layout = hdf5_layout::explicit_path;  ///< which layout was recognised
  std::string dataset;                              ///< HDF5 path of the values
  std::vector<unsigned long long> shape;            ///< the dataset's dimensions as stored
  bool channels_first = true;  ///< `[channel][y][x]` (TXM, Data Exchange) or `[y][x][channel]` (HyperSpy)
  index rows = 0;              ///< pixels along y (1 for a line scan or one spectrum)
  index cols = 0;              ///< pixels along x
  index channels = 0;          ///< values per pixel (energies, angles)
  std::string value_type;      ///< stored type, e.g. "uint16", "float32"
  hdf5_axis channel_axis;      ///< energy in eV (converted from keV where the file has keV), or angle
  hdf5_axis y_axis;            ///< pixel positions along y (indices when the file gives no size)
  hdf5_axis x_axis;            ///< pixel positions along x
  std::string white;           ///< path of the flat (white, background) frames of raw data, or empty
  std::string dark;            ///< path of the dark frames of raw data, or empty
  std::vector<std::pair<std::string, std::string>> metadata;  ///< scalar attributes and small datasets, as text
  std::vector<std::string> notes;  ///< conversions made while reading, e.g. "X_eng is in keV: converted to eV"
  /// \brief A metadata value by key. \param key e.g. "Magnification". \returns the text, empty if absent.
  [[nodiscard]] std::string meta(const std::string& key) const {
    for (const auto& [k, v] : metadata) {
      if (k == key) {
        return v;
      }
    }
    return {};
  }
};

namespace detail {

inline std::string h5_type_name(hid_t dataset) {
  const h5_id type(H5Dget_type(dataset));
  const std::size_t size = H5Tget_size(type.get());
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      return std::string(H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    case H5T_FLOAT:
      return "float" + std::to_string(8 * size);
    case H5T_COMPOUND:
      return "compound";
    case H5T_STRING:
      return "string";
    default:
      return "other";
  }
}

inline hdf5_axis index_axis(const char* name, index n) {
  hdf5_axis a{name, "", std::vector<double>(static_cast<std::size_t>(n))};
  for (index i = 0; i < n; ++i) {
    a.values[static_cast<std::size_t>(i)] = double(i);
  }
  return a;
}

// What the root of a file holds, for the message of a file whose layout is unknown.
inline std::string h5_root_listing(hid_t file) {
  std::string listing;
  H5G_info_t info;
  if (H5Gget_info(file, &info) < 0) {
    return "nothing readable";
  }
  for (hsize_t i = 0; i < info.nlinks && i < 12; ++i) {
    char name[256] = {};
    if (H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) {
      continue;
    }
    const std::string path = std::string("/") + name;
    const H5O_type_t type = h5_object_type(file, path);
    std::string what = type == H5O_TYPE_GROUP ? "group" : type == H5O_TYPE_DATASET ? "dataset" : "link";
    if (type == H5O_TYPE_DATASET) {
      const h5_id d(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
      what += " " + h5_shape_text(h5_shape(d.get()));
    }
    listing += (listing.empty() ? "" : ", ") + path + " (" + what + ")";
  }
  if (info.nlinks > 12) {
    listing += ", ...";
  }
  return listing.empty() ? "an empty root group" : listing;
}

// A length such as FXI's "21.6nm" or "0.0216 um": value and unit; value NaN if unreadable.
inline std::pair<double, std::string> parse_length(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(value) || !(value > 0)) {
    return {std::nan(""), ""};
  }
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  unit.erase(unit.find_last_not_of(' ') + 1);
  return {value, unit};
}

// Energies: eV kept; values that can only be keV (all below 100, as X_eng of FXI: 8.3-8.4) are
// converted, and the conversion is noted.
inline void energy_to_ev(hdf5_axis& axis, const std::string& source, std::vector<std::string>& notes) {
  double top = 0;
  for (double v : axis.values) {
    top = std::max(top, std::abs(v));
  }
  const bool kev = axis.units == "keV" || axis.units == "kev" || (axis.units.empty() && top > 0 && top < 100);
  if (kev) {
    for (double& v : axis.values) {
      v *= 1000;
    }
    notes.push_back(source + " is in keV" + std::string(axis.units.empty() ? " (values below 100)" : "") +
                    ": converted to eV");
  }
  axis.units = "eV";
}

inline void check_axis_length(const char* function, const std::string& file, const std::string& dataset,
                              const std::vector<hsize_t>& shape, const hdf5_axis& axis, std::size_t dim) {
  if (axis.values.size() != shape[dim]) {
    h5_fail(file, function,
            "axis '" + axis.name + "' has " + std::to_string(axis.values.size()) + " values but dimension " +
                std::to_string(dim) + " of '" + dataset + "' " + h5_shape_text(shape) + " has " +
                std::to_string(shape[dim]) + "; expected one value per index");
  }
}

using metadata_list = std::vector<std::pair<std::string, std::string>>;

// The attributes of an object that read as text or one number, as "prefix@name" -> text.
inline void collect_attributes(hid_t object, const std::string& prefix, metadata_list& out) {
  H5O_info_t info;
  if (H5Oget_info(object, &info) < 0) {
    return;
  }
  for (hsize_t i = 0; i < info.num_attrs && out.size() < 400; ++i) {
    char name[256] = {};
    if (H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) {
      continue;
    }
    const std::string text = h5_attribute_text(object, name);
    if (!text.empty()) {
      out.emplace_back(prefix + "@" + name, text);
    }
  }
}

struct metadata_visit {
  std::string group;
  metadata_list* out;
};

inline herr_t collect_object(hid_t location, const char* name, const H5O_info_t* info, void* data) {
  auto& v = *static_cast<metadata_visit*>(data);
  if (v.out->size() >= 400) {
    return 1;  // enough: the rest of a deep tree is not metadata anyone reads from a map job
  }
  if (std::string(name) == ".") {
    return 0;
  }
  const std::string path = (v.group == "/" ? "/" : v.group + "/") + name;
  const h5_id object(H5Oopen(location, name, H5P_DEFAULT));
  if (!object.valid()) {
    return 0;
  }
  if (info->type == H5O_TYPE_DATASET) {
    const h5_id space(H5Dget_space(object.get()));
    if (H5Sget_simple_extent_npoints(space.get()) == 1) {
      const auto strings = h5_read_strings(object.get(), false);
      const auto numbers = strings.empty() ? h5_read_numbers(object.get(), false) : std::vector<double>{};
      if (!strings.empty()) {
        v.out->emplace_back(path, strings.front());
      } else if (numbers.size() == 1) {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", numbers[0]);
        v.out->emplace_back(path, text);
      }
    }
  }
  collect_attributes(object.get(), path, *v.out);
  return 0;
}

// Scalar datasets and attributes under `group`, recursively, as "path" -> text (at most 400).
inline void collect_metadata(hid_t file, const std::string& group, metadata_list& out) {
  if (!h5_is_group(file, group)) {
    return;
  }
  const h5_id g(H5Gopen2(file, group.c_str(), H5P_DEFAULT));
  collect_attributes(g.get(), group == "/" ? "" : group, out);
  metadata_visit state{group, &out};
  H5Ovisit(g.get(), H5_INDEX_NAME, H5_ITER_INC, &collect_object, &state);
}

inline void read_fxi(const char* function, hid_t file, hdf5_stack& s) {
  s.layout = hdf5_layout::fxi_xanes;
  s.dataset = "/img_xanes";
  s.channels_first = true;
  s.channel_axis = {"energy", "", h5_dataset_numbers(function, s.file, file, "/X_eng")};
  energy_to_ev(s.channel_axis, "X_eng", s.notes);
  for (const char* key : {"uid", "scan_id", "note", "scan_time", "Magnification", "Pixel Size"}) {
    const std::string text = h5_dataset_text(file, std::string("/") + key);
    if (!text.empty()) {
      s.metadata.emplace_back(key, text);
    }
  }
  // Raw counts are normalised with the beamline's background and dark frames; float32 img_xanes
  // is already (img - dark) / (bkg - dark) as the exporter writes it.
  if (s.value_type.rfind("uint", 0) == 0 || s.value_type.rfind("int", 0) == 0) {
    for (const auto& [path, target] :
         {std::pair<const char*, std::string*>{"/img_bkg", &s.white}, {"/img_dark", &s.dark}}) {
      if (!h5_is_dataset(file, path)) {
        h5_fail(s.file, function,
                std::string("img_xanes holds raw counts (") + s.value_type + ") but there is no dataset '" + path +
                    "'; expected img_bkg and img_dark to normalise it");
      }
      *target = path;
    }
  }
  const auto [size, unit] = parse_length(s.meta("Pixel Size"));
  if (std::isfinite(size)) {
    s.y_axis = index_axis("y", s.rows);
    s.x_axis = index_axis("x", s.cols);
    for (auto* axis : {&s.y_axis, &s.x_axis}) {
      axis->units = unit;
      for (double& v : axis->values) {
        v *= size;
      }
    }
  }
}

inline void read_data_exchange(const char* function, hid_t file, hdf5_stack& s) {
  s.layout = hdf5_layout::data_exchange;
  s.dataset = "/exchange/data";
  s.channels_first = true;
  const h5_id data = h5_open_dataset(function, s.file, file, s.dataset);
  std::string axes = h5_attribute_text(data.get(), "axes");
  const std::string first = axes.empty() ? std::string("theta") : axes.substr(0, axes.find(':'));
  const std::string axis_path = "/exchange/" + first;
  if (h5_is_dataset(file, axis_path)) {
    const h5_id a(H5Dopen2(file, axis_path.c_str(), H5P_DEFAULT));
    s.channel_axis = {first, h5_attribute_text(a.get(), "units"),
                      h5_dataset_numbers(function, s.file, file, axis_path)};
  } else {
    s.channel_axis = index_axis(first.c_str(), s.channels);
    s.notes.push_back("no dataset '" + axis_path + "': the first axis is numbered 0.." +
                      std::to_string(s.channels - 1));
  }
  if (first.rfind("energy", 0) == 0) {
    energy_to_ev(s.channel_axis, axis_path, s.notes);
  }
  if (h5_is_dataset(file, "/exchange/data_white") && h5_is_dataset(file, "/exchange/data_dark")) {
    s.white = "/exchange/data_white";
    s.dark = "/exchange/data_dark";
  }
  s.metadata.emplace_back("/exchange/data@axes", axes);
  s.metadata.emplace_back("/exchange/data@units", h5_attribute_text(data.get(), "units"));
  const std::string title = h5_dataset_text(file, "/exchange/title");
  if (!title.empty()) {
    s.metadata.emplace_back("/exchange/title", title);
  }
  collect_metadata(file, "/measurement", s.metadata);
}

// HyperSpy: the first group of /Experiments with a `data` dataset; axis-i describes dimension i
// (v1.0 files say so with @index_in_array); the signal axis (navigate False) is the last.
inline void read_hspy_stack(const char* function, hid_t file, hdf5_stack& s, const std::string& group) {
  s.layout = hdf5_layout::hyperspy;
  s.dataset = group + "/data";
  s.channels_first = false;
  const std::size_t rank = s.shape.size();
  std::vector<hdf5_axis> axes(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::string path = group + "/axis-" + std::to_string(i);
    if (!h5_is_group(file, path)) {
      h5_fail(s.file, function,
              "no group '" + path + "' for dimension " + std::to_string(i) + " of '" + s.dataset + "' " +
                  h5_shape_text(std::vector<hsize_t>(s.shape.begin(), s.shape.end())) +
                  "; expected one axis group per dimension");
    }
    const h5_id g(H5Gopen2(file, path.c_str(), H5P_DEFAULT));
    bool has_offset = false;
    bool has_scale = false;
    const double offset = h5_attribute_number(g.get(), "offset", has_offset);
    const double scale = h5_attribute_number(g.get(), "scale", has_scale);
    bool has_size = false;
    const double size = h5_attribute_number(g.get(), "size", has_size);
    if (has_size && size != double(s.shape[i])) {
      h5_fail(s.file, function,
              "'" + path + "@size' is " + h5_attribute_text(g.get(), "size") + " but dimension " + std::to_string(i) +
                  " of '" + s.dataset + "' has " + std::to_string(s.shape[i]) + "; expected them to agree");
    }
    const std::string navigate = h5_attribute_text(g.get(), "navigate");
    if (i + 1 == rank && (navigate == "1" || navigate == "True" || navigate == "true")) {
      h5_fail(s.file, function,
              "the last axis of '" + s.dataset +
                  "' is a navigation axis; expected the signal (spectrum) axis last, as HyperSpy "
                  "stores spectra");
    }
    axes[i] = index_axis(h5_attribute_text(g.get(), "name").c_str(), index(s.shape[i]));
    axes[i].units = h5_attribute_text(g.get(), "units");
    for (double& v : axes[i].values) {
      v = (has_offset ? offset : 0.0) + v * (has_scale ? scale : 1.0);
    }
  }
  s.channel_axis = axes[rank - 1];
  s.x_axis = rank >= 2 ? axes[rank - 2] : index_axis("x", 1);
  s.y_axis = rank >= 3 ? axes[rank - 3] : index_axis("y", 1);
  const std::string version = h5_attribute_text(file, "file_format_version");
  s.metadata.emplace_back("file_format_version", version.empty() ? "1.0 (legacy, no root attributes)" : version);
  collect_metadata(file, h5_is_group(file, group + "/metadata") ? group + "/metadata" : group + "/mapped_parameters",
                   s.metadata);
}

// The dataset of a file's stack by its layout; `hspy_group` receives the HyperSpy signal group.
inline std::string find_stack(const char* function, const std::string& path, hid_t file, std::string& hspy_group) {
  if (h5_is_dataset(file, "/img_xanes") && h5_is_dataset(file, "/X_eng")) {
    return "/img_xanes";
  }
  if (h5_is_dataset(file, "/exchange/data")) {
    return "/exchange/data";
  }
  if (h5_is_group(file, "/Experiments")) {
    const h5_id experiments(H5Gopen2(file, "/Experiments", H5P_DEFAULT));
    H5G_info_t info;
    H5Gget_info(experiments.get(), &info);
    for (hsize_t i = 0; i < info.nlinks && hspy_group.empty(); ++i) {
      char name[512] = {};
      H5Lget_name_by_idx(experiments.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
      const std::string group = std::string("/Experiments/") + name;
      if (h5_is_dataset(file, group + "/data")) {
        hspy_group = group;
      }
    }
    if (hspy_group.empty()) {
      h5_fail(path, function, "'/Experiments' holds no signal with a 'data' dataset; expected a HyperSpy file");
    }
    return hspy_group + "/data";
  }
  h5_fail(path, function,
          "no known layout: the root holds " + h5_root_listing(file) +
              "; expected img_xanes and X_eng (NSLS-II FXI), /exchange/data (APS Data Exchange) or "
              "/Experiments/<title>/data (HyperSpy), or name the dataset");
}

// Flat-field frames (frames, rows, cols) of the stack's image size.
inline void check_frames(const char* function, hid_t file, const hdf5_stack& s) {
  for (const std::string* frames : {&s.white, &s.dark}) {
    if (frames->empty()) {
      continue;
    }
    const h5_id f = h5_open_dataset(function, s.file, file, *frames);
    const auto fs = h5_shape(f.get());
    if (fs.size() != 3 || fs[1] != s.shape[1] || fs[2] != s.shape[2]) {
      h5_fail(s.file, function,
              "flat-field frames '" + *frames + "' are " + h5_shape_text(fs) + " but the images of '" + s.dataset +
                  "' are " + std::to_string(s.shape[1]) + " x " + std::to_string(s.shape[2]) + "; expected (frames, " +
                  std::to_string(s.shape[1]) + ", " + std::to_string(s.shape[2]) + ")");
    }
  }
}

}  // namespace detail

/// \brief Finds the image stack of an HDF5 file and describes it (layout, dataset, shape, axes with
/// units, flat-field frames of raw data, metadata) without reading its values.
/// \ingroup io
///
/// Layouts, tried in this order:
/// - **NSLS-II FXI** (root `img_xanes` and `X_eng`): `img_xanes` [energy][y][x], float32
///   (already normalised) or raw integer counts (normalised with `img_bkg` and `img_dark`);
///   `X_eng` in keV is converted to eV (and the conversion noted); `Pixel Size` such as "21.6nm"
///   gives the pixel axes.
/// - **APS Data Exchange** (`/exchange/data`): `@axes` such as "theta:y:x" names the first axis,
///   read from `/exchange/<name>` with its `@units`; `data_white` and `data_dark` are the flat
///   field; the `/measurement` tree becomes metadata.
/// - **HyperSpy .hspy** (`/Experiments/<title>/data`, versions 1.0–3.1): `axis-i` groups give
///   offset, scale, units and navigate; the signal axis is last (`[y][x][E]`, a line scan
///   `[x][E]`, one spectrum `[E]`).
/// - With \p dataset given: that 3-D dataset, `[channel][y][x]`, its channel axis numbered.
/// \param path the file. \param dataset HDF5 path of the values, or empty to recognise the layout.
/// \returns the description.
/// \throws valence::parse_error (naming the file and the HDF5 path) for a file that is not HDF5,
///         a layout that is none of these (the message lists what the root holds), a missing
///         dataset or axis, a dataset that is not numeric or has the wrong number of dimensions,
///         and axes whose lengths disagree with the dataset's shape.
[[nodiscard]] inline hdf5_stack open_hdf5_stack(const std::string& path, const std::string& dataset = "") {
  constexpr const char* function = "valence::io::open_hdf5_stack";
  const detail::h5_quiet quiet;
  const detail::h5_id file = detail::h5_open(function, path);
  hdf5_stack s;
  s.file = path;
  std::string hspy_group;
  const std::string target = dataset.empty() ? detail::find_stack(function, path, file.get(), hspy_group) : dataset;
  const detail::h5_id data = detail::h5_open_dataset(function, path, file.get(), target);
  const auto shape = detail::h5_shape(data.get());
  s.shape.assign(shape.begin(), shape.end());
  s.value_type = detail::h5_type_name(data.get());
  if (s.value_type.rfind("int", 0) != 0 && s.value_type.rfind("uint", 0) != 0 && s.value_type.rfind("float", 0) != 0) {
    detail::h5_fail(path, function, "dataset '" + target + "' holds " + s.value_type + " values; expected numbers");
  }
  for (const auto d : shape) {
    if (d == 0) {
      detail::h5_fail(path, function, "dataset '" + target + "' " + detail::h5_shape_text(shape) + " is empty");
    }
  }
  if (!hspy_group.empty()) {
    if (shape.empty() || shape.size() > 3) {
      detail::h5_fail(path, function,
                      "dataset '" + target + "' is " + detail::h5_shape_text(shape) +
                          "; expected a spectrum, a line scan or a spectrum image (1 to 3 dimensions)");
    }
    s.channels = index(shape.back());
    s.cols = shape.size() >= 2 ? index(shape[shape.size() - 2]) : 1;
    s.rows = shape.size() == 3 ? index(shape[0]) : 1;
    detail::read_hspy_stack(function, file.get(), s, hspy_group);
    return s;
  }
  if (shape.size() != 3) {
    detail::h5_fail(
        path, function,
        "dataset '" + target + "' is " + detail::h5_shape_text(shape) + "; expected three dimensions [channel][y][x]");
  }
  s.channels = index(shape[0]);
  s.rows = index(shape[1]);
  s.cols = index(shape[2]);
  s.y_axis = detail::index_axis("y", s.rows);
  s.x_axis = detail::index_axis("x", s.cols);
  if (!dataset.empty()) {
    s.dataset = target;
    s.channel_axis = detail::index_axis("channel", s.channels);
  } else if (target == "/img_xanes") {
    detail::read_fxi(function, file.get(), s);
  } else {
    detail::read_data_exchange(function, file.get(), s);
  }
  detail::check_axis_length(function, path, s.dataset, shape, s.channel_axis, 0);
  detail::check_frames(function, file.get(), s);
  return s;
}

}  // namespace valence::io

#endif  // VALENCE_IO_HDF5_STACK_HPP
