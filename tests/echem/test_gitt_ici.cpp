// SPDX-License-Identifier: MIT
// The ICI estimate on an exact synthetic slab (synth::synthetic_gitt): long constant-current
// segments (10 L^2/D, past the transient) with short interruptions, a linear open-circuit curve,
// known D and R; with and without the continued-rate correction; flags and bad input.
#include <valence/echem/gitt_ici.hpp>
#include <valence/synth/gitt.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <string>

namespace {

namespace ici_test {

valence::synth::gitt_experiment interrupted_slab() {
  valence::synth::gitt_experiment e;
  e.shape = valence::synth::particle_shape::slab;
  e.size = 1e-4;  // 1 um: L^2/D = 1250 s, so the default 10 s window reaches D t/L^2 = 0.008
  e.diffusivity = 8e-12;
  e.ocv = [](double x) { return 4.0 - 1.0 * x; };  // dE/dx constant: no curvature enters
  e.current = 1e-5;
  e.resistance = 20;
  e.pulse = 10000;  // 8 L^2/D: the profile only rises with the bulk when the current stops
  e.rest = 30;
  e.initial_rest = 10;
  e.steps = 3;
  e.interval = 0.25;
  return e;
}

}  // namespace ici_test

}  // namespace

TEST_SUITE("echem") {
  TEST_CASE("ici recovers D and R from interruptions of a long current on a synthetic slab") {
    const auto e = ici_test::interrupted_slab();
    const auto record = valence::synth::synthetic_gitt(e);
    const double length = e.size;
    namespace gitt = valence::echem::gitt;
    const auto results = gitt::ici(record.time, record.voltage, record.current, length);
    REQUIRE(results.size() == 3);
    for (const auto& r : results) {
      CAPTURE(r.step.pulse_begin);
      CHECK(r.flags == gitt::step_flag::none);
      // measured: 2.8e-12 and 5e-14 relative. The sealed slab's short-time response is exactly
      // the semi-infinite one while D t/L^2 is this small, and the OCV is linear, so the method
      // is exact here; the tolerance allows for rounding only.
      CHECK(std::abs(r.diffusivity / e.diffusivity - 1) < 1e-9);
      CHECK(std::abs(r.resistance / e.resistance - 1) < 1e-9);
      CHECK(r.ratio == doctest::Approx(0.008).epsilon(1e-9));
      CHECK(r.r_squared > 0.9999);
      CHECK(r.voltage_rate > 0);  // charging: the voltage rises
      CHECK(r.sqrt_slope < 0);
    }
    // Without the continued rate the relaxation's slope is too shallow and D comes out high.
    gitt::ici_options plain;
    plain.subtract_rate = false;
    const auto biased = gitt::ici(record.time, record.voltage, record.current, length, plain);
    for (const auto& r : biased) {
      // measured: 1.256 (the slope's bias, sqrt(pi D t / 4 L^2) at the window's end, is ~8 %).
      CHECK(r.diffusivity / e.diffusivity == doctest::Approx(1.256).epsilon(0.01));
    }
    // Too wide a window is flagged: D t/L^2 = 0.024 > 0.01.
    gitt::ici_options wide;
    wide.fit_to = 30;
    for (const auto& r : gitt::ici(record.time, record.voltage, record.current, length, wide)) {
      CHECK(gitt::has(r.flags, gitt::step_flag::ratio_too_large));
    }
  }

  TEST_CASE("ici flags interruptions it cannot use and rejects bad options") {
    namespace gitt = valence::echem::gitt;
    using valence::invalid_input;
    // 1 s sampling, current on for 30 samples, off for 3: fewer than 3 samples in 1..10 s.
    const Eigen::Index n = 70;
    const valence::vector_d t = valence::vector_d::LinSpaced(n, 0.0, double(n - 1));
    valence::vector_d i = valence::vector_d::Zero(n);
    i.segment(2, 30).setConstant(1e-4);
    i.segment(35, 35).setConstant(1e-4);  // the record ends under current
    const valence::vector_d v = 3.7 + 1e-4 * t.array();
    const auto results = gitt::ici(t, v, i, 1e-4);
    REQUIRE(results.size() == 2);
    CHECK(gitt::has(results[0].flags, gitt::step_flag::too_few_points));
    CHECK(std::isnan(results[0].diffusivity));
    CHECK(gitt::has(results[1].flags, gitt::step_flag::no_relaxation));
    CHECK(gitt::has(results[1].flags, gitt::step_flag::incomplete));

    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 0.0), doctest::Contains("parameter 'length' is 0"), invalid_input);
    gitt::ici_options o;
    o.fit_from = -1;
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 1e-4, o), doctest::Contains("option 'fit_from' is -1"),
                         invalid_input);
    o = {};
    o.fit_to = 0.5;
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 1e-4, o), doctest::Contains("option 'fit_to' is 0.5"), invalid_input);
    o = {};
    o.rate_window = 0;
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 1e-4, o), doctest::Contains("option 'rate_window' is 0"),
                         invalid_input);
    o = {};
    o.min_r_squared = 1.5;
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 1e-4, o), doctest::Contains("option 'min_r_squared' is 1.5"),
                         invalid_input);
    o = {};
    o.max_ratio = 0;
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, i, 1e-4, o), doctest::Contains("option 'max_ratio' is 0"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)gitt::ici(t, v, valence::vector_d::Zero(n), 1e-4),
                         doctest::Contains("valence::echem::gitt::segment"), invalid_input);
  }
}
