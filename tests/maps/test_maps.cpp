// SPDX-License-Identifier: MIT
// Ratio maps and line profiles: exact values, Poisson errors against the scatter over noise
// realisations, masks, bilinear profiles of linear fields (exact), width averaging, error
// propagation against Monte Carlo, and bad input.
#include <valence/maps/line_profile.hpp>
#include <valence/maps/ratio_map.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <random>

namespace {

namespace maps_test {

using valence::matrix_d;
using valence::vector_d;

}  // namespace maps_test

}  // namespace

TEST_SUITE("maps") {
  using namespace maps_test;

  TEST_CASE("ratio_map: values, Poisson errors and masks") {
    matrix_d n(2, 3);
    matrix_d d(2, 3);
    n << 50, 0, 8, 30, 1, std::nan("");
    d << 100, 40, 5, 0, 12, 20;
    const auto r = valence::maps::ratio_map(n, d);
    CHECK(r.ratio(0, 0) == 0.5);
    // sqrt(50 + 0.25 * 100) / 100
    VALENCE_CHECK_REL(std::sqrt(75.0) / 100, r.error(0, 0), 1e-15, 0.0);
    CHECK(r.ratio(0, 1) == 0.0);
    VALENCE_CHECK_REL(1.0 / 40, r.error(0, 1), 1e-15, 0.0);                 // the 1-count floor of the numerator
    CHECK(r.status(0, 2) == valence::maps::ratio_status::below_threshold);  // 5 < 10
    CHECK(r.status(1, 0) == valence::maps::ratio_status::below_threshold);  // 0
    CHECK(r.status(1, 2) == valence::maps::ratio_status::non_finite);
    CHECK(std::isnan(r.ratio(1, 2)));
    CHECK(r.masked == 3);
    CHECK(r.valid() == 3);
    valence::maps::ratio_map_options o;
    o.min_denominator = 0;
    o.min_total = 60;
    const auto t = valence::maps::ratio_map(n, d, o);
    CHECK(t.status(0, 1) == valence::maps::ratio_status::below_threshold);  // 0 + 40 < 60
    CHECK(t.status(0, 0) == valence::maps::ratio_status::ok);
    o.numerator_variance = matrix_d::Constant(2, 3, 4.0);
    o.denominator_variance = matrix_d::Constant(2, 3, 9.0);
    const auto v = valence::maps::ratio_map(n, d, o);
    VALENCE_CHECK_REL(std::sqrt(4 + 0.25 * 9) / 100, v.error(0, 0), 1e-15, 0.0);
    CHECK(std::string(valence::maps::to_string(valence::maps::ratio_status::non_finite)) == "non_finite");
  }

  TEST_CASE("ratio_map errors describe the scatter of Poisson ratios") {
    // 4000 pixels of Mn ~ Poisson(300), Ni ~ Poisson(600): the mean squared z-score of the ratio
    // against 0.5, and of the first-order bias (0.5 * (1 + 1/600) for a ratio of Poissons).
    std::mt19937 generator(8);
    std::poisson_distribution<int> mn(300.0);
    std::poisson_distribution<int> ni(600.0);
    matrix_d n(40, 100);
    matrix_d d(40, 100);
    for (Eigen::Index i = 0; i < n.size(); ++i) {
      n(i) = mn(generator);
      d(i) = ni(generator);
    }
    const auto r = valence::maps::ratio_map(n, d);
    const double z2 = ((r.ratio.array() - 0.5) / r.error.array()).square().mean();
    CAPTURE(z2);
    // measured: 1.02; its statistical error over 4000 pixels is +-0.022.
    CHECK(std::abs(z2 - 1) < 0.08);
  }

  TEST_CASE("line_profile: exact on a linear field, averaged across its width") {
    // I(x, y) = 3 + 0.5 x - 0.25 y on 20 x 30 pixels: bilinear interpolation is exact for it.
    matrix_d image(20, 30);
    for (Eigen::Index r = 0; r < 20; ++r) {
      for (Eigen::Index c = 0; c < 30; ++c) {
        image(r, c) = 3 + 0.5 * double(c) - 0.25 * double(r);
      }
    }
    const auto field = [](double x, double y) { return 3 + 0.5 * x - 0.25 * y; };
    valence::maps::line_profile_options o;
    o.width = 5;
    o.step = 0.5;
    const auto p = valence::maps::line_profile(image, matrix_d(), {2.3, 3.1}, {20.7, 15.4}, o);
    REQUIRE(p.value.size() == 45);  // floor(22.1 / 0.5) + 1
    for (Eigen::Index k = 0; k < p.value.size(); ++k) {
      CAPTURE(k);
      // The samples across are symmetric about the line: their mean is the value on the line.
      VALENCE_CHECK_REL(field(p.x(k), p.y(k)), p.value(k), 1e-13, 1.0);
      CHECK(p.samples[static_cast<std::size_t>(k)] == 5);
      CHECK(std::isnan(p.error(k)));
    }
    CHECK(p.distance(44) == 22.0);
    // A segment leaving the map: the points outside have no value.
    const auto out = valence::maps::line_profile(image, matrix_d(), {25.0, 10.0}, {35.0, 10.0});
    CHECK(out.samples[0] == 1);
    CHECK(std::isnan(out.value(10)));
  }

  TEST_CASE("line_profile errors: exact propagation matches the scatter over noise") {
    // A flat map with independent Gaussian noise of sigma 2 per pixel, 600 realisations: the
    // profile's scatter at each point against its reported error (samples share pixels across
    // the width and along the line, which the propagation counts).
    const matrix_d sigma = matrix_d::Constant(16, 16, 2.0);
    std::mt19937 generator(13);
    std::normal_distribution<double> noise(0.0, 2.0);
    valence::maps::line_profile_options o;
    o.width = 3;
    o.step = 0.7;
    const int trials = 600;
    vector_d sum;
    vector_d sum2;
    vector_d reported;
    for (int t = 0; t < trials; ++t) {
      matrix_d image(16, 16);
      for (Eigen::Index i = 0; i < image.size(); ++i) {
        image(i) = 10 + noise(generator);
      }
      const auto p = valence::maps::line_profile(image, sigma, {2.2, 3.3}, {12.9, 11.6}, o);
      if (t == 0) {
        sum = vector_d::Zero(p.value.size());
        sum2 = vector_d::Zero(p.value.size());
        reported = p.error;
      }
      sum += p.value;
      sum2 += p.value.cwiseAbs2();
    }
    const vector_d mean = sum / trials;
    const vector_d scatter = (sum2 / trials - mean.cwiseAbs2()).cwiseSqrt();
    const double ratio = (scatter.array() / reported.array()).mean();
    CAPTURE(ratio);
    // measured: 0.99 (each point's scatter is estimated to +-3 % from 600 realisations).
    CHECK(std::abs(ratio - 1) < 0.05);
  }

  TEST_CASE("ratio_map and line_profile reject bad input") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::maps::ratio_map(matrix_d::Ones(2, 2), matrix_d::Ones(2, 3)),
                         doctest::Contains("'denominator' is 2 x 3; expected 2 x 2"), invalid_input);
    valence::maps::ratio_map_options o;
    o.min_total = -1;
    CHECK_THROWS_WITH_AS((void)valence::maps::ratio_map(matrix_d::Ones(2, 2), matrix_d::Ones(2, 2), o),
                         doctest::Contains("'min_total'"), invalid_input);
    o = {};
    o.numerator_variance = matrix_d::Constant(2, 2, -1.0);
    CHECK_THROWS_WITH_AS((void)valence::maps::ratio_map(matrix_d::Ones(2, 2), matrix_d::Constant(2, 2, 20.0), o),
                         doctest::Contains("is negative"), invalid_input);
    const matrix_d image = matrix_d::Ones(5, 5);
    CHECK_THROWS_WITH_AS((void)valence::maps::line_profile(image, matrix_d(), {1, 1}, {1, 1}),
                         doctest::Contains("has no length"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::maps::line_profile(image, matrix_d::Ones(4, 5), {1, 1}, {3, 3}),
                         doctest::Contains("'error' is 4 x 5"), invalid_input);
    valence::maps::line_profile_options bad;
    bad.width = 0.5;
    CHECK_THROWS_WITH_AS((void)valence::maps::line_profile(image, matrix_d(), {1, 1}, {3, 3}, bad),
                         doctest::Contains("'width'"), invalid_input);
    bad = {};
    bad.step = 0;
    CHECK_THROWS_WITH_AS((void)valence::maps::line_profile(image, matrix_d(), {1, 1}, {3, 3}, bad),
                         doctest::Contains("'step'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::maps::line_profile(image, matrix_d(), {10, 10}, {20, 20}),
                         doctest::Contains("no point of the segment"), invalid_input);
  }
}
