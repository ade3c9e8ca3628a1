// SPDX-License-Identifier: MIT
// The memory-bandwidth floor on its own: bytes per second streamed once, for buffers far larger
// than the last-level cache.
#include "memory_floor.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

namespace {

template <typename Real>
void BM_stream_once(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  std::vector<Real> data(count, Real(1));
  for (auto _ : state) {
    Real s = valence_bench::stream_sum(data.data(), 0, count);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(count * sizeof(Real)));
}

}  // namespace

BENCHMARK_TEMPLATE(BM_stream_once, float)->Arg(1 << 26)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_stream_once, double)->Arg(1 << 25)->Unit(benchmark::kMillisecond);
