// SPDX-License-Identifier: MIT
// Batched linear least squares on a spectrum-image-sized problem: 65,536 spectra x 1,024
// channels against 4 columns. The unconstrained batch reports its time as a fraction of the
// memory-bandwidth floor (streaming the same data once) measured in the same run: counter
// `floor_fraction` = floor time / fit time (1 = as fast as reading the data). NNLS and
// sum-to-one batches report time per spectrum.
#include <valence/fit/least_squares_batch.hpp>

#include "memory_floor.hpp"

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

namespace {

constexpr Eigen::Index channels = 1024;
constexpr Eigen::Index components = 4;

template <typename Real>
struct problem {
  Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> design;
  Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> data;
};

template <typename Real>
problem<Real> make_problem(Eigen::Index spectra) {
  problem<Real> p{decltype(problem<Real>::design)(channels, components),
                  decltype(problem<Real>::data)(channels, spectra)};
  for (Eigen::Index i = 0; i < channels; ++i) {
    const double e = double(i) / double(channels);
    p.design(i, 0) = Real(1);
    p.design(i, 1) = Real(std::pow(e + 0.1, -2.5));  // a power-law background
    p.design(i, 2) = Real(1.0 / (1.0 + std::exp(-(e - 0.45) * 40.0)));
    p.design(i, 3) = Real(1.0 / (1.0 + std::exp(-(e - 0.5) * 40.0)) + 0.5 * std::exp(-std::pow((e - 0.55) / 0.03, 2)));
  }
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (Eigen::Index k = 0; k < spectra; ++k) {
    const double f = u(gen);
    for (Eigen::Index i = 0; i < channels; ++i) {
      p.data(i, k) = Real(0.1 * p.design(i, 1) + f * p.design(i, 2) + (1 - f) * p.design(i, 3) + 0.02 * (u(gen) - 0.5));
    }
  }
  return p;
}

template <typename Real>
void BM_batch_unconstrained(benchmark::State& state) {
  const auto p = make_problem<Real>(state.range(0));
  const double floor = valence_bench::stream_seconds(p.data.data(), static_cast<std::size_t>(p.data.size()));
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto r = valence::fit::least_squares_batch(p.design, p.data);
    benchmark::DoNotOptimize(r.coefficients.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  state.counters["floor_ms"] = floor * 1e3;
  state.counters["best_ms"] = best * 1e3;
  state.counters["floor_fraction"] = floor / best;
  state.counters["omp_threads"] = valence_bench::threads();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(p.data.size() * sizeof(Real)));
}

template <typename Real>
void BM_batch_constrained(benchmark::State& state) {
  const auto p = make_problem<Real>(state.range(0));
  valence::fit::least_squares_options<Real> options;
  if (state.range(1) == 0) {
    options.nonnegative = true;
  } else {
    options.lower = Eigen::Matrix<Real, Eigen::Dynamic, 1>::Zero(components);
    options.upper = Eigen::Matrix<Real, Eigen::Dynamic, 1>::Ones(components);
    options.lower(0) = -1;
    options.lower(1) = -1;
    options.sum_to = Real(1.1);
  }
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto r = valence::fit::least_squares_batch(p.design, p.data, options);
    benchmark::DoNotOptimize(r.coefficients.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  state.SetLabel(state.range(1) == 0 ? "nonnegative" : "bounds + sum");
  state.counters["us_per_spectrum"] = best / double(state.range(0)) * 1e6;
  state.counters["omp_threads"] = valence_bench::threads();
}

}  // namespace

BENCHMARK_TEMPLATE(BM_batch_unconstrained, float)->Arg(65536)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_TEMPLATE(BM_batch_unconstrained, double)->Arg(65536)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_TEMPLATE(BM_batch_constrained, float)
    ->Args({65536, 0})
    ->Args({65536, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
BENCHMARK_TEMPLATE(BM_batch_constrained, double)
    ->Args({65536, 0})
    ->Args({65536, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
