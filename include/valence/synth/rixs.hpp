// SPDX-License-Identifier: MIT
/// \file
/// \brief Synthetic RIXS: a map of an elastic line, resonant features and a self-absorbed
/// fluorescence line with exact expected counts per bin, and photon events drawn from it along a
/// scan timeline.
#ifndef VALENCE_SYNTH_RIXS_HPP
#define VALENCE_SYNTH_RIXS_HPP

#include <valence/core/types.hpp>
#include <valence/rixs/bin_events.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace valence::synth {

/// \brief A resonant RIXS feature: a two-dimensional Gaussian in (excitation, emission).
/// \ingroup synth
struct rixs_feature {
  double excitation = 531;        ///< eV, centre
  double emission = 523.7;        ///< eV, centre
  double excitation_width = 0.4;  ///< eV, Gaussian σ along excitation
  double emission_width = 0.3;    ///< eV, Gaussian σ along emission
  double rate = 50;               ///< photons per second at its excitation centre (all emission energies)
};

/// \brief A RIXS scene (rates in photons per second, energies in eV).
/// \ingroup synth
///
/// At excitation energy \f$E\f$ the photons per second of each component, spread over emission by a
/// Gaussian (elastic, features, fluorescence) or uniformly (background):
/// - elastic line at emission \f$E\f$: elastic_rate, width elastic_width;
/// - each feature: \f$r\exp(-(E - E_x)^2/2\sigma_x^2)\f$ at its emission energy;
/// - fluorescence at fluorescence_emission: fluorescence_rate \f$\cdot\, m(x(E))\f$, with the
///   absorber's normalised absorption \f$x(E) = s(E) + w\,g(E)\f$ (arctangent step of width
///   edge_width at edge_energy and a Gaussian white line of height white_line and σ edge_width
///   there), seen through self-absorption \f$m = x(\alpha + 1)/(\alpha + x)\f$ (the thick-sample
///   yield that rixs::fluo_correction() inverts; \f$\alpha = \infty\f$, the default, for none);
/// - a flat background: background_rate over [background_low, background_high].
struct rixs_scene {
  double elastic_rate = 200;                               ///< photons/s
  double elastic_width = 0.25;                             ///< eV, σ
  std::vector<rixs_feature> features;                      ///< resonant features
  double fluorescence_emission = 525;                      ///< eV, the fluorescence line
  double fluorescence_width = 1.0;                         ///< eV, σ
  double fluorescence_rate = 400;                          ///< photons/s far above the edge without self-absorption
  double edge_energy = 532;                                ///< eV
  double edge_width = 0.8;                                 ///< eV
  double white_line = 1.5;                                 ///< white-line height in edge steps
  double alpha = std::numeric_limits<double>::infinity();  ///< self-absorption α (∞: none)
  double background_rate = 0;                              ///< photons/s, uniform in emission
  double background_low = 500;                             ///< eV
  double background_high = 560;                            ///< eV

  /// \brief The absorber's normalised absorption \f$x(E)\f$.
  /// \param excitation eV. \returns 0 far below the edge, 1 far above it.
  [[nodiscard]] double absorption(double excitation) const {
    const double t = (excitation - edge_energy) / edge_width;
    return 0.5 + std::atan(t) / 3.14159265358979323846 + white_line * std::exp(-0.5 * t * t);
  }

  /// \brief The fluorescence yield the detector sees, in units of an edge step: \f$m(x(E))\f$.
  /// \param excitation eV. \returns the self-absorbed normalised yield.
  [[nodiscard]] double fluorescence_yield(double excitation) const {
    const double x = absorption(excitation);
    return std::isinf(alpha) ? x : x * (alpha + 1) / (alpha + x);
  }
};

namespace detail {

inline double normal_share(double low, double high, double centre, double sigma) {
  const double s = sigma * 1.4142135623730951;
  return 0.5 * (std::erf((high - centre) / s) - std::erf((low - centre) / s));
}

}  // namespace detail

/// \brief The expected photons in every (excitation, emission bin) cell for a dwell time: the exact
/// integral of each component over each bin.
/// \ingroup synth
/// \param scene the components. \param excitation eV, one per row.
/// \param emission_edges eV, strictly increasing (one more than the bins).
/// \param dwell s at each excitation energy.
/// \returns excitation × bins expected counts.
template <class = void>
[[nodiscard]] matrix_d rixs_expected_counts(const rixs_scene& scene, const vector_ref& excitation,
                                            const vector_ref& emission_edges, double dwell) {
  const index bins = emission_edges.size() - 1;
  matrix_d out = matrix_d::Zero(excitation.size(), bins);
  for (index r = 0; r < excitation.size(); ++r) {
    const double e = excitation(r);
    for (index b = 0; b < bins; ++b) {
      const double lo = emission_edges(b);
      const double hi = emission_edges(b + 1);
      double rate = scene.elastic_rate * detail::normal_share(lo, hi, e, scene.elastic_width);
      for (const auto& f : scene.features) {
        const double t = (e - f.excitation) / f.excitation_width;
        rate += f.rate * std::exp(-0.5 * t * t) * detail::normal_share(lo, hi, f.emission, f.emission_width);
      }
      rate += scene.fluorescence_rate * scene.fluorescence_yield(e) *
              detail::normal_share(lo, hi, scene.fluorescence_emission, scene.fluorescence_width);
      if (scene.background_rate > 0) {
        const double overlap = std::max(0.0, std::min(hi, scene.background_high) - std::max(lo, scene.background_low));
        rate += scene.background_rate * overlap / (scene.background_high - scene.background_low);
      }
      out(r, b) = rate * dwell;
    }
  }
  return out;
}

/// \brief Photon events drawn from the scene along a scan: at each step, a Poisson number of photons
/// of each component (rate × duration), arrival times uniform over the step, emission energies
/// from the component's distribution; all steps' events in time order.
/// \ingroup synth
/// \param scene the components. \param steps the scan (as rixs::bin_events() takes it).
/// \param generator a random engine (e.g. std::mt19937_64).
/// \returns the events.
template <typename Generator>
[[nodiscard]] rixs::photon_events rixs_events(const rixs_scene& scene, const std::vector<rixs::scan_step>& steps,
                                              Generator& generator) {
  std::vector<std::int64_t> times;
  std::vector<double> energies;
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (const auto& step : steps) {
    const double duration = 1e-9 * double(step.end_ns - step.begin_ns);
    const auto emit = [&](double rate, auto&& draw_energy) {
      if (!(rate > 0)) {
        return;
      }
      const long count = std::poisson_distribution<long>(rate * duration)(generator);
      for (long k = 0; k < count; ++k) {
        const auto offset = static_cast<std::int64_t>(uniform(generator) * double(step.end_ns - step.begin_ns));
        times.push_back(step.begin_ns + std::min(offset, step.end_ns - step.begin_ns - 1));
        energies.push_back(draw_energy());
      }
    };
    const double e = step.excitation;
    emit(scene.elastic_rate, [&] { return e + scene.elastic_width * normal(generator); });
    for (const auto& f : scene.features) {
      const double t = (e - f.excitation) / f.excitation_width;
      emit(f.rate * std::exp(-0.5 * t * t), [&] { return f.emission + f.emission_width * normal(generator); });
    }
    emit(scene.fluorescence_rate * scene.fluorescence_yield(e),
         [&] { return scene.fluorescence_emission + scene.fluorescence_width * normal(generator); });
    emit(scene.background_rate,
         [&] { return scene.background_low + (scene.background_high - scene.background_low) * uniform(generator); });
  }
  std::vector<std::size_t> order(times.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return times[a] < times[b]; });
  rixs::photon_events out;
  out.unix_ns.resize(times.size());
  out.energy.resize(static_cast<index>(times.size()));
  for (std::size_t i = 0; i < order.size(); ++i) {
    out.unix_ns[i] = times[order[i]];
    out.energy(static_cast<index>(i)) = energies[order[i]];
  }
  return out;
}

}  // namespace valence::synth

#endif  // VALENCE_SYNTH_RIXS_HPP
