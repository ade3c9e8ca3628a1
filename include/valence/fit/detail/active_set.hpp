// SPDX-License-Identifier: MIT
// Primal active-set solver for small bounded least-squares problems with an optional
// sum constraint (not part of the public API).
#ifndef VALENCE_FIT_DETAIL_ACTIVE_SET_HPP
#define VALENCE_FIT_DETAIL_ACTIVE_SET_HPP

#include <valence/core/types.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/fit_status.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <vector>

namespace valence::fit::detail {

// The constraints of one problem: lower <= x <= upper (entries may be infinite) and, if has_sum,
// sum(x) == total. Validated by the caller (lower <= upper, total reachable).
template <typename Real>
struct constraint_set {
  vector_x<Real> lower;
  vector_x<Real> upper;
  bool has_sum = false;
  Real total = 0;
  [[nodiscard]] bool any() const {
    return has_sum || (lower.array() > -std::numeric_limits<Real>::infinity()).any() ||
           (upper.array() < std::numeric_limits<Real>::infinity()).any();
  }
};

// Solves  min ||M x - z||^2  subject to a constraint_set, where M is n x n (the triangular
// factor of a QR of the full design, columns back in their original order and scale), so the
// work per iteration is O(n^2 k) regardless of the number of observations.
//
// This is the primal active-set method (Nocedal & Wright, Numerical Optimization, 2nd ed., sec. 16.5)
// specialised to bounds: with lower = 0, upper = inf it is Lawson & Hanson's NNLS (Solving Least
// Squares Problems, 1974, ch. 23); with general bounds it is Stark & Parker's BVLS (Comput. Stat.
// 10, 1995). The sum constraint is kept in every subproblem by a null-space step, so each iterate
// satisfies it exactly. Every workspace is sized in the constructor: solve() never allocates.
template <typename Real>
class active_set_solver {
 public:
  using matrix_ref = Eigen::Ref<const matrix_x<Real>>;
  using vector_ref = Eigen::Ref<const vector_x<Real>>;

  explicit active_set_solver(index n)
      : n_(n),
        work_(n, n),
        rhs_(n),
        candidate_(n),
        gradient_(n),
        residual_(n),
        householder_(n),
        free_(static_cast<std::size_t>(n)),
        excluded_(static_cast<std::size_t>(n)),
        inverse_(n, n),
        gram_(n, n),
        column_norms_(n) {}

  // x and state are in/out. With warm == true they must describe a feasible point (as returned by
  // an earlier solve with the same constraints); otherwise a feasible start is built.
  fit_status solve(const matrix_ref& m, const vector_ref& z, const constraint_set<Real>& c, vector_x<Real>& x,
                   std::vector<bound_state>& state, index max_iterations, bool warm, index& iterations) {
    using std::abs;
    if (!warm) {
      cold_start(c, x, state);
    }
    std::fill(excluded_.begin(), excluded_.end(), char{0});
    const Real tolerance = multiplier_tolerance(m, z, x);
    index just_freed = -1;
    for (iterations = 1; iterations <= max_iterations; ++iterations) {
      if (!solve_subproblem(m, z, c, x, state)) {
        return fit_status::singular;
      }
      // Longest step toward the candidate that stays feasible.
      Real alpha = 1;
      index blocking = -1;
      for (index j = 0; j < n_; ++j) {
        if (state[std::size_t(j)] != bound_state::free) {
          continue;
        }
        const Real target = candidate_(j);
        const Real bound = target < c.lower(j) ? c.lower(j) : (target > c.upper(j) ? c.upper(j) : target);
        if (bound != target) {
          const Real a = (bound - x(j)) / (target - x(j));
          if (a < alpha) {
            alpha = a;
            blocking = j;
          }
        }
      }
      if (blocking < 0) {  // the subproblem's solution is feasible: test optimality
        bool moved = false;
        for (index j = 0; j < n_; ++j) {
          if (state[std::size_t(j)] == bound_state::free) {
            moved = moved || x(j) != candidate_(j);
            x(j) = candidate_(j);
          }
        }
        if (moved) {
          std::fill(excluded_.begin(), excluded_.end(), char{0});
        }
        const index release = most_violated_bound(m, z, c, x, state, tolerance);
        if (release < 0) {
          return fit_status::ok;
        }
        state[std::size_t(release)] = bound_state::free;
        just_freed = release;
        continue;
      }
      alpha = alpha > Real(0) ? alpha : Real(0);
      for (index j = 0; j < n_; ++j) {
        if (state[std::size_t(j)] == bound_state::free) {
          x(j) += alpha * (candidate_(j) - x(j));
        }
      }
      if (alpha > Real(0)) {
        std::fill(excluded_.begin(), excluded_.end(), char{0});
      } else if (blocking == just_freed) {
        // Freeing this variable did not move it off its bound (a rounding-level multiplier):
        // treat the multiplier as zero and do not release it again until the point moves.
        excluded_[std::size_t(blocking)] = 1;
      }
      just_freed = -1;
      fix_variables_on_bounds(c, x, state, blocking);
    }
    iterations = max_iterations;
    return fit_status::iteration_limit;
  }

  // Unscaled covariance (M_F^T M_F)^{-1} of the free coefficients under the current active set,
  // projected onto the sum constraint; rows and columns of fixed coefficients are zero. Returns the
  // number of effective parameters (free count minus one if the sum constraint is on).
  index unscaled_covariance(const matrix_ref& m, const constraint_set<Real>& c, const std::vector<bound_state>& state,
                            matrix_x<Real>& covariance) {
    covariance.setZero();
    const index k = gather_free(state);
    const index p = c.has_sum ? k - 1 : k;
    if (p <= 0) {
      return 0;
    }
    auto a = work_.leftCols(k);
    for (index i = 0; i < k; ++i) {
      a.col(i) = m.col(free_[std::size_t(i)]);
    }
    if (c.has_sum) {
      project_onto_sum_nullspace(k);
    }
    auto basis = work_.block(0, c.has_sum ? 1 : 0, n_, p);
    residual_.setZero();
    householder_reduce<Real>(basis, residual_);
    auto r = basis.topRows(p);
    auto inv = inverse_.topLeftCorner(p, p);
    auto g = gram_.topLeftCorner(p, p);
    inverse_gram<Real>(r, inv, g);
    // Map back: cov_F = Z G Z^T, with Z = H[:, 1:] (sum) or the identity.
    for (index i = 0; i < k; ++i) {
      for (index j = 0; j < k; ++j) {
        covariance(free_[std::size_t(i)], free_[std::size_t(j)]) = c.has_sum ? nullspace_product(g, i, j, k) : g(i, j);
      }
    }
    return p;
  }

 private:
  // Start: every bounded variable on a bound (the lower one when it has one), unbounded ones at
  // zero; then, for a sum constraint, move variables toward their other bound in order until the
  // sum is met. One variable always stays free under a sum constraint so the working set stays
  // linearly independent.
  void cold_start(const constraint_set<Real>& c, vector_x<Real>& x, std::vector<bound_state>& state) const {
    using std::isinf;
    for (index j = 0; j < n_; ++j) {
      const bool has_lower = !isinf(c.lower(j));
      const bool has_upper = !isinf(c.upper(j));
      x(j) = has_lower ? c.lower(j) : (has_upper ? c.upper(j) : Real(0));
      state[std::size_t(j)] =
          has_lower ? bound_state::at_lower : (has_upper ? bound_state::at_upper : bound_state::free);
    }
    if (!c.has_sum) {
      return;
    }
    Real deficit = c.total - x.sum();
    index filler = -1;
    for (index j = 0; j < n_; ++j) {
      if (state[std::size_t(j)] == bound_state::free) {
        filler = j;  // an unbounded variable absorbs the whole deficit
      }
    }
    if (filler >= 0) {
      x(filler) += deficit;
      return;
    }
    for (index j = 0; j < n_ && deficit != Real(0); ++j) {
      const Real room = deficit > 0 ? c.upper(j) - x(j) : c.lower(j) - x(j);
      const Real move = deficit > 0 ? (room < deficit ? room : deficit) : (room > deficit ? room : deficit);
      if (move != Real(0)) {
        x(j) += move;
        deficit -= move;
        filler = j;
        state[std::size_t(j)] = x(j) == c.upper(j)   ? bound_state::at_upper
                                : x(j) == c.lower(j) ? bound_state::at_lower
                                                     : bound_state::free;
      }
    }
    state[std::size_t(filler < 0 ? 0 : filler)] = bound_state::free;
  }

  // Multipliers are tested in equilibrated units (coefficient j measured in units of 1/||m_j||):
  // the test |g_j| / ||m_j|| against 64 n eps (sum_j ||m_j|| |x_j| + ||z||), the rounding level of
  // the residual, does not change when a column is rescaled (a reference spectrum in other units).
  Real multiplier_tolerance(const matrix_ref& m, const vector_ref& z, const vector_x<Real>& x) {
    using std::abs;
    Real scale = safe_norm<Real>(z);
    for (index j = 0; j < n_; ++j) {
      column_norms_(j) = std::max(safe_norm<Real>(m.col(j)), std::numeric_limits<Real>::min());
      scale += column_norms_(j) * abs(x(j));
    }
    return Real(64) * Real(n_) * std::numeric_limits<Real>::epsilon() * scale;
  }

  index gather_free(const std::vector<bound_state>& state) {
    index k = 0;
    for (index j = 0; j < n_; ++j) {
      if (state[std::size_t(j)] == bound_state::free) {
        free_[std::size_t(k++)] = j;
      }
    }
    return k;
  }

  // Householder vector v = u + e1 with u = (1,...,1)/sqrt(k): H = I - 2 v v^T / v^T v maps u to -e1,
  // so columns 1..k-1 of H span the directions that keep sum(x) unchanged.
  Real householder_v(index i, index k) const {
    using std::sqrt;
    const Real u = Real(1) / sqrt(Real(k));
    return i == 0 ? u + Real(1) : u;
  }
  Real householder_vtv(index k) const {
    using std::sqrt;
    return Real(2) * (Real(1) + Real(1) / sqrt(Real(k)));
  }

  // work_.leftCols(k) <- work_.leftCols(k) * H.
  void project_onto_sum_nullspace(index k) {
    householder_.setZero();
    for (index i = 0; i < k; ++i) {
      householder_.noalias() += householder_v(i, k) * work_.col(i);
    }
    const Real scale = Real(2) / householder_vtv(k);
    for (index i = 0; i < k; ++i) {
      work_.col(i) -= (scale * householder_v(i, k)) * householder_;
    }
  }

  // (Z G Z^T)(i, j) with Z = H[:, 1:], computed from H = I - s v v^T without forming Z.
  template <typename MatG>
  Real nullspace_product(const MatG& g, index i, index j, index k) const {
    const Real s = Real(2) / householder_vtv(k);
    Real total = 0;
    for (index a = 1; a < k; ++a) {
      const Real zia = (i == a ? Real(1) : Real(0)) - s * householder_v(i, k) * householder_v(a, k);
      if (zia == Real(0)) {
        continue;
      }
      for (index b = 1; b < k; ++b) {
        const Real zjb = (j == b ? Real(1) : Real(0)) - s * householder_v(j, k) * householder_v(b, k);
        total += zia * g(a - 1, b - 1) * zjb;
      }
    }
    return total;
  }

  // Minimises ||M_F x_F - (z - M_B x_B)|| over the free set F (keeping sum(x) == total), into candidate_.
  bool solve_subproblem(const matrix_ref& m, const vector_ref& z, const constraint_set<Real>& c,
                        const vector_x<Real>& x, const std::vector<bound_state>& state) {
    const index k = gather_free(state);
    rhs_ = z;
    Real remaining = c.total;
    for (index j = 0; j < n_; ++j) {
      if (state[std::size_t(j)] != bound_state::free) {
        rhs_.noalias() -= x(j) * m.col(j);
        remaining -= x(j);
      }
    }
    if (k == 0) {
      return true;
    }
    if (c.has_sum && k == 1) {
      candidate_(free_[0]) = remaining;
      return true;
    }
    auto a = work_.leftCols(k);
    for (index i = 0; i < k; ++i) {
      a.col(i) = m.col(free_[std::size_t(i)]);
    }
    if (!c.has_sum) {
      if (!householder_reduce<Real>(a, rhs_)) {
        return false;
      }
      auto r = a.topRows(k);
      auto t = residual_.head(k);
      back_substitute<Real>(r, rhs_, t);
      for (index i = 0; i < k; ++i) {
        candidate_(free_[std::size_t(i)]) = t(i);
      }
      return true;
    }
    // x_F = p 1 + H [0; t]: the particular point p = remaining / k plus a step in the null space.
    const Real p = remaining / Real(k);
    for (index i = 0; i < k; ++i) {
      rhs_.noalias() -= p * a.col(i);
    }
    project_onto_sum_nullspace(k);
    auto basis = work_.block(0, 1, n_, k - 1);
    if (!householder_reduce<Real>(basis, rhs_)) {
      return false;
    }
    auto r = basis.topRows(k - 1);
    auto t = residual_.head(k - 1);
    back_substitute<Real>(r, rhs_, t);
    const Real s = Real(2) / householder_vtv(k);
    Real vty = 0;
    for (index i = 1; i < k; ++i) {
      vty += householder_v(i, k) * t(i - 1);
    }
    for (index i = 0; i < k; ++i) {
      const Real y = i == 0 ? Real(0) : t(i - 1);
      candidate_(free_[std::size_t(i)]) = p + y - s * householder_v(i, k) * vty;
    }
    return true;
  }

  // The held variable whose Lagrange multiplier is most negative (releasing it lowers the
  // objective), or -1 if the KKT conditions hold to the tolerance.
  index most_violated_bound(const matrix_ref& m, const vector_ref& z, const constraint_set<Real>& c,
                            const vector_x<Real>& x, const std::vector<bound_state>& state, Real tolerance) {
    residual_.noalias() = m * x;  // product straight into the workspace: no temporary
    residual_ -= z;
    gradient_.noalias() = m.transpose() * residual_;
    Real lambda = 0;  // multiplier of the sum constraint: -g_j is common to every free variable
    if (c.has_sum) {
      const index k = gather_free(state);
      for (index i = 0; i < k; ++i) {
        lambda -= gradient_(free_[std::size_t(i)]);
      }
      lambda /= Real(k > 0 ? k : 1);
    }
    index best = -1;
    Real best_value = -tolerance;
    for (index j = 0; j < n_; ++j) {
      const auto s = state[std::size_t(j)];
      if (s == bound_state::free || excluded_[std::size_t(j)] != 0) {
        continue;
      }
      const Real g = gradient_(j) + lambda;
      const Real multiplier = (s == bound_state::at_lower ? g : -g) / column_norms_(j);
      if (multiplier < best_value) {
        best_value = multiplier;
        best = j;
      }
    }
    return best;
  }

  // After a step: hold the blocking variable and any other free variable that reached a bound.
  void fix_variables_on_bounds(const constraint_set<Real>& c, vector_x<Real>& x, std::vector<bound_state>& state,
                               index blocking) const {
    index remaining_free = 0;
    index last_fixed = -1;
    for (index j = 0; j < n_; ++j) {
      if (state[std::size_t(j)] != bound_state::free) {
        continue;
      }
      const bool low = x(j) <= c.lower(j) || (j == blocking && candidate_(j) < c.lower(j));
      const bool high = x(j) >= c.upper(j) || (j == blocking && candidate_(j) > c.upper(j));
      if (low) {
        x(j) = c.lower(j);
        state[std::size_t(j)] = bound_state::at_lower;
        last_fixed = j;
      } else if (high) {
        x(j) = c.upper(j);
        state[std::size_t(j)] = bound_state::at_upper;
        last_fixed = j;
      } else {
        ++remaining_free;
      }
    }
    if (c.has_sum && remaining_free == 0 && last_fixed >= 0) {
      state[std::size_t(last_fixed)] = bound_state::free;  // keep the working set independent
    }
  }

  index n_;
  matrix_x<Real> work_;
  vector_x<Real> rhs_;
  vector_x<Real> candidate_;
  vector_x<Real> gradient_;
  vector_x<Real> residual_;
  vector_x<Real> householder_;
  std::vector<index> free_;
  std::vector<char> excluded_;
  matrix_x<Real> inverse_;
  matrix_x<Real> gram_;
  vector_x<Real> column_norms_;  // ||m_j||: multipliers are compared in equilibrated units
};

}  // namespace valence::fit::detail

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template class active_set_solver<float>;
extern template class active_set_solver<double>;
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_DETAIL_ACTIVE_SET_HPP
