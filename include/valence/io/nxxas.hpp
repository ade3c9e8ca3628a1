// SPDX-License-Identifier: MIT
/// \file
/// \brief XAS spectra from NeXus NXxas files (one or many entries). Needs HDF5 (link valence::hdf5).
#ifndef VALENCE_IO_NXXAS_HPP
#define VALENCE_IO_NXXAS_HPP

#include <valence/core/types.hpp>
#include <valence/io/detail/hdf5.hpp>
#include <valence/io/hdf5_stack.hpp>

#include <string>
#include <utility>
#include <vector>

namespace valence::io {

/// \brief One XAS spectrum of an NXxas entry: the plotted signal against energy, the raw columns
/// and what the entry says about element, edge and mode.
/// \ingroup io
struct nxxas_spectrum {
  std::string file;                  ///< the file
  std::string entry;                 ///< the NXentry read, e.g. "fe010"
  std::vector<std::string> entries;  ///< every NXentry of the file, in name order
  std::string title;                 ///< entry/title, if any
  std::string element;               ///< entry/element/symbol (empty when the entry leaves it empty)
  std::string edge;                  ///< entry/edge/name, e.g. "K"
  std::string mode;                  ///< "transmission", "fluorescence", ... (a dataset or an NXxas_mode group)
  std::string signal_name;           ///< the NXdata `@signal`, e.g. "intensity"
  std::vector<double> energy;        ///< eV (converted where the file has keV, see notes)
  std::vector<double> signal;        ///< the NXdata signal, one value per energy
  /// `rawdata` columns by their `@array_labels` (either orientation of the stored table).
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  std::vector<std::string> notes;  ///< conversions made, e.g. keV to eV
  /// \brief A raw column by label. \param label e.g. "i0". \returns the values, empty if absent.
  [[nodiscard]] std::vector<double> column(const std::string& label) const {
    for (const auto& [name, values] : columns) {
      if (name == label) {
        return values;
      }
    }
    return {};
  }
};

namespace detail {

// The labels of a JSON-like list such as '["energy", "intensity", "i0"]', or of a plain string array.
inline std::vector<std::string> parse_labels(const std::vector<std::string>& stored) {
  if (stored.size() != 1 || stored[0].empty() || stored[0][0] != '[') {
    return stored;
  }
  std::vector<std::string> labels;
  const std::string& text = stored[0];
  for (std::size_t at = 0; (at = text.find('"', at)) != std::string::npos;) {
    const std::size_t end = text.find('"', at + 1);
    if (end == std::string::npos) {
      break;
    }
    labels.push_back(text.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return labels;
}

inline std::vector<std::string> nx_entries(hid_t file) {
  std::vector<std::string> entries;
  H5G_info_t info;
  if (H5Gget_info(file, &info) < 0) {
    return entries;
  }
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[512] = {};
    H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    const std::string path = std::string("/") + name;
    if (h5_is_group(file, path)) {
      const h5_id g(H5Gopen2(file, path.c_str(), H5P_DEFAULT));
      if (h5_attribute_text(g.get(), "NX_class") == "NXentry") {
        entries.emplace_back(name);
      }
    }
  }
  return entries;
}

// `rawdata` columns by their `@array_labels`, in either orientation of the stored table (none if
// the entry has no rawdata).
inline std::vector<std::pair<std::string, std::vector<double>>> read_rawdata(const char* function,
                                                                             const std::string& path, hid_t file,
                                                                             const std::string& raw) {
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  if (h5_is_dataset(file, raw)) {
    const h5_id d(H5Dopen2(file, raw.c_str(), H5P_DEFAULT));
    const auto labels = parse_labels(h5_attribute_strings(d.get(), "array_labels"));
    const auto shape = h5_shape(d.get());
    const auto values = h5_dataset_numbers(function, path, file, raw);
    const std::size_t n = labels.size();
    const bool points_first = shape.size() == 2 && shape[1] == n;
    const bool columns_first = shape.size() == 2 && shape[0] == n && !points_first;
    if (!labels.empty() && !points_first && !columns_first) {
      h5_fail(path, function,
              "'" + raw + "' is " + h5_shape_text(shape) + " with " + std::to_string(n) +
                  " @array_labels; expected (points, " + std::to_string(n) + ") or (" + std::to_string(n) +
                  ", points)");
    }
    const std::size_t points = labels.empty() ? 0 : (points_first ? shape[0] : shape[1]);
    for (std::size_t j = 0; j < n; ++j) {
      std::vector<double> column(points);
      for (std::size_t i = 0; i < points; ++i) {
        column[i] = points_first ? values[i * n + j] : values[j * points + i];
      }
      columns.emplace_back(labels[j], std::move(column));
    }
  }
  return columns;
}

}  // namespace detail

/// \brief Reads one XAS spectrum from a NeXus NXxas file.
/// \ingroup io
///
/// The entry is \p entry, else the root's `@default`, else the first NXentry. The spectrum is the
/// entry's default NXdata (`@default`, else a group named `plot` or `data`): its `@signal`
/// against its `@axes` (a string or an array of one name), resolved through soft links. `rawdata`
/// with `@array_labels` is read in either orientation (points × columns, as Photon Factory files
/// store it, or columns × points, as files converted from XDI do). Energies in keV (by `@units`,
/// or, without units, by values below 100) are converted to eV and the conversion noted.
/// \param path the file. \param entry the NXentry name, or empty for the default.
/// \returns the spectrum, raw columns and entry metadata.
/// \throws valence::parse_error naming the file and HDF5 path for a file that is not HDF5, no
///         NXentry or a missing entry (the message lists the entries), no NXdata, a missing
///         `@signal` or axis, signal and axis of different lengths, or `rawdata` whose shape
///         matches neither orientation of its labels.
[[nodiscard]] inline nxxas_spectrum read_nxxas(const std::string& path, const std::string& entry = "") {
  constexpr const char* function = "valence::io::read_nxxas";
  const detail::h5_quiet quiet;
  const detail::h5_id file = detail::h5_open(function, path);
  nxxas_spectrum s;
  s.file = path;
  s.entries = detail::nx_entries(file.get());
  const auto list = [&] {
    std::string text;
    for (const auto& e : s.entries) {
      text += (text.empty() ? "" : ", ") + e;
    }
    return text.empty() ? std::string("none") : text;
  };
  if (s.entries.empty()) {
    detail::h5_fail(path, function, "no NXentry group at the root; expected a NeXus file");
  }
  s.entry = entry.empty() ? detail::h5_attribute_text(file.get(), "default") : entry;
  if (s.entry.empty()) {
    s.entry = s.entries.front();
  }
  const std::string base = "/" + s.entry;
  if (!detail::h5_is_group(file.get(), base)) {
    detail::h5_fail(path, function, "no entry '" + s.entry + "'; the entries are " + list());
  }
  const detail::h5_id group(H5Gopen2(file.get(), base.c_str(), H5P_DEFAULT));
  std::string data = detail::h5_attribute_text(group.get(), "default");
  if (data.empty()) {
    data = detail::h5_is_group(file.get(), base + "/plot") ? "plot" : "data";
  }
  const std::string data_path = base + "/" + data;
  if (!detail::h5_is_group(file.get(), data_path)) {
    detail::h5_fail(path, function, "no NXdata group '" + data_path + "'; expected the entry's plotted spectrum");
  }
  const detail::h5_id nxdata(H5Gopen2(file.get(), data_path.c_str(), H5P_DEFAULT));
  s.signal_name = detail::h5_attribute_text(nxdata.get(), "signal");
  const auto axes = detail::h5_attribute_strings(nxdata.get(), "axes");
  if (s.signal_name.empty() || axes.empty()) {
    detail::h5_fail(path, function, "'" + data_path + "' has no @signal or @axes; expected both (NXdata)");
  }
  const std::string axis = axes.front().substr(0, axes.front().find(':'));
  s.signal = detail::h5_dataset_numbers(function, path, file.get(), data_path + "/" + s.signal_name);
  hdf5_axis energy{axis, "", detail::h5_dataset_numbers(function, path, file.get(), data_path + "/" + axis)};
  {
    const detail::h5_id d(H5Dopen2(file.get(), (data_path + "/" + axis).c_str(), H5P_DEFAULT));
    energy.units = detail::h5_attribute_text(d.get(), "units");
  }
  if (energy.values.size() != s.signal.size()) {
    detail::h5_fail(path, function,
                    "'" + data_path + "/" + axis + "' has " + std::to_string(energy.values.size()) +
                        " values but the signal '" + s.signal_name + "' has " + std::to_string(s.signal.size()) +
                        "; expected one per energy");
  }
  if (energy.units == "keV" || energy.units == "kev" || energy.units.empty()) {
    // keV by its units, or by its values when the file gives none (X-ray edges lie above 100 eV)
    detail::energy_to_ev(energy, data_path + "/" + axis, s.notes);
  }
  s.energy = std::move(energy.values);
  s.title = detail::h5_dataset_text(file.get(), base + "/title");
  s.element = detail::h5_dataset_text(file.get(), base + "/element/symbol");
  s.edge = detail::h5_dataset_text(file.get(), base + "/edge/name");
  s.mode = detail::h5_is_group(file.get(), base + "/mode") ? detail::h5_dataset_text(file.get(), base + "/mode/name")
                                                           : detail::h5_dataset_text(file.get(), base + "/mode");
  s.columns = detail::read_rawdata(function, path, file.get(), base + "/rawdata");
  return s;
}

}  // namespace valence::io

#endif  // VALENCE_IO_NXXAS_HPP
