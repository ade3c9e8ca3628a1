// SPDX-License-Identifier: MIT
/// \file
/// \brief Charge-balanced oxidation-state assignments of a formula, fractional or not, ranked by a
/// documented prior, found without enumerating sites.
#ifndef VALENCE_CHEM_OXIDATION_GUESSES_HPP
#define VALENCE_CHEM_OXIDATION_GUESSES_HPP

#include <valence/chem/composition.hpp>
#include <valence/chem/element.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace valence::chem {

/// \brief The oxidation states one element may take, replacing its common states from periodic_table.
/// \ingroup chem
struct allowed_states {
  std::string symbol;       ///< the element
  std::vector<int> states;  ///< its allowed integer states (at least one)
};

/// \brief Options of oxidation_state_guesses().
/// \ingroup chem
struct oxidation_guess_options {
  /// Net charge \f$q\f$ of the formula unit (0 for a neutral compound, −2 for SO4²⁻).
  double total_charge = 0;
  /// Per-element replacements of the candidate states (default: element::common_oxidation_states,
  /// or {0} for an element that has none).
  std::vector<allowed_states> allowed;
  /// Whether one element may take a non-integer average between two of its allowed states
  /// (mixed valence, e.g. Fe 8/3 in Fe3O4). When false only integer assignments are returned.
  bool allow_mixed_valence = true;
  /// Relative tolerance of the neutrality test, scaled by \f$\max(1, \sum_e n_e \max_s |s|)\f$.
  double tolerance = 1e-9;
};

/// \brief One charge-balanced assignment of average oxidation states.
/// \ingroup chem
struct oxidation_state_guess {
  std::vector<oxidation_state> states;  ///< one average state per element, in formula order
  std::string mixed_element;            ///< the element with a mixed (non-allowed) average; empty if none
  /// \f$C\f$ of the ranking prior over the elements without a redox ladder (lower is more likely).
  double prior_cost = 0;
  /// \f$U = \sum_e n_e L_e(s_e)\f$ over the 3d metals, eV per formula unit: the energy of the
  /// electrons their states have given up, on the redox ladder of oxide hosts (lower is more likely).
  double redox_energy = 0;
};

namespace detail {

/// Rank of state \p s in the element's common list (0 = most common); a state outside the list
/// costs the list's length plus its distance to the nearest listed state.
inline double oxidation_state_rank(const element& e, int s) {
  const int count = e.oxidation_state_count;
  int distance = std::abs(s);
  for (int k = 0; k < count; ++k) {
    if (e.common_oxidation_states[static_cast<std::size_t>(k)] == s) {
      return k;
    }
    distance = std::min(distance, std::abs(s - e.common_oxidation_states[static_cast<std::size_t>(k)]));
  }
  return count + distance;
}

/// The redox ladder of a 3d metal in oxide hosts: approximate potentials (V vs Li+/Li) of its
/// couples s/s+1 from state `base` up, after the relative couple energies in oxides compiled by
/// J. B. Goodenough and Y. Kim, Chem. Mater. 22, 587 (2010) and J. B. Goodenough and K.-S. Park,
/// J. Am. Chem. Soc. 135, 1167 (2013). Only their order ranks assignments; couples those
/// compilations do not place (Mn3+/2+, Co3+/2+, Cu) sit below their element's next couple.
struct redox_ladder {
  std::string_view symbol;
  int base;
  std::array<double, 5> couples;
  int count;
};

inline constexpr std::array<redox_ladder, 8> redox_ladders{{
    {"Ti", 3, {1.6}, 1},                      // Ti4+/3+ (Li4Ti5O12, anatase)
    {"V", 3, {2.5, 3.3}, 2},                  // V4+/3+, V5+/4+ (V2O5)
    {"Cr", 3, {4.5, 4.8, 5.0}, 3},            // Cr3+ up to chromate
    {"Mn", 2, {1.5, 2.9, 5.0, 5.5, 6.0}, 5},  // Mn3+/2+, Mn4+/3+ (layered and spinel at 3 V), up to 7+
    {"Fe", 2, {2.5, 4.8}, 2},                 // Fe3+/2+ in oxides, Fe4+/3+
    {"Co", 2, {2.0, 4.2}, 2},                 // Co3+/2+, Co4+/3+ (LiCoO2, at the top of O 2p)
    {"Ni", 2, {3.7, 3.9}, 2},                 // Ni3+/2+ and Ni4+/3+ (NMC, LiNi0.5Mn1.5O4)
    {"Cu", 1, {2.0, 4.5}, 2},                 // Cu2+/+, Cu3+/2+
}};

inline const redox_ladder* ladder_of(std::string_view symbol) {
  for (const auto& l : redox_ladders) {
    if (l.symbol == symbol) {
      return &l;
    }
  }
  return nullptr;
}

/// L(s): the energy, eV, of the electrons given up from the ladder's base state to integer state s
/// (negative below it). Couples beyond the table continue 1 V apart, so the ladder stays convex.
inline double ladder_energy(const redox_ladder& l, int s) {
  const auto couple = [&l](int j) {  // potential of the couple j/j+1
    const int k = j - l.base;
    if (k < 0) {
      return l.couples[0] + k;
    }
    if (k >= l.count) {
      return l.couples[static_cast<std::size_t>(l.count - 1)] + (k - l.count + 1);
    }
    return l.couples[static_cast<std::size_t>(k)];
  };
  double energy = 0;
  for (int j = l.base; j < s; ++j) {
    energy += couple(j);
  }
  for (int j = s; j < l.base; ++j) {
    energy -= couple(j);
  }
  return energy;
}

/// Candidate states and their prior costs for one element of the formula: ranks, or for a 3d metal
/// its ladder energies.
struct state_candidates {
  const element* element_ptr;
  double amount;
  std::vector<int> states;
  std::vector<double> ranks;     // 0 for a ladder element
  std::vector<double> energies;  // L(s) for a ladder element, else 0
  int lowest;
  int highest;

  /// Interpolation weights of a mixed average \p s between the nearest allowed states below and
  /// above it (Mn 3.5 is a Mn3+/Mn4+ mixture, not Mn2+/Mn7+): the average is that mixture, so its
  /// rank and energy are the mixture's.
  [[nodiscard]] double mixture(double s, const std::vector<double>& of_state) const {
    std::size_t below = 0;
    std::size_t above = 0;
    for (std::size_t k = 0; k < states.size(); ++k) {
      if (states[k] < s && (states[below] >= s || states[k] > states[below])) {
        below = k;
      }
      if (states[k] > s && (states[above] <= s || states[k] < states[above])) {
        above = k;
      }
    }
    const double t = (s - states[below]) / (states[above] - states[below]);
    return (1 - t) * of_state[below] + t * of_state[above];
  }
};

template <class = void>
std::vector<state_candidates> candidate_states(const composition& c, const oxidation_guess_options& options) {
  constexpr const char* function = "valence::chem::oxidation_state_guesses";
  for (std::size_t i = 0; i < options.allowed.size(); ++i) {
    const auto& override_states = options.allowed[i];
    if (!c.contains(override_states.symbol)) {
      throw invalid_input(core::detail::message(function, "allowed states are given for " + override_states.symbol +
                                                              ", which is not in '" + c.formula() +
                                                              "'; expected elements of the formula"));
    }
    if (override_states.states.empty()) {
      throw invalid_input(core::detail::message(
          function, "the allowed states of " + override_states.symbol + " are empty; expected at least one state"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (options.allowed[j].symbol == override_states.symbol) {
        throw invalid_input(core::detail::message(function, "allowed states of " + override_states.symbol +
                                                                " are given twice; expected one list per element"));
      }
    }
  }
  std::vector<state_candidates> out;
  for (const auto& item : c.entries()) {
    if (!(item.amount > 0)) {
      continue;
    }
    const element& e = *item.element_ptr;
    std::vector<int> states(e.common_oxidation_states.begin(),
                            e.common_oxidation_states.begin() + e.oxidation_state_count);
    for (const auto& override_states : options.allowed) {
      if (override_states.symbol == e.symbol) {
        states.clear();
        for (const int s : override_states.states) {  // keep the first of repeated states, in order
          if (std::find(states.begin(), states.end(), s) == states.end()) {
            states.push_back(s);
          }
        }
      }
    }
    if (states.empty()) {
      states.push_back(0);
    }
    const redox_ladder* ladder = ladder_of(e.symbol);
    std::vector<double> ranks;
    std::vector<double> energies;
    for (const int s : states) {
      ranks.push_back(ladder != nullptr ? 0.0 : oxidation_state_rank(e, s));
      energies.push_back(ladder != nullptr ? ladder_energy(*ladder, s) : 0.0);
    }
    const auto [lowest, highest] = std::minmax_element(states.begin(), states.end());
    out.push_back({&e, item.amount, std::move(states), std::move(ranks), std::move(energies), *lowest, *highest});
  }
  return out;
}

/// Depth-first search over integer states of every element but \p mixed (none when mixed ==
/// none), pruned by the charge the remaining elements can still reach.
class oxidation_search {
 public:
  /// Marks "no mixed element" for run().
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  oxidation_search(const std::vector<state_candidates>& candidates, double total_charge, double tolerance)
      : candidates_(candidates), charge_(total_charge), tolerance_(tolerance), chosen_(candidates.size(), 0) {}

  void run(std::size_t mixed, std::vector<oxidation_state_guess>& out) {
    mixed_ = mixed;
    reach_low_.assign(candidates_.size() + 1, 0.0);
    reach_high_.assign(candidates_.size() + 1, 0.0);
    // The mixed element is solved for last, so its whole range stays open at every depth.
    if (mixed != none) {
      reach_low_.back() = candidates_[mixed].amount * candidates_[mixed].lowest;
      reach_high_.back() = candidates_[mixed].amount * candidates_[mixed].highest;
    }
    for (std::size_t i = candidates_.size(); i-- > 0;) {
      const bool integer = i != mixed;
      reach_low_[i] = reach_low_[i + 1] + (integer ? candidates_[i].amount * candidates_[i].lowest : 0.0);
      reach_high_[i] = reach_high_[i + 1] + (integer ? candidates_[i].amount * candidates_[i].highest : 0.0);
    }
    visit(0, 0.0, out);
  }

 private:
  void visit(std::size_t depth, double charge_so_far, std::vector<oxidation_state_guess>& out) {
    const double needed = charge_ - charge_so_far;
    if (needed < reach_low_[depth] - tolerance_ || needed > reach_high_[depth] + tolerance_) {
      return;
    }
    if (depth == candidates_.size()) {
      record(out);
      return;
    }
    if (depth == mixed_) {
      visit(depth + 1, charge_so_far, out);
      return;
    }
    for (std::size_t k = 0; k < candidates_[depth].states.size(); ++k) {
      chosen_[depth] = k;
      visit(depth + 1, charge_so_far + candidates_[depth].amount * candidates_[depth].states[k], out);
    }
  }

  void record(std::vector<oxidation_state_guess>& out) const {
    oxidation_state_guess guess;
    double charge = 0;
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      if (i != mixed_) {
        const std::size_t k = chosen_[i];
        charge += candidates_[i].amount * candidates_[i].states[k];
        guess.prior_cost += candidates_[i].amount * candidates_[i].ranks[k];
        guess.redox_energy += candidates_[i].amount * candidates_[i].energies[k];
      }
    }
    double mixed_state = 0;
    if (mixed_ == none) {
      if (std::abs(charge - charge_) > tolerance_) {
        return;
      }
    } else {
      const auto& m = candidates_[mixed_];
      mixed_state = (charge_ - charge) / m.amount;
      // Averages at an allowed state are the integer assignments; outside the range no mixture exists.
      const double margin = tolerance_ / m.amount;
      for (const int s : m.states) {
        if (std::abs(mixed_state - s) <= margin) {
          return;
        }
      }
      if (!(mixed_state > m.lowest && mixed_state < m.highest)) {
        return;
      }
      guess.prior_cost += m.amount * m.mixture(mixed_state, m.ranks);
      guess.redox_energy += m.amount * m.mixture(mixed_state, m.energies);
      guess.mixed_element = std::string(m.element_ptr->symbol);
    }
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      const double s = i == mixed_ ? mixed_state : candidates_[i].states[chosen_[i]];
      guess.states.push_back({std::string(candidates_[i].element_ptr->symbol), s});
    }
    out.push_back(std::move(guess));
  }

  const std::vector<state_candidates>& candidates_;
  double charge_;
  double tolerance_;
  std::vector<std::size_t> chosen_;
  std::vector<double> reach_low_;
  std::vector<double> reach_high_;
  std::size_t mixed_ = none;
};

}  // namespace detail

/// \brief Upper bound on \f$\prod_e |S_e|\f$ that oxidation_state_guesses() accepts.
/// \ingroup chem
inline constexpr double max_state_combinations = 1e7;

/// \brief Every charge-balanced assignment of per-element average oxidation states, most likely first.
/// \ingroup chem
///
/// Each element \f$e\f$ (amount \f$n_e\f$) takes one of its allowed integer states \f$S_e\f$; at most
/// one element may instead take a mixed-valence average strictly between its lowest and highest
/// allowed state, solved from neutrality \f$\sum_e n_e s_e = q\f$. These are exactly the vertices of
/// the linear programme over per-element state fractions (with \f$E\f$ elements there are \f$E+1\f$
/// equalities, so at most one element mixes), so the answers do not depend on the formula's
/// multiplier: LiFePO4 and Li10000Fe10000P10000O40000 give the same list, and fractional formulas
/// such as Li1.2Ni0.15Co0.1Mn0.55O2 need no scaling to integer sites. The work is
/// \f$O(E\prod_e |S_e|)\f$ at worst, independent of the amounts, and neutrality pruning cuts most of it.
///
/// **Ranking.** Two costs, compared in this order (lower first; at equal costs integer answers stay
/// ahead of mixtures, then the search order: formula order, candidates most common first):
/// 1. The rank prior over the elements without a redox ladder: state \f$s\f$ costs its rank
///    \f$r_e(s)\f$ in common_oxidation_states (0 for the most common; a state outside the list costs
///    the list's length plus its distance to the nearest listed state), and
///    \f$C = \sum_e n_e r_e(s_e)\f$. It settles the states of Li, Na, O, P, S, F, ...
/// 2. For the 3d metals Ti, V, Cr, Mn, Fe, Co, Ni and Cu, the redox ladder of oxide hosts: with the
///    approximate potentials \f$V_e(j/j{+}1)\f$ of an element's couples in oxides (V vs Li⁺/Li,
///    after the couple energies compiled by J. B. Goodenough and Y. Kim, Chem. Mater. 22, 587
///    (2010): Mn³⁺/²⁺ 1.5, Co³⁺/²⁺ 2.0, Fe³⁺/²⁺ 2.5, Mn⁴⁺/³⁺ 2.9, Ni³⁺/²⁺ 3.7, Ni⁴⁺/³⁺ 3.9,
///    Co⁴⁺/³⁺ 4.2, ...; only their order matters), state \f$s\f$ has
///    given up \f$L_e(s) = \sum_{j<s} V_e(j/j{+}1)\f$ eV of electrons, and
///    \f$U = \sum_e n_e L_e(s_e)\f$. The least \f$U\f$ for a fixed charge is the ground state that
///    removes electrons from the lowest-lying couples first: in LiNi0.6Mn0.2Co0.2O2 Mn and Co
///    are oxidised to Mn⁴⁺ and Co³⁺ before Ni²⁺ gives up any electron, so the first answer is
///    Li⁺ Ni^8/3 Mn⁴⁺ Co³⁺, the starting point of the NMC charge-balance argument.
///
/// A mixed average costs the mixture of the nearest allowed states \f$a < s < b\f$ it lies between:
/// \f$[(b-s) x(a) + (s-a) x(b)]/(b-a)\f$ for \f$x = r_e\f$ or \f$L_e\f$. The first answers are the
/// textbook ones for layered oxides (NMC111, 622, 811: Ni takes the balance; NCA: Ni³⁺ Co³⁺; Li-rich
/// Li1.2Ni0.2Mn0.6O2: Ni²⁺ Mn⁴⁺), spinels (LiMn2O4: Mn 3.5; LiNi0.5Mn1.5O4: Ni²⁺ Mn⁴⁺), olivines
/// (LiFePO4, LiMnPO4) and sodium layered oxides (NaNi0.5Mn0.5O2, Na2/3Ni1/3Mn2/3O2), and they agree
/// with pymatgen's `Composition.oxi_state_guesses` (which ranks by ICSD occurrences) on LiFeO2,
/// Fe4O5, V2O3, LiFePO4, SbOF and MnFeO3 with Mn, Fe ∈ {2, 3, 4} (tests/chem). Where pymatgen differs it
/// is because an occurrence count is not chemistry: it puts Ni²⁺/Mn⁷⁺/Co²⁺ first for NMC622. Unlike
/// pymatgen, mixed valence does not require several integer sites: VO2 with V ∈ {2, 3, 5} gives V 4 as
/// a mixture of V³⁺ and V⁵⁺ (set allow_mixed_valence = false for pymatgen's empty answer). A
/// composition of one element (e.g. O2) is assigned state 0 when \f$q = 0\f$. Intermetallics such as
/// NiAl, with no negative candidate, have no assignment and give an empty list. What spectroscopy
/// measured can be imposed: `allowed = {{"Mn", {4}}, {"Co", {3}}}` leaves one answer.
///
/// \param c the composition.
/// \param options net charge, per-element allowed states, mixed valence and tolerance.
/// \returns the assignments, most likely first; empty if none balances.
/// \throws valence::invalid_input for an empty composition, a non-finite charge, a non-positive or
///         non-finite tolerance, or allowed states that name an absent element, are empty or are given
///         twice for one element, or more than max_state_combinations combinations of candidates.
template <class = void>
[[nodiscard]] std::vector<oxidation_state_guess> oxidation_state_guesses(const composition& c,
                                                                         const oxidation_guess_options& options = {}) {
  constexpr const char* function = "valence::chem::oxidation_state_guesses";
  if (c.total_atoms() <= 0) {
    throw invalid_input(core::detail::message(function, "the composition is empty; expected at least one element"));
  }
  if (!std::isfinite(options.total_charge)) {
    throw invalid_input(core::detail::message(
        function,
        "option 'total_charge' is " + core::detail::format_value(options.total_charge) + "; expected a finite value"));
  }
  if (!(std::isfinite(options.tolerance) && options.tolerance > 0)) {
    throw invalid_input(core::detail::message(
        function, "option 'tolerance' is " + core::detail::format_value(options.tolerance) + "; expected a value > 0"));
  }
  auto candidates = detail::candidate_states(c, options);
  if (candidates.size() == 1 && options.total_charge == 0 && options.allowed.empty()) {
    return {{{{std::string(candidates[0].element_ptr->symbol), 0.0}}, "", 0.0}};
  }
  double scale = 1;
  double combinations = 1;
  for (const auto& e : candidates) {
    scale += e.amount * std::max(std::abs(e.lowest), std::abs(e.highest));
    combinations *= static_cast<double>(e.states.size());
  }
  if (combinations > max_state_combinations) {
    throw invalid_input(core::detail::message(
        function, "the allowed states give " + core::detail::format_value(combinations) +
                      " combinations; expected at most 1e7: restrict the allowed states of some elements"));
  }
  detail::oxidation_search search(candidates, options.total_charge, options.tolerance * scale);
  std::vector<oxidation_state_guess> integer_guesses;
  search.run(detail::oxidation_search::none, integer_guesses);
  std::vector<oxidation_state_guess> mixed_guesses;
  if (options.allow_mixed_valence) {
    for (std::size_t m = 0; m < candidates.size(); ++m) {
      if (candidates[m].states.size() > 1) {
        search.run(m, mixed_guesses);
      }
    }
  }
  // Costs equal in exact arithmetic can differ in the last bits; compare them rounded so that such
  // ties keep the search order instead of depending on rounding. Integer answers were found first,
  // so at equal costs they stay ahead of mixtures.
  const auto key = [](double cost) { return std::round(cost * 1e9); };
  const auto by_cost = [&key](const oxidation_state_guess& a, const oxidation_state_guess& b) {
    if (key(a.prior_cost) != key(b.prior_cost)) {
      return key(a.prior_cost) < key(b.prior_cost);
    }
    return key(a.redox_energy) < key(b.redox_energy);
  };
  integer_guesses.insert(integer_guesses.end(), std::make_move_iterator(mixed_guesses.begin()),
                         std::make_move_iterator(mixed_guesses.end()));
  std::stable_sort(integer_guesses.begin(), integer_guesses.end(), by_cost);
  return integer_guesses;
}

}  // namespace valence::chem

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::chem {
extern template std::vector<oxidation_state_guess> oxidation_state_guesses<>(const composition&,
                                                                             const oxidation_guess_options&);
}  // namespace valence::chem
#endif

#endif  // VALENCE_CHEM_OXIDATION_GUESSES_HPP
