// SPDX-License-Identifier: MIT
/// \file
/// \brief Edge position of a XANES spectrum by a named definition, for valence work.
#ifndef VALENCE_XAS_EDGE_ENERGY_HPP
#define VALENCE_XAS_EDGE_ENERGY_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/types.hpp>
#include <valence/xas/pre_edge.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>

namespace valence::xas {

namespace detail {

struct vertex {
  double x;
  double y;
};

// Vertex of the parabola through (x, y) at i-1, i, i+1 (unequal spacing allowed), for a grid
// maximum i; the grid point itself when the three points do not bend down (flat top). Relative to
// x(i): the divided differences are b + a dx0 and b + a dx2.
template <typename X, typename Y>
vertex parabola_vertex(const X& x, const Y& y, index i) {
  const double x0 = x(i - 1) - x(i);
  const double x2 = x(i + 1) - x(i);
  const double d0 = (y(i - 1) - y(i)) / x0;
  const double d2 = (y(i + 1) - y(i)) / x2;
  const double a = (d2 - d0) / (x2 - x0);
  const double b = d0 - a * x0;
  if (!(a < 0)) {
    return {double(x(i)), double(y(i))};
  }
  const double t = -b / (2 * a);
  return {x(i) + t, y(i) + b * t / 2};
}

}  // namespace detail

/// \brief How the edge position is defined.
/// \ingroup xas
enum class edge_definition {
  /// Energy where the normalised μ first reaches a fraction of the step (0.5: the half-step energy),
  /// linearly interpolated between grid points; the crossing nearest E0 is taken.
  step_fraction,
  /// Maximum of \f$d\,\mathrm{norm}/dE\f$ within a window around E0, refined below the grid spacing
  /// by the vertex of the parabola through the maximum and its two neighbours.
  derivative_maximum,
  /// Zero crossing of \f$d^2\mathrm{norm}/dE^2\f$ from positive to negative (the inflection point),
  /// linearly interpolated, the crossing nearest the derivative maximum within the window (Athena's
  /// "zero crossing of the second derivative").
  second_derivative_zero
};

/// \brief Options of edge_energy().
/// \ingroup xas
struct edge_energy_options {
  edge_definition definition = edge_definition::step_fraction;  ///< the definition
  double fraction = 0.5;                                        ///< the step fraction for step_fraction, in (0, 1)
  double window = 10;  ///< half-width around E0 searched by derivative_maximum and second_derivative_zero, eV
  pre_edge_options normalization = {};  ///< how μ is normalised first (Larch defaults)
};

/// \brief Edge energy \f$E\f$ of a spectrum by the chosen definition, after pre_edge() normalisation.
/// \ingroup xas
///
/// step_fraction solves \f$\mathrm{norm}(E) = f\f$ by linear interpolation between the two grid
/// points that bracket it (the bracket nearest E0 when noise crosses \f$f\f$ several times);
/// derivative_maximum takes the grid maximum \f$i\f$ of \f$d\,\mathrm{norm}/dE\f$ (numpy-gradient
/// quotient, as Larch's `dmude`) within `window` eV of E0 and returns the vertex of the parabola through
/// points \f$i-1, i, i+1\f$; second_derivative_zero differentiates that quotient once more and returns the
/// linearly interpolated + → − sign change of \f$d^2\mathrm{norm}/dE^2\f$ nearest the grid maximum of the
/// derivative (both within `window` eV of E0). All shift linearly with a rigid shift of the energy axis; used with
/// reference compounds of known valence they calibrate edge energy against oxidation state.
///
/// \param energy energies, eV, strictly increasing, at least 16 points.
/// \param mu absorption, same size.
/// \param options definition, fraction, window and normalisation.
/// \returns the edge energy, eV.
/// \throws valence::invalid_input as pre_edge(), for a fraction outside (0, 1) or a non-positive
///         window, if the normalised spectrum never crosses the fraction, if the window holds no
///         interior grid point, or (second_derivative_zero) if the second derivative does not change
///         sign from + to − inside the window.
///
/// **Reference.** Athena's E0 choices (B. Ravel, M. Newville, J. Synchrotron Rad. 12, 537 (2005));
/// for edge position against valence, e.g. F. Farges, Phys. Rev. B 71, 155109 (2005).
template <typename DerivedE, typename DerivedM>
[[nodiscard]] double edge_energy(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                                 const edge_energy_options& options = {}) {
  constexpr const char* function = "valence::xas::edge_energy";
  using core::detail::format_value;
  using core::detail::message;
  if (!(options.fraction > 0 && options.fraction < 1)) {
    throw invalid_input(
        message(function, "option 'fraction' is " + format_value(options.fraction) + "; expected a value in (0, 1)"));
  }
  if (!(options.window > 0 && std::isfinite(options.window))) {
    throw invalid_input(
        message(function, "option 'window' is " + format_value(options.window) + " eV; expected a value > 0"));
  }
  const auto normalised = pre_edge(energy, mu, options.normalization);
  const vector_x<double> e = energy.derived().template cast<double>();
  const vector_x<double>& norm = normalised.norm;
  const double e0 = normalised.e0;
  if (options.definition == edge_definition::step_fraction) {
    const double f = options.fraction;
    double best = std::numeric_limits<double>::quiet_NaN();
    for (index i = 0; i + 1 < e.size(); ++i) {
      if (norm(i) < f && norm(i + 1) >= f) {
        const double crossing = e(i) + (f - norm(i)) / (norm(i + 1) - norm(i)) * (e(i + 1) - e(i));
        if (std::isnan(best) || std::abs(crossing - e0) < std::abs(best - e0)) {
          best = crossing;
        }
      }
    }
    if (std::isnan(best)) {
      throw invalid_input(message(function, "the normalised spectrum never rises through " + format_value(f) +
                                                "; expected an edge that reaches that fraction of its step"));
    }
    return best;
  }
  const vector_x<double> slope = core::gradient(norm).cwiseQuotient(core::gradient(e));
  index peak = -1;
  for (index i = 1; i + 1 < e.size(); ++i) {
    if (std::abs(e(i) - e0) <= options.window && (peak < 0 || slope(i) > slope(peak))) {
      peak = i;
    }
  }
  if (peak < 0) {
    throw invalid_input(message(function, "no interior grid point lies within " + format_value(options.window) +
                                              " eV of E0 = " + format_value(e0) + " eV; expected a wider window"));
  }
  if (options.definition == edge_definition::second_derivative_zero) {
    const vector_x<double> curvature = core::gradient(slope).cwiseQuotient(core::gradient(e));
    double best = std::numeric_limits<double>::quiet_NaN();
    for (index i = 0; i + 1 < e.size(); ++i) {
      const bool inside = std::abs(e(i) - e0) <= options.window && std::abs(e(i + 1) - e0) <= options.window;
      if (inside && curvature(i) > 0 && curvature(i + 1) <= 0) {
        const double crossing = e(i) + curvature(i) / (curvature(i) - curvature(i + 1)) * (e(i + 1) - e(i));
        if (std::isnan(best) || std::abs(crossing - e(peak)) < std::abs(best - e(peak))) {
          best = crossing;
        }
      }
    }
    if (std::isnan(best)) {
      throw invalid_input(message(function,
                                  "the second derivative of the normalised spectrum does not change sign "
                                  "from + to - within " +
                                      format_value(options.window) + " eV of E0 = " + format_value(e0) +
                                      " eV; expected an inflection point there"));
    }
    return best;
  }
  return detail::parabola_vertex(e, slope, peak).x;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_EDGE_ENERGY_HPP
