// SPDX-License-Identifier: MIT
// valence::fit::pca and target_transform against exact constructions: rank-3 data built from
// known orthonormal factors (exactly, and with white noise of known sigma).
#include <valence/fit/pca.hpp>

#include <doctest/doctest.h>

#include <Eigen/QR>

#include <cmath>
#include <random>

namespace {

using valence::matrix_d;
using valence::vector_d;

struct rank3_data {
  matrix_d spectra;
  matrix_d factors;  // r x 3, orthonormal
  vector_d singular_values;
  vector_d mean;
};

// mean + U diag(10, 4, 1.5) V^T, with V orthogonal to the ones vector so that the mean is exact.
rank3_data make_rank3(Eigen::Index r, Eigen::Index c, double noise, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const auto random = [&](Eigen::Index rows, Eigen::Index cols) {
    matrix_d m(rows, cols);
    for (auto& v : m.reshaped()) {
      v = normal(rng);
    }
    return m;
  };
  rank3_data d;
  d.factors = Eigen::HouseholderQR<matrix_d>(random(r, 3)).householderQ() * matrix_d::Identity(r, 3);
  matrix_d v = random(c, 3);
  v.rowwise() -= v.colwise().mean();
  v = Eigen::HouseholderQR<matrix_d>(v).householderQ() * matrix_d::Identity(c, 3);
  d.singular_values = vector_d::LinSpaced(3, 0, 2).unaryExpr([](double j) {
    return j == 0 ? 10.0 : j == 1 ? 4.0 : 1.5;
  });
  d.mean = vector_d::LinSpaced(r, 0.0, 1.0).array().sqrt();
  d.spectra = d.factors * d.singular_values.asDiagonal() * v.transpose();
  d.spectra.colwise() += d.mean;
  d.spectra += noise * random(r, c);
  return d;
}

}  // namespace

TEST_CASE("pca of exactly rank-3 spectra recovers the construction") {
  const auto d = make_rank3(200, 30, 0.0, 3);
  const auto result = valence::fit::pca(d.spectra);
  REQUIRE(result.singular_values.size() == 29);
  for (int j = 0; j < 3; ++j) {
    CHECK(result.singular_values(j) == doctest::Approx(d.singular_values(j)).epsilon(1e-12));
    // Components equal the factors up to sign.
    CHECK(std::abs(result.components.col(j).dot(d.factors.col(j))) == doctest::Approx(1.0).epsilon(1e-12));
  }
  CHECK(result.singular_values(3) < 1e-12);
  CHECK(result.variance_fraction.head(3).sum() == doctest::Approx(1.0).epsilon(1e-12));
  CHECK((result.mean - d.mean).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((result.reconstruct(3) - d.spectra).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((result.reconstruct(0).col(5) - d.mean).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((result.reconstruct(2) - d.spectra).cwiseAbs().maxCoeff() > 0.01);
}

TEST_CASE("pca with white noise: IND and the F-test find three components and RE estimates the noise") {
  const double sigma = 0.01;
  const auto d = make_rank3(300, 40, sigma, 11);
  const auto result = valence::fit::pca(d.spectra);
  CHECK(result.ind_components == 3);
  CHECK(result.significant_components == 3);
  CHECK(result.f_p_value(2) < 1e-3);  // measured 2.8e-5: F(1, s - n) has one numerator degree of freedom
  CHECK(result.f_p_value(3) > 0.05);
  // RE(3) is an estimate of sigma from 300 x 36 residual degrees of freedom (relative sampling
  // error ~0.4 %); the three fitted factors absorb a little of the noise, so allow 5 %.
  CHECK(result.real_error(2) == doctest::Approx(sigma).epsilon(0.05));
}

TEST_CASE("target_transform accepts a spectrum in the span and rejects one outside it") {
  const double sigma = 0.01;
  const auto d = make_rank3(300, 40, sigma, 5);
  const auto model = valence::fit::pca(d.spectra);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal(0.0, sigma);
  vector_d inside = d.mean + d.factors * (vector_d(3) << 1.0, 2.0, -0.5).finished();
  for (auto& v : inside) {
    v += normal(rng);
  }
  const auto good = valence::fit::target_transform(model, inside, 3);
  CHECK(good.spoil < 3);
  CHECK(good.apparent_error == doctest::Approx(sigma).epsilon(0.15));
  CHECK((good.fitted - inside).norm() == doctest::Approx(std::sqrt(good.chi_square)).epsilon(1e-12));
  const vector_d energy = vector_d::LinSpaced(300, -3.0, 3.0);
  const vector_d outside = d.mean + 0.5 * (-energy.array().square() * 8.0).exp().matrix();
  const auto bad = valence::fit::target_transform(model, outside, 3);
  CHECK(bad.spoil > 6);
  // With the target's own error given, SPOIL is RET/EET.
  const auto given = valence::fit::target_transform(model, inside, 3, sigma);
  CHECK(given.spoil == doctest::Approx(given.real_error / sigma).epsilon(1e-15));
}

TEST_CASE("pca and target_transform reject bad input with messages that name it") {
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::pca(matrix_d::Ones(5, 2))),
                       doctest::Contains("is 5 x 2; expected at least 2 points"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::pca(matrix_d::Ones(5, 4))),
                       doctest::Contains("all spectra are identical"), valence::invalid_input);
  matrix_d bad = matrix_d::Random(5, 4);
  bad(2, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::pca(bad)), doctest::Contains("'spectra' holds nan"),
                       valence::invalid_input);
  valence::fit::pca_options options;
  options.significance = 1.5;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::pca(matrix_d::Random(5, 4), options)),
                       doctest::Contains("expected a probability in (0, 1)"), valence::invalid_input);
  const auto model = valence::fit::pca(matrix_d::Random(6, 5));
  CHECK_THROWS_WITH_AS(static_cast<void>(model.reconstruct(5)), doctest::Contains("expected 0 to 4 components"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::target_transform(model, vector_d::Zero(3), 1)),
                       doctest::Contains("'target' has 3 elements"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::target_transform(model, vector_d::Zero(6), 5)),
                       doctest::Contains("expected 0 to 4 components"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::target_transform(model, vector_d::Zero(6), 0)),
                       doctest::Contains("expected at least 1 component"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::fit::target_transform(model, vector_d::Zero(6), 1, -1.0)),
                       doctest::Contains("'target_error' is -1"), valence::invalid_input);
}
