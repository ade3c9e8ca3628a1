// SPDX-License-Identifier: MIT
// FLUO self-absorption correction: alpha by hand for a stated composition and geometry, the
// correction's formula applied by hand at every point, and the round trip through the thick-sample
// yield m = x (alpha + 1)/(alpha + x), which it inverts.
#include <valence/rixs/fluo_correction.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>

namespace {

namespace fluo_test {

using valence::vector_d;

// The absorber's normalised absorption: a Gaussian-broadened step at 8345 eV (sigma 1 eV) and a
// white line of height `white_line` (sigma 3 eV) 4 eV above it; 0 before and 1 long after the edge.
double absorption(double e, double white_line) {
  const double t = (e - 8345.0) / 1.0;
  const double u = (e - 8349.0) / 3.0;
  return 0.5 * (1 + std::erf(t / std::sqrt(2.0))) + white_line * std::exp(-0.5 * u * u);
}

// The thick-sample yield of that absorption with self-absorption alpha: m = x (alpha + 1)/(alpha + x).
double yield(double x, double alpha) {
  return x * (alpha + 1) / (alpha + x);
}

vector_d energies() {
  return 8200.0 + 0.5 * vector_d::LinSpaced(901, 0, 900).array();  // 8200 ... 8650 eV, 0.5 eV steps
}

}  // namespace fluo_test

}  // namespace

TEST_SUITE("rixs") {
  using namespace fluo_test;

  TEST_CASE("fluo_correction computes alpha and the corrected spectrum as the formula says") {
    // A stated sample: mu/rho (cm^2/g) of the whole formula 60 at the fluorescence line, 40 below
    // and 290 above the edge; incident 30 degrees, exit 60 degrees from the surface.
    // By hand: g = sin 30 / sin 60 = 0.5 / 0.8660254 = 0.5773503;
    // alpha = (60 * 0.5773503 + 40) / (290 - 40) = 74.641016 / 250 = 0.29856406.
    const vector_d e = energies();
    vector_d mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) = 0.3 + 2.0 * absorption(e(i), 0.2);  // an offset and a step of 2
    }
    valence::rixs::fluo_options o;
    o.mu_fluorescence = 60;
    o.mu_below = 40;
    o.mu_above = 290;
    o.angle_in = 30;
    o.angle_out = 60;
    o.pre_edge.e0 = 8345.0;
    const auto r = valence::rixs::fluo_correction(e, mu, o);
    VALENCE_CHECK_REL(0.29856406, r.alpha, 1e-7, 0.0);
    for (Eigen::Index i = 0; i < e.size(); i += 25) {
      CAPTURE(i);
      VALENCE_CHECK_REL(mu(i) * r.alpha / (r.alpha + 1 - r.measured_norm(i)), r.mu(i), 1e-15, 0.0);
    }
    CHECK(r.e0 == 8345.0);
  }

  TEST_CASE("fluo_correction inverts thick-sample self-absorption") {
    // The measured yield m = x (alpha + 1)/(alpha + x) of the true normalised absorption x; the
    // corrected, renormalised spectrum returns x. alpha = 0.3 (mu_f = 40, below 50, above 350 at
    // 45 degrees: (40 + 50)/300).
    const vector_d e = energies();
    vector_d measured(e.size());
    vector_d truth(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      truth(i) = absorption(e(i), 1.2);
      measured(i) = 5.0 * yield(truth(i), 0.3);  // in counts: any scale
    }
    valence::rixs::fluo_options o;
    o.mu_fluorescence = 40;
    o.mu_below = 50;
    o.mu_above = 350;
    o.pre_edge.e0 = 8345.0;
    const auto r = valence::rixs::fluo_correction(e, measured, o);
    VALENCE_CHECK_REL(0.3, r.alpha, 1e-14, 0.0);
    // The damped white line: measured peak 1.14 against the true 2.1.
    CHECK(r.measured_norm.maxCoeff() < 1.2);
    CHECK(truth.maxCoeff() > 2.0);
    // measured: 3.6e-15 (both normalisations see exact zeros before and ones long after the
    // edge); tolerance 1e-10.
    CHECK((r.norm - truth).cwiseAbs().maxCoeff() < 1e-10);
  }

  TEST_CASE("fluo_correction rejects coefficients, angles and spectra it cannot correct") {
    using valence::invalid_input;
    const vector_d e = energies();
    vector_d mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) = absorption(e(i), 1.2);
    }
    valence::rixs::fluo_options o;
    o.mu_fluorescence = 40;
    o.mu_below = 50;
    o.mu_above = 350;
    o.pre_edge.e0 = 8345.0;
    auto bad = o;
    bad.mu_fluorescence = 0;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_correction(e, mu, bad), doctest::Contains("'mu_fluorescence'"),
                         invalid_input);
    bad = o;
    bad.mu_above = 50;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_correction(e, mu, bad), doctest::Contains("rise across the edge"),
                         invalid_input);
    bad = o;
    bad.angle_out = 0;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_correction(e, mu, bad), doctest::Contains("'angle_out'"),
                         invalid_input);
    // A white line of 2.2 edge steps with alpha = 0.1 (denominator 1.1 - 2.2 < 0): diverges.
    bad = o;
    bad.mu_fluorescence = 1;
    bad.mu_below = 29;
    bad.mu_above = 329;
    CHECK_THROWS_WITH_AS((void)valence::rixs::fluo_correction(e, mu, bad), doctest::Contains("correction diverges"),
                         invalid_input);
    CHECK_THROWS_AS((void)valence::rixs::fluo_correction(e.head(10), mu.head(10), o), invalid_input);
  }
}
