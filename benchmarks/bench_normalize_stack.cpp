// SPDX-License-Identifier: MIT
// XANES stack normalisation, 512 x 512 pixels x 120 energies in float (a full-field imaging
// stack): with E0 and ranges fixed, reported as `floor_fraction` = (time to read the stack once,
// same threads, same run) / (time of the normalisation), target >= 0.6, into new maps and into
// reused ones; with per-pixel E0
// search (Larch's rules per pixel, or the fast E0 search), reported as pixels per second on a
// 4,096-pixel subset.
#include <valence/xas/normalize_stack.hpp>

#include "memory_floor.hpp"

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

namespace {

constexpr Eigen::Index energies = 120;

// 120 energies over 8300..8500 eV, finer across the edge; pixels with varying thickness and a
// Ni edge shifting by up to 2 eV (a state-of-charge gradient), with noise.
void make(Eigen::Index pixels, Eigen::VectorXf& energy, Eigen::MatrixXf& stack) {
  energy.resize(energies);
  for (Eigen::Index i = 0; i < energies; ++i) {
    const double t = double(i) / double(energies - 1);
    energy(i) = float(8300.0 + 200.0 * (t + 0.15 * std::sin(2 * 3.141592653589793 * t) / (2 * 3.141592653589793)));
  }
  stack.resize(energies, pixels);
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.003);
  for (Eigen::Index p = 0; p < pixels; ++p) {
    const double thickness = 0.2 + u(gen);
    const double shift = 2.0 * u(gen);
    for (Eigen::Index i = 0; i < energies; ++i) {
      const double e = energy(i);
      stack(i, p) = float(0.3 - 3e-4 * (e - 8300.0) +
                          thickness * (0.5 + std::atan((e - 8345.0 - shift) / 1.5) / 3.141592653589793 +
                                       0.4 * std::exp(-0.5 * std::pow((e - 8352.0 - shift) / 3.0, 2))) +
                          noise(gen));
    }
  }
}

// range(1): 0 for new maps every call (the allocating overload: on this VM the first touch of
// their pages is most of the gap to the floor), 1 for maps reused from call to call.
void BM_normalize_stack_fixed_e0(benchmark::State& state) {
  Eigen::VectorXf energy;
  Eigen::MatrixXf stack;
  make(state.range(0), energy, stack);
  const double floor = valence_bench::stream_seconds(stack.data(), static_cast<std::size_t>(stack.size()));
  valence::xas::stack_options options;
  options.normalization.e0 = 8346.0;
  options.normalization.pre1 = -45.0;
  options.normalization.pre2 = -15.0;
  options.normalization.norm1 = 30.0;
  options.normalization.norm2 = 150.0;
  const bool reuse = state.range(1) == 1;
  valence::xas::stack_normalization<float> maps;
  if (reuse) {
    valence::xas::normalize_stack(energy, stack, options, maps);  // allocated and touched once
  }
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (reuse) {
      valence::xas::normalize_stack(energy, stack, options, maps);
      benchmark::DoNotOptimize(maps.edge_step.data());
    } else {
      auto r = valence::xas::normalize_stack(energy, stack, options);
      benchmark::DoNotOptimize(r.edge_step.data());
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  state.counters["floor_ms"] = floor * 1e3;
  state.counters["best_ms"] = best * 1e3;
  state.counters["floor_fraction"] = floor / best;
  state.counters["omp_threads"] = valence_bench::threads();
}

// range(1): 0 for Larch's E0 search per pixel, 1 for the fast search (xas::e0_search::fast).
void BM_normalize_stack_per_pixel_e0(benchmark::State& state) {
  Eigen::VectorXf energy;
  Eigen::MatrixXf stack;
  make(state.range(0), energy, stack);
  valence::xas::stack_options options;
  options.per_pixel_e0 = true;
  options.normalization.e0_method =
      state.range(1) == 0 ? valence::xas::e0_search::larch : valence::xas::e0_search::fast;
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto r = valence::xas::normalize_stack(energy, stack, options);
    benchmark::DoNotOptimize(r.edge_step.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  state.counters["pixels_per_second"] = double(state.range(0)) / best;
  state.counters["omp_threads"] = valence_bench::threads();
}

double minimum(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

}  // namespace

// Five repetitions each, reported as mean, median, min and spread (run with OMP_NUM_THREADS=1
// for the one-core figures).
BENCHMARK(BM_normalize_stack_fixed_e0)
    ->Args({512 * 512, 0})
    ->Args({512 * 512, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_normalize_stack_per_pixel_e0)
    ->Args({4096, 0})
    ->Args({4096, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
