// SPDX-License-Identifier: MIT
// EELS spectrum-image MLLS, the case: 256 x 256 pixels x 1024 channels ([y][x][E], as
// HyperSpy holds it), a two-area power law per pixel (605-635 eV) and two Mn L2,3 references
// with the power law as a fixed-shape term over a 200-channel window (636-686 eV), unconstrained.
// Reported per scalar type and thread count:
//   `floor_fraction` = (time to read the whole cube once, same threads, same run) / (fit time),
//   target >= 0.5 in float and >= 0.75 in double, single-threaded; into new maps every call
//   (reuse:0) and into maps reused from call to call (reuse:1: no allocation, no first touch);
//   `pixels_per_s`;
//   `allocations_per_pixel`, counted by a replacement operator new during the fit (the issue:
//   no per-pixel allocation; the maps, one workspace per run of 32 pixels and the task list of
//   each row are all there is);
//   `error_cost` = (fit time with the default errors: the power law's error propagated and the
//   counting-noise sandwich) / (fit time with the errors of ordinary least squares conditional on
//   the background: propagate_background = false, mlls_noise::uniform), both best of the
//   iterations of this run (#20: at most 1.2).
#include <valence/eels/spectrum_image.hpp>
#include <valence/synth/eels.hpp>

#include "memory_floor.hpp"

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

namespace {

std::atomic<long long> allocations{0};

}  // namespace

// Counting replacements of the global allocation functions (the benchmark's own program only).
// GCC cannot see that this operator new pairs malloc with the free below.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

constexpr Eigen::Index rows = 256;
constexpr Eigen::Index cols = 256;
constexpr Eigen::Index channels = 1024;

struct scene {
  valence::vector_d energy;
  valence::matrix_d references;
};

scene make_scene() {
  scene s;
  s.energy = 560.0 + 0.25 * valence::vector_d::LinSpaced(channels, 0, channels - 1).array();
  valence::synth::l23_edge reduced;  // Mn2+-like: strong L3
  valence::synth::l23_edge oxidised;
  oxidised.l3 = 641.5;
  oxidised.l2 = 652.5;
  oxidised.l3_height = 3000;
  oxidised.l2_height = 1700;
  s.references.resize(channels, 2);
  s.references.col(0) = valence::synth::l23_reference(s.energy, reduced);
  s.references.col(1) = valence::synth::l23_reference(s.energy, oxidised);
  return s;
}

// Each pixel: a power law A E^-3 with A varying over the image, a fraction f of the first
// reference, and Gaussian noise of Poisson size (cheaper to draw than Poisson counts).
template <typename T>
std::vector<T> make_cube(const scene& s) {
  std::vector<T> cube(static_cast<std::size_t>(rows * cols * channels));
  std::mt19937_64 gen(11);
  std::normal_distribution<double> unit(0.0, 1.0);
  const valence::vector_d shape = (s.energy.array() / 600.0).pow(-3.0);
  for (Eigen::Index y = 0; y < rows; ++y) {
    for (Eigen::Index x = 0; x < cols; ++x) {
      const double amplitude = 5e4 * (1 + 0.3 * double(y) / double(rows));
      const double f = double(x) / double(cols - 1);
      T* p = cube.data() + (y * cols + x) * channels;
      for (Eigen::Index c = 0; c < channels; ++c) {
        const double mean = amplitude * shape(c) + f * s.references(c, 0) + (1 - f) * s.references(c, 1);
        p[c] = T(mean + std::sqrt(mean) * unit(gen));
      }
    }
  }
  return cube;
}

valence::eels::mlls_options fit_options() {
  valence::eels::mlls_options o;
  o.background_window = {605.0, 635.0};
  o.fit_window = {636.0, 685.9};  // 200 channels
  return o;
}

template <typename T>
void BM_spectrum_image_mlls(benchmark::State& state) {
#if defined(_OPENMP)
  omp_set_num_threads(static_cast<int>(state.range(0)));
#endif
  const scene s = make_scene();
  const std::vector<T> cube = make_cube<T>(s);
  const auto view = valence::eels::spectrum_image_view<T>::contiguous(cube.data(), rows, cols, channels);
  const auto options = fit_options();
  auto conditional = options;
  conditional.propagate_background = false;
  conditional.noise = valence::eels::mlls_noise::uniform;
  const double floor = valence_bench::stream_seconds(cube.data(), cube.size());
  // range(1) = 1: maps reused from call to call (allocated and first touched once, before timing);
  // 0: new maps every call, freed at the end of the iteration as a caller's would be.
  const bool reuse = state.range(1) == 1;
  valence::eels::spectrum_image_fit kept;
  valence::eels::spectrum_image_fit kept_conditional;
  // Fits and returns the number of failed pixels.
  const auto fit = [&](const valence::eels::mlls_options& o, valence::eels::spectrum_image_fit& into) {
    if (reuse) {
      valence::eels::fit_spectrum_image(s.energy, view, s.references, o, into);
      benchmark::DoNotOptimize(into.fractions[0].data());
      return into.failed();
    }
    const auto maps = valence::eels::fit_spectrum_image(s.energy, view, s.references, o);
    benchmark::DoNotOptimize(maps.fractions[0].data());
    return maps.failed();
  };
  if (reuse) {
    fit(options, kept);
    fit(conditional, kept_conditional);
  }
  double best = 1e300;
  double best_conditional = 1e300;
  long long allocated = 0;
  for (auto _ : state) {
    const long long before = allocations.load();
    const auto start = std::chrono::steady_clock::now();
    const auto failed = fit(options, kept);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    allocated = allocations.load() - before;
    if (failed != 0) {
      state.SkipWithError("pixels failed");
    }
    best = std::min(best, elapsed.count());
    const auto again = std::chrono::steady_clock::now();
    fit(conditional, kept_conditional);
    const std::chrono::duration<double> elapsed_conditional = std::chrono::steady_clock::now() - again;
    best_conditional = std::min(best_conditional, elapsed_conditional.count());
  }
  state.counters["floor_fraction"] = floor / best;
  state.counters["pixels_per_s"] = double(rows * cols) / best;
  state.counters["allocations_per_pixel"] = double(allocated) / double(rows * cols);
  state.counters["omp_threads"] = valence_bench::threads();
  state.counters["error_cost"] = best / best_conditional;
}
double minimum(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

// One and two threads, into new maps and into reused ones, five repetitions of five iterations
// each, reported as mean, median, min and spread; the counters' min is the worst repetition's floor
// fraction.
void repeated(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "reuse"})
      ->ArgsProduct({{1, 2}, {0, 1}})
      ->Unit(benchmark::kMillisecond)
      ->Iterations(5)
      ->Repetitions(5)
      ->ComputeStatistics("min", minimum)
      ->ReportAggregatesOnly(true);
}
BENCHMARK_TEMPLATE(BM_spectrum_image_mlls, float)->Apply(repeated);
BENCHMARK_TEMPLATE(BM_spectrum_image_mlls, double)->Apply(repeated);

}  // namespace
