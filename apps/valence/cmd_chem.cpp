// SPDX-License-Identifier: MIT
// valence formula: molar mass, capacity and oxidation states of a formula.
#include <valence/chem/capacity.hpp>
#include <valence/chem/composition.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/chem/oxidation_guesses.hpp>

#include "commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace valence_cli {

namespace {

struct formula_args {
  std::string formula, ion = "Li", solve;
  std::vector<std::string> states;
  int guesses = 3;
};

// "Ni=2" or "O=-2" as an oxidation state; throws naming the option.
valence::chem::oxidation_state parse_state(const std::string& text) {
  const auto equals = text.find('=');
  char* end = nullptr;
  const std::string value = equals == std::string::npos ? std::string() : text.substr(equals + 1);
  const double state = std::strtod(value.c_str(), &end);
  if (equals == std::string::npos || equals == 0 || value.empty() || *end != '\0') {
    throw valence::invalid_input("option --state is '" + text + "'; expected ELEMENT=STATE, e.g. Ni=2 or O=-2");
  }
  return {text.substr(0, equals), state};
}

void run_formula(const context& ctx, const formula_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  const auto c = valence::chem::parse_formula(a.formula);
  std::printf("%s\n  molar mass %.4f g/mol\n", a.formula.c_str(), valence::chem::molar_mass(c));
  std::printf("  theoretical capacity, all %s extracted: %.2f mAh/g\n", a.ion.c_str(),
              valence::chem::theoretical_capacity(c, a.ion));
  if (!a.solve.empty()) {
    // Charge balance: the one unknown average state from neutrality and the others' states.
    std::vector<valence::chem::oxidation_state> known;
    for (const auto& text : a.states) {
      known.push_back(parse_state(text));
    }
    std::printf("  %s average oxidation state from neutrality: %+.4f\n", a.solve.c_str(),
                valence::chem::solve_oxidation_state(c, a.solve, known));
    return;
  }
  const auto guesses = valence::chem::oxidation_state_guesses(c);
  int shown = 0;
  for (const auto& g : guesses) {
    if (shown++ == a.guesses) {
      break;
    }
    std::printf("  oxidation states:");
    for (const auto& s : g.states) {
      std::printf(" %s %+.3g", s.symbol.c_str(), s.state);
    }
    std::printf("%s\n", g.mixed_element.empty() ? "" : ("  (" + g.mixed_element + " mixed valence)").c_str());
  }
}

}  // namespace

void add_chem_commands(CLI::App& app, const context& ctx) {
  auto f = std::make_shared<formula_args>();
  auto* formula =
      app.add_subcommand("formula",
                         "Molar mass, theoretical capacity and the most likely oxidation states of a formula, e.g. "
                         "LiNi0.6Mn0.2Co0.2O2 or Li1.2Ni0.13Co0.13Mn0.54O2.");
  formula->add_option("formula", f->formula, "chemical formula")->required();
  formula->add_option("--ion", f->ion, "the mobile ion of the capacity (default Li)");
  formula->add_option("--guesses", f->guesses, "how many oxidation-state assignments to list (default 3)");
  formula->add_option("--solve", f->solve,
                      "solve this element's average oxidation state from neutrality, given --state for the others");
  formula->add_option("--state", f->states, "a known oxidation state, e.g. --state Li=1 --state O=-2 (repeat)");
  formula->callback([f, &ctx] { run_formula(ctx, *f); });
}

}  // namespace valence_cli
