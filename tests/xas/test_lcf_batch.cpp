// SPDX-License-Identifier: MIT
// valence::xas::lcf_batch against valence::xas::lcf column by column (lcf's accuracy is
// established against Larch in test_lcf.cpp) on noisy mixtures of real Mn oxide spectra (XAS Data
// Library, normalised by xas::pre_edge): weights, errors, statistics and mean oxidation states,
// with and without sigma, background and derivatives; bad spectra; float input; errors.
#include <valence/core/propagation.hpp>
#include <valence/xas/lcf_batch.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mn_references.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using valence::matrix_d;
using valence::vector_d;
using valence::xas::lcf_standard;

struct series {
  std::vector<lcf_standard> standards;
  vector_d energy;
  matrix_d spectra;  // energies x spectra
};

// Twelve mixtures of MnO, Mn2O3 and MnO2 on MnO's grid (6525-6625 eV), with a small constant
// offset and noise sigma 0.004; the MnO fraction runs from 0.05 to 0.6.
series make_series() {
  series s;
  s.standards = {valence_test::mn_norm("MnO_rt_01.xdi", "MnO"), valence_test::mn_norm("Mn2O3_rt_01.xdi", "Mn2O3"),
                 valence_test::mn_norm("MnO2_rt_01.xdi", "MnO2")};
  const auto& grid = s.standards[0].energy;
  const auto first = valence::core::index_of(grid, 6525.0) + 1;
  const auto last = valence::core::index_of(grid, 6625.0);
  s.energy = grid.segment(first, last - first + 1);
  matrix_d on_grid(s.energy.size(), 3);
  for (int j = 0; j < 3; ++j) {
    on_grid.col(j) = valence::core::interpolate_cubic(s.standards[std::size_t(j)].energy,
                                                      s.standards[std::size_t(j)].spectrum, s.energy);
  }
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.004);
  s.spectra.resize(s.energy.size(), 12);
  for (Eigen::Index p = 0; p < 12; ++p) {
    const double a = 0.05 + 0.05 * double(p);
    s.spectra.col(p) = a * on_grid.col(0) + (0.7 - a) * on_grid.col(1) + 0.3 * on_grid.col(2);
    s.spectra.col(p).array() += 0.002;
    for (auto& v : s.spectra.col(p)) {
      v += noise(rng);
    }
  }
  return s;
}

void check_against_lcf(const series& s, const valence::xas::lcf_options& options) {
  const vector_d states = Eigen::Vector3d(2.0, 3.0, 4.0);
  const auto maps = valence::xas::lcf_batch(s.energy, s.spectra, s.standards, options, states);
  REQUIRE(maps.failed() == 0);
  REQUIRE(maps.weights.cols() == s.spectra.cols());
  for (Eigen::Index p = 0; p < s.spectra.cols(); ++p) {
    CAPTURE(p);
    const auto single = valence::xas::lcf(s.energy, vector_d(s.spectra.col(p)), s.standards, options);
    CHECK(maps.points == single.points);
    // measured: <= 2.7e-11 relative (the batch takes no refinement step); tolerance 1e-9.
    for (Eigen::Index j = 0; j < 3; ++j) {
      CAPTURE(j);
      VALENCE_CHECK_REL(single.weights(j), maps.weights(j, p), 1e-9, 1e-12);
      VALENCE_CHECK_REL(single.weight_errors(j), maps.weight_errors(j, p), 1e-9, 1e-15);
    }
    VALENCE_CHECK_REL(single.weight_sum, maps.weight_sum(p), 1e-12, 0.0);
    VALENCE_CHECK_REL(single.weight_sum_error, maps.weight_sum_error(p), 1e-9, 1e-15);
    VALENCE_CHECK_REL(single.chi_square, maps.chi_square(p), 1e-9, 0.0);
    VALENCE_CHECK_REL(single.reduced_chi_square, maps.reduced_chi_square(p), 1e-9, 0.0);
    VALENCE_CHECK_REL(single.r_factor, maps.r_factor(p), 1e-9, 0.0);
    const auto mean = valence::core::weighted_mean_of_known_values(states, single.weights, single.covariance);
    VALENCE_CHECK_REL(mean.value, maps.mean_value(p), 1e-10, 0.0);
    VALENCE_CHECK_REL(mean.standard_error, maps.mean_value_error(p), 1e-9, 1e-15);
  }
}

}  // namespace

TEST_CASE("lcf_batch equals lcf spectrum by spectrum") {
  VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
  const auto s = make_series();
  valence::xas::lcf_options options;
  options.window = {6530.0, 6600.0};
  SUBCASE("sum to one, bounds [0, 1]") {
    check_against_lcf(s, options);
  }
  SUBCASE("free sum, no bounds, sigma weights") {
    options.sum_to_one = false;
    options.lower = -std::numeric_limits<double>::infinity();
    options.upper = std::numeric_limits<double>::infinity();
    options.sigma = vector_d::LinSpaced(s.energy.size(), 0.003, 0.006);
    check_against_lcf(s, options);
  }
  SUBCASE("constant and linear background with sigma") {
    options.constant_background = true;
    options.linear_background = true;
    options.sigma = vector_d::LinSpaced(s.energy.size(), 0.003, 0.006);
    check_against_lcf(s, options);
  }
  SUBCASE("derivatives, linear interpolation") {
    options.derivative = true;
    options.cubic = false;
    check_against_lcf(s, options);
  }
}

TEST_CASE("lcf_batch maps the mean oxidation state of a known series within its errors") {
  VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
  const auto s = make_series();
  valence::xas::lcf_options options;
  options.window = {6530.0, 6600.0};
  options.constant_background = true;  // the series carries a 0.002 offset
  const auto maps = valence::xas::lcf_batch(s.energy, s.spectra, s.standards, options, Eigen::Vector3d(2, 3, 4));
  for (Eigen::Index p = 0; p < s.spectra.cols(); ++p) {
    CAPTURE(p);
    // Truth: a MnO + (0.7 - a) Mn2O3 + 0.3 MnO2, so s = 2a + 3(0.7 - a) + 1.2 = 3.3 - a.
    const double truth = 3.3 - (0.05 + 0.05 * double(p));
    CHECK(maps.mean_value_error(p) > 0);
    CHECK(std::abs(maps.mean_value(p) - truth) < 3 * maps.mean_value_error(p));
  }
}

TEST_CASE("lcf_batch flags a spectrum with a NaN and fits the rest, and float spectra agree with double") {
  VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
  auto s = make_series();
  valence::xas::lcf_options options;
  options.window = {6530.0, 6600.0};
  const auto reference = valence::xas::lcf_batch(s.energy, s.spectra, s.standards, options);
  const Eigen::MatrixXf as_float = s.spectra.cast<float>();
  const auto in_float = valence::xas::lcf_batch(s.energy, as_float, s.standards, options);
  for (Eigen::Index p = 0; p < s.spectra.cols(); ++p) {
    for (Eigen::Index j = 0; j < 3; ++j) {
      // float data rounded once (2^-24 relative) move the weights by about 1e-6 of their scale.
      CHECK(std::abs(double(in_float.weights(j, p)) - reference.weights(j, p)) < 1e-5);
    }
  }
  const auto row = valence::core::index_of(s.energy, 6560.0);
  s.spectra(row, 4) = std::numeric_limits<double>::quiet_NaN();
  s.spectra(0, 7) = std::numeric_limits<double>::quiet_NaN();  // outside the window: harmless
  const auto maps = valence::xas::lcf_batch(s.energy, s.spectra, s.standards, options);
  CHECK(maps.failed() == 1);
  CHECK(maps.status[4] == valence::fit::column_status::non_finite_data);
  CHECK(std::isnan(maps.weights(0, 4)));
  CHECK(std::isnan(maps.weight_sum_error(4)));
  CHECK(maps.status[7] == valence::fit::column_status::ok);
  CHECK((maps.weights.col(3) - reference.weights.col(3)).cwiseAbs().maxCoeff() == 0);
}

TEST_CASE("lcf_batch rejects bad input with messages that name it") {
  const vector_d e = vector_d::LinSpaced(50, 0.0, 10.0);
  const vector_d a = (e.array() - 4).tanh();
  const vector_d b = (-(e.array() - 6).square()).exp();
  const std::vector<lcf_standard> two = {{"a", e, a}, {"b", e, b}};
  const matrix_d spectra = matrix_d::Random(50, 3);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_batch(e, matrix_d(matrix_d::Zero(49, 3)), two)),
                       doctest::Contains("'spectra' has 49 rows"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_batch(e, spectra, {})), doctest::Contains("no standards"),
                       valence::invalid_input);
  valence::xas::lcf_options options;
  options.shift = valence::xas::lcf_shift::shared;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_batch(e, spectra, two, options)),
                       doctest::Contains("expected lcf_shift::none"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_batch(e, spectra, two, {}, vector_d::Ones(3))),
                       doctest::Contains("'known_values' has 3 values for 2 standards"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(
      static_cast<void>(valence::xas::lcf_batch(e, spectra, two, {}, vector_d::Constant(2, std::nan("")))),
      doctest::Contains("'known_values'"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_batch(e, spectra, {{"a", e, a}, {"copy", e, a}})),
                       doctest::Contains("valence::xas::lcf_batch"), valence::invalid_input);
}
