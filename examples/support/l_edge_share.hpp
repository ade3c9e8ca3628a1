// SPDX-License-Identifier: MIT
// Soft-XAS helpers shared by the study examples (not part of the library): a raw TEY/PFY channel
// made from a two-state mixture, and the share of the first state from a linear combination of two
// unit-maximum standards with free weights.
#ifndef VALENCE_EXAMPLES_L_EDGE_SHARE_HPP
#define VALENCE_EXAMPLES_L_EDGE_SHARE_HPP

#include <valence/xas/lcf.hpp>
#include <valence/xas/soft_xas.hpp>

#include <cmath>
#include <random>
#include <vector>

namespace l_edge_share {

/// A raw channel as a drain-current or fluorescence detector gives it: the mixture (half its
/// height) on a background rising 0.004 per eV, times an I0 that decays 8 % across the scan, with 0.4 %
/// multiplicative noise. Returns the channel; `i0` receives the monitor.
inline valence::vector_d raw_channel(const valence::vector_d& energy, const valence::vector_d& mixture,
                                     valence::vector_d& i0, std::mt19937_64& generator) {
  std::normal_distribution<double> noise(0.0, 0.004);
  const double first = energy(0);
  const double span = energy(energy.size() - 1) - first;
  i0.resize(energy.size());
  valence::vector_d raw(energy.size());
  for (valence::core::index i = 0; i < energy.size(); ++i) {
    const double along = (energy(i) - first) / span;
    i0(i) = 1.0 - 0.08 * along;
    raw(i) = i0(i) * (0.2 + 0.004 * (energy(i) - first) + 0.5 * mixture(i)) * (1 + noise(generator));
  }
  return raw;
}

/// The share of the first standard and its standard error.
struct share {
  double value;
  double error;
};

/// Normalised to its maximum, the data's scale is not the standards' (a mixture's maximum is below
/// 1): the weights are free and the share is w0 / (w0 + w1), its error propagated from the weights'
/// covariance.
inline share first_share(const valence::vector_d& energy, const valence::vector_d& normalised,
                         const std::vector<valence::xas::lcf_standard>& standards,
                         const valence::core::window<double>& window) {
  valence::xas::lcf_options l;
  l.window = window;
  l.sum_to_one = false;
  const auto fit = valence::xas::lcf(energy, normalised, standards, l);
  const double w0 = fit.weights(0);
  const double w1 = fit.weights(1);
  const double sum = w0 + w1;
  const double variance =
      w1 * w1 * fit.covariance(0, 0) - 2 * w0 * w1 * fit.covariance(0, 1) + w0 * w0 * fit.covariance(1, 1);
  return {w0 / sum, std::sqrt(variance) / (sum * sum)};
}

}  // namespace l_edge_share

#endif  // VALENCE_EXAMPLES_L_EDGE_SHARE_HPP
