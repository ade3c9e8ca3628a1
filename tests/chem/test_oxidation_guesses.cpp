// SPDX-License-Identifier: MIT
// oxidation_state_guesses against hand-derived neutrality cases and the first answers pymatgen's
// Composition.oxi_state_guesses gives in its own tests (tests/core/test_composition.py at 003f77a,
// listed in the reference notes, §4c): LiFeO2, Fe4O5, V2O3, V2O4 and V2O6²⁻ with V overrides,
// MnFeO3 with Mn, Fe in {2, 3, 4}, LiFePO4 at any multiplier, SbOF, elementals.
#include <valence/chem/composition.hpp>
#include <valence/chem/oxidation_guesses.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using valence::invalid_input;
using valence::chem::oxidation_state_guess;
using valence::chem::oxidation_state_guesses;
using valence::chem::parse_formula;

namespace {

// "Li+1 Fe+3 O-2" style text of one guess; states printed to 4 decimals.
std::string text(const oxidation_state_guess& guess) {
  std::string out;
  for (const auto& s : guess.states) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s%s%+.4g", out.empty() ? "" : " ", s.symbol.c_str(), s.state);
    out += buffer;
  }
  return out;
}

// all guesses, separated by "; "
std::string texts(const std::vector<oxidation_state_guess>& guesses) {
  std::string out;
  for (const auto& g : guesses) {
    out += (out.empty() ? "" : "; ") + text(g);
  }
  return out;
}

}  // namespace

TEST_SUITE("chem") {
  TEST_CASE("oxidation_state_guesses: single answers that neutrality forces") {
    CHECK(texts(oxidation_state_guesses(parse_formula("LiFeO2"))) == "Li+1 Fe+3 O-2");
    CHECK(texts(oxidation_state_guesses(parse_formula("V2O3"))) == "V+3 O-2");
    const auto fe4o5 = oxidation_state_guesses(parse_formula("Fe4O5"));
    REQUIRE(fe4o5.size() == 1);
    CHECK(fe4o5[0].states[0].state == 2.5);
    CHECK(fe4o5[0].mixed_element == "Fe");
    // magnetite: Fe 8/3, a mixture of Fe2+ and Fe3+
    const auto fe3o4 = oxidation_state_guesses(parse_formula("Fe3O4"));
    REQUIRE(fe3o4.size() == 1);
    VALENCE_CHECK_ULP(8.0 / 3.0, fe3o4[0].states[0].state, 2);
    // spinel LiMn2O4: Mn 3.5
    const auto lmo = oxidation_state_guesses(parse_formula("LiMn2O4"));
    REQUIRE(lmo.size() == 1);
    CHECK(lmo[0].states[1].state == 3.5);
    // elementals are state 0
    CHECK(texts(oxidation_state_guesses(parse_formula("O2"))) == "O+0");
    CHECK(texts(oxidation_state_guesses(parse_formula("Fe3"))) == "Fe+0");
    // SbOF (pymatgen: Sb 3, O -2, F -1)
    CHECK(text(oxidation_state_guesses(parse_formula("SbOF")).at(0)) == "Sb+3 O-2 F-1");
  }

  TEST_CASE("oxidation_state_guesses: the most common states of the main-group elements first") {
    // LiFePO4: Fe2+ with P5+ first; Fe3+ with P as a 3/5 mixture (average 4) comes later.
    const auto lfp = oxidation_state_guesses(parse_formula("LiFePO4"));
    REQUIRE(lfp.size() >= 2);
    CHECK(text(lfp[0]) == "Li+1 Fe+2 P+5 O-2");
    CHECK(lfp[0].mixed_element.empty());
    CHECK(lfp[0].prior_cost == 0.0);  // every state is its element's most common one
    for (std::size_t i = 1; i < lfp.size(); ++i) {
      CHECK_FALSE(lfp[i].mixed_element.empty());
    }
    // the answers do not depend on the formula's multiplier (pymatgen#2341 concerns exactly this)
    CHECK(texts(oxidation_state_guesses(parse_formula("Li10000Fe10000P10000O40000"))) == texts(lfp));

    // Li-rich NMC: Li+, Ni2+, Co3+, Mn4+ first, with no scaling to integer sites
    const auto li_rich = oxidation_state_guesses(parse_formula("Li1.2Ni0.15Co0.1Mn0.55O2"));
    REQUIRE(!li_rich.empty());
    CHECK(text(li_rich[0]) == "Li+1 Ni+2 Co+3 Mn+4 O-2");
  }

  TEST_CASE("oxidation_state_guesses: allowed-state overrides and charged units") {
    using valence::chem::oxidation_guess_options;
    // MnFeO3 with Mn, Fe in {2, 3, 4}: three integer answers, Mn3+ Fe3+ first (as pymatgen). Costs
    // (ranks in Mn {2, 3, 4, 7} and Fe {2, 3}): Mn3 Fe3 = 1 + 1, Mn4 Fe2 = 2 + 0, Mn2 Fe4 = 0 + (2 + 1);
    // the tie keeps the order of the allowed list.
    oxidation_guess_options mnfe;
    mnfe.allowed = {{"Mn", {2, 3, 4}}, {"Fe", {2, 3, 4}}};
    const auto mnfeo3 = oxidation_state_guesses(parse_formula("MnFeO3"), mnfe);
    CHECK(texts(mnfeo3) == "Mn+3 Fe+3 O-2; Mn+4 Fe+2 O-2; Mn+2 Fe+4 O-2");

    // V2O4 with V in {2, 3, 5}: V 4 as a mixture of 3 and 5 (pymatgen: the same average).
    oxidation_guess_options v235;
    v235.allowed = {{"V", {2, 3, 5}}};
    CHECK(texts(oxidation_state_guesses(parse_formula("V2O4"), v235)) == "V+4 O-2");
    // VO2 likewise; without mixed valence there is no answer (pymatgen's single-site result).
    CHECK(texts(oxidation_state_guesses(parse_formula("VO2"), v235)) == "V+4 O-2");
    v235.allow_mixed_valence = false;
    CHECK(oxidation_state_guesses(parse_formula("VO2"), v235).empty());

    // V2O6 with charge -2 and V in {2..5}: V5+.
    oxidation_guess_options vanadate;
    vanadate.total_charge = -2;
    vanadate.allowed = {{"V", {2, 3, 4, 5}}};
    CHECK(text(oxidation_state_guesses(parse_formula("V2O6"), vanadate).at(0)) == "V+5 O-2");
    // NMC622 with Mn4+ and Co3+ fixed (as XAS measures them): Ni 8/3, a Ni2+/Ni3+ mixture
    oxidation_guess_options measured;
    measured.allowed = {{"Mn", {4}}, {"Co", {3}}};
    const auto nmc = oxidation_state_guesses(parse_formula("LiNi0.6Mn0.2Co0.2O2"), measured);
    REQUIRE(nmc.size() == 1);
    CHECK(nmc[0].mixed_element == "Ni");
    VALENCE_CHECK_REL(8.0 / 3.0, nmc[0].states[1].state, 4e-16, 0.0);
    // sulfate: S6+ is the only integer answer
    oxidation_guess_options sulfate;
    sulfate.total_charge = -2;
    const auto so4 = oxidation_state_guesses(parse_formula("SO4"), sulfate);
    REQUIRE(!so4.empty());
    CHECK(text(so4[0]) == "S+6 O-2");
  }

  TEST_CASE("oxidation_state_guesses: every answer balances and lies in the allowed range") {
    for (const char* formula :
         {"LiNi0.6Mn0.2Co0.2O2", "Li1.2Ni0.15Co0.1Mn0.55O2", "Na3V2(PO4)3", "LiFePO4", "Li2MnO3", "Fe3O4", "CaTiO3"}) {
      CAPTURE(formula);
      const auto c = parse_formula(formula);
      const auto guesses = oxidation_state_guesses(c);
      CHECK(!guesses.empty());
      double previous_cost = -1;
      double previous_energy = -1e300;
      for (const auto& g : guesses) {
        double charge = 0;
        for (const auto& s : g.states) {
          charge += c.amount(s.symbol) * s.state;
          const auto& e = valence::chem::element_by_symbol(s.symbol);
          const auto* first = e.common_oxidation_states.begin();
          const auto [lo, hi] = std::minmax_element(first, first + std::max(e.oxidation_state_count, 1));
          CHECK(s.state >= (e.oxidation_state_count == 0 ? 0 : *lo));
          CHECK(s.state <= (e.oxidation_state_count == 0 ? 0 : *hi));
        }
        CHECK(std::abs(charge) < 1e-12);
        // ordered by the rank prior, then by the redox energy
        CHECK(g.prior_cost >= previous_cost - 1e-12);
        if (g.prior_cost <= previous_cost + 1e-12) {
          CHECK(g.redox_energy >= previous_energy - 1e-12);
        }
        previous_cost = g.prior_cost;
        previous_energy = g.redox_energy;
      }
    }
  }

  TEST_CASE("oxidation_state_guesses: the textbook assignments of cathode materials come first") {
    // Each first answer as the literature writes the material's states.
    struct textbook {
      const char* formula;
      const char* states;
      const char* source;
    };
    const textbook cases[] = {
        {"LiNi0.6Mn0.2Co0.2O2", "Li+1 Ni+2.667 Mn+4 Co+3 O-2",
         "NMC622: Ni2+/Ni3+, Mn4+, Co3+ (Noh et al., J. Power Sources 233, 121 (2013))"},
        {"LiNi0.8Mn0.1Co0.1O2", "Li+1 Ni+2.875 Mn+4 Co+3 O-2", "NMC811 (Noh et al. 2013)"},
        {"Li3NiMnCoO6", "Li+1 Ni+2 Mn+4 Co+3 O-2", "NMC111 (Ohzuku and Makimura, Chem. Lett. 30, 642 (2001))"},
        {"LiNi0.8Co0.15Al0.05O2", "Li+1 Ni+3 Co+3 Al+3 O-2", "NCA (Manthiram, Nat. Commun. 11, 1550 (2020))"},
        {"Li1.2Ni0.2Mn0.6O2", "Li+1 Ni+2 Mn+4 O-2",
         "Li-rich Li[Li0.2Ni0.2Mn0.6]O2 (Lu et al., J. Electrochem. Soc. 149, A815 (2002))"},
        {"Li1.2Ni0.15Co0.1Mn0.55O2", "Li+1 Ni+2 Co+3 Mn+4 O-2",
         "Li-rich NMC (Thackeray et al., J. Mater. Chem. 17, 3112 (2007))"},
        {"LiMn2O4", "Li+1 Mn+3.5 O-2", "spinel (Thackeray et al., Mater. Res. Bull. 18, 461 (1983))"},
        {"LiNi0.5Mn1.5O4", "Li+1 Ni+2 Mn+4 O-2",
         "high-voltage spinel (Zhong et al., J. Electrochem. Soc. 144, 205 (1997))"},
        {"LiCoMnO4", "Li+1 Co+3 Mn+4 O-2", "5 V spinel (Kawai et al., Electrochem. Solid-State Lett. 1, 212 (1998))"},
        {"LiCoO2", "Li+1 Co+3 O-2", "(Mizushima et al., Mater. Res. Bull. 15, 783 (1980))"},
        {"LiFePO4", "Li+1 Fe+2 P+5 O-2", "olivine (Padhi et al., J. Electrochem. Soc. 144, 1188 (1997))"},
        {"LiMnPO4", "Li+1 Mn+2 P+5 O-2", "olivine (Padhi et al. 1997)"},
        {"LiCoPO4", "Li+1 Co+2 P+5 O-2", "olivine (Amine et al., Electrochem. Solid-State Lett. 3, 178 (2000))"},
        {"NaNi0.5Mn0.5O2", "Na+1 Ni+2 Mn+4 O-2", "O3 sodium layered oxide (Komaba et al., ECS Trans. 16, 43 (2009))"},
        {"Na2NiMn2O6", "Na+1 Ni+2 Mn+4 O-2", "P2 (Lu and Dahn, J. Electrochem. Soc. 148, A1225 (2001))"},
        {"Na4Fe3Mn3O12", "Na+1 Fe+3 Mn+3.667 O-2", "P2 (Yabuuchi et al., Nat. Mater. 11, 512 (2012))"},
        {"Fe3O4", "Fe+2.667 O-2", "magnetite"},
        {"Co3O4", "Co+2.667 O-2", "spinel Co3O4"},
    };
    for (const auto& t : cases) {
      CAPTURE(t.formula);
      CAPTURE(t.source);
      const auto guesses = oxidation_state_guesses(parse_formula(t.formula));
      REQUIRE(!guesses.empty());
      CHECK(text(guesses[0]) == t.states);
    }
  }

  TEST_CASE("oxidation_state_guesses: no answer where none balances") {
    // an intermetallic has no negative candidate
    CHECK(oxidation_state_guesses(parse_formula("NiAl")).empty());
    // FeO2 cannot balance with Fe in {2, 3}
    CHECK(oxidation_state_guesses(parse_formula("FeO2")).empty());
  }

  TEST_CASE("oxidation_state_guesses rejects bad options") {
    using valence::chem::oxidation_guess_options;
    const auto c = parse_formula("LiNiO2");
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(valence::chem::composition{}),
                         doctest::Contains("the composition is empty"), invalid_input);
    oxidation_guess_options absent;
    absent.allowed = {{"Co", {2, 3}}};
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(c, absent),
                         doctest::Contains("allowed states are given for Co, which is not in 'LiNiO2'"), invalid_input);
    oxidation_guess_options empty;
    empty.allowed = {{"Ni", {}}};
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(c, empty),
                         doctest::Contains("the allowed states of Ni are empty"), invalid_input);
    oxidation_guess_options twice;
    twice.allowed = {{"Ni", {2}}, {"Ni", {3}}};
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(c, twice),
                         doctest::Contains("allowed states of Ni are given twice"), invalid_input);
    oxidation_guess_options charge;
    charge.total_charge = std::nan("");
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(c, charge), doctest::Contains("'total_charge' is nan"),
                         invalid_input);
    oxidation_guess_options tolerance;
    tolerance.tolerance = 0;
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(c, tolerance), doctest::Contains("'tolerance' is 0"),
                         invalid_input);
    // 8 elements with 8 states each: 8^8 > 1e7 combinations
    oxidation_guess_options wide;
    const auto big = parse_formula("LiNaKMgCaFeNiO");
    for (const char* symbol : {"Li", "Na", "K", "Mg", "Ca", "Fe", "Ni", "O"}) {
      wide.allowed.push_back({symbol, {-3, -2, -1, 1, 2, 3, 4, 5}});
    }
    CHECK_THROWS_WITH_AS((void)oxidation_state_guesses(big, wide),
                         doctest::Contains("combinations; expected at most 1e7"), invalid_input);
  }
}
