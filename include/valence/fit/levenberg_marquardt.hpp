// SPDX-License-Identifier: MIT
/// \file
/// \brief Nonlinear least squares by Levenberg–Marquardt with box bounds.
#ifndef VALENCE_FIT_LEVENBERG_MARQUARDT_HPP
#define VALENCE_FIT_LEVENBERG_MARQUARDT_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/information_criteria.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace valence::fit {

/// \brief Finite-difference scheme for the Jacobian when the model supplies none.
/// \ingroup fit
enum class difference_scheme : std::uint8_t {
  forward,  ///< \f$(r(p + h e_j) - r(p))/h\f$ with \f$h = \sqrt{\varepsilon}\,|p_j|\f$: one evaluation per parameter
  central   ///< \f$(r(p + h e_j) - r(p - h e_j))/2h\f$ with \f$h = \varepsilon^{1/3}|p_j|\f$: two per parameter
};

/// \brief Why levenberg_marquardt() stopped. The first five mean converged.
/// \ingroup fit
enum class stop_reason : std::uint8_t {
  small_offset,       ///< converged: the residual is orthogonal to the Jacobian's range to `offset_tolerance`
  small_step,         ///< converged: the Gauss–Newton step is below `step_tolerance` relative to the parameters
  zero_residual,      ///< converged: \f$\chi^2 = 0\f$, an exact fit
  rounding_limit,     ///< converged: no trial reduces \f$\chi^2\f$ and the best possible reduction is rounding
  jacobian_accuracy,  ///< converged: no trial reduces \f$\chi^2\f$ and the gradient is within what the
                      ///< difference Jacobian's own error allows (it cannot point further downhill)
  singular_jacobian,  ///< not converged: stationary, but some parameter combination has lost all influence
                      ///< (a rate or width run off to infinity, an amplitude at 0): not an isolated minimum
  iteration_budget,   ///< not converged: `max_iterations` trial steps were taken
  no_progress         ///< not converged: the damping reached its limit without a trial that reduces \f$\chi^2\f$
};

/// \brief The name of a stop_reason, e.g. `"small_offset"`.
/// \ingroup fit
/// \param reason the reason.
/// \returns a static string.
[[nodiscard]] inline const char* to_string(stop_reason reason) noexcept {
  switch (reason) {
    case stop_reason::small_offset:
      return "small_offset";
    case stop_reason::small_step:
      return "small_step";
    case stop_reason::zero_residual:
      return "zero_residual";
    case stop_reason::rounding_limit:
      return "rounding_limit";
    case stop_reason::jacobian_accuracy:
      return "jacobian_accuracy";
    case stop_reason::singular_jacobian:
      return "singular_jacobian";
    case stop_reason::iteration_budget:
      return "iteration_budget";
    case stop_reason::no_progress:
      return "no_progress";
  }
  return "unknown";
}

/// \brief Bounds, differencing and stopping rules of levenberg_marquardt().
/// \ingroup fit
/// \tparam Real the scalar type of the fit.
template <typename Real>
struct levenberg_marquardt_options {
  /// Lower bound of each parameter (may be \f$-\infty\f$); empty for none.
  vector_x<Real> lower;
  /// Upper bound of each parameter (may be \f$+\infty\f$); empty for none.
  vector_x<Real> upper;
  /// Scheme of the finite-difference Jacobian (ignored when a Jacobian is supplied).
  difference_scheme differences = difference_scheme::forward;
  /// Relative difference step; 0 selects \f$\sqrt{\varepsilon}\f$ (forward) or \f$\varepsilon^{1/3}\f$ (central).
  Real difference_step = 0;
  /// Typical magnitude of each parameter (empty for none): the difference step is
  /// \f$h_j = \mathrm{step}\cdot\max(|p_j|, \mathrm{typical}_j)\f$, so a parameter that passes
  /// near 0 (an energy shift) keeps a usable step. Without it, \f$h_j = \mathrm{step}\cdot|p_j|\f$
  /// (MINPACK's rule, right for parameters that scale with their value), or the bare step at 0.
  vector_x<Real> typical_magnitude;
  /// Converged when \f$\|P_J r\|/\|r\| \le\f$ this (the cosine of the angle between the residual and
  /// the range of the Jacobian; Bates and Watts' relative-offset criterion without its
  /// \f$\sqrt{(m-p)/p}\f$ factor). Parameters are then within about this fraction of their
  /// standard errors (times \f$\sqrt{m-p}\f$) of the minimum.
  Real offset_tolerance = Real(1e-12);
  /// Converged when the undamped (Gauss–Newton) step satisfies
  /// \f$\|D\delta\| \le \mathrm{tol}\,(\|Dp\| + \mathrm{tol})\f$, \f$D\f$ the column scaling of the Jacobian.
  Real step_tolerance = 8 * std::numeric_limits<Real>::epsilon();
  /// Budget of trial steps (accepted or rejected); 0 selects \f$200(n+1)\f$ for \f$n\f$ parameters.
  index max_iterations = 0;
  /// Initial damping \f$\lambda_0\f$ relative to the largest squared column norm of the scaled Jacobian
  /// (the first pivot of its QR, within a factor \f$\sqrt n\f$ of its largest singular value).
  Real initial_damping = Real(1e-3);
  /// Multiply the covariance by the reduced \f$\chi^2\f$ (the usual choice when the residuals are
  /// not already divided by true standard deviations; NIST's convention). Set false when they are.
  bool scale_covariance = true;
};

/// \brief Everything a nonlinear least-squares fit reports.
/// \ingroup fit
///
/// \f$\chi^2 = \sum_i r_i(\hat p)^2\f$ for the residuals the model returns (divide them by
/// \f$\sigma_i\f$ to weight). The covariance is \f$(J^TJ)^{-1}\f$ over the free parameters at
/// \f$\hat p\f$, times \f$\chi^2_\nu\f$ if `scale_covariance`. A parameter held on a bound has
/// standard error 0 and does not count in \f$p\f$, as in least_squares_result.
/// \tparam Real the scalar type of the fit.
template <typename Real>
struct levenberg_marquardt_result {
  vector_x<Real> parameters;       ///< \f$\hat p\f$
  vector_x<Real> standard_errors;  ///< \f$\sqrt{C_{jj}}\f$; NaN only when \ref covariance_available is false
  matrix_x<Real> covariance;       ///< \f$C\f$
  matrix_x<Real> correlation;      ///< \f$C_{jk}/\sqrt{C_{jj}C_{kk}}\f$ (0 for a held parameter)
  vector_x<Real> residuals;        ///< \f$r(\hat p)\f$
  Real chi_square = 0;             ///< \f$\chi^2\f$
  Real reduced_chi_square = 0;     ///< \f$\chi^2/\nu\f$; NaN when \f$\nu = 0\f$
  Real aic = 0;                    ///< \f$m\ln(\chi^2/m) + 2p\f$
  Real bic = 0;                    ///< \f$m\ln(\chi^2/m) + p\ln m\f$
  Real offset = 0;                 ///< final \f$\|P_J r\|/\|r\|\f$ (see levenberg_marquardt_options::offset_tolerance)
  index observations = 0;          ///< \f$m\f$
  index free_parameters = 0;       ///< \f$p\f$, parameters not held on a bound
  index dof = 0;                   ///< \f$\nu = m - p\f$
  index iterations = 0;            ///< trial steps taken (accepted or rejected)
  index evaluations = 0;           ///< calls of the residual function, finite differences included
  index jacobian_evaluations = 0;  ///< Jacobians formed (analytic or by differences)
  bool converged = false;          ///< true only for the converged stop reasons
  stop_reason reason = stop_reason::iteration_budget;  ///< why the iteration stopped
  std::vector<bound_state> active;                     ///< per parameter: free, or held at a bound
  bool covariance_available = true;  ///< false when the Jacobian at \f$\hat p\f$ is singular (errors NaN)
};

namespace detail {

template <typename Real>
struct lm_bounds {
  vector_x<Real> lower;
  vector_x<Real> upper;
};

template <typename Real>
lm_bounds<Real> lm_check(const char* function, const vector_x<Real>& p0,
                         const levenberg_marquardt_options<Real>& options) {
  const index n = p0.size();
  core::check_min_size(function, "p0", p0, 1);
  core::check_finite(function, "p0", p0);
  constexpr Real inf = std::numeric_limits<Real>::infinity();
  lm_bounds<Real> b{vector_x<Real>::Constant(n, -inf), vector_x<Real>::Constant(n, inf)};
  for (const auto& [name, given, target] :
       {std::tuple{"options.lower", &options.lower, &b.lower}, std::tuple{"options.upper", &options.upper, &b.upper}}) {
    if (given->size() != 0) {
      if (given->size() != n) {
        throw invalid_input(core::detail::message(
            function, std::string("parameter '") + name + "' has " + std::to_string(given->size()) +
                          " elements but 'p0' has " + std::to_string(n) + "; expected one bound per parameter"));
      }
      *target = *given;
    }
  }
  if (options.typical_magnitude.size() != 0 && options.typical_magnitude.size() != n) {
    throw invalid_input(core::detail::message(
        function, "parameter 'options.typical_magnitude' has " + std::to_string(options.typical_magnitude.size()) +
                      " elements but 'p0' has " + std::to_string(n) + "; expected one per parameter or none"));
  }
  for (index j = 0; j < n; ++j) {
    const std::string at = " for parameter " + std::to_string(j);
    if (std::isnan(b.lower(j)) || std::isnan(b.upper(j)) || !(b.lower(j) < b.upper(j))) {
      throw invalid_input(core::detail::message(
          function, "bounds [" + core::detail::format_value(b.lower(j)) + ", " +
                        core::detail::format_value(b.upper(j)) + "]" + at +
                        "; expected lower < upper (fix a parameter by leaving it out of the model)"));
    }
    if (!(b.lower(j) <= p0(j) && p0(j) <= b.upper(j))) {
      throw invalid_input(core::detail::message(
          function, "parameter 'p0' holds " + core::detail::format_value(p0(j)) + at + ", outside its bounds [" +
                        core::detail::format_value(b.lower(j)) + ", " + core::detail::format_value(b.upper(j)) +
                        "]; expected a start inside the bounds"));
    }
  }
  return b;
}

// The model at the boundary of the solver: callables are type-erased, so the solver is instantiated
// once per scalar type, not once per lambda.
template <typename Real>
using residual_function = std::function<vector_x<Real>(const vector_x<Real>&)>;
// J at p, given the residuals r there; counts the residual evaluations it makes.
template <typename Real>
using jacobian_function = std::function<matrix_x<Real>(const vector_x<Real>&, const vector_x<Real>&, index&)>;

// Forward or central differences of the residuals, stepping inward at a bound.
template <typename Real>
matrix_x<Real> difference_jacobian(const residual_function<Real>& residuals, const vector_x<Real>& p,
                                   const vector_x<Real>& r, const lm_bounds<Real>& bounds,
                                   const levenberg_marquardt_options<Real>& options, index& evaluations) {
  const bool central = options.differences == difference_scheme::central;
  const Real eps = std::numeric_limits<Real>::epsilon();
  const Real relative =
      options.difference_step > 0 ? options.difference_step : (central ? std::cbrt(eps) : std::sqrt(eps));
  matrix_x<Real> jac(r.size(), p.size());
  vector_x<Real> q = p;
  for (index j = 0; j < p.size(); ++j) {
    // Relative to the parameter itself (MINPACK's rule), so that small-valued parameters get small
    // steps, unless a typical magnitude says how small "near zero" is.
    const Real magnitude =
        std::max(std::abs(p(j)),
                 options.typical_magnitude.size() == p.size() ? std::abs(options.typical_magnitude(j)) : Real(0));
    Real h = magnitude > 0 ? relative * magnitude : relative;
    if (p(j) + h > bounds.upper(j)) {
      h = -h;
    }
    if (central && (p(j) - h < bounds.lower(j) || p(j) + h > bounds.upper(j))) {
      q(j) = p(j) + h;
      jac.col(j) = (vector_x<Real>(residuals(q)) - r) / ((p(j) + h) - p(j));
      ++evaluations;
    } else if (central) {
      q(j) = p(j) + h;
      const vector_x<Real> plus = residuals(q);
      q(j) = p(j) - h;
      jac.col(j) = (plus - vector_x<Real>(residuals(q))) / ((p(j) + h) - (p(j) - h));
      evaluations += 2;
    } else {
      q(j) = p(j) + h;
      jac.col(j) = (vector_x<Real>(residuals(q)) - r) / (q(j) - p(j));
      ++evaluations;
    }
    q(j) = p(j);
  }
  return jac;
}

// max_j |J_j^T r| / D_j over the free parameters.
template <typename Real>
Real scaled_gradient(const matrix_x<Real>& jac, const vector_x<Real>& r, const vector_x<Real>& scale,
                     const std::vector<index>& free) {
  using std::abs;
  Real largest = 0;
  for (const index j : free) {
    largest = std::max(largest, abs(jac.col(j).dot(r)) / scale(j));
  }
  return largest;
}

// The relative accuracy of a difference Jacobian's columns: truncation h (forward) or h^2 (central)
// for the relative step h, or the rounding eps/h of the residuals it divides, whichever is larger.
template <typename Real>
Real difference_accuracy(const levenberg_marquardt_options<Real>& options) {
  const bool central = options.differences == difference_scheme::central;
  const Real eps = std::numeric_limits<Real>::epsilon();
  const Real relative =
      options.difference_step > 0 ? options.difference_step : (central ? std::cbrt(eps) : std::sqrt(eps));
  return std::max(central ? relative * relative : relative, eps / relative);
}

template <typename Real>
bool all_finite(const Eigen::Ref<const matrix_x<Real>>& x) {
  return x.allFinite();
}

template <typename Real>
std::string format_parameters(const vector_x<Real>& p) {
  std::string text = "[";
  for (index j = 0; j < p.size(); ++j) {
    text += (j > 0 ? ", " : "") + core::detail::format_value(p(j));
  }
  return text + "]";
}

// The scaled, free-parameter Jacobian at the current point, factored by the engine's pivoted
// Householder QR, J_f D^-1 P = Q R, with its rank by the one rank rule and Q^T r.
template <typename Real>
struct lm_linearisation {
  std::vector<index> free;
  vector_x<Real> scale;      // D over the free parameters
  householder_qr<Real> qr;   // of J_f D^-1
  matrix_x<Real> r;          // the leading `rank` rows of R (rank x f, pivot order)
  vector_x<Real> projected;  // the leading `rank` entries of Q^T r
  Real offset = 0;
  Real largest = 0;  // |R_00|, the largest scaled column norm
  index rank = 0;
};

// Parameters on a bound whose gradient points outward are held; the rest are free.
template <typename Real>
std::vector<bound_state> held_on_bounds(const vector_x<Real>& p, const matrix_x<Real>& jac, const vector_x<Real>& r,
                                        const lm_bounds<Real>& bounds) {
  std::vector<bound_state> state(static_cast<std::size_t>(p.size()), bound_state::free);
  for (index j = 0; j < p.size(); ++j) {
    const Real g = jac.col(j).dot(r);  // half the gradient of chi^2
    if (p(j) <= bounds.lower(j) && g > 0) {
      state[static_cast<std::size_t>(j)] = bound_state::at_lower;
    } else if (p(j) >= bounds.upper(j) && g < 0) {
      state[static_cast<std::size_t>(j)] = bound_state::at_upper;
    }
  }
  return state;
}

template <typename Real>
lm_linearisation<Real> linearise(const matrix_x<Real>& jac, const vector_x<Real>& r, const vector_x<Real>& scale,
                                 const std::vector<bound_state>& state) {
  lm_linearisation<Real> lin;
  for (index j = 0; j < jac.cols(); ++j) {
    if (state[static_cast<std::size_t>(j)] == bound_state::free) {
      lin.free.push_back(j);
    }
  }
  const auto f = static_cast<index>(lin.free.size());
  const index m = jac.rows();
  matrix_x<Real> scaled(m, f);
  lin.scale.resize(f);
  for (index k = 0; k < f; ++k) {
    const index j = lin.free[static_cast<std::size_t>(k)];
    lin.scale(k) = scale(j);
    scaled.col(k) = jac.col(j) / scale(j);
  }
  lin.qr.compute(scaled, true);
  lin.rank = lin.qr.rank(rank_tolerance(Real(0), m));
  lin.largest = f > 0 ? std::abs(lin.qr.packed()(0, 0)) : Real(0);
  lin.r = matrix_x<Real>::Zero(lin.rank, f);
  for (index i = 0; i < lin.rank; ++i) {
    lin.r.row(i).tail(f - i) = lin.qr.packed().row(i).tail(f - i);
  }
  matrix_x<Real> qtr = r;
  lin.qr.apply_qt(qtr);
  lin.projected = qtr.col(0).head(lin.rank);
  const Real norm = r.norm();
  lin.offset = norm > 0 ? lin.projected.norm() / norm : Real(0);
  return lin;
}

// The damped step in the original parameters: minimises |r + J d|^2 + lambda |D d|^2 over the free
// set. In the scaled, pivoted variables z this is the least-squares problem [R; sqrt(lambda) I] z =
// [-Q^T r; 0], solved by a second Householder QR of that (rank + f) x f matrix (Moré's qrsolv does
// the same with Givens rotations). With lambda = 0 and R rank-deficient it is the minimum-norm
// Gauss-Newton step, from a QR of R^T (R^T = Z T, z = Z T^-T (-Q^T r)).
template <typename Real>
vector_x<Real> damped_step(const lm_linearisation<Real>& lin, Real lambda, index n) {
  const index f = lin.r.cols();
  const index k = lin.rank;
  vector_x<Real> z = vector_x<Real>::Zero(f);
  if (k > 0 && lambda > 0) {
    matrix_x<Real> stacked = matrix_x<Real>::Zero(k + f, f);
    stacked.topRows(k) = lin.r;
    stacked.bottomRows(f).diagonal().setConstant(std::sqrt(lambda));
    matrix_x<Real> rhs = matrix_x<Real>::Zero(k + f, 1);
    rhs.col(0).head(k) = -lin.projected;
    householder_qr<Real> damped;
    damped.compute(stacked, false);
    damped.apply_qt(rhs);
    back_substitute<Real>(damped.packed().topRows(f), rhs.col(0).head(f), z);
  } else if (k == f) {
    back_substitute<Real>(lin.r, -lin.projected, z);
  } else if (k > 0) {
    householder_qr<Real> transposed;
    transposed.compute(lin.r.transpose(), false);
    matrix_x<Real> w = matrix_x<Real>::Zero(f, 1);
    for (index i = 0; i < k; ++i) {  // T^T w = -Q^T r, T^T lower triangular
      Real sum = -lin.projected(i);
      for (index l = 0; l < i; ++l) {
        sum -= transposed.packed()(l, i) * w(l, 0);
      }
      w(i, 0) = sum / transposed.packed()(i, i);
    }
    transposed.apply_q(w);
    z = w.col(0);
  }
  vector_x<Real> step = vector_x<Real>::Zero(n);
  for (index j = 0; j < f; ++j) {
    const index k_free = lin.qr.column(j);
    step(lin.free[static_cast<std::size_t>(k_free)]) = z(j) / lin.scale(k_free);
  }
  return step;
}

template <typename Real>
void lm_statistics(const matrix_x<Real>& jac, const lm_bounds<Real>& bounds, bool scale_covariance,
                   levenberg_marquardt_result<Real>& out) {
  const index m = jac.rows();
  const index n = jac.cols();
  out.active = held_on_bounds(out.parameters, jac, out.residuals, bounds);
  vector_x<Real> scale(n);
  for (index j = 0; j < n; ++j) {
    const Real norm = jac.col(j).norm();
    scale(j) = norm > 0 ? norm : Real(1);
  }
  const auto lin = linearise(jac, out.residuals, scale, out.active);
  const auto f = static_cast<index>(lin.free.size());
  out.observations = m;
  out.free_parameters = f;
  out.dof = m - f;
  out.chi_square = out.residuals.squaredNorm();
  out.reduced_chi_square = out.dof > 0 ? out.chi_square / Real(out.dof) : std::numeric_limits<Real>::quiet_NaN();
  out.aic = aic(out.chi_square, m, f);
  out.bic = bic(out.chi_square, m, f);
  out.covariance = matrix_x<Real>::Zero(n, n);
  out.covariance_available = lin.rank == f;
  if (out.covariance_available) {
    matrix_x<Real> inverse(f, f);
    matrix_x<Real> scaled(f, f);
    inverse_gram<Real>(lin.r, inverse, scaled);  // (R^T R)^-1, pivot order
    const Real factor = scale_covariance ? out.reduced_chi_square : Real(1);
    for (index a = 0; a < f; ++a) {
      const index ka = lin.qr.column(a);
      for (index b = 0; b < f; ++b) {
        const index kb = lin.qr.column(b);
        out.covariance(lin.free[static_cast<std::size_t>(ka)], lin.free[static_cast<std::size_t>(kb)]) =
            factor * scaled(a, b) / (lin.scale(ka) * lin.scale(kb));
      }
    }
  } else {
    for (const index j : lin.free) {
      out.covariance.row(j).setConstant(std::numeric_limits<Real>::quiet_NaN());
      out.covariance.col(j).setConstant(std::numeric_limits<Real>::quiet_NaN());
    }
  }
  out.standard_errors = out.covariance.diagonal().cwiseSqrt();
  out.correlation = matrix_x<Real>::Zero(n, n);
  for (index a = 0; a < n; ++a) {
    for (index b = 0; b < n; ++b) {
      const Real denominator = out.standard_errors(a) * out.standard_errors(b);
      out.correlation(a, b) = denominator > 0 || std::isnan(denominator) ? out.covariance(a, b) / denominator : Real(0);
    }
  }
}

template <typename Real>
levenberg_marquardt_result<Real> levenberg_marquardt_impl(
    const char* function, const residual_function<Real>& residuals, const jacobian_function<Real>& jacobian,
    const vector_x<Real>& p0, const levenberg_marquardt_options<Real>& options, Real jacobian_accuracy) {
  const auto bounds = lm_check(function, p0, options);
  const index n = p0.size();
  levenberg_marquardt_result<Real> out;
  out.parameters = p0;
  out.residuals = residuals(p0);
  out.evaluations = 1;
  if (!all_finite<Real>(out.residuals)) {
    throw invalid_input(core::detail::message(function,
                                              "the residual function returned a non-finite value at 'p0'; "
                                              "expected finite residuals at the start"));
  }
  if (out.residuals.size() < n) {
    throw invalid_input(core::detail::message(
        function, "the residual function returned " + std::to_string(out.residuals.size()) + " residuals for " +
                      std::to_string(n) + " parameters; expected at least as many residuals as parameters"));
  }
  const auto evaluate_jacobian = [&](const vector_x<Real>& p, const vector_x<Real>& r) {
    matrix_x<Real> jac = jacobian(p, r, out.evaluations);
    ++out.jacobian_evaluations;
    if (jac.rows() != r.size() || jac.cols() != n || !all_finite<Real>(jac)) {
      throw fit_error(core::detail::message(function, "the Jacobian at parameters " + format_parameters(p) +
                                                          " is not a finite " + std::to_string(r.size()) + " x " +
                                                          std::to_string(n) + " matrix"));
    }
    return jac;
  };
  const index budget = options.max_iterations > 0 ? options.max_iterations : 200 * (n + 1);
  const Real eps = std::numeric_limits<Real>::epsilon();
  matrix_x<Real> jac = evaluate_jacobian(out.parameters, out.residuals);
  // Moré's scaling: each parameter in units of the largest norm its Jacobian column has had.
  vector_x<Real> scale(n);
  for (index j = 0; j < n; ++j) {
    const Real norm = safe_norm<Real>(jac.col(j));
    scale(j) = norm > Real(0) ? norm : Real(1);
  }
  Real chi_square = out.residuals.squaredNorm();
  Real lambda = -1;
  Real growth = 2;
  bool stopped = false;
  while (!stopped) {
    for (index j = 0; j < n; ++j) {
      scale(j) = std::max(scale(j), safe_norm<Real>(jac.col(j)));
    }
    const auto lin = linearise(jac, out.residuals, scale, held_on_bounds(out.parameters, jac, out.residuals, bounds));
    if (chi_square == 0 || lin.free.empty()) {
      out.reason = chi_square == 0 ? stop_reason::zero_residual : stop_reason::small_step;
      break;
    }
    const auto full_rank = lin.rank == static_cast<index>(lin.free.size());
    if (lin.offset <= options.offset_tolerance) {
      out.reason = full_rank ? stop_reason::small_offset : stop_reason::singular_jacobian;
      break;
    }
    const Real gauss_newton = damped_step(lin, Real(0), n).cwiseProduct(scale).norm();
    if (full_rank &&
        gauss_newton <= options.step_tolerance * (out.parameters.cwiseProduct(scale).norm() + options.step_tolerance)) {
      out.reason = stop_reason::small_step;
      break;
    }
    if (lambda < 0) {
      lambda = options.initial_damping * lin.largest * lin.largest;
    }
    for (;;) {
      if (out.iterations >= budget) {
        out.reason = stop_reason::iteration_budget;
        stopped = true;
        break;
      }
      ++out.iterations;
      const vector_x<Real> trial =
          (out.parameters + damped_step(lin, lambda, n)).cwiseMax(bounds.lower).cwiseMin(bounds.upper);
      const vector_x<Real> step = trial - out.parameters;
      // Reductions as differences of squares, (a-b)(a+b): exact to rounding of the reduction itself
      // rather than of chi^2, so the fit keeps improving after chi^2 agrees to 15 digits.
      const vector_x<Real> change = jac * step;
      const Real predicted = -change.dot(Real(2) * out.residuals + change);
      vector_x<Real> trial_residuals = residuals(trial);
      ++out.evaluations;
      const bool finite = trial_residuals.size() == out.residuals.size() && all_finite<Real>(trial_residuals);
      const Real trial_chi_square = finite ? trial_residuals.squaredNorm() : std::numeric_limits<Real>::infinity();
      const Real actual =
          finite ? (out.residuals - trial_residuals).dot(out.residuals + trial_residuals) : -trial_chi_square;
      const Real ratio = predicted > 0 ? actual / predicted : Real(-1);
      if (ratio > Real(1e-4)) {
        out.parameters = trial;
        out.residuals = std::move(trial_residuals);
        chi_square = trial_chi_square;
        lambda *= std::max(Real(1) / 3, Real(1) - static_cast<Real>(std::pow(2 * ratio - 1, 3)));
        growth = 2;
        jac = evaluate_jacobian(out.parameters, out.residuals);
        break;
      }
      // Rejected. If even the undamped Gauss-Newton step can gain no more than the rounding of chi^2,
      // or it is a rounding-level change of the parameters, this is the minimum as far as chi^2 can tell.
      const Real best_gain = lin.offset * lin.offset;
      const Real root_eps = std::sqrt(eps);
      const Real rounding = Real(16) * Real(out.residuals.size()) * eps;
      if (best_gain <= rounding || gauss_newton <= root_eps * (out.parameters.cwiseProduct(scale).norm() + root_eps)) {
        out.reason = full_rank ? stop_reason::rounding_limit : stop_reason::singular_jacobian;
        stopped = true;
        // The ratio test above compared two numbers below the rounding of chi^2, so it could not
        // judge this trial either way. The linear model can: its last Gauss-Newton step is taken
        // unless chi^2 rises beyond its rounding (on a linear model it lands on the exact solution).
        if (full_rank && out.iterations < budget) {
          ++out.iterations;
          const vector_x<Real> last =
              (out.parameters + damped_step(lin, Real(0), n)).cwiseMax(bounds.lower).cwiseMin(bounds.upper);
          vector_x<Real> last_residuals = residuals(last);
          ++out.evaluations;
          if (last_residuals.size() == out.residuals.size() && all_finite<Real>(last_residuals) &&
              last_residuals.squaredNorm() <= chi_square * (Real(1) + rounding)) {
            out.parameters = last;
            out.residuals = std::move(last_residuals);
            chi_square = out.residuals.squaredNorm();
            jac = evaluate_jacobian(out.parameters, out.residuals);
          }
        }
        break;
      }
      // A Jacobian known to relative accuracy a per column (finite differences, J + E with
      // ||E_j|| ~ a ||J_j|| <= a D_j) gives each scaled gradient component J_j^T r / D_j to within
      // about a ||r||. When every component is within 8 times that, the Jacobian cannot tell a
      // downhill direction from its own error: converged at its accuracy. (At the no_progress stops
      // this replaced on the NIST problems the largest component was 2.2 to 2.9 a ||r||; the
      // factor leaves room for curvature, which the estimate a ignores.)
      if (jacobian_accuracy > 0 && full_rank &&
          scaled_gradient(jac, out.residuals, scale, lin.free) <= Real(8) * jacobian_accuracy * std::sqrt(chi_square)) {
        out.reason = stop_reason::jacobian_accuracy;
        stopped = true;
        break;
      }
      lambda *= growth;
      growth *= 2;
      if (!(lambda < std::numeric_limits<Real>::max() / 4) || step.cwiseProduct(scale).norm() == 0) {
        out.reason = stop_reason::no_progress;
        stopped = true;
        break;
      }
    }
  }
  out.converged = out.reason == stop_reason::small_offset || out.reason == stop_reason::small_step ||
                  out.reason == stop_reason::zero_residual || out.reason == stop_reason::rounding_limit ||
                  out.reason == stop_reason::jacobian_accuracy;
  out.offset = linearise(jac, out.residuals, scale, held_on_bounds(out.parameters, jac, out.residuals, bounds)).offset;
  lm_statistics(jac, bounds, options.scale_covariance, out);
  return out;
}

}  // namespace detail

/// \brief Minimises \f$\chi^2(p) = \sum_i r_i(p)^2\f$ subject to \f$l \le p \le u\f$ by
/// Levenberg–Marquardt, with the Jacobian from finite differences.
/// \ingroup fit
///
/// **Method.** Each iteration scales the Jacobian's columns by \f$D\f$ (the largest column norms
/// seen so far, Moré's choice, so the fit does not depend on the parameters' units), factors it
/// over the free parameters by the linear engine's pivoted Householder QR, \f$JD^{-1}P = QR\f$
/// (rank by the engine's one rank rule), and solves the damped problem
/// \f$\min_\delta \|r + J\delta\|^2 + \lambda\|D\delta\|^2\f$ exactly for each trial
/// \f$\lambda\f$ as the small least-squares problem \f$[R;\sqrt\lambda I]z = [-Q^Tr; 0]\f$ (Moré's
/// method, with a Householder QR where MINPACK uses Givens rotations).
/// A trial is accepted when the actual reduction of \f$\chi^2\f$ is at least \f$10^{-4}\f$ of the
/// reduction the linear model predicts; \f$\lambda\f$ then shrinks by
/// \f$\max(1/3, 1-(2\rho-1)^3)\f$ (Nielsen's rule), and grows by 2, 4, 8, ... after each rejection.
///
/// **Bounds.** A parameter on a bound whose gradient points outward is held there for the iteration;
/// the others take the damped step, which is then projected onto the box. Nothing is transformed,
/// so the covariance is that of the parameters themselves. Parameters held at the end have standard
/// error 0 and are reported in `active`.
///
/// **Convergence** is claimed only when the point is a minimum to the stated tolerance: the
/// residual's offset from the Jacobian's range is below `offset_tolerance`; or the Gauss–Newton
/// step is below `step_tolerance`; or no trial reduces \f$\chi^2\f$ while the Gauss–Newton gain is
/// at the rounding level of \f$\chi^2\f$ (or its step below \f$\sqrt\varepsilon\f$ relative), when
/// that last Gauss–Newton step is taken unless \f$\chi^2\f$ rises beyond its rounding (a ratio of
/// two rounding errors cannot judge it; on a linear model it lands on the exact solution); or, with
/// the difference Jacobian of this overload, no trial reduces \f$\chi^2\f$ while every scaled
/// gradient component \f$|J_j^\top r|/D_j\f$ is within 8 times the Jacobian's own accuracy
/// (\f$\max(h, \varepsilon/h)\f$ for forward differences of relative step \f$h\f$, \f$h^2\f$ for
/// central ones) times \f$\|r\|\f$, `jacobian_accuracy`; or \f$\chi^2 = 0\f$. A stationary point where the scaled
/// Jacobian has lost rank (a rate run off to infinity, as NIST's BoxBOD can from its first start) is
/// `singular_jacobian`, running out of iterations is `iteration_budget`, and damping without end is `no_progress`: all
/// three report `converged = false` with the best point found.
///
/// A trial point where the residuals are not finite is rejected like one that increases
/// \f$\chi^2\f$, so models may return NaN outside their domain.
///
/// \tparam Residuals callable as `r = residuals(p)` with `p` a `vector_x<Real>`, returning the
///         \f$m\f$ residuals (an Eigen vector of `Real`), already divided by \f$\sigma_i\f$ to weight.
/// \param residuals the residual function.
/// \param p0 the start, \f$n \ge 1\f$ parameters, inside the bounds.
/// \param options bounds, differencing, tolerances, iteration budget, covariance scaling.
/// \returns the fit; see levenberg_marquardt_result.
/// \throws valence::invalid_input if \p p0 is empty or not finite, a bound is NaN, a lower bound is
///         not below its upper bound (zero-width bounds), \p p0 is outside the bounds, the residuals
///         at \p p0 are not finite, or there are fewer residuals than parameters.
/// \throws valence::fit_error if the Jacobian at an accepted point is not finite.
///
/// **Accuracy.** On the 27 NIST StRD nonlinear problems with analytic Jacobians, every fit from the
/// second start converges, and 25 of 27 from the first; the smallest log relative error of any
/// parameter or standard error of a converged fit is 6.6, the median parameter LRE 10.5, and the
/// two misses (BoxBOD, MGH10 from start 1) are reported as not converged. Forward differences with
/// the models evaluated in plain double give the same verdicts, parameters to 4.6 digits or better
/// (5.3 but for Lanczos3) and standard errors to 2.9 or better (the Lanczos sets, whose conditioning
/// multiplies the difference Jacobian's 1e-8 error). See the tables in the documentation and
/// tests/fit/test_levenberg_marquardt_nist.cpp.
///
/// **References.** K. Levenberg, Q. Appl. Math. 2, 164 (1944); D. W. Marquardt, J. SIAM 11, 431
/// (1963); J. J. Moré, Lecture Notes in Mathematics 630, 105 (1978); H. B. Nielsen, IMM-REP-1999-05;
/// D. M. Bates, D. G. Watts, *Nonlinear Regression Analysis and Its Applications* (1988), §2.2.3.
template <typename Residuals, typename Derived>
[[nodiscard]] levenberg_marquardt_result<typename Derived::Scalar> levenberg_marquardt(
    Residuals&& residuals, const Eigen::MatrixBase<Derived>& p0,
    const levenberg_marquardt_options<typename Derived::Scalar>& options = {}) {
  using Real = typename Derived::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::fit::levenberg_marquardt requires floating-point parameters");
  constexpr const char* function = "valence::fit::levenberg_marquardt";
  const vector_x<Real> start = p0;
  const auto bounds = detail::lm_check(function, start, options);
  const detail::residual_function<Real> model = [&](const vector_x<Real>& p) { return vector_x<Real>(residuals(p)); };
  const detail::jacobian_function<Real> differences = [&](const vector_x<Real>& p, const vector_x<Real>& r,
                                                          index& evaluations) {
    return detail::difference_jacobian<Real>(model, p, r, bounds, options, evaluations);
  };
  return detail::levenberg_marquardt_impl<Real>(function, model, differences, start, options,
                                                detail::difference_accuracy(options));
}

/// \brief Levenberg–Marquardt with an analytic Jacobian; otherwise as the overload above.
/// \ingroup fit
/// \tparam Residuals callable as `r = residuals(p)`, returning the \f$m\f$ residuals.
/// \tparam Jacobian callable as `J = jacobian(p)`, returning the \f$m \times n\f$ matrix
///         \f$\partial r_i/\partial p_j\f$ (an Eigen matrix of `Real`).
/// \param residuals the residual function.
/// \param jacobian its Jacobian.
/// \param p0 the start, inside the bounds.
/// \param options bounds, tolerances, iteration budget, covariance scaling.
/// \returns the fit; see levenberg_marquardt_result.
/// \throws valence::invalid_input as the overload above.
/// \throws valence::fit_error if the Jacobian at an accepted point is not finite or has the wrong shape.
template <typename Residuals, typename Jacobian, typename Derived>
[[nodiscard]] levenberg_marquardt_result<typename Derived::Scalar> levenberg_marquardt(
    Residuals&& residuals, Jacobian&& jacobian, const Eigen::MatrixBase<Derived>& p0,
    const levenberg_marquardt_options<typename Derived::Scalar>& options = {}) {
  using Real = typename Derived::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::fit::levenberg_marquardt requires floating-point parameters");
  constexpr const char* function = "valence::fit::levenberg_marquardt";
  const detail::residual_function<Real> model = [&](const vector_x<Real>& p) { return vector_x<Real>(residuals(p)); };
  const detail::jacobian_function<Real> analytic = [&](const vector_x<Real>& p, const vector_x<Real>&, index&) {
    return matrix_x<Real>(jacobian(p));
  };
  return detail::levenberg_marquardt_impl<Real>(function, model, analytic, vector_x<Real>(p0), options, Real(0));
}

}  // namespace valence::fit

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: the solver is instantiated once, in the valence::compiled library.
namespace valence::fit::detail {
extern template levenberg_marquardt_result<float> levenberg_marquardt_impl<float>(
    const char*, const residual_function<float>&, const jacobian_function<float>&, const vector_x<float>&,
    const levenberg_marquardt_options<float>&, float);
extern template levenberg_marquardt_result<double> levenberg_marquardt_impl<double>(
    const char*, const residual_function<double>&, const jacobian_function<double>&, const vector_x<double>&,
    const levenberg_marquardt_options<double>&, double);
extern template matrix_x<float> difference_jacobian<float>(const residual_function<float>&, const vector_x<float>&,
                                                           const vector_x<float>&, const lm_bounds<float>&,
                                                           const levenberg_marquardt_options<float>&, index&);
extern template matrix_x<double> difference_jacobian<double>(const residual_function<double>&, const vector_x<double>&,
                                                             const vector_x<double>&, const lm_bounds<double>&,
                                                             const levenberg_marquardt_options<double>&, index&);
}  // namespace valence::fit::detail
#endif

#endif  // VALENCE_FIT_LEVENBERG_MARQUARDT_HPP
