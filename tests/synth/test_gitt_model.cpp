// SPDX-License-Identifier: MIT
// valence::synth::surface_response against the long-time eigenfunction series summed
// independently (scipy 1.10.1: 200,000 slab terms; 20,000 roots of tan a = a by brentq), its
// short-time limit, and valence::synth::synthetic_gitt against exact charge balance, the IR step and
// relaxation to the mean content; its finite volumes (content-dependent D) against the exact
// record.
#include <valence/echem/gitt_analyze.hpp>
#include <valence/synth/gitt.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <boost/math/constants/constants.hpp>

#include <cmath>

using valence::synth::particle_shape;
using valence::synth::surface_response;

TEST_CASE("surface_response matches the eigenfunction series for a slab and a sphere") {
  struct reference {
    double theta;
    double slab;
    double sphere;
  };
  // scipy 1.10.1, float64 sums (see the file comment); both branches of each form are covered
  // (theta < 0.02 uses the short-time form).
  const reference table[] = {
      {0.0001, 0.011283791670955168, 0.0037948496513301932}, {0.001, 0.03568248232305543, 0.012235593443120037},
      {0.005, 0.07978845608028645, 0.028355823714576935},    {0.019, 0.15553633450087503, 0.05890105487087158},
      {0.021, 0.16351767622932514, 0.06234944031045159},     {0.1, 0.3568262460086544, 0.1622538954474744},
      {1.0, 1.3333228520244373, 1.066666666610428}};
  for (const auto& r : table) {
    CAPTURE(r.theta);
    // measured: <= 3.7e-14 relative (at theta = 1e-4, where the sums cancel); tolerance 1e-13.
    VALENCE_CHECK_REL(r.slab, surface_response(particle_shape::slab, r.theta), 1e-13, 0.0);
    VALENCE_CHECK_REL(r.sphere, surface_response(particle_shape::sphere, r.theta), 1e-13, 0.0);
  }
  CHECK(surface_response(particle_shape::slab, 0.0) == 0);
  CHECK(surface_response(particle_shape::sphere, -1.0) == 0);
}

TEST_CASE("surface_response starts as the Weppner-Huggins square root with length V/S") {
  const double pi = boost::math::constants::pi<double>();
  for (const double theta : {1e-10, 1e-8}) {
    CAPTURE(theta);
    // Next terms: theta (slab) and theta/3 (sphere), relative sqrt(theta)-small.
    VALENCE_CHECK_REL(2 * std::sqrt(theta / pi), surface_response(particle_shape::slab, theta), 2 * std::sqrt(theta),
                      0.0);
    VALENCE_CHECK_REL(2.0 / 3 * std::sqrt(theta / pi), surface_response(particle_shape::sphere, theta),
                      2 * std::sqrt(theta), 0.0);
  }
}

TEST_CASE("synthetic_gitt balances charge, steps by IR and relaxes to the mean content") {
  valence::synth::gitt_experiment e;
  e.shape = particle_shape::sphere;
  e.size = 1e-4;          // 1 um radius: r^2/D = 1000 s
  e.diffusivity = 1e-11;  // cm^2/s
  e.pulse = 60;
  e.rest = 4000;  // 4 r^2/D: the slowest mode decays by exp(-20.19 * 4)
  e.initial_rest = 10;
  e.steps = 3;
  const auto r = valence::synth::synthetic_gitt(e);
  const double per_pulse = e.current * e.pulse * e.molar_mass / (valence::core::faraday_constant * e.mass);
  const auto at = [&](double t) { return static_cast<Eigen::Index>(std::lround(t / e.interval)); };
  for (int k = 0; k < e.steps; ++k) {
    CAPTURE(k);
    const double on = e.initial_rest + k * (e.pulse + e.rest);
    // Exact: charge balance (one electron per formula unit).
    VALENCE_CHECK_REL(e.initial_content - (k + 1) * per_pulse, r.mean_content(at(on + e.pulse + e.rest) - 1), 1e-12,
                      0.0);
    // The IR step at the pulse start: the surface is continuous, so V jumps by I R up to the
    // diffusion change in one interval (2 q r/3 sqrt(dt/(pi D)) ~ 1e-6 in x, ~ 2e-6 V).
    CHECK(std::abs(r.voltage(at(on)) - r.voltage(at(on) - 1) - e.current * e.resistance) < 1e-5);
    CHECK(r.current(at(on)) == e.current);
    CHECK(r.current(at(on + e.pulse)) == 0);
    // Relaxed: the surface equals the mean to exp(-80) of the pulse's disturbance.
    CHECK(std::abs(r.surface_content(at(on + e.pulse + e.rest) - 1) - r.mean_content(at(on + e.pulse + e.rest) - 1)) <
          1e-15);
  }
  e.steps = 100000;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("100000 pulses take the mean content from 0.9499"), valence::invalid_input);
  e.steps = 3;
  e.current = 5e-2;  // the mean stays in (0, 1) but the surface, ahead of it, does not
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)), doctest::Contains("the surface content"),
                       valence::invalid_input);
  e.current = 1e-4;
  e.interval = 1e-5;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)), doctest::Contains("expected at most 1e8"),
                       valence::invalid_input);
  e.interval = 1;
  e.steps = 3;
  e.diffusivity = -1;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("parameter 'diffusivity' is -1 cm^2/s; expected a positive finite value"),
                       valence::invalid_input);
  e.diffusivity = 1e-11;
  e.resistance = -1;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("expected non-negative finite values"), valence::invalid_input);
  e.resistance = 20;
  e.steps = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)), doctest::Contains("at least one step"),
                       valence::invalid_input);
  e.steps = 3;
  e.current = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("non-zero finite current"), valence::invalid_input);
}

namespace {

// The largest difference of the surface excursion x_s - mean between two records, relative to
// the largest excursion of the first.
double excursion_difference(const valence::synth::gitt_record& a, const valence::synth::gitt_record& b) {
  const Eigen::ArrayXd ea = (a.surface_content - a.mean_content).array();
  const Eigen::ArrayXd eb = (b.surface_content - b.mean_content).array();
  return (ea - eb).abs().maxCoeff() / ea.abs().maxCoeff();
}

}  // namespace

TEST_CASE("synthetic_gitt's finite volumes reproduce the exact record for a constant D(x)") {
  for (const auto shape : {particle_shape::sphere, particle_shape::slab}) {
    CAPTURE(static_cast<int>(shape));
    valence::synth::gitt_experiment e;
    e.shape = shape;
    e.size = 1e-4;
    e.diffusivity = 1e-11;  // size^2/D = 1000 s
    e.pulse = 1;
    e.rest = 2000;
    e.initial_rest = 10;
    e.steps = 3;
    e.interval = 0.01;
    e.rest_interval = 1;
    const auto exact = valence::synth::synthetic_gitt(e);
    e.diffusivity_of_content = [](double) { return 1e-11; };
    const auto volumes = valence::synth::synthetic_gitt(e);
    REQUIRE(volumes.time.size() == exact.time.size());
    CHECK(volumes.time == exact.time);
    CHECK(volumes.mean_content == exact.mean_content);  // the charge balance is exact in both
    // measured: 1.6e-4 (sphere and slab): the time discretisation after each switch.
    CHECK(excursion_difference(exact, volumes) < 3e-4);
    // What a user of the record sees: Weppner-Huggins D from both records (measured 2.1e-4 and
    // 3.5e-4 apart).
    const valence::echem::gitt::electrode cell{e.mass, e.molar_mass, e.molar_volume, e.area()};
    valence::echem::gitt::analyze_options options;
    options.initial_content = e.initial_content;
    const auto a = valence::echem::gitt::analyze(exact.time, exact.voltage, exact.current, cell, options);
    const auto b = valence::echem::gitt::analyze(volumes.time, volumes.voltage, volumes.current, cell, options);
    REQUIRE(a.size() == 3);
    REQUIRE(b.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
      VALENCE_CHECK_REL(a[k].diffusivity, b[k].diffusivity, 6e-4, 0.0);
    }
  }
}

TEST_CASE("synthetic_gitt with D(x) relaxes to the mean content and samples rests at rest_interval") {
  valence::synth::gitt_experiment e;
  e.size = 1e-4;
  e.pulse = 60;
  e.rest = 8000;  // 8 r^2/D at the smallest D below
  e.initial_rest = 10;
  e.steps = 2;
  e.interval = 0.5;
  e.rest_interval = 50;
  e.diffusivity_of_content = [](double x) { return 1e-11 * (1 + 4 * x); };
  const auto r = valence::synth::synthetic_gitt(e);
  // Samples: 20 in the first rest, 120 per pulse, 160 per rest, one at the end.
  REQUIRE(r.time.size() == 20 + 2 * (120 + 160) + 1);
  CHECK(r.time(20) == 10.0);
  CHECK(r.time(141) == doctest::Approx(70 + 50));
  CHECK(r.time(r.time.size() - 1) == doctest::Approx(10 + 2 * 8060.0));
  // The end of each rest: uniform again, the surface at the mean (the slowest mode decays below
  // exp(-20 * 8)); the surface must lag the mean during a pulse (charge: it leads downwards).
  const auto end_of_rest = [&](int k) { return Eigen::Index(20 + (k + 1) * 280 - 1); };
  for (int k = 0; k < 2; ++k) {
    CHECK(std::abs(r.surface_content(end_of_rest(k)) - r.mean_content(end_of_rest(k))) < 1e-10);  // measured 2.5e-11
    CHECK(r.surface_content(20 + k * 280 + 100) < r.mean_content(20 + k * 280 + 100));
  }
  e.diffusivity_of_content = [](double x) { return x > 0.949 ? 1e-11 : -1.0; };
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("diffusivity_of_content(0.9"), valence::invalid_input);
  // A jump of nine decades in D at one content: the frozen-coefficient iteration oscillates.
  valence::synth::gitt_experiment jump;
  jump.size = 1e-4;
  jump.pulse = 60;
  jump.rest = 600;
  jump.steps = 1;
  jump.initial_rest = 10;
  jump.diffusivity_of_content = [](double x) { return x > 0.9495 ? 1e-11 : 1e-20; };
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(jump)),
                       doctest::Contains("did not converge in a time step of"), valence::invalid_input);
}

TEST_CASE("synthetic_gitt keeps contents in (0, sites)") {
  valence::synth::gitt_experiment e;
  e.sites = 1.2;
  e.initial_content = 1.1;  // above 1: allowed with 1.2 sites
  e.ocv = [](double x) { return 3.9 + 0.05 * std::log((1.2 - x) / x); };
  e.steps = 2;
  CHECK_NOTHROW(static_cast<void>(valence::synth::synthetic_gitt(e)));
  e.initial_content = 1.2;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("initial content 1.2; expected at least one step, a non-zero finite current "
                                         "and a content in (0, 1.2)"),
                       valence::invalid_input);
  e.initial_content = 1.1;
  e.sites = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)),
                       doctest::Contains("parameter 'sites' is 0"), valence::invalid_input);
  e.sites = 1.2;
  e.rest_interval = -1;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::synth::synthetic_gitt(e)), doctest::Contains("rest_interval are"),
                       valence::invalid_input);
}
