// SPDX-License-Identifier: MIT
/// \file
/// \brief Molar mass and mass fractions of a composition.
#ifndef VALENCE_CHEM_MOLAR_MASS_HPP
#define VALENCE_CHEM_MOLAR_MASS_HPP

#include <valence/chem/composition.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <string>
#include <string_view>

namespace valence::chem {

/// \brief Molar mass \f$M = \sum_e n_e A_r(e)\f$ in g/mol, with the IUPAC 2021 atomic weights of periodic_table.
/// \ingroup chem
/// \param c the composition (at least one element).
/// \returns the molar mass per formula unit, g/mol.
/// \throws valence::invalid_input for an empty composition or an element without a standard
///         atomic weight (e.g. Tc, Pm).
///
/// Accuracy: exact sums of the tabulated values (tests/chem/test_molar_mass.cpp checks hand sums).
[[nodiscard]] inline double molar_mass(const composition& c) {
  constexpr const char* function = "valence::chem::molar_mass";
  if (c.size() == 0) {
    throw invalid_input(core::detail::message(function, "the composition is empty; expected at least one element"));
  }
  double total = 0;
  for (const auto& item : c.entries()) {
    if (!item.element_ptr->has_atomic_weight()) {
      throw invalid_input(core::detail::message(
          function,
          std::string(item.element_ptr->symbol) +
              " has no IUPAC standard atomic weight; expected elements with a characteristic isotopic composition"));
    }
    total += item.amount * item.element_ptr->atomic_weight;
  }
  return total;
}

/// \brief Mass fraction \f$n_e A_r(e) / M\f$ of the element with symbol \p symbol.
/// \ingroup chem
/// \param c the composition.
/// \param symbol the element (0 if absent).
/// \returns the mass fraction, 0..1.
/// \throws valence::invalid_input as molar_mass(), or for an unknown symbol.
[[nodiscard]] inline double mass_fraction(const composition& c, std::string_view symbol) {
  const element& e = element_by_symbol(symbol);
  const double n = c.amount(symbol);
  const double m = molar_mass(c);  // validates the composition
  return n == 0 ? 0.0 : n * e.atomic_weight / m;
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_MOLAR_MASS_HPP
