// SPDX-License-Identifier: MIT
// Linear-combination fitting of XANES as in the NMC622 study, which reads the Ni2+ fraction of
// cycled cathodes from Ni L3-edge spectra: one spectrum fitted with a shared energy shift, every
// combination of candidate standards ranked (Larch's duplicate rule, Hamilton p-values), and a
// series of spectra (one per cycle) fitted in one batch into fractions and a mean Ni valence with
// errors propagated from each spectrum's weight covariance.
//
//   lcf_series [unknown.dat standard.dat ...]
//
// Files: two whitespace-separated columns, energy (eV) and the normalised spectrum, '#' comments
// (Larch's doc_example3 layout). With files, the first is fitted by the standards (window: where
// all files overlap) and ranked over every combination of 1-3 of them. Without files the example
// builds synthetic Ni L3 spectra: Ni2+, Ni3+ and Ni4+ standards and a ten-cycle series whose Ni2+
// fraction grows from 0.10 to 0.55 (Ni3+ is the rest), measured 0.3 eV high, with noise 0.004.
#include <valence/io/columns.hpp>
#include <valence/xas/lcf.hpp>
#include <valence/xas/lcf_all.hpp>
#include <valence/xas/lcf_batch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

using valence::vector_d;
using valence::xas::lcf_standard;

lcf_standard read_two_columns(const char* path) {
  const auto table = valence::io::read_columns(path);
  if (table.values.cols() < 2) {
    throw valence::parse_error(path, 0, "found 1 column; expected energy and the normalised spectrum");
  }
  const std::string name(path);
  return {name.substr(name.find_last_of('/') + 1), table.values.col(0), table.values.col(1)};
}

// A Ni L3 edge: white line on an arctangent step, both moving up about 1.1 eV per unit of valence.
vector_d ni_l3(const vector_d& energy, double valence) {
  const double peak = 853.0 + 1.1 * (valence - 2);
  const double pi = 3.14159265358979323846;
  return (0.5 + ((energy.array() - peak - 1.0) / 0.6).atan() / pi +
          (1.9 - 0.25 * (valence - 2)) * (-0.5 * ((energy.array() - peak) / 0.55).square()).exp())
      .matrix();
}

void print_fit(const valence::xas::lcf_result& fit) {
  for (Eigen::Index j = 0; j < fit.weights.size(); ++j) {
    std::printf("  %-12s %.4f +- %.4f\n", fit.names[std::size_t(j)].c_str(), fit.weights(j), fit.weight_errors(j));
  }
  std::printf("  reduced chi2 %.3g, R-factor %.3g\n", fit.reduced_chi_square, fit.r_factor);
}

void rank(const vector_d& energy, const vector_d& mu, const std::vector<lcf_standard>& standards,
          const valence::xas::lcf_options& options) {
  valence::xas::lcf_all_options all;
  all.min_standards = 1;
  all.max_standards = std::min<Eigen::Index>(3, Eigen::Index(standards.size()));
  const auto ranked = valence::xas::lcf_all(energy, mu, standards, options, all);
  std::printf("\nlcf_all: %zu fits kept, best first\n", ranked.size());
  for (std::size_t i = 0; i < std::min<std::size_t>(ranked.size(), 4); ++i) {
    std::printf("  #%zu reduced chi2 %.3g  p = %.3g :", i + 1, ranked[i].fit.reduced_chi_square, ranked[i].p_value);
    for (std::size_t j = 0; j < ranked[i].standards.size(); ++j) {
      std::printf(" %s %.3f", ranked[i].fit.names[j].c_str(), ranked[i].fit.weights(Eigen::Index(j)));
    }
    std::printf("\n");
  }
}

int synthetic() {
  const vector_d grid = vector_d::LinSpaced(401, 840.0, 880.0);
  const std::vector<lcf_standard> standards = {
      {"Ni2+", grid, ni_l3(grid, 2)}, {"Ni3+", grid, ni_l3(grid, 3)}, {"Ni4+", grid, ni_l3(grid, 4)}};
  // The series, on the measurement grid, 0.3 eV above the standards' energy scale.
  const vector_d energy = vector_d::LinSpaced(201, 848.0, 868.0);
  const vector_d measured_at = energy.array() - 0.3;
  Eigen::MatrixXd series(energy.size(), 10);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.004);
  for (Eigen::Index c = 0; c < 10; ++c) {
    const double ni2 = 0.10 + 0.05 * double(c);
    series.col(c) = ni2 * ni_l3(measured_at, 2) + (1 - ni2) * ni_l3(measured_at, 3);
    for (auto& v : series.col(c)) {
      v += noise(rng);
    }
  }
  valence::xas::lcf_options options;
  options.window = {849.0, 866.0};
  options.shift = valence::xas::lcf_shift::shared;
  const auto first = valence::xas::lcf(energy, series.col(0), standards, options);
  std::printf("cycle 1, shared shift (truth Ni2+ 0.10, Ni3+ 0.90, shift 0.30 eV):\n");
  print_fit(first);
  std::printf("  shift %.3f +- %.3f eV\n", first.shifts(0), first.shift_errors(0));
  rank(energy, series.col(0), standards, options);
  // The whole series in one batch, on the standards moved by the fitted shift.
  std::vector<lcf_standard> shifted = standards;
  for (auto& s : shifted) {
    s.energy.array() += first.shifts(0);
  }
  options.shift = valence::xas::lcf_shift::none;
  const auto maps = valence::xas::lcf_batch(energy, series, shifted, options, Eigen::Vector3d(2, 3, 4));
  std::printf("\nlcf_batch over 10 cycles (truth Ni2+ 0.10 ... 0.55; Ni valence 2.90 ... 2.45):\n");
  for (Eigen::Index c = 0; c < series.cols(); ++c) {
    std::printf("  cycle %2d  Ni2+ %.3f +- %.3f   Ni valence %.3f +- %.3f\n", int(c + 1), maps.weights(0, c),
                maps.weight_errors(0, c), maps.mean_value(c), maps.mean_value_error(c));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 3) {
      return synthetic();
    }
    const auto unknown = read_two_columns(argv[1]);
    std::vector<lcf_standard> standards;
    for (int a = 2; a < argc; ++a) {
      standards.push_back(read_two_columns(argv[a]));
    }
    valence::xas::lcf_options options;
    // The window: where the unknown and every standard are all measured.
    double lower = unknown.energy(0);
    double upper = unknown.energy(unknown.energy.size() - 1);
    for (const auto& s : standards) {
      lower = std::max(lower, s.energy(0));
      upper = std::min(upper, s.energy(s.energy.size() - 1));
    }
    // Larch's window rule starts at the last point at or below the lower end: make that a data point.
    Eigen::Index first = 0;
    while (unknown.energy(first) < lower) {
      ++first;
    }
    options.window = {unknown.energy(first), upper};
    std::printf("%s:\n", argv[1]);
    print_fit(valence::xas::lcf(unknown.energy, unknown.spectrum, standards, options));
    rank(unknown.energy, unknown.spectrum, standards, options);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lcf_series: %s\n", e.what());
    return 1;
  }
}
