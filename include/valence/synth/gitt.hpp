// SPDX-License-Identifier: MIT
/// \file
/// \brief A synthetic GITT experiment: solid-state diffusion in a slab or a sphere under
/// galvanostatic pulses and rests, with an open-circuit voltage curve and an ohmic resistance.
#ifndef VALENCE_SYNTH_GITT_HPP
#define VALENCE_SYNTH_GITT_HPP

#include <valence/core/check.hpp>
#include <valence/core/constants.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/synth/detail/variable_diffusion.hpp>

#include <boost/math/constants/constants.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace valence::synth {

/// \defgroup synth Synthetic data
/// \brief Documented forward models that make synthetic spectra, images and cell curves.

/// \brief Shape of the diffusion domain.
/// \ingroup synth
enum class particle_shape : std::uint8_t {
  slab,   ///< thickness \f$\ell\f$, lithium exchanged through one face (the other sealed)
  sphere  ///< radius \f$r\f$, lithium exchanged through the whole surface
};

/// \brief Surface stoichiometry response to a unit step in the rate of the mean stoichiometry.
/// \ingroup synth
///
/// With the mean stoichiometry changing at a constant rate \f$q\f$ from \f$t = 0\f$ (uniform
/// before), the surface stoichiometry is \f$x_s(t) = x_0 + q\,\ell^2/D\cdot g(\theta)\f$ with
/// \f$\theta = Dt/\ell^2\f$ and \f$\ell\f$ the slab thickness or the sphere radius:
/// - slab: \f$g = \theta + \tfrac13 - \tfrac{2}{\pi^2}\sum_{n\ge1} e^{-n^2\pi^2\theta}/n^2\f$,
///   for small \f$\theta\f$ summed as \f$2\sqrt\theta\sum_{n\ge0}[\mathrm{ierfc}(n/\sqrt\theta) +
///   \mathrm{ierfc}((n+1)/\sqrt\theta)]\f$ (Crank, eq. 2.47);
/// - sphere: \f$g = \theta + \tfrac13(\tfrac15 - 2\sum_n e^{-\alpha_n^2\theta}/\alpha_n^2)\f$ with
///   \f$\tan\alpha_n = \alpha_n\f$, for small \f$\theta\f$
///   \f$\tfrac13[e^\theta(1 + \mathrm{erf}\sqrt\theta) - 1]\f$ (the reflection from the centre is
///   below \f$\mathrm{erfc}(1/\sqrt\theta) < 10^{-22}\f$ where this form is used).
///
/// Both start as \f$g \approx 2(\ell_{\rm eff}/\ell)\sqrt{\theta/\pi}\f$ with the Weppner–Huggins length
/// \f$\ell_{\rm eff} = V/S\f$ (\f$\ell\f$, or \f$r/3\f$). Both forms agree with independently summed
/// eigenfunction series to 4e-14 relative for \f$10^{-4} \le \theta \le 1\f$
/// (tests/synth/test_gitt_model.cpp).
/// \param shape slab or sphere.
/// \param theta \f$Dt/\ell^2 \ge 0\f$.
/// \returns \f$g(\theta)\f$ (0 for \f$\theta \le 0\f$).
///
/// **Reference.** J. Crank, *The Mathematics of Diffusion*, 2nd ed. (1975), §2.3, §4.3.4, §6.3.
[[nodiscard]] inline double surface_response(particle_shape shape, double theta) {
  using boost::math::constants::one_div_root_pi;
  using boost::math::constants::pi;
  if (!(theta > 0)) {
    return 0;
  }
  constexpr double short_time = 0.02;  // where both series need few terms
  if (shape == particle_shape::slab) {
    if (theta < short_time) {
      const auto ierfc = [](double z) { return std::exp(-z * z) * one_div_root_pi<double>() - z * std::erfc(z); };
      const double root = std::sqrt(theta);
      double sum = 0;
      for (int n = 0; n < 4; ++n) {  // the n = 3 terms are below erfc(21) ~ 1e-193
        sum += ierfc(n / root) + ierfc((n + 1) / root);
      }
      return 2 * root * sum;
    }
    double series = 0;
    for (int n = 1; n < 64; ++n) {
      const double term = std::exp(-n * n * pi<double>() * pi<double>() * theta) / (n * n);
      series += term;
      if (term < 1e-18 * series) {
        break;
      }
    }
    return theta + 1.0 / 3 - 2 / (pi<double>() * pi<double>()) * series;
  }
  if (theta < short_time) {
    return (std::exp(theta) * (1 + std::erf(std::sqrt(theta))) - 1) / 3;
  }
  double series = 0;
  for (int n = 1; n < 64; ++n) {
    // The n-th positive root of tan a = a, in (n pi, (n + 1/2) pi), by Newton on a cos a - sin a
    // from the asymptotic estimate; five steps reach rounding.
    const double b = (n + 0.5) * pi<double>();
    double a = b - 1 / b;
    for (int k = 0; k < 5; ++k) {
      a -= (a * std::cos(a) - std::sin(a)) / (-a * std::sin(a));
    }
    const double term = std::exp(-a * a * theta) / (a * a);
    series += term;
    if (term < 1e-18 * series) {
      break;
    }
  }
  return theta + (0.2 - 2 * series) / 3;
}

/// \brief A GITT experiment on one active material, for synthetic_gitt().
/// \ingroup synth
///
/// Current is positive on charge (lithium extracted: the stoichiometry falls and the voltage rises).
struct gitt_experiment {
  particle_shape shape = particle_shape::sphere;  ///< diffusion domain
  double diffusivity = 1e-11;                     ///< \f$D\f$ in cm²/s
  double size = 5e-4;                             ///< slab thickness or sphere radius, cm
  double mass = 0.01;                             ///< active mass, g
  double molar_mass = 96.46;                      ///< g/mol (LiNi1/3Mn1/3Co1/3O2)
  double molar_volume = 20.0;                     ///< cm³/mol
  double initial_content = 0.95;                  ///< stoichiometry \f$x_0\f$ before the first pulse
  /// Open-circuit voltage \f$E(x)\f$ in V of the stoichiometry; by default
  /// \f$3.8 + 0.1\ln((1 - x)/x)\f$.
  std::function<double(double)> ocv = [](double x) { return 3.8 + 0.1 * std::log((1 - x) / x); };
  double resistance = 20;     ///< ohmic resistance in Ω (the IR drop)
  double current = 1e-4;      ///< pulse current in A (negative for discharge)
  double pulse = 600;         ///< pulse duration \f$\tau\f$ in s
  double rest = 3600;         ///< rest after each pulse in s
  double initial_rest = 600;  ///< rest before the first pulse in s
  int steps = 10;             ///< number of pulse + rest steps
  double interval = 1;        ///< sampling interval in s (in the pulses and the first rest)
  /// Sampling interval in the rests after the pulses, s; 0 samples them every `interval` too.
  /// Rests of hours at low diffusivity need seconds in a pulse but minutes in a rest.
  double rest_interval = 0;
  /// Lithium sites per formula unit: the stoichiometry must stay in (0, sites). Change it together
  /// with `ocv` (the default curve is defined on (0, 1)).
  double sites = 1;
  /// \f$D(x)\f$ in cm²/s of the local stoichiometry. Empty: the constant `diffusivity` and the exact
  /// superposition of surface_response(). Set: finite volumes (see synthetic_gitt()).
  std::function<double(double)> diffusivity_of_content;
  double noise = 0;        ///< Gaussian voltage noise (standard deviation) in V
  std::uint64_t seed = 1;  ///< seed of the noise

  /// \brief The electrochemically active area \f$S\f$ in cm² implied by the shape:
  /// \f$V/\ell\f$ for a slab, \f$3V/r\f$ for spheres, with \f$V = m V_M/M\f$.
  /// \returns \f$S\f$, so that diffusion length \f$m V_M/(M S)\f$ is \f$\ell\f$ or \f$r/3\f$.
  [[nodiscard]] double area() const {
    const double volume = mass * molar_volume / molar_mass;
    return shape == particle_shape::slab ? volume / size : 3 * volume / size;
  }
};

/// \brief A synthetic (t, V, I) record with the states behind it.
/// \ingroup synth
struct gitt_record {
  vector_d time;             ///< s
  vector_d voltage;          ///< V
  vector_d current;          ///< A
  vector_d mean_content;     ///< mean stoichiometry \f$\bar x\f$
  vector_d surface_content;  ///< surface stoichiometry \f$x_s\f$
};

/// \brief Simulates a GITT record: pulses and rests, by exact superposition for a constant
/// diffusivity or by finite volumes for a content-dependent one.
/// \ingroup synth
///
/// The mean stoichiometry changes at \f$q = -IM/(Fm)\f$ during a pulse (one electron per formula
/// unit) and \f$V = E(x_s) + IR\f$ plus optional noise, with \f$x_s\f$ the surface stoichiometry:
/// - constant \f$D\f$ (gitt_experiment::diffusivity_of_content empty): surface_response()
///   superposed at every switch of the current, exact;
/// - \f$D(x)\f$: \f$\partial_t x = \nabla\cdot(D(x)\nabla x)\f$ on 200 cells that shrink
///   geometrically (ratio 1.05) towards the surface, the flux through it prescribed; time steps
///   grow as 5 % of the time since the last switch, the first two after a switch backward Euler,
///   then Crank–Nicolson, \f$D\f$ at the mean content of neighbouring cells iterated to
///   convergence, and the mean restored after each step against the solve's rounding. With a
///   constant function it reproduces the exact record's surface excursion to 1.6e-4 relative, and
///   echem::gitt::analyze() finds the exact record's D in it to 4e-4 (tests/synth/test_gitt_model.cpp).
///
/// Samples fall every `interval` seconds from 0, or, with a `rest_interval`, every `interval` in
/// the first rest and the pulses and every `rest_interval` in the later rests, each phase sampled
/// from its start; the record ends with a sample at the end of the last rest. A sample at the
/// instant of a switch is taken just after it.
/// \param e the experiment.
/// \returns the record.
/// \throws valence::invalid_input if a size, mass, molar quantity, duration, interval, the number
///         of sites or the diffusivity is not positive and finite, the resistance, noise or
///         rest_interval is negative, there are no steps, the initial content is not in
///         (0, sites), the current is zero, the stoichiometry leaves (0, sites) during the record,
///         the record would exceed 1e8 samples, or the finite volumes do not converge (a
///         diffusivity that is not positive or jumps).
template <class = void>
[[nodiscard]] gitt_record synthetic_gitt(const gitt_experiment& e) {
  constexpr const char* function = "valence::synth::synthetic_gitt";
  core::check_positive_value(function, "diffusivity", e.diffusivity, "cm^2/s");
  core::check_positive_value(function, "size", e.size, "cm");
  core::check_positive_value(function, "mass", e.mass, "g");
  core::check_positive_value(function, "molar_mass", e.molar_mass, "g/mol");
  core::check_positive_value(function, "molar_volume", e.molar_volume, "cm^3/mol");
  core::check_positive_value(function, "pulse", e.pulse, "s");
  core::check_positive_value(function, "rest", e.rest, "s");
  core::check_positive_value(function, "interval", e.interval, "s");
  core::check_positive_value(function, "sites", e.sites, "per formula unit");
  if (!(e.initial_rest >= 0) || !(e.resistance >= 0) || !(e.noise >= 0) || !(e.rest_interval >= 0) ||
      !std::isfinite(e.initial_rest + e.resistance + e.noise + e.rest_interval)) {
    throw invalid_input(core::detail::message(
        function, "initial_rest, resistance, noise and rest_interval are " +
                      core::detail::format_value(e.initial_rest) + " s, " + core::detail::format_value(e.resistance) +
                      " ohm, " + core::detail::format_value(e.noise) + " V, " +
                      core::detail::format_value(e.rest_interval) + " s; expected non-negative finite values"));
  }
  const std::string range = "(0, " + core::detail::format_value(e.sites) + ")";
  if (e.steps < 1 || !(e.current != 0) || !std::isfinite(e.current) ||
      !(e.initial_content > 0 && e.initial_content < e.sites)) {
    throw invalid_input(core::detail::message(
        function, "steps " + std::to_string(e.steps) + ", current " + core::detail::format_value(e.current) +
                      " A, initial content " + core::detail::format_value(e.initial_content) +
                      "; expected at least one step, a non-zero finite current and a content in " + range));
  }
  const double rate = -e.current * e.molar_mass / (core::faraday_constant * e.mass);  // dx/dt in a pulse
  // Switch times and the change of rate at each.
  std::vector<double> switches;
  std::vector<double> changes;
  for (int k = 0; k < e.steps; ++k) {
    const double on = e.initial_rest + k * (e.pulse + e.rest);
    switches.insert(switches.end(), {on, on + e.pulse});
    changes.insert(changes.end(), {rate, -rate});
  }
  const double end = e.initial_rest + e.steps * (e.pulse + e.rest);
  const double final_content = e.initial_content + rate * e.pulse * e.steps;
  if (!(final_content > 0 && final_content < e.sites)) {
    throw invalid_input(
        core::detail::message(function, std::to_string(e.steps) + " pulses take the mean content from " +
                                            core::detail::format_value(e.initial_content) + " to " +
                                            core::detail::format_value(final_content) + "; expected it to stay in " +
                                            range + " (fewer steps or less charge)"));
  }
  const bool uniform = e.rest_interval == 0 || e.rest_interval == e.interval;
  const double rest_interval = uniform ? e.interval : e.rest_interval;
  const double expected_samples = (e.initial_rest + e.steps * e.pulse) / e.interval + e.steps * e.rest / rest_interval;
  constexpr double max_samples = 1e8;  // 4 GB of output: a mistake, not an experiment
  if (expected_samples > max_samples) {
    throw invalid_input(core::detail::message(function, "the record would hold " +
                                                            core::detail::format_value(expected_samples) +
                                                            " samples; expected at most 1e8 (a longer interval)"));
  }
  std::vector<double> times;
  if (uniform) {
    const auto count = static_cast<index>(std::floor(end / e.interval * (1 + 1e-12))) + 1;
    for (index i = 0; i < count; ++i) {
      times.push_back(static_cast<double>(i) * e.interval);
    }
  } else {
    const auto phase = [&](double from, double to, double step) {
      for (double k = 0; from + k * step < to * (1 - 1e-15); ++k) {
        times.push_back(from + k * step);
      }
    };
    phase(0, e.initial_rest, e.interval);
    for (std::size_t k = 0; k < switches.size(); k += 2) {
      phase(switches[k], switches[k + 1], e.interval);
      phase(switches[k + 1], k + 2 < switches.size() ? switches[k + 2] : end, rest_interval);
    }
    times.push_back(end);
  }
  std::mt19937_64 rng(e.seed);
  std::normal_distribution<double> noise;
  gitt_record r;
  const auto count = static_cast<index>(times.size());
  r.time = Eigen::Map<const vector_d>(times.data(), count);
  r.voltage.resize(count);
  r.current.resize(count);
  r.mean_content.resize(count);
  r.surface_content.resize(count);
  const double scale = e.size * e.size / e.diffusivity;  // s
  const bool sphere = e.shape == particle_shape::sphere;
  std::optional<detail::variable_diffusion> solid;
  if (e.diffusivity_of_content) {
    solid.emplace(sphere, e.size, e.initial_content, e.diffusivity_of_content);
  }
  double solved_to = 0;    // the finite volumes' time
  double last_switch = 0;  // of the finite volumes
  double solid_rate = 0;   // dx/dt in force in the finite volumes
  int steps_since_switch = 0;
  std::size_t next_switch = 0;
  const double first_step = 1e-4 * e.interval;  // s, after each switch
  for (index i = 0; i < count; ++i) {
    const double t = r.time(i);
    double mean = e.initial_content;
    double surface = e.initial_content;
    double current = 0;
    for (std::size_t k = 0; k < switches.size() && switches[k] <= t; ++k) {
      mean += changes[k] * (t - switches[k]);
      if (!solid) {
        surface += changes[k] * scale * surface_response(e.shape, (t - switches[k]) / scale);
      }
      current = (changes[k] > 0) == (rate > 0) ? e.current : 0.0;  // switched on, or off
    }
    if (solid) {
      for (;;) {
        if (next_switch < switches.size() && switches[next_switch] <= solved_to) {
          solid_rate += changes[next_switch++];
          solid->set_rate(solid_rate);
          last_switch = solved_to;
          steps_since_switch = 0;
          continue;
        }
        if (solved_to >= t) {
          break;
        }
        const double stop = next_switch < switches.size() ? std::min(t, switches[next_switch]) : t;
        const double dt = std::max(first_step, 0.05 * (solved_to - last_switch));
        const bool lands = solved_to + dt >= stop;
        solid->advance(lands ? stop - solved_to : dt, solid_rate, steps_since_switch < 2 ? 1.0 : 0.5);
        solved_to = lands ? stop : solved_to + dt;
        ++steps_since_switch;
      }
      surface = solid->surface();
    }
    if (!(surface > 0 && surface < e.sites)) {
      throw invalid_input(
          core::detail::message(function, "the surface content reaches " + core::detail::format_value(surface) +
                                              " at t = " + core::detail::format_value(t) +
                                              " s; expected it to stay in " + range + " (fewer steps or less charge)"));
    }
    r.current(i) = current;
    r.mean_content(i) = mean;
    r.surface_content(i) = surface;
    r.voltage(i) = e.ocv(surface) + current * e.resistance + (e.noise > 0 ? e.noise * noise(rng) : 0.0);
  }
  return r;
}

}  // namespace valence::synth

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::synth {
extern template gitt_record synthetic_gitt<>(const gitt_experiment&);
}  // namespace valence::synth
#endif

#endif  // VALENCE_SYNTH_GITT_HPP
