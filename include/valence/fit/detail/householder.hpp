// SPDX-License-Identifier: MIT
// Allocation-free Householder QR least squares on caller-owned blocks (not part of the public API).
#ifndef VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP
#define VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace valence::fit::detail {

// The 2-norm of a vector without under- or overflow: the plain sum of squares where it is safe
// (every case but entries beyond about 1e154 or all below about 1e-146), Eigen's scaled
// stableNorm otherwise. The plain sum vectorises and costs a fraction of the scaled one, which
// matters in the per-pixel fits of a spectrum image.
//
// The kernels of this file take Eigen::Ref of plain matrices and vectors, and callers name the scalar
// (`safe_norm<Real>(a.col(j))`): each is then compiled once per scalar type, not once per block
// expression a caller happens to pass, which would multiply Eigen's expression templates.
template <typename Real>
Real safe_norm(const Eigen::Ref<const vector_x<Real>>& x) {
  const Real sum = x.squaredNorm();
  if (sum > std::numeric_limits<Real>::min() / std::numeric_limits<Real>::epsilon() &&
      sum < std::numeric_limits<Real>::max()) {
    return std::sqrt(sum);
  }
  return x.stableNorm();
}

// Reduces the m x k block `a` (m >= k) to upper-triangular R in place by Householder reflections,
// applying the same reflections to `b` (so b.head(k) becomes Q^T b restricted to range(A), and
// ||b.tail(m-k)|| the residual norm). Returns false if a column is exactly dependent on the
// previous ones (zero pivot). Householder QR is backward stable column by column, so unequal
// column scales do not cost accuracy. Nothing is allocated.
template <typename Real>
bool householder_reduce(Eigen::Ref<matrix_x<Real>> a, Eigen::Ref<vector_x<Real>> b) {
  const index m = a.rows();
  const index k = a.cols();
  for (index j = 0; j < k; ++j) {
    auto x = a.col(j).tail(m - j);
    // Columns in tiny or huge units must not under- or overflow when squared.
    const Real norm = safe_norm<Real>(x);
    if (!(norm > Real(0))) {
      return false;
    }
    const Real beta = x(0) > Real(0) ? -norm : norm;
    // H = I - tau v v^T with v(0) = 1 (LAPACK's normalisation): |v(i)| <= 1, so applying H to
    // the other columns and to b never squares a tiny or huge number.
    const Real tau = (beta - x(0)) / beta;
    x.tail(m - j - 1) /= x(0) - beta;
    x(0) = Real(1);
    for (index l = j + 1; l < k; ++l) {
      auto column = a.col(l).tail(m - j);
      column -= (tau * x.dot(column)) * x;
    }
    auto rhs = b.tail(m - j);
    rhs -= (tau * x.dot(rhs)) * x;
    x.tail(m - j - 1).setZero();
    x(0) = beta;
  }
  return true;
}

// The one rank rule of valence. Column j of a design is dependent on the columns before it when its
// distance from their span, |R_jj| of a Householder QR, is at most `tolerance` times its own norm.
// Every path judges rank by it: least_squares and its batches (on the pivoted, equilibrated
// design), lcf_all's small problems, and MLLS's per-spectrum and projected solves. The default
// tolerance is m eps for m observations: rounding alone moves |R_jj| by about that much.
template <typename Real>
Real rank_tolerance(Real requested, index rows) {
  return requested > Real(0) ? requested : Real(rows) * std::numeric_limits<Real>::epsilon();
}

template <typename Real>
bool independent_pivot(Real pivot, Real column_norm, Real tolerance) {
  using std::abs;
  return abs(pivot) > tolerance * column_norm;
}

// The first of the leading k x k triangle's columns that fails the rank rule, or -1; norm_of(j) is
// column j's norm before the reduction.
template <typename MatR, typename Norm>
index first_dependent_column(const MatR& r, const Norm& norm_of, typename MatR::Scalar tolerance) {
  for (index j = 0; j < r.cols(); ++j) {
    if (!independent_pivot(r(j, j), norm_of(j), tolerance)) {
      return j;
    }
  }
  return -1;
}

// Householder QR, A P = Q R, with the reflectors kept (LAPACK's packed form: R on and above the
// diagonal, v(1:) below it with v(0) = 1, H_j = I - tau_j v v^T), optionally with column pivoting.
// rank() counts the leading pivots that pass the rank rule above. Remaining norms are recomputed
// exactly at each step (O(m n^2), the order of the factorisation itself) rather than downdated,
// which can lose them to cancellation. This is the
// one factorisation of valence's linear engine; Eigen's decompositions are not used, so a file
// that calls a fit instantiates this small kernel and not Eigen's QR, COD and SVD families.
template <typename Real>
class householder_qr {
 public:
  void compute(Eigen::Ref<const matrix_x<Real>> a, bool pivoting) {
    const index m = a.rows();
    const index n = a.cols();
    packed_ = a;
    tau_.setZero(std::min(m, n));
    norms_.resize(n);
    permutation_.resize(static_cast<std::size_t>(n));
    for (index j = 0; j < n; ++j) {
      norms_(j) = safe_norm<Real>(packed_.col(j));
      permutation_[static_cast<std::size_t>(j)] = j;
    }
    for (index j = 0; j < std::min(m, n); ++j) {
      if (pivoting) {
        choose_pivot(j);
      }
      auto x = packed_.col(j).tail(m - j);
      const Real norm = safe_norm<Real>(x);
      if (!(norm > Real(0))) {  // nothing left of this column: R_jj = 0, H_j = I
        continue;
      }
      const Real beta = x(0) > Real(0) ? -norm : norm;
      tau_(j) = (beta - x(0)) / beta;
      x.tail(m - j - 1) /= x(0) - beta;
      x(0) = Real(1);
      for (index l = j + 1; l < n; ++l) {
        auto column = packed_.col(l).tail(m - j);
        column -= (tau_(j) * x.dot(column)) * x;
      }
      x(0) = beta;
    }
  }

  // The number of leading pivots that pass the rank rule.
  [[nodiscard]] index rank(Real tolerance) const {
    const index k = std::min(packed_.rows(), packed_.cols());
    for (index j = 0; j < k; ++j) {
      if (!independent_pivot(packed_(j, j), norms_(column(j)), tolerance)) {
        return j;
      }
    }
    return k;
  }

  [[nodiscard]] index column(index j) const { return permutation_[static_cast<std::size_t>(j)]; }
  [[nodiscard]] const matrix_x<Real>& packed() const { return packed_; }
  [[nodiscard]] Real column_norm(index original) const { return norms_(original); }

  // b := Q^T b (b has m rows).
  void apply_qt(Eigen::Ref<matrix_x<Real>> b) const {
    for (index j = 0; j < tau_.size(); ++j) {
      reflect(j, b);
    }
  }
  // b := Q b.
  void apply_q(Eigen::Ref<matrix_x<Real>> b) const {
    for (index j = tau_.size() - 1; j >= 0; --j) {
      reflect(j, b);
    }
  }
  // The first k columns of Q (m x k).
  [[nodiscard]] matrix_x<Real> thin_q(index k) const {
    matrix_x<Real> q = matrix_x<Real>::Identity(packed_.rows(), k);
    apply_q(q);
    return q;
  }

 private:
  void reflect(index j, Eigen::Ref<matrix_x<Real>> b) const {
    if (tau_(j) == Real(0)) {
      return;
    }
    const index m = packed_.rows();
    const auto v = packed_.col(j).tail(m - j - 1);
    for (index c = 0; c < b.cols(); ++c) {
      auto target = b.col(c).tail(m - j);
      const Real s = tau_(j) * (target(0) + v.dot(target.tail(m - j - 1)));
      target(0) -= s;
      target.tail(m - j - 1) -= s * v;
    }
  }

  // Businger and Golub's rule: the column with the largest norm outside the span of those already
  // chosen. The engine equilibrates its columns before factoring, so this is also the column that
  // keeps the largest part of its own norm.
  void choose_pivot(index j) {
    const index m = packed_.rows();
    const index n = packed_.cols();
    index best = j;
    Real best_norm = -1;
    for (index l = j; l < n; ++l) {
      const Real remaining = safe_norm<Real>(packed_.col(l).tail(m - j));
      if (remaining > best_norm) {
        best_norm = remaining;
        best = l;
      }
    }
    if (best != j) {
      packed_.col(j).swap(packed_.col(best));
      std::swap(permutation_[static_cast<std::size_t>(j)], permutation_[static_cast<std::size_t>(best)]);
    }
  }

  matrix_x<Real> packed_;
  vector_x<Real> tau_;
  vector_x<Real> norms_;  // of the columns of A, in A's order
  std::vector<index> permutation_;
};

// Solves R x = c for the leading k x k upper triangle of `r`; x may alias c. N > 0 is k known at
// compile time (r.cols() must be N), so that the loops of a small system unroll.
template <typename Real, int N = 0>
void back_substitute(const Eigen::Ref<const matrix_x<Real>>& r, const Eigen::Ref<const vector_x<Real>>& c,
                     Eigen::Ref<vector_x<Real>> x) {
  const index k = N > 0 ? N : r.cols();
  for (index i = k - 1; i >= 0; --i) {
    Real s = c(i);
    for (index l = i + 1; l < k; ++l) {
      s -= r(i, l) * x(l);
    }
    x(i) = s / r(i, i);
  }
}

// Solves R^T x = c (forward substitution) for the leading k x k upper triangle of `r`; x may alias c.
template <typename Real>
void forward_substitute_transposed(const Eigen::Ref<const matrix_x<Real>>& r, const Eigen::Ref<const vector_x<Real>>& c,
                                   Eigen::Ref<vector_x<Real>> x) {
  const index k = r.cols();
  for (index i = 0; i < k; ++i) {
    Real s = c(i);
    for (index l = 0; l < i; ++l) {
      s -= r(l, i) * x(l);
    }
    x(i) = s / r(i, i);
  }
}

// r := the upper triangle of the first r.rows() rows of `a` (the R of a reduced block), zeros below
// it; r has a's columns. Nothing is allocated.
template <typename Real>
void copy_upper_triangle(const Eigen::Ref<const matrix_x<Real>>& a, Eigen::Ref<matrix_x<Real>> r) {
  const index rows = r.rows();
  for (index j = 0; j < a.cols(); ++j) {
    const index top = std::min(j + 1, rows);
    r.col(j).head(top) = a.col(j).head(top);
    r.col(j).tail(rows - top).setZero();
  }
}

// Writes (R^T R)^{-1} = R^{-1} R^{-T} for the leading k x k upper triangle of `r` into `out`
// (k x k), using `inv` (k x k) as scratch for R^{-1}. N > 0: k at compile time, as back_substitute.
template <typename Real, int N = 0>
void inverse_gram(const Eigen::Ref<const matrix_x<Real>>& r, Eigen::Ref<matrix_x<Real>> inv,
                  Eigen::Ref<matrix_x<Real>> out) {
  const index k = N > 0 ? N : r.cols();
  if constexpr (N > 0) {  // R^{-1}'s zeros: a few stores, where setZero() was a `rep stos` of slow start
    for (index j = 0; j < k; ++j) {
      for (index i = j + 1; i < k; ++i) {
        inv(i, j) = 0;
      }
    }
  } else {
    inv.setZero();
  }
  for (index j = 0; j < k; ++j) {  // column j of R^{-1}: solve R c = e_j (upper triangular: rows <= j)
    inv(j, j) = Real(1) / r(j, j);
    for (index i = j - 1; i >= 0; --i) {
      Real s = 0;
      for (index l = i + 1; l <= j; ++l) {
        s -= r(i, l) * inv(l, j);
      }
      inv(i, j) = s / r(i, i);
    }
  }
  // R^-1 R^-T, symmetric, from the upper triangles only (R^-1 is upper triangular).
  for (index i = 0; i < k; ++i) {
    for (index j = i; j < k; ++j) {
      Real s = 0;
      for (index l = j; l < k; ++l) {
        s += inv(i, l) * inv(j, l);
      }
      out(i, j) = s;
      out(j, i) = s;
    }
  }
}

}  // namespace valence::fit::detail

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template class householder_qr<float>;
extern template class householder_qr<double>;
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP
