// SPDX-License-Identifier: MIT
/// \file
/// \brief Theoretical specific capacity of electrode materials, and electrons from a capacity.
#ifndef VALENCE_CHEM_CAPACITY_HPP
#define VALENCE_CHEM_CAPACITY_HPP

#include <valence/chem/composition.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/core/constants.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace valence::chem {

/// \brief Faraday constant \f$F = N_A e\f$ in C/mol (core::faraday_constant, CODATA 2018).
/// \ingroup chem
inline constexpr double faraday_constant = core::faraday_constant;

namespace detail {

/// Amount of the mobile ion in \p c times its charge, with the checks every ion-based function shares.
inline double mobile_ion_electrons(const char* function, const composition& c, std::string_view mobile_ion,
                                   int ion_charge) {
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
  return x * ion_charge;
}

}  // namespace detail

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
  return theoretical_capacity(
      c, detail::mobile_ion_electrons("valence::chem::theoretical_capacity", c, mobile_ion, ion_charge));
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

/// \brief Capacity available from the redox of some elements, and whether the mobile ion or the
/// redox limits it.
/// \ingroup chem
struct redox_capacity {
  double ion_electrons = 0;       ///< \f$z x_{\mathrm{ion}}\f$: electrons if all the mobile ion leaves
  double redox_electrons = 0;     ///< \f$\sum_e n_e (s^{\max}_e - s_e)\f$ over the redox-active elements
  double electrons = 0;           ///< \f$\min\f$ of the two: electrons per formula unit
  double capacity = 0;            ///< \f$nF/(3.6\,M)\f$ for those electrons, mAh/g
  bool limited_by_redox = false;  ///< true when redox_electrons < ion_electrons
};

/// \brief Theoretical capacity when only the listed (transition-metal) elements are oxidised, each up
/// to a ceiling state, and at most all of the mobile ion leaves:
/// \f$n = \min\big(z x_{\mathrm{ion}}, \sum_e n_e (s^{\max}_e - s_e)\big)\f$, \f$Q = nF/(3.6\,M)\f$.
/// \ingroup chem
///
/// Oxygen redox is not counted. The default ceiling of an element is the highest of its
/// element::common_oxidation_states, as pymatgen's `BatteryAnalyzer` uses each element's maximum
/// state; that is 7 for Mn, so give Mn a ceiling of 4 for layered oxides. Example:
/// Li1.2Ni0.15Co0.1Mn0.55O2 with Ni²⁺→Ni⁴⁺, Co³⁺→Co⁴⁺ and Mn⁴⁺ inert has \f$n = 0.4\f$, 125.8 mAh/g,
/// against 377.3 mAh/g for all of its Li.
/// \param c the electrode composition in its discharged (ion-rich) state.
/// \param present present average states of the redox-active elements (each in \p c, once).
/// \param ceilings ceiling states replacing the defaults (elements of \p present only).
/// \param mobile_ion symbol of the mobile ion (default "Li").
/// \param ion_charge charge of the ion, \f$z \ge 1\f$.
/// \returns the electron counts, the capacity and which of the two limits it.
/// \throws valence::invalid_input if the ion is absent, \p ion_charge < 1, \p present is empty, names
///         an element absent from \p c or twice, a state is not finite, a ceiling names an element not
///         in \p present, or a present state lies above its ceiling.
[[nodiscard]] inline redox_capacity redox_limited_capacity(const composition& c,
                                                           const std::vector<oxidation_state>& present,
                                                           const std::vector<oxidation_state>& ceilings = {},
                                                           std::string_view mobile_ion = "Li", int ion_charge = 1) {
  constexpr const char* function = "valence::chem::redox_limited_capacity";
  redox_capacity out;
  out.ion_electrons = detail::mobile_ion_electrons(function, c, mobile_ion, ion_charge);
  if (present.empty()) {
    throw invalid_input(
        core::detail::message(function, "parameter 'present' is empty; expected the redox-active elements"));
  }
  for (const auto& ceiling : ceilings) {
    detail::check_state(function, ceiling);
    const bool listed = std::any_of(present.begin(), present.end(),
                                    [&ceiling](const oxidation_state& s) { return s.symbol == ceiling.symbol; });
    if (!listed) {
      throw invalid_input(core::detail::message(function, "a ceiling is given for " + ceiling.symbol +
                                                              ", which is not in 'present'; expected the "
                                                              "redox-active elements only"));
    }
  }
  for (std::size_t i = 0; i < present.size(); ++i) {
    const auto& s = present[i];
    detail::check_state(function, s);
    const double n = c.amount(s.symbol);
    if (!(n > 0)) {
      throw invalid_input(core::detail::message(function, "a present state is given for " + s.symbol +
                                                              ", which is not in '" + c.formula() +
                                                              "'; expected elements of the formula"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (present[j].symbol == s.symbol) {
        throw invalid_input(core::detail::message(
            function, "the state of " + s.symbol + " is given twice; expected one state per element"));
      }
    }
    const element& e = element_by_symbol(s.symbol);
    double ceiling = s.state;
    for (int k = 0; k < e.oxidation_state_count; ++k) {
      ceiling = std::max(ceiling, static_cast<double>(e.common_oxidation_states[static_cast<std::size_t>(k)]));
    }
    for (const auto& given : ceilings) {
      if (given.symbol == s.symbol) {
        ceiling = given.state;
      }
    }
    if (s.state > ceiling) {
      throw invalid_input(core::detail::message(
          function, "the state of " + s.symbol + " is " + core::detail::format_value(s.state) + ", above its ceiling " +
                        core::detail::format_value(ceiling) + "; expected a state at or below the ceiling"));
    }
    out.redox_electrons += n * (ceiling - s.state);
  }
  out.limited_by_redox = out.redox_electrons < out.ion_electrons;
  out.electrons = std::min(out.ion_electrons, out.redox_electrons);
  out.capacity = theoretical_capacity(c, out.electrons);
  return out;
}

/// \brief Mobile-ion content after a measured charge capacity has been drawn from the discharged
/// electrode: \f$x = x_0 - 3.6\,Q M/(zF)\f$ (M of the discharged formula, as the capacity is quoted
/// per gram of it).
/// \ingroup chem
/// \param discharged the electrode composition before charge, with ion content \f$x_0\f$.
/// \param capacity_mah_per_g the charge passed, mAh/g, finite, >= 0 and at most the all-ion capacity.
/// \param mobile_ion symbol of the mobile ion (default "Li").
/// \param ion_charge charge of the ion, \f$z \ge 1\f$.
/// \returns \f$x\f$, ions per formula unit.
/// \throws valence::invalid_input if the ion is absent, \p ion_charge < 1, or the capacity is negative,
///         non-finite or larger than removing all of the ion allows.
[[nodiscard]] inline double ion_content_from_capacity(const composition& discharged, double capacity_mah_per_g,
                                                      std::string_view mobile_ion = "Li", int ion_charge = 1) {
  constexpr const char* function = "valence::chem::ion_content_from_capacity";
  const double available = detail::mobile_ion_electrons(function, discharged, mobile_ion, ion_charge);
  const double full = theoretical_capacity(discharged, available);
  if (!(std::isfinite(capacity_mah_per_g) && capacity_mah_per_g >= 0 && capacity_mah_per_g <= full * (1 + 1e-12))) {
    throw invalid_input(core::detail::message(
        function, "parameter 'capacity_mah_per_g' is " + core::detail::format_value(capacity_mah_per_g) +
                      "; expected a value in [0, " + core::detail::format_value(full) + "]"));
  }
  const double x = (available - electrons_from_capacity(discharged, capacity_mah_per_g)) / ion_charge;
  return std::max(x, 0.0);
}

/// \brief Charge capacity drawn when the mobile-ion content falls from \f$x_0\f$ to \f$x\f$:
/// \f$Q = (x_0 - x)\,zF/(3.6\,M)\f$ in mAh/g of the discharged electrode; the inverse of
/// ion_content_from_capacity().
/// \ingroup chem
/// \param discharged the electrode composition before charge, with ion content \f$x_0\f$.
/// \param ion_content \f$x\f$, in \f$[0, x_0]\f$.
/// \param mobile_ion symbol of the mobile ion (default "Li").
/// \param ion_charge charge of the ion, \f$z \ge 1\f$.
/// \returns the capacity in mAh/g.
/// \throws valence::invalid_input if the ion is absent, \p ion_charge < 1, or \p ion_content is outside
///         \f$[0, x_0]\f$.
[[nodiscard]] inline double capacity_from_ion_content(const composition& discharged, double ion_content,
                                                      std::string_view mobile_ion = "Li", int ion_charge = 1) {
  constexpr const char* function = "valence::chem::capacity_from_ion_content";
  const double available = detail::mobile_ion_electrons(function, discharged, mobile_ion, ion_charge);
  const double x0 = available / ion_charge;
  if (!(ion_content >= 0 && ion_content <= x0)) {
    throw invalid_input(
        core::detail::message(function, "parameter 'ion_content' is " + core::detail::format_value(ion_content) +
                                            "; expected a value in [0, " + core::detail::format_value(x0) + "]"));
  }
  return theoretical_capacity(discharged, (x0 - ion_content) * ion_charge);
}

/// \brief State of charge of a cathode from its mobile-ion content:
/// \f$\mathrm{SoC} = (x_0 - x)/(x_0 - x_{\mathrm{charged}})\f$, 0 when discharged and 1 at the
/// content \f$x_{\mathrm{charged}}\f$ taken as fully charged.
/// \ingroup chem
/// \param discharged the electrode composition before charge, with ion content \f$x_0\f$.
/// \param ion_content present content \f$x\f$, in \f$[0, x_0]\f$.
/// \param charged_content content at full charge, in \f$[0, x_0)\f$ (0: all of the ion removed; a
///        practical window such as 0.3 for Li0.3Ni0.6Mn0.2Co0.2O2).
/// \param mobile_ion symbol of the mobile ion (default "Li").
/// \returns the state of charge; above 1 when \p ion_content is below \p charged_content.
/// \throws valence::invalid_input if the ion is absent or a content is outside its range.
[[nodiscard]] inline double state_of_charge(const composition& discharged, double ion_content,
                                            double charged_content = 0, std::string_view mobile_ion = "Li") {
  constexpr const char* function = "valence::chem::state_of_charge";
  const double x0 = detail::mobile_ion_electrons(function, discharged, mobile_ion, 1);
  if (!(ion_content >= 0 && ion_content <= x0)) {
    throw invalid_input(
        core::detail::message(function, "parameter 'ion_content' is " + core::detail::format_value(ion_content) +
                                            "; expected a value in [0, " + core::detail::format_value(x0) + "]"));
  }
  if (!(charged_content >= 0 && charged_content < x0)) {
    throw invalid_input(core::detail::message(
        function, "parameter 'charged_content' is " + core::detail::format_value(charged_content) +
                      "; expected a value in [0, " + core::detail::format_value(x0) + ")"));
  }
  return (x0 - ion_content) / (x0 - charged_content);
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_CAPACITY_HPP
