// SPDX-License-Identifier: MIT
// Ni2+ fraction and mean Ni valence of a cathode spectrum by linear combination of two reference
// spectra (the Ni L3-edge workflow of the concentration-gradient NMC622 study, in miniature).
//
//   least_squares_fractions [file]
//
// file: whitespace-separated columns  energy  sample  reference_Ni2+  reference_Ni3+  ('#' comments).
// Without a file the example builds synthetic L3-edge spectra with a known Ni2+ fraction of 0.35.
#include <valence/chem/oxidation.hpp>
#include <valence/core/check.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/io/columns.hpp>

#include <boost/math/constants/constants.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

struct spectra {
  Eigen::VectorXd energy;
  Eigen::VectorXd sample;
  Eigen::MatrixXd references;  // one column per reference
};

// A white line (Gaussian) on an arctangent step: a crude but honest L3-edge shape.
double l3_edge(double e, double peak) {
  const double pi = boost::math::constants::pi<double>();
  return 0.5 + std::atan((e - peak - 1.0) / 0.6) / pi + 1.8 * std::exp(-0.5 * std::pow((e - peak) / 0.55, 2));
}

spectra synthetic() {
  const Eigen::Index n = 301;
  spectra s{Eigen::VectorXd::LinSpaced(n, 848.0, 860.0), Eigen::VectorXd(n), Eigen::MatrixXd(n, 2)};
  std::mt19937_64 gen(2026);
  std::normal_distribution<double> noise(0.0, 0.01);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double e = s.energy(i);
    s.references(i, 0) = l3_edge(e, 853.2);  // Ni2+ (NiO-like): lower-energy main peak
    s.references(i, 1) = l3_edge(e, 854.6);  // Ni3+ (LiNiO2-like): shifted to higher energy
    s.sample(i) = 0.35 * s.references(i, 0) + 0.65 * s.references(i, 1) + noise(gen);
  }
  return s;
}

spectra read_file(const char* path) {
  const auto table = valence::io::read_columns(path);
  if (table.values.cols() != 4) {
    throw valence::parse_error(
        path, 0, "found " + std::to_string(table.values.cols()) + " columns; expected 4: energy sample ref_a ref_b");
  }
  return {table.values.col(0), table.values.col(1), table.values.rightCols(2)};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const spectra s = argc > 1 ? read_file(argv[1]) : synthetic();
    valence::core::check_abscissa("least_squares_fractions", "energy", s.energy, 3);

    // Fractions are non-negative, at most 1 and sum to one: solved exactly, not clipped.
    valence::fit::least_squares_options<double> options;
    options.lower = Eigen::Vector2d(0.0, 0.0);
    options.upper = Eigen::Vector2d(1.0, 1.0);
    options.sum_to = 1.0;
    const auto fit = valence::fit::least_squares(s.references, s.sample, options);

    // Mean valence 2 f2 + 3 f3 with its standard error from the covariance of the fractions.
    const auto mean_valence =
        valence::chem::average_oxidation_state(Eigen::Vector2d(2.0, 3.0), fit.coefficients, fit.covariance);

    std::printf("points fitted      : %ld (dof %ld)\n", static_cast<long>(fit.observations),
                static_cast<long>(fit.dof));
    std::printf("Ni2+ fraction      : %.4f +- %.4f\n", fit.coefficients(0), fit.standard_errors(0));
    std::printf("Ni3+ fraction      : %.4f +- %.4f\n", fit.coefficients(1), fit.standard_errors(1));
    std::printf("mean Ni valence    : %.4f +- %.4f\n", mean_valence.value, mean_valence.standard_error);
    std::printf("R-factor           : %.3e\n", fit.r_factor);
    std::printf("reduced chi-square : %.3e\n", fit.reduced_chi_square);
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
