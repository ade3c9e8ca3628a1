// SPDX-License-Identifier: MIT
// Photon events to maps: against a direct count by the definitions (step by time, bin by energy)
// in any event order, on uniform and non-uniform edges, with every event accounted for; live time
// with dead time; steps at one energy sharing a row; the synthetic chain events -> map against the
// scene's exact expected counts (Poisson scatter); merge_events; bad timelines.
#include <valence/rixs/bin_events.hpp>
#include <valence/rixs/rixs_map.hpp>
#include <valence/synth/rixs.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

namespace bin_events_test {

using valence::matrix_d;
using valence::vector_d;
using valence::rixs::scan_step;

// Steps with gaps between them, two at 530 eV.
std::vector<scan_step> steps() {
  return {{1000, 2000, 530.0}, {2500, 3000, 531.0}, {3000, 4000, 530.0}, {4100, 5000, 532.0}};
}

valence::rixs::photon_events random_events(std::mt19937_64& generator, int n) {
  std::uniform_int_distribution<std::int64_t> time(500, 5500);
  std::uniform_real_distribution<double> energy(518.0, 532.0);
  valence::rixs::photon_events e;
  e.energy.resize(n);
  for (int i = 0; i < n; ++i) {
    e.unix_ns.push_back(time(generator));
    e.energy(i) = energy(generator);
  }
  e.energy(0) = 521.0;  // exactly on an edge: the bin above
  e.unix_ns[0] = 2999;
  e.unix_ns[1] = 3000;  // exactly at a step boundary: the later step
  return e;
}

// The definition, one event at a time.
matrix_d direct_count(const valence::rixs::photon_events& events, const vector_d& edges) {
  const std::vector<double> rows{530.0, 531.0, 532.0};
  matrix_d counts = matrix_d::Zero(3, edges.size() - 1);
  for (std::size_t i = 0; i < events.unix_ns.size(); ++i) {
    for (const auto& step : steps()) {
      if (events.unix_ns[i] >= step.begin_ns && events.unix_ns[i] < step.end_ns) {
        const double e = events.energy(static_cast<Eigen::Index>(i));
        for (Eigen::Index b = 0; b + 1 < edges.size(); ++b) {
          if (e >= edges(b) && e < edges(b + 1)) {
            const auto row = std::find(rows.begin(), rows.end(), step.excitation) - rows.begin();
            counts(row, b) += 1;
          }
        }
      }
    }
  }
  return counts;
}

}  // namespace bin_events_test

}  // namespace

TEST_SUITE("rixs") {
  using namespace bin_events_test;

  TEST_CASE("bin_events equals a direct count, in any event order, and accounts for every event") {
    std::mt19937_64 generator(3);
    auto events = random_events(generator, 20000);
    const vector_d uniform = vector_d::LinSpaced(11, 520.0, 530.0);  // 1 eV bins
    const vector_d uneven = valence_test::vec({519.0, 520.5, 521.0, 524.0, 524.1, 531.0});
    for (const vector_d& edges : {uniform, uneven}) {
      auto sorted = events;
      std::vector<std::size_t> order(events.unix_ns.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
      }
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return events.unix_ns[a] < events.unix_ns[b]; });
      for (std::size_t i = 0; i < order.size(); ++i) {
        sorted.unix_ns[i] = events.unix_ns[order[i]];
        sorted.energy(static_cast<Eigen::Index>(i)) = events.energy(static_cast<Eigen::Index>(order[i]));
      }
      const matrix_d expected = direct_count(events, edges);
      for (const auto* input : {&events, &sorted}) {
        const auto b = valence::rixs::bin_events(*input, steps(), edges);
        REQUIRE(b.map.intensity.rows() == 3);
        CHECK(b.map.excitation == valence_test::vec({530.0, 531.0, 532.0}));
        CHECK(b.map.intensity == expected);
        CHECK(b.map.variance == expected);
        CHECK(b.map.emission(0) == 0.5 * (edges(0) + edges(1)));
        std::int64_t in_steps = 0;
        for (const auto n : b.step_events) {
          in_steps += n;
        }
        CHECK(in_steps + b.before_first + b.between_steps + b.after_last == 20000);
        CHECK(double(in_steps) == expected.sum() + double(b.below_range + b.above_range + b.non_finite));
        CHECK(b.before_first > 0);
        CHECK(b.between_steps > 0);
        CHECK(b.after_last > 0);
        CHECK(b.below_range > 0);
        CHECK(b.above_range > 0);
      }
    }
    // Non-finite energies are counted as such.
    events.energy(5) = std::numeric_limits<double>::quiet_NaN();
    events.unix_ns[5] = 1500;
    const auto b = valence::rixs::bin_events(events, steps(), uniform);
    CHECK(b.non_finite == 1);
  }

  TEST_CASE("bin_events live times: step durations less dead time, summed over steps at one energy") {
    valence::rixs::photon_events events{{1100, 1200, 2600, 3500}, valence_test::vec({525.0, 525.0, 525.0, 525.0})};
    valence::rixs::event_binning_options options;
    options.dead_time_per_event = 1e-8;
    const auto b = valence::rixs::bin_events(events, steps(), vector_d::LinSpaced(11, 520.0, 530.0), options);
    // 530 eV: 1000 ns + 1000 ns, less 3 events x 10 ns; 531 eV: 500 ns less 1 event.
    VALENCE_CHECK_REL(2000e-9 - 3e-8, b.live_time(0), 1e-12, 0.0);
    VALENCE_CHECK_REL(500e-9 - 1e-8, b.live_time(1), 1e-12, 0.0);
    VALENCE_CHECK_REL(900e-9, b.live_time(2), 1e-12, 0.0);
    CHECK(b.map.intensity(0, 5) == 3.0);
    options.dead_time_per_event = 4e-7;  // two events in 500 ns would leave none
    valence::rixs::photon_events crowded{{2600, 2700}, valence_test::vec({525.0, 525.0})};
    CHECK_THROWS_WITH_AS(
        (void)valence::rixs::bin_events(crowded, steps(), vector_d::LinSpaced(11, 520.0, 530.0), options),
        doctest::Contains("step 1 holds 2 events whose dead time"), valence::invalid_input);
  }

  TEST_CASE("events drawn from a scene bin into a map that scatters around its expected counts as Poisson") {
    valence::synth::rixs_scene scene;
    scene.features.push_back({531.0, 523.7, 0.4, 0.3, 300.0});
    scene.background_rate = 100;
    std::vector<scan_step> scan;
    const std::int64_t second = 1000000000;
    for (int k = 0; k < 13; ++k) {  // 526 ... 538 eV, 2 s each with 0.1 s between
      scan.push_back({k * (2 * second + second / 10), k * (2 * second + second / 10) + 2 * second, 526.0 + k});
    }
    std::mt19937_64 generator(11);
    const auto events = valence::synth::rixs_events(scene, scan, generator);
    const vector_d edges = vector_d::LinSpaced(61, 515.0, 545.0);
    const auto b = valence::rixs::bin_events(events, scan, edges);
    CHECK(b.between_steps == 0);
    const matrix_d expected = valence::synth::rixs_expected_counts(scene, b.map.excitation, edges, 2.0);
    double z2 = 0;
    int cells = 0;
    for (Eigen::Index r = 0; r < expected.rows(); ++r) {
      for (Eigen::Index c = 0; c < expected.cols(); ++c) {
        if (expected(r, c) > 20) {  // where the normal approximation holds
          z2 += (b.map.intensity(r, c) - expected(r, c)) * (b.map.intensity(r, c) - expected(r, c)) / expected(r, c);
          ++cells;
        }
      }
    }
    CAPTURE(cells);
    CAPTURE(z2 / cells);
    CHECK(cells > 80);
    // measured: 0.92 over 99 cells; the mean of a chi-square over 99 cells scatters by +-0.14.
    CHECK(z2 / cells > 0.75);
    CHECK(z2 / cells < 1.25);
    for (const double live : b.live_time) {
      CHECK(live == 2.0);
    }
  }

  TEST_CASE("merge_events interleaves channels in time order") {
    valence::rixs::photon_events a{{5, 1, 9}, valence_test::vec({1.0, 2.0, 3.0})};
    valence::rixs::photon_events b{{4, 9}, valence_test::vec({10.0, 20.0})};
    const auto m = valence::rixs::merge_events({a, b});
    CHECK(m.unix_ns == std::vector<std::int64_t>{1, 4, 5, 9, 9});
    CHECK(m.energy == valence_test::vec({2.0, 10.0, 1.0, 3.0, 20.0}));  // equal times keep channel order
    valence::rixs::photon_events broken{{1, 2}, valence_test::vec({1.0})};
    CHECK_THROWS_WITH_AS((void)valence::rixs::merge_events({a, broken}), doctest::Contains("channel 1 holds 2 times"),
                         valence::invalid_input);
  }

  TEST_CASE("bin_events rejects timelines, edges and events that do not fit") {
    using valence::invalid_input;
    const vector_d edges = vector_d::LinSpaced(11, 520.0, 530.0);
    valence::rixs::photon_events events{{1}, valence_test::vec({525.0})};
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, {}, edges), doctest::Contains("'steps' is empty"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, {{10, 10, 530.0}}, edges),
                         doctest::Contains("expected end > begin"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, {{10, 20, 530.0}, {15, 30, 531.0}}, edges),
                         doctest::Contains("[1] begins at 15 ns, before step 0 ends"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, {{10, 20, std::nan("")}}, edges),
                         doctest::Contains("finite energy"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, steps(), valence_test::vec({525.0})),
                         doctest::Contains("'emission_edges'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, steps(), valence_test::vec({525.0, 524.0})),
                         doctest::Contains("'emission_edges'"), invalid_input);
    valence::rixs::photon_events mismatched{{1, 2}, valence_test::vec({525.0})};
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(mismatched, steps(), edges),
                         doctest::Contains("2 times and 1 energies"), invalid_input);
    valence::rixs::event_binning_options options;
    options.dead_time_per_event = -1;
    CHECK_THROWS_WITH_AS((void)valence::rixs::bin_events(events, steps(), edges, options),
                         doctest::Contains("'dead_time_per_event'"), invalid_input);
  }
}
