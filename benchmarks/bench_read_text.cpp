// SPDX-License-Identifier: MIT
// Numeric text throughput of valence::io (target: >= 100 MB/s). A cycler-like table of 200,000
// rows x 8 columns (about 38 MB) in the layouts users arrive with: blank-separated with '.'
// decimals (Athena, Larch, XDI data) and tab-separated with decimal commas (EC-Lab). Each is
// read from a file in the page cache, and reported as `MB_per_s` together with
// `speedup_vs_iostream`: the same table read in the same run the common naive way
// (std::getline, then operator>> on an std::istringstream per line).
#include <valence/io/biologic.hpp>
#include <valence/io/columns.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int rows = 200000;
constexpr int columns = 8;

// Writes the table; `comma` gives EC-Lab's layout (tabs, decimal commas, an .mpt header).
std::string write_table(bool comma) {
  const auto path =
      std::filesystem::temp_directory_path() / (comma ? "valence_bench_table.mpt" : "valence_bench_table.txt");
  std::ofstream out(path, std::ios::binary);
  if (comma) {
    out << "EC-Lab ASCII FILE\nNb header lines : 3\n";
  } else {
    out << "# synthetic table\n";
  }
  for (int c = 0; c < columns; ++c) {
    out << (comma ? (c ? "\t" : "") : (c ? " " : "# ")) << "col" << c;
  }
  out << '\n';
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  char buffer[32];
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      std::snprintf(buffer, sizeof buffer, "%.15E", (c + 1) * 1e3 * u(gen));
      std::string field(buffer);
      if (comma) {
        std::replace(field.begin(), field.end(), '.', ',');
      }
      out << (c ? (comma ? "\t" : "  ") : "") << field;
    }
    out << '\n';
  }
  return path.string();
}

// The naive reader users write (and several tools do): one istringstream per line.
double naive_sum(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  double sum = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    for (double v = 0; fields >> v;) {
      sum += v;
    }
  }
  return sum;
}

template <typename Read>
double best_seconds(Read&& read, int repeats = 3) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    read();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

void report(benchmark::State& state, const std::string& path, double seconds, double naive_seconds) {
  const double bytes = static_cast<double>(std::filesystem::file_size(path));
  state.counters["MB_per_s"] = bytes / seconds / 1e6;
  state.counters["target_fraction"] = bytes / seconds / 1e6 / 100.0;  // >= 1 meets 100 MB/s
  state.counters["speedup_vs_iostream"] = naive_seconds / seconds;
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * static_cast<int64_t>(state.iterations()));
}

void BM_read_columns(benchmark::State& state) {
  const std::string path = write_table(false);
  const double naive = best_seconds([&] { benchmark::DoNotOptimize(naive_sum(path)); });
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto table = valence::io::read_columns(path);
    benchmark::DoNotOptimize(table.values.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  report(state, path, best, naive);
  std::filesystem::remove(path);
}
BENCHMARK(BM_read_columns)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_read_biologic_mpt_decimal_comma(benchmark::State& state) {
  const std::string path = write_table(true);
  // The naive reader cannot read decimal commas; its time on the '.' table is the baseline.
  const std::string dot_path = write_table(false);
  const double naive = best_seconds([&] { benchmark::DoNotOptimize(naive_sum(dot_path)); });
  double best = 1e300;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto file = valence::io::read_biologic_mpt(path);
    benchmark::DoNotOptimize(file.table.values.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  report(state, path, best, naive);
  std::filesystem::remove(path);
  std::filesystem::remove(dot_path);
}
BENCHMARK(BM_read_biologic_mpt_decimal_comma)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
