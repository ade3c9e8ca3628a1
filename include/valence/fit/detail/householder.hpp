// SPDX-License-Identifier: MIT
// Allocation-free Householder QR least squares on caller-owned blocks (not part of the public API).
#ifndef VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP
#define VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>

namespace valence::fit::detail {

// The 2-norm of a vector without under- or overflow: the plain sum of squares where it is safe
// (every case but entries beyond about 1e154 or all below about 1e-146), Eigen's scaled
// stableNorm otherwise. The plain sum vectorises and costs a fraction of the scaled one, which
// matters in the per-pixel fits of a spectrum image.
template <typename Vec>
typename Vec::Scalar safe_norm(const Vec& x) {
  using Real = typename Vec::Scalar;
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
template <typename MatA, typename VecB>
bool householder_reduce(MatA& a, VecB& b) {
  using Real = typename MatA::Scalar;
  const index m = a.rows();
  const index k = a.cols();
  for (index j = 0; j < k; ++j) {
    auto x = a.col(j).tail(m - j);
    // Columns in tiny or huge units must not under- or overflow when squared.
    const Real norm = safe_norm(x);
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

// Solves R x = c for the leading k x k upper triangle of `r`; x may alias c.
template <typename MatR, typename VecC, typename VecX>
void back_substitute(const MatR& r, const VecC& c, VecX& x) {
  const index k = r.cols();
  for (index i = k - 1; i >= 0; --i) {
    auto s = c(i);
    for (index l = i + 1; l < k; ++l) {
      s -= r(i, l) * x(l);
    }
    x(i) = s / r(i, i);
  }
}

// Writes (R^T R)^{-1} = R^{-1} R^{-T} for the leading k x k upper triangle of `r` into `out`
// (k x k), using `inv` (k x k) as scratch for R^{-1}.
template <typename MatR, typename MatInv, typename MatOut>
void inverse_gram(const MatR& r, MatInv& inv, MatOut& out) {
  using Real = typename MatR::Scalar;
  const index k = r.cols();
  inv.setZero();
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
  out.noalias() = inv.lazyProduct(inv.transpose());  // coefficient-based: no allocation
}

}  // namespace valence::fit::detail

#endif  // VALENCE_FIT_DETAIL_HOUSEHOLDER_HPP
