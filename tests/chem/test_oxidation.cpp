// SPDX-License-Identifier: MIT
// Charge neutrality: integer cases known by hand, the NMC622 study's electron ledger, and error
// propagation of an average state from fraction covariances (exact arithmetic).
#include <valence/chem/composition.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/core/propagation.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

using valence::chem::parse_formula;
using valence::chem::solve_oxidation_state;

TEST_SUITE("chem") {
  TEST_CASE("solve_oxidation_state on known integer and fractional cases") {
    VALENCE_CHECK_ULP(8.0 / 3.0, solve_oxidation_state(parse_formula("Fe3O4"), "Fe", {{"O", -2}}), 1);
    CHECK(solve_oxidation_state(parse_formula("LiMn2O4"), "Mn", {{"Li", 1}, {"O", -2}}) == 3.5);
    CHECK(solve_oxidation_state(parse_formula("LiFePO4"), "Fe", {{"Li", 1}, {"P", 5}, {"O", -2}}) == 2.0);
    // (4 - 1.2 - 0.3 - 0.3) / 0.55 = 4
    VALENCE_CHECK_REL(4.0,
                      solve_oxidation_state(parse_formula("Li1.2Ni0.15Co0.1Mn0.55O2"), "Mn",
                                            {{"Li", 1}, {"Ni", 2}, {"Co", 3}, {"O", -2}}),
                      4e-16, 1.0);
    // a charged unit: sulfate S in SO4 2-
    CHECK(solve_oxidation_state(parse_formula("SO4"), "S", {{"O", -2}}, -2.0) == 6.0);
  }

  TEST_CASE("solve_oxidation_state rejects incomplete or inconsistent states") {
    using valence::invalid_input;
    const auto c = parse_formula("LiNiO2");
    CHECK_THROWS_WITH_AS((void)solve_oxidation_state(c, "Co", {{"Li", 1}, {"O", -2}}),
                         doctest::Contains("element 'Co' is not in 'LiNiO2'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)solve_oxidation_state(c, "Ni", {{"O", -2}}),
                         doctest::Contains("no oxidation state is given for Li"), invalid_input);
    CHECK_THROWS_WITH_AS((void)solve_oxidation_state(c, "Ni", {{"Li", 1}, {"O", -2}, {"Mn", 4}}),
                         doctest::Contains("a state is given for Mn, which is not in 'LiNiO2'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)solve_oxidation_state(c, "Ni", {{"Li", 1}, {"Li", 1}, {"O", -2}}),
                         doctest::Contains("the state of Li is given twice"), invalid_input);
    CHECK_THROWS_WITH_AS((void)solve_oxidation_state(c, "Ni", {{"Li", std::nan("")}, {"O", -2}}),
                         doctest::Contains("the oxidation state of Li is nan"), invalid_input);
  }

  TEST_CASE("balance_electrons reproduces the NMC622 surface charge-balance argument") {
    // Conventional NMC622 surface: Mn 0.2 (4+ -> 2+) gains 0.4 e; Ni 0.6 (2+ -> 3+) loses 0.6 e.
    const auto conventional = parse_formula("LiNi0.6Mn0.2Co0.2O2");
    const auto a = valence::chem::balance_electrons(conventional, {{"Mn", 4, 2}, {"Ni", 2, 3}});
    VALENCE_CHECK_REL(0.4, a.gained, 1e-15, 1.0);
    VALENCE_CHECK_REL(0.6, a.lost, 1e-15, 1.0);
    VALENCE_CHECK_REL(-0.2, a.net, 1e-15, 1.0);
    // net < 0: Ni must be reduced to keep neutrality (the study's conclusion for conventional NMC622)
    CHECK(valence::chem::compensating_state_change(conventional, a, "Ni") < 0);
    // Concentration-gradient surface: Mn 0.4 gains 0.8 e; Ni 0.4 loses 0.4 e.
    const auto gradient = parse_formula("LiNi0.4Mn0.4Co0.2O2");
    const auto b = valence::chem::balance_electrons(gradient, {{"Mn", 4, 2}, {"Ni", 2, 3}});
    VALENCE_CHECK_REL(0.8, b.gained, 1e-15, 1.0);
    VALENCE_CHECK_REL(0.4, b.lost, 1e-15, 1.0);
    REQUIRE(b.electrons.size() == 2);
    VALENCE_CHECK_REL(0.8, b.electrons[0], 1e-15, 1.0);
    VALENCE_CHECK_REL(-0.4, b.electrons[1], 1e-15, 1.0);
    // net > 0: Ni must be oxidised, by 0.4 / 0.4 = 1 on average
    VALENCE_CHECK_REL(1.0, valence::chem::compensating_state_change(gradient, b, "Ni"), 1e-15, 1.0);
    const auto half = valence::chem::balance_electrons(gradient, {{"Mn", 4, 2, 0.5}});
    VALENCE_CHECK_REL(0.4, half.gained, 1e-15, 1.0);
  }

  TEST_CASE("balance_electrons rejects changes the composition cannot make") {
    using valence::invalid_input;
    const auto c = parse_formula("LiNiO2");
    CHECK_THROWS_WITH_AS((void)valence::chem::balance_electrons(c, {{"Mn", 4, 2}}),
                         doctest::Contains("names Mn, which is not in 'LiNiO2'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::balance_electrons(c, {{"Ni", 2, 3, 1.5}}),
                         doctest::Contains("expected a value in [0, 1]"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::balance_electrons(c, {{"Ni", std::nan(""), 3}}),
                         doctest::Contains("non-finite state"), invalid_input);
    const auto ledger = valence::chem::balance_electrons(c, {{"Ni", 3, 2}});
    CHECK_THROWS_WITH_AS((void)valence::chem::compensating_state_change(c, ledger, "O2"),
                         doctest::Contains("not an element"), valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::chem::compensating_state_change(c, ledger, "Co"),
                         doctest::Contains("element 'Co' is not in 'LiNiO2'"), invalid_input);
  }

  TEST_CASE("average_oxidation_state propagates the fraction covariance") {
    // Ni2+ 0.3, Ni3+ 0.7 with sum-to-one covariance [[v, -v], [-v, v]]: mean 2.7, sigma sqrt(v).
    const Eigen::Vector2d states(2.0, 3.0);
    const Eigen::Vector2d fractions(0.3, 0.7);
    const double v = 0.0004;
    Eigen::Matrix2d cov;
    cov << v, -v, -v, v;
    const auto r = valence::chem::average_oxidation_state(states, fractions, cov);
    VALENCE_CHECK_REL(2.7, r.value, 1e-15, 1.0);
    VALENCE_CHECK_REL(0.02, r.standard_error, 1e-14, 0.0);
    // Unnormalised weights 0.6 / 1.4 describe the same mixture: same mean.
    const auto s = valence::core::weighted_mean_of_known_values(states, Eigen::Vector2d(0.6, 1.4),
                                                                Eigen::Matrix2d(Eigen::Matrix2d::Zero()));
    VALENCE_CHECK_REL(2.7, s.value, 1e-15, 1.0);
    CHECK(s.standard_error == 0.0);
    CHECK_THROWS_WITH_AS((void)valence::core::weighted_mean_of_known_values(states, Eigen::Vector2d(1.0, -1.0), cov),
                         doctest::Contains("the fractions sum to 0"), valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::weighted_mean_of_known_values(states, fractions, Eigen::Matrix3d()),
                         doctest::Contains("'covariance' is 3 x 3; expected 2 x 2"), valence::invalid_input);
  }
}
