// SPDX-License-Identifier: MIT
// Ni valence from the K-edge position, the way the concentration-gradient NMC622 study reads it:
// every scan carries a Ni-foil reference channel, so each one is first calibrated to the foil's
// tabulated 8333 eV; the sample's repeated scans are deglitched and merged; the half-step edge
// energies of Ni2+, Ni3+ and Ni4+ standards calibrate a line, and the sample's edge energy (with
// its scan-to-scan error) is read off it as an oxidation state with a standard error.
//
//   xanes_valence [scan.txt ...]
//
// scan.txt: whitespace-separated columns  energy  mu  foil  ('#' comments), one file per repeated
// scan of the sample (at least two). Without files, three synthetic scans of a Ni3.4+ sample are
// used (with monochromator offsets and one glitch). The standards are built-in synthetic Ni K
// edges (8342.0, 8343.9, 8345.8 eV for Ni2+, Ni3+, Ni4+), the role reference scans play in a study.
#include <valence/io/columns.hpp>
#include <valence/xas/calibration.hpp>
#include <valence/xas/deglitch.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/merge.hpp>
#include <valence/xas/oxidation_calibration.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

struct scan {
  Eigen::VectorXd energy, mu, foil;
};

// A Ni K edge: arctangent step at `edge` (the half-step energy), a white line 6 eV above it and a
// weak pre-edge peak; the foil channel has its first inflection at 8333 eV on the true scale.
// `offset` is the monochromator error: the recorded energy axis reads `offset` eV high.
scan synthetic_scan(double edge, double offset, double noise_level, std::mt19937_64& generator) {
  std::normal_distribution<double> noise(0.0, noise_level);
  const double pi = boost::math::constants::pi<double>();
  scan s;
  const int n = 700;
  s.energy.resize(n);
  s.mu.resize(n);
  s.foil.resize(n);
  for (int i = 0; i < n; ++i) {
    const double e = 8200.0 + 0.5 * i;  // true energy
    s.energy(i) = e + offset;
    s.mu(i) = 0.3 + 0.5 + std::atan((e - edge) / 1.5) / pi + 0.45 * std::exp(-std::pow((e - edge - 6.0) / 3.0, 2)) +
              0.03 * std::exp(-std::pow((e - 8333.0) / 1.0, 2)) + noise(generator);
    s.foil(i) = 0.1 + 0.5 + std::atan((e - 8333.0) / 1.0) / pi + 0.2 * std::exp(-std::pow((e - 8340.0) / 4.0, 2));
  }
  return s;
}

scan read_scan(const char* path) {
  const auto table = valence::io::read_columns(path);
  if (table.values.cols() < 3) {
    throw valence::parse_error(path, 0,
                               "found " + std::to_string(table.values.cols()) + " columns; expected 3: energy mu foil");
  }
  return {table.values.col(0), table.values.col(1), table.values.col(2)};
}

// Calibrates a scan's energy axis with its foil channel; returns the shift applied.
double calibrate(scan& s) {
  const auto calibration = valence::xas::calibrate_energy(s.energy, s.foil, valence::xas::k_edge_energy("Ni"));
  s.energy.array() += calibration.shift;
  return calibration.shift;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::mt19937_64 generator(2024);
    // 1. Standards of known valence: calibrate each, then its half-step edge energy.
    const double standard_edges[] = {8342.0, 8343.9, 8345.8};
    const double standard_offsets[] = {0.6, -0.4, 1.1};
    Eigen::Vector3d states(2, 3, 4);
    Eigen::Vector3d edges;
    for (int k = 0; k < 3; ++k) {
      scan standard = synthetic_scan(standard_edges[k], standard_offsets[k], 0.002, generator);
      const double shift = calibrate(standard);
      edges(k) = valence::xas::edge_energy(standard.energy, standard.mu);
      std::printf("Ni%.0f+ standard : foil shift %+.2f eV, half-step edge %.2f eV\n", states(k), shift, edges(k));
    }
    const auto line = valence::xas::calibrate_oxidation_state(edges, states);
    std::printf("calibration      : E = %.2f + %.3f s eV (%ld standards)\n", line.intercept, line.slope,
                static_cast<long>(line.references));

    // 2. The sample's repeated scans: calibrate, deglitch, edge energy of each, then merge.
    std::vector<scan> scans;
    if (argc > 2) {
      for (int a = 1; a < argc; ++a) {
        scans.push_back(read_scan(argv[a]));
      }
    } else if (argc == 2) {
      throw valence::invalid_input("xanes_valence: give at least two scans of the sample to merge");
    } else {
      const double truth_edge = 8342.0 + 0.4 * 1.9 + 1.9;  // Ni3.4+ on the standards' line
      for (const double offset : {0.8, 0.3, -0.5}) {
        scans.push_back(synthetic_scan(truth_edge, offset, 0.004, generator));
      }
      scans[1].mu(300) += 0.08;  // a monochromator glitch in the second scan
      std::printf("synthetic sample : Ni3.40+ (edge %.2f eV), three scans\n", truth_edge);
    }
    std::vector<Eigen::VectorXd> energies, mus;
    Eigen::VectorXd scan_edges(static_cast<Eigen::Index>(scans.size()));
    for (std::size_t k = 0; k < scans.size(); ++k) {
      scan& s = scans[k];
      const double shift = calibrate(s);
      const auto glitches = valence::xas::find_glitches(s.energy, s.mu);
      const auto clean = valence::xas::remove_points(s.energy, s.mu, glitches);
      scan_edges(static_cast<Eigen::Index>(k)) = valence::xas::edge_energy(clean.energy, clean.mu);
      std::printf("scan %zu           : foil shift %+.2f eV, %zu glitch point(s) removed, edge %.3f eV\n", k + 1, shift,
                  glitches.size(), scan_edges(static_cast<Eigen::Index>(k)));
      energies.push_back(clean.energy);
      mus.push_back(clean.mu);
    }
    const auto merged = valence::xas::merge_scans(energies, mus);
    const double edge = valence::xas::edge_energy(merged.energy, merged.mu);
    // The scan-to-scan scatter of the edge energy is its error; the merged edge is the estimate.
    const double n = static_cast<double>(scan_edges.size());
    const double mean = scan_edges.mean();
    const double spread = std::sqrt((scan_edges.array() - mean).square().sum() / (n - 1));
    const double edge_error = spread / std::sqrt(n);
    std::printf("merged sample    : edge %.3f +- %.3f eV (median point error %.4f)\n", edge, edge_error, [&] {
      Eigen::VectorXd e = merged.standard_error;
      std::nth_element(e.data(), e.data() + e.size() / 2, e.data() + e.size());
      return e(e.size() / 2);
    }());

    // 3. The oxidation state, with the calibration's and the edge's errors propagated.
    const auto valence_state = line.oxidation_state(edge, edge_error);
    std::printf("Ni oxidation state : %.2f +- %.2f%s\n", valence_state.state, valence_state.standard_error,
                valence_state.extrapolated ? " (outside the standards' range: extrapolated)" : "");
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
