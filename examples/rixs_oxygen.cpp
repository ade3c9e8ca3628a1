// SPDX-License-Identifier: MIT
// Oxygen K-edge RIXS as in the study of Li/Mn-rich cathodes: photons detected one by one by a
// transition-edge-sensor (TES) spectrometer while the monochromator steps across the O K edge
// become a RIXS map, from which come the partial fluorescence yield (PFY), the super-partial yield
// (sPFY) at the oxidised-oxygen feature (531 eV excitation, 523.7 eV emission) and emission
// spectra at 530-532 eV, each with its Poisson error.
//
//   rixs_oxygen                       synthetic pristine and charged cathodes (default)
//   rixs_oxygen CHANNEL.off STATES.txt [h:E ...]
//                                     a real TES channel: photons and rates per state, the
//                                     pulse-height lines; with calibration points h:E (pulse
//                                     height of a line : its energy in eV), its energy spectrum
//
// The synthetic chain is the measurement's: a calibration state with six known emission lines
// (C, N, O K-alpha; Fe, Ni, Cu L-alpha), a TES response with a falling gain and 0.9 eV FWHM
// resolution at the O K edge, a scan of 49 monochromator steps of 10 s; pulse heights are
// calibrated back to energy from the lines' centroids, binned by time into steps and by energy,
// normalised by I0 and live time, and compared with the construction seen through the resolution.
// Figures (SVG) go to figures/rixs_oxygen/: the charged cathode's map, the PFY and the emission
// cuts at 531 eV of both cathodes.
#include <valence/io/experiment_state.hpp>
#include <valence/io/off.hpp>
#include <valence/rixs/bin_events.hpp>
#include <valence/rixs/cuts.hpp>
#include <valence/rixs/pulse_calibration.hpp>
#include <valence/rixs/rixs_map.hpp>
#include <valence/rixs/yields.hpp>
#include <valence/synth/rixs.hpp>

#include "support/figures.hpp"
#include "support/oxygen_rixs.hpp"
#include "support/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using valence::vector_d;
using valence::core::index;

constexpr std::int64_t second = 1000000000;

// The TES response: energy E(h) = 0.075 h + 1.5e-7 h^2 eV; its inverse gives the pulse height.
double pulse_height(double energy) {
  const double a = 0.075;
  const double b = 1.5e-7;
  return (-a + std::sqrt(a * a + 4 * b * energy)) / (2 * b);
}

// The detector's resolution in pulse height: sigma 5 units, 0.38 eV at the O K edge.
constexpr double resolution_sigma = 5.0;

// Calibration: 1500 photons of each line in a CAL state; each line's centroid within +-40 units
// of where the nominal gain puts it.
valence::rixs::pulse_calibration calibrate(std::mt19937_64& generator) {
  const std::vector<std::pair<const char*, double>> lines{{"C Ka", 277.0},  {"N Ka", 392.4},  {"O Ka", 524.9},
                                                          {"Fe La", 705.0}, {"Ni La", 851.5}, {"Cu La", 929.7}};
  std::normal_distribution<double> resolution(0.0, resolution_sigma);
  std::vector<valence::rixs::calibration_line> points;
  for (const auto& [name, energy] : lines) {
    vector_d heights(1500);
    const double h = pulse_height(energy);
    for (index i = 0; i < heights.size(); ++i) {
      heights(i) = h + resolution(generator);
    }
    const auto c = valence::rixs::line_centroid(heights, {h - 40, h + 40});
    points.push_back({c.centroid, c.error, energy, 0.0});
  }
  const auto curve = valence::rixs::fit_pulse_calibration(points);
  std::printf("pulse-height calibration (quadratic through 0, %zu lines): chi2/dof %.2f\n", lines.size(),
              curve.chi_square / double(curve.dof));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::printf("  %-6s %7.1f eV  centroid %8.1f +- %.1f  residual %+.3f eV  curve error %.3f eV\n", lines[k].first,
                lines[k].second, points[k].pulse_height, points[k].pulse_height_error, curve.residuals(index(k)),
                curve.energy_error(points[k].pulse_height));
  }
  return curve;
}

struct measured_state {
  valence::rixs::rixs_map map;
  std::int64_t photons = 0;
};

measured_state measure(const valence::synth::rixs_scene& scene, const valence::rixs::pulse_calibration& curve,
                       std::mt19937_64& generator) {
  std::vector<valence::rixs::scan_step> scan;
  for (int k = 0; k < 49; ++k) {  // 527 ... 539 eV in 0.25 eV steps, 10 s each, 0.5 s to move
    const std::int64_t begin = k * (10 * second + second / 2);
    scan.push_back({begin, begin + 10 * second, 527.0 + 0.25 * k});
  }
  // I0 falls slightly across the scan (a decaying ring current): every rate follows it.
  vector_d i0(index(scan.size()));
  std::vector<valence::rixs::photon_events> steps;  // in time order, one after the other
  for (std::size_t k = 0; k < scan.size(); ++k) {
    i0(index(k)) = 1.0 - 0.002 * double(k);
    auto step_scene = scene;
    step_scene.elastic_rate *= i0(index(k));
    step_scene.fluorescence_rate *= i0(index(k));
    step_scene.background_rate *= i0(index(k));
    for (auto& f : step_scene.features) {
      f.rate *= i0(index(k));
    }
    steps.push_back(valence::synth::rixs_events(step_scene, {scan[k]}, generator));
  }
  const auto events = valence::rixs::merge_events(steps);
  // The detector: after each photon it is blind for 0.1 ms (photons arriving then are lost); each
  // detected photon's pulse height carries the resolution and is calibrated back to energy.
  const double dead_time = 1e-4;
  std::normal_distribution<double> resolution(0.0, resolution_sigma);
  valence::rixs::photon_events detected;
  std::vector<double> energies;
  std::int64_t blind_until = -1;
  for (std::size_t i = 0; i < events.unix_ns.size(); ++i) {
    if (events.unix_ns[i] < blind_until) {
      continue;
    }
    blind_until = events.unix_ns[i] + std::int64_t(dead_time * 1e9);
    detected.unix_ns.push_back(events.unix_ns[i]);
    energies.push_back(curve.energy(pulse_height(events.energy(index(i))) + resolution(generator)));
  }
  detected.energy = Eigen::Map<const vector_d>(energies.data(), index(energies.size()));
  valence::rixs::event_binning_options options;
  options.dead_time_per_event = dead_time;
  const auto binned = valence::rixs::bin_events(detected, scan, vector_d::LinSpaced(301, 510.0, 540.0), options);
  return {valence::rixs::normalize(binned.map, i0, binned.live_time), std::int64_t(detected.unix_ns.size())};
}

void report(const char* name, const measured_state& m, const valence::synth::rixs_scene& scene) {
  std::printf("\n%s: %lld photons -> %lld x %lld map (excitation x emission), counts / (I0 s)\n", name,
              static_cast<long long>(m.photons), static_cast<long long>(m.map.intensity.rows()),
              static_cast<long long>(m.map.intensity.cols()));
  const auto pfy = valence::rixs::pfy(m.map, {519.0, 526.5});
  std::printf("  PFY (O K-alpha, 519-526.5 eV emission, below the elastic line):\n");
  for (index r = 0; r < pfy.energy.size(); r += 8) {
    std::printf("    %6.2f eV  %8.1f +- %5.1f\n", pfy.energy(r), pfy.value(r), pfy.error(r));
  }
  // sPFY: the oxidised-oxygen feature's window; its integral against the construction (the
  // feature's own photons plus what the other components put in the same window).
  const valence::core::window<double> excitation{530.5, 531.5};
  const valence::core::window<double> emission{523.3, 524.1};
  const auto spfy = valence::rixs::spfy(m.map, excitation, emission);
  const vector_d edges = vector_d::LinSpaced(301, 510.0, 540.0);
  // The construction seen through the detector: every emission width broadened by the resolution
  // (in eV at 524 eV: sigma times the calibration's slope).
  const double blur = resolution_sigma * 0.075 * (1 + 2 * 1.5e-7 / 0.075 * pulse_height(524.0));
  auto seen = scene;
  const auto broaden = [&](double& width) { width = std::hypot(width, blur); };
  broaden(seen.elastic_width);
  broaden(seen.fluorescence_width);
  for (auto& f : seen.features) {
    broaden(f.emission_width);
  }
  const valence::rixs::rixs_map expected = valence::rixs::map_from_counts(
      m.map.excitation, m.map.emission, valence::synth::rixs_expected_counts(seen, m.map.excitation, edges, 1.0));
  const auto truth = valence::rixs::spfy(expected, excitation, emission);
  std::printf("  sPFY (530.5-531.5 eV excitation, 523.3-524.1 eV emission): %.1f +- %.1f  (construction %.1f)\n",
              spfy.sum(), spfy.sum_error(), truth.sum());
  std::printf("  emission cuts (mean over +-0.25 eV of excitation), counts / (I0 s) per 0.1 eV:\n");
  std::printf("    emission   530.0 eV        531.0 eV        532.0 eV\n");
  const auto c530 = valence::rixs::emission_cut(m.map, 530.0, 0.5);
  const auto c531 = valence::rixs::emission_cut(m.map, 531.0, 0.5);
  const auto c532 = valence::rixs::emission_cut(m.map, 532.0, 0.5);
  for (index j = 118; j <= 148; j += 5) {  // 521.85 ... 524.85 eV
    std::printf("    %6.2f  %6.1f +- %4.1f  %6.1f +- %4.1f  %6.1f +- %4.1f\n", c530.energy(j), c530.value(j),
                c530.error(j), c531.value(j), c531.error(j), c532.value(j), c532.error(j));
  }
}

using svg_plot::as_vector;

void write_figures(const valence::rixs::rixs_map& pristine, const valence::rixs::rixs_map& charged) {
  const auto dir = figures::folder("rixs_oxygen");
  // The elastic line saturates the scale; the features sit below 20.
  const auto map = oxygen_rixs::heat_map(charged, "O K-edge RIXS, charged cathode", "counts / (I0 s) per 0.1 eV", 20);
  svg_plot::write_heat_map((dir / "map_charged.svg").string(), map);

  svg_plot::line_plot pfy;
  pfy.title = "PFY (O K-alpha, 519-526.5 eV emission)";
  pfy.x_label = "excitation energy (eV)";
  pfy.y_label = "PFY, counts / (I0 s)";
  const auto a = valence::rixs::pfy(pristine, {519.0, 526.5});
  const auto b = valence::rixs::pfy(charged, {519.0, 526.5});
  pfy.data = {{as_vector(a.energy), as_vector(a.value), as_vector(a.error), "pristine", 0, true, true},
              {as_vector(b.energy), as_vector(b.value), as_vector(b.error), "charged", 1, true, true}};
  svg_plot::write_line_plot((dir / "pfy.svg").string(), pfy);

  svg_plot::line_plot cut;
  cut.title = "Emission at 531 eV excitation (+-0.25 eV)";
  cut.x_label = "emission energy (eV)";
  cut.y_label = "counts / (I0 s) per 0.1 eV";
  const auto c0 = valence::rixs::emission_cut(pristine, 531.0, 0.5);
  const auto c1 = valence::rixs::emission_cut(charged, 531.0, 0.5);
  cut.data = {{as_vector(c0.energy), as_vector(c0.value), as_vector(c0.error), "pristine", 0, true, false},
              {as_vector(c1.energy), as_vector(c1.value), as_vector(c1.error), "charged", 1, true, false}};
  cut.markers = {{523.7, true, "oxidised O, 523.7 eV"}};
  cut.x_min = 515;
  cut.x_max = 535;
  cut.y_max = 20;
  cut.y_min = 0;
  svg_plot::write_line_plot((dir / "emission_cut_531.svg").string(), cut);
  std::printf("figures: %s/{map_charged,pfy,emission_cut_531}.svg\n", dir.string().c_str());
}

int synthetic() {
  std::mt19937_64 generator(2);
  const auto curve = calibrate(generator);
  const auto pristine_scene = oxygen_rixs::scene(0.0);
  const auto charged_scene = oxygen_rixs::scene(60.0);
  const auto pristine = measure(pristine_scene, curve, generator);
  const auto charged = measure(charged_scene, curve, generator);
  report("pristine", pristine, pristine_scene);
  report("charged", charged, charged_scene);
  const auto a = valence::rixs::spfy(pristine.map, {530.5, 531.5}, {523.3, 524.1});
  const auto b = valence::rixs::spfy(charged.map, {530.5, 531.5}, {523.3, 524.1});
  write_figures(pristine.map, charged.map);
  const double difference = b.sum() - a.sum();
  const double error = std::hypot(a.sum_error(), b.sum_error());
  std::printf("\noxidised-oxygen sPFY, charged - pristine: %.1f +- %.1f (%.1f sigma)\n", difference, error,
              difference / error);
  return 0;
}

int real_channel(const std::string& off_path, const std::string& states_path, int argc, char** argv) {
  const auto off = valence::io::read_off(off_path);
  const auto states = valence::io::read_experiment_state(states_path);
  std::printf("%s: channel %s, OFF %s, %lld records, %lld bases, %lld samples per record\n", off_path.c_str(),
              off.channel_name.c_str(), off.version.c_str(), static_cast<long long>(off.records()),
              static_cast<long long>(off.bases), static_cast<long long>(off.max_samples));
  const Eigen::VectorXf heights = off.pulse_heights();
  // Every state that has an end, as a step of its own (the step's "excitation" is its index).
  std::vector<std::string> labels;
  std::vector<double> index_of_state;
  for (std::size_t i = 0; i + 1 < states.size(); ++i) {
    labels.push_back(states[i].label);
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<std::string> order;
  for (std::size_t i = 0; i + 1 < states.size(); ++i) {
    index_of_state.push_back(double(i));
    order.push_back(states[i].label);
  }
  const auto steps = valence::rixs::steps_from_states(states, labels, index_of_state);
  valence::rixs::photon_events events{off.unix_ns, heights.cast<double>()};
  const double top = double(heights.maxCoeff()) + 1;
  const auto binned = valence::rixs::bin_events(events, steps, vector_d::LinSpaced(2, 0.0, top));
  std::printf("photons per state (live time s, rate /s):\n");
  for (std::size_t k = 0; k < steps.size(); ++k) {
    std::printf("  %-6s %7lld  %8.1f  %7.2f\n", order[k].c_str(), static_cast<long long>(binned.step_events[k]),
                binned.live_time(index(k)), double(binned.step_events[k]) / binned.live_time(index(k)));
  }
  std::printf("  outside every state: %lld before, %lld after; %lld with a negative pulse height\n",
              static_cast<long long>(binned.before_first), static_cast<long long>(binned.after_last),
              static_cast<long long>(binned.below_range));
  // The strongest lines of the pulse-height histogram (bins of 20 units): local maxima.
  const int bins = int(top / 20) + 1;
  std::vector<int> histogram(static_cast<std::size_t>(bins), 0);
  for (index i = 0; i < heights.size(); ++i) {
    if (heights(i) >= 0) {
      ++histogram[static_cast<std::size_t>(heights(i) / 20)];
    }
  }
  std::vector<std::pair<int, int>> peaks;
  for (int b = 2; b + 2 < bins; ++b) {
    const auto h = histogram[static_cast<std::size_t>(b)];
    bool maximum = h >= 50;
    for (int d = -2; d <= 2 && maximum; ++d) {
      maximum = d == 0 || histogram[static_cast<std::size_t>(b + d)] < h;
    }
    if (maximum) {
      peaks.push_back({h, b});
    }
  }
  std::sort(peaks.rbegin(), peaks.rend());
  std::printf("strongest pulse-height lines (centre, photons per 20 units):");
  for (std::size_t p = 0; p < std::min<std::size_t>(6, peaks.size()); ++p) {
    std::printf("  %d (%d)", peaks[p].second * 20 + 10, peaks[p].first);
  }
  std::printf("\n");
  if (argc > 3) {
    std::vector<valence::rixs::calibration_line> points;
    for (int a = 3; a < argc; ++a) {
      const std::string pair = argv[a];
      const auto colon = pair.find(':');
      if (colon == std::string::npos) {
        std::fprintf(stderr, "calibration point '%s': expected pulse_height:energy_eV\n", pair.c_str());
        return 2;
      }
      const double h = std::atof(pair.substr(0, colon).c_str());
      const auto c = valence::rixs::line_centroid(heights, {0.98 * h, 1.02 * h});
      points.push_back({c.centroid, c.error, std::atof(pair.substr(colon + 1).c_str()), 0.0});
    }
    valence::rixs::pulse_calibration_options o;
    o.degree = std::min<int>(2, int(points.size()));
    const auto curve = valence::rixs::fit_pulse_calibration(points, o);
    const vector_d energies = curve.energies(heights);
    std::printf("calibrated: the first photons at");
    for (index i = 0; i < std::min<index>(5, energies.size()); ++i) {
      std::printf(" %.1f", energies(i));
    }
    std::printf(" eV\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 3) {
      return real_channel(argv[1], argv[2], argc, argv);
    }
    return synthetic();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rixs_oxygen: %s\n", e.what());
    return 1;
  }
}
