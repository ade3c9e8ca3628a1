// SPDX-License-Identifier: MIT
// The out-of-core path against the in-memory one, in the same run: a 512 x 512 pixel x 120 energy
// float32 XANES stack in the TXM layout [energy][y][x], normalised
//  (a) in memory as it is laid out (a row-major channels x pixels view: what a program holding
//      the stack in memory runs),
//  (b) in memory after transposing it to pixel-major spectra (the fastest in-memory case), and
//  (c) streamed from an HDF5 file in the page cache by normalize_stack_blocks() through hdf5_rows
//      (hyperslabs of every energy for a block of rows, transposed), 8 MiB blocks under a 64 MiB cap,
//      next block read on a second thread; contiguous and chunked storage.
// With a fixed E0 (memory-bound) and with the fast per-pixel E0 search (compute-bound, on the
// first 64 rows). Reported per repetition: `ratio_same_layout` = (a)/(c) and
// `ratio_pixel_major` = (b)/(c) in time (target >= 0.7); run with --benchmark_repetitions.
#include <valence/core/streaming.hpp>
#include <valence/io/hdf5_rows.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/xas/normalize_stack.hpp>
#include <valence/xas/normalize_stack_rows.hpp>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <hdf5.h>

namespace {

constexpr Eigen::Index rows = 512, cols = 512, energies = 120;

struct fixture {
  Eigen::VectorXd energy;
  Eigen::MatrixXf columns;  // energies x pixels
  std::string contiguous, chunked;
  fixture() {
    energy = Eigen::VectorXd::LinSpaced(energies, 8300.0, 8500.0);
    columns.resize(energies, rows * cols);
    std::mt19937_64 gen(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> noise(0.0, 0.003);
    for (Eigen::Index p = 0; p < columns.cols(); ++p) {
      const double thickness = 0.2 + u(gen);
      const double shift = 2.0 * u(gen);
      for (Eigen::Index i = 0; i < energies; ++i) {
        const double e = energy(i);
        columns(i, p) =
            float(0.3 - 3e-4 * (e - 8300.0) +
                  thickness * (0.5 + std::atan((e - 8345.0 - shift) / 1.5) / 3.141592653589793) + noise(gen));
      }
    }
    const auto dir = std::filesystem::temp_directory_path();
    contiguous = (dir / "valence_bench_stack_contiguous.h5").string();
    chunked = (dir / "valence_bench_stack_chunked.h5").string();
    write(contiguous, false);
    write(chunked, true);
  }
  ~fixture() {
    std::filesystem::remove(contiguous);
    std::filesystem::remove(chunked);
  }
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;
  // An FXI-layout file: img_xanes [energy][y][x] float32 (μ as stored), X_eng in keV.
  void write(const std::string& path, bool chunks) const {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[3] = {hsize_t(energies), hsize_t(rows), hsize_t(cols)};
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t create = H5Pcreate(H5P_DATASET_CREATE);
    if (chunks) {
      const hsize_t chunk[3] = {hsize_t(energies), 8, hsize_t(cols)};  // 8 rows of every energy: 1.9 MiB
      H5Pset_chunk(create, 3, chunk);
    }
    const hid_t d = H5Dcreate2(file, "img_xanes", H5T_IEEE_F32LE, space, H5P_DEFAULT, create, H5P_DEFAULT);
    std::vector<float> planes(std::size_t(energies * rows * cols));
    for (Eigen::Index p = 0; p < rows * cols; ++p) {
      for (Eigen::Index i = 0; i < energies; ++i) {
        planes[std::size_t(i * rows * cols + p)] = columns(i, p);
      }
    }
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, planes.data());
    H5Dclose(d);
    H5Pclose(create);
    H5Sclose(space);
    const hsize_t n = energies;
    const hid_t axis_space = H5Screate_simple(1, &n, nullptr);
    const hid_t axis = H5Dcreate2(file, "X_eng", H5T_IEEE_F64LE, axis_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const Eigen::VectorXd kev = energy / 1000.0;
    H5Dwrite(axis, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, kev.data());
    H5Dclose(axis);
    H5Sclose(axis_space);
    H5Fclose(file);
  }
};

const fixture& data() {
  static const fixture f;
  return f;
}

valence::xas::stack_options options(bool per_pixel) {
  valence::xas::stack_options o;
  o.normalization.pre1 = -45.0;
  o.normalization.pre2 = -15.0;
  o.normalization.norm1 = 30.0;
  o.normalization.norm2 = 150.0;
  if (per_pixel) {
    o.per_pixel_e0 = true;
    o.normalization.e0_method = valence::xas::e0_search::fast;
  } else {
    o.normalization.e0 = 8346.0;
  }
  return o;
}

double seconds_of(const std::function<void()>& job) {
  const auto start = std::chrono::steady_clock::now();
  job();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BM_normalize_stack_hdf5_vs_memory(benchmark::State& state) {
  const auto& f = data();
  const bool chunked = state.range(0) != 0;
  const bool per_pixel = state.range(1) != 0;
  const Eigen::Index used_rows = per_pixel ? 64 : rows;
  const Eigen::Index pixels = used_rows * cols;
  const auto stack = valence::io::open_hdf5_stack(chunked ? f.chunked : f.contiguous);
  const valence::io::hdf5_rows<float> source(stack);
  // (a) the stack as stored, in memory: planes[E][p], viewed as a row-major E x pixels matrix
  std::vector<float> planes(std::size_t(energies * pixels));
  for (Eigen::Index i = 0; i < energies; ++i) {
    for (Eigen::Index p = 0; p < pixels; ++p) {
      planes[std::size_t(i * pixels + p)] = f.columns(i, p);
    }
  }
  using row_major = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const row_major> as_stored(planes.data(), energies, pixels);
  const auto pixel_major = f.columns.leftCols(pixels);
  const auto o = options(per_pixel);
  valence::core::streaming_options streaming;
  streaming.memory_cap_bytes = std::size_t(64) << 20;  // blocks of block_bytes (8 MiB) within it
  streaming.last_row = used_rows;
  double same = 0;
  double best = 0;
  double streamed = 0;
  for (auto _ : state) {
    same += seconds_of([&] { benchmark::DoNotOptimize(valence::xas::normalize_stack(f.energy, as_stored, o)); });
    best += seconds_of([&] { benchmark::DoNotOptimize(valence::xas::normalize_stack(f.energy, pixel_major, o)); });
    streamed += seconds_of([&] {
      (void)valence::xas::normalize_stack_blocks<float>(
          f.energy, source, o, streaming,
          [](valence::core::index, valence::core::index, const valence::xas::stack_normalization<float>& m) {
            benchmark::DoNotOptimize(m.edge_step.data());
          });
    });
  }
  state.counters["ratio_same_layout"] = same / streamed;
  state.counters["ratio_pixel_major"] = best / streamed;
  state.counters["hdf5_Mpx_per_s"] = double(state.iterations()) * double(pixels) / streamed / 1e6;
}
BENCHMARK(BM_normalize_stack_hdf5_vs_memory)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"chunked", "per_pixel_e0"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
