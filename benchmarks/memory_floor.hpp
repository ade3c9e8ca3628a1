// SPDX-License-Identifier: MIT
// The memory-bandwidth floor every throughput benchmark divides by: the time to read a buffer
// once from memory, measured in the same run as the benchmark that uses it.
#ifndef VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP
#define VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace valence_bench {

// Seconds to stream `count` values once (a vectorisable sum, the cheapest full read), best of
// `repeats` runs so that page faults and frequency ramps do not count.
template <typename Real>
double stream_seconds(const Real* data, std::size_t count, int repeats = 5) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    Real s0 = 0;
    Real s1 = 0;
    Real s2 = 0;
    Real s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4) {
      s0 += data[i];
      s1 += data[i + 1];
      s2 += data[i + 2];
      s3 += data[i + 3];
    }
    for (; i < count; ++i) {
      s0 += data[i];
    }
    Real total = s0 + s1 + s2 + s3;
    benchmark::DoNotOptimize(total);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

}  // namespace valence_bench

#endif  // VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP
