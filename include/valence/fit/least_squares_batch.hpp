// SPDX-License-Identifier: MIT
/// \file
/// \brief Many linear least-squares fits that share one design matrix (pixels of a spectrum
/// image, frames of a XANES stack, a series of spectra).
#ifndef VALENCE_FIT_LEAST_SQUARES_BATCH_HPP
#define VALENCE_FIT_LEAST_SQUARES_BATCH_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/detail/active_set.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/detail/projection.hpp>
#include <valence/fit/fit_status.hpp>
#include <valence/fit/least_squares_options.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace valence::fit {

/// \brief Outcome of one column of a batched fit, in the engine's one vocabulary (fit_status). A
/// column that is not `ok` has NaN coefficients and statistics; the other columns are unaffected.
/// \ingroup fit
using column_status = fit_status;

/// \brief Options that only batched fits have.
/// \ingroup fit
template <typename Real>
struct batch_options {
  /// Per-column observation weights, \f$m \times P\f$ (e.g. Poisson \f$1/\mathrm{counts}\f$ per
  /// pixel); empty for none. Exclusive with least_squares_options::weights (shared by all columns).
  /// Each column then needs its own factorisation, \f$O(mn^2)\f$ per column.
  matrix_x<Real> column_weights;
  /// Keep the \f$m \times P\f$ matrix of residuals (doubles the output memory).
  bool keep_residuals = false;
  /// Keep every column's \f$n \times n\f$ covariance (\f$n^2 \times P\f$ values), for errors of
  /// functions of several coefficients (sums, ratios, mean oxidation states).
  bool keep_covariance = false;
  /// Columns processed together; 0 chooses a block whose data fit in about 256 KiB.
  index block_columns = 0;
};

/// \brief Results of a batched fit, one column per fitted spectrum.
/// \ingroup fit
///
/// Statistics are defined as in least_squares_result, column by column.
/// \tparam Real the scalar type of the fit.
template <typename Real>
struct least_squares_batch_result {
  matrix_x<Real> coefficients;                  ///< \f$n \times P\f$
  matrix_x<Real> standard_errors;               ///< \f$n \times P\f$; 0 for coefficients held on a bound
  vector_x<Real> chi_square;                    ///< \f$P\f$: \f$\sum_i w_i r_i^2\f$
  vector_x<Real> reduced_chi_square;            ///< \f$P\f$: \f$\chi^2/\nu\f$ (NaN when \f$\nu = 0\f$)
  vector_x<Real> r_factor;                      ///< \f$P\f$: \f$\sum r_i^2/\sum y_i^2\f$
  Eigen::Matrix<index, Eigen::Dynamic, 1> dof;  ///< \f$P\f$: degrees of freedom \f$\nu\f$
  std::vector<column_status> status;            ///< \f$P\f$: see column_status
  /// \f$n \times P\f$ bound states, column-major (`active[j + n * p]` for coefficient j of column p).
  std::vector<bound_state> active;
  matrix_x<Real> residuals;  ///< \f$m \times P\f$, only if batch_options::keep_residuals
  /// \f$n^2 \times P\f$, only if batch_options::keep_covariance: column p is column p's covariance,
  /// column-major (scaled as the standard errors are; zero rows and columns for coefficients held on
  /// a bound; NaN for a column that is not `ok`).
  matrix_x<Real> covariances;
  /// \f$(A^TWA)^{-1}\f$ shared by every column of an unconstrained fit with shared weights; empty otherwise.
  matrix_x<Real> unscaled_covariance;
  index rank = 0;             ///< rank of the (shared-weight) design
  Real condition_number = 0;  ///< condition estimate of the (shared-weight) design
  /// \brief Number of columns whose status is not `ok`.
  /// \returns the count of flagged columns.
  [[nodiscard]] index failed() const {
    return static_cast<index>(
        std::count_if(status.begin(), status.end(), [](column_status s) { return s != column_status::ok; }));
  }
};

namespace detail {

// The options in the accumulation type. A default rank tolerance stays m eps of the data's own
// type: a float design that is singular in float is reported as such even though double would
// resolve it.
template <typename Acc, typename Real>
least_squares_options<Acc> options_in(const least_squares_options<Real>& o, index rows) {
  least_squares_options<Acc> out;
  out.weights = o.weights.template cast<Acc>();
  out.lower = o.lower.template cast<Acc>();
  out.upper = o.upper.template cast<Acc>();
  out.nonnegative = o.nonnegative;
  if (o.sum_to) {
    out.sum_to = Acc(*o.sum_to);
  }
  out.scale_covariance = o.scale_covariance;
  out.allow_rank_deficient = o.allow_rank_deficient;
  out.rank_tolerance =
      o.rank_tolerance > 0 ? Acc(o.rank_tolerance) : Acc(Real(rows) * std::numeric_limits<Real>::epsilon());
  out.max_iterations = o.max_iterations;
  return out;
}

// Per-thread scratch of a batched fit: sized once, reused for every block and column.
template <typename Acc>
struct batch_workspace {
  batch_workspace(index m, index n, index block)
      : z(n, block),
        data_norm2(block),
        projection(n, block),
        x(n, block),
        weighted_design(m, n),
        weighted_column(m),
        column_norms(n),
        triangular(n, n),
        inverse(n, n),
        covariance(n, n),
        solution(n),
        state(static_cast<std::size_t>(n)),
        solver(n) {}
  matrix_x<Acc> z;
  vector_x<Acc> data_norm2;
  matrix_x<Acc> projection;  // Q^T y, kept when the fitted values are Q Q^T y
  matrix_x<Acc> x;
  matrix_x<Acc> weighted_design;
  vector_x<Acc> weighted_column;
  vector_x<Acc> column_norms;  // of the weighted design, for the rank rule
  matrix_x<Acc> triangular;
  matrix_x<Acc> inverse;
  matrix_x<Acc> covariance;
  vector_x<Acc> solution;
  std::vector<bound_state> state;
  active_set_solver<Acc> solver;
  bool warm = false;
};

// Fits blocks of columns, computing in Acc (double for float data) and storing in Real. With a
// shared design every column is read from memory once, by the pass that forms z = Q_w^T y and
// ||y||^2 together (which also detects non-finite data).
// The data of a batch: columns contiguous, any distance apart (a block or a map of a larger
// array is viewed in place).
template <typename Real>
using batch_data = Eigen::Ref<const matrix_x<Real>, 0, Eigen::OuterStride<>>;

template <typename Acc, typename Real>
class batch_fitter {
 public:
  batch_fitter(const matrix_x<Acc>& design, const batch_data<Real>& y, const least_squares_options<Acc>& options,
               const batch_options<Real>& batch, const design_factorization<Acc>& f, const constraint_set<Acc>& c,
               least_squares_batch_result<Real>& r)
      : design_(design), y_(y), options_(options), batch_(batch), f_(f), c_(c), r_(r) {
    if (batch_.column_weights.size() == 0) {
      // z = Q^T diag(sqrt w) y = (diag(sqrt w) Q)^T y: fold the weights into Q once.
      q_weighted_ = f_.sqrt_weights.size() != 0 ? matrix_x<Acc>(f_.sqrt_weights.asDiagonal() * f_.q_thin) : f_.q_thin;
    }
  }

  void fit_block(index first, index count, batch_workspace<Acc>& w) const {
    auto x = w.x.leftCols(count);
    if (batch_.column_weights.size() != 0) {
      for (index k = 0; k < count; ++k) {
        w.data_norm2(k) = y_.col(first + k).template cast<Acc>().squaredNorm();
        fit_column_own_weights(first + k, x.col(k), w);
      }
    } else {
      fit_block_shared_design(first, count, x, w);
    }
    finish_block(first, count, x, w);
  }

 private:
  bool failed(index column) const { return r_.status[std::size_t(column)] != column_status::ok; }

  // Unweighted with a shared design: y = Q z + (I - Q Q^T) y with z = Q^T y.
  bool unweighted_shared() const { return batch_.column_weights.size() == 0 && f_.sqrt_weights.size() == 0; }

  // ... and unconstrained: the fitted values are the projection Q z, so an explicit residual pass
  // reuses Q (already in cache) instead of reading A as well.
  bool projects() const { return unweighted_shared() && !c_.any(); }

  // z = Q_w^T y and ||y||^2 in one pass over the column, read in place.
  template <typename ZCol>
  void project(index column, ZCol z, Acc& norm2) const {
    project_column(q_weighted_, y_.data() + column * y_.outerStride(), z.data(), norm2);
  }

  template <typename X>
  void fit_block_shared_design(index first, index count, X& x, batch_workspace<Acc>& w) const {
    auto z = w.z.leftCols(count);
    for (index k = 0; k < count; ++k) {
      project(first + k, z.col(k), w.data_norm2(k));
      // A NaN or infinity anywhere in y reaches every element of Q^T y and ||y||^2: this pass
      // doubles as the bad-pixel check, which is flagged, never aborts the image.
      if (!z.col(k).allFinite() || !std::isfinite(w.data_norm2(k))) {
        r_.status[std::size_t(first + k)] = column_status::non_finite_data;
        z.col(k).setZero();
      }
    }
    if (unweighted_shared()) {
      w.projection.leftCols(count) = z;
    }
    if (!c_.any()) {
      f_.r.template triangularView<Eigen::Upper>().solveInPlace(z);
      for (index j = 0; j < f_.cols; ++j) {
        const index original = f_.qr.column(j);
        x.row(original) = z.row(j) / f_.column_scale(original);
      }
      for (index k = 0; k < count; ++k) {
        set_unconstrained_errors(first + k, f_.unscaled_covariance);
      }
      return;
    }
    for (index k = 0; k < count; ++k) {
      if (failed(first + k)) {
        x.col(k).setZero();
      } else {
        solve_constrained(first + k, f_.m, z.col(k), x.col(k), w);
      }
    }
  }

  template <typename XCol>
  void fit_column_own_weights(index column, XCol x, batch_workspace<Acc>& w) const {
    x.setZero();
    const auto weights = batch_.column_weights.col(column).template cast<Acc>();
    if (!((weights.array() > Acc(0)).all() && weights.allFinite())) {
      r_.status[std::size_t(column)] = column_status::invalid_weights;
      return;
    }
    w.weighted_column = weights.cwiseSqrt();
    w.weighted_design = w.weighted_column.asDiagonal() * design_;
    w.weighted_column = w.weighted_column.cwiseProduct(y_.col(column).template cast<Acc>());
    if (!w.weighted_column.allFinite()) {
      r_.status[std::size_t(column)] = column_status::non_finite_data;
      return;
    }
    const index n = f_.cols;
    for (index j = 0; j < n; ++j) {
      w.column_norms(j) = safe_norm<Acc>(w.weighted_design.col(j));
    }
    if (!householder_reduce<Acc>(w.weighted_design, w.weighted_column) ||
        first_dependent_column(
            w.weighted_design.topRows(n), [&](index j) { return w.column_norms(j); }, f_.tolerance) >= 0) {
      r_.status[std::size_t(column)] = column_status::singular;
      return;
    }
    copy_upper_triangle<Acc>(w.weighted_design.leftCols(n), w.triangular);
    if (!c_.any()) {
      auto solution = w.solution.head(n);
      back_substitute<Acc>(w.triangular, w.weighted_column, solution);
      x = solution;
      inverse_gram<Acc>(w.triangular, w.inverse, w.covariance);
      set_unconstrained_errors(column, w.covariance);
      return;
    }
    solve_constrained(column, w.triangular, w.weighted_column.head(n), x, w);
  }

  template <typename ZCol, typename XCol>
  void solve_constrained(index column, const matrix_x<Acc>& m, const ZCol& z, XCol x, batch_workspace<Acc>& w) const {
    const index n = f_.cols;
    const typename active_set_solver<Acc>::vector_ref zc(z);  // a view: z is contiguous
    index iterations = 0;
    const index budget = options_.max_iterations > 0 ? options_.max_iterations : 10 * n + 50;
    // Neighbouring pixels have similar active sets: start from the previous solution.
    auto outcome = w.solver.solve(m, zc, c_, w.solution, w.state, budget, w.warm, iterations);
    if (outcome == fit_status::iteration_limit && w.warm) {
      outcome = w.solver.solve(m, zc, c_, w.solution, w.state, budget, false, iterations);
    }
    if (outcome != fit_status::ok) {
      r_.status[std::size_t(column)] = outcome;
      w.warm = false;
      x.setZero();
      return;
    }
    w.warm = true;
    x = w.solution;
    const index p = w.solver.unscaled_covariance(m, c_, w.state, w.covariance);
    keep_covariance(column, w.covariance);
    for (index j = 0; j < n; ++j) {
      r_.active[std::size_t(j + n * column)] = w.state[std::size_t(j)];
      w.covariance(j, 0) = w.covariance(j, j);
    }
    set_variances(column, w.covariance.col(0));
    r_.dof(column) = f_.rows - p;
  }

  template <typename Cov>
  void set_unconstrained_errors(index column, const Cov& covariance) const {
    keep_covariance(column, covariance);
    set_variances(column, covariance.diagonal());
    r_.dof(column) = f_.rows - f_.cols;
  }

  // The unscaled covariance, kept (on request) until finish_block scales it.
  template <typename Cov>
  void keep_covariance(index column, const Cov& covariance) const {
    if (batch_.keep_covariance) {
      for (index j = 0; j < f_.cols; ++j) {
        r_.covariances.col(column).segment(j * f_.cols, f_.cols) = covariance.col(j).template cast<Real>();
      }
    }
  }

  // Unscaled variances, kept in the standard-error column until finish_block scales them.
  template <typename Variances>
  void set_variances(index column, const Variances& variances) const {
    for (index j = 0; j < f_.cols; ++j) {
      r_.standard_errors(j, column) = Real(variances(j));
    }
  }

  // Residuals, chi^2, R-factor, scaled standard errors; NaN for failed columns.
  template <typename X>
  void finish_block(index first, index count, const X& x, batch_workspace<Acc>& w) const {
    constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
    for (index k = 0; k < count; ++k) {
      const index column = first + k;
      if (failed(column)) {
        r_.coefficients.col(column).setConstant(nan);
        r_.standard_errors.col(column).setConstant(nan);
        r_.chi_square(column) = r_.reduced_chi_square(column) = r_.r_factor(column) = nan;
        if (batch_.keep_residuals) {
          r_.residuals.col(column).setConstant(nan);
        }
        if (batch_.keep_covariance) {
          r_.covariances.col(column).setConstant(nan);
        }
        continue;
      }
      Acc unweighted = 0;
      const auto y = y_.col(column).template cast<Acc>();
      if (!residual_by_pythagoras(k, x.col(k), w, unweighted)) {
        // Coefficient-based (lazy) products evaluate y - fitted packet by packet in one pass over
        // y and the design, with no temporary.
        if (projects()) {
          unweighted = (y - f_.q_thin.lazyProduct(w.projection.col(k))).squaredNorm();
        } else {
          unweighted = (y - design_.lazyProduct(x.col(k))).squaredNorm();
        }
        if (batch_.keep_residuals) {
          r_.residuals.col(column) = (y - design_.lazyProduct(x.col(k))).template cast<Real>();
        }
      }
      Acc chi2 = unweighted;
      if (batch_.column_weights.size() != 0) {
        chi2 =
            (y - design_.lazyProduct(x.col(k))).cwiseAbs2().dot(batch_.column_weights.col(column).template cast<Acc>());
      } else if (f_.sqrt_weights.size() != 0) {
        chi2 = (y - design_.lazyProduct(x.col(k))).cwiseProduct(f_.sqrt_weights).squaredNorm();
      }
      const index dof = r_.dof(column);
      const Acc reduced = dof > 0 ? chi2 / Acc(dof) : Acc(nan);
      r_.coefficients.col(column) = x.col(k).template cast<Real>();
      r_.chi_square(column) = Real(chi2);
      r_.reduced_chi_square(column) = Real(reduced);
      r_.r_factor(column) = Real(unweighted / w.data_norm2(k));
      const Acc scale = options_.scale_covariance ? reduced : Acc(1);
      if (batch_.keep_covariance) {
        r_.covariances.col(column) *= Real(scale);
      }
      r_.standard_errors.col(column) = (r_.standard_errors.col(column).template cast<Acc>() * scale)
                                           .cwiseMax(Acc(0))
                                           .cwiseSqrt()
                                           .template cast<Real>();
    }
  }

  // With an unweighted shared design, y - Ax = Q (z - M x) + (I - Q Q^T) y (A = Q M), so
  // ||y - Ax||^2 = ||y||^2 - ||z||^2 + ||z - M x||^2 needs no further pass over y; the last term is
  // zero for an unconstrained solution. The subtraction cancels, so it is used only under the
  // engine's rule for it (pythagorean_residual_is_accurate); otherwise, and whenever residuals are
  // kept, the residual is formed explicitly.
  template <typename XCol>
  bool residual_by_pythagoras(index k, const XCol& x, const batch_workspace<Acc>& w, Acc& chi2) const {
    if (!unweighted_shared() || batch_.keep_residuals) {
      return false;
    }
    const auto z = w.projection.col(k);
    Acc total = w.data_norm2(k) - z.squaredNorm();
    if (c_.any()) {
      total += (z - f_.m.lazyProduct(x)).squaredNorm();
    }
    if (!pythagorean_residual_is_accurate(total, w.data_norm2(k), f_.rows)) {
      return false;
    }
    chi2 = total;
    return true;
  }

  const matrix_x<Acc>& design_;
  const batch_data<Real>& y_;
  const least_squares_options<Acc>& options_;
  const batch_options<Real>& batch_;
  const design_factorization<Acc>& f_;
  const constraint_set<Acc>& c_;
  least_squares_batch_result<Real>& r_;
  matrix_x<Acc> q_weighted_;
};

template <typename Real>
least_squares_batch_result<Real> solve_batch(Eigen::Ref<const matrix_x<Real>> a, const batch_data<Real>& y,
                                             const least_squares_options<Real>& options,
                                             const batch_options<Real>& batch);

}  // namespace detail

/// \brief Fits every column of \p y against the same design \p a: \f$P\f$ independent problems
/// \f$\min_x \sum_i w_i (y_{ip} - (Ax)_i)^2\f$ with the constraints of \p options.
/// \ingroup fit
///
/// **Method.** The design is factorised once (column-pivoted Householder QR of the weighted,
/// equilibrated design, as in least_squares()), and the weights are folded into \f$Q\f$. Each
/// column \f$y\f$ is read from memory once, by a single pass that forms both \f$z = Q_w^Ty\f$ and
/// \f$\|y\|^2\f$; one triangular solve per block then gives every unconstrained solution. For an
/// unweighted unconstrained fit \f$\chi^2 = \|y\|^2 - \|z\|^2\f$ (Pythagoras) whenever the
/// cancellation costs less than \f$10^{-6}\f$ of it; otherwise, and for weighted or constrained
/// fits, the residual \f$y - Ax\f$ is formed explicitly. Constrained columns run the active-set
/// method of least_squares() on the \f$n\times n\f$ factor, warm-started from the previous
/// column's solution, with workspaces allocated once per thread. Per-column weights
/// (batch_options::column_weights) need one small Householder QR per column instead. When the
/// library is compiled with OpenMP, blocks are fitted in parallel.
///
/// **Float data** are accumulated and solved in double (the small design is factorised in double,
/// the data stay float and are converted as they stream through registers), and the results are
/// rounded to float once: coefficients and \f$\chi^2\f$ carry float rounding only, and the rank
/// test still uses the float tolerance \f$m\,\varepsilon_{\mathrm{float}}\f$.
///
/// Unlike least_squares(), no iterative-refinement step is taken: the batch is built for
/// throughput; its coefficients agree with least_squares() to the conditioning of the design
/// times \f$\varepsilon\f$.
///
/// **Bad pixels.** A column with a non-finite observation (or whose projection overflows) (or, with per-column
/// weights, a weight that is not positive and finite) is not fitted: its status says why and its outputs are NaN. The
/// rest of the batch is unaffected.
///
/// \param a design matrix \f$A\f$, \f$m\times n\f$, \f$m\ge n\f$, full column rank, finite.
/// \param y observations, \f$m\times P\f$ (one spectrum per column; any Eigen expression). Data
///        whose columns are contiguous (a matrix, a column-major map, a block of whole columns or
///        of rows) are read in place; any other expression (row-major, inner-strided) is first
///        evaluated into one column-major copy.
/// \param options weights shared by all columns, bounds, sum constraint, covariance scaling.
/// \param batch per-column weights, residual output and block size.
/// \returns per-column coefficients, standard errors and statistics; see least_squares_batch_result.
/// \throws valence::invalid_input if \p y does not have one row per row of \p a, if \p a is not
///         finite or is rank deficient, if both shared and per-column weights are given or the
///         per-column weights have the wrong shape, or for any invalid option (as least_squares()).
///
/// **Performance.** An unconstrained batch streams \f$Y\f$ once: on 65,536 spectra of 1,024
/// channels against 4 columns it runs at the fraction of the memory-bandwidth floor reported by
/// `benchmarks/bench_least_squares_batch.cpp`.
///
/// \par Example
/// \include least_squares_batch_map.cpp
template <typename DerivedA, typename DerivedY>
[[nodiscard]] least_squares_batch_result<typename DerivedA::Scalar> least_squares_batch(
    const Eigen::MatrixBase<DerivedA>& a, const Eigen::MatrixBase<DerivedY>& y,
    const least_squares_options<typename DerivedA::Scalar>& options = {},
    const batch_options<typename DerivedA::Scalar>& batch = {}) {
  using Real = typename DerivedA::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::fit::least_squares_batch requires a floating-point design");
  static_assert(std::is_same_v<Real, typename DerivedY::Scalar>,
                "valence::fit::least_squares_batch: A and Y must have the same scalar type");
  return detail::solve_batch<Real>(a, y, options, batch);
}

namespace detail {

// The body of least_squares_batch(), on concrete types (once per scalar type).
template <typename Real>
least_squares_batch_result<Real> solve_batch(Eigen::Ref<const matrix_x<Real>> a, const batch_data<Real>& y,
                                             const least_squares_options<Real>& options,
                                             const batch_options<Real>& batch) {
  constexpr const char* function = "valence::fit::least_squares_batch";
  using core::detail::message;
  if (y.rows() != a.rows()) {
    throw invalid_input(message(function, "parameter 'Y' has " + std::to_string(y.rows()) + " rows but 'A' has " +
                                              std::to_string(a.rows()) + "; expected one row per observation"));
  }
  const bool own_weights = batch.column_weights.size() != 0;
  if (own_weights && options.weights.size() != 0) {
    throw invalid_input(message(function,
                                "both option 'weights' and batch option 'column_weights' are set; "
                                "expected at most one of them"));
  }
  if (own_weights && (batch.column_weights.rows() != y.rows() || batch.column_weights.cols() != y.cols())) {
    throw invalid_input(
        message(function, "batch option 'column_weights' is " + std::to_string(batch.column_weights.rows()) + " x " +
                              std::to_string(batch.column_weights.cols()) + " but 'Y' is " + std::to_string(y.rows()) +
                              " x " + std::to_string(y.cols()) + "; expected the same shape"));
  }
  if (batch.block_columns < 0) {
    throw invalid_input(message(function, "batch option 'block_columns' is " + std::to_string(batch.block_columns) +
                                              "; expected 0 (automatic) or a positive count"));
  }
  const index m = a.rows();
  const index n = a.cols();
  const index columns = y.cols();
  // Float data are fitted in double (see the Method note); the design is small, the data are not.
  using Acc = accumulation_t<Real>;
  const auto options_acc = options_in<Acc>(options, m);
  const auto constraints = prepare_constraints(function, options_acc, n);
  const matrix_x<Acc> design = a.template cast<Acc>();
  const auto f = factorize_design<Acc>(function, design, options_acc.weights, options_acc.rank_tolerance, false);

  least_squares_batch_result<Real> r;
  r.rank = f.rank;
  r.condition_number = Real(f.condition_number);
  r.coefficients.resize(n, columns);
  r.standard_errors.resize(n, columns);
  r.chi_square.resize(columns);
  r.reduced_chi_square.resize(columns);
  r.r_factor.resize(columns);
  r.dof.resize(columns);
  r.status.assign(static_cast<std::size_t>(columns), column_status::ok);
  r.active.assign(static_cast<std::size_t>(n * columns), bound_state::free);
  if (batch.keep_residuals) {
    r.residuals.resize(m, columns);
  }
  if (batch.keep_covariance) {
    r.covariances.resize(n * n, columns);
  }
  if (!own_weights && !constraints.any()) {
    r.unscaled_covariance = f.unscaled_covariance.template cast<Real>();
  }
  const index block =
      batch.block_columns > 0 ? batch.block_columns : std::max<index>(8, index(256 * 1024) / (m * index(sizeof(Real))));
  const index block_count = (columns + block - 1) / block;
  const batch_fitter<Acc, Real> fitter(design, y, options_acc, batch, f, constraints, r);
#if defined(_OPENMP)
#pragma omp parallel
#endif
  {
    batch_workspace<Acc> workspace(m, n, block);
#if defined(_OPENMP)
#pragma omp for schedule(dynamic)
#endif
    for (index b = 0; b < block_count; ++b) {
      const index first = b * block;
      fitter.fit_block(first, std::min(block, columns - first), workspace);
    }
  }
  return r;
}

}  // namespace detail

}  // namespace valence::fit

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: the bodies are instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template least_squares_batch_result<float> solve_batch<float>(Eigen::Ref<const matrix_x<float>>,
                                                                     const batch_data<float>&,
                                                                     const least_squares_options<float>&,
                                                                     const batch_options<float>&);
extern template least_squares_batch_result<double> solve_batch<double>(Eigen::Ref<const matrix_x<double>>,
                                                                       const batch_data<double>&,
                                                                       const least_squares_options<double>&,
                                                                       const batch_options<double>&);
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_LEAST_SQUARES_BATCH_HPP
