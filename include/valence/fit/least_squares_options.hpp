// SPDX-License-Identifier: MIT
/// \file
/// \brief Options shared by valence::fit::least_squares and valence::fit::least_squares_batch.
#ifndef VALENCE_FIT_LEAST_SQUARES_OPTIONS_HPP
#define VALENCE_FIT_LEAST_SQUARES_OPTIONS_HPP

#include <valence/core/types.hpp>

#include <optional>

namespace valence::fit {

/// \brief Weights, constraints and reporting choices of a linear least-squares fit.
/// \ingroup fit
///
/// All members default to "off": an unweighted, unconstrained fit with covariance scaled by the
/// reduced \f$\chi^2\f$.
/// \tparam Real the scalar type of the fit.
template <typename Real>
struct least_squares_options {
  /// Observation weights \f$w_i = 1/\sigma_i^2\f$ (positive, finite), one per row of the design;
  /// empty for \f$w_i = 1\f$.
  vector_x<Real> weights;
  /// Lower bound of each coefficient (may be \f$-\infty\f$); empty for none.
  vector_x<Real> lower;
  /// Upper bound of each coefficient (may be \f$+\infty\f$); empty for none.
  vector_x<Real> upper;
  /// Also require every coefficient to be \f$\ge 0\f$ (combined with \ref lower by taking the larger).
  bool nonnegative = false;
  /// If set, require \f$\sum_j x_j = c\f$ exactly (1 for fractions of reference spectra).
  std::optional<Real> sum_to;
  /// Multiply the covariance by the reduced \f$\chi^2\f$ (the usual choice when weights are relative,
  /// and NIST's convention). Set false when the weights are true \f$1/\sigma^2\f$.
  bool scale_covariance = true;
  /// Allow a rank-deficient unconstrained design: the minimum-norm solution is returned and
  /// standard errors are unavailable (reported as such). Constrained fits never allow it.
  bool allow_rank_deficient = false;
  /// Relative threshold on the pivots of the column-pivoted QR below which a column counts as
  /// dependent; 0 selects \f$m\,\varepsilon\f$ for \f$m\f$ observations.
  Real rank_tolerance = 0;
  /// Iteration budget of the active-set method for constrained fits; 0 selects \f$10n + 50\f$.
  index max_iterations = 0;
};

}  // namespace valence::fit

#endif  // VALENCE_FIT_LEAST_SQUARES_OPTIONS_HPP
