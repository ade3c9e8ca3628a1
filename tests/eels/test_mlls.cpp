// SPDX-License-Identifier: MIT
// MLLS on constructed spectra: a power-law background and two reference edges (a "surface" and a
// "bulk" L3/L2 shape) mixed with known coefficients; exact recovery, ordinary-least-squares
// standard errors (HyperSpy's formula, computed independently here), honest Poisson errors over
// noise realisations, the subtracted-background variant, and bad input.
#include <valence/eels/mlls.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/eels_edges.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>
#include <Eigen/LU>
#include <Eigen/QR>

#include <cmath>
#include <random>

namespace {

namespace mlls_test {

using valence::matrix_d;
using valence::vector_d;

using valence_test::eels_axis;
using valence_test::eels_references;

vector_d mixture(const vector_d& e, const matrix_d& refs, double a, double b, std::mt19937* generator) {
  vector_d s(e.size());
  for (Eigen::Index i = 0; i < e.size(); ++i) {
    const double mean = valence_test::eels_mean_counts(e, refs, i, a, b);
    s(i) = generator == nullptr ? mean : double(std::poisson_distribution<long>(mean)(*generator));
  }
  return s;
}

valence::eels::mlls_options options() {
  valence::eels::mlls_options o;
  o.fit_window = {636.0, 690.0};
  o.background_window = {605.0, 635.0};
  o.power_law.method = valence::eels::power_law_method::poisson;
  return o;
}

}  // namespace mlls_test

}  // namespace

TEST_SUITE("eels") {
  using namespace mlls_test;

  TEST_CASE("mlls recovers the coefficients of a noiseless mixture on a power-law background") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const vector_d s = mixture(e, refs, 0.7, 0.3, nullptr);
    for (const auto treatment :
         {valence::eels::background_treatment::fixed_shape, valence::eels::background_treatment::subtracted}) {
      auto o = options();
      o.background = treatment;
      const auto r = valence::eels::mlls(e, s, refs, o);
      // measured: 7e-15; the Poisson power law of exact counts is exact.
      VALENCE_CHECK_REL(0.7, r.coefficients(0), 1e-11, 0.0);
      VALENCE_CHECK_REL(0.3, r.coefficients(1), 1e-11, 0.0);
      VALENCE_CHECK_REL(0.7, r.fractions(0), 1e-11, 0.0);
      CHECK(r.chi_square < 1e-12 * s.squaredNorm());
      if (treatment == valence::eels::background_treatment::fixed_shape) {
        REQUIRE(r.coefficients.size() == 3);
        VALENCE_CHECK_REL(1.0, r.coefficients(2), 1e-11, 0.0);  // the background's scale
      }
      CHECK(r.energy.size() == r.fit.size());
    }
  }

  TEST_CASE("mlls standard errors are ordinary least squares' (HyperSpy's formula)") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(41);
    const vector_d s = mixture(e, refs, 0.6, 0.4, &generator);
    auto o = options();
    o.constant = true;
    o.linear = true;
    const auto r = valence::eels::mlls(e, s, refs, o);
    REQUIRE(r.coefficients.size() == 5);
    // Independent: the normal equations of the same design, RSS/(m - p) (X^T X)^-1.
    const Eigen::Index m = r.channels.size;
    matrix_d x(m, 5);
    x.leftCols(2) = refs.middleRows(r.channels.begin, m);
    for (Eigen::Index i = 0; i < m; ++i) {
      x(i, 2) = r.background(e(r.channels.begin + i));
    }
    x.col(3).setOnes();
    x.col(4) = r.energy;
    const vector_d y = s.segment(r.channels.begin, m);
    const matrix_d gram_inverse = (x.transpose() * x).inverse();
    const vector_d beta = gram_inverse * (x.transpose() * y);
    const double rss = (y - x * beta).squaredNorm();
    for (Eigen::Index j = 0; j < 5; ++j) {
      CAPTURE(j);
      // measured: 3e-9 relative for the coefficients (the normal equations lose digits; the
      // solver does not) and 1e-10 for the errors; tolerance 1e-7.
      VALENCE_CHECK_REL(beta(j), r.coefficients(j), 1e-7, 0.0);
      VALENCE_CHECK_REL(std::sqrt(rss / double(m - 5) * gram_inverse(j, j)), r.standard_errors(j), 1e-7, 0.0);
    }
    VALENCE_CHECK_REL(rss / double(m - 5), r.reduced_chi_square, 1e-7, 0.0);
  }

  TEST_CASE("mlls's projected solve equals fit::least_squares on the same design, on both of its branches") {
    // The unweighted solve updates a factorisation of the fixed columns by the power-law column,
    // in closed form while that column keeps at least half its norm outside the fixed columns
    // (rho^2 >= 1/4) and by explicit reorthogonalisation below. Each case is checked against
    // fit::least_squares (pivoted Householder QR with a refinement step) on the design rebuilt here,
    // and rho^2 is computed independently to show that both branches ran.
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(5);
    const vector_d s = mixture(e, refs, 0.6, 0.4, &generator);
    // One to three references (the third: the first shifted by 2 eV), so that the model has from
    // one to six columns.
    matrix_d three(e.size(), 3);
    three.leftCols(2) = refs;
    three.col(2).setZero();
    three.col(2).tail(e.size() - 8) = refs.col(0).head(e.size() - 8);
    bool closed_form = false;
    bool reorthogonalised = false;
    for (const Eigen::Index k : {Eigen::Index(1), Eigen::Index(2), Eigen::Index(3)}) {
      const matrix_d references = three.leftCols(k);
      for (const bool extras : {false, true}) {
        for (const auto treatment :
             {valence::eels::background_treatment::fixed_shape, valence::eels::background_treatment::subtracted}) {
          CAPTURE(k);
          CAPTURE(extras);
          auto o = options();
          o.background = treatment;
          o.constant = extras;
          o.linear = extras;
          const auto r = valence::eels::mlls(e, s, references, o);
          const Eigen::Index m = r.channels.size;
          const bool fixed_shape = treatment == valence::eels::background_treatment::fixed_shape;
          const Eigen::Index fixed = k + (extras ? 2 : 0);
          matrix_d x(m, fixed + (fixed_shape ? 1 : 0));
          x.leftCols(k) = references.middleRows(r.channels.begin, m);
          vector_d background(m);
          for (Eigen::Index i = 0; i < m; ++i) {
            background(i) = r.background(e(r.channels.begin + i));
          }
          Eigen::Index column = k;
          if (fixed_shape) {
            x.col(column++) = background;
          }
          if (extras) {
            x.col(column++).setOnes();
            x.col(column++) = r.energy;
          }
          vector_d y = s.segment(r.channels.begin, m);
          if (!fixed_shape) {
            y -= background;
          }
          const auto ls = valence::fit::least_squares(x, y);
          CHECK(r.coefficients.size() == x.cols());
          for (Eigen::Index j = 0; j < x.cols(); ++j) {
            CAPTURE(j);
            // measured: <= 3.8e-13 relative (coefficients, errors and chi^2); tolerance 1e-10.
            VALENCE_CHECK_REL(ls.coefficients(j), r.coefficients(j), 1e-10, 0.0);
            VALENCE_CHECK_REL(ls.standard_errors(j), r.standard_errors(j), 1e-10, 0.0);
          }
          VALENCE_CHECK_REL(ls.chi_square, r.chi_square, 1e-10, 0.0);
          if (fixed_shape) {
            matrix_d fixed_columns(m, fixed);
            fixed_columns << x.leftCols(k), x.rightCols(fixed - k);
            const Eigen::HouseholderQR<matrix_d> qr(fixed_columns);
            const matrix_d q = qr.householderQ() * matrix_d::Identity(m, fixed);
            const double rho2 = 1 - (q.transpose() * background.normalized()).squaredNorm();
            CAPTURE(rho2);
            (rho2 >= 0.25 ? closed_form : reorthogonalised) = true;
          }
        }
      }
    }
    CHECK(closed_form);
    CHECK(reorthogonalised);
  }

  TEST_CASE("the power-law column of the per-pixel fit equals std::pow on either of its branches") {
    // A E^-r is evaluated as a Taylor polynomial about the window's middle log-energy while
    // x = |r| max|ln E - ln E_c| <= 1/2, and by exp() beyond. Exact reference: std::pow.
    const vector_d e = 100.0 + 0.25 * vector_d::LinSpaced(4000, 0, 3999).array();
    const matrix_d refs = matrix_d::Ones(e.size(), 1);
    double worst = 0;
    int polynomial = 0;
    for (const double upper : {150.0, 600.0, 1000.0}) {  // x from 0.06 r to 1.1 r
      valence::eels::mlls_options o;
      o.background = valence::eels::background_treatment::none;
      o.fit_window = {120.0, upper};
      const auto plan = valence::eels::detail::make_mlls_plan("test", e, refs, o);
      vector_d column(plan.window.size);
      for (const double r : {-1.0, 0.5, 3.0, 6.0, 12.0}) {
        polynomial += std::abs(r) * plan.log_half_range <= 0.5 ? 1 : 0;
        valence::eels::detail::power_law_column(plan, r, 2.5, column);
        for (Eigen::Index i = 0; i < column.size(); ++i) {
          const double exact = 2.5 * std::pow(e(plan.window.begin + i), -r);
          worst = std::max(worst, std::abs(column(i) / exact - 1));
        }
      }
    }
    CHECK(polynomial > 0);
    CHECK(polynomial < 15);
    // measured: 1.5e-14 relative, at r = 12 where exp(-r ln E) carries the rounding of its
    // argument (|r ln E| ~ 80, so ~80 eps) on both branches; tolerance 5e-14.
    CHECK(worst < 5e-14);
  }

  TEST_CASE("mlls Poisson-weighted errors and fraction errors describe the scatter over noise") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(7);
    auto o = options();
    o.weighting = valence::eels::mlls_weighting::poisson;
    const int trials = 200;
    double z2_coefficient = 0;
    double z2_fraction = 0;
    for (int t = 0; t < trials; ++t) {
      const auto r = valence::eels::mlls(e, mixture(e, refs, 0.7, 0.3, &generator), refs, o);
      z2_coefficient += std::pow((r.coefficients(0) - 0.7) / r.standard_errors(0), 2) / trials;
      z2_fraction += std::pow((r.fractions(0) - 0.7) / r.fraction_errors(0), 2) / trials;
    }
    // Honest errors give a mean squared z-score of 1 (standard deviation ~0.1 over 200 trials).
    CHECK(z2_coefficient > 0.7);
    CHECK(z2_coefficient < 1.35);
    CHECK(z2_fraction > 0.7);
    CHECK(z2_fraction < 1.35);
  }

  TEST_CASE("mlls rejects bad input with messages that name it") {
    using valence::invalid_input;
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const vector_d s = mixture(e, refs, 0.7, 0.3, nullptr);
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, s, refs.topRows(10), options()),
                         doctest::Contains("parameter 'references' is 10 x 2"), invalid_input);
    matrix_d same(e.size(), 2);
    same.col(0) = refs.col(0);
    same.col(1) = 2 * refs.col(0);
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, s, same, options()),
                         doctest::Contains("expected linearly independent references"), invalid_input);
    auto o = options();
    o.fit_window = {750.0, 800.0};
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, s, refs, o), doctest::Contains("window 'fit_window'"),
                         invalid_input);
    o = options();
    o.weighting = valence::eels::mlls_weighting::user;
    o.weights = vector_d::Ones(5);
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, s, refs, o), doctest::Contains("option 'weights' has 5"),
                         invalid_input);
    o.weights = vector_d::Ones(e.size());
    o.weights(7) = 0;
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, s, refs, o), doctest::Contains("'weights'"), invalid_input);
    o = options();
    vector_d holes = s;
    holes.head(150).setZero();  // no counts before the edges
    o.power_law.method = valence::eels::power_law_method::two_area;
    CHECK_THROWS_WITH_AS((void)valence::eels::mlls(e, holes, refs, o),
                         doctest::Contains("the power law cannot be fitted"), invalid_input);
  }
}
