// SPDX-License-Identifier: MIT
// White-line fitting and PCA as in the EELS study of cycled NMC, which compares Mn L3/L2 ratios
// between the particle surface, a transition zone and the bulk. Each spectrum is fitted with two
// Gaussian white lines on a double arctangent step whose L2 part is tied to the L3 part (half its
// height, 11.0 eV above it, the same width), and the L3/L2 area ratio is reported with its error
// propagated from the fit covariance. PCA of a line scan from surface to bulk then asks how many
// distinct spectra it holds, and whether the bulk spectrum is one of them.
//
//   white_line_fit
//
// Synthetic data (counts with Poisson-like noise): surface L3/L2 = 2.6 (reduced Mn), transition
// 2.2 with its L3 line 0.6 eV lower, bulk 1.9 (Mn4+); the line scan mixes the three spectra.
#include <valence/fit/lineshape_model.hpp>
#include <valence/fit/lineshapes.hpp>
#include <valence/fit/pca.hpp>

#include <cmath>
#include <cstdio>
#include <random>

namespace {

using valence::vector_d;

// Mn L2,3 in arbitrary units: L3/L2 area ratio `ratio`, L3 line `shift` eV from 641 eV, steps at 2:1.
vector_d mn_l23(const vector_d& energy, double ratio, double shift = 0) {
  vector_d s(energy.size());
  for (Eigen::Index i = 0; i < energy.size(); ++i) {
    const double e = energy(i);
    s(i) = valence::fit::gaussian(e, 4.0 * ratio / (1 + ratio), 641.0 + shift, 1.1) +
           valence::fit::gaussian(e, 4.0 / (1 + ratio), 652.0, 1.4) + valence::fit::arctan_step(e, 0.30, 642.0, 0.8) +
           valence::fit::arctan_step(e, 0.15, 653.0, 0.8) + 0.05;
  }
  return s;
}

vector_d noisy(vector_d s, double scale, std::mt19937_64& rng) {
  for (auto& v : s) {
    std::normal_distribution<double> noise(0.0, std::sqrt(v * scale) / scale);  // counts = v * scale
    v += noise(rng);
  }
  return s;
}

struct ratio_with_error {
  double value;
  double error;
};

ratio_with_error l3_l2_ratio(const vector_d& energy, const vector_d& spectrum, double scale) {
  using valence::fit::lineshape;
  valence::fit::lineshape_model m;
  const auto step = m.add_parameter("step", 0.2, 0.0);
  const auto e3 = m.add_parameter("e3", 642.5, 638.0, 646.0);
  const auto step_width = m.add_parameter("step_width", 1.0, 0.1, 5.0);
  m.add(lineshape::arctan_step, {step, e3, step_width});
  m.add(lineshape::arctan_step, {m.add_tied("step2", step, 0.5), m.add_tied("e2", e3, 1.0, 11.0), step_width});
  m.add(lineshape::gaussian,
        {m.add_parameter("a3", 2.0, 0.0), m.add_parameter("c3", 640.5), m.add_parameter("w3", 1.0, 0.1, 5.0)});
  m.add(lineshape::gaussian,
        {m.add_parameter("a2", 1.0, 0.0), m.add_parameter("c2", 651.5), m.add_parameter("w2", 1.0, 0.1, 5.0)});
  m.add(lineshape::constant, {m.add_parameter("background", 0.0)});
  valence::fit::lineshape_fit_options options;
  options.sigma = (spectrum.cwiseMax(1e-3) / scale).cwiseSqrt();  // Poisson: sigma = sqrt(counts)/scale
  const auto fit = m.fit(energy, spectrum, options);
  if (!fit.solver.converged) {
    throw valence::fit_error(std::string("white_line_fit: the fit did not converge (") +
                             valence::fit::to_string(fit.solver.reason) + ")");
  }
  const double a3 = fit.value("a3");
  const double a2 = fit.value("a2");
  const Eigen::Index i3 = fit.parameter_index("a3");
  const Eigen::Index i2 = fit.parameter_index("a2");
  const double r = a3 / a2;
  const double relative_variance =
      fit.covariance(i3, i3) / (a3 * a3) + fit.covariance(i2, i2) / (a2 * a2) - 2 * fit.covariance(i3, i2) / (a3 * a2);
  return {r, r * std::sqrt(relative_variance)};
}

}  // namespace

int main() {
  try {
    std::mt19937_64 rng(42);
    const double scale = 2e4;  // counts per unit intensity
    const vector_d energy = vector_d::LinSpaced(300, 630.0, 675.0);
    const struct {
      const char* region;
      double truth;
      double shift;
    } regions[] = {{"surface", 2.6, 0.0}, {"transition", 2.2, -0.6}, {"bulk", 1.9, 0.0}};
    for (const auto& region : regions) {
      const auto r = l3_l2_ratio(energy, noisy(mn_l23(energy, region.truth, region.shift), scale, rng), scale);
      std::printf("%-10s L3/L2 = %.3f +- %.3f (truth %.1f)\n", region.region, r.value, r.error, region.truth);
    }
    // A 20-point line scan from surface to bulk: mixtures of the three spectra plus noise. After
    // mean-centring, three end members span two components.
    const vector_d surface = mn_l23(energy, 2.6);
    const vector_d transition = mn_l23(energy, 2.2, -0.6);
    const vector_d bulk = mn_l23(energy, 1.9);
    valence::matrix_d scan(energy.size(), 20);
    for (Eigen::Index k = 0; k < 20; ++k) {
      const double depth = static_cast<double>(k);
      const double f_surface = std::exp(-0.5 * depth);
      const double f_transition = (1 - f_surface) * std::exp(-std::pow((depth - 6) / 4, 2));
      scan.col(k) =
          noisy(f_surface * surface + f_transition * transition + (1 - f_surface - f_transition) * bulk, scale, rng);
    }
    const auto pca = valence::fit::pca(scan);
    std::printf("line scan: %td components by IND, %td by the F-test; variance in the first two %.5f\n",
                pca.ind_components, pca.significant_components, pca.variance_fraction.head(2).sum());
    const auto target = valence::fit::target_transform(pca, noisy(bulk, scale, rng), 2);
    std::printf("bulk spectrum as a target on 2 components: SPOIL %.2f (acceptable below 3)\n", target.spoil);
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
