// SPDX-License-Identifier: MIT
/// \file
/// \brief Dense vector and matrix aliases shared by every area.
#ifndef VALENCE_CORE_TYPES_HPP
#define VALENCE_CORE_TYPES_HPP

#include <valence/config.hpp>

#include <Eigen/Core>

namespace valence {

namespace core {
/// \brief Index type of every valence array (Eigen's signed index).
///
/// It lives in each area's namespace (valence::core::index, valence::fit::index, ...) and not in
/// `valence` itself, so that `using namespace valence;` does not make `index` ambiguous with the
/// C library's `::index()` (declared by `<strings.h>`, which `<cstring>` includes on glibc).
/// \ingroup core
using index = Eigen::Index;
}  // namespace core

// Every area names the index type as its own (see core::index).
namespace fit {
using core::index;
}  // namespace fit
namespace xas {
using core::index;
}  // namespace xas
namespace eels {
using core::index;
}  // namespace eels
namespace rixs {
using core::index;
}  // namespace rixs
namespace maps {
using core::index;
}  // namespace maps
namespace echem {
using core::index;
}  // namespace echem
namespace chem {
using core::index;
}  // namespace chem
namespace io {
using core::index;
}  // namespace io
namespace synth {
using core::index;
}  // namespace synth

/// \brief Dynamic-size column vector of \p Real.
/// \ingroup core
template <typename Real>
using vector_x = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

/// \brief Dynamic-size column-major matrix of \p Real.
/// \ingroup core
template <typename Real>
using matrix_x = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

/// \brief `vector_x<double>`.
/// \ingroup core
using vector_d = vector_x<double>;
/// \brief `matrix_x<double>`.
/// \ingroup core
using matrix_d = matrix_x<double>;
/// \brief `vector_x<float>`.
/// \ingroup core
using vector_f = vector_x<float>;
/// \brief `matrix_x<float>`.
/// \ingroup core
using matrix_f = matrix_x<float>;

/// \brief A read-only view of a vector of doubles, the parameter type of the domain functions.
/// \ingroup core
///
/// Binds a vector, a contiguous segment, a column of a column-major matrix or an `Eigen::Map`
/// without a copy; any other expression (a strided row, a sum) is evaluated once into a temporary.
using vector_ref = Eigen::Ref<const vector_d>;
/// \brief A read-only view of a column-major matrix of doubles, the parameter type of the domain functions.
/// \ingroup core
///
/// Binds a matrix, a block of one or an `Eigen::Map` with any outer stride without a copy; a
/// row-major or inner-strided expression is evaluated once into a temporary.
using matrix_ref = Eigen::Ref<const matrix_d>;

}  // namespace valence

#endif  // VALENCE_CORE_TYPES_HPP
