// SPDX-License-Identifier: MIT
// Capacities limited by redox or by the mobile ion, Li content and state of charge, and the
// Li/Mn-rich composite notation. Reference numbers are hand sums with the table's IUPAC 2021 weights
// and F = 96485.33212 C/mol (e.g. M(Li1.2Ni0.15Co0.1Mn0.55O2) = 85.23925305 g/mol, n = 1.2 gives
// 377.3118161 mAh/g and n = 0.4 gives 125.7706054 mAh/g, the figures of the reference notes, §4b).
#include <valence/chem/capacity.hpp>
#include <valence/chem/composition.hpp>
#include <valence/chem/layered.hpp>
#include <valence/chem/molar_mass.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <cmath>

using valence::invalid_input;
using valence::chem::parse_formula;

TEST_SUITE("chem") {
  TEST_CASE("redox_limited_capacity: transition-metal redox against the mobile ion") {
    const auto li_rich = parse_formula("Li1.2Ni0.15Co0.1Mn0.55O2");
    // Ni2+ -> 4+, Co3+ -> 4+, Mn4+ inert: n = 0.3 + 0.1 = 0.4 < 1.2, so redox limits.
    const auto tm = valence::chem::redox_limited_capacity(li_rich, {{"Ni", 2}, {"Co", 3}, {"Mn", 4}}, {{"Mn", 4}});
    VALENCE_CHECK_REL(0.4, tm.redox_electrons, 1e-15, 0.0);
    VALENCE_CHECK_REL(1.2, tm.ion_electrons, 1e-15, 0.0);
    CHECK(tm.limited_by_redox);
    VALENCE_CHECK_REL(125.77060537460656, tm.capacity, 1e-14, 0.0);
    // Default ceilings are each element's highest common state (Mn 7, as pymatgen's BatteryAnalyzer):
    // 0.3 + 0.1 + 0.55 x 3 = 2.05 > 1.2, so the Li limits and the all-Li capacity results.
    const auto all = valence::chem::redox_limited_capacity(li_rich, {{"Ni", 2}, {"Co", 3}, {"Mn", 4}});
    VALENCE_CHECK_REL(2.05, all.redox_electrons, 1e-15, 0.0);
    CHECK_FALSE(all.limited_by_redox);
    VALENCE_CHECK_REL(377.31181612381965, all.capacity, 1e-14, 0.0);
    VALENCE_CHECK_REL(valence::chem::theoretical_capacity(li_rich), all.capacity, 1e-15, 0.0);
    // LiFePO4: Fe2+ -> Fe3+ gives exactly its one Li.
    const auto lfp = valence::chem::redox_limited_capacity(parse_formula("LiFePO4"), {{"Fe", 2}});
    CHECK(lfp.electrons == 1.0);
    CHECK(std::abs(lfp.capacity - 169.89) < 0.005);
  }

  TEST_CASE("redox_limited_capacity rejects inconsistent states") {
    const auto nmc = parse_formula("LiNi0.6Mn0.2Co0.2O2");
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {}), doctest::Contains("'present' is empty"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {{"Fe", 2}}),
                         doctest::Contains("a present state is given for Fe, which is not in"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {{"Ni", 2}, {"Ni", 3}}),
                         doctest::Contains("the state of Ni is given twice"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {{"Ni", 2}}, {{"Co", 4}}),
                         doctest::Contains("a ceiling is given for Co, which is not in 'present'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {{"Mn", 4}}, {{"Mn", 3}}),
                         doctest::Contains("the state of Mn is 4, above its ceiling 3"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(nmc, {{"Ni", std::nan("")}}),
                         doctest::Contains("the oxidation state of Ni is nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::redox_limited_capacity(parse_formula("FePO4"), {{"Fe", 2}}),
                         doctest::Contains("'FePO4' holds no Li"), invalid_input);
  }

  TEST_CASE("Li content, capacity and state of charge convert into each other") {
    const auto nmc = parse_formula("LiNi0.6Mn0.2Co0.2O2");
    // x = 1 - 3.6 x 180 x 96.9282874 / 96485.33212 (hand computed)
    VALENCE_CHECK_REL(0.3490250916369029, valence::chem::ion_content_from_capacity(nmc, 180.0), 1e-14, 0.0);
    VALENCE_CHECK_REL(180.0, valence::chem::capacity_from_ion_content(nmc, 0.3490250916369029), 1e-14, 0.0);
    CHECK(valence::chem::capacity_from_ion_content(nmc, 1.0) == 0.0);
    VALENCE_CHECK_REL(valence::chem::theoretical_capacity(nmc), valence::chem::capacity_from_ion_content(nmc, 0.0),
                      1e-15, 0.0);
    CHECK(valence::chem::ion_content_from_capacity(nmc, valence::chem::theoretical_capacity(nmc)) ==
          doctest::Approx(0.0).epsilon(1e-14));
    CHECK(valence::chem::state_of_charge(nmc, 0.5) == 0.5);
    CHECK(valence::chem::state_of_charge(nmc, 0.65, 0.3) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(valence::chem::state_of_charge(nmc, 1.0, 0.3) == 0.0);
  }

  TEST_CASE("Li content and state of charge reject impossible values") {
    const auto nmc = parse_formula("LiNi0.6Mn0.2Co0.2O2");
    CHECK_THROWS_WITH_AS((void)valence::chem::ion_content_from_capacity(nmc, 300.0),
                         doctest::Contains("'capacity_mah_per_g' is 300; expected a value in [0, 276.508"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::ion_content_from_capacity(nmc, -1.0),
                         doctest::Contains("'capacity_mah_per_g' is -1"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::capacity_from_ion_content(nmc, 1.5),
                         doctest::Contains("'ion_content' is 1.5; expected a value in [0, 1]"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::state_of_charge(nmc, 0.5, 1.0),
                         doctest::Contains("'charged_content' is 1; expected a value in [0, 1)"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::state_of_charge(nmc, std::nan("")),
                         doctest::Contains("'ion_content' is nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::state_of_charge(parse_formula("NiO"), 0.5),
                         doctest::Contains("'NiO' holds no Li"), invalid_input);
  }

  TEST_CASE("composite notation x Li2MnO3.(1-x) LiMO2 equals the layered Li(1+y)M(1-y)O2") {
    // y = x / (2 + x): x = 0.5 gives y = 0.2, and back.
    CHECK(valence::chem::layered_excess_from_composite(0.5) == 0.2);
    VALENCE_CHECK_REL(0.5, valence::chem::composite_fraction_from_layered(0.2), 1e-15, 0.0);
    CHECK(valence::chem::layered_excess_from_composite(1.0) == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
    CHECK(valence::chem::layered_excess_from_composite(0.0) == 0.0);

    // 0.5 Li2MnO3 . 0.5 LiNi1/3Co1/3Mn1/3O2 = Li1.2 Ni0.1333 Co0.1333 Mn0.5333 O2 (reference notes, §4b)
    const auto metals = parse_formula("NiCoMn");
    const auto layered = valence::chem::layered_from_composite(0.5, metals);
    CHECK(layered.formula() == "Li1.2Ni0.133333Co0.133333Mn0.533333O2");
    VALENCE_CHECK_REL(0.4 / 3.0, layered.amount("Ni"), 1e-15, 0.0);
    VALENCE_CHECK_REL(1.6 / 3.0, layered.amount("Mn"), 1e-15, 0.0);
    // the same composition from the parser's composite notation, normalised to two oxygens
    const auto parsed =
        parse_formula("0.5Li2MnO3·0.5LiNi0.333333333333333333Co0.333333333333333333Mn0.333333333333333333O2")
            .normalized_to("O", 2);
    for (const char* symbol : {"Li", "Ni", "Co", "Mn", "O"}) {
      CAPTURE(symbol);
      VALENCE_CHECK_REL(layered.amount(symbol), parsed.amount(symbol), 1e-15, 0.0);
    }
  }

  TEST_CASE("composite notation rejects impossible fractions and metals") {
    CHECK_THROWS_WITH_AS((void)valence::chem::layered_excess_from_composite(1.5),
                         doctest::Contains("'x' is 1.5; expected a Li2MnO3 fraction in [0, 1]"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::composite_fraction_from_layered(0.5),
                         doctest::Contains("'y' is 0.5; expected a Li excess in [0, 1/3]"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::layered_from_composite(0.5, parse_formula("LiNiO2")),
                         doctest::Contains("'metals' is 'LiNiO2'; expected the transition metals M"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::layered_from_composite(0.5, valence::chem::composition{}),
                         doctest::Contains("expected the transition metals M"), invalid_input);
  }
}
