// SPDX-License-Identifier: MIT
// Molar masses against hand sums of the IUPAC 2021 values in the table, and the capacities the
// issue names (LiCoO2 273.84, LiFePO4 169.89, LiMn2O4 148.23 mAh/g with F = 96485.33212 C/mol).
#include <valence/chem/capacity.hpp>
#include <valence/chem/composition.hpp>
#include <valence/chem/molar_mass.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

using valence::chem::parse_formula;

TEST_SUITE("chem") {
  TEST_CASE("molar_mass equals the hand sum of IUPAC 2021 weights") {
    // 6.94 + 58.933194 + 2 x 15.999
    VALENCE_CHECK_ULP(97.871194, valence::chem::molar_mass(parse_formula("LiCoO2")), 2);
    // 6.94 + 55.845 + 30.973761998 + 4 x 15.999
    VALENCE_CHECK_ULP(157.754761998, valence::chem::molar_mass(parse_formula("LiFePO4")), 2);
    // 6.94 + 0.6 x 58.6934 + 0.2 x 54.938043 + 0.2 x 58.933194 + 2 x 15.999
    VALENCE_CHECK_ULP(96.9282874, valence::chem::molar_mass(parse_formula("LiNi0.6Mn0.2Co0.2O2")), 4);
    VALENCE_CHECK_REL(0.6 * 58.6934 / 96.9282874,
                      valence::chem::mass_fraction(parse_formula("LiNi0.6Mn0.2Co0.2O2"), "Ni"), 1e-15, 0.0);
    CHECK(valence::chem::mass_fraction(parse_formula("LiCoO2"), "Ni") == 0.0);
  }

  TEST_CASE("theoretical_capacity of classic cathodes") {
    CHECK(std::abs(valence::chem::theoretical_capacity(parse_formula("LiCoO2")) - 273.84) < 0.005);
    CHECK(std::abs(valence::chem::theoretical_capacity(parse_formula("LiFePO4")) - 169.89) < 0.005);
    CHECK(std::abs(valence::chem::theoretical_capacity(parse_formula("LiMn2O4")) - 148.23) < 0.005);
    // a given electron count: half the Li of LiCoO2
    VALENCE_CHECK_REL(273.8444280596438 / 2, valence::chem::theoretical_capacity(parse_formula("LiCoO2"), 0.5), 1e-15,
                      0.0);
    // Na, and a divalent ion
    const auto nvp = parse_formula("Na3V2(PO4)3");
    CHECK(valence::chem::theoretical_capacity(nvp, "Na") > 0);
    VALENCE_CHECK_REL(2 * valence::chem::theoretical_capacity(parse_formula("MgMn2O4"), 1.0),
                      valence::chem::theoretical_capacity(parse_formula("MgMn2O4"), "Mg", 2), 1e-15, 0.0);
  }

  TEST_CASE("electrons_from_capacity inverts theoretical_capacity") {
    const auto nmc = parse_formula("LiNi0.6Mn0.2Co0.2O2");
    const double q = valence::chem::theoretical_capacity(nmc, 0.72);
    VALENCE_CHECK_REL(0.72, valence::chem::electrons_from_capacity(nmc, q), 1e-15, 0.0);
  }

  TEST_CASE("molar_mass and capacity reject impossible requests") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::chem::molar_mass(valence::chem::composition{}),
                         doctest::Contains("the composition is empty"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::molar_mass(parse_formula("TcO2")),
                         doctest::Contains("Tc has no IUPAC standard atomic weight"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::theoretical_capacity(parse_formula("FePO4")),
                         doctest::Contains("'FePO4' holds no Li"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::theoretical_capacity(parse_formula("LiCoO2"), -1.0),
                         doctest::Contains("'electrons' is -1"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::theoretical_capacity(parse_formula("LiCoO2"), "Li", 0),
                         doctest::Contains("'ion_charge' is 0"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::electrons_from_capacity(parse_formula("LiCoO2"), std::nan("")),
                         doctest::Contains("'capacity_mah_per_g' is nan"), invalid_input);
  }
}
