// SPDX-License-Identifier: MIT
// The memory-bandwidth floor every throughput benchmark divides by: the time to read a buffer
// once from memory, measured in the same run as the benchmark that uses it.
#ifndef VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP
#define VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace valence_bench {

// Sum of data[begin, end) with four independent accumulators (vectorisable without reassociation).
template <typename Real>
Real stream_sum(const Real* data, std::size_t begin, std::size_t end) {
  Real s0 = 0;
  Real s1 = 0;
  Real s2 = 0;
  Real s3 = 0;
  std::size_t i = begin;
  for (; i + 4 <= end; i += 4) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
  }
  for (; i < end; ++i) {
    s0 += data[i];
  }
  return s0 + s1 + s2 + s3;
}

// Seconds to stream `count` values once, best of `repeats` runs so that page faults and frequency
// ramps do not count. With OpenMP the read is split over the same threads the fits use, so the
// floor is that of the machine as the fit sees it, not of one core.
template <typename Real>
double stream_seconds(const Real* data, std::size_t count, int repeats = 5) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    Real total = 0;
#if defined(_OPENMP)
#pragma omp parallel reduction(+ : total)
    {
      const auto threads = static_cast<std::size_t>(omp_get_num_threads());
      const auto id = static_cast<std::size_t>(omp_get_thread_num());
      total += stream_sum(data, count * id / threads, count * (id + 1) / threads);
    }
#else
    total = stream_sum(data, 0, count);
#endif
    benchmark::DoNotOptimize(total);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

// Threads the fits run on (1 without OpenMP), reported next to every floor fraction.
inline int threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace valence_bench

#endif  // VALENCE_BENCHMARKS_MEMORY_FLOOR_HPP
