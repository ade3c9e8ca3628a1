// SPDX-License-Identifier: MIT
/// \file
/// \brief Weighted linear least squares with bounds, non-negativity and a sum constraint.
#ifndef VALENCE_FIT_LEAST_SQUARES_HPP
#define VALENCE_FIT_LEAST_SQUARES_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/detail/active_set.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/information_criteria.hpp>
#include <valence/fit/least_squares_options.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace valence::fit {

/// \brief Everything a linear least-squares fit reports.
/// \ingroup fit
///
/// With \f$r = y - Ax\f$ and weights \f$w\f$ (all 1 when none were given):
/// \f$\chi^2 = \sum_i w_i r_i^2\f$, \f$\nu = m - p\f$ degrees of freedom for \f$p\f$ effective
/// parameters, \f$\chi^2_\nu = \chi^2/\nu\f$, R-factor \f$= \sum_i r_i^2 / \sum_i y_i^2\f$ (unweighted,
/// as Larch and Athena report it), \f$\mathrm{AIC} = m\ln(\chi^2/m) + 2p\f$ and
/// \f$\mathrm{BIC} = m\ln(\chi^2/m) + p\ln m\f$ (lmfit's definitions).
///
/// **Effective parameters and constraints.** A coefficient held on a bound is treated as known:
/// its standard error is 0, its row and column of the covariance are 0, and it does not count in
/// \f$p\f$. A sum constraint removes one more degree of freedom, and the covariance of the free
/// coefficients is that of the equality-constrained problem,
/// \f$Z (Z^T A_F^T W A_F Z)^{-1} Z^T\f$ with \f$Z\f$ a basis of \f$\{\delta: \sum \delta_j = 0\}\f$,
/// so the standard errors of fractions that must sum to one are correlated as they should be.
/// These errors are conditional on the active set, the convention of Lawson & Hanson and of
/// Larch/lmfit fits whose parameters end on a bound.
/// \tparam Real the scalar type of the fit.
template <typename Real>
struct least_squares_result {
  vector_x<Real> coefficients;     ///< \f$x\f$, one per column of the design
  vector_x<Real> standard_errors;  ///< \f$\sqrt{C_{jj}}\f$; NaN only when \ref covariance_available is false
  matrix_x<Real> covariance;       ///< \f$C\f$: \f$(A^TWA)^{-1}\f$, times \f$\chi^2_\nu\f$ if scale_covariance
  vector_x<Real> residuals;        ///< \f$y - Ax\f$ (unweighted)
  vector_x<Real> fitted;           ///< \f$Ax\f$
  Real chi_square = 0;             ///< \f$\chi^2 = \sum w_i r_i^2\f$
  Real reduced_chi_square = 0;     ///< \f$\chi^2/\nu\f$; NaN when \f$\nu = 0\f$
  Real r_factor = 0;               ///< \f$\sum r_i^2/\sum y_i^2\f$
  Real aic = 0;                    ///< Akaike information criterion, \f$m\ln(\chi^2/m) + 2p\f$
  Real bic = 0;                    ///< Bayesian information criterion, \f$m\ln(\chi^2/m) + p\ln m\f$
  index observations = 0;          ///< \f$m\f$
  index parameters = 0;            ///< \f$p\f$, effective parameters (see the class description)
  index dof = 0;                   ///< \f$\nu = m - p\f$
  index rank = 0;                  ///< numerical rank of the (weighted) design
  Real condition_number = 0;  ///< estimate of the 2-norm condition number of the column-equilibrated weighted design
  std::vector<bound_state> active;   ///< per coefficient: free, or held at a bound
  index iterations = 0;              ///< active-set iterations (0 for an unconstrained fit)
  bool covariance_available = true;  ///< false for a rank-deficient design (then errors are NaN)
};

namespace detail {

// Fills the statistics of a result whose coefficients, active set and unscaled covariance are set.
template <typename Real>
void finish_statistics(Eigen::Ref<const matrix_x<Real>> a, Eigen::Ref<const vector_x<Real>> y,
                       const vector_x<Real>& sqrt_weights, bool scale_covariance, least_squares_result<Real>& r) {
  const index m = a.rows();
  r.fitted.noalias() = a * r.coefficients;
  r.residuals = y - r.fitted;
  r.chi_square =
      sqrt_weights.size() == 0 ? r.residuals.squaredNorm() : r.residuals.cwiseProduct(sqrt_weights).squaredNorm();
  r.observations = m;
  r.dof = m - r.parameters;
  r.reduced_chi_square = r.dof > 0 ? r.chi_square / Real(r.dof) : std::numeric_limits<Real>::quiet_NaN();
  r.r_factor = r.residuals.squaredNorm() / y.squaredNorm();
  r.aic = aic(r.chi_square, m, r.parameters);
  r.bic = bic(r.chi_square, m, r.parameters);
  if (scale_covariance) {
    r.covariance *= r.reduced_chi_square;
  }
  r.standard_errors = r.covariance.diagonal().cwiseMax(Real(0)).cwiseSqrt();
}

// The body of least_squares(), on concrete types: instantiated once per scalar type (and, in the
// compiled mode, only in the library).
template <typename Real>
least_squares_result<Real> solve_least_squares(Eigen::Ref<const matrix_x<Real>> a, Eigen::Ref<const vector_x<Real>> y,
                                               const least_squares_options<Real>& options);

}  // namespace detail

/// \brief Solves \f$\min_x \sum_i w_i (y_i - (Ax)_i)^2\f$, optionally subject to
/// \f$l \le x \le u\f$, \f$x \ge 0\f$ and \f$\sum_j x_j = c\f$.
/// \ingroup fit
///
/// This is the one linear solver of valence: XAS linear-combination fitting and EELS MLLS build
/// their models and call it (or least_squares_batch() for many spectra).
///
/// **Method.** The weighted design is column-equilibrated and factorised by Householder QR with
/// column pivoting (normal equations are never formed); the pivots give the rank. Unconstrained
/// problems are solved by back-substitution. Constrained problems reduce to the \f$n\times n\f$
/// triangular factor and are solved exactly there by a primal active-set method: Lawson–Hanson
/// NNLS for non-negativity, Stark–Parker BVLS for general bounds, with the sum constraint kept by
/// a null-space step in every subproblem. Nothing is clipped or penalised: the result satisfies the
/// Karush–Kuhn–Tucker conditions to rounding.
///
/// \param a design matrix \f$A\f$, \f$m \times n\f$ with \f$m \ge n\f$ (columns are the model's components).
/// \param y observations, length \f$m\f$.
/// \param options weights, bounds, sum constraint, covariance scaling; see least_squares_options.
/// \returns coefficients with standard errors, covariance, residuals and fit statistics; see
///          least_squares_result for the definitions and the convention under active constraints.
/// \throws valence::invalid_input if sizes disagree, \p a or \p y hold a non-finite value, a weight
///         is not positive and finite, \f$m < n\f$, a bound is NaN or \f$l_j > u_j\f$, the sum \f$c\f$
///         cannot be reached within the bounds, or the design is rank deficient (unless
///         `allow_rank_deficient` is set for an unconstrained fit).
/// \throws valence::fit_error if the active-set method exceeds its iteration budget.
///
/// **Accuracy.** On the NIST StRD linear regression problems in double precision the log relative
/// error of every coefficient is at least 9 and of every standard deviation at least 8, except where
/// double precision itself limits (Filip, Wampler4/5): see the table in the documentation and
/// tests/fit/test_least_squares_nist.cpp. Constrained solutions satisfy the KKT conditions to a few
/// hundred ulp of the problem scale (tests/fit/test_least_squares_constrained.cpp).
///
/// **References.** G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed. (2013), §5.4;
/// C. L. Lawson, R. J. Hanson, *Solving Least Squares Problems* (1974), ch. 23;
/// P. B. Stark, R. L. Parker, Comput. Stat. 10, 129 (1995).
///
/// **Complexity.** \f$O(mn^2)\f$ for the factorisation plus \f$O(n^3)\f$ per active-set iteration.
///
/// \par Example
/// \include least_squares_fractions.cpp
template <typename DerivedA, typename DerivedY>
[[nodiscard]] least_squares_result<typename DerivedA::Scalar> least_squares(
    const Eigen::MatrixBase<DerivedA>& a, const Eigen::MatrixBase<DerivedY>& y,
    const least_squares_options<typename DerivedA::Scalar>& options = {}) {
  using Real = typename DerivedA::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::fit::least_squares requires a floating-point design");
  static_assert(std::is_same_v<Real, typename DerivedY::Scalar>,
                "valence::fit::least_squares: A and y must have the same scalar type");
  static_assert(DerivedY::IsVectorAtCompileTime, "valence::fit::least_squares: y must be a vector");
  return detail::solve_least_squares<Real>(a, y, options);
}

namespace detail {

template <typename Real>
least_squares_result<Real> solve_least_squares(Eigen::Ref<const matrix_x<Real>> a, Eigen::Ref<const vector_x<Real>> y,
                                               const least_squares_options<Real>& options) {
  constexpr const char* function = "valence::fit::least_squares";
  if (y.size() != a.rows()) {
    throw invalid_input(core::detail::message(function, "parameter 'y' has " + std::to_string(y.size()) +
                                                            " elements but 'A' has " + std::to_string(a.rows()) +
                                                            " rows; expected one observation per row"));
  }
  core::check_finite(function, "y", y);
  const index n = a.cols();
  const auto constraints = detail::prepare_constraints(function, options, n);
  const bool constrained = constraints.any();
  const auto f = detail::factorize_design<Real>(function, a, options.weights, options.rank_tolerance,
                                                options.allow_rank_deficient && !constrained);
  least_squares_result<Real> result;
  result.rank = f.rank;
  result.condition_number = f.condition_number;
  result.coefficients.resize(n);
  result.active.assign(static_cast<std::size_t>(n), bound_state::free);
  vector_x<Real> weighted_y = y;
  if (f.sqrt_weights.size() != 0) {
    weighted_y = weighted_y.cwiseProduct(f.sqrt_weights);
  }
  if (f.rank < n) {  // allowed only for unconstrained fits: minimum norm in equilibrated variables
    matrix_x<Real> c = weighted_y;
    f.qr.apply_qt(c);
    f.solve_minimum_norm(c.col(0), result.coefficients);
    result.parameters = f.rank;
    result.covariance = matrix_x<Real>::Constant(n, n, std::numeric_limits<Real>::quiet_NaN());
    result.covariance_available = false;
    detail::finish_statistics(a, y, f.sqrt_weights, false, result);
    return result;
  }
  const vector_x<Real> z = f.q_thin.transpose() * weighted_y;
  if (!constrained) {
    f.solve_unconstrained(z, result.coefficients);
    // One step of iterative refinement with the same factorisation: solve for the correction
    // from the residual of the first solution. It costs O(mn) and gains up to two digits on
    // ill-conditioned designs (NIST Filip: LRE 7.2 -> 7.5; Wampler1: 9.5 -> 10.2).
    vector_x<Real> residual = y - a * result.coefficients;
    if (f.sqrt_weights.size() != 0) {
      residual = residual.cwiseProduct(f.sqrt_weights);
    }
    const vector_x<Real> residual_z = f.q_thin.transpose() * residual;
    vector_x<Real> correction(n);
    f.solve_unconstrained(residual_z, correction);
    result.coefficients += correction;
    result.covariance = f.unscaled_covariance;
    result.parameters = n;
  } else {
    detail::active_set_solver<Real> solver(n);
    const index budget = options.max_iterations > 0 ? options.max_iterations : 10 * n + 50;
    const auto outcome =
        solver.solve(f.m, z, constraints, result.coefficients, result.active, budget, false, result.iterations);
    if (outcome != fit_status::ok) {
      throw fit_error(core::detail::message(
          function, outcome == fit_status::iteration_limit
                        ? "the active-set method did not converge within " + std::to_string(budget) +
                              " iterations; expected convergence (raise option 'max_iterations')"
                        : std::string("a subproblem of the active-set method was singular; expected a design of "
                                      "full column rank")));
    }
    result.covariance.resize(n, n);
    result.parameters = solver.unscaled_covariance(f.m, constraints, result.active, result.covariance);
  }
  detail::finish_statistics(a, y, f.sqrt_weights, options.scale_covariance, result);
  return result;
}

}  // namespace detail

}  // namespace valence::fit

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: the bodies are instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template least_squares_result<float> solve_least_squares<float>(Eigen::Ref<const matrix_x<float>>,
                                                                       Eigen::Ref<const vector_x<float>>,
                                                                       const least_squares_options<float>&);
extern template least_squares_result<double> solve_least_squares<double>(Eigen::Ref<const matrix_x<double>>,
                                                                         Eigen::Ref<const vector_x<double>>,
                                                                         const least_squares_options<double>&);
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_LEAST_SQUARES_HPP
