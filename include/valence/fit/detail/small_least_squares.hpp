// SPDX-License-Identifier: MIT
// Constrained least squares of many small problems in turn, on buffers sized once (not part of
// the public API).
#ifndef VALENCE_FIT_DETAIL_SMALL_LEAST_SQUARES_HPP
#define VALENCE_FIT_DETAIL_SMALL_LEAST_SQUARES_HPP

#include <valence/core/types.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/detail/active_set.hpp>
#include <valence/fit/detail/householder.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <vector>

namespace valence::fit::detail {

// min ||A x - b|| subject to a constraint_set, for a stream of problems of at most `max_rows` rows
// and exactly `cols` columns, as xas::lcf_all meets them: every combination of standards is such a
// problem on columns of one triangular factor. The method is fit::least_squares's without what a
// small dense problem does not need: unpivoted Householder QR (so no permutation and no Q), the
// engine's rank rule (householder.hpp) on each column in turn, then the same active-set solver on
// the k x k factor. solve() allocates nothing.
template <typename Real>
class small_least_squares {
 public:
  small_least_squares(index max_rows, index cols)
      : work_(max_rows, cols),
        rhs_(max_rows),
        column_norms_(cols),
        factor_(cols, cols),
        coefficients_(cols),
        covariance_(cols, cols),
        state_(static_cast<std::size_t>(cols)),
        solver_(cols) {}

  template <typename MatA, typename VecB>
  fit_status solve(const Eigen::MatrixBase<MatA>& a, const Eigen::MatrixBase<VecB>& b,
                   const constraint_set<Real>& constraints, index max_iterations) {
    work_.topLeftCorner(a.rows(), a.cols()) = a;
    return solve_loaded(a.rows(), a.cols(), b, constraints, max_iterations);
  }

  // The same problem on the columns `columns[0..cols)` of `a`, gathered into the solver's buffer.
  template <typename VecB>
  fit_status solve_columns(const matrix_x<Real>& a, const index* columns, index cols, const Eigen::MatrixBase<VecB>& b,
                           const constraint_set<Real>& constraints, index max_iterations) {
    for (index j = 0; j < cols; ++j) {
      work_.col(j).head(a.rows()) = a.col(columns[j]);
    }
    return solve_loaded(a.rows(), cols, b, constraints, max_iterations);
  }

  // After ok: the coefficients, (A^T A)^{-1} restricted to the free coefficients (projected onto
  // the sum constraint; zero rows and columns for coefficients held on a bound), and the number of
  // effective parameters. After rank_deficient: the first column found dependent on earlier ones.
  [[nodiscard]] const vector_x<Real>& coefficients() const { return coefficients_; }
  [[nodiscard]] const matrix_x<Real>& unscaled_covariance() const { return covariance_; }
  [[nodiscard]] index parameters() const { return parameters_; }
  // After `singular`: the column that fails the rank rule, or -1 when an active-set subproblem was singular.
  [[nodiscard]] index dependent_column() const { return dependent_; }

 private:
  template <typename VecB>
  fit_status solve_loaded(index rows, index cols, const Eigen::MatrixBase<VecB>& b,
                          const constraint_set<Real>& constraints, index max_iterations) {
    auto work = work_.topLeftCorner(rows, cols);
    auto rhs = rhs_.head(rows);
    rhs = b;
    for (index j = 0; j < cols; ++j) {
      column_norms_(j) = safe_norm<Real>(work.col(j));
    }
    const auto norm_of = [&](index j) { return column_norms_(j); };
    if (!householder_reduce<Real>(work, rhs)) {
      dependent_ = first_dependent_column(work.topRows(cols), norm_of, Real(0));
      return fit_status::singular;
    }
    dependent_ = first_dependent_column(work.topRows(cols), norm_of, rank_tolerance(Real(0), rows));
    if (dependent_ >= 0) {
      return fit_status::singular;
    }
    copy_upper_triangle<Real>(work, factor_);
    index iterations = 0;
    const auto outcome =
        solver_.solve(factor_, rhs.head(cols), constraints, coefficients_, state_, max_iterations, false, iterations);
    if (outcome != fit_status::ok) {
      return outcome;
    }
    parameters_ = solver_.unscaled_covariance(factor_, constraints, state_, covariance_);
    return fit_status::ok;
  }

  matrix_x<Real> work_;
  vector_x<Real> rhs_;
  vector_x<Real> column_norms_;
  matrix_x<Real> factor_;
  vector_x<Real> coefficients_;
  matrix_x<Real> covariance_;
  std::vector<bound_state> state_;
  active_set_solver<Real> solver_;
  index parameters_ = 0;
  index dependent_ = -1;
};

}  // namespace valence::fit::detail

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template class small_least_squares<double>;
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_DETAIL_SMALL_LEAST_SQUARES_HPP
