// SPDX-License-Identifier: MIT
/// \file
/// \brief The mean of known values weighted by fitted fractions, with its propagated uncertainty.
#ifndef VALENCE_CORE_PROPAGATION_HPP
#define VALENCE_CORE_PROPAGATION_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <string>

namespace valence::core {

/// \brief A value with its standard uncertainty.
/// \ingroup core
struct measured_value {
  double value = 0;           ///< best estimate
  double standard_error = 0;  ///< one standard deviation
};

/// \brief Mean of known values \f$s_i\f$ weighted by fitted fractions \f$w_i\f$ (e.g. the oxidation
/// states of reference compounds weighted by their LCF fractions), with first-order error propagation:
/// \f[ \bar s = \frac{\sum_i s_i w_i}{\sum_i w_i}, \qquad
///     \sigma^2_{\bar s} = g^T C g,\quad g_i = \frac{\partial \bar s}{\partial w_i} = \frac{s_i - \bar s}{\sum_j w_j}.
///     \f]
/// \ingroup core
///
/// When the fractions were fitted with \f$\sum w = 1\f$ imposed this is \f$\sum s_i w_i\f$ with
/// variance \f$s^TCs\f$; the normalised form also serves fits without that constraint.
/// \param values the known values \f$s_i\f$ (e.g. 2 and 3 for Ni²⁺ and Ni³⁺).
/// \param fractions the fitted weights \f$w_i\f$, same length, with a non-zero sum.
/// \param covariance their covariance \f$C\f$ (\f$n\times n\f$, as least_squares_result::covariance).
/// \returns \f$\bar s\f$ and \f$\sigma_{\bar s}\f$.
/// \throws valence::invalid_input on size mismatches, non-finite input, or weights summing to 0.
template <typename DerivedS, typename DerivedW, typename DerivedC>
[[nodiscard]] measured_value weighted_mean_of_known_values(const Eigen::MatrixBase<DerivedS>& values,
                                                           const Eigen::MatrixBase<DerivedW>& fractions,
                                                           const Eigen::MatrixBase<DerivedC>& covariance) {
  using std::sqrt;
  constexpr const char* function = "valence::core::weighted_mean_of_known_values";
  check_same_size(function, "fractions", fractions, "values", values);
  if (covariance.rows() != values.size() || covariance.cols() != values.size()) {
    throw invalid_input(detail::message(function, "parameter 'covariance' is " + std::to_string(covariance.rows()) +
                                                      " x " + std::to_string(covariance.cols()) + "; expected " +
                                                      std::to_string(values.size()) + " x " +
                                                      std::to_string(values.size())));
  }
  check_finite(function, "values", values);
  check_finite(function, "fractions", fractions);
  check_finite(function, "covariance", covariance);
  const vector_d s = values.template cast<double>();
  const vector_d w = fractions.template cast<double>();
  const double total = w.sum();
  if (total == 0) {
    throw invalid_input(detail::message(function, "the fractions sum to 0; expected a non-zero sum"));
  }
  measured_value out;
  out.value = s.dot(w) / total;
  const vector_d g = (s.array() - out.value) / total;
  const double variance = g.dot(covariance.template cast<double>() * g);
  out.standard_error = sqrt(variance > 0 ? variance : 0.0);
  return out;
}

}  // namespace valence::core

#endif  // VALENCE_CORE_PROPAGATION_HPP
