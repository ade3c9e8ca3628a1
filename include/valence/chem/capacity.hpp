// SPDX-License-Identifier: MIT
/// \file
/// \brief Theoretical specific capacity of electrode materials, and electrons from a capacity.
#ifndef VALENCE_CHEM_CAPACITY_HPP
#define VALENCE_CHEM_CAPACITY_HPP

#include <valence/chem/composition.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <cmath>
#include <string>
#include <string_view>

namespace valence::chem {

/// \brief Faraday constant \f$F = N_A e\f$ in C/mol (CODATA 2018; exact in the SI since 2019).
/// \ingroup chem
inline constexpr double faraday_constant = 96485.33212;

/// \brief Specific capacity of \p electrons electrons per formula unit:
/// \f$Q = nF/(3.6\,M)\f$ in mAh/g (1 mAh = 3.6 C).
/// \ingroup chem
/// \param c the electrode composition (one formula unit).
/// \param electrons electrons exchanged per formula unit, \f$n \ge 0\f$.
/// \returns the capacity in mAh/g.
/// \throws valence::invalid_input for a negative or non-finite \p electrons, or as molar_mass().
///
/// Example: LiCoO2 with one electron, 273.84 mAh/g (IUPAC 2021 weights).
[[nodiscard]] inline double theoretical_capacity(const composition& c, double electrons) {
  if (!(std::isfinite(electrons) && electrons >= 0)) {
    throw invalid_input(core::detail::message(
        "valence::chem::theoretical_capacity",
        "parameter 'electrons' is " + core::detail::format_value(electrons) + "; expected a finite value >= 0"));
  }
  return electrons * faraday_constant / (3.6 * molar_mass(c));
}

/// \brief Specific capacity when all of the mobile ion is removed: \f$n = z\,x_{\mathrm{ion}}\f$.
/// \ingroup chem
/// \param c the electrode composition in its discharged (ion-rich) state.
/// \param mobile_ion symbol of the mobile ion (default "Li").
/// \param ion_charge charge of the ion, \f$z \ge 1\f$ (1 for Li⁺ and Na⁺, 2 for Mg²⁺).
/// \returns the capacity in mAh/g.
/// \throws valence::invalid_input if the ion is absent from \p c or \p ion_charge < 1.
[[nodiscard]] inline double theoretical_capacity(const composition& c, std::string_view mobile_ion = "Li",
                                                 int ion_charge = 1) {
  constexpr const char* function = "valence::chem::theoretical_capacity";
  const double x = c.amount(mobile_ion);
  if (!(x > 0)) {
    throw invalid_input(core::detail::message(function, "the composition '" + c.formula() + "' holds no " +
                                                            std::string(mobile_ion) +
                                                            "; expected the mobile ion in the formula"));
  }
  if (ion_charge < 1) {
    throw invalid_input(core::detail::message(
        function, "parameter 'ion_charge' is " + std::to_string(ion_charge) + "; expected a value >= 1"));
  }
  return theoretical_capacity(c, x * ion_charge);
}

/// \brief Electrons per formula unit that a measured specific capacity corresponds to:
/// \f$n = 3.6\,Q M / F\f$ (e.g. Li extracted on charge).
/// \ingroup chem
/// \param c the electrode composition (the formula unit the capacity refers to).
/// \param capacity_mah_per_g the capacity, mAh/g, finite and >= 0.
/// \returns electrons per formula unit.
/// \throws valence::invalid_input for a negative or non-finite capacity, or as molar_mass().
[[nodiscard]] inline double electrons_from_capacity(const composition& c, double capacity_mah_per_g) {
  if (!(std::isfinite(capacity_mah_per_g) && capacity_mah_per_g >= 0)) {
    throw invalid_input(core::detail::message("valence::chem::electrons_from_capacity",
                                              "parameter 'capacity_mah_per_g' is " +
                                                  core::detail::format_value(capacity_mah_per_g) +
                                                  "; expected a finite value >= 0"));
  }
  return 3.6 * capacity_mah_per_g * molar_mass(c) / faraday_constant;
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_CAPACITY_HPP
