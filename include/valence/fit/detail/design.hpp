// SPDX-License-Identifier: MIT
// Validation of least-squares options and the one QR factorisation of a design matrix that
// single and batched fits share (not part of the public API).
#ifndef VALENCE_FIT_DETAIL_DESIGN_HPP
#define VALENCE_FIT_DETAIL_DESIGN_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/detail/active_set.hpp>
#include <valence/fit/least_squares_options.hpp>

#include <Eigen/Core>
#include <Eigen/QR>

#include <cmath>
#include <limits>
#include <string>

namespace valence::fit::detail {

using core::detail::format_value;
using core::detail::message;

// Turns the user's options into explicit bounds (+-inf where none) and checks them.
template <typename Real>
constraint_set<Real> prepare_constraints(const char* function, const least_squares_options<Real>& options, index n) {
  using std::isfinite;
  using std::isnan;
  constexpr Real inf = std::numeric_limits<Real>::infinity();
  constraint_set<Real> c;
  c.lower = vector_x<Real>::Constant(n, -inf);
  c.upper = vector_x<Real>::Constant(n, inf);
  const auto take = [&](const vector_x<Real>& given, vector_x<Real>& into, const char* name) {
    if (given.size() == 0) {
      return;
    }
    if (given.size() != n) {
      throw invalid_input(message(function, std::string("option '") + name + "' has " + std::to_string(given.size()) +
                                                " elements but the design has " + std::to_string(n) +
                                                " columns; expected one bound per column (or none)"));
    }
    for (index j = 0; j < n; ++j) {
      if (isnan(given(j))) {
        throw invalid_input(message(function, std::string("option '") + name + "' holds nan at index " +
                                                  std::to_string(j) + "; expected a number or +-infinity"));
      }
    }
    into = given;
  };
  take(options.lower, c.lower, "lower");
  take(options.upper, c.upper, "upper");
  if (options.nonnegative) {
    c.lower = c.lower.cwiseMax(Real(0));
  }
  for (index j = 0; j < n; ++j) {
    if (c.lower(j) > c.upper(j) || c.lower(j) == inf || c.upper(j) == -inf) {
      throw invalid_input(message(function, "bounds of coefficient " + std::to_string(j) + " are [" +
                                                format_value(c.lower(j)) + ", " + format_value(c.upper(j)) +
                                                "]; expected lower <= upper (after nonnegative), with a finite side"));
    }
  }
  if (options.sum_to) {
    c.has_sum = true;
    c.total = *options.sum_to;
    const Real low = c.lower.sum();
    const Real high = c.upper.sum();
    if (!isfinite(c.total) || c.total < low || c.total > high) {
      throw invalid_input(message(function, "option 'sum_to' is " + format_value(c.total) +
                                                " but the bounds allow sums in [" + format_value(low) + ", " +
                                                format_value(high) +
                                                "]; expected a finite value the bounds can reach"));
    }
  }
  return c;
}

// QR with column pivoting of the weighted, column-equilibrated design
//   S = diag(sqrt(w)) A D^-1,   S P = Q R,   D = diag(column norms),
// so that diag(sqrt(w)) A = Q M with M = R P^T D (n x n). Every fit sharing the design is then a
// problem on (M, Q^T sqrt(w) y): the observations are touched once, by Q^T.
template <typename Real>
struct design_factorization {
  index rows = 0;
  index cols = 0;
  index rank = 0;
  Real condition_number = 0;
  vector_x<Real> sqrt_weights;  // empty when unweighted
  vector_x<Real> column_scale;  // D
  Eigen::ColPivHouseholderQR<matrix_x<Real>> qr;
  matrix_x<Real> q_thin;               // m x n, Q^T applied to data by one product
  matrix_x<Real> m;                    // R P^T D
  matrix_x<Real> unscaled_covariance;  // (A^T W A)^-1, full rank only

  // Maps z = Q^T sqrt(w) y to the unconstrained solution x.
  template <typename VecZ, typename VecX>
  void solve_unconstrained(const VecZ& z, VecX& x) const {
    const auto r = qr.matrixQR().topLeftCorner(cols, cols).template triangularView<Eigen::Upper>();
    vector_x<Real> xi = r.solve(z);
    for (index j = 0; j < cols; ++j) {
      const index original = qr.colsPermutation().indices()(j);
      x(original) = xi(j) / column_scale(original);
    }
  }
};

template <typename Real, typename DerivedA>
design_factorization<Real> factorize_design(const char* function, const Eigen::MatrixBase<DerivedA>& a,
                                            const vector_x<Real>& weights, Real rank_tolerance,
                                            bool rank_deficient_allowed) {
  using std::sqrt;
  design_factorization<Real> f;
  f.rows = a.rows();
  f.cols = a.cols();
  if (f.cols < 1) {
    throw invalid_input(message(function, "parameter 'A' has no columns; expected at least one"));
  }
  if (f.rows < f.cols) {
    throw invalid_input(message(
        function, "parameter 'A' has " + std::to_string(f.rows) + " rows (observations) and " + std::to_string(f.cols) +
                      " columns (unknowns); expected at least as many observations as unknowns"));
  }
  core::check_finite(function, "A", a);
  matrix_x<Real> scaled = a;
  if (weights.size() != 0) {
    if (weights.size() != f.rows) {
      throw invalid_input(message(function, "option 'weights' has " + std::to_string(weights.size()) +
                                                " elements but 'A' has " + std::to_string(f.rows) +
                                                " rows; expected one weight per observation (or none)"));
    }
    core::check_positive(function, "weights", weights);
    f.sqrt_weights = weights.cwiseSqrt();
    scaled = f.sqrt_weights.asDiagonal() * scaled;
  }
  // Each column is scaled by the power of two nearest its norm: the scaling is then exact, and
  // stableNorm keeps a column in tiny or huge units (entries ~1e-170) from squaring to 0 or inf.
  f.column_scale = scaled.colwise().stableNorm().transpose();
  for (index j = 0; j < f.cols; ++j) {
    using std::exp2;
    using std::log2;
    using std::round;
    if (f.column_scale(j) > Real(0)) {
      f.column_scale(j) = exp2(round(log2(f.column_scale(j))));
    }
    if (!(f.column_scale(j) > Real(0))) {
      throw invalid_input(message(
          function,
          "column " + std::to_string(j) + " of parameter 'A' is all zeros; expected linearly independent columns"));
    }
  }
  scaled = scaled * f.column_scale.cwiseInverse().asDiagonal();
  f.qr.setThreshold(rank_tolerance > 0 ? rank_tolerance : Real(f.rows) * std::numeric_limits<Real>::epsilon());
  f.qr.compute(scaled);
  f.rank = f.qr.rank();
  const auto diagonal = f.qr.matrixQR().diagonal().cwiseAbs();
  f.condition_number = f.rank == 0 ? std::numeric_limits<Real>::infinity() : diagonal(0) / diagonal(f.rank - 1);
  if (f.rank < f.cols) {
    if (!rank_deficient_allowed) {
      const index dependent = f.qr.colsPermutation().indices()(f.rank);
      throw invalid_input(message(
          function, "parameter 'A' has rank " + std::to_string(f.rank) + " with " + std::to_string(f.cols) +
                        " columns: column " + std::to_string(dependent) +
                        " is a linear combination of the others (relative tolerance " + format_value(f.qr.threshold()) +
                        "); expected linearly independent columns, or option 'allow_rank_deficient' for an "
                        "unconstrained minimum-norm solution"));
    }
    f.condition_number = std::numeric_limits<Real>::infinity();
    return f;
  }
  f.q_thin = f.qr.householderQ() * matrix_x<Real>::Identity(f.rows, f.cols);
  f.m.resize(f.cols, f.cols);
  const auto r = f.qr.matrixQR().topLeftCorner(f.cols, f.cols).template triangularView<Eigen::Upper>();
  const matrix_x<Real> r_dense = r;
  for (index j = 0; j < f.cols; ++j) {
    const index original = f.qr.colsPermutation().indices()(j);
    f.m.col(original) = r_dense.col(j) * f.column_scale(original);
  }
  // (A^T W A)^-1 = D^-1 P (R^T R)^-1 P^T D^-1.
  matrix_x<Real> inverse(f.cols, f.cols);
  matrix_x<Real> gram(f.cols, f.cols);
  inverse_gram(r_dense, inverse, gram);
  f.unscaled_covariance.resize(f.cols, f.cols);
  for (index i = 0; i < f.cols; ++i) {
    const index oi = f.qr.colsPermutation().indices()(i);
    for (index j = 0; j < f.cols; ++j) {
      const index oj = f.qr.colsPermutation().indices()(j);
      f.unscaled_covariance(oi, oj) = gram(i, j) / (f.column_scale(oi) * f.column_scale(oj));
    }
  }
  return f;
}

}  // namespace valence::fit::detail

#endif  // VALENCE_FIT_DETAIL_DESIGN_HPP
