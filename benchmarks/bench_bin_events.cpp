// SPDX-License-Identifier: MIT
// Photon events to a RIXS map (#21: at least 1e8 events per second on one core). 2e7 events in
// time order over 100 scan steps with gaps between them, energies over 300 uniform emission bins
// (about 2 % outside them). Reported from the same run, timing each iteration of both:
//   `events_per_s_best`, `events_per_s_median`: rixs::bin_events;
//   `bare_per_s_best`: a bare counting loop over the same energies (one multiply, one range test,
//   one increment per event: the histogram without time steps or accounting);
//   `cost_best`, `cost_median`: bin_events time / bare loop time.
#include <valence/rixs/bin_events.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

namespace {

constexpr std::size_t events_count = 20000000;

struct scene {
  valence::rixs::photon_events events;
  std::vector<valence::rixs::scan_step> steps;
  valence::vector_d edges = valence::vector_d::LinSpaced(301, 515.0, 545.0);
};

scene make_scene() {
  scene s;
  const std::int64_t step_ns = 1000000000;
  for (int k = 0; k < 100; ++k) {
    s.steps.push_back({k * (step_ns + step_ns / 10), k * (step_ns + step_ns / 10) + step_ns, 526.0 + 0.12 * k});
  }
  std::mt19937_64 generator(5);
  std::uniform_real_distribution<double> energy(514.4, 545.6);
  s.events.unix_ns.resize(events_count);
  s.events.energy.resize(static_cast<Eigen::Index>(events_count));
  const double spacing = 100.0 * 1.1e9 / double(events_count);
  for (std::size_t i = 0; i < events_count; ++i) {
    s.events.unix_ns[i] = static_cast<std::int64_t>(double(i) * spacing);
    s.events.energy(static_cast<Eigen::Index>(i)) = energy(generator);
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void BM_bin_events(benchmark::State& state) {
  const scene s = make_scene();
  std::vector<double> binning;
  std::vector<double> bare;
  std::vector<std::int64_t> histogram(300);
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    const auto b = valence::rixs::bin_events(s.events, s.steps, s.edges);
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    benchmark::DoNotOptimize(b.map.intensity.data());
    binning.push_back(elapsed.count());
    start = std::chrono::steady_clock::now();
    std::fill(histogram.begin(), histogram.end(), 0);
    const double first = s.edges(0);
    const double inverse = 300.0 / (s.edges(300) - first);
    const double* e = s.events.energy.data();
    for (std::size_t i = 0; i < events_count; ++i) {
      const double x = (e[i] - first) * inverse;
      if (x >= 0 && x < 300.0) {
        ++histogram[static_cast<std::size_t>(x)];
      }
    }
    benchmark::DoNotOptimize(histogram.data());
    elapsed = std::chrono::steady_clock::now() - start;
    bare.push_back(elapsed.count());
  }
  const double n = double(events_count);
  state.counters["events_per_s_best"] = n / *std::min_element(binning.begin(), binning.end());
  state.counters["events_per_s_median"] = n / median(binning);
  state.counters["bare_per_s_best"] = n / *std::min_element(bare.begin(), bare.end());
  state.counters["cost_best"] =
      *std::min_element(binning.begin(), binning.end()) / *std::min_element(bare.begin(), bare.end());
  state.counters["cost_median"] = median(binning) / median(bare);
}
BENCHMARK(BM_bin_events)->Unit(benchmark::kMillisecond)->Iterations(7);

}  // namespace
