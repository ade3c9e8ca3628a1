// SPDX-License-Identifier: MIT
/// \file
/// \brief Physical constants shared by the areas.
#ifndef VALENCE_CORE_CONSTANTS_HPP
#define VALENCE_CORE_CONSTANTS_HPP

namespace valence::core {

/// \brief Faraday constant \f$F = N_A e\f$ in C/mol (CODATA 2018; exact in the SI since 2019).
/// \ingroup core
inline constexpr double faraday_constant = 96485.33212;

}  // namespace valence::core

#endif  // VALENCE_CORE_CONSTANTS_HPP
