// SPDX-License-Identifier: MIT
// One XAS normalisation of a 400-point K-edge spectrum (issue target: microseconds, not
// milliseconds): pre_edge with everything automatic (two find_e0 passes, one of them smoothed),
// pre_edge with E0 and ranges given, and find_e0 alone. The time column is the time per call.
#include <valence/xas/find_e0.hpp>
#include <valence/xas/pre_edge.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <cmath>
#include <random>

namespace {

// 400 points over 8150..8750 eV, finer across the edge as beamlines scan, an arctangent edge at
// 8345 eV with a white line, a falling pre-edge and noise.
void make(Eigen::VectorXd& energy, Eigen::VectorXd& mu) {
  energy.resize(400);
  mu.resize(400);
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0.0, 0.002);
  for (Eigen::Index i = 0; i < 400; ++i) {
    const double t = double(i) / 399.0;
    const double e = 8150.0 + 600.0 * (t + 0.12 * std::sin(2 * 3.141592653589793 * t) / (2 * 3.141592653589793));
    energy(i) = e;
    mu(i) = 0.8 - 2e-4 * (e - 8150.0) + 0.5 + std::atan((e - 8345.0) / 1.5) / 3.141592653589793 +
            0.3 * std::exp(-0.5 * std::pow((e - 8350.0) / 3.0, 2)) + noise(gen);
  }
}

void BM_pre_edge_automatic(benchmark::State& state) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  for (auto _ : state) {
    auto r = valence::xas::pre_edge(energy, mu);
    benchmark::DoNotOptimize(r.norm.data());
  }
}

void BM_pre_edge_given_e0_and_ranges(benchmark::State& state) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  valence::xas::pre_edge_options options;
  options.e0 = 8345.0;
  options.pre1 = -150.0;
  options.pre2 = -30.0;
  options.norm1 = 50.0;
  options.norm2 = 350.0;
  options.nnorm = 2;
  for (auto _ : state) {
    auto r = valence::xas::pre_edge(energy, mu, options);
    benchmark::DoNotOptimize(r.norm.data());
  }
}

void BM_find_e0(benchmark::State& state) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  for (auto _ : state) {
    auto e0 = valence::xas::find_e0(energy, mu);
    benchmark::DoNotOptimize(e0);
  }
}

void BM_find_e0_fast(benchmark::State& state) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  for (auto _ : state) {
    auto e0 = valence::xas::find_e0(energy, mu, valence::xas::e0_search::fast);
    benchmark::DoNotOptimize(e0);
  }
}

void BM_pre_edge_fast_e0(benchmark::State& state) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  valence::xas::pre_edge_options options;
  options.e0_method = valence::xas::e0_search::fast;
  for (auto _ : state) {
    auto r = valence::xas::pre_edge(energy, mu, options);
    benchmark::DoNotOptimize(r.norm.data());
  }
}

}  // namespace

BENCHMARK(BM_pre_edge_fast_e0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_find_e0_fast)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pre_edge_automatic)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pre_edge_given_e0_and_ranges)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_find_e0)->Unit(benchmark::kMicrosecond);
