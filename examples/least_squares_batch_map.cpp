// SPDX-License-Identifier: MIT
// A valence map from a spectrum image: every pixel is fitted as a non-negative mix of a
// "surface" (reduced) and a "bulk" (oxidised) reference spectrum with one shared factorisation
// (the MLLS step of the cycled-NMC EELS study, without the background, which the EELS module adds).
//
//   least_squares_batch_map
//
// The synthetic image is a 48 x 48 particle whose outer shell is reduced; one pixel is corrupted
// with a NaN to show that it is flagged while the rest of the map is fitted.
#include <valence/fit/least_squares_batch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace {

double edge(double e, double onset) {
  return 1.0 / (1.0 + std::exp(-(e - onset) / 0.7)) + 1.2 * std::exp(-0.5 * std::pow((e - onset - 1.5) / 0.8, 2));
}

}  // namespace

int main() {
  const int side = 48;
  const Eigen::Index channels = 240;
  const Eigen::VectorXd energy = Eigen::VectorXd::LinSpaced(channels, 636.0, 660.0);  // Mn L3 region, eV
  Eigen::MatrixXd references(channels, 2);
  for (Eigen::Index i = 0; i < channels; ++i) {
    references(i, 0) = edge(energy(i), 640.5);  // surface: reduced Mn
    references(i, 1) = edge(energy(i), 642.0);  // bulk: oxidised Mn
  }
  // Pixels are columns of Y (channels x pixels), row-major over the image.
  Eigen::MatrixXd y(channels, side * side);
  Eigen::VectorXd truth(side * side);
  std::mt19937_64 gen(7);
  std::normal_distribution<double> noise(0.0, 0.02);
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) {
      const double radius = std::hypot(r - side / 2.0 + 0.5, c - side / 2.0 + 0.5) / (side / 2.0);
      const double surface = radius > 1.0 ? 0.0 : std::clamp((radius - 0.6) / 0.3, 0.0, 1.0);
      const double thickness = radius > 1.0 ? 0.05 : 1.0;
      const Eigen::Index p = r * side + c;
      truth(p) = surface;
      for (Eigen::Index i = 0; i < channels; ++i) {
        y(i, p) = thickness * (surface * references(i, 0) + (1 - surface) * references(i, 1)) + noise(gen);
      }
    }
  }
  y(100, 5 * side + 30) = std::nan("");  // a detector glitch

  valence::fit::least_squares_options<double> options;
  options.nonnegative = true;
  const auto fit = valence::fit::least_squares_batch(references, y, options);

  // Surface fraction beta_1 / (beta_1 + beta_2) per pixel, shown as a coarse character map.
  const char* shades = " .:-=+*#%@";
  double worst = 0;
  for (int r = 0; r < side; r += 3) {
    for (int c = 0; c < side; c += 2) {
      const Eigen::Index p = r * side + c;
      if (fit.status[std::size_t(p)] != valence::fit::column_status::ok) {
        std::putchar('?');
        continue;
      }
      const double total = fit.coefficients(0, p) + fit.coefficients(1, p);
      const double fraction = total > 0.2 ? fit.coefficients(0, p) / total : 0.0;
      if (total > 0.2) {
        worst = std::max(worst, std::abs(fraction - truth(p)));
      }
      std::putchar(shades[std::min(9, static_cast<int>(fraction * 9.999))]);
    }
    std::putchar('\n');
  }
  std::printf("pixels fitted            : %ld of %ld (%ld flagged)\n",
              static_cast<long>(fit.coefficients.cols() - fit.failed()), static_cast<long>(fit.coefficients.cols()),
              static_cast<long>(fit.failed()));
  std::printf("largest fraction error   : %.3f (on the sampled particle pixels)\n", worst);
  std::printf("design condition number  : %.1f\n", fit.condition_number);
  return fit.failed() == 1 ? 0 : 1;
}
