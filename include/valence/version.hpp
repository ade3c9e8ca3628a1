// SPDX-License-Identifier: MIT
/// \file
/// \brief The library version: the single source that CMake, Conan and the docs read.
#ifndef VALENCE_VERSION_HPP
#define VALENCE_VERSION_HPP

/// Major version: incremented on incompatible API changes (while 0, minor versions may break).
#define VALENCE_VERSION_MAJOR 0
/// Minor version: incremented when functionality is added.
#define VALENCE_VERSION_MINOR 1
/// Patch version: incremented for fixes that change no interface.
#define VALENCE_VERSION_PATCH 0
/// The version as one comparable integer, `major * 10000 + minor * 100 + patch`.
#define VALENCE_VERSION (VALENCE_VERSION_MAJOR * 10000 + VALENCE_VERSION_MINOR * 100 + VALENCE_VERSION_PATCH)

namespace valence {

/// \brief The version of the headers in use, as `{major, minor, patch}`.
struct version_info {
  int major;  ///< \ref VALENCE_VERSION_MAJOR
  int minor;  ///< \ref VALENCE_VERSION_MINOR
  int patch;  ///< \ref VALENCE_VERSION_PATCH
};

/// \brief The version of the headers in use.
inline constexpr version_info version{VALENCE_VERSION_MAJOR, VALENCE_VERSION_MINOR, VALENCE_VERSION_PATCH};

}  // namespace valence

#endif  // VALENCE_VERSION_HPP
