// SPDX-License-Identifier: MIT
// Edge metrics on analytic spectra whose answers are known: second-derivative zero crossing,
// white-line peak, pre-edge centroid (exact by symmetry, or against an independent root solve),
// and the honesty of the centroid's standard error over noise realisations.
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/edge_metrics.hpp>

#include <valence_test/edges.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <random>

namespace {

constexpr double pi = 3.14159265358979323846;

// 1000 points, 0.5 eV apart from 8200.25 eV: 8340 eV lies midway between two grid points.
Eigen::VectorXd grid(double shift = 0) {
  return Eigen::VectorXd::LinSpaced(1000, 8200.25, 8200.25 + 0.5 * 999) + Eigen::VectorXd::Constant(1000, shift);
}

double gaussian(double e, double centre, double sigma) {
  return std::exp(-(e - centre) * (e - centre) / (2 * sigma * sigma));
}

}  // namespace

TEST_SUITE("xas") {
  TEST_CASE("edge_energy: the second-derivative zero of a symmetric step is its centre") {
    valence::xas::edge_energy_options options;
    options.definition = valence::xas::edge_definition::second_derivative_zero;
    for (const double shift : {0.0, 3.3}) {
      const Eigen::VectorXd e = grid(shift);
      Eigen::VectorXd mu(e.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) {
        mu(i) = 0.1 + valence_test::tanh_step(e(i) - shift, 8340.0, 1.5);
      }
      // The curvature is odd about 8340 + shift on a grid symmetric about it: the linear
      // interpolation between the two bracketing points is exact up to rounding.
      CHECK(std::abs(valence::xas::edge_energy(e, mu, options) - (8340.0 + shift)) <= 1e-9);
    }
  }

  TEST_CASE("white_line finds the maximum of a step plus peak, refined below the grid") {
    const Eigen::VectorXd e = grid();
    const double centre = 8352.1;
    const double height = 0.6;
    const double sigma = 2.0;
    Eigen::VectorXd mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) = 0.1 + valence_test::tanh_step(e(i), 8340.0, 1.5) + height * gaussian(e(i), centre, sigma);
    }
    valence::xas::white_line_options options;
    options.normalization.e0 = 8340.0;
    options.normalization.step = 1.0;  // norm = mu - 0.1 exactly: the pre-edge line fit is exact
    const auto peak = valence::xas::white_line(e, mu, options);
    // Reference: the maximum of the continuous function, by Newton's method on its derivative
    // (the step's slope at 8352 eV is 2e-7 per eV, so it moves the peak by about 4e-7 eV).
    double x = centre;
    for (int k = 0; k < 50; ++k) {
      const double t = (x - 8340.0) / 1.5;
      const double sech2 = 1 / (std::cosh(t) * std::cosh(t));
      const double g = gaussian(x, centre, sigma);
      const double d1 = 0.5 * sech2 / 1.5 - height * g * (x - centre) / (sigma * sigma);
      const double d2 = -sech2 * std::tanh(t) / (1.5 * 1.5) +
                        height * g * ((x - centre) * (x - centre) / (sigma * sigma) - 1) / (sigma * sigma);
      x -= d1 / d2;
    }
    const double top = valence_test::tanh_step(x, 8340.0, 1.5) + height * gaussian(x, centre, sigma);
    CHECK(peak.interior);
    // The parabola through three points 0.5 eV apart on a Gaussian of sigma 2 eV: measured
    // errors 1.5e-3 eV in energy and 7.0e-5 in height (a third of the grid-point error).
    CHECK(std::abs(peak.energy - x) <= 2.5e-3);
    CHECK(std::abs(peak.height - top) <= 1.2e-4);
    // Without the peak the spectrum still rises at the window's end: no white line inside it.
    Eigen::VectorXd rising(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      rising(i) = 0.1 + valence_test::tanh_step(e(i), 8340.0, 1.5) * (1 + 1e-3 * (e(i) - 8340.0));
    }
    const auto none = valence::xas::white_line(e, rising, options);
    CHECK_FALSE(none.interior);
    CHECK(none.energy == doctest::Approx(8369.75));  // last grid point <= E0 + 30 eV
  }

  TEST_CASE("pre_edge_centroid of a Gaussian pre-peak on a quadratic background") {
    const Eigen::VectorXd e = grid();
    const double centre = 8326.0;  // the peak region's grid is symmetric about it
    const double amplitude = 0.05;
    const double sigma = 0.8;  // 7.5 sigma from the baseline regions: its tail there is below 1e-13
    const auto background = [](double x) { return 0.1 + 1e-4 * (x - 8340.0) + 2e-6 * (x - 8340.0) * (x - 8340.0); };
    Eigen::VectorXd mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) = background(e(i)) + valence_test::tanh_step(e(i), 8345.0, 0.5) + amplitude * gaussian(e(i), centre, sigma);
    }
    valence::xas::pre_edge_centroid_options options;
    options.normalization.e0 = 8340.0;
    options.normalization.step = 1.0;
    options.baseline_low = -30;
    options.peak_low = -20;
    options.peak_high = -8;
    options.baseline_high = -5;  // the step at 8345 eV is below 1e-8 up to 8335 eV
    const auto r = valence::xas::pre_edge_centroid(e, mu, options);
    // Exact by symmetry, up to rounding.
    CHECK(std::abs(r.centroid - centre) <= 1e-9);
    // Area: the Gaussian integral over [8320.25, 8331.75], A sigma sqrt(2 pi) erf(5.75/(sigma sqrt 2));
    // the trapezoid rule on a Gaussian sampled every 0.625 sigma errs by 2 exp(-2 pi^2 sigma^2/h^2),
    // 1e-22 (spectral accuracy); the baseline is exact.
    const double area = amplitude * sigma * std::sqrt(2 * pi) * std::erf(5.75 / (sigma * std::sqrt(2.0)));
    CHECK(std::abs(r.area - area) <= 1e-10);
    CHECK(std::abs(r.height - amplitude * gaussian(8325.75, centre, sigma)) <= 1e-10);  // the grid maximum
    CHECK(r.noise <= 1e-12);
    CHECK(r.energy.size() == 24);

    // Standard errors: over noise realisations the scatter of the centroid and the area matches
    // what is reported (400 realisations: the sample standard deviation is within 7 % of the
    // truth with 95 % probability; the check allows 20 %).
    std::mt19937_64 generator(7);
    std::normal_distribution<double> noise(0.0, 0.002);
    const int runs = 400;
    double sum = 0, sum2 = 0, area_sum = 0, area_sum2 = 0, reported = 0, reported_area = 0;
    for (int k = 0; k < runs; ++k) {
      Eigen::VectorXd noisy = mu;
      for (Eigen::Index i = 0; i < noisy.size(); ++i) {
        noisy(i) += noise(generator);
      }
      const auto n = valence::xas::pre_edge_centroid(e, noisy, options);
      sum += n.centroid;
      sum2 += n.centroid * n.centroid;
      area_sum += n.area;
      area_sum2 += n.area * n.area;
      reported += n.centroid_standard_error / runs;
      reported_area += n.area_standard_error / runs;
    }
    const double scatter = std::sqrt((sum2 - sum * sum / runs) / (runs - 1));
    const double area_scatter = std::sqrt((area_sum2 - area_sum * area_sum / runs) / (runs - 1));
    MESSAGE("centroid scatter ", scatter, " eV, reported ", reported, "; area scatter ", area_scatter, ", reported ",
            reported_area);
    CHECK(reported == doctest::Approx(scatter).epsilon(0.2));
    CHECK(reported_area == doctest::Approx(area_scatter).epsilon(0.2));
  }

  TEST_CASE("white_line and pre_edge_centroid reject bad input") {
    using valence::invalid_input;
    const Eigen::VectorXd e = grid();
    Eigen::VectorXd mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) =
          0.1 + valence_test::tanh_step(e(i), 8340.0, 1.5) - 0.05 * gaussian(e(i), 8326.0, 1.2);  // a dip, not a peak
    }
    valence::xas::white_line_options window;
    window.window = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::white_line(e, mu, window), doctest::Contains("option 'window' is 0 eV"),
                         invalid_input);
    window.window = 0.6;  // one grid point above E0
    window.normalization.e0 = 8340.0;
    CHECK_THROWS_WITH_AS((void)valence::xas::white_line(e, mu, window), doctest::Contains("white-line window"),
                         invalid_input);
    valence::xas::pre_edge_centroid_options options;
    options.normalization.e0 = 8340.0;
    options.baseline_high = -10;  // below peak_high = -5
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge_centroid(e, mu, options),
                         doctest::Contains("expected finite and strictly increasing"), invalid_input);
    options = {};
    options.normalization.e0 = 8340.0;
    options.baseline_degree = 4;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge_centroid(e, mu, options),
                         doctest::Contains("option 'baseline_degree' is 4; expected 0 to 3"), invalid_input);
    options = {};
    options.normalization.e0 = 8340.0;
    options.peak_low = -8;
    options.peak_high = -7.5;  // one grid point
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge_centroid(e, mu, options), doctest::Contains("peak region"),
                         invalid_input);
    options = {};
    options.normalization.e0 = 8340.0;
    options.normalization.step = 1.0;
    options.baseline_low = -30;
    options.peak_low = -20;
    options.peak_high = -8;
    options.baseline_high = -7;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge_centroid(e, mu, options),
                         doctest::Contains("expected a pre-edge peak above the baseline"), invalid_input);
    options.baseline_low = -20.5;
    options.baseline_high = -7.5;  // one point below, one above: fewer than degree + 2
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge_centroid(e, mu, options),
                         doctest::Contains("the baseline regions hold 2 points; expected at least 4"), invalid_input);
  }
}
