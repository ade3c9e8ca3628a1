// SPDX-License-Identifier: MIT
// One XAS normalisation of a 400-point K-edge spectrum: pre_edge with everything automatic (two
// find_e0 passes, one of them smoothed), with the fast E0 search, with E0 and ranges given, and
// find_e0 alone in both modes. The time column is the time per call; each benchmark runs five
// repetitions and reports their mean, median, min and spread. BM_smooth_find_e0_segment times
// core::smooth on find_e0's second-pass segment against the previous implementation, Larch's
// direct convolution at every working-grid point, in the same run (`speedup_vs_direct`).
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/smooth.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/pre_edge.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

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

// The previous core::smooth, kept as the baseline: Larch's algorithm with the convolution evaluated
// at every working-grid point, the reflected signal read through a branch per sample.
Eigen::VectorXd direct_smooth(const Eigen::VectorXd& x, const Eigen::VectorXd& y, double sigma, double step) {
  const Eigen::Index n = x.size();
  const double x_min = step * std::trunc((x(0) - 5 * step) / step);
  const double x_max = step * std::trunc((x(n - 1) + 5 * step) / step);
  const Eigen::Index m =
      std::min<Eigen::Index>(1 + Eigen::Index(std::trunc(std::abs(x_max - x_min + step * 0.1) / step)), 50 * n);
  Eigen::VectorXd grid(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    grid(i) = x_min + double(i) * ((x_max - x_min) / double(m - 1));
  }
  grid(m - 1) = x_max;
  const Eigen::VectorXd on_grid = valence::core::interpolate_linear(x, y, grid, valence::core::extrapolation::hold);
  Eigen::VectorXd kernel(2 * m);
  for (Eigen::Index j = 0; j < 2 * m; ++j) {
    const double t = (double(j) - double(m)) / (sigma / step);
    kernel(j) = 1 / (1 + t * t);
  }
  kernel /= kernel.sum();
  const auto padded = [&](Eigen::Index k) {
    return k < m - 1 ? on_grid(m - 1 - k) : k < 2 * m - 1 ? on_grid(k - (m - 1)) : on_grid(3 * m - 2 - k);
  };
  Eigen::VectorXd convolved(m);
  for (Eigen::Index k = 0; k < m; ++k) {
    double sum = 0;
    for (Eigen::Index j = 0; j < 2 * m; ++j) {
      sum += kernel(j) * padded(k + 2 * m - 1 - j);
    }
    convolved(k) = sum;
  }
  return valence::core::interpolate_linear(grid, convolved, x, valence::core::extrapolation::extend);
}

// The second pass's input: the points within 75 of the first estimate, the raw derivative, and
// find_e0's Lorentzian width there, 0.5 (clip(estep) + clip(E0/25000)).
void segment(Eigen::VectorXd& x, Eigen::VectorXd& dmu, double& width) {
  Eigen::VectorXd energy, mu;
  make(energy, mu);
  const auto e0 = valence::xas::find_e0(energy, mu);
  const Eigen::Index start = std::max<Eigen::Index>(3, e0.e0_index - 75);
  const Eigen::Index stop = std::min<Eigen::Index>(e0.e0_index + 75, energy.size() - 3);
  x = energy.segment(start, stop - start);
  const Eigen::VectorXd m = mu.segment(start, stop - start);
  dmu = valence::core::gradient(m).cwiseQuotient(valence::core::gradient(x));
  const double estep = valence::xas::detail::find_energy_step(energy.head(energy.size() - 1));
  width = 0.5 * (std::clamp(estep, 0.01, 1.0) + std::clamp(e0.e0 / 25000, 0.01, 1.0));
}

template <typename F>
double best_seconds(F&& f, int repeats) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void BM_smooth_find_e0_segment(benchmark::State& state) {
  Eigen::VectorXd x, dmu;
  double width = 0;
  segment(x, dmu, width);
  valence::core::smooth_options<double> options;
  options.x_step = width;
  const double direct = best_seconds([&] { benchmark::DoNotOptimize(direct_smooth(x, dmu, width, width).data()); }, 20);
  const Eigen::VectorXd a = direct_smooth(x, dmu, width, width);
  const Eigen::VectorXd b = valence::core::smooth(x, dmu, width, options);
  double now = 1e300;
  for (auto _ : state) {
    now = std::min(
        now, best_seconds([&] { benchmark::DoNotOptimize(valence::core::smooth(x, dmu, width, options).data()); }, 1));
  }
  state.counters["direct_us"] = direct * 1e6;
  state.counters["speedup_vs_direct"] = direct / now;
  state.counters["max_difference"] = (a - b).cwiseAbs().maxCoeff() / a.cwiseAbs().maxCoeff();
}

double minimum(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

}  // namespace

BENCHMARK(BM_smooth_find_e0_segment)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_pre_edge_fast_e0)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_find_e0_fast)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_pre_edge_automatic)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_pre_edge_given_e0_and_ranges)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_find_e0)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ComputeStatistics("min", minimum)
    ->ReportAggregatesOnly(true);
