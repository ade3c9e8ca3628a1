// SPDX-License-Identifier: MIT
// The SIMD packet of doubles that the per-point kernels are written in (not part of the public API).
#ifndef VALENCE_CORE_DETAIL_PACKET_HPP
#define VALENCE_CORE_DETAIL_PACKET_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <type_traits>

namespace valence::core::detail {

// Eigen's widest packet of doubles for the target, used through Eigen::internal's packet primitives
// (pset1, ploadu, pmadd, ...: the layer Eigen's own products are written in). Kernels on it keep
// every sum in a register of the target's widest vectors, where fixed-size Eigen arrays of the same
// width spilled to the stack between statements, and they can mask and select, which Eigen 3.4's
// array expressions do not vectorise. Every kernel using it is a template or inline, so it is
// compiled with the user's -march.
using packet = Eigen::internal::packet_traits<double>::type;
inline constexpr index packet_size = Eigen::internal::packet_traits<double>::size;

// One packet of doubles from `from`, float or double: the conversion of floats as they are read
// (the compiler turns the lane loop into one widening conversion), so that float data need no copy.
template <typename T>
packet load_as_double(const T* from) {
  if constexpr (std::is_same_v<T, double>) {
    return Eigen::internal::ploadu<packet>(from);
  } else {
    double lanes[packet_size];
    for (index l = 0; l < packet_size; ++l) {
      lanes[l] = static_cast<double>(from[l]);
    }
    return Eigen::internal::ploadu<packet>(lanes);
  }
}

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_PACKET_HPP
