// SPDX-License-Identifier: MIT
// Reading a K-edge the way a valence study does: normalise it (Larch's pre_edge rules), report
// E0 and the edge step, and the edge position by two definitions (half step, derivative
// maximum); then, with the core tools, smooth the noisy spectrum the way Larch does, put it on a
// fine grid with a not-a-knot cubic spline and read the maximum of its derivative.
//
//   edge_position [file]
//
// file: an XDI file (mu from its mutrans column, else ln(i0/itrans)) or whitespace-separated
// columns  energy  mu  ('#' comments). Without a file a synthetic Ni K-edge (8345 eV inflection)
// with noise is used.
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/smooth.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/xdi.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/pre_edge.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  try {
    Eigen::VectorXd energy;
    Eigen::VectorXd mu;
    const std::string path = argc > 1 ? argv[1] : "";
    if (path.size() > 4 && path.substr(path.size() - 4) == ".xdi") {
      const auto xdi = valence::io::read_xdi(path);
      energy = xdi.column("energy");
      const bool has_mu = std::find(xdi.labels.begin(), xdi.labels.end(), "mutrans") != xdi.labels.end();
      mu = has_mu ? xdi.column("mutrans") : valence::io::derive_mu(xdi, valence::io::xdi_mu::transmission);
    } else if (argc > 1) {
      const auto table = valence::io::read_columns(argv[1]);
      if (table.values.cols() < 2) {
        throw valence::parse_error(argv[1], 0, "found 1 column; expected 2: energy mu");
      }
      energy = table.values.col(0);
      mu = table.values.col(1);
    } else {
      std::mt19937_64 gen(1);
      std::normal_distribution<double> noise(0.0, 0.004);
      const double pi = boost::math::constants::pi<double>();
      energy = Eigen::VectorXd::LinSpaced(1101, 8150.0, 8700.0);  // 0.5 eV steps
      mu.resize(energy.size());
      for (Eigen::Index i = 0; i < energy.size(); ++i) {
        mu(i) = 0.2 + 0.5 + std::atan((energy(i) - 8345.0) / 2.0) / pi + noise(gen);
      }
    }

    const auto normalised = valence::xas::pre_edge(energy, mu);
    std::printf("E0 (find_e0)      : %.2f eV\n", normalised.e0);
    std::printf("edge step         : %.4f (pre-edge %+.0f..%+.0f eV, post-edge %+.0f..%+.0f eV, degree %d)\n",
                normalised.edge_step, normalised.pre1, normalised.pre2, normalised.norm1, normalised.norm2,
                normalised.nnorm);
    std::printf("edge (half step)  : %.2f eV\n", valence::xas::edge_energy(energy, mu));
    valence::xas::edge_energy_options derivative_maximum;
    derivative_maximum.definition = valence::xas::edge_definition::derivative_maximum;
    std::printf("edge (max dnorm/dE, sub-grid): %.2f eV\n", valence::xas::edge_energy(energy, mu, derivative_maximum));

    const Eigen::VectorXd smoothed = valence::core::smooth(energy, mu, 1.0);
    const valence::core::cubic_spline<double> spline(energy, smoothed);
    const Eigen::VectorXd fine = Eigen::VectorXd::LinSpaced(20 * energy.size(), energy(0), energy(energy.size() - 1));
    const Eigen::VectorXd derivative = valence::core::gradient(spline(fine), fine);
    Eigen::Index peak = 0;
    derivative.maxCoeff(&peak);
    std::printf("points            : %ld\n", static_cast<long>(energy.size()));
    std::printf("edge (max dmu/dE) : %.2f eV (smoothed, spline)\n", fine(peak));
    std::printf("max dmu/dE        : %.4f per eV\n", derivative(peak));
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
