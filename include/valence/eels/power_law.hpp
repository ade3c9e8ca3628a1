// SPDX-License-Identifier: MIT
/// \file
/// \brief Power-law background \f$A E^{-r}\f$ of an EELS edge: HyperSpy's two-area estimate,
/// a weighted log–log fit and a Poisson maximum-likelihood fit, each with standard errors; and its
/// subtraction with the propagated uncertainty.
#ifndef VALENCE_EELS_POWER_LAW_HPP
#define VALENCE_EELS_POWER_LAW_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/packet.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace valence::eels {

/// \defgroup eels Electron energy-loss spectroscopy
/// \brief Power-law background of core-loss edges (fit, subtraction) and MLLS fits of reference spectra.

/// \brief How power_law_fit() estimates \f$A\f$ and \f$r\f$.
/// \ingroup eels
enum class power_law_method {
  /// HyperSpy's `PowerLaw.estimate_parameters`: the integrals \f$I_1, I_2\f$ of two adjacent
  /// halves of the window give \f$r = 2\ln(I_1/I_2)/\ln(x_2/x_1)\f$ and
  /// \f$A = (1-r) I_2/(x_2^{1-r} - x_3^{1-r})\f$, with HyperSpy's channel snapping and even-span rule.
  /// Fast and exact to HyperSpy, but biased: the sums run over channel centres, half a channel
  /// below the limits the formula integrates between (noiseless 0.25 eV channels over 420–540 eV
  /// with r = 2.9: r + 0.0042, A + 2.7 %, 1.7 times the Poisson error at 10⁵ counts per channel).
  two_area,
  /// Least squares of \f$\ln c_i = \ln A' - r \ln E_i\f$ with weights \f$c_i\f$ (the inverse
  /// variance of \f$\ln c_i\f$ for Poisson counts).
  log_linear,
  /// Poisson maximum likelihood, \f$\max \sum_i c_i\ln\mu_i - \mu_i\f$, by iteratively reweighted
  /// least squares from the log–linear fit; counts may be zero.
  poisson
};

/// \brief Outcome of power_law_fit() beyond what it throws for: the window's counts do not allow
/// the method (HyperSpy returns A = r = 0 silently in that case).
/// \ingroup eels
enum class power_law_status {
  ok,                   ///< fitted
  non_positive_counts,  ///< a two-area integral (or, for log_linear, a channel) is \f$\le 0\f$, or a count is negative
  not_converged         ///< the Poisson iteration did not converge in 100 steps
};

/// \brief The name of a power_law_status, e.g. `"non_positive_counts"`.
/// \ingroup eels
/// \param status the status. \returns a static string.
[[nodiscard]] constexpr const char* to_string(power_law_status status) noexcept {
  switch (status) {
    case power_law_status::ok:
      return "ok";
    case power_law_status::non_positive_counts:
      return "non_positive_counts";
    case power_law_status::not_converged:
      return "not_converged";
  }
  return "unknown";
}

/// \brief Options of power_law_fit().
/// \ingroup eels
struct power_law_options {
  power_law_method method = power_law_method::two_area;  ///< the estimator
  /// Counts per channel (HyperSpy's default for EELS): the two areas are plain sums and the model
  /// of a channel is \f$A E^{-r} h\f$ (\f$h\f$ the channel width), so \f$A\f$ is per eV. When
  /// false, the two areas are Simpson integrals (SciPy's `simpson`, averaging the two end
  /// treatments for an even number of points, as SciPy ≤ 1.10) and the model is \f$A E^{-r}\f$.
  bool binned = true;
};

/// \brief Result of power_law_fit().
/// \ingroup eels
struct power_law_result {
  double amplitude = std::numeric_limits<double>::quiet_NaN();  ///< \f$A\f$
  double exponent = std::numeric_limits<double>::quiet_NaN();   ///< \f$r\f$
  /// Standard errors and covariance of \f$(A, r)\f$: for two_area from Poisson statistics of the
  /// two integrals (\f$\mathrm{var}\,I = \sum w_i^2 c_i\f$), for log_linear from the weighted fit
  /// (scaled by its reduced χ²), for poisson from the Fisher information.
  double amplitude_error = std::numeric_limits<double>::quiet_NaN();
  double exponent_error = std::numeric_limits<double>::quiet_NaN();  ///< see amplitude_error
  double covariance = std::numeric_limits<double>::quiet_NaN();      ///< cov(A, r)
  core::index_range channels;                      ///< the channels used (two_area: HyperSpy's [i1, i2))
  double channel_width = 0;                        ///< \f$h\f$, eV (the model of a binned channel is \f$A E^{-r} h\f$)
  bool binned = true;                              ///< as in the options
  index iterations = 0;                            ///< Poisson iterations (0 for the other methods)
  power_law_status status = power_law_status::ok;  ///< see power_law_status

  /// \brief The background at energy \p e: counts per channel (binned) or \f$A e^{-r}\f$.
  /// \param e energy loss, eV, \f$> 0\f$. \returns the modelled background.
  [[nodiscard]] double operator()(double e) const {
    return amplitude * std::pow(e, -exponent) * (binned ? channel_width : 1.0);
  }
};

namespace detail {

// HyperSpy's uniform-axis value2index: truncate at 1e-12, round half towards zero (energies > 0).
inline index hyperspy_index(double value, double offset, double scale, index size) {
  double x = (value - offset) / scale;
  x = std::trunc(x * 1e12) / 1e12;
  const auto i = static_cast<index>(std::ceil(x - 0.5));
  return std::clamp<index>(i, 0, size - 1);
}

// Weights w_i of SciPy's simpson(y, x) over points [first, last) of x (SciPy <= 1.10, even="avg").
template <class = void>
vector_d simpson_weights(const vector_ref& x, index first, index last) {
  const index n = last - first;
  vector_d w = vector_d::Zero(n);
  const auto add_simpson = [&](index from, index count, double share) {  // odd count >= 3
    for (index k = from; k + 2 < from + count; k += 2) {
      const double h0 = x(first + k + 1) - x(first + k);
      const double h1 = x(first + k + 2) - x(first + k + 1);
      const double sum = h0 + h1;
      w(k) += share * sum / 6 * (2 - h1 / h0);
      w(k + 1) += share * sum / 6 * sum * sum / (h0 * h1);
      w(k + 2) += share * sum / 6 * (2 - h0 / h1);
    }
  };
  const auto add_trapezoid = [&](index k, double share) {
    const double h = x(first + k + 1) - x(first + k);
    w(k) += share * h / 2;
    w(k + 1) += share * h / 2;
  };
  if (n == 1) {
    return w;
  }
  if (n == 2) {
    add_trapezoid(0, 1.0);
  } else if (n % 2 == 1) {
    add_simpson(0, n, 1.0);
  } else {  // average of Simpson on the first n-1 points + trapezoid, and trapezoid + Simpson on the last n-1
    add_simpson(0, n - 1, 0.5);
    add_trapezoid(n - 2, 0.5);
    add_trapezoid(0, 0.5);
    add_simpson(1, n - 1, 0.5);
  }
  return w;
}

// The channels and weights of a two-area estimate, fixed by the axis and the window: prepared
// once, so that estimating a spectrum image's pixels allocates nothing.
struct two_area_setup {
  index i1 = 0;  // first channel of I1
  index i3 = 0;  // first channel of I2
  index i2 = 0;  // one past the last channel of I2
  double x1 = 0, x2 = 0, x3 = 0;
  double log_x2 = 0, log_x3 = 0, span = 0;  // ln x2, ln x3, ln(x2/x1): fixed by the axis
  bool binned = true;                       // plain sums: the weights below are ones
  vector_d w1, w2;                          // integration weights of the halves (ones when binned)
  vector_d w1_squared, w2_squared;          // their squares, for the variances
};

// HyperSpy's snapping and even-span rule (see power_law_fit); throws when the halves do not fit.
template <class = void>
two_area_setup make_two_area_setup(const char* function, const vector_ref& energy, const core::window<double>& window,
                                   bool binned) {
  using core::detail::format_value;
  const index n = energy.size();
  const double offset = energy(0);
  const double scale = (energy(n - 1) - energy(0)) / double(n - 1);
  for (index i = 1; i < n; ++i) {
    if (std::abs(energy(i) - (offset + double(i) * scale)) > 1e-6 * scale) {
      throw invalid_input(
          core::detail::message(function, "parameter 'energy' is not uniform at index " + std::to_string(i) +
                                              "; expected equally spaced channels for the two-area method"));
    }
  }
  two_area_setup s;
  s.i1 = hyperspy_index(window.lower, offset, scale, n);
  s.i2 = hyperspy_index(window.upper, offset, scale, n);
  if ((s.i1 + s.i2) % 2 == 1) {
    --s.i2;
  }
  if (s.i2 == s.i1) {
    s.i2 += 2;
  }
  s.i3 = (s.i1 + s.i2) / 2;
  if (s.i2 > n - 1 || s.i3 - s.i1 < 1) {
    throw invalid_input(core::detail::message(
        function, "window [" + format_value(window.lower) + ", " + format_value(window.upper) +
                      "] eV snaps to channels " + std::to_string(s.i1) + " ... " + std::to_string(s.i2) +
                      "; expected two halves of at least one channel within the data"));
  }
  s.x1 = energy(s.i1);
  s.x2 = energy(s.i2);
  s.x3 = energy(s.i3);
  s.log_x2 = std::log(s.x2);
  s.log_x3 = std::log(s.x3);
  s.span = std::log(s.x2 / s.x1);
  s.binned = binned;
  s.w1 = binned ? vector_d::Ones(s.i3 - s.i1) : simpson_weights(energy, s.i1, s.i3);
  s.w2 = binned ? vector_d::Ones(s.i2 - s.i3) : simpson_weights(energy, s.i3, s.i2);
  s.w1_squared = s.w1.cwiseAbs2();
  s.w2_squared = s.w2.cwiseAbs2();
  return s;
}

// sum w c, sum w2 c and min c over n channels, in one pass of SIMD packets (Eigen's packet
// primitives): a spectrum image estimates every pixel, and six separate passes (four dot products
// and two minima) cost twice as much. Unit: the weights are ones (binned counts), and both sums
// are sum c, the same bits without reading the weights.
struct weighted_sums {
  double area = 0;
  double variance = 0;
  double smallest = std::numeric_limits<double>::infinity();
};

template <bool Unit, typename T>
weighted_sums weighted_sum(const T* c, const double* w, const double* w2, index n) {
  namespace ei = Eigen::internal;
  using core::detail::packet;
  constexpr index size = core::detail::packet_size;
  packet area = ei::pset1<packet>(0.0);
  packet variance = area;
  packet smallest = ei::pset1<packet>(std::numeric_limits<double>::infinity());
  index i = 0;
  for (; i + size <= n; i += size) {
    const packet ci = core::detail::load_as_double(c + i);
    if constexpr (Unit) {
      area = ei::padd(area, ci);
    } else {
      area = ei::pmadd(ei::ploadu<packet>(w + i), ci, area);
      variance = ei::pmadd(ei::ploadu<packet>(w2 + i), ci, variance);
    }
    smallest = ei::pmin(smallest, ci);
  }
  weighted_sums sums{ei::predux(area), ei::predux(variance), ei::predux_min(smallest)};
  for (; i < n; ++i) {
    const auto ci = static_cast<double>(c[i]);
    sums.area += Unit ? ci : w[i] * ci;
    sums.variance += Unit ? 0.0 : w2[i] * ci;
    sums.smallest = std::min(sums.smallest, ci);
  }
  if constexpr (Unit) {
    sums.variance = sums.area;
  }
  return sums;
}

// The two-area estimate from counts[i1, i2) (indexed by channel, float or double), with Poisson
// errors of the two integrals, var I = sum w_i^2 c_i, carried through r(I1, I2) and A(r, I2). Sets
// status non_positive_counts (and leaves NaN) where HyperSpy would return zeros.
template <typename T>
void two_area_estimate(const two_area_setup& s, const T* counts, power_law_result& r) {
  const auto sum = s.binned ? weighted_sum<true, T> : weighted_sum<false, T>;
  const weighted_sums half1 = sum(counts + s.i1, s.w1.data(), s.w1_squared.data(), s.i3 - s.i1);
  const weighted_sums half2 = sum(counts + s.i3, s.w2.data(), s.w2_squared.data(), s.i2 - s.i3);
  const double area1 = half1.area;
  const double area2 = half2.area;
  const double var1 = half1.variance;
  const double var2 = half2.variance;
  const bool negative = half1.smallest < 0 || half2.smallest < 0;
  r.channels = {s.i1, s.i2 - s.i1};
  if (!(area1 > 0 && area2 > 0) || negative) {
    r.status = power_law_status::non_positive_counts;
    return;
  }
  const double span = s.span;
  r.exponent = 2 * std::log(area1 / area2) / span;
  const double k = 1 - r.exponent;
  const double p2 = std::exp(k * s.log_x2);  // x2^k
  const double p3 = std::exp(k * s.log_x3);  // x3^k
  const double denominator = p2 - p3;
  r.amplitude = k * area2 / denominator;
  const double dr_d1 = 2 / (span * area1);
  const double dr_d2 = -2 / (span * area2);
  const double dd_dk = p2 * s.log_x2 - p3 * s.log_x3;
  const double da_dr = -area2 * (denominator - k * dd_dk) / (denominator * denominator);
  const double da_d1 = da_dr * dr_d1;
  const double da_d2 = k / denominator + da_dr * dr_d2;
  r.amplitude_error = std::sqrt(da_d1 * da_d1 * var1 + da_d2 * da_d2 * var2);
  r.exponent_error = std::sqrt(dr_d1 * dr_d1 * var1 + dr_d2 * dr_d2 * var2);
  r.covariance = da_d1 * dr_d1 * var1 + da_d2 * dr_d2 * var2;
  r.status = power_law_status::ok;
}

template <class = void>
void two_area_estimate(const two_area_setup& s, const vector_ref& counts, power_law_result& r) {
  two_area_estimate(s, counts.data(), r);
}

}  // namespace detail

/// \brief Fits the power-law background \f$A E^{-r}\f$ of an EELS spectrum over a pre-edge window.
/// \ingroup eels
///
/// See power_law_method for the three estimators. The two-area estimate reproduces HyperSpy
/// exactly: the window ends snap to channels \f$i_1, i_2\f$ by HyperSpy's rounding; if
/// \f$i_1 + i_2\f$ is odd, \f$i_2 \mathrel{-}= 1\f$; if then \f$i_2 = i_1\f$, \f$i_2 \mathrel{+}= 2\f$;
/// \f$i_3 = (i_1+i_2)/2\f$; \f$I_1\f$ and \f$I_2\f$ integrate channels \f$[i_1, i_3)\f$ and
/// \f$[i_3, i_2)\f$. Where HyperSpy turns non-positive integrals into A = r = 0, this reports
/// power_law_status::non_positive_counts with NaN.
/// \param energy energy loss, eV: strictly increasing, positive in the window (uniform for two_area).
/// \param counts counts per channel (or intensities when not binned), same length.
/// \param window the fit window, eV; it must lie within the data (half a channel of slack).
/// \param options estimator and binning.
/// \returns A, r, their errors and covariance, the channels used and a status.
/// \throws valence::invalid_input for unequal lengths, non-finite values, energies that are not
///         strictly increasing (or not uniform for two_area), a window outside the data or with
///         fewer than 3 channels, or a window reaching energies \f$\le 0\f$.
///
/// **Accuracy.** two_area matches HyperSpy 1.7.3 to 1e-15 relative on exspy's core-loss example
/// (tests/eels/test_power_law.cpp); log_linear and poisson recover A and r of noiseless power
/// laws to 1e-12 and of Poisson-noisy ones within their reported errors.
///
/// **References.** R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*,
/// 3rd ed. (2011), §4.4.2; F. de la Peña et al., HyperSpy (`PowerLaw.estimate_parameters`).
template <class = void>
[[nodiscard]] power_law_result power_law_fit(const vector_ref& energy, const vector_ref& counts,
                                             const core::window<double>& window,
                                             const power_law_options& options = {}) {
  constexpr const char* function = "valence::eels::power_law_fit";
  using core::detail::format_value;
  using core::detail::message;
  core::check_same_size(function, "counts", counts, "energy", energy);
  core::check_abscissa(function, "energy", energy, 3);
  core::check_finite(function, "counts", counts);
  const index n = energy.size();
  const double offset = energy(0);
  const double scale = (energy(n - 1) - energy(0)) / double(n - 1);
  if (window.lower < offset - scale / 2 || window.upper > energy(n - 1) + scale / 2) {
    throw invalid_input(message(function, "window [" + format_value(window.lower) + ", " + format_value(window.upper) +
                                              "] eV reaches outside the data [" + format_value(offset) + ", " +
                                              format_value(energy(n - 1)) + "] eV; expected a window within it"));
  }
  const auto inside = core::select_window(function, "window", energy, window, 3);
  if (!(energy(inside.begin) > 0)) {
    throw invalid_input(message(function, "window starts at " + format_value(energy(inside.begin)) +
                                              " eV; expected positive energy losses for a power law"));
  }
  power_law_result r;
  r.binned = options.binned;
  r.channel_width = scale;
  const double unit = options.binned ? scale : 1.0;  // model of a channel: A E^-r unit
  if (options.method == power_law_method::two_area) {
    detail::two_area_estimate(detail::make_two_area_setup(function, energy, window, options.binned), counts, r);
    return r;
  }
  r.channels = inside;
  const index m = inside.size;
  const auto c = counts.segment(inside.begin, m);
  bool negative = false;
  bool zero = false;
  double total = 0;
  for (index i = 0; i < m; ++i) {
    negative = negative || c(i) < 0;
    zero = zero || c(i) <= 0;
    total += c(i);
  }
  if (negative || (options.method == power_law_method::log_linear && zero) || !(total > 0)) {
    r.status = power_law_status::non_positive_counts;
    return r;
  }
  // Start (and for log_linear, finish) with the weighted log-log line ln c = ln A' - r ln E; zero
  // counts, possible only for poisson, get weight 0.5 and log 0.5 for the start.
  matrix_d design(m, 2);
  vector_d logs(m);
  fit::least_squares_options<double> line;
  line.weights.resize(m);
  for (index i = 0; i < m; ++i) {
    design(i, 0) = 1;
    design(i, 1) = -std::log(energy(inside.begin + i));
    line.weights(i) = std::max(c(i), 0.5);
    logs(i) = std::log(line.weights(i) / unit);
  }
  auto f = fit::least_squares(design, logs, line);
  vector_d beta = f.coefficients;  // (ln A, r)
  matrix_d cov = f.covariance;
  if (options.method == power_law_method::poisson) {
    // IRLS for the Poisson GLM with log link: weights mu, working response eta + (c - mu)/mu.
    fit::least_squares_options<double> step;
    step.scale_covariance = false;  // Fisher information: the Poisson variance is known
    step.weights.resize(m);
    vector_d working(m);
    bool converged = false;
    for (r.iterations = 1; r.iterations <= 100 && !converged; ++r.iterations) {
      for (index i = 0; i < m; ++i) {
        const double eta = beta(0) + beta(1) * design(i, 1);
        const double mu = std::exp(eta) * unit;
        step.weights(i) = mu;
        working(i) = eta + (c(i) - mu) / mu;
      }
      const auto g = fit::least_squares(design, working, step);
      converged = true;
      for (index j = 0; j < 2; ++j) {
        converged = converged && std::abs(g.coefficients(j) - beta(j)) <= 1e-12 * (1 + std::abs(beta(j)));
      }
      beta = g.coefficients;
      cov = g.covariance;
    }
    --r.iterations;
    if (!converged) {
      r.status = power_law_status::not_converged;
    }
  }
  r.amplitude = std::exp(beta(0));
  r.exponent = beta(1);
  r.amplitude_error = r.amplitude * std::sqrt(cov(0, 0));
  r.exponent_error = std::sqrt(cov(1, 1));
  r.covariance = r.amplitude * cov(0, 1);
  return r;
}

/// \brief power_law_fit() with a method and binned counts (the design's signature).
/// \ingroup eels
/// \param energy, counts, window as for power_law_fit(); \param method the estimator.
/// \returns as power_law_fit(). \throws valence::invalid_input as power_law_fit().
template <class = void>
[[nodiscard]] power_law_result power_law_fit(const vector_ref& energy, const vector_ref& counts,
                                             const core::window<double>& window, power_law_method method) {
  power_law_options options;
  options.method = method;
  return power_law_fit(energy, counts, window, options);
}

/// \brief A spectrum with its power-law background removed.
/// \ingroup eels
struct background_subtraction {
  vector_d background;        ///< the model at every channel (0 where the energy is not positive)
  vector_d signal;            ///< counts − background
  vector_d background_error;  ///< standard error of the background from the fit's covariance of (A, r)
};

/// \brief Subtracts a fitted power law from the whole spectrum, extrapolating it under the edge,
/// with the uncertainty of the extrapolation.
/// \ingroup eels
///
/// \f$b(E) = A E^{-r}\,(h)\f$ and \f$\sigma_b^2 = g^T C g\f$ with \f$g = (b/A, -b\ln E)\f$ and
/// \f$C\f$ the covariance of \f$(A, r)\f$: the error grows away from the window as the
/// extrapolation lever \f$\ln E\f$ does.
/// \param energy, counts the spectrum (same length, finite). \param fit a power_law_fit() result
///        with status ok.
/// \returns background, signal and background error per channel.
/// \throws valence::invalid_input for unequal lengths, non-finite values, or a fit whose status is
///         not ok.
template <class = void>
[[nodiscard]] background_subtraction subtract_power_law(const vector_ref& energy, const vector_ref& counts,
                                                        const power_law_result& fit) {
  constexpr const char* function = "valence::eels::subtract_power_law";
  core::check_same_size(function, "counts", counts, "energy", energy);
  core::check_finite(function, "energy", energy);
  core::check_finite(function, "counts", counts);
  if (fit.status != power_law_status::ok || !std::isfinite(fit.amplitude) || !std::isfinite(fit.exponent)) {
    throw invalid_input(core::detail::message(
        function, "parameter 'fit' has no usable power law (status not ok); expected a successful power_law_fit()"));
  }
  const index n = energy.size();
  background_subtraction out{vector_d::Zero(n), counts, vector_d::Zero(n)};
  for (index i = 0; i < n; ++i) {
    if (!(energy(i) > 0)) {
      continue;
    }
    const double b = fit(energy(i));
    const double g_a = b / fit.amplitude;
    const double g_r = -b * std::log(energy(i));
    const double variance = g_a * g_a * fit.amplitude_error * fit.amplitude_error + 2 * g_a * g_r * fit.covariance +
                            g_r * g_r * fit.exponent_error * fit.exponent_error;
    out.background(i) = b;
    out.signal(i) = counts(i) - b;
    out.background_error(i) = std::sqrt(std::max(variance, 0.0));
  }
  return out;
}

}  // namespace valence::eels

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::eels {
extern template power_law_result power_law_fit<>(const vector_ref&, const vector_ref&, const core::window<double>&,
                                                 const power_law_options&);
extern template power_law_result power_law_fit<>(const vector_ref&, const vector_ref&, const core::window<double>&,
                                                 power_law_method);
extern template background_subtraction subtract_power_law<>(const vector_ref&, const vector_ref&,
                                                            const power_law_result&);
}  // namespace valence::eels
#endif

#endif  // VALENCE_EELS_POWER_LAW_HPP
