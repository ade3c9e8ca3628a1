// SPDX-License-Identifier: MIT
// Yields and cuts of an analytic map (synth::rixs_expected_counts: every cell the exact integral
// of its Gaussian components over the bin), against the same integrals taken over the windows'
// outer edges; errors as the square roots of summed variances; bad windows and energies.
#include <valence/rixs/cuts.hpp>
#include <valence/rixs/yields.hpp>
#include <valence/synth/rixs.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>

namespace {

namespace yields_test {

using valence::matrix_d;
using valence::vector_d;

double share(double low, double high, double centre, double sigma) {
  return 0.5 *
         (std::erf((high - centre) / (sigma * std::sqrt(2.0))) - std::erf((low - centre) / (sigma * std::sqrt(2.0))));
}

struct fixture {
  valence::synth::rixs_scene scene;
  vector_d excitation = 526.0 + 0.5 * vector_d::LinSpaced(25, 0, 24).array();  // 526 ... 538
  vector_d edges = 515.0 + 0.1 * vector_d::LinSpaced(251, 0, 250).array();     // 515 ... 540
  valence::rixs::rixs_map map;
  fixture() {
    scene.features.push_back({531.0, 523.7, 0.4, 0.3, 50.0});
    scene.alpha = 2.0;
    const matrix_d counts = valence::synth::rixs_expected_counts(scene, excitation, edges, 10.0);
    const vector_d centres = 0.5 * (edges.head(250) + edges.tail(250));
    map = valence::rixs::map_from_counts(excitation, centres, counts);
  }
};

}  // namespace yields_test

}  // namespace

TEST_SUITE("rixs") {
  using namespace yields_test;

  TEST_CASE("pfy, spfy, tfy and ipfy of an analytic map equal its integrals over the windows") {
    const fixture f;
    // The window 523.0-527.0 eV selects the channels centred from 523.05 to 526.95: their outer
    // edges are 523.0 and 527.0, so the yield is each component's integral over [523, 527].
    const auto p = valence::rixs::pfy(f.map, {523.0, 527.0});
    REQUIRE(p.value.size() == f.excitation.size());
    for (Eigen::Index r = 0; r < f.excitation.size(); ++r) {
      CAPTURE(r);
      const double e = f.excitation(r);
      const double t = (e - 531.0) / 0.4;
      const double expected =
          10.0 * (f.scene.elastic_rate * share(523, 527, e, f.scene.elastic_width) +
                  50.0 * std::exp(-0.5 * t * t) * share(523, 527, 523.7, 0.3) +
                  f.scene.fluorescence_rate * f.scene.fluorescence_yield(e) * share(523, 527, 525.0, 1.0));
      // measured: 4e-15 relative (rounding of the 40 summed cells); tolerance 1e-12.
      VALENCE_CHECK_REL(expected, p.value(r), 1e-12, 0.0);
      VALENCE_CHECK_REL(std::sqrt(expected), p.error(r), 1e-12, 0.0);  // variance = counts
    }
    // sPFY at the oxygen feature: 530-532 eV excitation, 523.5-524.0 eV emission.
    const auto s = valence::rixs::spfy(f.map, {530.0, 532.0}, {523.42, 524.08});  // channels 523.4-524.1
    REQUIRE(s.value.size() == 5);                                                 // 530, 530.5, 531, 531.5, 532
    CHECK(s.energy(2) == 531.0);
    const double peak =
        10.0 * (50.0 * share(523.4, 524.1, 523.7, 0.3) +
                f.scene.fluorescence_rate * f.scene.fluorescence_yield(531.0) * share(523.4, 524.1, 525.0, 1.0) +
                f.scene.elastic_rate * share(523.4, 524.1, 531.0, 0.25));
    VALENCE_CHECK_REL(peak, s.value(2), 1e-12, 0.0);
    VALENCE_CHECK_REL(std::sqrt(s.value.sum()), s.sum_error(), 1e-12, 0.0);
    // TFY: everything within the emission axis; without the elastic line, its +-1.5 eV removed.
    const auto total = valence::rixs::tfy(f.map);
    const auto inelastic = valence::rixs::tfy(f.map, 3.0);
    for (Eigen::Index r = 0; r < f.excitation.size(); ++r) {
      CAPTURE(r);
      VALENCE_CHECK_REL(f.map.intensity.row(r).sum(), total.value(r), 1e-14, 0.0);
      double kept = 0;
      for (Eigen::Index c = 0; c < f.map.emission.size(); ++c) {
        kept += std::abs(f.map.emission(c) - f.excitation(r)) > 1.5 ? f.map.intensity(r, c) : 0.0;
      }
      VALENCE_CHECK_REL(kept, inelastic.value(r), 1e-14, 0.0);
      CHECK(inelastic.value(r) < total.value(r));
    }
    // iPFY: the reciprocal of the PFY, error sigma / PFY^2.
    const auto i = valence::rixs::ipfy(f.map, {523.0, 527.0});
    VALENCE_CHECK_REL(1 / p.value(3), i.value(3), 1e-15, 0.0);
    VALENCE_CHECK_REL(p.error(3) / (p.value(3) * p.value(3)), i.error(3), 1e-15, 0.0);
  }

  TEST_CASE("cuts take the nearest line, the mean over a band, or interpolate") {
    const fixture f;
    const auto nearest = valence::rixs::emission_cut(f.map, 531.2);  // nearest row: 531
    CHECK(nearest.value == f.map.intensity.row(10).transpose());
    CHECK(nearest.energy == f.map.emission);
    const auto band = valence::rixs::emission_cut(f.map, 531.0, 1.0);  // rows 530.5, 531, 531.5
    const vector_d mean = f.map.intensity.middleRows(9, 3).colwise().mean().transpose();
    VALENCE_CHECK_REL(mean(80), band.value(80), 1e-15, 0.0);
    VALENCE_CHECK_REL(std::sqrt(f.map.variance.middleRows(9, 3).col(80).sum() / 9), band.error(80), 1e-15, 0.0);
    const auto interpolated = valence::rixs::emission_cut(f.map, 531.2, 0.0, valence::rixs::cut_mode::interpolate);
    // measured: 4e-14, the rounding of the fraction (531.2 - 531)/0.5; tolerance 1e-13.
    VALENCE_CHECK_REL(0.6 * f.map.intensity(10, 87) + 0.4 * f.map.intensity(11, 87), interpolated.value(87), 1e-13,
                      0.0);
    VALENCE_CHECK_REL(std::sqrt(0.36 * f.map.variance(10, 87) + 0.16 * f.map.variance(11, 87)), interpolated.error(87),
                      1e-13, 0.0);
    const auto column = valence::rixs::excitation_cut(f.map, 523.72);  // nearest channel 523.75
    CHECK(column.value == f.map.intensity.col(87));
    CHECK(column.energy == f.excitation);
    // Constant transfer 0 follows the elastic line: each row read at its own excitation energy.
    const auto elastic = valence::rixs::transfer_cut(f.map, 0.0);
    REQUIRE(elastic.value.size() == f.excitation.size());
    for (Eigen::Index r = 0; r < f.excitation.size(); ++r) {
      // The row's channels straddle E: linear interpolation between the two around it.
      const double e = f.excitation(r);
      const Eigen::Index c = valence::core::index_of(f.map.emission, e);
      const double w = (e - f.map.emission(c)) / (f.map.emission(c + 1) - f.map.emission(c));
      VALENCE_CHECK_REL((1 - w) * f.map.intensity(r, c) + w * f.map.intensity(r, c + 1), elastic.value(r), 1e-13, 0.0);
    }
    // Only rows from 535.5 eV reach the first channel (515.05 eV) at a transfer of 20 eV.
    const auto beyond = valence::rixs::transfer_cut(f.map, 20.0);
    CHECK(beyond.energy(0) == 535.5);
  }

  TEST_CASE("yields and cuts reject windows and energies outside the map") {
    const fixture f;
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::rixs::pfy(f.map, {510.0, 520.0}), doctest::Contains("reaches beyond"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::pfy(f.map, {524.0, 523.0}), doctest::Contains("lower <= upper"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::pfy(f.map, {523.01, 523.02}), doctest::Contains("holds 0 points"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::spfy(f.map, {520.0, 532.0}, {523.0, 524.0}),
                         doctest::Contains("'excitation_window'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::tfy(f.map, -1.0), doctest::Contains("'elastic_width'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::emission_cut(f.map, 540.0), doctest::Contains("outside the excitation"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::emission_cut(f.map, 531.0, 1.0, valence::rixs::cut_mode::interpolate),
                         doctest::Contains("use cut_mode::nearest"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::excitation_cut(f.map, 523.0, -0.1), doctest::Contains("'band'"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::transfer_cut(f.map, 40.0), doctest::Contains("no row of the map"),
                         invalid_input);
    auto zero = f.map;
    zero.intensity.row(0).setZero();
    CHECK_THROWS_WITH_AS((void)valence::rixs::ipfy(zero, {523.0, 527.0}), doctest::Contains("at 526 eV excitation"),
                         invalid_input);
    const auto transfer = valence::rixs::to_energy_transfer(f.map, vector_d::LinSpaced(41, -2, 18));
    CHECK_THROWS_WITH_AS((void)valence::rixs::pfy(transfer, {1.0, 2.0}), doctest::Contains("on energy transfer"),
                         invalid_input);
  }
}
