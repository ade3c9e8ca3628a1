// SPDX-License-Identifier: MIT
// White-line ratios on constructed L2,3 edges (Gaussian white lines on Heaviside or arctangent
// 2:1 steps, so the intensities are known sums), the honesty of the Poisson-propagated ratio error
// over noise realisations, and bad input.
#include <valence/eels/white_line.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <random>

namespace {

namespace white_line_test {

using valence::vector_d;

vector_d axis() {
  return 630.0 + 0.1 * vector_d::LinSpaced(501, 0, 500).array();
}  // 630-680 eV

double gaussian(double e, double centre, double sigma, double height) {
  return height * std::exp(-0.5 * (e - centre) * (e - centre) / (sigma * sigma));
}

// White lines only (what the method should integrate), and the steps under them.
double lines(double e) {
  return gaussian(e, 642.0, 1.0, 2000) + gaussian(e, 653.0, 1.2, 700);
}

double steps(double e, double width) {
  const double pi = 3.14159265358979323846;
  const auto step = [&](double at) {
    return width > 0 ? (std::atan(pi * (e - at) / width) + pi / 2) / pi : (e >= at ? 1.0 : 0.0);
  };
  return 100 * (2.0 / 3 * step(642.0) + 1.0 / 3 * step(653.0));
}

valence::eels::white_line_options options(double width) {
  valence::eels::white_line_options o;
  o.l3_energy = 642.0;
  o.l2_energy = 653.0;
  o.continuum_window = {665.0, 675.0};
  o.step_width = width;
  return o;
}

}  // namespace white_line_test

}  // namespace

TEST_SUITE("eels") {
  using namespace white_line_test;

  TEST_CASE("white_line_ratio integrates the white lines above Heaviside and arctangent steps") {
    const vector_d e = axis();
    for (const double width : {0.0, 1.0}) {
      CAPTURE(width);
      vector_d s(e.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        s(i) = lines(e(i)) + steps(e(i), width);
      }
      const auto r = valence::eels::white_line_ratio(e, s, s, options(width));
      double l3 = 0;
      double l2 = 0;
      for (Eigen::Index i = r.l3_channels.begin; i < r.l3_channels.end(); ++i) {
        l3 += lines(e(i));
      }
      for (Eigen::Index i = r.l2_channels.begin; i < r.l2_channels.end(); ++i) {
        l2 += lines(e(i));
      }
      CHECK(r.l3_channels.size == 101);  // 637 ... 647 eV
      CHECK(r.l2_channels.size == 81);   // 649 ... 657 eV
      // The arctangent's slow approach to its height leaves h 0.45 % below 100 in the continuum
      // window (12-22 eV past L2): h is the mean there, as the method defines it.
      const double h_expected = width == 0 ? 100.0 : s.segment(350, 101).mean();
      VALENCE_CHECK_REL(h_expected, r.continuum, 1e-13, 0.0);
      if (width == 0) {
        // measured: 9e-16; exact sums.
        VALENCE_CHECK_REL(l3, r.l3_area, 1e-12, 0.0);
        VALENCE_CHECK_REL(l2, r.l2_area, 1e-12, 0.0);
        VALENCE_CHECK_REL(l3 / l2, r.ratio, 1e-12, 0.0);
      } else {
        // The steps are subtracted with that h, so the intensities keep (100 - h) times the
        // steps' sums: measured +0.03 % (L3), +0.14 % (L2), -0.11 % on the ratio.
        CHECK(r.ratio == doctest::Approx(l3 / l2).epsilon(3e-3));
      }
    }
  }

  TEST_CASE("white_line_ratio errors describe the scatter of Poisson counts") {
    const vector_d e = axis();
    std::mt19937 generator(8);
    const double background = 500;  // known, subtracted exactly
    const int trials = 300;
    double z2 = 0;
    double truth = 0;
    {
      vector_d s(e.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        s(i) = lines(e(i)) + steps(e(i), 0);
      }
      truth = valence::eels::white_line_ratio(e, s, s, options(0)).ratio;
    }
    for (int t = 0; t < trials; ++t) {
      vector_d counts(e.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        counts(i) = double(std::poisson_distribution<long>(lines(e(i)) + steps(e(i), 0) + background)(generator));
      }
      const vector_d signal = counts.array() - background;
      const auto r = valence::eels::white_line_ratio(e, signal, counts, options(0));
      z2 += std::pow((r.ratio - truth) / r.ratio_error, 2) / trials;
    }
    // Honest errors: mean squared z-score 1 (about +-0.08 over 300 trials).
    CHECK(z2 > 0.75);
    CHECK(z2 < 1.3);
  }

  TEST_CASE("the second-derivative ratio equals the area ratio of equally wide lines") {
    const vector_d e = axis();
    // L3 area 2.5 times L2's, both 1 eV wide: I = 2 A exp(-1/2) / (sqrt(2 pi) w^2) for each.
    vector_d s(e.size());
    vector_d with_continuum(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      s(i) = gaussian(e(i), 642.0, 1.0, 2500) + gaussian(e(i), 653.0, 1.0, 1000);
      with_continuum(i) = s(i) + 3e4 * std::pow(e(i) / 630.0, -3.0);  // a power law under the lines
    }
    valence::eels::second_derivative_options o;
    o.l3_energy = 642.0;
    o.l2_energy = 653.0;
    o.smoothing = 0.5;
    const auto r = valence::eels::white_line_ratio(e, s, s, o);
    CHECK(r.ratio == doctest::Approx(2.5).epsilon(1e-9));
    // Analytic: a line of height H and width s, smoothed to w^2 = s^2 + sigma^2, loses slope
    // 2 H s exp(-1/2) / w^2 across its lobe (the discrete kernel and lobe ends: 1.4e-3 measured).
    const double w2 = 1.0 + 0.25;
    CHECK(r.l3_area == doctest::Approx(2 * 2500 * std::exp(-0.5) / w2).epsilon(2e-3));
    CHECK(e(r.l3_channels.begin) < 642.0);
    CHECK(e(r.l3_channels.end() - 1) > 642.0);
    const auto c = valence::eels::white_line_ratio(e, with_continuum, with_continuum, o);
    // The power law, 11 times the L3 line's height, adds its own curvature: 1.02e-3 measured.
    CHECK(c.ratio == doctest::Approx(2.5).epsilon(1.5e-3));
  }

  TEST_CASE("second-derivative ratio errors describe the scatter of Poisson counts") {
    const vector_d e = axis();
    std::mt19937 generator(9);
    valence::eels::second_derivative_options o;
    o.l3_energy = 642.0;
    o.l2_energy = 653.0;
    vector_d mean(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mean(i) = lines(e(i)) + 300;
    }
    const double truth = valence::eels::white_line_ratio(e, mean, mean, o).ratio;
    const int trials = 300;
    double z2 = 0;
    for (int t = 0; t < trials; ++t) {
      vector_d counts(e.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        counts(i) = double(std::poisson_distribution<long>(mean(i))(generator));
      }
      const auto r = valence::eels::white_line_ratio(e, counts, counts, o);
      z2 += std::pow((r.ratio - truth) / r.ratio_error, 2) / trials;
    }
    CHECK(z2 > 0.75);
    CHECK(z2 < 1.3);
  }

  TEST_CASE("the second-derivative ratio rejects what it cannot measure") {
    const vector_d e = axis();
    vector_d s(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      s(i) = lines(e(i));
    }
    valence::eels::second_derivative_options o;
    o.l3_energy = 642.0;
    o.l2_energy = 653.0;
    vector_d uneven = e;
    uneven(7) += 0.01;
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(uneven, s, s, o),
                         doctest::Contains("not uniform at index 7"), valence::invalid_input);
    auto bad = o;
    bad.smoothing = 0;
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, bad), doctest::Contains("'smoothing' is 0"),
                         valence::invalid_input);
    bad = o;
    bad.search_half_width = -1;
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, bad),
                         doctest::Contains("'search_half_width' is -1"), valence::invalid_input);
    bad = o;
    bad.l3_energy = 631.0;  // 1 eV from the start, inside the 4 sigma margin
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, bad), doctest::Contains("within 4 sigma"),
                         valence::invalid_input);
    bad = o;
    bad.l2_energy = 670.0;  // no line there: S'' of a flat region is not negative
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, bad), doctest::Contains("no negative lobe"),
                         valence::invalid_input);
    vector_d negative = s;
    negative(3) = -1;
    CHECK_THROWS_AS((void)valence::eels::white_line_ratio(e, s, negative, o), valence::invalid_input);
  }

  TEST_CASE("l23_edge_onsets gives the tabulated onsets of the cathode metals") {
    // EELS Atlas (Ahn and Krivanek 1983) values.
    CHECK(valence::eels::l23_edge_onsets("Mn").l3 == 640);
    CHECK(valence::eels::l23_edge_onsets("Mn").l2 == 651);
    CHECK(valence::eels::l23_edge_onsets("Fe").l2 == 721);
    CHECK(valence::eels::l23_edge_onsets("Co").l3 == 779);
    CHECK(valence::eels::l23_edge_onsets("Ni").l2 == 872);
    CHECK_THROWS_WITH_AS((void)valence::eels::l23_edge_onsets("Cu"),
                         doctest::Contains("parameter 'symbol' is 'Cu'; expected Mn, Fe, Co or Ni"),
                         valence::invalid_input);
  }

  TEST_CASE("white_line_ratio rejects bad input with messages that name it") {
    using valence::invalid_input;
    const vector_d e = axis();
    vector_d s(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      s(i) = lines(e(i)) + steps(e(i), 0);
    }
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s.head(10), s, options(0)),
                         doctest::Contains("valence::eels::white_line_ratio"), invalid_input);
    vector_d negative = s;
    negative(4) = -1;
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, negative, options(0)),
                         doctest::Contains("'variance' holds a negative value"), invalid_input);
    auto o = options(0);
    o.continuum_window = {700.0, 710.0};
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, o),
                         doctest::Contains("window 'continuum_window'"), invalid_input);
    o = options(0);
    o.l2_energy = 690.0;
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, o), doctest::Contains("window 'L2 window'"),
                         invalid_input);
    o = options(-1);
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, s, s, o),
                         doctest::Contains("option 'step_width' is -1"), invalid_input);
    vector_d steps_only(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      steps_only(i) = steps(e(i), 0);
    }
    CHECK_THROWS_WITH_AS((void)valence::eels::white_line_ratio(e, steps_only, steps_only, options(0)),
                         doctest::Contains("the L2 intensity is"), invalid_input);
  }
}
