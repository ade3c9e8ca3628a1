// SPDX-License-Identifier: MIT
/// \file
/// \brief Oxidation state from edge position, calibrated on reference compounds of known valence.
#ifndef VALENCE_XAS_OXIDATION_CALIBRATION_HPP
#define VALENCE_XAS_OXIDATION_CALIBRATION_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>

namespace valence::xas {

/// \brief An oxidation state read from a calibration line.
/// \ingroup xas
struct oxidation_estimate {
  double state = 0;           ///< \f$\hat s = (E - c)/m\f$
  double standard_error = 0;  ///< \f$\sigma_{\hat s}\f$; NaN when the calibration has no uncertainty
  /// \f$\hat s\f$ lies outside the range of the reference states: the linear relation is extrapolated
  /// and the answer should be reported as such.
  bool extrapolated = false;
};

/// \brief The line \f$E = c + m\,s\f$ between edge energy and oxidation state, fitted to references.
/// \ingroup xas
struct oxidation_calibration {
  double intercept = 0;  ///< \f$c\f$, eV
  double slope = 0;      ///< \f$m\f$, eV per unit of oxidation state
  /// Covariance of \f$(c, m)\f$, eV²; NaN when unavailable (see uncertainty_available).
  matrix_x<double> covariance = matrix_x<double>::Zero(2, 2);
  double lowest_state = 0;            ///< smallest reference state (start of the calibrated range)
  double highest_state = 0;           ///< largest reference state (end of the calibrated range)
  vector_x<double> residuals;         ///< edge energy minus the line at each reference, eV
  index references = 0;               ///< number of references
  bool uncertainty_available = true;  ///< false for two references without given energy errors (no dof)

  /// \brief Oxidation state of a sample from its edge energy.
  ///
  /// \f$\hat s = (E - c)/m\f$, and by first-order propagation with the calibration covariance,
  /// \f$\sigma^2_{\hat s} = (\sigma_E^2 + C_{cc} + 2\hat s C_{cm} + \hat s^2 C_{mm})/m^2\f$ (the classical
  /// inverse-regression error, which ignores the \f$O(\sigma_m^2/m^2)\f$ bias of the ratio).
  /// \param edge_energy the sample's edge energy, eV, by the same definition as the references.
  /// \param edge_energy_standard_error its standard error, eV (≥ 0).
  /// \returns the state, its standard error and whether it lies outside the calibrated range.
  /// \throws valence::invalid_input for a non-finite energy or a negative or non-finite error.
  [[nodiscard]] oxidation_estimate oxidation_state(double edge_energy, double edge_energy_standard_error = 0) const {
    constexpr const char* function = "valence::xas::oxidation_calibration::oxidation_state";
    using core::detail::format_value;
    using core::detail::message;
    if (!std::isfinite(edge_energy)) {
      throw invalid_input(message(
          function, "parameter 'edge_energy' is " + format_value(edge_energy) + "; expected a finite energy in eV"));
    }
    if (!(edge_energy_standard_error >= 0 && std::isfinite(edge_energy_standard_error))) {
      throw invalid_input(message(function, "parameter 'edge_energy_standard_error' is " +
                                                format_value(edge_energy_standard_error) +
                                                "; expected a finite value >= 0"));
    }
    oxidation_estimate out;
    out.state = (edge_energy - intercept) / slope;
    const double s = out.state;
    const double variance = edge_energy_standard_error * edge_energy_standard_error + covariance(0, 0) +
                            2 * s * covariance(0, 1) + s * s * covariance(1, 1);
    out.standard_error = std::sqrt(variance) / std::abs(slope);
    out.extrapolated = s < lowest_state || s > highest_state;
    return out;
  }
};

/// \brief Fits the edge-energy calibration line to reference compounds of known oxidation state.
/// \ingroup xas
///
/// Weighted linear least squares (fit::least_squares) of \f$E_k = c + m\,s_k\f$: the states are
/// exact, the energies carry the error. With given standard errors \f$\sigma_k\f$ the weights are
/// \f$1/\sigma_k^2\f$ and the covariance is not rescaled; without them the covariance is scaled by the
/// reduced χ² (the scatter of the references about the line is the error), which needs three or
/// more references: with two, the line is exact and uncertainty_available is false (errors NaN).
/// Which edge definition is used is the caller's choice (edge_energy()); it must be the same for
/// the references and the samples.
///
/// \param edge_energies edge energies of the references, eV.
/// \param states their oxidation states (e.g. 2, 8/3, 3, 4 for MnO, Mn₃O₄, Mn₂O₃, MnO₂), same size.
/// \param edge_energy_standard_errors standard errors of the energies, eV (empty: unknown).
/// \returns the calibration line with its covariance and range.
/// \throws valence::invalid_input on a size mismatch, fewer than 2 references, non-finite values,
///         non-positive errors, fewer than two distinct states, or energies that do not change with
///         state (slope exactly 0).
///
/// **Reference.** The valence–edge-position relation of e.g. F. Farges, Phys. Rev. B 71, 155109
/// (2005) and its use for Mn/Ni in cathodes; the inverse prediction error: N. R. Draper,
/// H. Smith, *Applied Regression Analysis*, 3rd ed. (1998), §3.2.
template <typename DerivedE, typename DerivedS>
[[nodiscard]] oxidation_calibration calibrate_oxidation_state(
    const Eigen::DenseBase<DerivedE>& edge_energies, const Eigen::DenseBase<DerivedS>& states,
    const vector_x<double>& edge_energy_standard_errors = {}) {
  constexpr const char* function = "valence::xas::calibrate_oxidation_state";
  using core::detail::message;
  core::check_min_size(function, "edge_energies", edge_energies, 2);
  core::check_same_size(function, "states", states, "edge_energies", edge_energies);
  core::check_finite(function, "edge_energies", edge_energies);
  core::check_finite(function, "states", states);
  const index n = edge_energies.size();
  const vector_x<double> s = states.derived().template cast<double>();
  if (s.maxCoeff() == s.minCoeff()) {
    throw invalid_input(message(function,
                                "parameter 'states' holds one value only; expected at least two "
                                "distinct oxidation states"));
  }
  if (edge_energies.maxCoeff() == edge_energies.minCoeff()) {
    throw invalid_input(message(function,
                                "the edge energies do not change with oxidation state (all equal); "
                                "expected references whose edges move with valence"));
  }
  fit::least_squares_options<double> options;
  const bool given_errors = edge_energy_standard_errors.size() > 0;
  if (given_errors) {
    core::check_same_size(function, "edge_energy_standard_errors", edge_energy_standard_errors, "edge_energies",
                          edge_energies);
    core::check_positive(function, "edge_energy_standard_errors", edge_energy_standard_errors);
    options.weights = edge_energy_standard_errors.cwiseAbs2().cwiseInverse();
    options.scale_covariance = false;
  }
  matrix_x<double> design(n, 2);
  design.col(0).setOnes();
  design.col(1) = s;
  const vector_x<double> e = edge_energies.derived().template cast<double>();
  const auto line = fit::least_squares(design, e, options);
  oxidation_calibration out;
  out.intercept = line.coefficients(0);
  out.slope = line.coefficients(1);
  if (out.slope == 0) {
    throw invalid_input(message(function,
                                "the edge energies do not change with oxidation state (slope 0); "
                                "expected references whose edges move with valence"));
  }
  out.uncertainty_available = given_errors || n > 2;
  out.covariance = out.uncertainty_available
                       ? line.covariance
                       : matrix_x<double>::Constant(2, 2, std::numeric_limits<double>::quiet_NaN());
  out.lowest_state = s.minCoeff();
  out.highest_state = s.maxCoeff();
  out.residuals = line.residuals;
  out.references = n;
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_OXIDATION_CALIBRATION_HPP
