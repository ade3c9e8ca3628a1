// SPDX-License-Identifier: MIT
// Analytic edge shapes shared by the synthetic-spectrum tests.
#ifndef VALENCE_TEST_EDGES_HPP
#define VALENCE_TEST_EDGES_HPP

#include <cmath>

namespace valence_test {

/// A unit step of the given width centred at `centre`: (1 + tanh((e - centre)/width))/2.
inline double tanh_step(double e, double centre, double width) {
  return 0.5 * (1 + std::tanh((e - centre) / width));
}

}  // namespace valence_test

#endif  // VALENCE_TEST_EDGES_HPP
