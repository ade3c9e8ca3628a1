// SPDX-License-Identifier: MIT
// A core routine: building a not-a-knot cubic spline and evaluating it on a 4x finer grid
// (standards onto a data grid in LCF), against piecewise-linear interpolation as the baseline.
#include <valence/core/interpolate.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <cmath>

namespace {

void make(Eigen::Index n, Eigen::VectorXd& x, Eigen::VectorXd& y, Eigen::VectorXd& q) {
  x = Eigen::VectorXd::LinSpaced(n, 8000.0, 9000.0);
  x.array() += 0.1 * (x.array() * 0.37).sin();  // non-uniform
  y = (x.array() / 50.0).sin();
  q = Eigen::VectorXd::LinSpaced(4 * n, x(0), x(n - 1));
}

void BM_cubic_spline(benchmark::State& state) {
  Eigen::VectorXd x, y, q;
  make(state.range(0), x, y, q);
  for (auto _ : state) {
    auto out = valence::core::interpolate_cubic(x, y, q);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * q.size());
  state.SetComplexityN(state.range(0));
}

void BM_linear(benchmark::State& state) {
  Eigen::VectorXd x, y, q;
  make(state.range(0), x, y, q);
  for (auto _ : state) {
    auto out = valence::core::interpolate_linear(x, y, q);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * q.size());
  state.SetComplexityN(state.range(0));
}

}  // namespace

BENCHMARK(BM_cubic_spline)->RangeMultiplier(8)->Range(64, 32768)->Complexity(benchmark::oNLogN);
BENCHMARK(BM_linear)->RangeMultiplier(8)->Range(64, 32768)->Complexity(benchmark::oNLogN);
