// SPDX-License-Identifier: MIT
// valence::echem::gitt::segment on synthetic records (valence::synth::synthetic_gitt: exact step
// times), with discharge current, a record cut inside pulses, missing points and jittered sampling;
// on the real EC-Lab record gcpl.issue_149.mpt (yadg test data: four loops of a 10 s rest, a
// +30 uA pulse and a -30 uA pulse, 10 s each, with a gap between loops); and its documented errors.
#include <valence/echem/gitt_segment.hpp>
#include <valence/synth/gitt.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/cycler_stamps.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

namespace gitt = valence::echem::gitt;
using valence::vector_d;

namespace {

valence::synth::gitt_record record(double current) {
  valence::synth::gitt_experiment e;
  e.size = 1e-4;
  e.pulse = 60;
  e.rest = 240;
  e.initial_rest = 30;
  e.steps = 5;
  e.current = current;
  e.noise = 1e-4;
  return valence::synth::synthetic_gitt(e);
}

vector_d pick(const vector_d& v, const std::vector<Eigen::Index>& rows) {
  vector_d out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    out(static_cast<Eigen::Index>(k)) = v(rows[k]);
  }
  return out;
}

}  // namespace

TEST_CASE("segment finds every step of a synthetic record, charge or discharge") {
  for (const double current : {1e-4, -1e-4}) {
    CAPTURE(current);
    const auto r = record(current);
    const auto s = gitt::segment(r.time, r.voltage, r.current);
    REQUIRE(s.steps.size() == 5);
    CHECK(s.pulse_current == doctest::Approx(1e-4).epsilon(1e-15));
    CHECK(s.initial_rest_end == 30);
    for (std::size_t k = 0; k < 5; ++k) {
      CAPTURE(k);
      const auto& step = s.steps[k];
      // Exact: pulses at 30 + 300 k s, sampled every second; the sample at a switch is after it.
      CHECK(step.pulse_begin == 30 + 300 * static_cast<Eigen::Index>(k));
      CHECK(step.pulse_end == step.pulse_begin + 60);
      CHECK(step.rest_begin == step.pulse_end);
      CHECK(step.rest_end == (k < 4 ? step.pulse_begin + 300 : r.time.size()));
      CHECK(step.duration == doctest::Approx(60).epsilon(1e-12));
      CHECK(step.current == doctest::Approx(current).epsilon(1e-15));
      CHECK(step.rested_before);
      CHECK(step.complete);
    }
  }
}

TEST_CASE("segment accepts the repeated time stamps cyclers write at step changes") {
  const auto r = record(1e-4);
  const auto plain = gitt::segment(r.time, r.voltage, r.current);
  const auto stamped = valence_test::with_repeated_stamps(r.time, r.voltage, r.current, 0.0);
  REQUIRE(stamped.repeated.size() == 10);  // on and off, five times
  const auto s = gitt::segment(stamped.time, stamped.voltage, stamped.current);
  REQUIRE(s.steps.size() == 5);
  CHECK(s.initial_rest_end == plain.initial_rest_end + 1);  // the rest's repeated last sample
  for (std::size_t k = 0; k < 5; ++k) {
    CAPTURE(k);
    const auto& step = s.steps[k];
    const auto& before = plain.steps[k];
    // Every earlier switch added one sample; the repeated stamp at the end belongs to the pulse.
    const auto shift = 2 * static_cast<Eigen::Index>(k);
    CHECK(step.pulse_begin == before.pulse_begin + shift + 1);
    CHECK(step.pulse_end == before.pulse_end + shift + 2);
    CHECK(step.rest_end == (k < 4 ? before.rest_end + shift + 3 : stamped.time.size()));
    // Exact: the pulse still runs from its first sample to the first sample of the rest.
    CHECK(step.duration == before.duration);
    CHECK(step.current == doctest::Approx(before.current).epsilon(1e-15));
    CHECK(step.rested_before);
    CHECK(step.complete);
  }
}

TEST_CASE("segment tolerates a record cut inside pulses, missing points and jittered sampling") {
  const auto r = record(1e-4);
  // Cut from inside the first pulse to inside the last.
  const Eigen::Index first = 50;
  const Eigen::Index last = 1230;  // the fifth pulse runs 1230-1289
  const auto cut = gitt::segment(r.time.segment(first, last + 10 - first), r.voltage.segment(first, last + 10 - first),
                                 r.current.segment(first, last + 10 - first));
  REQUIRE(cut.steps.size() == 5);
  CHECK(!cut.steps.front().rested_before);
  CHECK(cut.steps.front().duration == doctest::Approx(40).epsilon(1e-12));
  CHECK(cut.initial_rest_end == 0);
  CHECK(!cut.steps.back().complete);
  CHECK(cut.steps.back().rest_end == cut.steps.back().pulse_end);
  // Every third sample missing, and the rest jittered by up to 0.3 s.
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < r.time.size(); ++i) {
    if (i % 3 != 1) {
      rows.push_back(i);
    }
  }
  vector_d time = pick(r.time, rows);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> jitter(-0.3, 0.3);
  for (auto& t : time) {
    t += jitter(rng);
  }
  const auto sparse = gitt::segment(time, pick(r.voltage, rows), pick(r.current, rows));
  REQUIRE(sparse.steps.size() == 5);
  for (const auto& step : sparse.steps) {
    CHECK(std::abs(step.duration - 60) < 1.7);  // one missing sample at either end, plus jitter
  }
}

TEST_CASE("segment splits the real EC-Lab record into its eight pulses") {
  VALENCE_REQUIRE_DATA("gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt");
  const auto columns = valence_test::read_mpt_columns(
      (valence_test::data_dir() / "gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt").string());
  const vector_d current = columns.at("<I>/mA") * 1e-3;  // A
  const auto s = gitt::segment(columns.at("time/s"), columns.at("Ewe/V"), current);
  // The file's own protocol: 4 loops of (rest 10 s, +30 uA 10 s, -30 uA 10 s), 33 points each.
  REQUIRE(s.steps.size() == 8);
  CHECK(s.pulse_current == doctest::Approx(30e-6).epsilon(1e-3));
  CHECK(s.initial_rest_end == 11);
  for (std::size_t k = 0; k < 8; ++k) {
    CAPTURE(k);
    const auto& step = s.steps[k];
    const bool charge = k % 2 == 0;
    CHECK((step.current > 0) == charge);
    // The first sample of a -30 uA pulse averages the switch (-19 uA): measured 3.2 % low.
    CHECK(std::abs(std::abs(step.current) - 30e-6) < 0.04 * 30e-6);
    // The instrument logs both ends; a -30 uA pulse is followed by the gap between loops.
    CHECK(step.duration == doctest::Approx(10.0).epsilon(1e-4));
    CHECK(step.pulse_end - step.pulse_begin == 11);
    CHECK(step.rested_before == charge);  // each -30 uA pulse follows the +30 uA one directly
    CHECK(step.rest_end - step.rest_begin == (charge || k == 7 ? 0 : 11));
    CHECK(step.complete == (k < 7));  // the record ends on the last pulse's last sample
  }
}

TEST_CASE("segment rejects bad input with messages that name it") {
  const vector_d t = vector_d::LinSpaced(10, 0.0, 9.0);
  const vector_d v = vector_d::Constant(10, 3.7);
  const vector_d i = vector_d::Zero(10);
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(t, v, i)), doctest::Contains("the current is zero throughout"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(t, v.head(9), i)), doctest::Contains("'voltage' has 9 elements"),
                       valence::invalid_input);
  vector_d back = t;
  back(4) = 2.0;
  vector_d one = i;
  one(5) = 1e-3;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(back, v, one)),
                       doctest::Contains("parameter 'time' decreases at index 4 (3 then 2)"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(vector_d::Constant(10, 5.0), v, one)),
                       doctest::Contains("parameter 'time' is 5 s throughout"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(t, v, one)), doctest::Contains("no current pulse of at least 2"),
                       valence::invalid_input);
  gitt::segment_options o;
  o.rest_fraction = 1.5;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(t, v, one, o)),
                       doctest::Contains("option 'rest_fraction' is 1.5"), valence::invalid_input);
  o = {};
  o.min_pulse_points = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(gitt::segment(t, v, one, o)),
                       doctest::Contains("option 'min_pulse_points' is 0"), valence::invalid_input);
}
