// SPDX-License-Identifier: MIT
// A constructed Mn-L-like core-loss spectrum shared by the MLLS tests: a power-law background and
// two reference L2,3 edges ("surface" and "bulk" white-line shapes on a 2:1 continuum step).
#ifndef VALENCE_TEST_EELS_EDGES_HPP
#define VALENCE_TEST_EELS_EDGES_HPP

#include <Eigen/Core>

#include <cmath>

namespace valence_test {

/// 600 to 700 eV in 0.25 eV channels: background window 605-635 eV, edges at 642 and 653 eV.
inline Eigen::VectorXd eels_axis() {
  return 600.0 + 0.25 * Eigen::VectorXd::LinSpaced(401, 0, 400).array();
}

/// The two references, one column each; zero below 636 eV so that the background window sees the
/// power law alone.
inline Eigen::MatrixXd eels_references(const Eigen::VectorXd& e) {
  const auto peak = [](double v, double c, double w) { return std::exp(-0.5 * (v - c) * (v - c) / (w * w)); };
  const auto step = [](double v, double c) { return 0.5 * (1 + std::tanh((v - c) / 1.5)); };
  Eigen::MatrixXd r = Eigen::MatrixXd::Zero(e.size(), 2);
  for (Eigen::Index i = 0; i < e.size(); ++i) {
    if (e(i) >= 636) {
      const double continuum = 300 * (step(e(i), 642) + 0.5 * step(e(i), 653));
      r(i, 0) = continuum + 4000 * peak(e(i), 642.0, 1.2) + 1500 * peak(e(i), 653.0, 1.4);  // "surface"
      r(i, 1) = continuum + 2600 * peak(e(i), 643.5, 1.5) + 1400 * peak(e(i), 654.5, 1.5);  // "bulk"
    }
  }
  return r;
}

/// The mean counts of 4e12 E^-3.1 (per 0.25 eV channel) + a S_surface + b S_bulk at channel i.
inline double eels_mean_counts(const Eigen::VectorXd& e, const Eigen::MatrixXd& refs, Eigen::Index i, double a,
                               double b) {
  return 4e12 * std::pow(e(i), -3.1) * 0.25 + a * refs(i, 0) + b * refs(i, 1);
}

}  // namespace valence_test

#endif  // VALENCE_TEST_EELS_EDGES_HPP
