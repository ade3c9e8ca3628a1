// SPDX-License-Identifier: MIT
// The image jobs on a row_source (normalize_stack, fit_spectrum_image, lcf_batch) against the same
// jobs in memory: bit-identical maps for every memory cap and row split, bad pixels flagged as in
// memory, the next block read on a second thread, and the errors of the block loop.
#include <valence/core/row_source.hpp>
#include <valence/core/streaming.hpp>
#include <valence/eels/spectrum_image_rows.hpp>
#include <valence/xas/lcf_batch_rows.hpp>
#include <valence/xas/normalize_stack_rows.hpp>

#include <valence_test/eels_edges.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace streaming_test {

using Index = Eigen::Index;
using valence::matrix_d;
using valence::vector_d;
using matrix_f = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

constexpr Index rows = 7;
constexpr Index cols = 5;
constexpr Index pixels = rows * cols;

// A XANES stack stored [E][y][x] (the TXM layout): an edge whose height and position vary by
// pixel, Gaussian noise, one pixel holding a NaN and one without an edge.
struct xanes_stack {
  vector_d energy = vector_d::LinSpaced(90, 8250.0, 8480.0);
  std::vector<float> energy_major;
  matrix_f pixel_columns;  // the same values as channels x pixels (pixels row-major), for the in-memory run
};

xanes_stack make_stack() {
  xanes_stack s;
  const Index n = s.energy.size();
  s.energy_major.resize(static_cast<std::size_t>(n * pixels));
  s.pixel_columns.resize(n, pixels);
  std::mt19937 generator(5);
  std::normal_distribution<double> noise(0.0, 0.004);
  for (Index p = 0; p < pixels; ++p) {
    const double height = p == 12 ? 0.0 : 0.3 + 0.05 * double(p % 11);
    const double centre = 8338.0 + 0.3 * double(p % 7);
    for (Index i = 0; i < n; ++i) {
      const double e = s.energy(i);
      double mu = 0.4 - 2e-4 * (e - 8250.0) + height * 0.5 * (1 + std::tanh((e - centre) / 2.5)) + noise(generator);
      if (p == 20 && i == 40) {
        mu = std::numeric_limits<double>::quiet_NaN();
      }
      s.energy_major[static_cast<std::size_t>(i * pixels + p)] = float(mu);
      s.pixel_columns(i, p) = float(mu);
    }
  }
  return s;
}

// Bytes of one row's input: the caps below hold 1, 2 and 3 rows and the whole image.
std::size_t cap_for_rows(Index r, Index channels, std::size_t result_bytes_per_pixel, std::size_t value_size) {
  return std::size_t(r) * (2 * std::size_t(cols * channels) * value_size + std::size_t(cols) * result_bytes_per_pixel);
}

template <typename A, typename B>
bool same_bits(const A& a, const B& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(*a.data()) * std::size_t(a.size())) == 0;
}

// A source that records the threads it is read on, and fails at one row if asked to.
class recording_source final : public valence::core::row_source<float> {
 public:
  recording_source(const valence::core::row_source<float>& inner, Index failing_row, bool concurrent = true)
      : inner_(inner), failing_row_(failing_row), concurrent_(concurrent) {}
  bool reads_concurrently() const override { return concurrent_; }
  Index rows() const override { return inner_.rows(); }
  Index cols() const override { return inner_.cols(); }
  Index channels() const override { return inner_.channels(); }
  std::string describe() const override { return "a recording source"; }
  void read_rows(Index first, Index count, float* buffer) const override {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      threads_.insert(std::this_thread::get_id());
    }
    if (failing_row_ >= first && failing_row_ < first + count) {
      throw std::runtime_error("read error at row " + std::to_string(failing_row_));
    }
    inner_.read_rows(first, count, buffer);
  }
  std::size_t threads() const { return threads_.size(); }

 private:
  const valence::core::row_source<float>& inner_;
  Index failing_row_;
  bool concurrent_;
  mutable std::mutex mutex_;
  mutable std::set<std::thread::id> threads_;
};

}  // namespace streaming_test

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("normalize_stack on a row source equals the in-memory run bit for bit, for every cap and split") {
    using namespace streaming_test;
    const auto s = make_stack();
    const auto source =
        valence::core::array_rows<float>::energy_major(s.energy_major.data(), rows, cols, s.energy.size());
    for (const bool given_e0 : {false, true}) {
      valence::xas::stack_options o;
      o.keep_norm = true;
      o.min_step = 0.05;
      if (given_e0) {
        o.normalization.e0 = 8339.0;
      }
      const auto memory = valence::xas::normalize_stack(s.energy, s.pixel_columns, o);
      REQUIRE(memory.status[12] == valence::xas::pixel_status::no_edge);
      REQUIRE(memory.status[20] == valence::xas::pixel_status::non_finite_data);
      REQUIRE(memory.failed() == 2);
      const std::size_t per_pixel = 5 * sizeof(float) + 1 + std::size_t(s.energy.size()) * sizeof(float);
      for (const Index block_rows : {1, 2, 3, 7}) {
        CAPTURE(given_e0);
        CAPTURE(block_rows);
        valence::core::streaming_options streaming;
        streaming.memory_cap_bytes = cap_for_rows(block_rows, s.energy.size(), per_pixel, sizeof(float));
        const auto streamed = valence::xas::normalize_stack(s.energy, source, o, streaming);
        CHECK_FALSE(streamed.cancelled);
        CHECK(streamed.status == memory.status);
        CHECK(same_bits(streamed.e0, memory.e0));
        CHECK(same_bits(streamed.edge_step, memory.edge_step));
        CHECK(same_bits(streamed.edge_energy, memory.edge_energy));
        CHECK(same_bits(streamed.white_line_energy, memory.white_line_energy));
        CHECK(same_bits(streamed.white_line_height, memory.white_line_height));
        CHECK(same_bits(streamed.norm, memory.norm));
      }
      // Three processes' row ranges, uneven, assembled: the same maps.
      valence::xas::stack_normalization<float> parts = valence::xas::normalize_stack(
          s.energy, source, o, valence::core::streaming_options{std::size_t(1) << 20, 0, 3, {}});
      for (const auto& [first, last] : {std::pair<Index, Index>{3, 5}, {5, 7}}) {
        valence::core::streaming_options range{std::size_t(1) << 20, first, last, {}};
        (void)valence::xas::normalize_stack_blocks<float>(
            s.energy, source, o, range, [&](Index first_row, Index n, const auto& block) {
              parts.edge_step.segment(first_row * cols, n * cols) = block.edge_step;
            });
      }
      CHECK(same_bits(parts.edge_step, memory.edge_step));
    }
  }

  TEST_CASE(
      "the next block is read on a second thread unless the source forbids it; a read error ends the job with its "
      "message") {
    using namespace streaming_test;
    const auto s = make_stack();
    const auto array =
        valence::core::array_rows<float>::energy_major(s.energy_major.data(), rows, cols, s.energy.size());
    valence::xas::stack_options o;
    o.normalization.e0 = 8339.0;
    valence::core::streaming_options streaming;
    streaming.memory_cap_bytes = cap_for_rows(1, s.energy.size(), 5 * sizeof(float) + 1, sizeof(float));
    const recording_source reading(array, -1);
    (void)valence::xas::normalize_stack(s.energy, reading, o, streaming);
    CHECK(reading.threads() == 2);
    // A source over a library that is not thread-safe is read on the caller's thread, between fits.
    const recording_source serial(array, -1, false);
    const auto in_turn = valence::xas::normalize_stack(s.energy, serial, o, streaming);
    CHECK(serial.threads() == 1);
    CHECK(same_bits(in_turn.edge_step, valence::xas::normalize_stack(s.energy, s.pixel_columns, o).edge_step));
    const recording_source failing(array, 4);
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, failing, o, streaming), "read error at row 4",
                         std::runtime_error);
  }

  TEST_CASE("the block loop's errors: a cap below two rows, energies that do not match, rows outside") {
    using namespace streaming_test;
    const auto s = make_stack();
    const auto source =
        valence::core::array_rows<float>::energy_major(s.energy_major.data(), rows, cols, s.energy.size());
    valence::xas::stack_options o;
    o.normalization.e0 = 8339.0;
    valence::core::streaming_options tiny;
    tiny.memory_cap_bytes = 1000;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, source, o, tiny),
                         doctest::Contains("option 'memory_cap_bytes' is 1000 but one row of an array in memory needs"),
                         valence::invalid_input);
    const vector_d short_energy = s.energy.head(60);
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(short_energy, source, o, {}),
                         doctest::Contains("parameter 'energy' has 60 values but an array in memory has 90 channels"),
                         valence::invalid_input);
    valence::core::streaming_options outside;
    outside.first_row = 2;
    outside.last_row = 9;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, source, o, outside),
                         doctest::Contains("rows [2, 9) of an array in memory; expected a range within its 7 rows"),
                         valence::invalid_input);
    // E0 from the mean needs a finite pixel
    const std::vector<float> nans(s.energy_major.size(), std::numeric_limits<float>::quiet_NaN());
    const auto all_nan = valence::core::array_rows<float>::energy_major(nans.data(), rows, cols, s.energy.size());
    CHECK_THROWS_WITH_AS((void)valence::xas::stack_mean_e0(s.energy, all_nan, {}),
                         doctest::Contains("no pixel of an array in memory is finite"), valence::invalid_input);
    // the other jobs check their energies against the source too
    const std::vector<valence::xas::lcf_standard> standards = {{"a", s.energy, s.energy}};
    CHECK_THROWS_WITH_AS((void)valence::xas::lcf_batch_blocks<float>(short_energy, source, standards, {}, vector_d(),
                                                                     {}, [](Index, Index, const auto&) {}),
                         doctest::Contains("valence::xas::lcf_batch_blocks: parameter 'energy' has 60 values"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::eels::fit_spectrum_image_blocks<float>(
                             short_energy, source, matrix_d::Ones(60, 2), {}, {}, [](Index, Index, const auto&) {}),
                         doctest::Contains("valence::eels::fit_spectrum_image_blocks: parameter 'energy' has 60"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::array_rows<float>(nullptr, 2, 2, 2, 4, 2, 1),
                         doctest::Contains("with no data"), valence::invalid_input);
    float one = 0;
    CHECK_THROWS_WITH_AS(
        valence::core::array_rows<float>::pixel_major(s.energy_major.data(), rows, cols, 90).read_rows(6, 2, &one),
        doctest::Contains("rows [6, 8) of an array in memory"), valence::invalid_input);
  }

  TEST_CASE("the progress callback sees each block and cancels the rest") {
    using namespace streaming_test;
    const auto s = make_stack();
    const auto source =
        valence::core::array_rows<float>::energy_major(s.energy_major.data(), rows, cols, s.energy.size());
    valence::xas::stack_options o;
    o.normalization.e0 = 8339.0;
    valence::core::streaming_options streaming;
    streaming.memory_cap_bytes = cap_for_rows(2, s.energy.size(), 5 * sizeof(float) + 1, sizeof(float));
    std::vector<Index> seen;
    streaming.progress = [&](Index done, Index total) {
      seen.push_back(done);
      CHECK(total == pixels);
      return done < 2 * 2 * cols;
    };
    const auto r = valence::xas::normalize_stack(s.energy, source, o, streaming);
    CHECK(r.cancelled);
    CHECK(seen == std::vector<Index>{10, 20});
    // A block aims for block_bytes of input within the cap: here one row (5 pixels x 90 floats).
    valence::core::streaming_options rows_of_one;
    rows_of_one.block_bytes = 5 * 90 * sizeof(float);
    seen.clear();
    rows_of_one.progress = [&](Index done, Index) {
      seen.push_back(done);
      return true;
    };
    CHECK_FALSE(valence::xas::normalize_stack(s.energy, source, o, rows_of_one).cancelled);
    CHECK(seen == std::vector<Index>{5, 10, 15, 20, 25, 30, 35});
    CHECK(r.status[19] != valence::xas::pixel_status::cancelled);
    CHECK(r.status[20] == valence::xas::pixel_status::cancelled);
    CHECK(std::isnan(r.edge_step(25)));
  }

  TEST_CASE("fit_spectrum_image on a row source equals the in-memory fit bit for bit") {
    using namespace streaming_test;
    const vector_d e = valence_test::eels_axis();
    const matrix_d refs = valence_test::eels_references(e);
    std::mt19937 generator(3);
    std::vector<double> cube(static_cast<std::size_t>(pixels * e.size()));
    for (Index p = 0; p < pixels; ++p) {
      const double surface = 0.1 + 0.02 * double(p);
      for (Index c = 0; c < e.size(); ++c) {
        const double mean = valence_test::eels_mean_counts(e, refs, c, surface, 1 - surface);
        cube[std::size_t(p * e.size() + c)] = double(std::poisson_distribution<long>(mean)(generator));
      }
    }
    cube[std::size_t(9 * e.size() + 50)] = std::numeric_limits<double>::infinity();
    valence::eels::mlls_options o;
    o.fit_window = {636.0, 690.0};
    o.background_window = {605.0, 635.0};
    o.weighting = valence::eels::mlls_weighting::poisson;
    const auto memory = valence::eels::fit_spectrum_image(
        e, valence::eels::spectrum_image_view<double>::contiguous(cube.data(), rows, cols, e.size()), refs, o);
    REQUIRE(memory.status[9] == valence::eels::pixel_status::non_finite);
    const auto source = valence::core::array_rows<double>::pixel_major(cube.data(), rows, cols, e.size());
    for (const Index block_rows : {1, 3, 7}) {
      CAPTURE(block_rows);
      valence::core::streaming_options streaming;
      streaming.memory_cap_bytes = cap_for_rows(block_rows, e.size(), 15 * sizeof(double) + 1, sizeof(double));
      const auto streamed = valence::eels::fit_spectrum_image(e, source, refs, o, streaming);
      CHECK(streamed.status == memory.status);
      REQUIRE(streamed.fractions.size() == memory.fractions.size());
      for (std::size_t j = 0; j < memory.fractions.size(); ++j) {
        CHECK(same_bits(streamed.fractions[j], memory.fractions[j]));
        CHECK(same_bits(streamed.fraction_errors[j], memory.fraction_errors[j]));
        CHECK(same_bits(streamed.coefficients[j], memory.coefficients[j]));
      }
      CHECK(same_bits(streamed.amplitude, memory.amplitude));
      CHECK(same_bits(streamed.exponent, memory.exponent));
      CHECK(same_bits(streamed.chi_square, memory.chi_square));
      CHECK(same_bits(streamed.r_factor, memory.r_factor));
    }
  }

  TEST_CASE("lcf_batch_blocks gives every pixel the in-memory lcf_batch result bit for bit") {
    using namespace streaming_test;
    const auto s = make_stack();
    // Two standards: the stack's own edge at two positions, normalised.
    const vector_d grid = vector_d::LinSpaced(300, 8240.0, 8490.0);
    vector_d low(grid.size());
    vector_d high(grid.size());
    for (Index i = 0; i < grid.size(); ++i) {
      low(i) = 0.5 * (1 + std::tanh((grid(i) - 8337.0) / 2.5));
      high(i) = 0.5 * (1 + std::tanh((grid(i) - 8341.0) / 2.5));
    }
    const std::vector<valence::xas::lcf_standard> standards = {{"low", grid, low}, {"high", grid, high}};
    valence::xas::lcf_options o;
    o.window = {8300.0, 8400.0};
    o.sum_to_one = false;
    o.upper = 2;
    const auto memory = valence::xas::lcf_batch(s.energy, s.pixel_columns, standards, o);
    REQUIRE(memory.status[20] == valence::fit::column_status::non_finite_data);
    const auto source =
        valence::core::array_rows<float>::energy_major(s.energy_major.data(), rows, cols, s.energy.size());
    for (const Index block_rows : {1, 2, 7}) {
      CAPTURE(block_rows);
      valence::core::streaming_options streaming;
      streaming.memory_cap_bytes = cap_for_rows(block_rows, s.energy.size(), 12 * sizeof(float) + 1, sizeof(float));
      matrix_f weights(2, pixels);
      std::vector<valence::fit::column_status> status(pixels);
      const bool done = valence::xas::lcf_batch_blocks<float>(
          s.energy, source, standards, o, vector_d(), streaming, [&](Index first_row, Index n, const auto& block) {
            weights.middleCols(first_row * cols, n * cols) = block.weights;
            std::copy(block.status.begin(), block.status.end(), status.begin() + first_row * cols);
          });
      CHECK(done);
      CHECK(status == memory.status);
      CHECK(same_bits(weights, memory.weights));
    }
  }
}
