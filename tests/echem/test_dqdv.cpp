// SPDX-License-Identifier: MIT
// dQ/dV on analytic curves (piecewise-linear Q(V): exact; two erf steps: known peak positions,
// heights and widths), with backtracking voltage and in discharge; peak tracking across cycles;
// and the real pseudo-OCV charge and discharge of an NMC811-type cathode (Ank et al. 2023, via
// PyBOP), whose peaks are stated from an independent numpy/scipy computation (tools noted below).
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using valence::vector_d;
using valence::echem::differential_capacity;
using valence::echem::differential_capacity_options;

// Q(V) with two dQ/dV peaks: Gaussian peaks of area 1.0 at 3.75 V (sigma 20 mV) and 0.6 at
// 4.15 V (sigma 15 mV) on a constant 0.5 per V, from 3.4 to 4.4 V.
double two_peak_charge(double v) {
  const auto step = [](double x, double centre, double sigma) {
    return 0.5 * std::erfc(-(x - centre) / (sigma * std::sqrt(2.0)));
  };
  return 1.0 * step(v, 3.75, 0.020) + 0.6 * step(v, 4.15, 0.015) + 0.5 * (v - 3.4);
}

struct curve_record {
  vector_d capacity;
  vector_d voltage;
};

// Samples V on a jittered grid of `points` from 3.4 to 4.4 V (not aligned with any bin edge).
curve_record two_peak_record(Eigen::Index points, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> jitter(-0.3, 0.3);
  curve_record r{vector_d(points), vector_d(points)};
  for (Eigen::Index i = 0; i < points; ++i) {
    const double u = (double(i) + (i == 0 || i + 1 == points ? 0.0 : jitter(generator))) / double(points - 1);
    r.voltage(i) = 3.4 + u;
    r.capacity(i) = two_peak_charge(r.voltage(i));
  }
  return r;
}

}  // namespace

TEST_SUITE("echem") {
  TEST_CASE("differential_capacity is exact on a piecewise-linear Q(V)") {
    // Q = 2 (V - 3) below 3.5 V and 1 + 6 (V - 3.5) above, sampled at irregular voltages.
    const vector_d voltage = valence_test::vec({3.0, 3.0137, 3.2291, 3.3, 3.5, 3.6003, 3.7771, 3.9, 4.0});
    vector_d capacity(voltage.size());
    for (Eigen::Index i = 0; i < voltage.size(); ++i) {
      const double v = voltage(i);
      capacity(i) = v < 3.5 ? 2 * (v - 3) : 1 + 6 * (v - 3.5);
    }
    differential_capacity_options o;
    o.voltage_step = 0.01;
    o.smoothing_fwhm = 0;
    const auto r = differential_capacity(capacity, voltage, o);
    CHECK(r.direction == 1);
    CHECK(r.backtracking_charge == 0);
    CHECK(r.smoothing_sigma == 0);
    // measured: 4e-15 (sums of bin shares); tolerance 1e-13.
    CHECK(std::abs(r.capacity - 4.0) < 1e-13);
    REQUIRE(r.voltage.size() == r.dq_dv.size());
    for (Eigen::Index k = 0; k < r.voltage.size(); ++k) {
      const double centre = r.voltage(k);
      if (std::abs(centre - 3.5) < 0.01) {
        continue;  // the bin at the kink holds a mix of both slopes
      }
      CAPTURE(centre);
      // measured: 2e-12 (bin edges at k h, shares of intervals up to 0.2 V long); tolerance 1e-10.
      CHECK(std::abs(r.dq_dv(k) - (centre < 3.5 ? 2.0 : 6.0)) < 1e-10);
    }
    CHECK(r.dq_dv == r.dq_dv_raw);
  }

  TEST_CASE("differential_capacity finds the analytic peaks of two erf steps, smoothed or not") {
    const auto rec = two_peak_record(20001, 7);
    differential_capacity_options raw_options;
    raw_options.smoothing_fwhm = 0;
    const auto raw = differential_capacity(rec.capacity, rec.voltage, raw_options);
    // Each bin holds Q(upper edge) - Q(lower edge) up to the error of linear interpolation between
    // samples at most 80 uV apart: (dV)^2/8 max|Q''| = 5.1e-7 at an edge (max|Q''| = 640 per V^2
    // on the flank of the 15 mV peak); measured 2.7e-7.
    double worst = 0;
    for (Eigen::Index k = 0; k < raw.voltage.size(); ++k) {
      const double lower = std::max(raw.voltage(k) - 0.0005, 3.4);
      const double upper = std::min(raw.voltage(k) + 0.0005, 4.4);
      worst = std::max(worst, std::abs(raw.dq_dv_raw(k) * 0.001 - (two_peak_charge(upper) - two_peak_charge(lower))));
    }
    CHECK(worst < 5.2e-7);
    CHECK(std::abs(raw.capacity - (two_peak_charge(4.4) - two_peak_charge(3.4))) < 1e-12);
    REQUIRE(raw.peaks.size() == 2);
    // Bin averages of a Gaussian: the parabola vertex is within 0.05 h of the centre (measured
    // 1e-5 V), the height within 0.1 % of 1/(sigma sqrt(2 pi)) + 0.5.
    CHECK(std::abs(raw.peaks[0].voltage - 3.75) < 5e-5);
    CHECK(std::abs(raw.peaks[1].voltage - 4.15) < 5e-5);
    const double pi = 3.14159265358979323846;
    CHECK(raw.peaks[0].height == doctest::Approx(1.0 / (0.020 * std::sqrt(2 * pi)) + 0.5).epsilon(1e-3));
    CHECK(raw.peaks[1].height == doctest::Approx(0.6 / (0.015 * std::sqrt(2 * pi)) + 0.5).epsilon(1e-3));
    // Half prominence above a 0.5 base is half the Gaussian's height: the width is its FWHM.
    CHECK(raw.peaks[0].width == doctest::Approx(2.3548200450309493 * 0.020).epsilon(2e-3));
    CHECK(raw.peaks[1].width == doctest::Approx(2.3548200450309493 * 0.015).epsilon(2e-3));

    // cellpy's default smoothing: sigma = floor(0.01/0.001)/2 = 5 bins = 5 mV, so each peak keeps
    // its centre and broadens to sqrt(sigma^2 + 5 mV^2); the area is kept.
    const auto smoothed = differential_capacity(rec.capacity, rec.voltage);
    CHECK(smoothed.smoothing_sigma == doctest::Approx(0.005).epsilon(1e-12));
    CHECK(std::abs(smoothed.dq_dv.sum() * 0.001 - raw.capacity) < 1e-12);
    REQUIRE(smoothed.peaks.size() == 2);
    CHECK(std::abs(smoothed.peaks[0].voltage - 3.75) < 2e-4);
    CHECK(std::abs(smoothed.peaks[1].voltage - 4.15) < 2e-4);
    const double s0 = std::hypot(0.020, 0.005);
    const double s1 = std::hypot(0.015, 0.005);
    CHECK(smoothed.peaks[0].height == doctest::Approx(1.0 / (s0 * std::sqrt(2 * pi)) + 0.5).epsilon(5e-3));
    CHECK(smoothed.peaks[1].height == doctest::Approx(0.6 / (s1 * std::sqrt(2 * pi)) + 0.5).epsilon(5e-3));
    CHECK(smoothed.peaks[0].width == doctest::Approx(2.3548200450309493 * s0).epsilon(1e-2));
    // The area between the bases holds the peak and the 0.5/V floor under it.
    // The valley between the peaks lies where both tails are negligible (< 1e-4 of the areas).
    const auto& p = smoothed.peaks[0];
    CHECK(p.left_valley < 3.41);
    CHECK(p.right_valley > 3.9);
    CHECK(p.right_valley < 4.05);
    CHECK(smoothed.peaks[1].left_valley == p.right_valley);
    CHECK(p.area == doctest::Approx(1.0 + 0.5 * (p.right_valley - p.left_valley + 0.001)).epsilon(1e-3));
  }

  TEST_CASE("differential_capacity counts backtracking voltage once and reads a discharge the same way") {
    const auto rec = two_peak_record(4001, 11);
    // Noise of +-1 mV on the voltage: it moves back and forth, yet all charge is counted once.
    std::mt19937 generator(3);
    std::normal_distribution<double> noise(0.0, 0.001);
    vector_d noisy = rec.voltage;
    for (Eigen::Index i = 1; i + 1 < noisy.size(); ++i) {
      noisy(i) += noise(generator);
    }
    const auto r = differential_capacity(rec.capacity, noisy);
    CHECK(r.backtracking_charge > 0.1);  // a good part of the intervals run backwards
    CHECK(std::abs(r.capacity - (rec.capacity(rec.capacity.size() - 1) - rec.capacity(0))) < 1e-12);
    REQUIRE(r.peaks.size() == 2);
    CHECK(std::abs(r.peaks[0].voltage - 3.75) < 2e-3);
    CHECK(std::abs(r.peaks[1].voltage - 4.15) < 2e-3);

    // The same record run backwards in voltage (a discharge): capacity still grows, and each
    // bin receives the same intervals' charge.
    const Eigen::Index n = rec.voltage.size();
    vector_d falling(n);
    vector_d passed(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      falling(i) = rec.voltage(n - 1 - i);
      passed(i) = rec.capacity(n - 1) - rec.capacity(n - 1 - i);
    }
    const auto charge = differential_capacity(rec.capacity, rec.voltage);
    const auto discharge = differential_capacity(passed, falling);
    CHECK(discharge.direction == -1);
    REQUIRE(discharge.dq_dv.size() == charge.dq_dv.size());
    // measured: 3e-15 relative (the charge differences are formed from other sums).
    CHECK((discharge.dq_dv - charge.dq_dv).cwiseAbs().maxCoeff() < 1e-12 * charge.dq_dv.maxCoeff());
  }

  TEST_CASE("track_peak follows a drifting peak and leaves gaps where it is missing") {
    std::vector<valence::echem::differential_capacity_result> curves;
    for (int c = 0; c < 6; ++c) {
      // The peak moves up by 10 mV per cycle (polarisation); cycle 3 has no peak at all.
      const double centre = 3.75 + 0.010 * c;
      const Eigen::Index n = 4001;
      vector_d v = vector_d::LinSpaced(n, 3.4, 4.4);
      vector_d q(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        q(i) = (c == 3 ? 0.0 : 0.5 * std::erfc(-(v(i) - centre) / (0.02 * std::sqrt(2.0)))) + 0.5 * (v(i) - 3.4);
      }
      curves.push_back(differential_capacity(q, v));
    }
    const auto track = valence::echem::track_peak(curves, 3.76, 0.025);
    for (int c = 0; c < 6; ++c) {
      CAPTURE(c);
      if (c == 3) {
        CHECK(std::isnan(track.voltage(c)));
        CHECK(std::isnan(track.height(c)));
        CHECK(std::isnan(track.area(c)));
      } else {
        // 50 mV of drift in all (20 mV across the gap), with a 25 mV window: followed step by step.
        CHECK(std::abs(track.voltage(c) - (3.75 + 0.010 * c)) < 3e-4);
        CHECK(track.area(c) > 0.5);
      }
    }
    // Starting too far away finds nothing.
    CHECK(std::isnan(valence::echem::track_peak(curves, 3.60, 0.025).voltage(0)));
  }

  TEST_CASE("differential_capacity on the real pseudo-OCV cycle of an NMC811-type cathode") {
    constexpr const char* file = "gitt/PyBOP/examples/data/Tesla_4680/T-cell_pOCV_data.txt";
    VALENCE_REQUIRE_DATA(file);
    const auto columns = valence_test::read_tab_columns((valence_test::data_dir() / file).string());
    const auto record = valence::echem::split_cycles(columns.at("time/s"), columns.at("Ewe/VReal"), columns.at("I/mA"));
    REQUIRE(record.half_cycles.size() == 2);
    // Reference: numpy 1.24 / scipy 1.10.1 on the same bins, each interval's charge spread over
    // 400 sub-steps (not the exact overlaps used here), scipy.ndimage.gaussian_filter1d(sigma=5,
    // reflect), scipy.signal.find_peaks / peak_prominences (>= 5 % of the maximum) / peak_widths.
    struct expected_peak {
      double centre;
      double height;
      double width;
    };
    const std::vector<std::vector<expected_peak>> expected = {
        {{3.7435, 10.21295, 0.13795}, {4.0015, 6.13045, 0.09168}, {4.1835, 11.46475, 0.04449}},
        {{3.7385, 10.30791, 0.10111}, {3.9945, 6.13285, 0.08934}, {4.1725, 12.42395, 0.03267}}};
    const std::vector<double> largest = {11.46474948905463, 12.423950052958523};
    for (std::size_t h = 0; h < 2; ++h) {
      CAPTURE(h);
      const auto& hc = record.half_cycles[h];
      const Eigen::Index count = hc.end - hc.begin;
      const auto r = differential_capacity(record.capacity.segment(hc.begin, count),
                                           columns.at("Ewe/VReal").segment(hc.begin, count));
      CHECK(r.direction == (h == 0 ? 1 : -1));
      CHECK(r.dq_dv.allFinite());
      CHECK(r.capacity == doctest::Approx(record.capacity(hc.end - 1)).epsilon(1e-12));
      // measured: 1.1e-6 relative (the reference's sub-stepping); tolerance 1e-5.
      CHECK(r.dq_dv.maxCoeff() == doctest::Approx(largest[h]).epsilon(1e-5));
      REQUIRE(r.peaks.size() == expected[h].size());
      for (std::size_t k = 0; k < expected[h].size(); ++k) {
        CAPTURE(k);
        // The reference reports bin centres; the vertex lies within half a bin (0.5 mV) of them.
        CHECK(std::abs(r.peaks[k].voltage - expected[h][k].centre) <= 0.0005);
        // measured: 2e-4 relative (the reference is rounded to 5 decimals); tolerance 1e-3.
        CHECK(r.peaks[k].width == doctest::Approx(expected[h][k].width).epsilon(1e-3));
        CHECK(r.peaks[k].height >= expected[h][k].height * (1 - 1e-3));
      }
    }
  }

  TEST_CASE("differential_capacity and track_peak reject bad input with messages that name it") {
    using valence::invalid_input;
    const vector_d q = valence_test::vec({0.0, 0.5, 1.0});
    const vector_d v = valence_test::vec({3.5, 3.6, 3.7});
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, valence_test::vec({3.5, 3.6})),
                         doctest::Contains("valence::echem::differential_capacity"), invalid_input);
    CHECK_THROWS_WITH_AS((void)differential_capacity(valence_test::vec({0.0}), valence_test::vec({3.5})),
                         doctest::Contains("'capacity'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, valence_test::vec({3.5, NAN, 3.7})),
                         doctest::Contains("'voltage' holds nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)differential_capacity(valence_test::vec({1.0, 1.0, 1.0}), v),
                         doctest::Contains("'capacity' does not advance"), invalid_input);
    CHECK_THROWS_WITH_AS((void)differential_capacity(valence_test::vec({0.0, 1.0, 0.5}), v),
                         doctest::Contains("'capacity' reverses at index 2"), invalid_input);
    differential_capacity_options o;
    o.voltage_step = 0;
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, v, o), doctest::Contains("option 'voltage_step' is 0"),
                         invalid_input);
    o = {};
    o.voltage_step = 1e-9;
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, v, o), doctest::Contains("more than 1e7 bins"), invalid_input);
    o = {};
    o.smoothing_fwhm = -0.01;
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, v, o), doctest::Contains("option 'smoothing_fwhm' is -0.01"),
                         invalid_input);
    o = {};
    o.min_prominence = 1.0;
    CHECK_THROWS_WITH_AS((void)differential_capacity(q, v, o), doctest::Contains("option 'min_prominence' is 1"),
                         invalid_input);
    const std::vector<valence::echem::differential_capacity_result> none;
    CHECK_THROWS_WITH_AS((void)valence::echem::track_peak(none, NAN, 0.01),
                         doctest::Contains("parameter 'start_voltage' is nan"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::echem::track_peak(none, 3.8, 0.0), doctest::Contains("parameter 'window' is 0"),
                         invalid_input);
  }
}
