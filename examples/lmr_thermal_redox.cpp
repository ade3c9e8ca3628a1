// SPDX-License-Identifier: MIT
// The Li/Mn-rich (LMR) study replayed: a charged Li1.2Ni0.13Co0.13Mn0.54O2 electrode held at
// 100 C for 5 h. Are its surface transition metals reduced, its bulk oxygen oxidised, and do the
// two balance? Can GITT measure the lithium diffusivity that would carry the charge between them?
// The evidence, in the study's order, each next to the synthetic truth it was built from:
//   1. Ni, Co and Mn L-edge TEY (surface, ~5 nm) and PFY (bulk) before and after heating,
//      normalised from the raw channels; the reduced share of each metal by linear combination;
//   2. O K-edge RIXS maps of the pristine, the charged and the heated electrode: PFY, the sPFY at
//      the oxidised-oxygen feature (531 eV excitation, 523.7 eV emission) and emission cuts at
//      530-532 eV; oxygen holes per formula unit, calibrated by the charged state's electron
//      ledger;
//   3. GITT of the first charge (D falling from 1e-14 to 1e-17 cm^2/s near 0.7 Li extracted):
//      the study's protocol and one chosen by the validity ratio, step by step into log D against
//      Li extracted, each step with its ratio and flags;
//   4. the charge balance: electrons gained by the surface metals against electrons lost by the
//      bulk oxygen.
// Figures (SVG) and tables (CSV) go to figures/lmr_thermal_redox/.
//
//   lmr_thermal_redox
#include <valence/chem/composition.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/rixs/cuts.hpp>
#include <valence/rixs/rixs_map.hpp>
#include <valence/rixs/yields.hpp>
#include <valence/synth/gitt.hpp>
#include <valence/synth/rixs.hpp>
#include <valence/xas/soft_xas.hpp>

#include "support/figures.hpp"
#include "support/l_edge_share.hpp"
#include "support/oxygen_rixs.hpp"
#include "support/svg_plot.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using svg_plot::as_vector;
using valence::matrix_d;
using valence::vector_d;
using valence::core::index;

constexpr const char* formula = "Li1.2Ni0.13Co0.13Mn0.54O2";
constexpr double extracted_at_charge = 0.95;  // Li per formula unit removed by the first charge
// The surface the TEY sees: ~5 nm of a 60 nm-radius primary particle.
constexpr double particle_radius_nm = 60;
constexpr double probe_depth_nm = 5;
const double surface_share = 1 - std::pow(1 - probe_depth_nm / particle_radius_nm, 3);

// ---- 1. Transition-metal L edges --------------------------------------------------------------

// An L2,3 edge: the L3 white line at `peak` (eV) on error-function steps at L3 and L2 (2:1), the
// L2 line `split` eV higher at a third of the L3 height.
vector_d l_edge(const vector_d& energy, double peak, double width, double height, double split) {
  vector_d out(energy.size());
  for (index i = 0; i < energy.size(); ++i) {
    const double e = energy(i);
    const auto line = [&](double at, double h) { return h * std::exp(-0.5 * std::pow((e - at) / width, 2)); };
    out(i) = 0.5 * (1 + std::erf((e - peak - 0.8) / 0.7)) + 0.25 * (1 + std::erf((e - peak - split - 0.8) / 0.7)) +
             line(peak, height) + line(peak + split, height / 3);
  }
  return out / out.maxCoeff();
}

struct metal {
  const char* symbol;
  double reduced_state;  // the two oxidation states the L3 fit separates
  double oxidised_state;
  double reduced_peak;  // eV, L3 maxima of the two standards
  double oxidised_peak;
  double split;  // L3-L2 spin-orbit splitting, eV
  // The truth: share of the reduced state in the surface (TEY) and the bulk (PFY), before and
  // after heating.
  double tey_before;
  double tey_after;
  double pfy;
};

const metal metals[] = {{"Ni", 2, 4, 853.0, 855.2, 17.3, 0.15, 0.40, 0.10},
                        {"Co", 3, 4, 780.6, 782.0, 15.1, 0.25, 0.45, 0.15},
                        {"Mn", 3, 4, 641.8, 643.3, 11.5, 0.05, 0.20, 0.03}};

struct surface_change {
  double electrons = 0;  // gained per formula unit of the probed surface
  double error = 0;
  double truth = 0;
};

surface_change tm_edges(const std::filesystem::path& dir, std::mt19937_64& generator) {
  std::printf(
      "1. Transition-metal L edges: raw TEY and PFY / I0, linear pre-edge removed, L3 maximum 1;\n"
      "   the reduced share by linear combination of the two standards\n");
  std::printf("   metal  channel  before heating          after heating           change\n");
  const auto composition = valence::chem::parse_formula(formula);
  surface_change total;
  for (const auto& m : metals) {
    const vector_d energy = vector_d::LinSpaced(421, m.reduced_peak - 18.0, m.reduced_peak + 24.0);
    const vector_d reduced = l_edge(energy, m.reduced_peak, 0.6, 2.4, m.split);
    const vector_d oxidised = l_edge(energy, m.oxidised_peak, 0.9, 1.7, m.split);
    const std::string low = std::string(m.symbol) + std::to_string(int(m.reduced_state)) + "+";
    const std::string high = std::string(m.symbol) + std::to_string(int(m.oxidised_state)) + "+";
    const std::vector<valence::xas::lcf_standard> standards{{low, energy, reduced}, {high, energy, oxidised}};
    valence::xas::soft_xas_options o;
    o.pre_edge = valence::core::window<double>{energy(0), m.reduced_peak - 5.0};
    const valence::core::window<double> fitted{m.reduced_peak - 5.0, m.reduced_peak + 22.0};
    const auto measure = [&](double truth, vector_d* normalised) {
      vector_d i0;
      const vector_d raw = l_edge_share::raw_channel(energy, truth * reduced + (1 - truth) * oxidised, i0, generator);
      const auto n = valence::xas::soft_normalize(energy, raw, i0, o);
      if (normalised != nullptr) {
        *normalised = n.norm;
      }
      return l_edge_share::first_share(energy, n.norm, standards, fitted);
    };
    vector_d tey_before;
    vector_d tey_after;
    const auto a = measure(m.tey_before, &tey_before);
    const auto b = measure(m.tey_after, &tey_after);
    const auto c = measure(m.pfy, nullptr);
    const auto d = measure(m.pfy, nullptr);
    std::printf("   %-5s  TEY      %s %.3f +- %.3f (%.2f)  %s %.3f +- %.3f (%.2f)  %+.3f +- %.3f\n", m.symbol,
                low.c_str(), a.value, a.error, m.tey_before, low.c_str(), b.value, b.error, m.tey_after,
                b.value - a.value, std::hypot(a.error, b.error));
    std::printf("   %-5s  PFY      %s %.3f +- %.3f (%.2f)  %s %.3f +- %.3f (%.2f)  %+.3f +- %.3f\n", m.symbol,
                low.c_str(), c.value, c.error, m.pfy, low.c_str(), d.value, d.error, m.pfy, d.value - c.value,
                std::hypot(c.error, d.error));
    // Electrons gained per formula unit of the surface: the metal's amount times the change of
    // state times the share that changed.
    const double amount = composition.amount(m.symbol);
    const double per_share = amount * (m.oxidised_state - m.reduced_state);
    total.electrons += per_share * (b.value - a.value);
    total.error = std::hypot(total.error, per_share * std::hypot(a.error, b.error));
    total.truth += per_share * (m.tey_after - m.tey_before);

    svg_plot::line_plot p;
    p.title = std::string(m.symbol) + " L-edge TEY (surface) before and after 5 h at 100 C";
    p.x_label = "energy (eV)";
    p.y_label = "normalised TEY";
    p.data = {{as_vector(energy), as_vector(tey_before), {}, "charged", 0},
              {as_vector(energy), as_vector(tey_after), {}, "charged, heated", 1},
              {as_vector(energy), as_vector(reduced), {}, low + " standard", 6, true, false, true},
              {as_vector(energy), as_vector(oxidised), {}, high + " standard", 2, true, false, true}};
    p.legend_left = true;
    svg_plot::write_line_plot((dir / (std::string(m.symbol) + "_l_edge_tey.svg")).string(), p);
  }
  std::printf("   the surface metals are reduced by heating; the bulk (PFY) does not change\n");
  std::printf("   electrons gained per formula unit of the surface: %.3f +- %.3f (truth %.3f)\n", total.electrons,
              total.error, total.truth);
  return total;
}

// ---- 2. Oxygen RIXS -------------------------------------------------------------------------------

constexpr double feature_rate_per_hole = 300;  // photons/s at the 531/523.7 eV feature per O hole per formula unit

valence::synth::rixs_scene oxygen_scene(double holes) {
  return oxygen_rixs::scene(feature_rate_per_hole * holes);
}

const vector_d emission_edges = vector_d::LinSpaced(301, 510.0, 540.0);

// A measured map: Poisson counts of the scene's exact expected counts, 20 s per excitation energy.
valence::rixs::rixs_map measure_map(const valence::synth::rixs_scene& scene, std::mt19937_64& generator) {
  const vector_d excitation = vector_d::LinSpaced(49, 526.0, 538.0);
  const double dwell = 20;
  const matrix_d expected = valence::synth::rixs_expected_counts(scene, excitation, emission_edges, dwell);
  matrix_d counts(expected.rows(), expected.cols());
  for (index r = 0; r < counts.rows(); ++r) {
    for (index c = 0; c < counts.cols(); ++c) {
      counts(r, c) = double(std::poisson_distribution<long long>(expected(r, c))(generator));
    }
  }
  const vector_d centres = 0.5 * (emission_edges.head(300) + emission_edges.tail(300));
  // Counts per second: I0 constant (1) and the dwell as live time; Poisson variances scale along.
  return valence::rixs::normalize(valence::rixs::map_from_counts(excitation, centres, counts),
                                  vector_d::Ones(excitation.size()), vector_d::Constant(excitation.size(), dwell));
}

struct oxygen_change {
  double holes = 0;  // bulk O holes per formula unit gained by heating
  double error = 0;
  double truth = 0;
};

oxygen_change oxygen_holes(const std::filesystem::path& dir, double holes_heated, std::mt19937_64& generator) {
  // The charged state's holes from its electron ledger: Ni2+ -> Ni4+ and Co3+ -> Co4+ take 0.39 e
  // of the 0.95 the charge removed; oxygen gives the rest.
  const auto composition = valence::chem::parse_formula(formula);
  const auto tm = valence::chem::balance_electrons(composition, {{"Ni", 2, 4}, {"Co", 3, 4}});
  const double holes_charged = extracted_at_charge - tm.lost;
  std::printf("\n2. O K-edge RIXS (49 excitation energies x 300 emission bins, 20 s each)\n");
  std::printf(
      "   charged to %.2f Li extracted: metals give %.2f e (Ni2+->Ni4+, Co3+->Co4+), oxygen %.2f holes / f.u.\n",
      extracted_at_charge, tm.lost, holes_charged);
  const auto pristine = measure_map(oxygen_scene(0), generator);
  const auto charged = measure_map(oxygen_scene(holes_charged), generator);
  const auto heated = measure_map(oxygen_scene(holes_heated), generator);
  const valence::core::window<double> excitation{530.5, 531.5};
  const valence::core::window<double> emission{523.3, 524.1};
  const auto s0 = valence::rixs::spfy(pristine, excitation, emission);
  const auto s1 = valence::rixs::spfy(charged, excitation, emission);
  const auto s2 = valence::rixs::spfy(heated, excitation, emission);
  std::printf("   sPFY (530.5-531.5 eV excitation, 523.3-524.1 eV emission), photons/s:\n");
  std::printf("     pristine %.1f +- %.1f, charged %.1f +- %.1f, charged and heated %.1f +- %.1f\n", s0.sum(),
              s0.sum_error(), s1.sum(), s1.sum_error(), s2.sum(), s2.sum_error());
  // Holes in proportion to the feature above the pristine window: h = h_c (S2 - S0)/(S1 - S0).
  const double a = s2.sum() - s0.sum();
  const double b = s1.sum() - s0.sum();
  const double holes = holes_charged * a / b;
  const double da = holes_charged / b;             // d h / d S2
  const double db = -holes_charged * a / (b * b);  // d h / d S1
  const double d0 = -da - db;                      // d h / d S0
  const double error =
      std::sqrt(std::pow(da * s2.sum_error(), 2) + std::pow(db * s1.sum_error(), 2) + std::pow(d0 * s0.sum_error(), 2));
  std::printf("   O holes / f.u. after heating: %.3f +- %.3f (truth %.3f); gained %+.3f +- %.3f (truth %+.3f)\n", holes,
              error, holes_heated, holes - holes_charged, error, holes_heated - holes_charged);
  std::printf("   emission at 523.7 eV (mean over +-0.25 eV of excitation), photons/s per 0.1 eV:\n");
  std::printf("     excitation    charged        heated\n");
  const index bin = 137;  // 523.65-523.75 eV
  for (const double e : {530.0, 530.5, 531.0, 531.5, 532.0}) {
    const auto c1 = valence::rixs::emission_cut(charged, e, 0.5);
    const auto c2 = valence::rixs::emission_cut(heated, e, 0.5);
    std::printf("     %6.1f eV  %5.1f +- %3.1f   %5.1f +- %3.1f\n", e, c1.value(bin), c1.error(bin), c2.value(bin),
                c2.error(bin));
  }

  // The elastic line saturates the scale.
  auto map = oxygen_rixs::heat_map(heated, "O K-edge RIXS, charged LMR after 5 h at 100 C", "photons/s per 0.1 eV", 40);
  map.path = {{emission.lower, excitation.lower},
              {emission.upper, excitation.lower},
              {emission.upper, excitation.upper},
              {emission.lower, excitation.upper},
              {emission.lower, excitation.lower}};
  svg_plot::write_heat_map((dir / "o_rixs_heated.svg").string(), map);

  svg_plot::line_plot spfy;
  spfy.title = "O K sPFY at the oxidised-oxygen feature (523.3-524.1 eV emission)";
  spfy.x_label = "excitation energy (eV)";
  spfy.y_label = "photons/s";
  const auto band = [&](const valence::rixs::rixs_map& m) { return valence::rixs::spfy(m, {526.0, 538.0}, emission); };
  const auto p0 = band(pristine);
  const auto p1 = band(charged);
  const auto p2 = band(heated);
  spfy.data = {{as_vector(p0.energy), as_vector(p0.value), as_vector(p0.error), "pristine", 6, true, true},
               {as_vector(p1.energy), as_vector(p1.value), as_vector(p1.error), "charged", 0, true, true},
               {as_vector(p2.energy), as_vector(p2.value), as_vector(p2.error), "charged, heated", 1, true, true}};
  spfy.legend_left = true;
  svg_plot::write_line_plot((dir / "o_spfy.svg").string(), spfy);

  svg_plot::line_plot cut;
  cut.title = "O K emission at 531 eV excitation";
  cut.x_label = "emission energy (eV)";
  cut.y_label = "photons/s per 0.1 eV";
  const auto c1 = valence::rixs::emission_cut(charged, 531.0, 0.5);
  const auto c2 = valence::rixs::emission_cut(heated, 531.0, 0.5);
  cut.data = {{as_vector(c1.energy), as_vector(c1.value), {}, "charged", 0},
              {as_vector(c2.energy), as_vector(c2.value), {}, "charged, heated", 1}};
  cut.x_min = 518;
  cut.x_max = 534;
  cut.markers = {{523.7, true, "523.7 eV"}};
  svg_plot::write_line_plot((dir / "o_emission_531.svg").string(), cut);
  return {holes - holes_charged, error, holes_heated - holes_charged};
}

// ---- 3. GITT ------------------------------------------------------------------------------------

double logistic(double z) {
  return 1 / (1 + std::exp(-z));
}
// log10 D (cm^2/s) against Li extracted: 1e-14 at first, falling after 0.3 to 1.4e-17 near 0.7,
// rising to 1e-16 at the end of the charge (the shape of the study's Fig. 4c).
double log_diffusivity(double extracted) {
  return -14 - 3 * logistic((extracted - 0.5) / 0.06) + logistic((extracted - 0.85) / 0.05);
}

constexpr double sites = 1.2;  // Li per formula unit when fully lithiated

// A sloping region (transition-metal oxidation) then the 4.5 V plateau of oxygen oxidation.
double ocv(double x) {
  return 3.95 + 0.06 * std::log((sites - x) / x) + 0.45 * logistic((0.8 - x) / 0.03);
}

constexpr double electrode_mass = 0.01;  // g of active material

struct titration {
  std::vector<valence::echem::gitt::step_result> steps;
  valence::synth::gitt_record record;
};

titration titrate(double current_ma_per_g, double pulse, double rest, int steps, double initial_content) {
  valence::synth::gitt_experiment e;
  e.shape = valence::synth::particle_shape::sphere;
  e.size = particle_radius_nm * 1e-7;
  e.mass = electrode_mass;
  e.molar_mass = valence::chem::molar_mass(valence::chem::parse_formula(formula));
  e.molar_volume = 21.0;
  e.sites = sites;
  e.initial_content = initial_content;
  e.ocv = ocv;
  e.diffusivity_of_content = [](double x) { return std::pow(10.0, log_diffusivity(sites - x)); };
  e.resistance = 20;
  e.current = current_ma_per_g * 1e-3 * e.mass;
  e.pulse = pulse;
  e.rest = rest;
  e.initial_rest = 600;
  e.steps = steps;
  e.interval = 3;
  e.rest_interval = 300;
  titration t;
  t.record = valence::synth::synthetic_gitt(e);
  const valence::echem::gitt::electrode cell{e.mass, e.molar_mass, e.molar_volume, e.area()};
  valence::echem::gitt::analyze_options options;
  options.initial_content = initial_content;
  t.steps = valence::echem::gitt::analyze(t.record.time, t.record.voltage, t.record.current, cell, options);
  return t;
}

// Li extracted at the middle of a step's pulse.
double extracted_mid(const valence::echem::gitt::step_result& s, double molar_mass) {
  return sites - s.content - 0.5 * s.charge / (valence::core::faraday_constant * electrode_mass / molar_mass);
}

struct gitt_summary {
  int accepted = 0;
  double worst = 0;       // largest |log D error| of the accepted steps
  double minimum_at = 0;  // Li extracted at the smallest accepted D
  double minimum = 0;     // that log D
};

void gitt_first_charge(const std::filesystem::path& dir) {
  const double molar_mass = valence::chem::molar_mass(valence::chem::parse_formula(formula));
  std::printf("\n3. GITT of the first charge: 60 nm-radius particles, D(x) from 1e-14 to 1.4e-17 cm^2/s\n");
  // The study's protocol: 20 mA/g for 30 min, 4 h rest, until 0.95 Li is extracted.
  const auto study = titrate(20, 1800, 4 * 3600, 30, 1.19);
  // A protocol chosen by the validity ratio for the low-D region the study argues from: from a cell
  // charged to 0.45 Li extracted and relaxed, 6 mA/g for 30 min (0.0063 Li), 28 h rests.
  const auto slow = titrate(6, 1800, 1e5, 50, sites - 0.45);
  const double length = particle_radius_nm * 1e-7 / 3;
  std::printf(
      "   diffusion length L = V/S = r/3 = %.0f nm; the checks accept tau D / L^2 <= 0.01, a settled\n"
      "   rest (< 1 mV/h) and R^2 >= 0.99 of the sqrt(t) fit\n",
      length * 1e7);
  std::ofstream csv(dir / "gitt_steps.csv");
  csv << "protocol,step,li_extracted,log10_d_true,log10_d_eq2,log10_d_eq1,ratio,flags\n";
  svg_plot::line_plot d;
  d.title = "Li diffusivity over the first charge (Weppner-Huggins eq. 2)";
  d.x_label = "Li extracted per formula unit";
  d.y_label = "log10 D (cm^2/s)";
  svg_plot::line_plot ratio;
  ratio.title = "Validity ratio of each step";
  ratio.x_label = "Li extracted per formula unit";
  ratio.y_label = "log10 (tau D / L^2)";
  std::vector<double> truth_x;
  std::vector<double> truth_y;
  for (double x = 0; x <= 0.96; x += 0.005) {
    truth_x.push_back(x);
    truth_y.push_back(log_diffusivity(x));
  }
  d.data.push_back({truth_x, truth_y, {}, "truth", 6, true, false, true});
  gitt_summary summary;
  // Colours: accepted steps dark, flagged steps light (sky blue) or vermillion (the study's).
  const auto report = [&](const char* name, const titration& t, int every, int accepted_colour, int flagged_colour) {
    std::printf("   %s:\n     step  Li extr.  log D true  eq. 2   tau D/L^2  flags\n", name);
    std::vector<double> ok_x, ok_y, bad_x, bad_y, r_x, r_y;
    int flagged = 0;
    for (std::size_t k = 0; k < t.steps.size(); ++k) {
      const auto& s = t.steps[k];
      const double x = extracted_mid(s, molar_mass);
      const double truth = log_diffusivity(x);
      const double measured = std::log10(s.diffusivity);
      const bool accepted = s.flags == valence::echem::gitt::step_flag::none;
      flagged += accepted ? 0 : 1;
      if (accepted) {
        ++summary.accepted;
        summary.worst = std::max(summary.worst, std::abs(measured - truth));
        if (measured < summary.minimum) {
          summary.minimum = measured;
          summary.minimum_at = x;
        }
      }
      (accepted ? ok_x : bad_x).push_back(x);
      (accepted ? ok_y : bad_y).push_back(measured);
      r_x.push_back(x);
      r_y.push_back(std::log10(s.ratio));
      csv << name << "," << k + 1 << "," << x << "," << truth << "," << measured << ","
          << std::log10(s.diffusivity_slope) << "," << s.ratio << "," << valence::echem::gitt::to_string(s.flags)
          << "\n";
      if (k % std::size_t(every) == 0 || k + 1 == t.steps.size()) {
        std::printf("     %4zu  %8.3f  %10.2f  %6.2f  %9.2e  %s\n", k + 1, x, truth, measured, s.ratio,
                    valence::echem::gitt::to_string(s.flags).c_str());
      }
    }
    std::printf("     %d of %zu steps flagged\n", flagged, t.steps.size());
    if (!ok_x.empty()) {
      d.data.push_back({ok_x, ok_y, {}, std::string(name) + ", accepted", accepted_colour, false, true});
    }
    d.data.push_back({bad_x, bad_y, {}, std::string(name) + ", flagged", flagged_colour, false, true});
    ratio.data.push_back({r_x, r_y, {}, name, flagged_colour, false, true});
  };
  report("study protocol", study, 3, 1, 1);
  report("validity-chosen protocol", slow, 5, 0, 5);
  std::printf(
      "   accepted steps: %d; log D within %.2f of the truth; smallest D 10^%.2f at %.3f Li extracted\n"
      "   (truth: minimum 10^%.2f at 0.70)\n",
      summary.accepted, summary.worst, summary.minimum, summary.minimum_at, log_diffusivity(0.70));
  std::printf(
      "   the study's 30 min pulses are longer than L^2/D wherever D > 1e-16 (tau D/L^2 up to 1): eq. 2 then\n"
      "   reports a ceiling near 4 L^2/(pi tau) = %.1e cm^2/s, not D. No single pulse length spans three\n"
      "   decades of D: the short-time condition at 1e-14 and a rest of L^2/D at 1e-17 need rest/tau > 1e5.\n",
      4 * length * length / (3.14159265358979 * 1800));
  const double max_ratio = valence::echem::gitt::analyze_options{}.max_ratio;
  ratio.markers = {{std::log10(max_ratio), false, "max_ratio " + std::to_string(max_ratio).substr(0, 4)}};
  d.legend_bottom = true;
  d.legend_left = true;
  d.y_min = -18;
  d.y_max = -13.5;
  svg_plot::write_line_plot((dir / "gitt_log_d.svg").string(), d);
  ratio.legend_left = true;
  svg_plot::write_line_plot((dir / "gitt_ratio.svg").string(), ratio);

  svg_plot::line_plot v;
  v.title = "GITT, study protocol: voltage over the first charge";
  v.x_label = "time (h)";
  v.y_label = "voltage (V)";
  std::vector<double> hours;
  std::vector<double> volts;
  for (index i = 0; i < study.record.time.size(); i += 4) {
    hours.push_back(study.record.time(i) / 3600);
    volts.push_back(study.record.voltage(i));
  }
  v.data = {{hours, volts, {}, "", 0}};
  svg_plot::write_line_plot((dir / "gitt_voltage.svg").string(), v);
}

}  // namespace

int main() {
  try {
    std::mt19937_64 generator(100);
    const auto dir = figures::folder("lmr_thermal_redox");
    std::printf(
        "%s charged to %.2f Li extracted, then 5 h at 100 C; surface = outer %.0f nm of %.0f nm-radius\n"
        "particles, %.1f %% of the formula units\n\n",
        formula, extracted_at_charge, probe_depth_nm, particle_radius_nm, 100 * surface_share);
    const auto surface = tm_edges(dir, generator);
    // The truth the RIXS scene is built from: the bulk oxygen gives what the surface metals took.
    const auto composition = valence::chem::parse_formula(formula);
    const double holes_charged =
        extracted_at_charge - valence::chem::balance_electrons(composition, {{"Ni", 2, 4}, {"Co", 3, 4}}).lost;
    const double holes_heated = holes_charged + surface.truth * surface_share / (1 - surface_share);
    const auto oxygen = oxygen_holes(dir, holes_heated, generator);
    gitt_first_charge(dir);
    std::printf("\n4. Charge balance per formula unit of the whole particle\n");
    const double gained = surface.electrons * surface_share;
    const double gained_error = surface.error * surface_share;
    const double lost = oxygen.holes * (1 - surface_share);
    const double lost_error = oxygen.error * (1 - surface_share);
    std::printf("   surface metals gain %.4f +- %.4f e (truth %.4f); bulk oxygen loses %.4f +- %.4f e (truth %.4f)\n",
                gained, gained_error, surface.truth * surface_share, lost, lost_error,
                oxygen.truth * (1 - surface_share));
    const double sigma = std::hypot(gained_error, lost_error);
    const bool balanced = std::abs(gained - lost) < 2 * sigma && lost > 2 * lost_error;
    std::printf("   difference %+.4f +- %.4f e (%.1f sigma): %s\n", gained - lost, sigma,
                std::abs(gained - lost) / sigma,
                balanced ? "the bulk oxygen oxidation compensates the surface reduction, as the study concludes"
                         : "the two do not balance within 2 sigma");
    std::printf(
        "\nfigures: %s/{Ni,Co,Mn}_l_edge_tey.svg, o_rixs_heated.svg, o_spfy.svg, o_emission_531.svg,\n"
        "  gitt_voltage.svg, gitt_log_d.svg, gitt_ratio.svg; gitt_steps.csv\n",
        dir.string().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmr_thermal_redox: %s\n", e.what());
    return 1;
  }
}
