// SPDX-License-Identifier: MIT
/// \file
/// \brief Linear-combination fitting of XANES spectra by reference spectra.
#ifndef VALENCE_XAS_LCF_HPP
#define VALENCE_XAS_LCF_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/parallel.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/propagation.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/detail/small_least_squares.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/fit/model_selection.hpp>

#include <Eigen/Core>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace valence::xas {

/// \brief A reference spectrum for linear-combination fitting, on its own energy grid.
/// \ingroup xas
struct lcf_standard {
  std::string name;   ///< label used in results
  vector_d energy;    ///< eV, strictly increasing
  vector_d spectrum;  ///< the same array as the data (normalised μ, flattened μ, …)
};

/// \brief Energy shifts fitted with the weights.
/// \ingroup xas
enum class lcf_shift : std::uint8_t {
  none,         ///< standards used as given (a linear fit)
  shared,       ///< one shift applied to every standard
  per_standard  ///< one shift per standard
};

/// \brief Settings of lcf() and lcf_all().
/// \ingroup xas
struct lcf_options {
  /// Fit window in eV (absolute, or relative to \ref e0 when it is set). As in Larch, the window
  /// starts at the last data point at or below its lower end and ends at the last point at or
  /// below its upper end. Infinite ends take the whole spectrum.
  core::window<double> window{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  /// If set, \ref window is relative to this edge energy (eV).
  std::optional<double> e0;
  /// Require \f$\sum_j w_j = 1\f$.
  bool sum_to_one = true;
  /// Bound of every weight from below (\f$-\infty\f$ for none).
  double lower = 0;
  /// Bound of every weight from above (\f$+\infty\f$ for none).
  double upper = 1;
  /// Not-a-knot cubic interpolation of the standards (Larch's choice); false for linear.
  bool cubic = true;
  /// Allow the standards to be extrapolated over a window they do not cover (otherwise an error).
  bool allow_extrapolation = false;
  /// Fit \f$d\mu/dE\f$ of data and standards (numpy-style gradient) instead of the arrays given.
  bool derivative = false;
  /// Energy shifts fitted with the weights (Levenberg–Marquardt over the shifts with the weights
  /// solved exactly inside).
  lcf_shift shift = lcf_shift::none;
  /// Bound on each shift's magnitude, eV.
  double max_shift = 5;
  /// Add a free constant background term (not part of the sum).
  bool constant_background = false;
  /// Add a free linear background term in \f$E - E_{\rm mid}\f$ (not part of the sum).
  bool linear_background = false;
  /// Standard deviation of each data point (whole spectrum); empty for an unweighted fit.
  vector_d sigma;
};

/// \brief A linear-combination fit.
/// \ingroup xas
///
/// \f$y(E) \approx \sum_j w_j\,s_j(E - \delta_j) + b_0 + b_1 (E - E_{\rm mid})\f$ over the window.
/// Statistics follow fit::least_squares_result (χ² weighted by \f$1/\sigma^2\f$ when given; the
/// R-factor \f$\sum r^2/\sum y^2\f$ unweighted, as Larch reports it).
struct lcf_result {
  std::vector<std::string> names;  ///< the standards, in the order given
  vector_d weights;                ///< \f$w_j\f$
  vector_d weight_errors;          ///< standard errors (0 for a weight held on a bound)
  matrix_d covariance;             ///< covariance of the weights (conditional on the shifts)
  double weight_sum = 0;           ///< \f$\sum_j w_j\f$
  double weight_sum_error = 0;     ///< its standard error (0 under sum_to_one)
  vector_d shifts;                 ///< \f$\delta_j\f$ in eV (empty without shifts; one value when shared)
  vector_d shift_errors;           ///< their standard errors
  vector_d background;             ///< \f$b_0\f$ and/or \f$b_1\f$, as requested (no errors reported)
  vector_d energy;                 ///< the window's energies
  vector_d data;                   ///< the fitted array over the window
  vector_d fit;                    ///< the model over the window
  vector_d residual;               ///< data − fit
  matrix_d components;             ///< \f$w_j s_j\f$, one column per standard
  double chi_square = 0;           ///< \f$\chi^2\f$
  double reduced_chi_square = 0;   ///< \f$\chi^2/\nu\f$
  double r_factor = 0;             ///< \f$\sum r^2/\sum y^2\f$
  double aic = 0;                  ///< \f$m\ln(\chi^2/m) + 2p\f$
  double bic = 0;                  ///< \f$m\ln(\chi^2/m) + p\ln m\f$
  index points = 0;                ///< \f$m\f$, points in the window
  index parameters = 0;            ///< effective parameters: free weights (−1 under the sum) + shifts + background
  bool converged = true;           ///< false only when a shift fit did not converge
};

namespace detail {

// The window's points, Larch's rule: [index_of(lower), index_of(upper)].
inline core::index_range lcf_window(const char* function, const vector_d& energy, const lcf_options& o) {
  const double origin = o.e0 ? *o.e0 : 0.0;
  const double lower = o.window.lower + origin;
  const double upper = o.window.upper + origin;
  if (std::isnan(lower) || std::isnan(upper) || !(lower < upper)) {
    throw invalid_input(core::detail::message(function, "window [" + core::detail::format_value(lower) + ", " +
                                                            core::detail::format_value(upper) +
                                                            "] eV; expected lower < upper"));
  }
  const index begin = std::isfinite(lower) ? core::index_of(energy, lower) : 0;
  const index last = std::isfinite(upper) ? core::index_of(energy, upper) : energy.size() - 1;
  if (upper < energy(0) || lower > energy(energy.size() - 1)) {
    throw invalid_input(core::detail::message(
        function, "window [" + core::detail::format_value(lower) + ", " + core::detail::format_value(upper) +
                      "] eV lies outside the data, which span [" + core::detail::format_value(energy(0)) + ", " +
                      core::detail::format_value(energy(energy.size() - 1)) + "] eV"));
  }
  return {begin, last - begin + 1};
}

// One standard prepared for evaluation anywhere: its spline (or linear) interpolant.
struct lcf_interpolant {
  std::string name;
  vector_d energy;
  vector_d values;
  std::optional<core::cubic_spline<double>> spline;

  vector_d at(const vector_d& e, bool extrapolate) const {
    if (spline) {
      return (*spline)(e);
    }
    return core::interpolate_linear(energy, values, e,
                                    extrapolate ? core::extrapolation::extend : core::extrapolation::forbid);
  }
};

inline std::vector<lcf_interpolant> lcf_prepare(const char* function, const std::vector<lcf_standard>& standards,
                                                const lcf_options& o) {
  std::vector<lcf_interpolant> out;
  for (const auto& s : standards) {
    const std::string label = "standard '" + s.name + "'";
    core::check_same_size(function, "standard.energy", s.energy, "standard.spectrum", s.spectrum);
    core::check_finite(function, "standard.energy", s.energy);
    core::check_finite(function, "standard.spectrum", s.spectrum);
    core::check_strictly_increasing(function, "standard.energy", s.energy);
    if (s.energy.size() < 4) {
      throw invalid_input(core::detail::message(
          function, label + " has " + std::to_string(s.energy.size()) + " points; expected at least 4"));
    }
    lcf_interpolant p{s.name, s.energy, o.derivative ? vector_d(core::gradient(s.spectrum, s.energy)) : s.spectrum,
                      std::nullopt};
    if (o.cubic) {
      p.spline.emplace(p.energy, p.values,
                       o.allow_extrapolation ? core::extrapolation::extend : core::extrapolation::forbid);
    }
    out.push_back(std::move(p));
  }
  return out;
}

// The standards on the (shifted) window energies; throws a clear error when one does not cover them.
inline matrix_d lcf_design(const char* function, const std::vector<lcf_interpolant>& standards, const vector_d& energy,
                           const vector_d& shifts, bool extrapolate) {
  matrix_d a(energy.size(), static_cast<index>(standards.size()));
  for (std::size_t j = 0; j < standards.size(); ++j) {
    const double shift = shifts.size() == 0 ? 0.0 : shifts(shifts.size() == 1 ? 0 : static_cast<index>(j));
    const vector_d at = energy.array() - shift;
    const auto& s = standards[j];
    if (!extrapolate && (at(0) < s.energy(0) || at(at.size() - 1) > s.energy(s.energy.size() - 1))) {
      throw invalid_input(core::detail::message(
          function, "standard '" + s.name + "' spans [" + core::detail::format_value(s.energy(0)) + ", " +
                        core::detail::format_value(s.energy(s.energy.size() - 1)) + "] eV but the fit needs [" +
                        core::detail::format_value(at(0)) + ", " + core::detail::format_value(at(at.size() - 1)) +
                        "] eV; expected it to cover the window (or set allow_extrapolation)"));
    }
    a.col(static_cast<index>(j)) = s.at(at, extrapolate);
  }
  return a;
}

// The data side of a fit over the window, shared by every set of standards fitted to it: the
// data, the square roots of the weights, and the background columns with the weighted projection
// that eliminates them (they are free and outside the sum, so the weights solve the reduced
// problem min ||P diag(s) (A w - y)|| and the background follows from the residual).
struct lcf_problem {
  core::index_range window;
  vector_d energy;
  vector_d data;
  vector_d sqrt_w;                               // empty: unweighted
  matrix_d background;                           // m x b, b = 0, 1 or 2
  Eigen::HouseholderQR<matrix_d> background_qr;  // of diag(s) B
  matrix_d background_q;                         // its thin Q (m x b)

  template <typename M>
  M weighted(const M& m) const {
    return sqrt_w.size() == 0 ? m : M(sqrt_w.asDiagonal() * m);
  }
  // (I - Q Q^T) diag(s) m: the weighted array with the best fit of the background removed.
  template <typename M>
  M reduced(const M& m) const {
    M out = weighted(m);
    if (background_q.cols() > 0) {
      out -= background_q * (background_q.transpose() * out);
    }
    return out;
  }
};

// Everything but the data (which lcf() sets; lcf_batch() has many).
inline lcf_problem lcf_make_problem(const char* function, const vector_d& energy, const lcf_options& o) {
  const auto window = lcf_window(function, energy, o);
  lcf_problem p;
  p.window = window;
  p.energy = energy.segment(window.begin, window.size);
  if (o.sigma.size() != 0) {
    core::check_same_size(function, "options.sigma", o.sigma, "energy", energy);
    core::check_positive(function, "options.sigma", o.sigma);
    p.sqrt_w = o.sigma.segment(window.begin, window.size).cwiseInverse();
  }
  p.background.resize(window.size, (o.constant_background ? 1 : 0) + (o.linear_background ? 1 : 0));
  if (o.constant_background) {
    p.background.col(0).setOnes();
  }
  if (o.linear_background) {
    p.background.col(p.background.cols() - 1) = p.energy.array() - 0.5 * (p.energy(0) + p.energy(window.size - 1));
  }
  if (p.background.cols() > 0) {
    p.background_qr.compute(p.weighted(p.background));
    p.background_q = p.background_qr.householderQ() * matrix_d::Identity(window.size, p.background.cols());
  }
  return p;
}

// The array fitted: the data, or their derivative (numpy-style gradient).
inline vector_d lcf_array(const vector_d& mu, const vector_d& energy, const lcf_options& o) {
  return o.derivative ? vector_d(core::gradient(mu, energy)) : mu;
}

// Parameters of a fit with `standards` standards: free weights, shifts and background terms.
inline void lcf_check_points(const char* function, const lcf_problem& p, index standards, const lcf_options& o) {
  const index shifts = o.shift == lcf_shift::none ? 0 : (o.shift == lcf_shift::shared ? 1 : standards);
  const index total = standards - (o.sum_to_one ? 1 : 0) + shifts + p.background.cols();
  if (p.window.size <= total) {
    throw invalid_input(core::detail::message(function, "the window holds " + std::to_string(p.window.size) +
                                                            " points for " + std::to_string(total) +
                                                            " parameters; expected more points than parameters"));
  }
}

// The constrained weights of the reduced problem, with the unscaled covariance (lcf_finish scales
// it by the fit's own reduced chi^2).
inline fit::least_squares_options<double> lcf_solver_options(const lcf_options& o, index standards) {
  fit::least_squares_options<double> ls;
  if (o.sum_to_one) {
    ls.sum_to = 1.0;
  }
  ls.lower = vector_d::Constant(standards, o.lower);
  ls.upper = vector_d::Constant(standards, o.upper);
  ls.scale_covariance = false;
  return ls;
}

inline invalid_input lcf_cannot_fit(const char* function, const std::string& why) {
  return invalid_input(core::detail::message(function, "the standards cannot be fitted: " + why));
}

template <typename DerivedA>
fit::least_squares_result<double> lcf_weights(const char* function, const Eigen::MatrixBase<DerivedA>& a,
                                              const vector_d& y, const lcf_options& o) {
  try {
    return fit::least_squares(a, y, lcf_solver_options(o, a.cols()));
  } catch (const invalid_input& e) {  // collinear standards, unreachable sum: say so in lcf's terms
    throw lcf_cannot_fit(function, e.what());
  }
}

// The result of `weights` of the standards whose window values are the columns of `components`
// (which become the result's w_j s_j): curves, background coefficients, statistics over the whole
// window, and the covariance scaled by chi^2 over the fit's degrees of freedom (which count shifts
// and background terms, as Larch's do).
inline lcf_result lcf_finish(const lcf_problem& p, matrix_d components, const vector_d& weights,
                             const matrix_d& unscaled_covariance, index weight_parameters, index shifts,
                             bool sum_to_one) {
  lcf_result out;
  out.energy = p.energy;
  out.data = p.data;
  out.weights = weights;
  out.components = std::move(components);
  out.components *= weights.asDiagonal();
  out.fit = out.components.rowwise().sum();
  if (p.background.cols() > 0) {
    out.background = p.background_qr.solve(p.weighted(vector_d(p.data - out.fit)));
    out.fit += p.background * out.background;
  }
  out.residual = out.data - out.fit;
  out.points = p.data.size();
  out.parameters = weight_parameters + shifts + p.background.cols();
  out.chi_square = p.weighted(out.residual).squaredNorm();
  const index dof = out.points - out.parameters;  // positive: lcf_check_points ran first
  out.reduced_chi_square = out.chi_square / static_cast<double>(dof);
  out.r_factor = out.residual.squaredNorm() / out.data.squaredNorm();
  out.aic = fit::aic(out.chi_square, out.points, out.parameters);
  out.bic = fit::bic(out.chi_square, out.points, out.parameters);
  out.covariance = unscaled_covariance * out.reduced_chi_square;
  out.weight_errors = out.covariance.diagonal().cwiseMax(0.0).cwiseSqrt();
  out.weight_sum = out.weights.sum();
  // Under the sum constraint the sum is known exactly (its covariance sums to rounding).
  out.weight_sum_error = sum_to_one ? 0.0 : std::sqrt(std::max(0.0, out.covariance.sum()));
  return out;
}

// The subset fits of lcf_all: each combination S of standards is min ||R_S w - z|| on columns of the
// one triangular factor R of all the standards, solved by a small allocation-free solver per
// combination size. Fits combinations [begin, end) (sizes ascending) into `fits`.
inline void lcf_fit_subsets(const char* function, const lcf_problem& problem, const matrix_d& design,
                            const matrix_d& triangular, const vector_d& z, const std::vector<lcf_standard>& standards,
                            const std::vector<std::vector<index>>& combinations, std::size_t begin, std::size_t end,
                            const lcf_options& o, std::vector<lcf_result>& fits) {
  std::optional<fit::detail::small_least_squares<double>> solver;
  fit::detail::constraint_set<double> constraints;
  index budget = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& pick = combinations[i];
    const auto k = static_cast<index>(pick.size());
    if (!solver || solver->coefficients().size() != k) {
      solver.emplace(triangular.rows(), k);
      try {
        constraints = fit::detail::prepare_constraints("valence::fit::least_squares", lcf_solver_options(o, k), k);
      } catch (const invalid_input& e) {  // an unreachable sum
        throw lcf_cannot_fit(function, e.what());
      }
      budget = 10 * k + 50;  // fit::least_squares's default
    }
    const Eigen::Map<const Eigen::Matrix<index, Eigen::Dynamic, 1>> columns(pick.data(), k);
    switch (solver->solve(triangular(Eigen::all, columns), z, constraints, budget)) {
      case fit::detail::small_fit_outcome::ok:
        break;
      case fit::detail::small_fit_outcome::iteration_limit:
        throw fit_error(core::detail::message(function, "the active-set method did not converge within " +
                                                            std::to_string(budget) +
                                                            " iterations; expected convergence"));
      case fit::detail::small_fit_outcome::singular:
        throw lcf_cannot_fit(function,
                             "a subproblem of the active-set method was singular; expected "
                             "linearly independent standards");
      case fit::detail::small_fit_outcome::rank_deficient:
        throw lcf_cannot_fit(
            function,
            "standard '" +
                standards[static_cast<std::size_t>(pick[static_cast<std::size_t>(solver->dependent_column())])].name +
                "' is a linear combination of the others in its combination (relative tolerance " +
                core::detail::format_value(double(triangular.rows()) * std::numeric_limits<double>::epsilon()) +
                "); expected linearly independent standards");
    }
    matrix_d components(design.rows(), k);
    for (index j = 0; j < k; ++j) {
      components.col(j) = design.col(pick[static_cast<std::size_t>(j)]);
    }
    fits[i] = lcf_finish(problem, std::move(components), solver->coefficients(), solver->unscaled_covariance(),
                         solver->parameters(), 0, o.sum_to_one);
  }
}

}  // namespace detail

/// \brief Fits a spectrum as a linear combination of reference spectra.
/// \ingroup xas
///
/// The standards are interpolated onto the data's energies in the window (not-a-knot cubic
/// splines by default, as Larch's `lincombo_fit` does), optionally as derivatives, and the weights
/// are found by fit::least_squares: exactly, with the sum constraint and bounds enforced (no
/// clipping, no penalty). Background terms are free and outside the sum. With shifts the standards
/// are evaluated at \f$E - \delta_j\f$ and fit::levenberg_marquardt() minimises over the shifts with
/// the weights solved exactly at every step (variable projection); the weight covariance is then
/// conditional on the fitted shifts. The covariance is scaled by \f$\chi^2_\nu\f$, as Larch's is.
/// \param energy data energies in eV, strictly increasing, finite.
/// \param mu the data array (same kind as the standards), finite.
/// \param standards one or more reference spectra on their own grids.
/// \param options window, constraints, interpolation, shifts, background, weights.
/// \returns weights with errors and covariance, shifts, curves and statistics.
/// \throws valence::invalid_input on size mismatches, non-finite or unsorted data, no standards,
///         a window outside the data, a standard that does not cover the window (unless
///         extrapolation is allowed), fewer points than parameters, a non-positive σ, bounds that
///         make the sum unreachable, or collinear standards (e.g. two identical ones).
///
/// **Accuracy.** On Larch's Au L3 example (three standards, sum to one, bounds [0, 1],
/// 11870–12030 eV) the weights agree with Larch's `lincombo_fit` to 1e-5 and χ² to 1e-6 relative;
/// weights of synthetic mixtures of real Mn oxide spectra, with noise and a known shift, are
/// recovered within their reported errors (tests/xas/test_lcf.cpp).
///
/// **Reference.** G. H. Golub, V. Pereyra, SIAM J. Numer. Anal. 10, 413 (1973) (variable projection).
[[nodiscard]] inline lcf_result lcf(const vector_d& energy, const vector_d& mu,
                                    const std::vector<lcf_standard>& standards, const lcf_options& options = {}) {
  constexpr const char* function = "valence::xas::lcf";
  core::check_same_size(function, "mu", mu, "energy", energy);
  core::check_finite(function, "energy", energy);
  core::check_finite(function, "mu", mu);
  core::check_min_size(function, "energy", energy, 4);
  core::check_strictly_increasing(function, "energy", energy);
  if (standards.empty()) {
    throw invalid_input(core::detail::message(function, "no standards were given; expected at least one"));
  }
  auto problem = detail::lcf_make_problem(function, energy, options);
  problem.data = detail::lcf_array(mu, energy, options).segment(problem.window.begin, problem.window.size);
  const auto prepared = detail::lcf_prepare(function, standards, options);
  const index n = static_cast<index>(standards.size());
  const index n_shifts = options.shift == lcf_shift::none ? 0 : (options.shift == lcf_shift::shared ? 1 : n);
  detail::lcf_check_points(function, problem, n, options);
  const vector_d y = problem.reduced(problem.data);
  const auto design_at = [&](const vector_d& shifts) {
    return detail::lcf_design(function, prepared, problem.energy, shifts, options.allow_extrapolation);
  };
  vector_d shifts = vector_d::Zero(n_shifts);
  vector_d shift_errors;
  bool converged = true;
  if (n_shifts > 0) {
    if (!(options.max_shift > 0) || !std::isfinite(options.max_shift)) {
      throw invalid_input(core::detail::message(function, "'options.max_shift' is " +
                                                              core::detail::format_value(options.max_shift) +
                                                              " eV; expected a positive finite bound"));
    }
    // Every shift the fit may try must find the standards defined: check the extremes up front.
    for (const double extreme : {-options.max_shift, options.max_shift}) {
      static_cast<void>(design_at(vector_d::Constant(1, extreme)));
    }
    // The reduced problem's residual is the weighted residual of the whole fit.
    const auto residuals = [&](const vector_d& d) -> vector_d {
      return detail::lcf_weights(function, problem.reduced(design_at(d)), y, options).residuals;
    };
    fit::levenberg_marquardt_options<double> lm;
    lm.lower = vector_d::Constant(n_shifts, -options.max_shift);
    lm.upper = vector_d::Constant(n_shifts, options.max_shift);
    lm.differences = fit::difference_scheme::central;
    lm.typical_magnitude = vector_d::Ones(n_shifts);  // 1 eV: shifts start at, and may end near, 0
    const auto shift_fit = fit::levenberg_marquardt(residuals, shifts, lm);
    shifts = shift_fit.parameters;
    shift_errors = shift_fit.standard_errors;
    converged = shift_fit.converged;
  }
  const matrix_d design = design_at(shifts);
  const auto weights = detail::lcf_weights(function, problem.reduced(design), y, options);
  auto out = detail::lcf_finish(problem, design, weights.coefficients, weights.covariance, weights.parameters, n_shifts,
                                options.sum_to_one);
  for (const auto& s : standards) {
    out.names.push_back(s.name);
  }
  out.shifts = shifts;
  out.shift_errors = shift_errors;
  out.converged = converged;
  return out;
}

/// \brief Linear-combination fits of many spectra against the same standards: maps of weights.
/// \ingroup xas
///
/// One value (or column) per spectrum; entries of a spectrum whose status is not `ok` are NaN.
/// \tparam Real the scalar type of the spectra (float or double).
template <typename Real>
struct lcf_batch_result {
  std::vector<std::string> names;          ///< the standards, in the order given
  matrix_x<Real> weights;                  ///< \f$n \times P\f$: \f$w_j\f$ of each spectrum
  matrix_x<Real> weight_errors;            ///< \f$n \times P\f$: their standard errors
  vector_x<Real> weight_sum;               ///< \f$P\f$: \f$\sum_j w_j\f$
  vector_x<Real> weight_sum_error;         ///< \f$P\f$: its standard error (0 under sum_to_one)
  vector_x<Real> mean_value;               ///< \f$P\f$: \f$\sum_j s_j w_j / \sum_j w_j\f$ (only with known values)
  vector_x<Real> mean_value_error;         ///< \f$P\f$: its standard error (only with known values)
  vector_x<Real> chi_square;               ///< \f$P\f$: \f$\chi^2\f$
  vector_x<Real> reduced_chi_square;       ///< \f$P\f$: \f$\chi^2/\nu\f$
  vector_x<Real> r_factor;                 ///< \f$P\f$: \f$\sum r^2/\sum y^2\f$ (unweighted)
  std::vector<fit::column_status> status;  ///< \f$P\f$: why a spectrum was not fitted (NaN data, …)
  index points = 0;                        ///< points in the window
  /// \brief Number of spectra that were not fitted.
  /// \returns the count of statuses that are not `ok`.
  [[nodiscard]] index failed() const {
    return static_cast<index>(
        std::count_if(status.begin(), status.end(), [](fit::column_status s) { return s != fit::column_status::ok; }));
  }
};

/// \brief Fits every spectrum of a series or stack as a linear combination of the same standards.
/// \ingroup xas
///
/// The model, window, constraints and statistics are those of lcf() without shifts, and each
/// column's result equals lcf()'s on that spectrum (to rounding). The standards are interpolated
/// (and differentiated) once; the spectra go through fit::least_squares_batch() with one
/// factorisation of the standards, in parallel when compiled with OpenMP. Background terms and
/// derivatives are handled on a double copy of the window (the background projected out of data
/// and standards, as in lcf()); otherwise the spectra are read in place.
///
/// With \p known_values \f$s_j\f$ (e.g. the oxidation states 2, 3, 4 of MnO, Mn₂O₃ and MnO₂) each
/// spectrum also gets \f$\bar s = \sum_j s_j w_j / \sum_j w_j\f$ with its standard error propagated
/// from that spectrum's weight covariance, as core::weighted_mean_of_known_values() computes it.
/// \tparam Derived an Eigen matrix expression of float or double (contiguous or strided).
/// \param energy data energies in eV, strictly increasing, finite (one per row of \p spectra).
/// \param spectra one spectrum per column (energies × spectra, as normalize_stack() lays a stack).
/// \param standards one or more reference spectra on their own grids.
/// \param options as lcf(); `shift` must be lcf_shift::none.
/// \param known_values one value per standard, or empty.
/// \returns maps of weights, errors, sums, mean values and statistics, with a status per spectrum.
/// \throws valence::invalid_input on a row count that differs from \p energy's size, bad energies,
///         no standards, shifts requested, known values of the wrong length or not finite, and
///         every error of lcf() about the window, the standards and the options. A spectrum with a
///         non-finite value in the window is not an error: its status is
///         fit::column_status::non_finite_data and the others are fitted.
///
/// **Accuracy.** Weights, errors, χ² and R-factors equal lcf() column by column to 1e-9 relative
/// on noisy Mn oxide mixtures, with and without σ, background and derivatives
/// (tests/xas/test_lcf_batch.cpp).
template <typename Derived>
[[nodiscard]] lcf_batch_result<typename Derived::Scalar> lcf_batch(const vector_d& energy,
                                                                   const Eigen::MatrixBase<Derived>& spectra,
                                                                   const std::vector<lcf_standard>& standards,
                                                                   const lcf_options& options = {},
                                                                   const vector_d& known_values = vector_d()) {
  using Real = typename Derived::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::xas::lcf_batch requires float or double spectra");
  constexpr const char* function = "valence::xas::lcf_batch";
  core::check_finite(function, "energy", energy);
  core::check_min_size(function, "energy", energy, 4);
  core::check_strictly_increasing(function, "energy", energy);
  if (spectra.rows() != energy.size()) {
    throw invalid_input(core::detail::message(function, "'spectra' has " + std::to_string(spectra.rows()) +
                                                            " rows but 'energy' has " + std::to_string(energy.size()) +
                                                            " values; expected one row per energy"));
  }
  if (standards.empty()) {
    throw invalid_input(core::detail::message(function, "no standards were given; expected at least one"));
  }
  if (options.shift != lcf_shift::none) {
    throw invalid_input(core::detail::message(
        function,
        "'options.shift' asks for energy shifts; expected lcf_shift::none (fit shifts with lcf() on a "
        "representative spectrum and shift the standards' energies)"));
  }
  const auto n = static_cast<index>(standards.size());
  if (known_values.size() != 0) {
    if (known_values.size() != n) {
      throw invalid_input(core::detail::message(function, "'known_values' has " + std::to_string(known_values.size()) +
                                                              " values for " + std::to_string(n) +
                                                              " standards; expected one per standard"));
    }
    core::check_finite(function, "known_values", known_values);
  }
  const auto problem = detail::lcf_make_problem(function, energy, options);
  detail::lcf_check_points(function, problem, n, options);
  const matrix_d design = detail::lcf_design(function, detail::lcf_prepare(function, standards, options),
                                             problem.energy, vector_d(), options.allow_extrapolation);
  const index m = problem.window.size;
  const index count = spectra.cols();
  const index background = problem.background.cols();
  fit::least_squares_options<Real> ls;
  if (options.sum_to_one) {
    ls.sum_to = Real(1);
  }
  ls.lower = vector_x<Real>::Constant(n, Real(options.lower));
  ls.upper = vector_x<Real>::Constant(n, Real(options.upper));
  fit::batch_options<Real> batch;
  batch.keep_covariance = known_values.size() != 0 || !options.sum_to_one;
  batch.keep_residuals = background > 0;  // for the unweighted R-factor, which projection hides
  const auto solve = [&](const matrix_d& a, const auto& y) {
    try {
      return fit::least_squares_batch(matrix_x<Real>(a.template cast<Real>()), y, ls, batch);
    } catch (const invalid_input& e) {  // collinear standards, unreachable sum: say so in lcf's terms
      throw invalid_input(core::detail::message(function, std::string("the standards cannot be fitted: ") + e.what()));
    }
  };
  fit::least_squares_batch_result<Real> fitted;
  vector_d data_norm2;
  if (!options.derivative && background == 0) {
    if (problem.sqrt_w.size() != 0) {
      ls.weights = problem.sqrt_w.cwiseAbs2().template cast<Real>();
    }
    fitted = solve(design, spectra.middleRows(problem.window.begin, m));
  } else {
    matrix_d y(m, count);
    for (index p = 0; p < count; ++p) {
      const vector_d column = spectra.col(p).template cast<double>();
      y.col(p) = detail::lcf_array(column, energy, options).segment(problem.window.begin, m);
    }
    if (background == 0) {
      if (problem.sqrt_w.size() != 0) {
        ls.weights = problem.sqrt_w.cwiseAbs2().template cast<Real>();
      }
      fitted = solve(design, matrix_x<Real>(y.template cast<Real>()));
    } else {
      data_norm2 = y.colwise().squaredNorm().transpose();
      fitted = solve(problem.reduced(design), matrix_x<Real>(problem.reduced(y).template cast<Real>()));
    }
  }
  lcf_batch_result<Real> out;
  for (const auto& s : standards) {
    out.names.push_back(s.name);
  }
  out.points = m;
  out.weights = std::move(fitted.coefficients);
  out.weight_errors = std::move(fitted.standard_errors);
  out.chi_square = std::move(fitted.chi_square);
  out.reduced_chi_square = std::move(fitted.reduced_chi_square);
  out.r_factor = std::move(fitted.r_factor);
  out.status = std::move(fitted.status);
  out.weight_sum = out.weights.colwise().sum().transpose();
  out.weight_sum_error = vector_x<Real>::Zero(count);
  constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  if (known_values.size() != 0) {
    out.mean_value = vector_x<Real>::Constant(count, nan);
    out.mean_value_error = vector_x<Real>::Constant(count, nan);
  }
  for (index p = 0; p < count; ++p) {
    if (out.status[static_cast<std::size_t>(p)] != fit::column_status::ok) {
      out.weight_sum_error(p) = nan;
      continue;
    }
    Real scale = 1;  // the background terms' degrees of freedom, which the batch did not see
    if (background > 0) {
      const index dof = fitted.dof(p) - background;
      scale = Real(fitted.dof(p)) / Real(dof);
      out.reduced_chi_square(p) = out.chi_square(p) / Real(dof);
      out.weight_errors.col(p) *= std::sqrt(scale);
      const vector_d weighted = fitted.residuals.col(p).template cast<double>();
      const vector_d residual =
          problem.sqrt_w.size() == 0 ? weighted : vector_d(weighted.cwiseQuotient(problem.sqrt_w));
      out.r_factor(p) = Real(residual.squaredNorm() / data_norm2(p));
    }
    if (!batch.keep_covariance) {
      continue;
    }
    const matrix_d covariance =
        Eigen::Map<const matrix_x<Real>>(fitted.covariances.col(p).data(), n, n).template cast<double>() *
        double(scale);
    if (!options.sum_to_one) {
      out.weight_sum_error(p) = Real(std::sqrt(std::max(0.0, covariance.sum())));
    }
    if (known_values.size() != 0 && out.weight_sum(p) != 0) {
      const auto mean = core::weighted_mean_of_known_values(
          known_values, vector_d(out.weights.col(p).template cast<double>()), covariance);
      out.mean_value(p) = Real(mean.value);
      out.mean_value_error(p) = Real(mean.standard_error);
    }
  }
  return out;
}

/// \brief How lcf_all() ranks its fits.
/// \ingroup xas
enum class lcf_rank : std::uint8_t {
  reduced_chi_square,  ///< ascending \f$\chi^2_\nu\f$ (Larch's order)
  r_factor             ///< ascending R-factor
};

/// \brief Settings of lcf_all() beyond those of each fit.
/// \ingroup xas
struct lcf_all_options {
  index min_standards = 1;            ///< smallest combination size
  index max_standards = 4;            ///< largest combination size (at most the number of standards)
  std::vector<std::string> required;  ///< standards every combination must contain
  /// A fit whose standards with weight above this are exactly the standards of a fit already kept
  /// (a smaller combination, fitted earlier) is dropped, as Larch does.
  double min_weight = 0.0005;
  lcf_rank rank_by = lcf_rank::reduced_chi_square;  ///< ranking of the kept fits
};

/// \brief One combination fitted by lcf_all().
/// \ingroup xas
struct lcf_all_entry {
  std::vector<index> standards;  ///< indices into the standards given, ascending
  lcf_result fit;                ///< the fit with only those standards
  /// Hamilton's test of this fit against the best one: the probability that the best fit's lower
  /// R-factor arises by chance. Defined when the best fit has more parameters; NaN otherwise (1 for
  /// the best fit itself).
  double p_value = 1;
};

namespace detail {

// Every combination of min..max of n indices (ascending, by size then lexicographically) that
// contains all the required ones.
inline std::vector<std::vector<index>> combinations_with(index n, index min_size, index max_size,
                                                         const std::vector<bool>& required) {
  std::vector<std::vector<index>> out;
  for (index k = min_size; k <= max_size; ++k) {
    std::vector<index> pick(static_cast<std::size_t>(k));
    for (index j = 0; j < k; ++j) {
      pick[static_cast<std::size_t>(j)] = j;
    }
    for (;;) {
      index found = 0;
      for (const index j : pick) {
        found += required[static_cast<std::size_t>(j)] ? 1 : 0;
      }
      if (found == static_cast<index>(std::count(required.begin(), required.end(), true))) {
        out.push_back(pick);
      }
      index j = k - 1;
      while (j >= 0 && pick[static_cast<std::size_t>(j)] == n - k + j) {
        --j;
      }
      if (j < 0) {
        break;
      }
      ++pick[static_cast<std::size_t>(j)];
      for (index i = j + 1; i < k; ++i) {
        pick[static_cast<std::size_t>(i)] = pick[static_cast<std::size_t>(i - 1)] + 1;
      }
    }
  }
  return out;
}

}  // namespace detail

/// \brief Fits every combination of min_standards … max_standards standards and ranks the fits.
/// \ingroup xas
///
/// Without shifts the standards are interpolated once, the weighted design (with any background
/// projected out) is factored once, \f$A' = QR\f$, and each combination \f$S\f$ is the exact
/// constrained solve of \f$\min\|R_S w - Q^Ty'\|\f$: the same problem as lcf() on those
/// standards, in \f$n\f$ rows instead of \f$m\f$, by fit::least_squares's active-set method on
/// buffers reused from one combination to the next (no allocation per solve). Curves and
/// statistics are then formed over the whole window, so every entry is the result lcf() returns
/// (measured: weights to 2e-13 relative, χ² to 1e-14). With shifts each
/// combination is a full lcf(). Combinations are fitted in parallel when the library is compiled
/// with OpenMP; Larch's duplicate rule is then applied in the order of size, so the smaller of two
/// fits that use the same standards is kept, whatever the number of threads.
/// \param energy, mu the data, as lcf().
/// \param standards the candidate standards.
/// \param options the settings of every fit (window, constraints, shifts, …).
/// \param all the combination settings.
/// \returns the kept fits, best first.
/// \throws valence::invalid_input as lcf(), and if max_standards exceeds the number of standards,
///         min_standards < 1 or > max_standards, or a required standard is unknown; it names the
///         standard that makes a combination collinear.
/// \throws valence::fit_error if a combination's active-set solve exceeds its iteration budget
///         (10 k + 50 iterations for k standards, fit::least_squares's default).
///
/// **Performance.** 8 standards, every combination of 2–4 (154 fits), 200 points: 0.6 ms per
/// spectrum on one core and 0.37 ms on two, 10–17× one lcf() call per combination
/// (benchmarks/bench_lcf_all.cpp, docs/performance.md).
[[nodiscard]] inline std::vector<lcf_all_entry> lcf_all(const vector_d& energy, const vector_d& mu,
                                                        const std::vector<lcf_standard>& standards,
                                                        const lcf_options& options = {},
                                                        const lcf_all_options& all = {}) {
  constexpr const char* function = "valence::xas::lcf_all";
  const auto n = static_cast<index>(standards.size());
  if (all.min_standards < 1 || all.min_standards > all.max_standards || all.max_standards > n) {
    throw invalid_input(core::detail::message(
        function, "combination sizes " + std::to_string(all.min_standards) + " to " +
                      std::to_string(all.max_standards) + " with " + std::to_string(n) +
                      " standards; expected 1 <= min_standards <= max_standards <= number of standards"));
  }
  std::vector<bool> required(standards.size(), false);
  for (const auto& name : all.required) {
    const auto it =
        std::find_if(standards.begin(), standards.end(), [&](const lcf_standard& s) { return s.name == name; });
    if (it == standards.end()) {
      throw invalid_input(
          core::detail::message(function, "required standard '" + name + "' is not among the standards"));
    }
    required[static_cast<std::size_t>(it - standards.begin())] = true;
  }
  const auto combinations = detail::combinations_with(n, all.min_standards, all.max_standards, required);
  std::vector<lcf_result> fits(combinations.size());
  const auto subset_names = [&](const std::vector<index>& pick) {
    std::vector<std::string> names;
    for (const index j : pick) {
      names.push_back(standards[static_cast<std::size_t>(j)].name);
    }
    return names;
  };
  if (options.shift == lcf_shift::none) {
    // Every fit shares the data, the interpolated standards and the reduced problem
    // min ||A' w - y'|| (lcf_problem). With A' = Q R factored once, the fit on the columns S is
    // min ||R_S w - Q^T y'||^2 + const: the same constrained problem in n rows instead of m, solved
    // by lcf_fit_subsets. Statistics are then formed over the whole window.
    core::check_same_size(function, "mu", mu, "energy", energy);
    core::check_finite(function, "energy", energy);
    core::check_finite(function, "mu", mu);
    core::check_min_size(function, "energy", energy, 4);
    core::check_strictly_increasing(function, "energy", energy);
    auto problem = detail::lcf_make_problem(function, energy, options);
    problem.data = detail::lcf_array(mu, energy, options).segment(problem.window.begin, problem.window.size);
    detail::lcf_check_points(function, problem, all.max_standards, options);
    const matrix_d design = detail::lcf_design(function, detail::lcf_prepare(function, standards, options),
                                               problem.energy, vector_d(), options.allow_extrapolation);
    const Eigen::HouseholderQR<matrix_d> qr(problem.reduced(design));
    const index rows = std::min(design.rows(), n);
    const matrix_d triangular = qr.matrixQR().topRows(rows).triangularView<Eigen::Upper>();
    const vector_d z = (qr.householderQ().transpose() * problem.reduced(problem.data)).head(rows);
    // Chunks of combinations share a solver (its buffers) per combination size.
    constexpr std::size_t chunk = 16;
    core::detail::for_each_in_parallel((combinations.size() + chunk - 1) / chunk, [&](std::size_t c) {
      const std::size_t begin = c * chunk;
      const std::size_t end = std::min(combinations.size(), begin + chunk);
      detail::lcf_fit_subsets(function, problem, design, triangular, z, standards, combinations, begin, end, options,
                              fits);
      for (std::size_t i = begin; i < end; ++i) {
        fits[i].names = subset_names(combinations[i]);
      }
    });
  } else {
    core::detail::for_each_in_parallel(combinations.size(), [&](std::size_t i) {
      std::vector<lcf_standard> subset;
      for (const index j : combinations[i]) {
        subset.push_back(standards[static_cast<std::size_t>(j)]);
      }
      fits[i] = lcf(energy, mu, subset, options);
    });
  }
  // Larch's duplicate rule, in the order of the combinations (smaller sets first).
  std::vector<std::size_t> kept_fits;
  std::set<std::vector<index>> kept_sets;
  for (std::size_t i = 0; i < combinations.size(); ++i) {
    const auto& pick = combinations[i];
    std::vector<index> significant;
    for (std::size_t j = 0; j < pick.size(); ++j) {
      if (std::abs(fits[i].weights(static_cast<index>(j))) > all.min_weight) {
        significant.push_back(pick[j]);
      }
    }
    if (kept_sets.insert(std::move(significant)).second) {
      kept_fits.push_back(i);
    }
  }
  const auto key = [&](std::size_t i) {
    return all.rank_by == lcf_rank::r_factor ? fits[i].r_factor : fits[i].reduced_chi_square;
  };
  std::stable_sort(kept_fits.begin(), kept_fits.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<lcf_all_entry> kept;
  kept.reserve(kept_fits.size());
  for (const std::size_t i : kept_fits) {
    kept.push_back({combinations[i], std::move(fits[i]), 1.0});
  }
  if (!kept.empty()) {
    const auto& best = kept.front().fit;
    for (std::size_t i = 1; i < kept.size(); ++i) {
      const auto& f = kept[i].fit;
      kept[i].p_value =
          best.parameters > f.parameters && best.r_factor <= f.r_factor
              ? fit::hamilton_test(f.r_factor, f.parameters, best.r_factor, best.parameters, f.points).p_value
              : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return kept;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_LCF_HPP
