// SPDX-License-Identifier: MIT
// The engine's plan for many fits that share most of their columns: the fixed columns are factored
// once, and a column that changes from fit to fit is added by a QR update (not part of the public
// API). eels::mlls adds the power-law column of each spectrum this way.
#ifndef VALENCE_FIT_DETAIL_COLUMN_UPDATE_HPP
#define VALENCE_FIT_DETAIL_COLUMN_UPDATE_HPP

#include <valence/core/types.hpp>
#include <valence/fit/detail/householder.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>

namespace valence::fit::detail {

// The columns F shared by every fit, equilibrated and factored once: F D^-1 = Q_F R_F, Q_F
// orthonormal (m x f), D = diag(column norms). `independent` says whether R_F passes the rank rule.
template <typename Real>
struct fixed_columns {
  matrix_x<Real> q;
  matrix_x<Real> r;
  vector_x<Real> scale;
  bool independent = false;

  void factor(Eigen::Ref<const matrix_x<Real>> columns) {
    using std::isfinite;
    const index m = columns.rows();
    const index f = columns.cols();
    matrix_x<Real> scaled(m, f);
    scale.resize(f);
    independent = false;
    for (index i = 0; i < f; ++i) {
      scale(i) = safe_norm<Real>(columns.col(i));
      if (!(scale(i) > Real(0)) || !isfinite(scale(i))) {
        return;
      }
      scaled.col(i) = columns.col(i) / scale(i);
    }
    householder_qr<Real> qr;
    qr.compute(scaled, false);
    r.resize(f, f);
    copy_upper_triangle<Real>(qr.packed(), r);
    independent = qr.rank(rank_tolerance(Real(0), m)) == f;
    q = qr.thin_q(f);
  }
};

// Q_F^T y and Q_F^T p (into qy, qp), p^T y and p^T p, in one pass over the rows. With F columns known
// at compile time every sum stays in a vector register, and each row's y, p and Q_F values are
// loaded once rather than once per product (10 % of a spectrum-image pixel's fit against separate
// dot products, measured in bench_spectrum_image).
template <int F, typename Real>
void projected_products(const matrix_x<Real>& q, const Real* y, const Real* p, Real* qy, Real* qp, Real& py, Real& pp) {
  using packet = Eigen::Array<Real, 4, 1>;
  const index m = q.rows();
  packet sum_qy[F];
  packet sum_qp[F];
  for (int j = 0; j < F; ++j) {
    sum_qy[j].setZero();
    sum_qp[j].setZero();
  }
  packet sum_py = packet::Zero();
  packet sum_pp = packet::Zero();
  index i = 0;
  for (; i + 4 <= m; i += 4) {
    const Eigen::Map<const packet> yi(y + i);
    const Eigen::Map<const packet> pi(p + i);
    for (int j = 0; j < F; ++j) {
      const Eigen::Map<const packet> qi(q.data() + j * m + i);
      sum_qy[j] += qi * yi;
      sum_qp[j] += qi * pi;
    }
    sum_py += pi * yi;
    sum_pp += pi * pi;
  }
  for (int j = 0; j < F; ++j) {
    qy[j] = sum_qy[j].sum();
    qp[j] = sum_qp[j].sum();
  }
  py = sum_py.sum();
  pp = sum_pp.sum();
  for (; i < m; ++i) {
    for (int j = 0; j < F; ++j) {
      qy[j] += q(i, j) * y[i];
      qp[j] += q(i, j) * p[i];
    }
    py += p[i] * y[i];
    pp += p[i] * p[i];
  }
}

// The same products for any number of fixed columns: fused up to four, separate dot products beyond.
template <typename Real>
void projected_products(const matrix_x<Real>& q, const Real* y, const Real* p, Real* qy, Real* qp, Real& py, Real& pp) {
  switch (q.cols()) {
    case 1:
      return projected_products<1>(q, y, p, qy, qp, py, pp);
    case 2:
      return projected_products<2>(q, y, p, qy, qp, py, pp);
    case 3:
      return projected_products<3>(q, y, p, qy, qp, py, pp);
    case 4:
      return projected_products<4>(q, y, p, qy, qp, py, pp);
    default: {
      const index m = q.rows();
      const Eigen::Map<const vector_x<Real>> yv(y, m);
      const Eigen::Map<const vector_x<Real>> pv(p, m);
      for (index j = 0; j < q.cols(); ++j) {
        qy[j] = q.col(j).dot(yv);
        qp[j] = q.col(j).dot(pv);
      }
      py = pv.dot(yv);
      pp = pv.squaredNorm();
    }
  }
}

// The triangular factor and projected data of [F D^-1, p/||p||] for one fit, from the fixed columns'
// factorisation. With p^ = p/||p|| and c = Q_F^T p^, [F D^-1, p^] = [Q_F, q] [[R_F, c], [0, rho]],
// q = (p^ - Q_F c)/rho, rho^2 = 1 - ||c||^2, and z = [Q_F, q]^T y = [Q_F^T y; (p^T y - c^T Q_F^T y)/rho]:
// dot products only, O(m f) per fit instead of the O(m n^2) of a Householder QR. The closed forms
// lose no accuracy while rho^2 >= 1/4 (p keeps at least half its norm outside the fixed columns);
// below that q is formed explicitly by Gram-Schmidt with one reorthogonalisation ("twice is enough":
// B. N. Parlett, The Symmetric Eigenvalue Problem (1980), sec. 6.9).
//
// This is the update from the products alone, for a caller that formed them in a pass of its own
// (eels::mlls forms them as it reads a spectrum): on entry z holds Q_F^T y in its first f entries,
// column f of r holds Q_F^T p in its first f, and py = p^T y, pp = p^T p. r is (f + 1) x (f + 1) and
// z has f + 1 elements; `p_scale` receives ||p||, and `q_scratch` (m) is workspace. Nothing is
// allocated. False when the fixed columns or the extended factor fail the rank rule. F > 0 is f at
// compile time: the closed form's few operations on R, c and z then unroll (an MLLS pixel's update
// took 0.045 us through loops over dynamic sizes).
template <typename Real, int F = 0>
bool extend_factor(const fixed_columns<Real>& fixed, const Real* y, const Real* p, Real py, Real pp,
                   Eigen::Ref<matrix_x<Real>> r, Eigen::Ref<vector_x<Real>> z, Real& p_scale,
                   Eigen::Ref<vector_x<Real>> q_scratch) {
  using std::isfinite;
  using std::sqrt;
  if (!fixed.independent) {
    return false;
  }
  const index m = fixed.q.rows();
  const index f = F > 0 ? F : fixed.q.cols();
  eigen_assert(f == fixed.q.cols() && "extend_factor: F is not the number of fixed columns");
  for (index j = 0; j < f; ++j) {
    for (index i = 0; i < f; ++i) {
      r(i, j) = fixed.r(i, j);
    }
    r(f, j) = 0;
  }
  Real* c = &r(0, f);  // column f of r: Q_F^T p, then Q_F^T p / ||p||
  constexpr Real smallest = std::numeric_limits<Real>::min() / std::numeric_limits<Real>::epsilon();
  if (pp > smallest && pp < std::numeric_limits<Real>::max()) {
    p_scale = sqrt(pp);
    for (index j = 0; j < f; ++j) {
      c[j] /= p_scale;
    }
    py /= p_scale;
  } else {  // a column in extreme units: the products again, of p/||p|| (safe_norm's rule)
    const Eigen::Map<const vector_x<Real>> pv(p, m);
    p_scale = safe_norm<Real>(pv);
    if (!(p_scale > Real(0)) || !isfinite(p_scale)) {
      return false;
    }
    const Eigen::Map<const vector_x<Real>> yv(y, m);
    for (index j = 0; j < f; ++j) {
      c[j] = fixed.q.col(j).dot(pv / p_scale);
    }
    py = (pv / p_scale).dot(yv);
  }
  Real rho2 = 1;
  Real cz = 0;  // c^T Q_F^T y
  for (index j = 0; j < f; ++j) {
    rho2 -= c[j] * c[j];
    cz += c[j] * z(j);
  }
  if (rho2 >= Real(0.25)) {
    r(f, f) = sqrt(rho2);
    z(f) = (py - cz) / r(f, f);  // py is now p^T y / ||p||
  } else {
    const Eigen::Map<const vector_x<Real>> pv(p, m);
    auto q = q_scratch.head(m);
    q = pv / p_scale;
    for (index j = 0; j < f; ++j) {
      q -= c[j] * fixed.q.col(j);
    }
    for (index j = 0; j < f; ++j) {  // the second pass of "twice is enough"
      const Real again = fixed.q.col(j).dot(q);
      q -= again * fixed.q.col(j);
      c[j] += again;
    }
    r(f, f) = safe_norm<Real>(q);
    if (!(r(f, f) > Real(0))) {
      return false;
    }
    z(f) = q.dot(Eigen::Map<const vector_x<Real>>(y, m)) / r(f, f);
  }
  // The rank rule; every column of the factored matrix has unit norm.
  const Real tolerance = rank_tolerance(Real(0), m);
  for (index j = 0; j <= f; ++j) {
    if (!independent_pivot(r(j, j), Real(1), tolerance)) {
      return false;
    }
  }
  return true;
}

// The same update with the products formed here (projected_products), or, without p
// (p == nullptr), R = R_F and z = Q_F^T y. r is n x n and z has n elements (n = f, or f + 1 with p).
template <typename Real>
bool add_column(const fixed_columns<Real>& fixed, const Real* y, const Real* p, Eigen::Ref<matrix_x<Real>> r,
                Eigen::Ref<vector_x<Real>> z, Real& p_scale, Eigen::Ref<vector_x<Real>> q_scratch) {
  if (!fixed.independent) {
    return false;
  }
  const index m = fixed.q.rows();
  const index f = fixed.q.cols();
  p_scale = 1;
  if (p == nullptr) {
    r = fixed.r;
    const Eigen::Map<const vector_x<Real>> yv(y, m);
    for (index j = 0; j < f; ++j) {
      z(j) = fixed.q.col(j).dot(yv);
    }
    return first_dependent_column(
               r, [](index) { return Real(1); }, rank_tolerance(Real(0), m)) < 0;
  }
  Real py = 0;
  Real pp = 0;
  projected_products(fixed.q, y, p, z.data(), r.col(f).data(), py, pp);
  return extend_factor(fixed, y, p, py, pp, r, z, p_scale, q_scratch);
}

}  // namespace valence::fit::detail

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template struct fixed_columns<double>;
extern template bool extend_factor<double>(const fixed_columns<double>&, const double*, const double*, double, double,
                                           Eigen::Ref<matrix_x<double>>, Eigen::Ref<vector_x<double>>, double&,
                                           Eigen::Ref<vector_x<double>>);
extern template bool add_column<double>(const fixed_columns<double>&, const double*, const double*,
                                        Eigen::Ref<matrix_x<double>>, Eigen::Ref<vector_x<double>>, double&,
                                        Eigen::Ref<vector_x<double>>);
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_DETAIL_COLUMN_UPDATE_HPP
