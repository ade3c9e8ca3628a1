// SPDX-License-Identifier: MIT
/// \file
/// \brief Pulse height → energy for a TES channel: line centroids, a monotonic polynomial fitted to
/// known emission or elastic lines with its uncertainty, and its application to every photon.
#ifndef VALENCE_RIXS_PULSE_CALIBRATION_HPP
#define VALENCE_RIXS_PULSE_CALIBRATION_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace valence::rixs {

/// \brief A known line seen by a channel: where it sits in pulse height and its energy.
/// \ingroup rixs
struct calibration_line {
  double pulse_height = 0;        ///< the line's centroid, in the channel's pulse-height units
  double pulse_height_error = 0;  ///< its standard error (line_centroid()), > 0
  double energy = 0;              ///< eV, the line's tabulated energy (e.g. O Kα 524.9, Ni Lα 851.5)
  double energy_error = 0;        ///< eV, the tabulated energy's own uncertainty (often 0)
};

/// \brief The centroid of a line in a channel's pulse heights: mean and standard error of the
/// pulse heights within a window around it.
/// \ingroup rixs
struct line_centroid_result {
  double centroid = 0;  ///< mean pulse height in the window
  double error = 0;     ///< sample standard deviation / √n
  index events = 0;     ///< n, the events in the window
};

/// \brief Options of fit_pulse_calibration().
/// \ingroup rixs
struct pulse_calibration_options {
  int degree = 2;              ///< polynomial degree in pulse height, 1 to 4
  bool through_origin = true;  ///< energy 0 at pulse height 0 (no constant term)
};

/// \brief A fitted pulse-height → energy curve, \f$E(h) = \sum_k c_k (h/s)^k\f$ (k from 1 through the
/// origin, else from 0, to the degree), with the covariance of its coefficients.
/// \ingroup rixs
struct pulse_calibration {
  vector_d coefficients;       ///< \f$c_k\f$, eV, in increasing powers
  matrix_d covariance;         ///< of the coefficients, from the lines' errors (not rescaled)
  double scale = 1;            ///< \f$s\f$, the largest line's pulse height (keeps the powers near 1)
  int degree = 2;              ///< of the polynomial
  bool through_origin = true;  ///< no constant term
  double lowest = 0;           ///< smallest line pulse height: below it the curve extrapolates
  double highest = 0;          ///< largest line pulse height: above it the curve extrapolates
  vector_d residuals;          ///< eV, line energy − curve, per line
  double chi_square = 0;       ///< \f$\sum r_i^2/\sigma_i^2\f$ with the lines' effective variances
  index dof = 0;               ///< lines − coefficients

  /// \brief The energy of a pulse height.
  /// \param pulse_height in the channel's units.
  /// \returns eV.
  [[nodiscard]] double energy(double pulse_height) const {
    const double x = pulse_height / scale;
    double sum = 0;
    double power = through_origin ? x : 1.0;
    for (index k = 0; k < coefficients.size(); ++k, power *= x) {
      sum += coefficients(k) * power;
    }
    return sum;
  }

  /// \brief The standard error of energy() from the coefficients' covariance, \f$\sqrt{g^TCg}\f$,
  /// \f$g_k = (h/s)^k\f$: the calibration's own uncertainty at that pulse height.
  /// \param pulse_height in the channel's units.
  /// \returns eV.
  [[nodiscard]] double energy_error(double pulse_height) const {
    const double x = pulse_height / scale;
    const int first = through_origin ? 1 : 0;
    double variance = 0;
    for (index a = 0; a < coefficients.size(); ++a) {
      for (index b = 0; b < coefficients.size(); ++b) {
        variance += std::pow(x, double(first + a)) * covariance(a, b) * std::pow(x, double(first + b));
      }
    }
    return std::sqrt(std::max(variance, 0.0));
  }

  /// \brief The slope \f$dE/dh\f$.
  /// \param pulse_height in the channel's units.
  /// \returns eV per pulse-height unit.
  [[nodiscard]] double slope(double pulse_height) const {
    const double x = pulse_height / scale;
    double sum = 0;
    const int first = through_origin ? 1 : 0;
    double power = 1;  // x^(k - 1)
    for (index k = 0; k < coefficients.size(); ++k) {
      const int exponent = first + static_cast<int>(k);
      if (exponent > 0) {
        sum += coefficients(k) * double(exponent) * power;
        power *= x;
      }
    }
    return sum / scale;
  }

  /// \brief The energies of many pulse heights (e.g. off_file::pulse_heights()).
  /// \param pulse_heights in the channel's units.
  /// \returns eV, one per pulse height.
  template <typename Derived>
  [[nodiscard]] vector_d energies(const Eigen::DenseBase<Derived>& pulse_heights) const {
    vector_d out(pulse_heights.size());
    for (index i = 0; i < out.size(); ++i) {
      out(i) = energy(double(pulse_heights(i)));
    }
    return out;
  }
};

/// \brief The centroid of a line: the pulse heights inside a window, their mean and its standard error.
/// \ingroup rixs
///
/// The window should hold the line and little else (about ±2.5 FWHM around its peak): events of a
/// neighbouring line or the continuum pull the mean. The standard error is that of a mean, s/√n.
/// \param pulse_heights one per event (float or double).
/// \param window pulse-height window, closed.
/// \returns centroid, error and count.
/// \throws valence::invalid_input for a reversed or non-finite window, or fewer than 2 events in it.
template <typename Derived>
[[nodiscard]] line_centroid_result line_centroid(const Eigen::DenseBase<Derived>& pulse_heights,
                                                 const core::window<double>& window) {
  constexpr const char* function = "valence::rixs::line_centroid";
  if (!std::isfinite(window.lower) || !std::isfinite(window.upper) || !(window.lower < window.upper)) {
    throw invalid_input(core::detail::message(function, "window [" + core::detail::format_value(window.lower) + ", " +
                                                            core::detail::format_value(window.upper) +
                                                            "]; expected finite bounds with lower < upper"));
  }
  double sum = 0;
  index n = 0;
  for (index i = 0; i < pulse_heights.size(); ++i) {
    const double h = double(pulse_heights(i));
    if (h >= window.lower && h <= window.upper) {
      sum += h;
      ++n;
    }
  }
  if (n < 2) {
    throw invalid_input(core::detail::message(function, "window [" + core::detail::format_value(window.lower) + ", " +
                                                            core::detail::format_value(window.upper) + "] holds " +
                                                            std::to_string(n) +
                                                            " pulses; expected at least 2 (a line)"));
  }
  const double mean = sum / double(n);
  double squares = 0;
  for (index i = 0; i < pulse_heights.size(); ++i) {
    const double h = double(pulse_heights(i));
    if (h >= window.lower && h <= window.upper) {
      squares += (h - mean) * (h - mean);
    }
  }
  return {mean, std::sqrt(squares / double(n - 1) / double(n)), n};
}

/// \brief Fits the pulse-height → energy curve of one channel to known lines.
/// \ingroup rixs
///
/// Weighted least squares (the engine's fit::least_squares) of the line energies on powers of
/// \f$h/s\f$, each line weighted by its effective variance \f$\sigma_{E,i}^2 + (dE/dh)^2\sigma_{h,i}^2\f$
/// (the slope from the previous pass; three passes, the first with the mean gain E/h). The
/// covariance is \f$(A^TWA)^{-1}\f$, not rescaled: the errors are the lines' own, and chi_square
/// against dof tests the curve. The curve must rise over the lines' range (from 0 through the
/// origin): a TES response is monotonic, and a curve that is not would give two energies to one
/// pulse height.
/// \param lines at least as many as coefficients, with distinct pulse heights, positive pulse-height
///        errors and finite values.
/// \param options degree and whether the curve passes through the origin.
/// \returns the curve, its covariance and the residuals at the lines.
/// \throws valence::invalid_input for a degree outside 1–4, too few lines, non-finite or
///         non-positive values where positive ones are needed, or a curve that is not increasing
///         over the lines' range (the message gives the pulse height where it turns).
///
/// **Reference.** NIST mass, calibration from line positions (`calibrationPlanAddPoint`); the
/// effective-variance method: J. Orear, Am. J. Phys. 50, 912 (1982).
template <class = void>
[[nodiscard]] pulse_calibration fit_pulse_calibration(const std::vector<calibration_line>& lines,
                                                      const pulse_calibration_options& options = {}) {
  constexpr const char* function = "valence::rixs::fit_pulse_calibration";
  const auto fail = [&](const std::string& what) { throw invalid_input(core::detail::message(function, what)); };
  if (options.degree < 1 || options.degree > 4) {
    fail("option 'degree' is " + std::to_string(options.degree) + "; expected 1 to 4");
  }
  const index terms = options.degree + (options.through_origin ? 0 : 1);
  const auto n = static_cast<index>(lines.size());
  if (n < terms) {
    fail("got " + std::to_string(n) + " lines for " + std::to_string(terms) +
         " coefficients; expected at least as many lines as coefficients");
  }
  pulse_calibration c;
  c.degree = options.degree;
  c.through_origin = options.through_origin;
  c.lowest = lines.front().pulse_height;
  c.highest = lines.front().pulse_height;
  for (index i = 0; i < n; ++i) {
    const auto& line = lines[static_cast<std::size_t>(i)];
    if (!(line.pulse_height > 0) || !std::isfinite(line.pulse_height) || !(line.pulse_height_error > 0) ||
        !std::isfinite(line.pulse_height_error) || !(line.energy > 0) || !std::isfinite(line.energy) ||
        !(line.energy_error >= 0) || !std::isfinite(line.energy_error)) {
      fail("line " + std::to_string(i) + " has pulse height " + core::detail::format_value(line.pulse_height) + " +- " +
           core::detail::format_value(line.pulse_height_error) + " and energy " +
           core::detail::format_value(line.energy) + " +- " + core::detail::format_value(line.energy_error) +
           " eV; expected positive finite values (an energy error >= 0)");
    }
    c.lowest = std::min(c.lowest, line.pulse_height);
    c.highest = std::max(c.highest, line.pulse_height);
  }
  c.scale = c.highest;
  matrix_d design(n, terms);
  vector_d energy(n);
  for (index i = 0; i < n; ++i) {
    const auto& line = lines[static_cast<std::size_t>(i)];
    const double x = line.pulse_height / c.scale;
    double power = options.through_origin ? x : 1.0;
    for (index k = 0; k < terms; ++k, power *= x) {
      design(i, k) = power;
    }
    energy(i) = line.energy;
  }
  double mean_gain = 0;
  for (const auto& line : lines) {
    mean_gain += line.energy / line.pulse_height / double(n);
  }
  fit::least_squares_options<double> ls;
  ls.scale_covariance = false;
  ls.weights.resize(n);
  for (int pass = 0; pass < 3; ++pass) {
    for (index i = 0; i < n; ++i) {
      const auto& line = lines[static_cast<std::size_t>(i)];
      const double slope = pass == 0 ? mean_gain : c.slope(line.pulse_height);
      ls.weights(i) = 1 / (line.energy_error * line.energy_error +
                           slope * slope * line.pulse_height_error * line.pulse_height_error);
    }
    try {
      const auto f = fit::least_squares(design, energy, ls);
      c.coefficients = f.coefficients;
      c.covariance = f.covariance;
      c.residuals = f.residuals;
      c.chi_square = f.chi_square;
      c.dof = f.dof;
    } catch (const error&) {
      fail("the lines do not determine " + std::to_string(terms) +
           " coefficients (repeated pulse heights?); expected lines at distinct pulse heights");
    }
  }
  const double from = options.through_origin ? 0.0 : c.lowest;
  constexpr int samples = 256;
  for (int s = 0; s <= samples; ++s) {
    const double h = from + (c.highest - from) * double(s) / samples;
    if (!(c.slope(h) > 0)) {
      fail("the fitted curve does not rise at pulse height " + core::detail::format_value(h) + " (slope " +
           core::detail::format_value(c.slope(h)) +
           " eV per unit); expected a monotonic response: use a lower degree or more lines");
    }
  }
  return c;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_PULSE_CALIBRATION_HPP
