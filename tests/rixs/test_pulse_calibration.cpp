// SPDX-License-Identifier: MIT
// Pulse-height calibration on synthetic TES events: a known nonlinear response E(h) (the gain
// falling with pulse height, as TES gains do), lines at tabulated emission energies, Gaussian
// pulse-height resolution; the fitted curve returns the lines' energies within its stated errors,
// and those errors match the scatter over repeated event sets.
#include <valence/rixs/pulse_calibration.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <random>
#include <vector>

namespace {

namespace calibration_test {

using valence::vector_d;

// The response: E(h) = 0.075 h + 1.5e-7 h^2 eV (the gain, h per eV, falling as h rises, by 2.5 %
// over the lines), so that a quadratic through the origin describes it exactly.
double pulse_height(double energy) {
  const double a = 0.075;
  const double b = 1.5e-7;
  return (-a + std::sqrt(a * a + 4 * b * energy)) / (2 * b);
}

// Tabulated soft-X-ray lines, eV: C Ka, N Ka, O Ka, Fe La, Ni La, Cu La.
const std::vector<double> line_energies{277.0, 392.4, 524.9, 705.0, 851.5, 929.7};

// Events of every line (2000 each, resolution sigma 20 units, about 1.5 eV) and their centroids.
std::vector<valence::rixs::calibration_line> measured_lines(std::mt19937_64& generator) {
  std::normal_distribution<double> noise(0.0, 20.0);
  std::vector<valence::rixs::calibration_line> lines;
  for (const double e : line_energies) {
    const double h = pulse_height(e);
    vector_d events(2000);
    for (Eigen::Index i = 0; i < events.size(); ++i) {
      events(i) = h + noise(generator);
    }
    const auto c = valence::rixs::line_centroid(events, {h - 100, h + 100});
    lines.push_back({c.centroid, c.error, e, 0.0});
  }
  return lines;
}

}  // namespace calibration_test

}  // namespace

TEST_SUITE("rixs") {
  using namespace calibration_test;

  TEST_CASE("fit_pulse_calibration recovers the line energies within its stated errors") {
    std::mt19937_64 generator(17);
    const auto lines = measured_lines(generator);
    const auto c = valence::rixs::fit_pulse_calibration(lines);
    CHECK(c.dof == 4);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      CAPTURE(k);
      const double h = pulse_height(line_energies[k]);
      // At the true pulse height of each line the curve gives its energy within 4 sigma of the
      // curve's own error (0.02 to 0.04 eV here).
      CHECK(std::abs(c.energy(h) - line_energies[k]) < 4 * c.energy_error(h));
      CHECK(c.energy_error(h) < 0.05);
    }
    // The slope is the derivative of energy(): central differences agree.
    const double h = 7000;
    VALENCE_CHECK_REL((c.energy(h + 1) - c.energy(h - 1)) / 2, c.slope(h), 1e-6, 0.0);
    const auto e = c.energies(Eigen::Vector2f(float(pulse_height(524.9)), 100.0f));
    CHECK(std::abs(e(0) - 524.9) < 0.1);
  }

  TEST_CASE("pulse calibration errors describe the scatter over repeated event sets") {
    // 300 event sets: the mean squared z-score of the calibrated energy at the O Ka and Cu La
    // pulse heights, and of the chi-square per degree of freedom.
    std::mt19937_64 generator(29);
    double z2_oxygen = 0;
    double z2_copper = 0;
    double chi = 0;
    const int trials = 300;
    for (int t = 0; t < trials; ++t) {
      const auto c = valence::rixs::fit_pulse_calibration(measured_lines(generator));
      const double ho = pulse_height(524.9);
      const double hc = pulse_height(929.7);
      z2_oxygen += std::pow((c.energy(ho) - 524.9) / c.energy_error(ho), 2) / trials;
      z2_copper += std::pow((c.energy(hc) - 929.7) / c.energy_error(hc), 2) / trials;
      chi += c.chi_square / double(c.dof) / trials;
    }
    CAPTURE(z2_oxygen);
    CAPTURE(z2_copper);
    CAPTURE(chi);
    // measured: 0.91, 1.01 and 1.00; 300 trials estimate each to about +-0.1.
    CHECK(z2_oxygen > 0.75);
    CHECK(z2_oxygen < 1.3);
    CHECK(z2_copper > 0.75);
    CHECK(z2_copper < 1.3);
    CHECK(chi > 0.8);
    CHECK(chi < 1.2);
  }

  TEST_CASE("fit_pulse_calibration rejects too few lines, bad values and curves that turn") {
    using valence::invalid_input;
    using valence::rixs::calibration_line;
    const std::vector<calibration_line> two{{3000, 1, 277.0, 0}, {7000, 1, 524.9, 0}};
    valence::rixs::pulse_calibration_options cubic;
    cubic.degree = 3;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fit_pulse_calibration(two, cubic),
                         doctest::Contains("got 2 lines for 3 coefficients"), invalid_input);
    cubic.degree = 5;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fit_pulse_calibration(two, cubic), doctest::Contains("1 to 4"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::fit_pulse_calibration({{3000, 0, 277.0, 0}, {7000, 1, 524.9, 0}}),
                         doctest::Contains("line 0 has pulse height"), invalid_input);
    // Energies that fall as pulse height rises: the curve cannot be a detector's response.
    const std::vector<calibration_line> turning{
        {1000, 1, 100.0, 0}, {2000, 1, 300.0, 0}, {3000, 1, 250.0, 0}, {4000, 1, 200.0, 0}};
    CHECK_THROWS_WITH_AS((void)valence::rixs::fit_pulse_calibration(turning),
                         doctest::Contains("does not rise at pulse height"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::line_centroid(valence_test::vec({1.0, 5.0}), {0.0, 2.0}),
                         doctest::Contains("holds 1 pulses"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::line_centroid(valence_test::vec({1.0, 5.0}), {2.0, 0.0}),
                         doctest::Contains("lower < upper"), invalid_input);
  }
}
