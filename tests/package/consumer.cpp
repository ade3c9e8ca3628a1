// SPDX-License-Identifier: MIT
// A downstream program: includes the umbrella header of an installed (or embedded) valence and
// checks one known answer, the fractions of two spectra in an exact mixture.
#include <valence/valence.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

int main() {
  Eigen::MatrixXd references(5, 2);
  references << 1.0, 0.0, 0.8, 0.1, 0.5, 0.5, 0.1, 0.8, 0.0, 1.0;
  const Eigen::VectorXd sample = 0.25 * references.col(0) + 0.75 * references.col(1);
  valence::fit::least_squares_options<double> options;
  options.sum_to = 1.0;
  options.nonnegative = true;
  const auto fit = valence::fit::least_squares(references, sample, options);
  std::printf("valence %d.%d.%d: fractions %.6f %.6f\n", valence::version.major, valence::version.minor,
              valence::version.patch, fit.coefficients(0), fit.coefficients(1));
  const bool ok = std::abs(fit.coefficients(0) - 0.25) < 1e-12 && std::abs(fit.coefficients(1) - 0.75) < 1e-12;
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
