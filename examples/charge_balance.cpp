// SPDX-License-Identifier: MIT
// The charge-neutrality arithmetic of the two cathode studies, done by the library:
//  - concentration-gradient NMC622: at the surface, Mn4+ -> Mn2+ gains electrons and Ni2+ -> Ni3+
//    loses them; whether Ni must end up reduced or oxidised depends on the Mn/Ni ratio;
//  - Li/Mn-rich 0.5Li2MnO3.0.5LiNi0.5Mn0.5O2: layered notation, Mn state, balanced assignments,
//    theoretical capacity with and without oxygen redox, Li content after a first charge.
//
//   charge_balance [formula]
//
// With a formula (e.g. "LiNi0.8Mn0.1Co0.1O2") the surface ledger is computed for it instead of the
// two NMC622 compositions.
#include <valence/chem/capacity.hpp>
#include <valence/chem/composition.hpp>
#include <valence/chem/layered.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/chem/oxidation_guesses.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

void surface_ledger(const char* label, const valence::chem::composition& c) {
  // Mn4+ -> Mn2+ for all surface Mn, Ni2+ -> Ni3+ for all surface Ni (the study's bookkeeping)
  const auto ledger = valence::chem::balance_electrons(c, {{"Mn", 4, 2}, {"Ni", 2, 3}});
  const double ni_change = valence::chem::compensating_state_change(c, ledger, "Ni");
  std::printf("%-24s %-24s gained %.2f e, lost %.2f e, net %+.2f e -> Ni must be %s (%+.2f on average)\n", label,
              c.formula().c_str(), ledger.gained, ledger.lost, ledger.net, ni_change > 0 ? "oxidised" : "reduced",
              ni_change);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1) {
      surface_ledger("given", valence::chem::parse_formula(argv[1]));
      return 0;
    }
    surface_ledger("conventional NMC622", valence::chem::parse_formula("LiNi0.6Mn0.2Co0.2O2"));
    surface_ledger("gradient NMC622 surface", valence::chem::parse_formula("LiNi0.4Mn0.4Co0.2O2"));

    // 0.5 Li2MnO3 . 0.5 LiNi0.5Mn0.5O2, as written and in the layered notation Li(1+y)M(1-y)O2
    const auto composite = valence::chem::parse_formula(
        "0.5Li2MnO3\xC2\xB7"
        "0.5LiNi0.5Mn0.5O2");
    const auto layered = valence::chem::layered_from_composite(0.5, valence::chem::parse_formula("Ni0.5Mn0.5"));
    std::printf("\nLi/Mn-rich composite      %s = %s per 2 O (y = %.3f)\n", composite.formula().c_str(),
                layered.formula().c_str(), valence::chem::layered_excess_from_composite(0.5));
    const double mn = valence::chem::solve_oxidation_state(layered, "Mn", {{"Li", 1}, {"Ni", 2}, {"O", -2}});
    std::printf("Mn oxidation state        %.3f (with Li+, Ni2+, O2-)\n", mn);
    // the three most likely balanced assignments (the redox ladder of oxides ranks them)
    const auto guesses = valence::chem::oxidation_state_guesses(layered);
    for (std::size_t i = 0; i < guesses.size() && i < 3; ++i) {
      const auto& guess = guesses[i];
      std::printf("  balanced assignment     ");
      for (const auto& s : guess.states) {
        std::printf("%s%+.3g ", s.symbol.c_str(), s.state);
      }
      std::printf("%s\n", guess.mixed_element.empty() ? "" : ("(mixed " + guess.mixed_element + ")").c_str());
    }
    std::printf("molar mass                %.3f g/mol\n", valence::chem::molar_mass(layered));
    std::printf("capacity, all Li removed  %.1f mAh/g\n", valence::chem::theoretical_capacity(layered));
    // Ni2+ -> Ni4+ is the only transition-metal redox left when Mn is already 4+:
    const auto redox = valence::chem::redox_limited_capacity(layered, {{"Ni", 2}, {"Mn", 4}}, {{"Mn", 4}});
    std::printf("capacity, Ni2+ -> Ni4+    %.1f mAh/g (%.3f e of %.3f Li: the rest needs oxygen redox)\n",
                redox.capacity, redox.electrons, redox.ion_electrons);
    // Li left after a first charge of 250 mAh/g, and the state of charge it means
    const double x = valence::chem::ion_content_from_capacity(layered, 250.0);
    std::printf("after 250 mAh/g           Li%.3f, state of charge %.2f\n", x,
                valence::chem::state_of_charge(layered, x));
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
