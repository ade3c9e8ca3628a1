// SPDX-License-Identifier: MIT
// A file that calls the central fits once each: least_squares, lcf and mlls, from their own headers.
#include <valence/eels/mlls.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/xas/lcf.hpp>

#include <Eigen/Core>

int main() {
  const Eigen::VectorXd energy = Eigen::VectorXd::LinSpaced(200, 600.0, 700.0);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(200, 3);
  const auto ls = valence::fit::least_squares(a, energy);
  const std::vector<valence::xas::lcf_standard> standards{{"a", energy, energy}, {"b", energy, energy.cwiseSqrt()}};
  const auto lcf = valence::xas::lcf(energy, energy, standards);
  valence::eels::mlls_options options;
  options.fit_window = {650.0, 690.0};
  options.background_window = {610.0, 640.0};
  const auto mlls = valence::eels::mlls(energy, energy, a, options);
  return ls.rank + lcf.points + mlls.channels.size > 0 ? 0 : 1;
}
