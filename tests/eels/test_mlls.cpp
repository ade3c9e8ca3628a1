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

  TEST_CASE("mlls standard errors: ordinary least squares' (HyperSpy's formula) and the counting sandwich") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(41);
    const vector_d s = mixture(e, refs, 0.6, 0.4, &generator);
    auto o = options();
    o.constant = true;
    o.linear = true;
    o.propagate_background = false;  // HyperSpy's errors are conditional on the background
    o.noise = valence::eels::mlls_noise::uniform;
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

    // Counting noise, the default: phi (X^T X)^-1 X^T diag(mu) X (X^T X)^-1 with mu = X beta the
    // fitted counts and phi = RSS / (sum mu (m - p)/m), from the same normal equations.
    o.noise = valence::eels::mlls_noise::counting;
    const auto c = valence::eels::mlls(e, s, refs, o);
    const vector_d mu = (x * beta).cwiseMax(0.0);
    const double phi = rss / (mu.sum() * double(m - 5) / double(m));
    const matrix_d sandwich = phi * gram_inverse * (x.transpose() * mu.asDiagonal() * x) * gram_inverse;
    for (Eigen::Index j = 0; j < 5; ++j) {
      CAPTURE(j);
      VALENCE_CHECK_REL(beta(j), c.coefficients(j), 1e-7, 0.0);
      // measured: 6.7e-10 relative (the normal equations' loss); tolerance 1e-7 as above.
      VALENCE_CHECK_REL(std::sqrt(sandwich(j, j)), c.standard_errors(j), 1e-7, 0.0);
      // The level of these counts falls across the window: one variance for every channel is wrong.
      CHECK(std::abs(c.standard_errors(j) / r.standard_errors(j) - 1) > 1e-3);
    }
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
          o.propagate_background = false;                // the conditional fit is least squares on the design below
          o.noise = valence::eels::mlls_noise::uniform;  // with least squares' errors
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

  TEST_CASE("mlls adds the background's covariance S Sigma S^T, S by refitting with the power law moved") {
    // Independent: S from central differences of fit::least_squares refitted with the power law's
    // parameters moved by +-1e-4 of their errors, and Sigma the power law's reported covariance.
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    // Noiseless counts: the first-order propagation uses the expected change of the coefficients,
    // which leaves out a term in the residual (zero on average, and here zero).
    const vector_d s = mixture(e, refs, 0.6, 0.4, nullptr);
    for (const auto treatment :
         {valence::eels::background_treatment::fixed_shape, valence::eels::background_treatment::subtracted}) {
      const bool fixed_shape = treatment == valence::eels::background_treatment::fixed_shape;
      CAPTURE(fixed_shape);
      auto o = options();
      o.background = treatment;
      o.propagate_background = false;
      const auto conditional = valence::eels::mlls(e, s, refs, o);
      o.propagate_background = true;
      const auto r = valence::eels::mlls(e, s, refs, o);
      const auto& p = r.background;
      const Eigen::Index m = r.channels.size;
      const Eigen::Index n = r.coefficients.size();
      // coefficients refitted with the power law A E^-r h at (amplitude, exponent)
      const auto refit = [&](double amplitude, double exponent) {
        matrix_d x(m, fixed_shape ? 3 : 2);
        x.leftCols(2) = refs.middleRows(r.channels.begin, m);
        vector_d y = s.segment(r.channels.begin, m);
        for (Eigen::Index i = 0; i < m; ++i) {
          const double b = amplitude * std::pow(r.energy(i), -exponent) * p.channel_width;
          if (fixed_shape) {
            x(i, 2) = b;
          } else {
            y(i) -= b;
          }
        }
        return vector_d(valence::fit::least_squares(x, y).coefficients);
      };
      matrix_d sensitivity(n, 2);
      const double da = 1e-4 * p.amplitude_error;
      const double dr = 1e-4 * p.exponent_error;
      sensitivity.col(0) = (refit(p.amplitude + da, p.exponent) - refit(p.amplitude - da, p.exponent)) / (2 * da);
      sensitivity.col(1) = (refit(p.amplitude, p.exponent + dr) - refit(p.amplitude, p.exponent - dr)) / (2 * dr);
      matrix_d sigma(2, 2);
      sigma << p.amplitude_error * p.amplitude_error, p.covariance, p.covariance, p.exponent_error * p.exponent_error;
      if (fixed_shape) {  // the free scale absorbs A: only r moves the coefficients
        CHECK(sensitivity.col(0).head(2).norm() < 1e-6 * sensitivity.col(1).head(2).norm());
        sigma.row(0).setZero();
        sigma.col(0).setZero();
      }
      // The power-law scale of fixed_shape is the coefficient of A E^-r h: its sensitivity is in those units.
      const matrix_d added = sensitivity * sigma * sensitivity.transpose();
      for (Eigen::Index a = 0; a < 2; ++a) {
        CAPTURE(a);
        // measured: 4.1e-7 relative (the central differences' own error); tolerance 2e-6
        VALENCE_CHECK_REL(added(a, a), r.covariance(a, a) - conditional.covariance(a, a), 2e-6, 0.0);
      }
      CHECK(r.coefficients == conditional.coefficients);
      CHECK(r.fraction_errors(0) > conditional.fraction_errors(0));
    }
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

  TEST_CASE("the one-pass window kernel forms the column and products of the separate passes") {
    // A spectrum image's fixed-shape, unweighted fit reads its window once (window_pass): the
    // power-law column, Q_F^T y, Q_F^T p, p^T y and p^T p in one sweep. Reference: the separate
    // passes it replaced (power_law_column, then fit::detail::projected_products), on both of the
    // column's branches (Taylor polynomial at r = 3, exp() at r = 60) and for one to four fixed
    // columns (references, constant, linear).
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(5);
    std::normal_distribution<double> noise(0.0, 30.0);
    vector_d y(e.size());
    for (Eigen::Index c = 0; c < e.size(); ++c) {
      y(c) = valence_test::eels_mean_counts(e, refs, c, 0.6, 0.4) + noise(generator);
    }
    for (int extra = 0; extra < 3; ++extra) {
      auto o = options();
      o.power_law.method = valence::eels::power_law_method::two_area;
      o.weighting = valence::eels::mlls_weighting::none;
      o.constant = extra >= 1;
      o.linear = extra >= 2;
      const matrix_d used = extra == 0 ? matrix_d(refs.leftCols(1)) : refs;
      const auto plan = valence::eels::detail::make_mlls_plan("test", e, used, o);
      REQUIRE(plan.one_pass);
      const Eigen::Index f = plan.fixed.q.cols();
      for (const double r : {3.0, 60.0}) {
        CAPTURE(f);
        CAPTURE(r);
        const double scale = 1e9;
        const auto poly = valence::eels::detail::power_law_taylor(plan, r, scale);
        CHECK((poly.degree >= 0) == (r == 3.0));
        valence::eels::detail::mlls_workspace one(plan);
        one.spectrum = y;
        if (poly.degree < 0) {
          valence::eels::detail::power_law_column(plan, r, scale, one.model.col(plan.k));
        }
        valence::eels::detail::window_moments sums;
        valence::eels::detail::window_pass(plan, poly, one.spectrum.data() + plan.window.begin, one, sums);

        vector_d column(plan.window.size);
        valence::eels::detail::power_law_column(plan, r, scale, column);
        const vector_d window = y.segment(plan.window.begin, plan.window.size);
        vector_d qy(f);
        vector_d qp(f);
        double py = 0;
        double pp = 0;
        valence::fit::detail::projected_products(plan.fixed.q, window.data(), column.data(), qy.data(), qp.data(), py,
                                                 pp);
        // The column is the same expression on the same offsets: equal to the last bit.
        CHECK(one.model.col(plan.k) == column);
        // The sums differ in their order only (not at all where both sum in four lanes, as with
        // SSE2). measured: 0 in this suite's build, 5.1e-16 relative with AVX-512
        // (-march=native on the development machine); tolerance 1e-14.
        for (Eigen::Index j = 0; j < f; ++j) {
          VALENCE_CHECK_REL(one.rhs(j), qy(j), 1e-14, 1e-14 * window.norm());
          VALENCE_CHECK_REL(one.design(j, f), qp(j), 1e-14, 1e-14 * column.norm());
        }
        VALENCE_CHECK_REL(sums.py, py, 1e-14, 0.0);
        VALENCE_CHECK_REL(sums.pp, pp, 1e-14, 0.0);
        VALENCE_CHECK_REL(sums.yy, window.squaredNorm(), 1e-14, 0.0);
      }
    }
  }

  TEST_CASE("a one-pass fit's residual statistics from its window's sums equal the residual pass's") {
    // With the two-area power law, a fit takes chi^2 as ||y||^2 - ||z||^2 and the counting noise's
    // G = M^T diag(M b) M and h = M^T (ln E p) from moments of its window (moment_statistics), where
    // every other fit sweeps its residual (residual_sums, the reference here). For one to three
    // fixed columns (references, constant); and the two guards: a fitted spectrum that can go
    // negative, and a residual too small for the subtraction, leave the sums to the residual pass.
    using namespace valence::eels::detail;
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    std::mt19937 generator(7);
    const vector_d noisy = mixture(e, refs, 0.6, 0.4, &generator);
    double worst_rss = 0;
    double worst_sums = 0;
    for (int columns = 1; columns <= 3; ++columns) {
      for (const bool noiseless : {false, true}) {
        auto o = options();
        o.power_law.method = valence::eels::power_law_method::two_area;
        o.constant = columns == 3;
        const matrix_d used = columns == 1 ? matrix_d(refs.leftCols(1)) : refs;
        const auto plan = make_mlls_plan("test", e, used, o);
        REQUIRE(plan.moments);
        REQUIRE(plan.fixed.q.cols() == columns);
        mlls_workspace ws(plan);
        ws.spectrum = noisy;
        two_area_estimate(plan.two_area, ws.spectrum, ws.power_law);
        const double scale = ws.power_law.amplitude * plan.channel_width;  // binned counts, as solve_mlls
        const auto poly = power_law_taylor(plan, ws.power_law.exponent, scale);
        REQUIRE(poly.degree >= 0);
        if (noiseless) {  // the model itself over the window: a residual of rounding
          vector_d column(plan.window.size);
          power_law_column(plan, ws.power_law.exponent, scale, column);
          ws.spectrum.segment(plan.window.begin, plan.window.size) =
              plan.model.leftCols(used.cols()) * vector_d::Constant(used.cols(), 0.5) + column;
        }
        window_moments w;
        window_pass(plan, poly, ws.spectrum.data() + plan.window.begin, ws, w);
        const window_view y(ws.spectrum.data() + plan.window.begin, plan.window.size);
        const double products[2] = {w.py, w.pp};
        REQUIRE(solve_projected(plan, y, ws, products));
        residual_statistics reference;
        matrix_d gram = matrix_d::Zero(plan.terms, plan.terms);
        vector_d h(plan.terms);
        residual_sums<true>(ws.model, ws.coefficients, y, y, plan.log_energy, plan.k, reference, gram, h);
        residual_statistics moments;
        ws.gram.setZero();
        const bool summed = moment_statistics(plan, w, moments, ws);
        CAPTURE(columns);
        CAPTURE(noiseless);
        // Noiseless counts leave a residual of rounding only: the subtraction would be all error.
        CHECK(summed == !noiseless);
        if (!summed) {
          continue;
        }
        worst_rss = std::max(worst_rss, std::abs(moments.residual_norm2 / reference.residual_norm2 - 1));
        VALENCE_CHECK_REL(reference.observed_norm2, moments.observed_norm2, 1e-14, 0.0);
        const auto relative = [](double a, double b) { return std::abs(a - b) / std::abs(b); };
        worst_sums = std::max(worst_sums, relative(moments.fitted_sum, reference.fitted_sum));
        for (Eigen::Index j = 0; j < plan.terms; ++j) {
          worst_sums = std::max(worst_sums, relative(ws.power_products(j), h(j)));
          for (Eigen::Index k = 0; k <= j; ++k) {
            worst_sums = std::max(worst_sums, relative(ws.gram(j, k), gram(j, k)));
          }
        }
        // A fit whose coefficients let M b go negative somewhere in the window: the moments would
        // not take residual_sums' max(M b, 0), so they are not used.
        const vector_d kept = ws.coefficients;
        ws.coefficients(0) = -10 * std::abs(ws.coefficients(0));
        CHECK_FALSE(moment_statistics(plan, w, moments, ws));
        ws.coefficients = kept;
      }
    }
    // measured: chi^2 to 7.8e-13 relative (the subtraction's rounding, of order eps ||y||^2 / RSS)
    // and G, h and sum M b to 6.5e-16; tolerances 1e-10 and 1e-13.
    CHECK(worst_rss < 1e-10);
    CHECK(worst_sums < 1e-13);
    CHECK(worst_rss > 0);  // the two routes are different sums
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

  TEST_CASE("mlls fraction errors stay honest where the background dominates the edge") {
    // A weak edge (a tenth of the references above: about 10 % of the counts under the peaks) on the
    // same power law, Poisson counts, 400 realisations: the mean squared z-score of the fraction
    // (standard deviation about 0.07 here) against the error with and without the background's.
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const int trials = 400;
    using valence::eels::background_treatment;
    using valence::eels::mlls_weighting;
    using valence::eels::power_law_method;
    for (const auto treatment : {background_treatment::fixed_shape, background_treatment::subtracted}) {
      for (const auto method : {power_law_method::poisson, power_law_method::log_linear, power_law_method::two_area}) {
        for (const auto weighting : {mlls_weighting::none, mlls_weighting::poisson}) {
          CAPTURE(static_cast<int>(treatment));
          CAPTURE(static_cast<int>(method));
          CAPTURE(static_cast<int>(weighting));
          std::mt19937 generator(23);
          auto o = options();
          o.background = treatment;
          o.power_law.method = method;
          o.weighting = weighting;
          double z2 = 0;
          double z2_conditional = 0;
          for (int t = 0; t < trials; ++t) {
            const vector_d s = mixture(e, refs, 0.06, 0.04, &generator);
            o.propagate_background = true;
            const auto r = valence::eels::mlls(e, s, refs, o);
            z2 += std::pow((r.fractions(0) - 0.6) / r.fraction_errors(0), 2) / trials;
            o.propagate_background = false;
            const auto c = valence::eels::mlls(e, s, refs, o);
            z2_conditional += std::pow((c.fractions(0) - 0.6) / c.fraction_errors(0), 2) / trials;
          }
          CAPTURE(z2);
          CAPTURE(z2_conditional);
          // measured: 0.96 to 1.11 with the background's error. 400 realisations estimate the mean
          // z^2 to +-0.07 (its variance is 2/400); tests/eels/test_spectrum_image.cpp measures it to
          // +-0.02 over a map.
          CHECK(z2 > 0.85);
          CHECK(z2 < 1.15);
          if (treatment == background_treatment::subtracted) {
            CHECK(z2_conditional > 1.8);  // measured: 1.91 to 2.68 without the background's error
          } else {
            // measured: 1.11 to 1.12: the free scale absorbs most of the exponent's error
            CHECK(std::abs(z2 - z2_conditional) < 0.05);
          }
        }
      }
    }
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
