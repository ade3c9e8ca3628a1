// SPDX-License-Identifier: MIT
/// \file
/// \brief Tests of nested fits: the F test and the Hamilton R-factor test (AIC and BIC are in
/// information_criteria.hpp, which this header includes).
#ifndef VALENCE_FIT_MODEL_SELECTION_HPP
#define VALENCE_FIT_MODEL_SELECTION_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/information_criteria.hpp>

#include <boost/math/distributions/fisher_f.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace valence::fit {

/// \brief Result of a test of a simpler model against a fuller model that contains it.
/// \ingroup fit
template <typename Real>
struct nested_test_result {
  Real statistic = 0;        ///< the F statistic (negative when the fuller fit is worse, then p = 1)
  Real p_value = 1;          ///< probability of a statistic this large if the simpler model is true
  index df_numerator = 0;    ///< extra parameters of the fuller model, \f$p_f - p_s\f$
  index df_denominator = 0;  ///< degrees of freedom of the fuller fit, \f$m - p_f\f$
};

namespace detail {

template <typename Real>
void check_nested(const char* function, Real simple, index params_simple, Real full, index params_full,
                  index observations) {
  using core::detail::format_value;
  using core::detail::message;
  using std::isfinite;
  if (!(isfinite(simple) && simple >= 0) || !(isfinite(full) && full >= 0)) {
    throw invalid_input(message(function, "the goodness-of-fit values are " + format_value(simple) + " and " +
                                              format_value(full) + "; expected finite values >= 0"));
  }
  if (params_simple < 0 || params_full <= params_simple) {
    throw invalid_input(message(function, "parameter counts are " + std::to_string(params_simple) + " (simple) and " +
                                              std::to_string(params_full) +
                                              " (full); expected 0 <= simple < full for nested models"));
  }
  if (observations <= params_full) {
    throw invalid_input(message(function, "parameter 'observations' is " + std::to_string(observations) +
                                              "; expected more observations than the full model's " +
                                              std::to_string(params_full) + " parameters"));
  }
}

template <typename Real>
nested_test_result<Real> f_distribution_tail(Real ratio_minus_one, index d1, index d2) {
  nested_test_result<Real> r;
  r.df_numerator = d1;
  r.df_denominator = d2;
  r.statistic = ratio_minus_one * Real(d2) / Real(d1);
  if (!(r.statistic > 0)) {
    r.p_value = 1;
    return r;
  }
  if (std::isinf(r.statistic)) {  // a perfect full fit: the simple model is rejected outright
    r.p_value = 0;
    return r;
  }
  // Evaluated in Real itself: Boost's default promotion of double to long double costs several
  // times the time (it shows in lcf_all, which tests every kept fit) for no digit that matters in
  // a p-value.
  using no_promotion = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const boost::math::fisher_f_distribution<Real, no_promotion> f(static_cast<Real>(d1), static_cast<Real>(d2));
  r.p_value = boost::math::cdf(boost::math::complement(f, r.statistic));
  return r;
}

// Both tests compare the ratio of a goodness-of-fit measure (chi^2 or R-factor) of the simpler
// to the fuller fit with the F distribution.
template <typename Real>
nested_test_result<Real> ratio_test(const char* function, Real simple, index params_simple, Real full,
                                    index params_full, index observations) {
  check_nested(function, simple, params_simple, full, params_full, observations);
  const Real ratio = full > 0 ? simple / full - Real(1) : std::numeric_limits<Real>::infinity();
  return f_distribution_tail<Real>(ratio, params_full - params_simple, observations - params_full);
}

}  // namespace detail

/// \brief F test of a simpler model nested in a fuller one:
/// \f[ F = \frac{(\chi^2_s - \chi^2_f)/(p_f - p_s)}{\chi^2_f/(m - p_f)}, \qquad
///     p = P\big(F_{p_f-p_s,\,m-p_f} > F\big). \f]
/// \ingroup fit
/// \param chi_square_simple \f$\chi^2_s\f$ of the simpler fit (\f$\ge 0\f$).
/// \param params_simple its number of effective parameters \f$p_s\f$.
/// \param chi_square_full \f$\chi^2_f\f$ of the fuller fit (\f$\ge 0\f$).
/// \param params_full its number of effective parameters \f$p_f > p_s\f$.
/// \param observations number of observations \f$m > p_f\f$ (the same data in both fits).
/// \returns the statistic, its p-value and the degrees of freedom. A small p-value says the extra
///          parameters of the fuller model explain significantly more than noise.
/// \throws valence::invalid_input for negative or non-finite \f$\chi^2\f$, \f$p_f \le p_s\f$, or \f$m \le p_f\f$.
///
/// The tail probability is Boost.Math's Fisher F complement CDF (accurate to a few ulp).
/// Reference: e.g. P. R. Bevington, D. K. Robinson, *Data Reduction and Error Analysis*, 3rd ed. (2003), §11.4.
template <typename Real>
[[nodiscard]] nested_test_result<Real> f_test(Real chi_square_simple, index params_simple, Real chi_square_full,
                                              index params_full, index observations) {
  return detail::ratio_test("valence::fit::f_test", chi_square_simple, params_simple, chi_square_full, params_full,
                            observations);
}

/// \brief Hamilton's R-factor ratio test of nested models, from the R-factors valence reports
/// (\f$\sum r^2/\sum y^2\f$, i.e. the squares of Hamilton's R):
/// \f$\mathcal{R}^2 = R_s/R_f\f$, statistic \f$(\mathcal{R}^2 - 1)(m - p_f)/(p_f - p_s)\f$ with
/// an \f$F_{p_f-p_s,\,m-p_f}\f$ tail.
/// \ingroup fit
/// \param r_factor_simple R-factor of the simpler fit.
/// \param params_simple its number of effective parameters.
/// \param r_factor_full R-factor of the fuller fit.
/// \param params_full its number of effective parameters (\f$> p_s\f$).
/// \param observations number of observations (\f$> p_f\f$).
/// \returns statistic, p-value and degrees of freedom; equal to f_test() on unweighted fits of the same data.
/// \throws valence::invalid_input as f_test().
///
/// Reference: W. C. Hamilton, Acta Cryst. 18, 502 (1965).
template <typename Real>
[[nodiscard]] nested_test_result<Real> hamilton_test(Real r_factor_simple, index params_simple, Real r_factor_full,
                                                     index params_full, index observations) {
  return detail::ratio_test("valence::fit::hamilton_test", r_factor_simple, params_simple, r_factor_full, params_full,
                            observations);
}

}  // namespace valence::fit

#endif  // VALENCE_FIT_MODEL_SELECTION_HPP
