// SPDX-License-Identifier: MIT
// DM4 spectrum-image reading: a 128 x 128 x 1024 float32 cube (64 MiB, little-endian as DM
// writes it) read with read_dm + read_dm_data into the caller's buffer, as float (no conversion:
// the bytes go straight into the buffer) and as double (converted in blocks). Reported as
// `ratio_to_raw_read`: the time of a bare std::ifstream::read of the data's bytes into a float
// buffer (the offset known in advance), measured in the same iterations, divided by the reader's
// time (1 = parsing and conversion cost nothing beyond reading the bytes), and `GB_per_s`.
#include <valence/io/dm.hpp>

#include <valence_test/dm_writer.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr std::uint64_t nx = 128;
constexpr std::uint64_t ny = 128;
constexpr std::uint64_t channels = 1024;

std::string write_cube() {
  const auto path = (std::filesystem::temp_directory_path() / "valence_bench_si.dm4").string();
  std::vector<double> values(nx * ny * channels);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = double(i % 4093);
  }
  valence_test::dm_writer w(4, true);
  w.begin(1);
  w.image("SI", valence::io::dm_type::float32, values, {nx, ny, channels}, {0, 0, -300}, {1, 1, 0.25}, u"eV");
  std::ofstream(path, std::ios::binary) << w.bytes;
  return path;
}

// The floor: the data's bytes read by one std::ifstream::read at their offset into a float buffer,
// with the offset known in advance (no parsing).
double raw_read_seconds(const std::string& path, std::uint64_t offset, std::vector<float>& buffer) {
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size() * sizeof(float)));
  benchmark::DoNotOptimize(buffer.data());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count();
}

template <typename T>
void BM_read_dm4_spectrum_image(benchmark::State& state) {
  const std::string path = write_cube();
  std::vector<T> values(nx * ny * channels);
  std::vector<float> raw_buffer(nx * ny * channels);
  const std::uint64_t offset = valence::io::read_dm(path).primary_image().offset;
  double best = 1e300;
  double raw = 1e300;
  for (auto _ : state) {
    raw = std::min(raw, raw_read_seconds(path, offset, raw_buffer));  // interleaved: same cache state
    const auto start = std::chrono::steady_clock::now();
    std::ifstream in(path, std::ios::binary);
    const auto file = valence::io::read_dm(in, path);
    valence::io::read_dm_data(in, file, file.primary_image(), values.data(), path);
    benchmark::DoNotOptimize(values.data());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  const double bytes = double(std::filesystem::file_size(path));
  state.counters["GB_per_s"] = bytes / best / 1e9;
  state.counters["ratio_to_raw_read"] = raw / best;
  std::filesystem::remove(path);
}
BENCHMARK_TEMPLATE(BM_read_dm4_spectrum_image, float)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_TEMPLATE(BM_read_dm4_spectrum_image, double)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
