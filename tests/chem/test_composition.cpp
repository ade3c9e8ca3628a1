// SPDX-License-Identifier: MIT
// Element look-ups, formula parsing and composition arithmetic; exact expectations written by hand.
#include <valence/chem/composition.hpp>
#include <valence/chem/element.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <cmath>

using valence::chem::parse_formula;

TEST_SUITE("chem") {
  TEST_CASE("periodic_table is complete and indexed by Z") {
    for (std::size_t i = 0; i < valence::chem::periodic_table.size(); ++i) {
      CHECK(valence::chem::periodic_table[i].atomic_number == static_cast<int>(i + 1));
    }
    const auto& mn = valence::chem::element_by_symbol("Mn");
    CHECK(mn.atomic_number == 25);
    CHECK(mn.name == "manganese");
    CHECK(mn.atomic_weight == 54.938043);                                  // IUPAC 2021
    CHECK(valence::chem::element_by_symbol("Li").atomic_weight == 6.94);   // conventional value
    CHECK(valence::chem::element_by_symbol("O").atomic_weight == 15.999);  // conventional value
    CHECK(valence::chem::element_by_number(28).symbol == "Ni");
    CHECK_FALSE(valence::chem::element_by_symbol("Tc").has_atomic_weight());
    CHECK(valence::chem::element_by_symbol("Ni").common_oxidation_states[0] == 2);
  }

  TEST_CASE("element look-ups reject unknown symbols and numbers with a suggestion") {
    CHECK_THROWS_WITH_AS((void)valence::chem::element_by_symbol("NI"),
                         doctest::Contains("'NI', which is not an element; expected a symbol such as 'Ni'"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::element_by_number(119), doctest::Contains("expected 1 to 118"),
                         valence::invalid_input);
  }

  TEST_CASE("parse_formula reads fractional stoichiometry in order of first appearance") {
    const auto c = parse_formula("Li1.2Ni0.15Co0.1Mn0.55O2");
    REQUIRE(c.size() == 5);
    CHECK(c.entries()[0].element_ptr->symbol == "Li");
    CHECK(c.entries()[4].element_ptr->symbol == "O");
    CHECK(c.amount("Li") == 1.2);
    CHECK(c.amount("Ni") == 0.15);
    CHECK(c.amount("Mn") == 0.55);
    CHECK(c.amount("O") == 2.0);
    CHECK(c.amount("Fe") == 0.0);
    CHECK(c.formula() == "Li1.2Ni0.15Co0.1Mn0.55O2");
  }

  TEST_CASE("parse_formula handles nested groups, brackets and repeated elements") {
    const auto c = parse_formula("Ca3(PO4)2");
    CHECK(c.amount("Ca") == 3.0);
    CHECK(c.amount("P") == 2.0);
    CHECK(c.amount("O") == 8.0);
    const auto k = parse_formula("K4[Fe(CN)6]");
    CHECK(k.amount("K") == 4.0);
    CHECK(k.amount("Fe") == 1.0);
    CHECK(k.amount("C") == 6.0);
    CHECK(k.amount("N") == 6.0);
    const auto r = parse_formula("CH3COOH");
    CHECK(r.amount("C") == 2.0);
    CHECK(r.amount("H") == 4.0);
    CHECK(r.amount("O") == 2.0);
    CHECK(r.formula() == "C2H4O2");
  }

  TEST_CASE("parse_formula reads hydrates and composite notation") {
    for (const char* text : {"NiSO4\xC2\xB7"
                             "6H2O",
                             "NiSO4*6H2O", "NiSO4 . 6H2O", " NiSO4 * 6H2O "}) {
      CAPTURE(text);
      const auto c = parse_formula(text);
      CHECK(c.amount("Ni") == 1.0);
      CHECK(c.amount("S") == 1.0);
      CHECK(c.amount("O") == 10.0);
      CHECK(c.amount("H") == 12.0);
    }
    const auto cu = parse_formula("CuSO4.H2O");  // '.' not followed by a digit: a separator
    CHECK(cu.amount("O") == 5.0);
    // 0.5 Li2MnO3 + 0.5 LiNi0.5Mn0.5O2 = Li1.5 Mn0.75 Ni0.25 O2.5
    const auto composite = parse_formula(
        "0.5Li2MnO3\xC2\xB7"
        "0.5LiNi0.5Mn0.5O2");
    CHECK(composite.amount("Li") == 1.5);
    CHECK(composite.amount("Mn") == 0.75);
    CHECK(composite.amount("Ni") == 0.25);
    CHECK(composite.amount("O") == 2.5);
    // per 2 O: Li1.2 Mn0.6 Ni0.2 O2, the layered notation of the same material
    const auto layered = composite.normalized_to("O", 2.0);
    CHECK(std::abs(layered.amount("Li") - 1.2) < 1e-15);
    CHECK(std::abs(layered.amount("Mn") - 0.6) < 1e-15);
    CHECK(std::abs(layered.amount("Ni") - 0.2) < 1e-15);
  }

  TEST_CASE("a '.' between digits is a decimal point") {
    const auto c = parse_formula("NiSO4.6H2O");  // documented: reads as NiS O4.6 H2 O
    CHECK(c.amount("O") == 5.6);
    CHECK(c.amount("H") == 2.0);
  }

  TEST_CASE("composition arithmetic") {
    auto a = parse_formula("LiO");
    const auto b = parse_formula("NiO");
    const auto sum = a + b * 2.0;
    CHECK(sum.formula() == "LiO3Ni2");
    CHECK(sum.total_atoms() == 6.0);
    CHECK(sum.contains("Ni"));
    CHECK_FALSE(sum.contains("Co"));
    CHECK_THROWS_WITH_AS(a *= -1.0, doctest::Contains("'factor' is -1"), valence::invalid_input);
    CHECK_THROWS_WITH_AS(a.add("O", std::nan("")), doctest::Contains("amount of O is nan"), valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)a.normalized_to("Co", 2.0), doctest::Contains("basis element 'Co' has amount 0"),
                         valence::invalid_input);
  }

  TEST_CASE("parse_formula rejects malformed formulas, pointing at the offending character") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)parse_formula(""), doctest::Contains("the formula is empty"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("   "), doctest::Contains("the formula is empty"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("LiXxO2"),
                         doctest::Contains("'Xx' is not an element at position 2 of 'LiXxO2'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("Ca3(PO4"), doctest::Contains("'(' at position 3 is not closed"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("Ca3PO4)2"), doctest::Contains("unmatched ')' at position 6"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("Li()O"), doctest::Contains("empty group"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("Fe3+"), doctest::Contains("charges are not supported"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("li2O"), doctest::Contains("unexpected 'l' at position 0"), invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("NiO*"), doctest::Contains("the formula ends after a coefficient"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)parse_formula("Li2O#"), doctest::Contains("unexpected '#' at position 4"),
                         invalid_input);
  }

  TEST_CASE("reduce finds the smallest whole-number formula and its factor") {
    using valence::chem::reduce;
    const auto hematite = reduce(parse_formula("Fe4O6"));
    CHECK(hematite.reduced.formula() == "Fe2O3");
    CHECK(hematite.factor == 0.5);
    const auto nmc = reduce(parse_formula("LiNi0.6Mn0.2Co0.2O2"));
    CHECK(nmc.reduced.formula() == "Li5Ni3MnCoO10");
    CHECK(nmc.factor == 5.0);
    // x 20, as pymatgen scales it for its site enumeration
    const auto li_rich = reduce(parse_formula("Li1.2Ni0.15Co0.1Mn0.55O2"));
    CHECK(li_rich.reduced.formula() == "Li24Ni3Co2Mn11O40");
    CHECK(li_rich.factor == 20.0);
    CHECK(reduce(parse_formula("Li10000Fe10000P10000O40000")).reduced.formula() == "LiFePO4");
    // thirds are exact fractions, not decimals
    CHECK(reduce(parse_formula("LiNi0.333333333333333333Mn0.333333333333333333Co0.333333333333333333O2"))
              .reduced.formula() == "Li3NiMnCoO6");
    // a tiny dopant needs a larger denominator (pymatgen#1870 concerns this formula)
    CHECK(reduce(parse_formula("Fe0.00009Ni0.99991"), 1000000).reduced.formula() == "Fe9Ni99991");
    VALENCE_CHECK_REL(0.2 / 4.0, parse_formula("LiNi0.6Mn0.2Co0.2O2").atomic_fraction("Co"), 1e-15, 0.0);
    CHECK(parse_formula("LiCoO2").atomic_fraction("Ni") == 0.0);
  }

  TEST_CASE("reduce rejects amounts without a small rational form") {
    using valence::invalid_input;
    using valence::chem::reduce;
    CHECK_THROWS_WITH_AS(
        (void)reduce(parse_formula("Fe0.00009Ni0.99991")),
        doctest::Contains("the amount of Fe is 9.0000000000000006e-05, which no fraction with denominator <= 10000"),
        invalid_input);
    CHECK_THROWS_WITH_AS((void)reduce(parse_formula("Fe0.123456789O")), doctest::Contains("the amount of Fe is"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)reduce(valence::chem::composition{}), doctest::Contains("the composition is empty"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)reduce(parse_formula("FeO"), 0), doctest::Contains("'max_denominator' is 0"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::composition{}.atomic_fraction("Fe"),
                         doctest::Contains("the composition is empty"), invalid_input);
  }
}
