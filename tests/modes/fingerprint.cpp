// SPDX-License-Identifier: MIT
// Prints the exact bits (hexadecimal floating point) of a representative set of fits. The program
// is built twice, header-only and against valence::compiled, and CTest compares the two outputs:
// both modes must give bit-identical results.
#include <valence/echem/gitt_analyze.hpp>
#include <valence/eels/mlls.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/io/msa.hpp>
#include <valence/synth/gitt.hpp>
#include <valence/xas/lcf.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace {

template <typename Derived>
void print(const char* label, const Eigen::DenseBase<Derived>& values) {
  std::printf("%s", label);
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    std::printf(" %a", static_cast<double>(values.derived().data()[i]));
  }
  std::printf("\n");
}

// A smooth, deterministic design: no random numbers, so both builds see the same input.
Eigen::MatrixXd design(Eigen::Index m, Eigen::Index n) {
  Eigen::MatrixXd a(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      a(i, j) = std::cos(0.37 * double((i + 1) * (j + 2))) + 0.1 * double(j);
    }
  }
  return a;
}

}  // namespace

int main() {
  const Eigen::MatrixXd a = design(40, 4);
  Eigen::VectorXd y(40);
  for (Eigen::Index i = 0; i < 40; ++i) {
    y(i) = std::sin(0.11 * double(i)) + 0.01 * std::cos(7.0 * double(i));
  }
  const auto plain = valence::fit::least_squares(a, y);
  print("least_squares", plain.coefficients);
  print("least_squares.errors", plain.standard_errors);

  valence::fit::least_squares_options<double> constrained;
  constrained.nonnegative = true;
  constrained.sum_to = 1.0;
  const auto fractions = valence::fit::least_squares(a, y, constrained);
  print("least_squares.constrained", fractions.coefficients);

  Eigen::MatrixXd deficient(40, 3);
  deficient << a.col(0), a.col(1), a.col(0) + a.col(1);
  valence::fit::least_squares_options<double> minimum_norm;
  minimum_norm.allow_rank_deficient = true;
  print("least_squares.minimum_norm", valence::fit::least_squares(deficient, y, minimum_norm).coefficients);

  Eigen::MatrixXf images(40, 16);
  for (Eigen::Index k = 0; k < 16; ++k) {
    images.col(k) = (y * (1.0 + 0.1 * double(k))).cast<float>();
  }
  const Eigen::MatrixXf af = a.cast<float>();
  print("least_squares_batch.float", valence::fit::least_squares_batch(af, images).coefficients);

  Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(30, 0.0, 3.0);
  const Eigen::VectorXd decay = (2.5 * (-1.3 * t.array()).exp() + 0.2).matrix();
  const auto lm = valence::fit::levenberg_marquardt(
      [&](const Eigen::VectorXd& p) {
        return Eigen::VectorXd((p(0) * (-p(1) * t.array()).exp() + p(2)).matrix() - decay);
      },
      Eigen::Vector3d(1.0, 1.0, 0.0));
  print("levenberg_marquardt", lm.parameters);

  const Eigen::VectorXd energy = Eigen::VectorXd::LinSpaced(120, 8320.0, 8380.0);
  const auto edge = [&](double e0) {
    return Eigen::VectorXd((0.5 + std::atan(1.0) * 0 + ((energy.array() - e0) / 2.0).atan() / 3.14159).matrix());
  };
  const std::vector<valence::xas::lcf_standard> standards{{"Ni2+", energy, edge(8340.0)},
                                                          {"Ni3+", energy, edge(8342.0)}};
  const Eigen::VectorXd mixture = 0.3 * edge(8340.0) + 0.7 * edge(8342.0) + 0.001 * y.head(1).replicate(120, 1);
  const auto lcf = valence::xas::lcf(energy, mixture, standards);
  print("lcf", lcf.weights);
  print("lcf.errors", lcf.weight_errors);

  const Eigen::VectorXd loss = Eigen::VectorXd::LinSpaced(300, 600.0, 700.0);
  Eigen::MatrixXd references(300, 2);
  for (Eigen::Index i = 0; i < 300; ++i) {
    const double e = loss(i);
    references(i, 0) = 50.0 / (1.0 + std::exp(-(e - 640.0))) + 80.0 * std::exp(-0.5 * std::pow((e - 642.0) / 1.5, 2));
    references(i, 1) = 50.0 / (1.0 + std::exp(-(e - 642.0))) + 60.0 * std::exp(-0.5 * std::pow((e - 644.0) / 1.5, 2));
  }
  const Eigen::VectorXd counts =
      (1e6 * loss.array().pow(-2.0)).matrix() + 0.4 * references.col(0) + 0.6 * references.col(1);
  valence::eels::mlls_options options;
  options.fit_window = {630.0, 680.0};
  options.background_window = {605.0, 628.0};
  const auto mlls = valence::eels::mlls(loss, counts, references, options);
  print("mlls", mlls.coefficients);
  print("mlls.fractions", mlls.fractions);

  // A synthetic GITT record (noise-free: no random numbers) and its Weppner-Huggins analysis.
  valence::synth::gitt_experiment experiment;
  experiment.steps = 3;
  const auto record = valence::synth::synthetic_gitt(experiment);
  valence::echem::gitt::electrode cell;
  cell.mass = experiment.mass;
  cell.molar_mass = experiment.molar_mass;
  cell.molar_volume = experiment.molar_volume;
  cell.area = 3.0 * experiment.mass * experiment.molar_volume / (experiment.molar_mass * experiment.size);
  const auto steps = valence::echem::gitt::analyze(record.time, record.voltage, record.current, cell);
  Eigen::VectorXd diffusivities(static_cast<Eigen::Index>(steps.size()));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    diffusivities(static_cast<Eigen::Index>(i)) = steps[i].diffusivity;
  }
  print("gitt.diffusivity", diffusivities);

  // The MSA reader on a file written by the MSA writer: the same numbers back, in both modes.
  valence::io::msa_spectrum spectrum;
  spectrum.datatype = "XY";
  spectrum.x = loss.head(8);
  spectrum.y = counts.head(8);
  std::stringstream file;
  valence::io::write_msa(file, spectrum);
  const auto read = valence::io::read_msa(file, "fingerprint.msa");
  print("msa.y", read.y);
  return 0;
}
