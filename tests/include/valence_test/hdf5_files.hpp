// SPDX-License-Identifier: MIT
// Writes small HDF5 files in the beamline layouts for the reader tests (the NSLS-II FXI layout has
// no public file; it is written here from the exporter's description in ../shared/data/hdf5/
// SOURCES-hdf5.md): numeric datasets of any rank, string datasets and string attributes.
#ifndef VALENCE_TEST_HDF5_FILES_HPP
#define VALENCE_TEST_HDF5_FILES_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <hdf5.h>

namespace valence_test {

class hdf5_file {
 public:
  explicit hdf5_file(const std::string& path) : id_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {
    if (id_ < 0) {
      throw std::runtime_error("cannot create " + path);
    }
  }
  hdf5_file(const hdf5_file&) = delete;
  hdf5_file& operator=(const hdf5_file&) = delete;
  ~hdf5_file() { H5Fclose(id_); }

  template <typename T>
  void write(const std::string& path, const std::vector<hsize_t>& dims, const std::vector<T>& values) {
    hid_t type = H5T_NATIVE_DOUBLE;
    if constexpr (std::is_same_v<T, float>) {
      type = H5T_NATIVE_FLOAT;
    } else if constexpr (std::is_same_v<T, std::uint16_t>) {
      type = H5T_NATIVE_UINT16;
    }
    const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    const hid_t links = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(links, 1);
    const hid_t d = H5Dcreate2(id_, path.c_str(), type, space, links, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(d);
    H5Pclose(links);
    H5Sclose(space);
  }
  void write_text(const std::string& path, const std::string& text) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t links = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(links, 1);
    const hid_t d = H5Dcreate2(id_, path.c_str(), type, space, links, H5P_DEFAULT, H5P_DEFAULT);
    const char* value = text.c_str();
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value);
    H5Dclose(d);
    H5Pclose(links);
    H5Sclose(space);
    H5Tclose(type);
  }
  void group(const std::string& path) {
    const hid_t links = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(links, 1);
    H5Gclose(H5Gcreate2(id_, path.c_str(), links, H5P_DEFAULT, H5P_DEFAULT));
    H5Pclose(links);
  }
  void attribute(const std::string& object, const std::string& name, const std::string& text) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, text.size() + 1);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a =
        H5Acreate_by_name(id_, object.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, text.c_str());
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  }
  void attribute(const std::string& object, const std::string& name, double value) {
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(id_, object.c_str(), name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
    H5Aclose(a);
    H5Sclose(space);
  }

 private:
  hid_t id_;
};

}  // namespace valence_test

#endif  // VALENCE_TEST_HDF5_FILES_HPP
