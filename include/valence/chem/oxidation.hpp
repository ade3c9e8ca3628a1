// SPDX-License-Identifier: MIT
/// \file
/// \brief Charge neutrality: one element's average oxidation state, the electron ledger of redox
/// changes, and the average oxidation state from spectroscopic fractions.
#ifndef VALENCE_CHEM_OXIDATION_HPP
#define VALENCE_CHEM_OXIDATION_HPP

#include <valence/chem/composition.hpp>
#include <valence/chem/element.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/propagation.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace valence::chem {

/// \brief An element symbol with an oxidation state (e.g. {"Ni", 2}).
/// \ingroup chem
struct oxidation_state {
  std::string symbol;  ///< element symbol
  double state;        ///< oxidation state (may be fractional: an average)
};

namespace detail {

inline void check_state(const char* function, const oxidation_state& s) {
  if (!std::isfinite(s.state)) {
    throw invalid_input(core::detail::message(function, "the oxidation state of " + s.symbol + " is " +
                                                            core::detail::format_value(s.state) +
                                                            "; expected a finite value"));
  }
}

}  // namespace detail

/// \brief Average oxidation state of one element from charge neutrality,
/// \f$s_t = \big(q - \sum_{e\ne t} n_e s_e\big)/n_t\f$, with every other element's state given.
/// \ingroup chem
///
/// Example: Mn in Li1.2Ni0.15Co0.1Mn0.55O2 with Li⁺, Ni²⁺, Co³⁺, O²⁻ is
/// \f$(4 - 1.2 - 0.3 - 0.3)/0.55 = 4\f$.
/// \param c the composition.
/// \param target symbol of the element to solve for; must be present.
/// \param known states of every other element of \p c (extra entries for absent elements are an error).
/// \param total_charge net charge \f$q\f$ of the formula unit (0 for a neutral compound).
/// \returns the average oxidation state of \p target.
/// \throws valence::invalid_input if \p target is absent, an element of \p c other than \p target has
///         no state in \p known, \p known names an element absent from \p c or names one twice, or a
///         state is not finite.
[[nodiscard]] inline double solve_oxidation_state(const composition& c, std::string_view target,
                                                  const std::vector<oxidation_state>& known, double total_charge = 0) {
  constexpr const char* function = "valence::chem::solve_oxidation_state";
  const double n_target = c.amount(target);
  if (!(n_target > 0)) {
    throw invalid_input(core::detail::message(function, "element '" + std::string(target) + "' is not in '" +
                                                            c.formula() + "'; expected an element of the formula"));
  }
  double charge = 0;
  for (const auto& item : c.entries()) {
    const std::string_view symbol = item.element_ptr->symbol;
    if (symbol == target) {
      continue;
    }
    const oxidation_state* found = nullptr;
    for (const auto& s : known) {
      if (s.symbol == symbol) {
        if (found != nullptr) {
          throw invalid_input(core::detail::message(
              function, "the state of " + s.symbol + " is given twice; expected one state per element"));
        }
        found = &s;
      }
    }
    if (found == nullptr) {
      throw invalid_input(core::detail::message(function, "no oxidation state is given for " + std::string(symbol) +
                                                              "; expected one for every element but '" +
                                                              std::string(target) + "'"));
    }
    detail::check_state(function, *found);
    charge += item.amount * found->state;
  }
  for (const auto& s : known) {
    if (!c.contains(s.symbol) || s.symbol == target) {
      throw invalid_input(core::detail::message(
          function, "a state is given for " + s.symbol + ", which is " +
                        (s.symbol == target ? "the element solved for" : "not in '" + c.formula() + "'") +
                        "; expected only the other elements of the formula"));
    }
  }
  return (total_charge - charge) / n_target;
}

/// \brief A change of oxidation state of (part of) one element: \f$s_{\mathrm{from}} \to s_{\mathrm{to}}\f$.
/// \ingroup chem
struct redox_change {
  std::string symbol;     ///< the element
  double from;            ///< oxidation state before
  double to;              ///< oxidation state after
  double fraction = 1.0;  ///< fraction of that element's amount that changes (0..1)
};

/// \brief The electrons that a set of redox changes gains and loses per formula unit.
/// \ingroup chem
struct electron_ledger {
  std::vector<double>
      electrons;      ///< per change: \f$n_e f (s_{\mathrm{from}} - s_{\mathrm{to}})\f$ (> 0 gained, < 0 lost)
  double gained = 0;  ///< electrons taken up by reductions, \f$\ge 0\f$
  double lost = 0;    ///< electrons given up by oxidations, \f$\ge 0\f$
  double net = 0;     ///< gained − lost: > 0 means the changes leave the solid negatively charged
};

/// \brief Books the electrons of each redox change against the composition:
/// \f$e_k = n_{e_k} f_k (s^{\mathrm{from}}_k - s^{\mathrm{to}}_k)\f$ per formula unit.
/// \ingroup chem
///
/// Reproduces the charge-balance argument of the concentration-gradient NMC622 study: at the
/// surface of LiNi0.6Mn0.2Co0.2O2, Mn⁴⁺→Mn²⁺ gains 0.2 × 2 = 0.4 e and Ni²⁺→Ni³⁺ loses
/// 0.6 × 1 = 0.6 e (net −0.2); with Mn 0.4 / Ni 0.4 the numbers are 0.8 and 0.4 (net +0.4).
/// \param c the composition whose amounts the changes refer to.
/// \param changes the redox changes; each element must be in \p c.
/// \returns the per-change electrons, the totals gained and lost, and the net.
/// \throws valence::invalid_input if a change names an element absent from \p c, has a
///         non-finite state, or a fraction outside [0, 1].
[[nodiscard]] inline electron_ledger balance_electrons(const composition& c, const std::vector<redox_change>& changes) {
  constexpr const char* function = "valence::chem::balance_electrons";
  electron_ledger ledger;
  for (const auto& change : changes) {
    const double n = c.amount(change.symbol);
    if (!(n > 0)) {
      throw invalid_input(core::detail::message(function, "a change names " + change.symbol + ", which is not in '" +
                                                              c.formula() + "'; expected elements of the formula"));
    }
    if (!std::isfinite(change.from) || !std::isfinite(change.to)) {
      throw invalid_input(core::detail::message(
          function, "the change of " + change.symbol + " has a non-finite state; expected finite states"));
    }
    if (!(change.fraction >= 0 && change.fraction <= 1)) {
      throw invalid_input(core::detail::message(function, "the fraction of " + change.symbol + " that changes is " +
                                                              core::detail::format_value(change.fraction) +
                                                              "; expected a value in [0, 1]"));
    }
    const double e = n * change.fraction * (change.from - change.to);
    ledger.electrons.push_back(e);
    (e > 0 ? ledger.gained : ledger.lost) += std::abs(e);
  }
  ledger.net = ledger.gained - ledger.lost;
  return ledger;
}

/// \brief The change in average oxidation state of \p compensator that restores neutrality after a
/// ledger: \f$\Delta s = \mathrm{net} / n_{\mathrm{compensator}}\f$ (positive: it must be oxidised).
/// \ingroup chem
/// \param c the composition.
/// \param ledger the result of balance_electrons() on \p c.
/// \param compensator symbol of the element assumed to compensate; must be in \p c.
/// \returns the required change of its average oxidation state.
/// \throws valence::invalid_input if \p compensator is absent from \p c.
[[nodiscard]] inline double compensating_state_change(const composition& c, const electron_ledger& ledger,
                                                      std::string_view compensator) {
  const double n = c.amount(compensator);
  if (!(n > 0)) {
    throw invalid_input(core::detail::message("valence::chem::compensating_state_change",
                                              "element '" + std::string(compensator) + "' is not in '" + c.formula() +
                                                  "'; expected an element of the formula"));
  }
  return ledger.net / n;
}

/// \brief Average oxidation state from the fractions of reference compounds of known states (e.g.
/// Ni²⁺ 30 %, Ni³⁺ 70 % from linear-combination fitting), with the standard error propagated from
/// the covariance of the fractions; see core::weighted_mean_of_known_values().
/// \ingroup chem
/// \param states oxidation states of the references.
/// \param fractions fitted fractions (sum normalised if it is not 1).
/// \param covariance covariance of the fractions.
/// \returns the average state and its standard error.
/// \throws valence::invalid_input as core::weighted_mean_of_known_values().
template <typename DerivedS, typename DerivedW, typename DerivedC>
[[nodiscard]] core::measured_value average_oxidation_state(const Eigen::MatrixBase<DerivedS>& states,
                                                           const Eigen::MatrixBase<DerivedW>& fractions,
                                                           const Eigen::MatrixBase<DerivedC>& covariance) {
  return core::weighted_mean_of_known_values(states, fractions, covariance);
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_OXIDATION_HPP
