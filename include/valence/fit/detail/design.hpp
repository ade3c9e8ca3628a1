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
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/least_squares_options.hpp>

#include <Eigen/Core>

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
  Real tolerance = 0;  // of the rank rule
  Real condition_number = 0;
  vector_x<Real> sqrt_weights;  // empty when unweighted
  vector_x<Real> column_scale;  // D
  householder_qr<Real> qr;
  matrix_x<Real> r;                    // n x n, upper triangular (columns in pivot order)
  matrix_x<Real> q_thin;               // m x n, Q^T applied to data by one product
  matrix_x<Real> m;                    // R P^T D
  matrix_x<Real> unscaled_covariance;  // (A^T W A)^-1, full rank only

  // Maps z = Q^T sqrt(w) y to the unconstrained solution x (full rank).
  void solve_unconstrained(Eigen::Ref<const vector_x<Real>> z, Eigen::Ref<vector_x<Real>> x) const {
    vector_x<Real> xi(cols);
    back_substitute<Real>(r, z, xi);
    for (index j = 0; j < cols; ++j) {
      const index original = qr.column(j);
      x(original) = xi(j) / column_scale(original);
    }
  }

  // The minimum-norm solution in equilibrated variables of a rank-deficient design, from
  // c = (Q^T sqrt(w) y)(0:rank): with R = [R11 R12; 0 ~0], [R11 R12]^T = Q2 L (a second Householder
  // QR, of an n x rank matrix), the shortest u with [R11 R12] u = c is u = Q2 [L^-T c; 0], and
  // x = D^-1 P u.
  void solve_minimum_norm(Eigen::Ref<const vector_x<Real>> c, Eigen::Ref<vector_x<Real>> x) const {
    matrix_x<Real> top(rank, cols);
    copy_upper_triangle<Real>(qr.packed(), top);
    householder_qr<Real> second;
    second.compute(top.transpose(), false);
    matrix_x<Real> u = matrix_x<Real>::Zero(cols, 1);
    forward_substitute_transposed<Real>(second.packed().topLeftCorner(rank, rank), c.head(rank), u.col(0).head(rank));
    second.apply_q(u);
    for (index j = 0; j < cols; ++j) {
      const index original = qr.column(j);
      x(original) = u(j, 0) / column_scale(original);
    }
  }
};

template <typename Real>
design_factorization<Real> factorize_design(const char* function, Eigen::Ref<const matrix_x<Real>> a,
                                            const vector_x<Real>& weights, Real rank_tolerance,
                                            bool rank_deficient_allowed) {
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
  // safe_norm keeps a column in tiny or huge units (entries ~1e-170) from squaring to 0 or inf.
  f.column_scale.resize(f.cols);
  for (index j = 0; j < f.cols; ++j) {
    using std::exp2;
    using std::log2;
    using std::round;
    f.column_scale(j) = safe_norm<Real>(scaled.col(j));
    if (f.column_scale(j) > Real(0)) {
      f.column_scale(j) = exp2(round(log2(f.column_scale(j))));
    }
    if (!(f.column_scale(j) > Real(0))) {
      throw invalid_input(message(
          function,
          "column " + std::to_string(j) + " of parameter 'A' is all zeros; expected linearly independent columns"));
    }
    scaled.col(j) /= f.column_scale(j);
  }
  f.tolerance = detail::rank_tolerance(rank_tolerance, f.rows);
  f.qr.compute(scaled, true);
  f.rank = f.qr.rank(f.tolerance);
  f.r.resize(f.cols, f.cols);
  copy_upper_triangle<Real>(f.qr.packed(), f.r);
  using std::abs;
  f.condition_number =
      f.rank == 0 ? std::numeric_limits<Real>::infinity() : abs(f.r(0, 0)) / abs(f.r(f.rank - 1, f.rank - 1));
  if (f.rank < f.cols) {
    if (!rank_deficient_allowed) {
      const index dependent = f.qr.column(f.rank);
      throw invalid_input(message(
          function, "parameter 'A' has rank " + std::to_string(f.rank) + " with " + std::to_string(f.cols) +
                        " columns: column " + std::to_string(dependent) +
                        " is a linear combination of the others (relative tolerance " + format_value(f.tolerance) +
                        "); expected linearly independent columns, or option 'allow_rank_deficient' for an "
                        "unconstrained minimum-norm solution"));
    }
    f.condition_number = std::numeric_limits<Real>::infinity();
    return f;
  }
  f.q_thin = f.qr.thin_q(f.cols);
  f.m.resize(f.cols, f.cols);
  for (index j = 0; j < f.cols; ++j) {
    const index original = f.qr.column(j);
    f.m.col(original) = f.r.col(j) * f.column_scale(original);
  }
  // (A^T W A)^-1 = D^-1 P (R^T R)^-1 P^T D^-1.
  matrix_x<Real> inverse(f.cols, f.cols);
  matrix_x<Real> gram(f.cols, f.cols);
  inverse_gram<Real>(f.r, inverse, gram);
  f.unscaled_covariance.resize(f.cols, f.cols);
  for (index i = 0; i < f.cols; ++i) {
    const index oi = f.qr.column(i);
    for (index j = 0; j < f.cols; ++j) {
      const index oj = f.qr.column(j);
      f.unscaled_covariance(oi, oj) = gram(i, j) / (f.column_scale(oi) * f.column_scale(oj));
    }
  }
  return f;
}

}  // namespace valence::fit::detail

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template design_factorization<float> factorize_design<float>(const char*, Eigen::Ref<const matrix_x<float>>,
                                                                    const vector_x<float>&, float, bool);
extern template design_factorization<double> factorize_design<double>(const char*, Eigen::Ref<const matrix_x<double>>,
                                                                      const vector_x<double>&, double, bool);
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_DETAIL_DESIGN_HPP
