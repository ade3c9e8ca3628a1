// SPDX-License-Identifier: MIT
/// \file
/// \brief Information criteria of a fit: AIC and BIC (no statistical distributions needed).
#ifndef VALENCE_FIT_INFORMATION_CRITERIA_HPP
#define VALENCE_FIT_INFORMATION_CRITERIA_HPP

#include <valence/core/types.hpp>

#include <cmath>

namespace valence::fit {

/// \brief Akaike information criterion \f$m\ln(\chi^2/m) + 2p\f$ (lmfit's definition; lower is better).
/// \ingroup fit
/// \param chi_square \f$\chi^2\f$ of the fit (\f$> 0\f$ for a finite result).
/// \param observations \f$m > 0\f$.
/// \param parameters effective parameters \f$p\f$.
/// \returns the AIC (\f$-\infty\f$ for an exact fit).
template <typename Real>
[[nodiscard]] Real aic(Real chi_square, index observations, index parameters) {
  using std::log;
  return Real(observations) * log(chi_square / Real(observations)) + Real(2 * parameters);
}

/// \brief Bayesian information criterion \f$m\ln(\chi^2/m) + p\ln m\f$ (lmfit's definition; lower is better).
/// \ingroup fit
/// \param chi_square \f$\chi^2\f$ of the fit.
/// \param observations \f$m > 0\f$.
/// \param parameters effective parameters \f$p\f$.
/// \returns the BIC.
template <typename Real>
[[nodiscard]] Real bic(Real chi_square, index observations, index parameters) {
  using std::log;
  return Real(observations) * log(chi_square / Real(observations)) + log(Real(observations)) * Real(parameters);
}

}  // namespace valence::fit

#endif  // VALENCE_FIT_INFORMATION_CRITERIA_HPP
