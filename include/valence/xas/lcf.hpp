// SPDX-License-Identifier: MIT
/// \file
/// \brief Linear-combination fitting of XANES spectra by reference spectra.
#ifndef VALENCE_XAS_LCF_HPP
#define VALENCE_XAS_LCF_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/propagation.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/information_criteria.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/fit/levenberg_marquardt.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
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
template <class = void>
core::index_range lcf_window(const char* function, const vector_ref& energy, const lcf_options& o) {
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

  vector_d at(const vector_ref& e, bool extrapolate) const {
    if (spline) {
      return (*spline)(e);
    }
    return core::interpolate_linear(energy, values, e,
                                    extrapolate ? core::extrapolation::extend : core::extrapolation::forbid);
  }
};

template <class = void>
std::vector<lcf_interpolant> lcf_prepare(const char* function, const std::vector<lcf_standard>& standards,
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
    out.push_back(
        {s.name, s.energy, o.derivative ? vector_d(core::gradient(s.spectrum, s.energy)) : s.spectrum, std::nullopt});
  }
  if (!o.cubic) {
    return out;
  }
  // Standards on one energy grid (measured on one beamline, or interpolated beforehand) share
  // their splines' factorisation (cubic_spline::through_columns).
  const auto mode = o.allow_extrapolation ? core::extrapolation::extend : core::extrapolation::forbid;
  for (std::size_t a = 0; a < out.size(); ++a) {
    if (out[a].spline) {
      continue;
    }
    std::vector<std::size_t> group{a};
    for (std::size_t b = a + 1; b < out.size(); ++b) {
      if (!out[b].spline && out[b].energy.size() == out[a].energy.size() && out[b].energy == out[a].energy) {
        group.push_back(b);
      }
    }
    matrix_d values(out[a].energy.size(), static_cast<index>(group.size()));
    for (std::size_t j = 0; j < group.size(); ++j) {
      values.col(static_cast<index>(j)) = out[group[j]].values;
    }
    auto splines = core::cubic_spline<double>::through_columns(out[a].energy, values, mode);
    for (std::size_t j = 0; j < group.size(); ++j) {
      out[group[j]].spline = std::move(splines[j]);
    }
  }
  return out;
}

// The standards on the (shifted) window energies; throws a clear error when one does not cover them.
template <class = void>
matrix_d lcf_design(const char* function, const std::vector<lcf_interpolant>& standards, const vector_ref& energy,
                    const vector_ref& shifts, bool extrapolate) {
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
  vector_d sqrt_w;                                    // empty: unweighted
  matrix_d background;                                // m x b, b = 0, 1 or 2
  fit::detail::householder_qr<double> background_qr;  // of diag(s) B

  // diag(s) m, or m itself when unweighted.
  [[nodiscard]] matrix_d weighted(const matrix_ref& m) const {
    matrix_d out = m;
    if (sqrt_w.size() != 0) {
      out.array().colwise() *= sqrt_w.array();
    }
    return out;
  }
  // (I - Q Q^T) diag(s) m = Q (I - E_b) Q^T diag(s) m: the weighted array with the best fit of the
  // background removed, by the reflectors of its QR (E_b selects the first b rows).
  [[nodiscard]] matrix_d reduced(const matrix_ref& m) const {
    matrix_d out = weighted(m);
    if (background.cols() > 0) {
      background_qr.apply_qt(out);
      out.topRows(background.cols()).setZero();
      background_qr.apply_q(out);
    }
    return out;
  }
};

// Everything but the data (which lcf() sets; lcf_batch() has many).
template <class = void>
lcf_problem lcf_make_problem(const char* function, const vector_ref& energy, const lcf_options& o) {
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
    p.background_qr.compute(p.weighted(p.background), false);
  }
  return p;
}

// The array fitted: the data, or their derivative (numpy-style gradient).
template <class = void>
vector_d lcf_array(const vector_ref& mu, const vector_ref& energy, const lcf_options& o) {
  return o.derivative ? vector_d(core::gradient(mu, energy)) : vector_d(mu);
}

// Parameters of a fit with `standards` standards: free weights, shifts and background terms.
template <class = void>
void lcf_check_points(const char* function, const lcf_problem& p, index standards, const lcf_options& o) {
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
template <class = void>
fit::least_squares_options<double> lcf_solver_options(const lcf_options& o, index standards) {
  fit::least_squares_options<double> ls;
  if (o.sum_to_one) {
    ls.sum_to = 1.0;
  }
  ls.lower = vector_d::Constant(standards, o.lower);
  ls.upper = vector_d::Constant(standards, o.upper);
  ls.scale_covariance = false;
  return ls;
}

template <class = void>
invalid_input lcf_cannot_fit(const char* function, const std::string& why) {
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
template <class = void>
lcf_result lcf_finish(const lcf_problem& p, matrix_d components, const vector_ref& weights,
                      const matrix_ref& unscaled_covariance, index weight_parameters, index shifts, bool sum_to_one) {
  lcf_result out;
  out.energy = p.energy;
  out.data = p.data;
  out.weights = weights;
  out.components = std::move(components);
  out.components *= weights.asDiagonal();
  out.fit = out.components.col(0);
  for (index j = 1; j < out.components.cols(); ++j) {  // the row sums, column by column (contiguous)
    out.fit += out.components.col(j);
  }
  if (p.background.cols() > 0) {
    matrix_d rhs = p.weighted(p.data - out.fit);
    p.background_qr.apply_qt(rhs);
    out.background.resize(p.background.cols());
    fit::detail::back_substitute<double>(p.background_qr.packed().topRows(p.background.cols()), rhs.col(0),
                                         out.background);
    out.fit += p.background * out.background;
  }
  out.residual = out.data - out.fit;
  out.points = p.data.size();
  out.parameters = weight_parameters + shifts + p.background.cols();
  out.chi_square = p.sqrt_w.size() != 0 ? (out.residual.array() * p.sqrt_w.array()).matrix().squaredNorm()
                                        : out.residual.squaredNorm();  // no weighted copy
  const index dof = out.points - out.parameters;                       // positive: lcf_check_points ran first
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
template <class = void>
[[nodiscard]] lcf_result lcf(const vector_ref& energy, const vector_ref& mu, const std::vector<lcf_standard>& standards,
                             const lcf_options& options = {}) {
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

}  // namespace valence::xas

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::xas {
extern template lcf_result lcf<>(const vector_ref&, const vector_ref&, const std::vector<lcf_standard>&,
                                 const lcf_options&);
}  // namespace valence::xas
#endif

#endif  // VALENCE_XAS_LCF_HPP
