// SPDX-License-Identifier: MIT
// valence::echem::gitt::analyze on synthetic slab records (valence::synth::synthetic_gitt with a
// known D, ohmic R and Li content), its flags, the real EC-Lab record gcpl.issue_149.mpt (pulses
// without rests: every step flagged, none silently computed), and its documented errors.
#include <valence/echem/gitt_analyze.hpp>
#include <valence/synth/gitt.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/cycler_stamps.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <cmath>

namespace gitt = valence::echem::gitt;
using gitt::has;
using gitt::step_flag;

namespace {

// A slab of L = 1 um, D = 1e-11 cm^2/s (L^2/D = 1000 s), 1 s pulses (tau D / L^2 = 1e-3), 2000 s
// rests (the slowest mode decays by exp(-2 pi^2)), sampled every 20 ms.
valence::synth::gitt_experiment slab_experiment() {
  valence::synth::gitt_experiment e;
  e.shape = valence::synth::particle_shape::slab;
  e.size = 1e-4;
  e.diffusivity = 1e-11;
  e.current = 1e-5;  // keeps the surface excursion near 1e-5 in x: the OCV is linear over it
  e.resistance = 20;
  e.pulse = 1;
  e.rest = 2000;
  e.initial_rest = 10;
  e.steps = 4;
  e.interval = 0.02;
  return e;
}

gitt::electrode electrode_of(const valence::synth::gitt_experiment& e) {
  return {e.mass, e.molar_mass, e.molar_volume, e.area()};
}

}  // namespace

TEST_CASE("analyze recovers D, the Li content and R from a synthetic slab record") {
  const auto e = slab_experiment();
  const auto record = valence::synth::synthetic_gitt(e);
  gitt::analyze_options options;
  options.initial_content = e.initial_content;
  const auto steps = gitt::analyze(record.time, record.voltage, record.current, electrode_of(e), options);
  REQUIRE(steps.size() == 4);
  for (const auto& s : steps) {
    CAPTURE(s.step.pulse_begin);
    CHECK(s.flags == step_flag::none);
    // Measured: +0.097 % by both equations (the slab at tau D / L^2 = 1e-3, as in test_gitt.cpp).
    CHECK(std::abs(s.diffusivity_slope / e.diffusivity - 1) < 0.002);
    CHECK(std::abs(s.diffusivity / e.diffusivity - 1) < 0.002);
    CHECK(s.ratio == doctest::Approx(1e-3).epsilon(0.002));
    // Exact: charge balance with the simulation's own bookkeeping.
    VALENCE_CHECK_REL(record.mean_content(s.step.rest_end - 1), s.content, 1e-12, 0.0);
    CHECK(s.charge == doctest::Approx(e.current * e.pulse).epsilon(1e-12));
    // Exact: the sample at a switch is taken after it but before any diffusion (measured 2e-12).
    CHECK(s.resistance == doctest::Approx(e.resistance).epsilon(1e-9));
    // The last pulse sample is 20 ms before the switch off: measured 0.38 % of diffusion in it.
    CHECK(s.ir_drop_end == doctest::Approx(e.current * e.resistance).epsilon(0.01));
    CHECK(s.r_squared > 0.9999);
    CHECK(std::abs(s.relaxation_rate) < options.settled_rate);
  }
}

TEST_CASE("analyze gives the same steps when the cycler repeats the time stamp at every switch") {
  const auto e = slab_experiment();
  const auto record = valence::synth::synthetic_gitt(e);
  gitt::analyze_options options;
  options.initial_content = e.initial_content;
  const auto plain = gitt::analyze(record.time, record.voltage, record.current, electrode_of(e), options);
  const auto stamped = valence_test::with_repeated_stamps(record.time, record.voltage, record.current, e.resistance);
  const auto steps = gitt::analyze(stamped.time, stamped.voltage, stamped.current, electrode_of(e), options);
  REQUIRE(steps.size() == plain.size());
  for (std::size_t k = 0; k < steps.size(); ++k) {
    CAPTURE(k);
    const auto& s = steps[k];
    CHECK(s.flags == step_flag::none);
    // Exact: the charge counts the same pulse duration.
    CHECK(s.charge == plain[k].charge);
    CHECK(s.content == plain[k].content);
    // The IR drops now compare the two samples at each switch's time stamp: the ohmic jump alone
    // (measured below 1e-12), where the plain record's end drop includes 20 ms of diffusion.
    CHECK(s.resistance == doctest::Approx(e.resistance).epsilon(1e-10));
    CHECK(s.ir_drop_end == doctest::Approx(e.current * e.resistance).epsilon(1e-10));
    // The pulse's repeated last sample, at the switch, joins the sqrt(t) fit: measured 7.4e-6 in D.
    CHECK(std::abs(s.diffusivity / plain[k].diffusivity - 1) < 2e-5);
    CHECK(std::abs(s.diffusivity / e.diffusivity - 1) < 0.002);
  }
}

TEST_CASE("analyze flags unsettled relaxations, large ratios and sign mismatches") {
  auto e = slab_experiment();
  e.rest = 50;       // 0.05 L^2/D: far from relaxed ...
  e.current = 1e-3;  // ... and a drift well above 1 mV/h at its end
  auto record = valence::synth::synthetic_gitt(e);
  gitt::analyze_options options;
  options.initial_content = e.initial_content;
  options.max_ratio = 5e-4;
  auto steps = gitt::analyze(record.time, record.voltage, record.current, electrode_of(e), options);
  REQUIRE(steps.size() == 4);
  for (const auto& s : steps) {
    CHECK(has(s.flags, step_flag::not_settled));
    CHECK(has(s.flags, step_flag::ratio_too_large));
    CHECK(std::isfinite(s.diffusivity));  // flagged, still reported
  }
  // The relaxed voltage of the second step moved well below its pre-pulse value: Delta E_s flips.
  const auto end = steps[1].step.rest_end - 1;
  record.voltage(end) -= 10 * std::abs(steps[1].delta_e_s);
  steps = gitt::analyze(record.time, record.voltage, record.current, electrode_of(e), options);
  CHECK(has(steps[1].flags, step_flag::sign_mismatch));
  CHECK(!has(steps[0].flags, step_flag::sign_mismatch));
}

TEST_CASE("analyze reports the real EC-Lab pulses, each flagged for what it lacks") {
  VALENCE_REQUIRE_DATA("gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt");
  const auto columns = valence_test::read_mpt_columns(
      (valence_test::data_dir() / "gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt").string());
  const valence::vector_d current = columns.at("<I>/mA") * 1e-3;
  // The file's characteristic mass (0.001 g); the other quantities are illustrative (NMC111).
  const gitt::electrode cell{0.001, 96.46, 20.0, 1.0};
  const auto steps = gitt::analyze(columns.at("time/s"), columns.at("Ewe/V"), current, cell);
  REQUIRE(steps.size() == 8);
  for (std::size_t k = 0; k < 8; ++k) {
    CAPTURE(k);
    const auto& s = steps[k];
    const bool charge = k % 2 == 0;
    CHECK(has(s.flags, step_flag::no_relaxation) == (charge || k == 7));
    CHECK(has(s.flags, step_flag::not_rested_before) == !charge);
    CHECK(std::isnan(s.diffusivity));
    CHECK(std::isfinite(s.sqrt_slope));
    CHECK(std::abs(s.charge) == doctest::Approx(3e-4).epsilon(0.04));  // 30 uA x 10 s
  }
  // The +30 uA pulses start from rest: an IR step of a few mV, positive.
  CHECK(steps[0].ir_drop_start > 0);
  CHECK(steps[0].resistance == doctest::Approx(61.4).epsilon(0.01));  // (3.4233973 - 3.4215567) V / 29.95 uA
}

TEST_CASE("analyze rejects bad options with messages that name them") {
  const auto e = slab_experiment();
  const valence::vector_d t = valence::vector_d::LinSpaced(20, 0.0, 19.0);
  valence::vector_d i = valence::vector_d::Zero(20);
  i.segment(5, 5).setConstant(1e-4);
  const valence::vector_d v = valence::vector_d::Constant(20, 3.7);
  gitt::analyze_options options;
  options.fit_start = 1;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, electrode_of(e), options)),
                       "valence::echem::gitt::analyze: option 'fit_start' is 1; expected a fraction in [0, 1)",
                       valence::invalid_input);
  options = {};
  options.settled_rate = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, electrode_of(e), options)),
                       doctest::Contains("option 'settled_rate' is 0"), valence::invalid_input);
  options = {};
  options.min_r_squared = 2;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, electrode_of(e), options)),
                       doctest::Contains("option 'min_r_squared' is 2"), valence::invalid_input);
  options = {};
  options.max_ratio = -1;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, electrode_of(e), options)),
                       doctest::Contains("option 'max_ratio' is -1"), valence::invalid_input);
  options = {};
  options.initial_content = std::nan("");
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, electrode_of(e), options)),
                       doctest::Contains("option 'initial_content' is nan"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::analyze(t, v, i, {0.01, 96.46, 20.0, 0.0})),
                       doctest::Contains("'electrode.area' is 0"), valence::invalid_input);
  // A 5-sample pulse sampled every second leaves fewer than 3 points after tau/5 ... 4 s: 4 points,
  // so shorten it to 2 samples: the step is flagged, not an error.
  i.setZero();
  i.segment(5, 2).setConstant(1e-4);
  const auto steps = gitt::analyze(t, v, i, electrode_of(e));
  REQUIRE(steps.size() == 1);
  CHECK(has(steps[0].flags, step_flag::too_few_points));
  CHECK(std::isnan(steps[0].diffusivity));
}
