// SPDX-License-Identifier: MIT
// Power-law background: HyperSpy 1.7.3's two-area estimate on exspy's core-loss example
// (../shared/reference/hyperspy_eels_subset.json) and on HyperSpy's own synthetic test case; SciPy
// 1.10.1's Simpson rule for unbinned windows of even length; exact recovery by the log-linear and
// Poisson fits; the honesty of every method's standard errors over Poisson noise; subtraction with
// the propagated error checked by Monte Carlo.
#include <valence/eels/power_law.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <fstream>
#include <random>
#include <string>

namespace {

using valence::vector_d;
using valence::eels::power_law_fit;
using valence::eels::power_law_method;
using valence::eels::power_law_options;

// The counts of an EMSA file of DATATYPE Y (one value per line after the '#' keywords).
vector_d read_msa_counts(const std::string& path) {
  std::ifstream in(path);
  std::vector<double> values;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#' && line.find_first_not_of(" \t\r") != std::string::npos) {
      values.push_back(std::stod(line));
    }
  }
  return Eigen::Map<vector_d>(values.data(), static_cast<Eigen::Index>(values.size()));
}

// HyperSpy's TestPowerLaw axis: 1024 channels from 100 eV in 0.01 eV steps.
vector_d test_axis() {
  return 100.0 + 0.01 * vector_d::LinSpaced(1024, 0, 1023).array();
}

// Counts per channel of A E^-r (binned), with Poisson noise when a generator is given.
vector_d power_law_counts(const vector_d& e, double a, double r, double width, std::mt19937* generator) {
  vector_d c(e.size());
  for (Eigen::Index i = 0; i < e.size(); ++i) {
    const double mean = a * std::pow(e(i), -r) * width;
    c(i) = generator == nullptr ? mean : double(std::poisson_distribution<long>(mean)(*generator));
  }
  return c;
}

}  // namespace

TEST_SUITE("eels") {
  TEST_CASE("power_law_fit reproduces HyperSpy's two-area estimate on exspy's core-loss spectrum") {
    constexpr const char* file = "eels/exspy/examples/coreloss_spectrum.msa";
    VALENCE_REQUIRE_DATA(file);
    const vector_d counts = read_msa_counts((valence_test::data_dir() / file).string());
    REQUIRE(counts.size() == 2048);
    const vector_d energy = 360.0 + 0.2 * vector_d::LinSpaced(2048, 0, 2047).array();  // OFFSET, XPERCHAN
    struct reference {
      double lower, upper, a, r;
    };
    // hyperspy_eels_subset.json: HyperSpy 1.7.3, binned.
    for (const auto& ref : {reference{420.0, 520.0, 520405851799.37634, 2.480024206036959},
                            reference{600.0, 635.0, 1922411084902.3335, 2.6292276839374304}}) {
      CAPTURE(ref.lower);
      const auto f = power_law_fit(energy, counts, {ref.lower, ref.upper});
      CHECK(f.status == valence::eels::power_law_status::ok);
      // measured: 1.3e-13 (A) and 1.6e-16 (r) relative, the rounding of the sums and powers in
      // either program; tolerance 1e-12.
      VALENCE_CHECK_REL(ref.a, f.amplitude, 1e-12, 0.0);
      VALENCE_CHECK_REL(ref.r, f.exponent, 1e-12, 0.0);
      CHECK(f.amplitude_error > 0);
      CHECK(f.exponent_error > 0);
    }
  }

  TEST_CASE("power_law_fit matches HyperSpy's synthetic test case, binned and unbinned (Simpson)") {
    const vector_d e = test_axis();
    // HyperSpy's tests/component/test_powerlaw.py: A = 1000, r = 4, the whole axis: 1008.4913 /
    // 4.001768 (binned) and 1006.4378 / 4.001752 (not binned). Full digits: numpy 1.24 / scipy
    // 1.10.1 re-implementation of the same steps.
    const auto binned = power_law_fit(e, power_law_counts(e, 1000, 4, 0.01, nullptr), {100.0, 110.23});
    VALENCE_CHECK_REL(1008.4913947964046, binned.amplitude, 1e-12, 0.0);
    VALENCE_CHECK_REL(4.001767698880717, binned.exponent, 1e-12, 0.0);
    power_law_options unbinned;
    unbinned.binned = false;
    const vector_d y = 1000 * e.array().pow(-4.0);
    const auto simpson = power_law_fit(e, y, {100.0, 110.23}, unbinned);
    VALENCE_CHECK_REL(1006.4378823242907, simpson.amplitude, 1e-12, 0.0);
    VALENCE_CHECK_REL(4.00175228765139, simpson.exponent, 1e-12, 0.0);
    // Halves of 62 points: SciPy 1.10's even-length Simpson (the average of both end treatments).
    const auto even = power_law_fit(e, y, {100.5, 101.74}, unbinned);
    CHECK(even.channels.begin == 50);
    CHECK(even.channels.size == 124);
    // measured: 1.0e-12 relative for A. The halves are short (62 points) and A amplifies the
    // rounding of the two sums by ~1e4; numpy sums pairwise, Eigen in vector lanes. Tolerance 5e-12.
    VALENCE_CHECK_REL(985.06850389424426, even.amplitude, 5e-12, 0.0);
    VALENCE_CHECK_REL(4.0002208610636494, even.exponent, 1e-12, 0.0);
  }

  TEST_CASE("log-linear and Poisson fits recover an exact power law") {
    const vector_d e = 300.0 + 0.5 * vector_d::LinSpaced(400, 0, 399).array();
    const vector_d c = power_law_counts(e, 3e9, 2.7, 0.5, nullptr);
    for (const auto method : {power_law_method::log_linear, power_law_method::poisson}) {
      power_law_options o;
      o.method = method;
      const auto f = power_law_fit(e, c, {300.0, 450.0}, o);
      CHECK(f.status == valence::eels::power_law_status::ok);
      CHECK(power_law_fit(e, c, {300.0, 450.0}, method).amplitude == f.amplitude);  // the method-only form
      // measured: 3e-14 (A) and 5e-15 (r); tolerance 1e-11.
      VALENCE_CHECK_REL(3e9, f.amplitude, 1e-11, 0.0);
      VALENCE_CHECK_REL(2.7, f.exponent, 1e-11, 0.0);
    }
  }

  TEST_CASE("power-law standard errors describe the scatter over Poisson noise, for every method") {
    const vector_d e = 400.0 + 0.25 * vector_d::LinSpaced(600, 0, 599).array();
    const double a = 2e13;  // about 1e5 counts per channel in the window
    const double r = 2.9;
    std::mt19937 generator(17);
    for (const auto method : {power_law_method::two_area, power_law_method::log_linear, power_law_method::poisson}) {
      power_law_options o;
      o.method = method;
      // The two-area rule is biased: its sums cover channel centres, half a channel below the
      // energies its formula integrates between (HyperSpy's rule, reproduced). Its scatter is
      // therefore measured about its noiseless value (here r + 0.0042, 1.7 of its own sigma, and A + 2.7 %).
      const auto centre = power_law_fit(e, power_law_counts(e, a, r, 0.25, nullptr), {420.0, 540.0}, o);
      if (method != power_law_method::two_area) {
        VALENCE_CHECK_REL(a, centre.amplitude, 1e-11, 0.0);
      }
      const int trials = 300;
      double sum_z_a = 0;
      double sum_z_r = 0;
      double mean_error_r = 0;
      for (int t = 0; t < trials; ++t) {
        const auto f = power_law_fit(e, power_law_counts(e, a, r, 0.25, &generator), {420.0, 540.0}, o);
        REQUIRE(f.status == valence::eels::power_law_status::ok);
        const double da = f.amplitude - centre.amplitude;
        const double dr = f.exponent - centre.exponent;
        sum_z_a += da * da / (f.amplitude_error * f.amplitude_error);
        sum_z_r += dr * dr / (f.exponent_error * f.exponent_error);
        mean_error_r += f.exponent_error / trials;
      }
      CAPTURE(static_cast<int>(method));
      CAPTURE(mean_error_r);
      // The mean squared z-score is 1 when the errors are honest; 300 trials give it a standard
      // deviation of about 0.08, so [0.75, 1.3] fails only for wrong errors.
      CHECK(sum_z_a / trials > 0.75);
      CHECK(sum_z_a / trials < 1.3);
      CHECK(sum_z_r / trials > 0.75);
      CHECK(sum_z_r / trials < 1.3);
    }
  }

  TEST_CASE("subtract_power_law extrapolates under the edge with an honest error") {
    const vector_d e = 400.0 + 0.25 * vector_d::LinSpaced(1200, 0, 1199).array();
    const double a = 2e13;  // about 1e5 counts per channel in the window
    const double r = 2.9;
    std::mt19937 generator(23);
    const Eigen::Index far = 1100;  // 675 eV: 135 eV beyond the window
    const int trials = 300;
    double sum = 0;
    double sum_squares = 0;
    double reported = 0;
    for (int t = 0; t < trials; ++t) {
      const vector_d c = power_law_counts(e, a, r, 0.25, &generator);
      const auto f = power_law_fit(e, c, {420.0, 540.0});
      const auto s = valence::eels::subtract_power_law(e, c, f);
      CHECK(s.signal(far) == doctest::Approx(c(far) - s.background(far)));
      sum += s.background(far);
      sum_squares += s.background(far) * s.background(far);
      reported += s.background_error(far) / trials;
    }
    const double mean = sum / trials;
    const double spread = std::sqrt(sum_squares / trials - mean * mean);
    const double truth = a * std::pow(e(far), -r) * 0.25;
    // The extrapolation is unbiased to well within its scatter, and the reported error matches
    // the scatter (300 trials: the spread is known to about 4 %).
    CHECK(std::abs(mean - truth) < 3 * spread / std::sqrt(double(trials)) + 1e-3 * truth);
    CHECK(reported == doctest::Approx(spread).epsilon(0.15));
  }

  TEST_CASE("power_law_fit reports non-positive counts and rejects bad input") {
    using valence::invalid_input;
    const vector_d e = test_axis();
    vector_d c = power_law_counts(e, 1000, 4, 0.01, nullptr);
    c.segment(100, 50).setConstant(-1.0);
    const auto f = power_law_fit(e, c, {100.5, 102.0});
    CHECK(f.status == valence::eels::power_law_status::non_positive_counts);
    CHECK(std::isnan(f.amplitude));
    CHECK_THROWS_WITH_AS((void)valence::eels::subtract_power_law(e, c, f), doctest::Contains("status not ok"),
                         invalid_input);
    power_law_options o;
    o.method = power_law_method::log_linear;
    vector_d zero = power_law_counts(e, 1000, 4, 0.01, nullptr);
    zero(120) = 0;
    CHECK(power_law_fit(e, zero, {100.5, 102.0}, o).status == valence::eels::power_law_status::non_positive_counts);
    o.method = power_law_method::poisson;  // a zero count is a valid Poisson observation
    CHECK(power_law_fit(e, zero, {100.5, 102.0}, o).status == valence::eels::power_law_status::ok);

    const vector_d good = power_law_counts(e, 1000, 4, 0.01, nullptr);
    CHECK_THROWS_WITH_AS((void)power_law_fit(e, good.head(10), {100.5, 102.0}),
                         doctest::Contains("valence::eels::power_law_fit"), invalid_input);
    CHECK_THROWS_WITH_AS((void)power_law_fit(e, good, {90.0, 102.0}), doctest::Contains("reaches outside the data"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)power_law_fit(e, good, {102.0, 101.0}), doctest::Contains("expected finite bounds"),
                         invalid_input);
    vector_d uneven = e;
    uneven(500) += 0.004;
    CHECK_THROWS_WITH_AS((void)power_law_fit(uneven, good, {100.5, 102.0}),
                         doctest::Contains("'energy' is not uniform at index 500"), invalid_input);
    const vector_d negative = e.array() - 105.0;
    CHECK_THROWS_WITH_AS((void)power_law_fit(negative, good, {-4.0, 1.0}), doctest::Contains("positive energy losses"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)power_law_fit(e, good, {100.5, 100.51}), doctest::Contains("holds 2 points"),
                         invalid_input);
    const auto fitted = power_law_fit(e, good, {100.5, 102.0});
    CHECK_THROWS_WITH_AS((void)valence::eels::subtract_power_law(e, good.head(10), fitted),
                         doctest::Contains("valence::eels::subtract_power_law"), invalid_input);
    vector_d bad = good;
    bad(3) = NAN;
    CHECK_THROWS_WITH_AS((void)valence::eels::subtract_power_law(e, bad, fitted),
                         doctest::Contains("'counts' holds nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)power_law_fit(e, bad, {100.5, 102.0}), doctest::Contains("'counts' holds nan"),
                         invalid_input);
  }
}
