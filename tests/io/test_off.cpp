// SPDX-License-Identifier: MIT
// OFF files and experiment-state files: the real NSLS-II TES channel of NIST mass's test data
// (record count, sizes, time span and the photons of each state as an independent reading with
// Python's struct module gave them), files built here byte by byte for each version, and every
// malformed form the reader must refuse.
#include <valence/io/experiment_state.hpp>
#include <valence/io/off.hpp>
#include <valence/rixs/bin_events.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/off_writer.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace off_test {

const char* const channel = "rixs/mass/tests/off/data_for_test/nsls2_2024_pulses/20240405_run0002_chan4.off";
const char* const states = "rixs/mass/tests/off/data_for_test/nsls2_2024_pulses/20240405_run0002_experiment_state.txt";

using valence_test::make_off;

valence::io::off_file read(const std::string& bytes, const valence::io::off_options& options = {}) {
  std::istringstream in(bytes);
  return valence::io::read_off(in, "<test>", options);
}

}  // namespace off_test

}  // namespace

TEST_SUITE("io") {
  using namespace off_test;

  TEST_CASE("read_off reads the NSLS-II TES channel as its header and timeline say") {
    VALENCE_REQUIRE_DATA(channel);
    const auto off = valence::io::read_off((valence_test::data_dir() / channel).string());
    CHECK(off.version == "0.3.0");
    CHECK(off.channel_name == "chan4");
    CHECK(off.channel_number == 4);
    CHECK(off.frame_period == 4.8e-6);
    CHECK(off.bases == 5);
    CHECK(off.max_samples == 2000);
    CHECK(off.max_presamples == 1000);
    CHECK(off.projectors.rows() == 5);
    CHECK(off.projectors.cols() == 2000);
    CHECK(off.basis.rows() == 2000);
    CHECK(off.basis.cols() == 5);
    CHECK(off.header.size() == 1248);
    // (3566272 - 1248 - 160000) / 56 records, every one 2000 samples with 1000 before the trigger.
    REQUIRE(off.records() == 60804);
    CHECK(off.partial_record_bytes == 0);
    CHECK(off.pretrigger_delta.size() == 60804);
    for (std::size_t i = 0; i < off.record_samples.size(); ++i) {
      REQUIRE(off.record_samples[i] == 2000);
      REQUIRE(off.record_presamples[i] == 1000);
    }
    // Independent reading (Python struct, '<iiqqfff5f'): the first record and the span.
    CHECK(off.frame_count.front() == 733855896);
    CHECK(off.frame_count.back() == 2268598826);
    CHECK(off.unix_ns.front() == 1712333428115951078);
    CHECK(off.unix_ns.back() == 1712340795151461782);
    CHECK(off.pretrigger_mean(0) == 35351.8046875f);
    CHECK(off.residual_std_dev(0) == 33.186622619628906f);
    CHECK(off.coefficients(0, 0) == 35359.125f);
    CHECK(off.pulse_heights()(0) == 7923.841796875f);
    CHECK(off.projectors(0, 0) == 0.0032138370350923845);
    CHECK(off.basis(0, 0) == 1.0);

    // The photons of each state of the experiment-state file (counted independently in Python):
    // every record falls between START and STOP.
    const auto timeline = valence::io::read_experiment_state((valence_test::data_dir() / states).string());
    REQUIRE(timeline.size() == 8);
    CHECK(timeline.front().label == "START");
    CHECK(timeline[3].label == "SCAN1");
    CHECK(timeline.back().label == "STOP");
    const auto steps = valence::rixs::steps_from_states(timeline, {"CAL0", "SCAN1", "CAL2"}, {1.0, 2.0, 3.0});
    valence::rixs::photon_events events{off.unix_ns, off.pulse_heights().cast<double>()};
    const auto binned = valence::rixs::bin_events(events, steps, Eigen::Vector2d(0.0, 1e9));
    CHECK(binned.step_events == std::vector<std::int64_t>{25778, 6230, 16099});
    CHECK(binned.between_steps == 6027 + 2323);  // the two pauses between the steps
    CHECK(binned.after_last == 4347);            // the pause after CAL2
    CHECK(binned.before_first == 0);
    // Three records have negative pulse heights (-412.7, -110.1, -22.5), one of them in CAL0.
    CHECK(binned.below_range == 1);
    CHECK(binned.map.intensity.sum() == 25778 + 6230 + 16099 - 1);
  }

  TEST_CASE("read_off reads versions 0.2.0 and 0.3.0 built byte by byte") {
    for (const std::string version : {"0.2.0", "0.3.0"}) {
      CAPTURE(version);
      const auto off = read(make_off(version, 3, 4));
      CHECK(off.version == version);
      CHECK(off.channel_name == "chan9");
      CHECK(off.channel_number == 9);
      REQUIRE(off.records() == 4);
      CHECK(off.projectors(1, 0) == 1.0);  // row-major: element (1, 0) is the third value, 0.5 * 2
      CHECK(off.basis(0, 1) == 3.5);       // after the six projector values: 0.5 * 7
      CHECK(off.unix_ns[3] == 1003);
      CHECK(off.frame_count[2] == 102);
      CHECK(off.pretrigger_mean(1) == 7.5f);
      CHECK(off.residual_std_dev(1) == 0.25f);
      CHECK(off.pretrigger_delta.size() == (version == "0.3.0" ? 4 : 0));
      CHECK(off.coefficients(3, 2) == 32.0f);
      CHECK(off.pulse_heights()(2) == 22.0f);
    }
    CHECK_THROWS_WITH_AS((void)read(make_off("0.3.0", 2, 1)).pulse_heights(), doctest::Contains("has 2 bases"),
                         valence::invalid_input);
  }

  TEST_CASE("read_off refuses malformed and truncated files with messages that name the fault") {
    using valence::parse_error;
    const std::string good = make_off("0.3.0", 3, 4);
    CHECK_THROWS_WITH_AS((void)read(good.substr(0, 40)), doctest::Contains("not JSON"), parse_error);
    CHECK_THROWS_WITH_AS((void)read("[1, 2]\n"), doctest::Contains("does not end with a line '}'"), parse_error);
    CHECK_THROWS_WITH_AS((void)read("{\"FileFormat\": \"OFF\"}x"), doctest::Contains("does not end with a line"),
                         parse_error);
    std::string wrong_format = good;
    wrong_format.replace(wrong_format.find("\"OFF\""), 5, "\"LJH\"");
    CHECK_THROWS_WITH_AS((void)read(wrong_format), doctest::Contains("'FileFormat' is 'LJH'"), parse_error);
    CHECK_THROWS_WITH_AS((void)read(make_off("0.1.0", 3, 4)), doctest::Contains("0.1.0, with the model in base64"),
                         parse_error);
    std::string shapes = good;
    shapes.replace(shapes.find("\"Rows\": 2"), 9, "\"Rows\": 5");
    CHECK_THROWS_WITH_AS((void)read(shapes), doctest::Contains("expected bases x samples and its transpose"),
                         parse_error);
    std::string fractional = good;
    fractional.replace(fractional.find("\"NumberOfBases\": 3"), 18, "\"NumberOfBases\": 2.5");
    CHECK_THROWS_WITH_AS((void)read(fractional), doctest::Contains("'NumberOfBases' is not an integer"), parse_error);
    std::string huge = good;
    huge.replace(huge.find("\"Cols\": 2"), 9, "\"Cols\": 9999999");
    huge.replace(huge.find("\"Rows\": 2"), 9, "\"Rows\": 9999999");
    CHECK_THROWS_WITH_AS((void)read(huge), doctest::Contains("ends inside the model"), parse_error);
    std::string channel = good;
    channel.replace(channel.find("\"ChannelNumberMatchingName\": 9"), 30, "\"ChannelNumberMatchingName\": 6.7e59");
    CHECK_THROWS_WITH_AS((void)read(channel), doctest::Contains("'ChannelNumberMatchingName' is not an integer"),
                         parse_error);
    std::string no_period = good;
    no_period.replace(no_period.find("4.8e-06"), 7, "-1");
    CHECK_THROWS_WITH_AS((void)read(no_period), doctest::Contains("'FramePeriodSeconds'"), parse_error);
    // A record cut short: refused, or read up to the last whole record when allowed.
    const std::string cut = good.substr(0, good.size() - 5);
    CHECK_THROWS_WITH_AS((void)read(cut), doctest::Contains("the last record has 43 of its 48 bytes"), parse_error);
    valence::io::off_options partial;
    partial.allow_partial_record = true;
    const auto live = read(cut, partial);
    CHECK(live.records() == 3);
    CHECK(live.partial_record_bytes == 43);
    // Deep nesting and bad strings end in an error, not a crash.
    CHECK_THROWS_AS((void)read(std::string(100, '[')), parse_error);
    CHECK_THROWS_WITH_AS((void)read("{\"a\": \"\\q\"}\n"), doctest::Contains("unknown escape"), parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::read_off("/nonexistent/x.off"), doctest::Contains("cannot open"),
                         parse_error);
  }

  TEST_CASE("read_experiment_state reads timelines and refuses malformed lines") {
    std::istringstream text("# unix time in nanoseconds, state label\n10, START\n20, CAL0\r\n\n20, PAUSE\n35,STOP\n");
    const auto timeline = valence::io::read_experiment_state(text, "<test>");
    REQUIRE(timeline.size() == 4);
    CHECK(timeline[1].unix_ns == 20);
    CHECK(timeline[1].label == "CAL0");
    CHECK(timeline[3].label == "STOP");
    const auto fails = [](const std::string& content) {
      std::istringstream in(content);
      return (void)valence::io::read_experiment_state(in, "<test>");
    };
    using valence::parse_error;
    CHECK_THROWS_WITH_AS(fails("10 START\n"), doctest::Contains("<test>:1: the line is '10 START'"), parse_error);
    CHECK_THROWS_WITH_AS(fails("1.5, START\n"), doctest::Contains("whole number of ns"), parse_error);
    CHECK_THROWS_WITH_AS(fails("10, \n"), doctest::Contains("the label is empty"), parse_error);
    CHECK_THROWS_WITH_AS(fails("10, A\n5, B\n"), doctest::Contains("<test>:2: the time 5 is earlier"), parse_error);
    // A state that is the last line has no end.
    CHECK_THROWS_WITH_AS((void)valence::rixs::steps_from_states(timeline, {"STOP"}, {1.0}),
                         doctest::Contains("'STOP' is the last"), valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::steps_from_states(timeline, {"CAL0", "PAUSE"}, {1.0}),
                         doctest::Contains("2 states match the labels and 1 excitation"), valence::invalid_input);
  }
}
