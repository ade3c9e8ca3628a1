// SPDX-License-Identifier: MIT
// RIXS maps: count-conserving resampling of emission spectra on their own grids (exact sums over
// aligned channels), normalisation by I0 and live time, energy transfer, and bad input.
#include <valence/rixs/rixs_map.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <vector>

namespace {

namespace rixs_map_test {

using valence::matrix_d;
using valence::vector_d;

vector_d grid(double first, double step, Eigen::Index n) {
  return first + step * vector_d::LinSpaced(n, 0, double(n - 1)).array();
}

}  // namespace rixs_map_test

}  // namespace

TEST_SUITE("rixs") {
  using namespace rixs_map_test;

  TEST_CASE("map_from_spectra conserves counts and carries Poisson variances") {
    const vector_d excitation = valence_test::vec({529.0, 530.0, 531.0});
    const vector_d out = grid(520.0, 0.5, 21);  // channels [519.75, 530.25)
    std::vector<vector_d> axes;
    std::vector<vector_d> counts;
    // Row 0 on the output grid itself: copied exactly, variance = counts.
    axes.push_back(out);
    counts.push_back(vector_d::LinSpaced(21, 1, 21));
    // Row 1 on channels twice as fine whose edges fall on the output's: each output channel holds
    // exactly two input channels.
    axes.push_back(grid(519.875, 0.25, 42));
    counts.push_back(vector_d::Constant(42, 3.0));
    // Row 2 on a grid shifted by half a channel and reaching beyond the output at both ends.
    axes.push_back(grid(519.25, 0.5, 24));
    counts.push_back(vector_d::Constant(24, 8.0));
    const auto map = valence::rixs::map_from_spectra(excitation, axes, counts, out);
    CHECK(map.intensity.row(0).transpose() == counts[0]);
    CHECK(map.variance.row(0).transpose() == counts[0]);
    CHECK((map.intensity.row(1).array() == 6.0).all());
    CHECK((map.variance.row(1).array() == 6.0).all());  // two independent channels of variance 3
    // Row 2: 8 counts per 0.5 eV everywhere inside: 8 per output channel, shared half and half
    // between two input channels, so the variance is 2 * (1/2)^2 * 8 = 4.
    for (Eigen::Index j = 0; j < out.size(); ++j) {
      CAPTURE(j);
      VALENCE_CHECK_REL(8.0, map.intensity(2, j), 1e-14, 0.0);
      VALENCE_CHECK_REL(4.0, map.variance(2, j), 1e-14, 0.0);
    }
    CHECK(!map.energy_transfer);
  }

  TEST_CASE("normalize divides by I0 and live time, variances by their squares") {
    const vector_d excitation = valence_test::vec({530.0, 531.0});
    const vector_d emission = valence_test::vec({520.0, 521.0, 522.0});
    matrix_d counts(2, 3);
    counts << 4, 9, 16, 100, 0, 1;
    const auto map = valence::rixs::map_from_counts(excitation, emission, counts);
    const auto n = valence::rixs::normalize(map, valence_test::vec({2.0, 5.0}), valence_test::vec({0.5, 2.0}));
    CHECK(n.intensity(0, 1) == 9.0);   // 9 / (2 * 0.5)
    CHECK(n.variance(0, 1) == 9.0);    // 9 / 1
    CHECK(n.intensity(1, 0) == 10.0);  // 100 / 10
    CHECK(n.variance(1, 0) == 1.0);    // 100 / 100
    CHECK(n.i0 == valence_test::vec({2.0, 5.0}));
    const auto only_i0 = valence::rixs::normalize(map, valence_test::vec({2.0, 5.0}), vector_d());
    CHECK(only_i0.intensity(1, 0) == 20.0);
    CHECK(only_i0.live_time == vector_d::Ones(2));
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::rixs::normalize(map, valence_test::vec({2.0, 0.0}), vector_d()),
                         doctest::Contains("'i0'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::normalize(map, valence_test::vec({2.0, 1.0}), valence_test::vec({1, -1})),
                         doctest::Contains("'live_time'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::normalize(map, valence_test::vec({2.0}), vector_d()),
                         doctest::Contains("'i0'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::normalize(n, valence_test::vec({2.0, 1.0}), vector_d()),
                         doctest::Contains("already normalised"), invalid_input);
  }

  TEST_CASE("to_energy_transfer moves each row by its excitation energy and keeps its counts") {
    const vector_d excitation = valence_test::vec({530.0, 532.0});
    const vector_d emission = grid(520.0, 0.5, 25);  // 520 ... 532
    matrix_d counts = matrix_d::Zero(2, 25);
    counts(0, 20) = 50;  // 530 eV emission at 530 excitation: transfer 0
    counts(1, 8) = 70;   // 524 eV at 532: transfer 8
    counts(1, 24) = 5;   // 532 at 532: transfer 0
    const auto map = valence::rixs::map_from_counts(excitation, emission, counts);
    const auto t = valence::rixs::to_energy_transfer(map, grid(-1.0, 0.5, 21));  // -1 ... 9
    CHECK(t.energy_transfer);
    CHECK(t.intensity(0, 2) == 50.0);  // transfer 0 is channel 2 of the new axis
    CHECK(t.intensity(1, 18) == 70.0);
    CHECK(t.intensity(1, 2) == 5.0);
    CHECK(t.variance(1, 18) == 70.0);
    CHECK(t.intensity.sum() == 125.0);
    CHECK_THROWS_WITH_AS((void)valence::rixs::to_energy_transfer(t, grid(-1.0, 0.5, 21)),
                         doctest::Contains("already on energy transfer"), valence::invalid_input);
  }

  TEST_CASE("RIXS maps reject axes and matrices that do not describe a map") {
    using valence::invalid_input;
    const vector_d excitation = valence_test::vec({530.0, 531.0});
    const vector_d emission = valence_test::vec({520.0, 521.0, 522.0});
    CHECK_THROWS_WITH_AS(
        (void)valence::rixs::map_from_counts(valence_test::vec({531.0, 530.0}), emission, matrix_d::Ones(2, 3)),
        doctest::Contains("'excitation'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::map_from_counts(excitation, emission, matrix_d::Ones(3, 2)),
                         doctest::Contains("'counts' is 3 x 2; expected 2 x 3"), invalid_input);
    matrix_d negative = matrix_d::Ones(2, 3);
    negative(1, 2) = -1;
    CHECK_THROWS_WITH_AS((void)valence::rixs::map_from_counts(excitation, emission, negative),
                         doctest::Contains("at (1, 2); expected counts >= 0"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::map_from_spectra(excitation, {emission}, {emission}, emission),
                         doctest::Contains("got 1 emission axes and 1 spectra"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::rixs::map_from_spectra(excitation, {emission, emission},
                                                               {emission, vector_d::Ones(2)}, emission),
                         doctest::Contains("counts[1]"), invalid_input);
    auto broken = valence::rixs::map_from_counts(excitation, emission, matrix_d::Ones(2, 3));
    broken.variance.resize(1, 1);
    CHECK_THROWS_WITH_AS((void)valence::rixs::normalize(broken, valence_test::vec({1.0, 1.0}), vector_d()),
                         doctest::Contains("expected both excitation x emission"), invalid_input);
  }
}
