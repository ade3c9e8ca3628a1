// SPDX-License-Identifier: MIT
// The SIMD packet of doubles that the per-point kernels are written in (not part of the public API).
#ifndef VALENCE_CORE_DETAIL_PACKET_HPP
#define VALENCE_CORE_DETAIL_PACKET_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

namespace valence::core::detail {

// Eigen's widest packet of doubles for the target, used through Eigen::internal's packet primitives
// (pset1, ploadu, pmadd, ...: the layer Eigen's own products are written in). Kernels on it keep
// every sum in a register of the target's widest vectors, where fixed-size Eigen arrays of the same
// width spilled to the stack between statements, and they can mask and select, which Eigen 3.4's
// array expressions do not vectorise. Every kernel using it is a template or inline, so it is
// compiled with the user's -march.
using packet = Eigen::internal::packet_traits<double>::type;
inline constexpr index packet_size = Eigen::internal::packet_traits<double>::size;

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_PACKET_HPP
