// SPDX-License-Identifier: MIT
// The concentration-gradient NMC622 study replayed: is the surface of a gradient particle (Mn-rich,
// Ni-poor) less reduced after cycling than that of a conventional one? The evidence, in the study's
// order, each next to the synthetic truth it was built from:
//   1. Ni K-edge XANES (bulk) of pristine and cycled material on the foil-calibrated energy scale,
//      and the edge shift;
//   2. Ni L3-edge linear-combination fits: the Ni2+ fraction at the surface (TEY) and below it
//      (PFY) of conventional and gradient material;
//   3. Mn L-edge TEY and PFY, normalised from the raw channels, and their Mn2+ fractions; the
//      surface electron ledger (Mn4+ -> Mn2+ against Ni2+ -> Ni3+) of both compositions;
//   4. an XRF Mn/Ni ratio map of a gradient particle's cross-section, a line profile through its
//      centre and the width of the gradient;
//   5. dQ/dV over ten cycles of each material: the Ni2+/Ni3+ oxidation peak tracked as the
//      conventional cell's polarisation grows faster than the gradient cell's.
// Figures (SVG) and tables (CSV) go to figures/gradient_nmc622/.
//
//   gradient_nmc622
//   gradient_nmc622 PRISTINE CYCLED [FOIL]
//
// With files: part 1 on real Ni K-edge scans, XDI or two-column text (energy in eV, mu). An XDI
// file with i0 and itrans gives mu = ln(i0/itrans); with irefer too, its own reference foil
// ln(itrans/irefer) calibrates it. FOIL, when given, is one foil scan that calibrates both.
#include <valence/chem/composition.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/xdi.hpp>
#include <valence/maps/line_profile.hpp>
#include <valence/maps/ratio_map.hpp>
#include <valence/xas/calibration.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/lcf.hpp>
#include <valence/xas/pre_edge.hpp>
#include <valence/xas/soft_xas.hpp>

#include "support/figures.hpp"
#include "support/l_edge_share.hpp"
#include "support/svg_plot.hpp"
#include "support/synthetic_cycler.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using valence::matrix_d;
using valence::vector_d;
using valence::core::index;

constexpr double pi = 3.14159265358979323846;

using svg_plot::as_vector;

// ---- 1. Ni K edge -------------------------------------------------------------------------------

// A Ni K edge: an arctangent step (half height at `edge`) and a white line 8 eV above it.
vector_d ni_k_edge(const vector_d& energy, double edge, double offset, std::mt19937_64& generator) {
  std::normal_distribution<double> noise(0.0, 0.003);
  vector_d mu(energy.size());
  for (index i = 0; i < energy.size(); ++i) {
    const double e = energy(i);
    mu(i) = 0.15 + 0.5 + std::atan((e - edge) / 2.0) / pi + 0.6 * std::exp(-0.5 * std::pow((e - edge - 8) / 3.0, 2)) +
            offset + noise(generator);
  }
  return mu;
}

void ni_k_edge_shift(const std::filesystem::path& dir, std::mt19937_64& generator) {
  // The monochromator reads 1.6 eV high: every feature appears 1.6 eV above its true energy, the
  // Ni foil's edge (8333.0 eV, tabulated) included.
  const double misread = 1.6;
  const vector_d energy = vector_d::LinSpaced(801, 8200.0, 8600.0);  // as the monochromator reads it
  vector_d foil(energy.size());
  for (index i = 0; i < energy.size(); ++i) {
    foil(i) = 0.5 + std::atan((energy(i) - 8333.0 - misread) / 1.5) / pi;
  }
  const auto calibration = valence::xas::calibrate_energy(energy, foil, valence::xas::k_edge_energy("Ni"));
  const vector_d calibrated = energy.array() + calibration.shift;
  const vector_d pristine = ni_k_edge(energy, 8344.0 + misread, 0.0, generator);
  const vector_d cycled = ni_k_edge(energy, 8343.1 + misread, 0.02, generator);
  const double e_pristine = valence::xas::edge_energy(calibrated, pristine);
  const double e_cycled = valence::xas::edge_energy(calibrated, cycled);
  std::printf(
      "1. Ni K edge (bulk), foil-calibrated (Ni foil measured at %.2f eV, tabulated %.1f: shift %+.2f eV; "
      "truth %+.2f)\n",
      calibration.measured, calibration.tabulated, calibration.shift, -misread);
  std::printf("   edge (half step): pristine %.2f eV (truth 8344.00), cycled %.2f eV (truth 8343.10)\n", e_pristine,
              e_cycled);
  std::printf("   edge shift on cycling: %+.2f eV (truth -0.90): Ni is reduced in the bulk\n", e_cycled - e_pristine);
  svg_plot::line_plot p;
  p.title = "Ni K-edge XANES, foil-calibrated";
  p.x_label = "energy (eV)";
  p.y_label = "normalised absorption";
  const auto a = valence::xas::pre_edge(calibrated, pristine);
  const auto b = valence::xas::pre_edge(calibrated, cycled);
  p.data = {{as_vector(calibrated), as_vector(a.norm), {}, "pristine", 0},
            {as_vector(calibrated), as_vector(b.norm), {}, "cycled", 1}};
  p.markers = {{e_pristine, true, ""}, {e_cycled, true, "half step"}};
  p.x_min = 8320;
  p.x_max = 8380;
  svg_plot::write_line_plot((dir / "ni_k_edge.svg").string(), p);
}

// ---- 2. Ni L3 LCF ---------------------------------------------------------------------------------

// A Ni L3 edge: white line on an arctangent step, both moving up about 1.1 eV per unit of valence.
vector_d ni_l3(const vector_d& energy, double valence) {
  const double peak = 853.0 + 1.1 * (valence - 2);
  return (0.5 + ((energy.array() - peak - 1.0) / 0.6).atan() / pi +
          (1.9 - 0.25 * (valence - 2)) * (-0.5 * ((energy.array() - peak) / 0.55).square()).exp())
      .matrix();
}

struct lcf_case {
  const char* material;
  const char* channel;
  double ni2;  // the truth
  double noise;
};

void ni_l3_fractions(const std::filesystem::path& dir, std::mt19937_64& generator) {
  const vector_d energy = vector_d::LinSpaced(301, 848.0, 863.0);
  const std::vector<valence::xas::lcf_standard> standards{{"Ni2+", energy, ni_l3(energy, 2)},
                                                          {"Ni3+", energy, ni_l3(energy, 3)}};
  valence::xas::lcf_options options;
  options.window = {849.0, 860.0};
  std::printf("\n2. Ni L3 linear-combination fits (Ni2+ and Ni3+ standards, weights sum to 1)\n");
  std::printf("   material      channel  Ni2+ fraction        truth\n");
  const lcf_case cases[] = {{"conventional", "TEY", 0.45, 0.01},
                            {"conventional", "PFY", 0.20, 0.02},
                            {"gradient", "TEY", 0.25, 0.01},
                            {"gradient", "PFY", 0.12, 0.02}};
  for (const auto& c : cases) {
    std::normal_distribution<double> noise(0.0, c.noise);
    vector_d mu = c.ni2 * ni_l3(energy, 2) + (1 - c.ni2) * ni_l3(energy, 3);
    for (index i = 0; i < mu.size(); ++i) {
      mu(i) += noise(generator);
    }
    const auto fit = valence::xas::lcf(energy, mu, standards, options);
    std::printf("   %-13s %-8s %.3f +- %.3f        %.2f\n", c.material, c.channel, fit.weights(0), fit.weight_errors(0),
                c.ni2);
    if (std::string(c.material) == "gradient" && std::string(c.channel) == "TEY") {
      svg_plot::line_plot p;
      p.title = "Ni L3, gradient material, TEY: linear combination";
      p.x_label = "energy (eV)";
      p.y_label = "normalised TEY";
      const vector_d ni2 = fit.weights(0) * ni_l3(fit.energy, 2);
      const vector_d ni3 = fit.weights(1) * ni_l3(fit.energy, 3);
      p.data = {{as_vector(fit.energy), as_vector(fit.data), {}, "data", 6, false, true},
                {as_vector(fit.energy), as_vector(fit.fit), {}, "fit", 1},
                {as_vector(fit.energy), as_vector(ni2), {}, "Ni2+ part", 0, true, false, true},
                {as_vector(fit.energy), as_vector(ni3), {}, "Ni3+ part", 2, true, false, true},
                {as_vector(fit.energy), as_vector(fit.data - fit.fit), {}, "residual", 4}};
      svg_plot::write_line_plot((dir / "ni_l3_lcf.svg").string(), p);
    }
  }
  std::printf("   the gradient surface holds less Ni2+ than the conventional one, in both depths\n");
}

// ---- 3. Mn L edge and the electron ledger ---------------------------------------------------------

// A Mn L2,3 edge: Mn2+ has its sharp L3 peak at 640.0 eV, Mn4+ at 643.3 eV (broader), each on
// error-function steps at its L3 and L2 edges (2:1).
vector_d mn_l3(const vector_d& energy, bool divalent) {
  const double peak = divalent ? 640.0 : 643.3;
  const double width = divalent ? 0.6 : 1.1;
  const double height = divalent ? 2.6 : 1.6;
  vector_d out(energy.size());
  for (index i = 0; i < energy.size(); ++i) {
    const double e = energy(i);
    out(i) = 0.5 * (1 + std::erf((e - peak - 0.8) / 0.7)) + height * std::exp(-0.5 * std::pow((e - peak) / width, 2)) +
             0.25 * (1 + std::erf((e - peak - 11.5) / 0.7));
  }
  return out;
}

void mn_l_edge(const std::filesystem::path& dir, std::mt19937_64& generator) {
  const vector_d energy = vector_d::LinSpaced(561, 620.0, 662.0);
  // The standards on the data's scale: L3 maximum 1.
  const vector_d mn2 = mn_l3(energy, true) / mn_l3(energy, true).maxCoeff();
  const vector_d mn4 = mn_l3(energy, false) / mn_l3(energy, false).maxCoeff();
  const std::vector<valence::xas::lcf_standard> standards{{"Mn2+", energy, mn2}, {"Mn4+", energy, mn4}};
  std::printf(
      "\n3. Mn L edge: raw TEY and PFY / I0, linear pre-edge removed, L3 maximum set to 1; Mn2+ fraction by LCF\n");
  svg_plot::line_plot p;
  p.title = "Mn L edge of the gradient material: surface (TEY) and bulk (PFY)";
  p.x_label = "energy (eV)";
  p.y_label = "normalised yield";
  struct channel {
    const char* material;
    const char* name;
    double mn2;  // the truth
  };
  // Truth: the share of the Mn L3 signal from Mn2+ (the mixture of the unit-maximum standards).
  const channel channels[] = {{"conventional", "TEY", 0.30},
                              {"conventional", "PFY", 0.05},
                              {"gradient", "TEY", 0.15},
                              {"gradient", "PFY", 0.02}};
  for (const auto& c : channels) {
    vector_d i0;
    const vector_d raw = l_edge_share::raw_channel(energy, c.mn2 * mn2 + (1 - c.mn2) * mn4, i0, generator);
    valence::xas::soft_xas_options o;
    o.pre_edge = valence::core::window<double>{620.0, 636.0};  // 16 eV: the line is extrapolated 26 eV
    const auto normalised = valence::xas::soft_normalize(energy, raw, i0, o);
    const auto [fraction, error] = l_edge_share::first_share(energy, normalised.norm, standards, {634.0, 660.0});
    std::printf("   %-13s %-4s Mn2+ %.3f +- %.3f (truth %.2f)\n", c.material, c.name, fraction, error, c.mn2);
    if (std::string(c.material) == "gradient") {
      p.data.push_back({as_vector(energy),
                        as_vector(normalised.norm),
                        {},
                        std::string(c.name),
                        std::string(c.name) == "TEY" ? 0 : 1});
    }
  }
  p.legend_left = true;
  svg_plot::write_line_plot((dir / "mn_l_edge.svg").string(), p);
}

// ---- Electron ledger ------------------------------------------------------------------------------

void ledger() {
  std::printf("\n   surface electron ledger (all Mn4+ -> Mn2+, all Ni2+ -> Ni3+)\n");
  for (const auto& [label, formula] :
       {std::pair<const char*, const char*>{"conventional NMC622", "LiNi0.6Mn0.2Co0.2O2"},
        std::pair<const char*, const char*>{"gradient surface", "LiNi0.4Mn0.4Co0.2O2"}}) {
    const auto c = valence::chem::parse_formula(formula);
    const auto l = valence::chem::balance_electrons(c, {{"Mn", 4, 2}, {"Ni", 2, 3}});
    const double ni = valence::chem::compensating_state_change(c, l, "Ni");
    std::printf("   %-20s %-22s Mn gains %.2f e, Ni loses %.2f e: net %+.2f e -> Ni must be %s (%+.2f)\n", label,
                formula, l.gained, l.lost, l.net, ni > 0 ? "oxidised" : "reduced", ni);
  }
  std::printf(
      "   the Mn-rich gradient surface, reduced, must oxidise its Ni further: less Ni2+ there, as the\n"
      "   L3 fits show\n");
}

// ---- 4. XRF ratio map -----------------------------------------------------------------------------

// The cross-section's composition at radius r (pixels): Ni-rich core to Mn-rich shell.
constexpr double core_radius = 18;    // the gradient's centre
constexpr double gradient_scale = 4;  // tanh scale, pixels
constexpr double particle_radius = 28;
double shell_share(double r) {
  return 0.5 * (1 + std::tanh((r - core_radius) / gradient_scale));
}
// Mn/Ni rises from the core's 0.125 (Ni0.8Mn0.1) to the shell's 0.6 (Ni0.5Mn0.3) as a tanh step.
double mn_over_ni(double r) {
  return 0.125 + (0.6 - 0.125) * shell_share(r);
}

void xrf_ratio(const std::filesystem::path& dir, std::mt19937_64& generator) {
  // Mn and Ni K-alpha counts per pixel of a flat cross-section (FIB lamella): 600 counts per unit
  // of Ni, 500 per unit of Mn (the detector's sensitivities), 2 counts of background outside.
  const index n = 64;
  matrix_d mn(n, n);
  matrix_d ni(n, n);
  for (index y = 0; y < n; ++y) {
    for (index x = 0; x < n; ++x) {
      const double r = std::hypot(double(x) - 31.5, double(y) - 31.5);
      const bool inside = r < particle_radius;
      const double nickel = 0.8 - 0.3 * shell_share(r);
      mn(y, x) = std::poisson_distribution<int>(inside ? 500 * mn_over_ni(r) * nickel : 2.0)(generator);
      ni(y, x) = std::poisson_distribution<int>(inside ? 600 * nickel : 2.0)(generator);
    }
  }
  valence::maps::ratio_map_options o;
  o.min_total = 40;  // outside the particle
  const auto counts = valence::maps::ratio_map(mn, ni, o);
  const matrix_d ratio = counts.ratio * (600.0 / 500.0);  // atomic Mn/Ni: the sensitivities divided out
  const matrix_d error = counts.error * (600.0 / 500.0);
  const valence::maps::map_point from{2.5, 31.5};
  const valence::maps::map_point to{60.5, 31.5};
  valence::maps::line_profile_options across;
  across.width = 5;
  const auto profile = valence::maps::line_profile(ratio, error, from, to, across);
  // The gradient: R(rho) = R_core + (R_shell - R_core) (1 + tanh((rho - r0)/w))/2 at rho = |d - 29|
  // from the centre, fitted to the profile points inside the particle, weighted by their errors.
  std::vector<index> used;
  for (index k = 0; k < profile.value.size(); ++k) {
    if (std::isfinite(profile.value(k)) && std::abs(profile.distance(k) - 29.0) < particle_radius - 2) {
      used.push_back(k);
    }
  }
  const auto residuals = [&](const vector_d& p) {
    vector_d r(static_cast<index>(used.size()));
    for (std::size_t i = 0; i < used.size(); ++i) {
      const index k = used[i];
      const double rho = std::abs(profile.distance(k) - 29.0);
      const double model = p(0) + (p(1) - p(0)) * 0.5 * (1 + std::tanh((rho - p(2)) / p(3)));
      r(index(i)) = (profile.value(k) - model) / profile.error(k);
    }
    return r;
  };
  valence::fit::levenberg_marquardt_options<double> lm;
  lm.scale_covariance = false;  // the residuals are divided by their standard errors
  lm.lower = (vector_d(4) << 0.0, 0.0, 5.0, 0.5).finished();
  lm.upper = (vector_d(4) << 2.0, 2.0, 27.0, 15.0).finished();
  const auto fit = valence::fit::levenberg_marquardt(residuals, (vector_d(4) << 0.2, 0.6, 15.0, 3.0).finished(), lm);
  const double width_10_90 = 2 * std::atanh(0.8);  // of a tanh step, in units of its scale
  std::printf("\n4. XRF Mn/Ni ratio map of a gradient particle's cross-section (%lld of %lld pixels kept)\n",
              static_cast<long long>(counts.valid()), static_cast<long long>(n * n));
  std::printf("   core Mn/Ni %.3f +- %.3f (truth 0.125), shell %.3f +- %.3f (truth 0.600)\n", fit.parameters(0),
              fit.standard_errors(0), fit.parameters(1), fit.standard_errors(1));
  std::printf("   gradient centre %.2f +- %.2f px (truth %.1f), 10-90 %% width %.2f +- %.2f px (truth %.2f)\n",
              fit.parameters(2), fit.standard_errors(2), core_radius, width_10_90 * fit.parameters(3),
              width_10_90 * fit.standard_errors(3), width_10_90 * gradient_scale);
  std::printf("   fit chi2/dof %.2f (%s)\n", fit.chi_square / double(used.size() - 4),
              fit.converged ? "converged" : "not converged");

  svg_plot::heat_map map;
  map.title = "XRF Mn/Ni atomic ratio, gradient particle cross-section";
  map.x_label = "x (pixel)";
  map.y_label = "y (pixel)";
  map.value_label = "Mn/Ni";
  map.values = ratio;
  map.v_min = 0;
  map.v_max = 0.8;
  map.path = {{from.x, from.y}, {to.x, to.y}};
  svg_plot::write_heat_map((dir / "mn_ni_ratio_map.svg").string(), map);

  svg_plot::line_plot p;
  p.title = "Mn/Ni across the particle (5 px wide)";
  p.x_label = "distance along the line (pixel)";
  p.y_label = "Mn/Ni";
  std::vector<double> d;
  std::vector<double> model;
  std::vector<double> truth;
  for (double t = 29.0 - particle_radius + 2; t <= 29.0 + particle_radius - 2; t += 0.25) {
    const double rho = std::abs(t - 29.0);
    d.push_back(t);
    model.push_back(fit.parameters(0) + (fit.parameters(1) - fit.parameters(0)) * 0.5 *
                                            (1 + std::tanh((rho - fit.parameters(2)) / fit.parameters(3))));
    truth.push_back(mn_over_ni(rho));
  }
  p.data = {{as_vector(profile.distance), as_vector(profile.value), as_vector(profile.error), "profile, +-1 sigma", 0,
             false, true},
            {d, model, {}, "tanh fit", 1},
            {d, truth, {}, "construction", 6, true, false, true}};
  p.y_min = 0;
  p.y_max = 0.8;
  p.legend_bottom = true;
  svg_plot::write_line_plot((dir / "mn_ni_profile.svg").string(), p);
  std::ofstream csv(dir / "mn_ni_profile.csv");
  csv << "distance_px,mn_over_ni,error,samples\n";
  for (index k = 0; k < profile.value.size(); ++k) {
    csv << profile.distance(k) << "," << profile.value(k) << "," << profile.error(k) << ","
        << profile.samples[std::size_t(k)] << "\n";
  }
}

// ---- 5. dQ/dV peak tracking ---------------------------------------------------------------------

void dqdv_tracking(const std::filesystem::path& dir) {
  std::printf("\n5. dQ/dV of the charges over 10 cycles at 1 mA: the Ni2+/Ni3+ peak (3.75 V at rest)\n");
  std::printf("   material      cycle 1 (V)  cycle 10 (V)  shift (mV)  truth (mV)\n");
  svg_plot::line_plot curves;
  curves.title = "dQ/dV on charge, conventional material";
  curves.x_label = "voltage (V)";
  curves.y_label = "dQ/dV (mAh/V)";
  curves.x_min = 3.6;
  curves.x_max = 4.3;
  svg_plot::line_plot peaks;
  peaks.title = "Ni2+/Ni3+ dQ/dV peak over cycles";
  peaks.x_label = "cycle";
  peaks.y_label = "peak voltage (V)";
  struct material {
    const char* name;
    double growth;  // ohm per cycle
  };
  const material materials[] = {{"conventional", 8.0}, {"gradient", 2.0}};
  for (std::size_t m = 0; m < 2; ++m) {
    const auto r = synthetic_cycler::synthetic_cycles(10, 10.0, materials[m].growth, unsigned(7 + m));
    const auto cycling = valence::echem::split_cycles(r.time, r.voltage, r.current);
    std::vector<valence::echem::differential_capacity_result> charges;
    for (const auto& c : cycling.cycles) {
      const auto& hc = cycling.half_cycles[static_cast<std::size_t>(c.first)];
      const index count = hc.end - hc.begin;
      charges.push_back(valence::echem::differential_capacity(cycling.capacity.segment(hc.begin, count),
                                                              r.voltage.segment(hc.begin, count)));
    }
    const auto track = valence::echem::track_peak(charges, 3.76, 0.03);
    const index last = track.voltage.size() - 1;
    std::printf("   %-13s %11.4f  %12.4f  %10.1f  %10.1f\n", materials[m].name, track.voltage(0), track.voltage(last),
                1e3 * (track.voltage(last) - track.voltage(0)), materials[m].growth * double(last));
    std::vector<double> cycle;
    std::vector<double> expected;
    for (index k = 0; k <= last; ++k) {
      cycle.push_back(double(k + 1));
      expected.push_back(3.75 + 1e-3 * (10.0 + materials[m].growth * double(k)));
    }
    peaks.data.push_back(
        {cycle, as_vector(track.voltage), {}, std::string(materials[m].name) + ", tracked", int(m), true, true});
    peaks.data.push_back(
        {cycle, expected, {}, std::string(materials[m].name) + ", 3.75 V + I R", int(m), true, false, true});
    if (m == 0) {
      for (const index k : {index(0), index(4), last}) {
        curves.data.push_back({as_vector(charges[std::size_t(k)].voltage),
                               as_vector(charges[std::size_t(k)].dq_dv),
                               {},
                               "cycle " + std::to_string(k + 1),
                               int(k == 0   ? 0
                                   : k == 4 ? 2
                                            : 1)});
      }
    }
  }
  curves.legend_left = true;
  svg_plot::write_line_plot((dir / "dqdv_conventional.svg").string(), curves);
  peaks.legend_left = true;
  svg_plot::write_line_plot((dir / "dqdv_peak.svg").string(), peaks);
}

// ---- Real scans ---------------------------------------------------------------------------------

struct scan {
  vector_d energy;
  vector_d mu;
  vector_d reference;  // the reference foil's mu, when the file has one
};

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// An XDI file (mu from mutrans or mu, else ln(i0/itrans); its foil from ln(itrans/irefer)) or a
// text file of two columns, energy and mu.
scan read_scan(const std::string& path) {
  if (!ends_with(path, ".xdi")) {
    const auto table = valence::io::read_columns(path);
    if (table.values.cols() < 2) {
      throw std::invalid_argument(path + " has " + std::to_string(table.values.cols()) +
                                  " column(s); expected energy (eV) and mu");
    }
    return {table.values.col(0), table.values.col(1), {}};
  }
  const auto f = valence::io::read_xdi(path);
  const auto column = [&](const char* label) -> std::optional<vector_d> {
    for (std::size_t k = 0; k < f.labels.size(); ++k) {
      if (f.labels[k] == label) {
        return vector_d(f.values.col(index(k)));
      }
    }
    return std::nullopt;
  };
  const auto energy = column("energy");
  if (!energy) {
    throw std::invalid_argument(path + " has no 'energy' column");
  }
  scan s{*energy, {}, {}};
  if (const auto mu = column("mutrans") ? column("mutrans") : column("mu")) {
    s.mu = *mu;
  } else if (const auto i0 = column("i0"), it = column("itrans"); i0 && it) {
    s.mu = (i0->array() / it->array()).log().matrix();
    if (const auto ir = column("irefer")) {
      s.reference = (it->array() / ir->array()).log().matrix();
    }
  } else {
    throw std::invalid_argument(path + " has none of the columns mutrans, mu or i0 and itrans");
  }
  return s;
}

int real_k_edge(const std::string& pristine_path, const std::string& cycled_path, const char* foil_path) {
  const auto dir = figures::folder("gradient_nmc622");
  const double tabulated = valence::xas::k_edge_energy("Ni");
  std::optional<scan> foil;
  if (foil_path != nullptr) {
    foil = read_scan(foil_path);
  }
  std::printf("1. Ni K edge from files (tabulated Ni foil edge %.1f eV)\n", tabulated);
  svg_plot::line_plot p;
  p.title = "Ni K-edge XANES, foil-calibrated";
  p.x_label = "energy (eV)";
  p.y_label = "normalised absorption";
  double edges[2] = {0, 0};
  const std::string paths[2] = {pristine_path, cycled_path};
  for (int k = 0; k < 2; ++k) {
    const auto s = read_scan(paths[k]);
    double shift = 0;
    const char* how = "not calibrated";
    if (foil) {
      shift = valence::xas::calibrate_energy(foil->energy, foil->mu, tabulated).shift;
      how = "the foil scan";
    } else if (s.reference.size() > 0) {
      shift = valence::xas::calibrate_energy(s.energy, s.reference, tabulated).shift;
      how = "its own reference channel";
    }
    const vector_d energy = s.energy.array() + shift;
    edges[k] = valence::xas::edge_energy(energy, s.mu);
    std::printf("   %s: %lld points, shift %+.2f eV from %s; edge (half step) %.2f eV\n", paths[k].c_str(),
                static_cast<long long>(energy.size()), shift, how, edges[k]);
    p.data.push_back({as_vector(energy),
                      as_vector(valence::xas::pre_edge(energy, s.mu).norm),
                      {},
                      k == 0 ? "pristine" : "cycled",
                      k});
  }
  std::printf("   edge shift, cycled - pristine: %+.2f eV\n", edges[1] - edges[0]);
  p.markers = {{edges[0], true, ""}, {edges[1], true, "half step"}};
  p.x_min = tabulated - 20;
  p.x_max = tabulated + 50;
  svg_plot::write_line_plot((dir / "ni_k_edge_files.svg").string(), p);
  std::printf("figure: %s/ni_k_edge_files.svg\n", dir.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 || argc == 4) {
      return real_k_edge(argv[1], argv[2], argc == 4 ? argv[3] : nullptr);
    }
    if (argc != 1) {
      std::fprintf(stderr, "usage: gradient_nmc622 [PRISTINE CYCLED [FOIL]]\n");
      return 2;
    }
    std::mt19937_64 generator(622);
    const auto dir = figures::folder("gradient_nmc622");
    ni_k_edge_shift(dir, generator);
    ni_l3_fractions(dir, generator);
    mn_l_edge(dir, generator);
    ledger();
    xrf_ratio(dir, generator);
    dqdv_tracking(dir);
    std::printf(
        "\nfigures: %s/{ni_k_edge,ni_l3_lcf,mn_l_edge,mn_ni_ratio_map,mn_ni_profile,dqdv_conventional,dqdv_peak}.svg, "
        "mn_ni_profile.csv\n",
        dir.string().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradient_nmc622: %s\n", e.what());
    return 1;
  }
}
