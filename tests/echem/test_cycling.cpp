// SPDX-License-Identifier: MIT
// split_cycles on constructed records whose trapezoid integrals are known exactly, on records that
// start in discharge or end mid-cycle, with noise at rest; and on a real pseudo-OCV cycle whose
// capacities the instrument (EC-Lab, Capacity/mA.h column) integrated independently.
#include <valence/echem/cycling.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using valence::vector_d;

struct cycling_samples {
  vector_d time;
  vector_d voltage;
  vector_d current;
};

// Half-cycles of 360 samples at `current` (mA) then 60 samples at rest, 10 s apart; the voltage is
// constant within each half-cycle (3.8 V while the current is positive, 3.7 V otherwise).
cycling_samples constant_current_record(const std::vector<double>& currents) {
  const Eigen::Index per_half = 420;
  const auto n = static_cast<Eigen::Index>(currents.size()) * per_half;
  cycling_samples r{vector_d(n), vector_d(n), vector_d(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const double on = currents[static_cast<std::size_t>(i / per_half)];
    r.time(i) = 10.0 * double(i);
    r.current(i) = i % per_half < 360 ? on : 0.0;
    r.voltage(i) = on > 0 ? 3.8 : 3.7;
  }
  return r;
}

// The Neware export's columns as numbers: "Cumulative Time" (h:mm:ss) in s, "Current(A)",
// "Voltage(V)", "Step Index", and the instrument's per-step "Chg. Cap.(Ah)" and "DChg. Cap.(Ah)".
struct neware_columns {
  vector_d time;
  vector_d current;
  vector_d voltage;
  std::vector<int> step;
  vector_d charge;
  vector_d discharge;
};

neware_columns read_neware(const std::string& path) {
  const auto lines = valence_test::text_lines(path);
  std::vector<std::vector<double>> columns(5);
  neware_columns out;
  for (std::size_t l = 1; l < lines.size(); ++l) {
    std::vector<std::string> f;
    std::istringstream in(lines[l]);
    for (std::string field; std::getline(in, field, ',');) {
      f.push_back(field);
    }
    const auto colon = f.at(5).find(':');
    const auto second_colon = f[5].find(':', colon + 1);
    columns[0].push_back(3600.0 * std::stod(f[5].substr(0, colon)) +
                         60.0 * std::stod(f[5].substr(colon + 1, second_colon - colon - 1)) +
                         std::stod(f[5].substr(second_colon + 1)));
    columns[1].push_back(std::stod(f.at(6)));
    columns[2].push_back(std::stod(f.at(7)));
    columns[3].push_back(std::stod(f.at(10)));
    columns[4].push_back(std::stod(f.at(12)));
    out.step.push_back(std::stoi(f.at(2)));
  }
  const auto as_vector = [](const std::vector<double>& x) {
    return vector_d(Eigen::Map<const vector_d>(x.data(), static_cast<Eigen::Index>(x.size())));
  };
  out.time = as_vector(columns[0]);
  out.current = as_vector(columns[1]);
  out.voltage = as_vector(columns[2]);
  out.charge = as_vector(columns[3]);
  out.discharge = as_vector(columns[4]);
  return out;
}

}  // namespace

TEST_SUITE("echem") {
  TEST_CASE("split_cycles agrees with a Neware cycler's own capacities on a real anode half-cell") {
    constexpr const char* file = "gitt/cellpy/testdata/data/neware_uio.csv";
    VALENCE_REQUIRE_DATA(file);
    const auto n = read_neware((valence_test::data_dir() / file).string());
    // 1-minute samples with repeated time stamps at step changes; lithiation (discharge) first.
    const auto record = valence::echem::split_cycles(n.time, n.voltage, n.current);
    REQUIRE(record.half_cycles.size() == 10);
    CHECK(record.half_cycles.front().sign == -1);
    REQUIRE(record.cycles.size() == 5);
    for (const auto& hc : record.half_cycles) {
      // The instrument resets its capacity at every step: a half-cycle's charge is the sum of the
      // largest value of each step (three discharge steps at falling currents in cycles 1-3).
      double instrument = 0;
      Eigen::Index i = hc.begin;
      while (i < hc.end) {
        double largest = 0;
        const int step = n.step[static_cast<std::size_t>(i)];
        for (; i < hc.end && n.step[static_cast<std::size_t>(i)] == step; ++i) {
          largest = std::max(largest, hc.sign > 0 ? n.charge(i) : n.discharge(i));
        }
        instrument += largest;
      }
      CAPTURE(hc.begin);
      // measured: at most 9.8e-5 relative (trapezoids on 1-minute samples); tolerance 2e-4.
      CHECK(hc.capacity == doctest::Approx(instrument).epsilon(2e-4));
    }
    // delithiation over lithiation, as the first cycle's numbers give it.
    CHECK(record.cycles[0].coulombic_efficiency == doctest::Approx(0.00424935173 / 0.00508622518).epsilon(1e-8));
  }

  TEST_CASE("split_cycles integrates capacity and energy of constant-current cycles exactly") {
    const auto r = constant_current_record({1.0, -0.9, 1.0, -0.9, 1.0, -0.9});
    const auto record = valence::echem::split_cycles(r.time, r.voltage, r.current);
    REQUIRE(record.half_cycles.size() == 6);
    REQUIRE(record.cycles.size() == 3);
    CHECK(record.reference_current == 1.0);
    // Trapezoids: 359 intervals at full current and half an interval into the rest = 3595 s.
    for (std::size_t h = 0; h < 6; ++h) {
      CAPTURE(h);
      const auto& hc = record.half_cycles[h];
      const double i = h % 2 == 0 ? 1.0 : 0.9;
      const double v = h % 2 == 0 ? 3.8 : 3.7;
      CHECK(hc.begin == 420 * static_cast<Eigen::Index>(h));
      CHECK(hc.end == 420 * static_cast<Eigen::Index>(h + 1));
      CHECK(hc.sign == (h % 2 == 0 ? 1 : -1));
      // measured: capacities exact, energies 4.3e-15 relative (sums of 360 products); tolerance 1e-14.
      VALENCE_CHECK_REL(i * 3595.0 / 3600.0, hc.capacity, 1e-14, 1.0);
      VALENCE_CHECK_REL(i * v * 3595.0 / 3600.0, hc.energy, 1e-14, 1.0);
      VALENCE_CHECK_REL(v, hc.mean_voltage, 1e-14, 1.0);
      CHECK(record.capacity(hc.begin) == 0);
      VALENCE_CHECK_REL(hc.capacity, record.capacity(hc.end - 1), 1e-14, 1.0);
    }
    for (const auto& c : record.cycles) {
      VALENCE_CHECK_REL(0.9, c.coulombic_efficiency, 1e-14, 1.0);
      VALENCE_CHECK_REL(0.9 * 3.7 / 3.8, c.energy_efficiency, 1e-14, 1.0);
    }
    CHECK(record.cycles[1].first == 2);
    CHECK(record.cycles[1].second == 3);
    // The per-sample capacity never decreases within a half-cycle.
    for (const auto& hc : record.half_cycles) {
      for (Eigen::Index i = hc.begin; i + 1 < hc.end; ++i) {
        CHECK(record.capacity(i + 1) >= record.capacity(i));
      }
    }
  }

  TEST_CASE("split_cycles pairs from the first half-cycle, marks an unfinished cycle, ignores rest noise") {
    // An anode half-cell: lithiation (negative current) first, and the record stops after the
    // third half-cycle.
    auto r = constant_current_record({-2.0, 1.5, -2.0});
    std::mt19937 generator(5);
    std::normal_distribution<double> noise(0.0, 1e-4);  // 0.005 % of the current, both signs
    for (Eigen::Index i = 0; i < r.current.size(); ++i) {
      if (r.current(i) == 0) {
        r.current(i) = noise(generator);
      }
    }
    const auto record = valence::echem::split_cycles(r.time, r.voltage, r.current);
    REQUIRE(record.half_cycles.size() == 3);
    REQUIRE(record.cycles.size() == 2);
    CHECK(record.half_cycles[0].sign == -1);
    // delithiation over lithiation; the rest noise moves the integrals by < 1e-5 relative.
    CHECK(record.cycles[0].coulombic_efficiency == doctest::Approx(0.75).epsilon(1e-5));
    CHECK(record.cycles[1].second == -1);
    CHECK(std::isnan(record.cycles[1].second_capacity));
    CHECK(std::isnan(record.cycles[1].coulombic_efficiency));
    for (const auto& hc : record.half_cycles) {
      for (Eigen::Index i = hc.begin; i + 1 < hc.end; ++i) {
        CHECK(record.capacity(i + 1) >= record.capacity(i));
      }
    }
  }

  TEST_CASE("split_cycles agrees with the instrument's capacities on a real pseudo-OCV cycle") {
    constexpr const char* file = "gitt/PyBOP/examples/data/Tesla_4680/T-cell_pOCV_data.txt";
    VALENCE_REQUIRE_DATA(file);
    const auto columns = valence_test::read_tab_columns((valence_test::data_dir() / file).string());
    const auto record = valence::echem::split_cycles(columns.at("time/s"), columns.at("Ewe/VReal"), columns.at("I/mA"));
    REQUIRE(record.half_cycles.size() == 2);
    REQUIRE(record.cycles.size() == 1);
    const vector_d& instrument = columns.at("Capacity/mA.h");  // EC-Lab's own integral, reset per half-cycle
    // measured: 5.5e-7 (charge) and 1.2e-5 (discharge) relative; tolerance 1e-4.
    CHECK(record.half_cycles[0].capacity == doctest::Approx(instrument(record.half_cycles[0].end - 1)).epsilon(1e-4));
    CHECK(record.half_cycles[1].capacity == doctest::Approx(instrument(record.half_cycles[1].end - 1)).epsilon(1e-4));
    CHECK(record.half_cycles[0].capacity == doctest::Approx(3.997071931).epsilon(1e-9));  // numpy trapezoids
    CHECK(record.cycles[0].coulombic_efficiency == doctest::Approx(3.974798455 / 3.997071931).epsilon(1e-9));
    CHECK(record.half_cycles[0].energy == doctest::Approx(15.69150037).epsilon(1e-9));
  }

  TEST_CASE("split_cycles rejects bad input with messages that name it") {
    using valence::invalid_input;
    const auto r = constant_current_record({1.0, -1.0});
    CHECK_THROWS_WITH_AS((void)valence::echem::split_cycles(r.time, r.voltage.head(10), r.current),
                         doctest::Contains("valence::echem::split_cycles"), invalid_input);
    vector_d backwards = r.time;
    backwards(5) = backwards(3);
    CHECK_THROWS_WITH_AS((void)valence::echem::split_cycles(backwards, r.voltage, r.current),
                         doctest::Contains("parameter 'time' decreases at index 5 (40 then 30)"), invalid_input);
    vector_d repeated = r.time;  // a repeated time stamp is not an error
    repeated(5) = repeated(4);
    CHECK(valence::echem::split_cycles(repeated, r.voltage, r.current).half_cycles.size() == 2);
    vector_d bad = r.current;
    bad(3) = NAN;
    CHECK_THROWS_WITH_AS((void)valence::echem::split_cycles(r.time, r.voltage, bad),
                         doctest::Contains("'current' holds nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::echem::split_cycles(r.time, r.voltage, vector_d::Zero(r.time.size())),
                         doctest::Contains("the current is zero throughout"), invalid_input);
    valence::echem::cycling_options o;
    o.rest_fraction = 1.5;
    CHECK_THROWS_WITH_AS((void)valence::echem::split_cycles(r.time, r.voltage, r.current, o),
                         doctest::Contains("option 'rest_fraction' is 1.5"), invalid_input);
  }
}
