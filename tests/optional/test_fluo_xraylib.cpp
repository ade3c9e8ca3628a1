// SPDX-License-Identifier: MIT
// The xraylib adapter of fluo_correction(): the Ni K edge and Ni K-alpha energies against their
// tabulated values, the coefficients as xraylib's CS_Total_CP gives them at Larch's energies, and
// xraylib's refusals as valence errors.
#include <valence/rixs/fluo_xraylib.hpp>

#include <doctest/doctest.h>

#include <cmath>

TEST_SUITE("rixs") {
  TEST_CASE("fluo_coefficients_from_xraylib: NiO at the Ni K edge") {
    const auto c = valence::rixs::fluo_coefficients_from_xraylib("NiO", "Ni", "K", "Ka", 30, 60);
    // Tabulated: Ni K edge 8332.8 eV (Bearden and Burr; Deslattes et al. 2003); K-alpha1 7478.2
    // and K-alpha2 7460.9 eV, whose 2:1 intensity-weighted mean is 7472.4 eV.
    CHECK(std::abs(c.edge_energy - 8332.8) < 0.5);
    CHECK(std::abs(c.line_energy - 7472.4) < 1.0);
    xrl_error* error = nullptr;
    CHECK(c.options.mu_below == CS_Total_CP("NiO", 8.3228, &error));
    CHECK(c.options.mu_above == CS_Total_CP("NiO", 8.3428, &error));
    CHECK(c.options.mu_fluorescence == CS_Total_CP("NiO", c.line_energy / 1000, &error));
    CHECK(error == nullptr);
    // The edge jump of NiO: Ni's (about 7.5) diluted by oxygen's small, smooth absorption.
    CHECK(c.options.mu_above / c.options.mu_below > 6);
    CHECK(c.options.mu_above / c.options.mu_below < 8);
    CHECK(c.options.angle_in == 30);
    CHECK(c.options.angle_out == 60);
  }

  TEST_CASE("fluo_coefficients_from_xraylib reports what xraylib refuses") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_coefficients_from_xraylib("Xx2O", "Ni"),
                         doctest::Contains("parameter 'formula': xraylib:"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_coefficients_from_xraylib("NiO", "Qq"),
                         doctest::Contains("parameter 'absorber': xraylib:"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_coefficients_from_xraylib("NiO", "Ni", "N7"),
                         doctest::Contains("edge 'N7'"), invalid_input);
  }
}
