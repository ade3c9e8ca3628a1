// SPDX-License-Identifier: MIT
/// \file
/// \brief Weppner–Huggins diffusivity from galvanostatic intermittent titration (GITT).
#ifndef VALENCE_ECHEM_GITT_HPP
#define VALENCE_ECHEM_GITT_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <boost/math/constants/constants.hpp>

#include <cmath>
#include <string>

namespace valence::echem::gitt {

/// \defgroup echem Electrochemistry
/// \brief GITT diffusivity (Weppner–Huggins), differential capacity, cycling.

/// \brief The active material of a GITT electrode (the quantities of the Weppner–Huggins equations).
/// \ingroup echem
struct electrode {
  double mass = 0;          ///< \f$m_B\f$, active mass in g
  double molar_mass = 0;    ///< \f$M_B\f$, molar mass of the active material in g/mol
  double molar_volume = 0;  ///< \f$V_M\f$, molar volume in cm³/mol (\f$M_B/\rho\f$)
  double area = 0;          ///< \f$S\f$, electrochemically active area in cm² (e.g. from BET)
};

/// \brief The diffusion length \f$L = m_B V_M / (M_B S)\f$ of an electrode: its volume over its area.
/// \ingroup echem
/// \param e the electrode (every member positive and finite).
/// \returns \f$L\f$ in cm.
/// \throws valence::invalid_input if a member is not positive and finite.
[[nodiscard]] inline double diffusion_length(const electrode& e) {
  constexpr const char* function = "valence::echem::gitt::diffusion_length";
  core::check_positive_value(function, "electrode.mass", e.mass, "g");
  core::check_positive_value(function, "electrode.molar_mass", e.molar_mass, "g/mol");
  core::check_positive_value(function, "electrode.molar_volume", e.molar_volume, "cm^3/mol");
  core::check_positive_value(function, "electrode.area", e.area, "cm^2");
  return e.mass * e.molar_volume / (e.molar_mass * e.area);
}

/// \brief The diffusion length of spherical particles, \f$L = V/S = r/3\f$.
/// \ingroup echem
/// \param radius particle radius in cm.
/// \returns \f$L\f$ in cm.
/// \throws valence::invalid_input if \p radius is not positive and finite.
[[nodiscard]] inline double sphere_diffusion_length(double radius) {
  core::check_positive_value("valence::echem::gitt::sphere_diffusion_length", "radius", radius, "cm");
  return radius / 3;
}

namespace detail {

inline void check_titration(const char* function, double length, double tau, double delta_e_s) {
  core::check_positive_value(function, "length", length, "cm");
  core::check_positive_value(function, "tau", tau, "s");
  if (!std::isfinite(delta_e_s)) {
    throw invalid_input(core::detail::message(
        function, "parameter 'delta_e_s' is " + core::detail::format_value(delta_e_s) + " V; expected a finite value"));
  }
}

}  // namespace detail

/// \brief Weppner–Huggins diffusivity, simplified form (eq. 2 of the Li/Mn-rich study):
/// \f[ D = \frac{4}{\pi\tau}\,L^2 \left(\frac{\Delta E_s}{\Delta E_\tau}\right)^2,
///     \qquad L = \frac{m_B V_M}{M_B S}. \f]
/// \ingroup echem
///
/// Valid when the pulse voltage is linear in \f$\sqrt t\f$ and \f$\tau \ll L^2/D\f$ (see
/// validity_ratio()). The signs of the two voltage changes cancel; analyze() flags a mismatch.
/// \param length diffusion length \f$L\f$ in cm (diffusion_length() or sphere_diffusion_length()).
/// \param tau pulse duration \f$\tau\f$ in s.
/// \param delta_e_s change of the relaxed (equilibrium) voltage over the step, V.
/// \param delta_e_tau voltage change during the pulse with the IR drop excluded, V (non-zero).
/// \returns \f$D\f$ in cm²/s.
/// \throws valence::invalid_input if \p length or \p tau is not positive and finite, \p delta_e_s
///         is not finite, or \p delta_e_tau is zero or not finite.
///
/// **Reference.** W. Weppner, R. A. Huggins, J. Electrochem. Soc. 124, 1569 (1977), eq. 30.
[[nodiscard]] inline double diffusivity(double length, double tau, double delta_e_s, double delta_e_tau) {
  constexpr const char* function = "valence::echem::gitt::diffusivity";
  detail::check_titration(function, length, tau, delta_e_s);
  if (!(delta_e_tau != 0) || !std::isfinite(delta_e_tau)) {
    throw invalid_input(core::detail::message(function, "parameter 'delta_e_tau' is " +
                                                            core::detail::format_value(delta_e_tau) +
                                                            " V; expected a non-zero finite voltage change"));
  }
  const double ratio = delta_e_s / delta_e_tau;
  return 4 / (boost::math::constants::pi<double>() * tau) * length * length * ratio * ratio;
}

/// \brief diffusivity() with \f$L\f$ from the electrode, \f$m_B V_M/(M_B S)\f$.
/// \ingroup echem
/// \param e the electrode; \param tau, delta_e_s, delta_e_tau as diffusivity().
/// \returns \f$D\f$ in cm²/s.
/// \throws valence::invalid_input as diffusion_length() and diffusivity().
[[nodiscard]] inline double diffusivity(const electrode& e, double tau, double delta_e_s, double delta_e_tau) {
  return diffusivity(diffusion_length(e), tau, delta_e_s, delta_e_tau);
}

/// \brief Weppner–Huggins diffusivity from the slope of the pulse voltage against \f$\sqrt t\f$
/// (eq. 1 of the Li/Mn-rich study):
/// \f[ D = \frac{4}{\pi}\,L^2 \left(\frac{\Delta E_s}{\tau\,(dE/d\sqrt t)}\right)^2. \f]
/// \ingroup echem
///
/// With a linear \f$E(\sqrt t)\f$, \f$\tau\,dE/d\sqrt t = \sqrt\tau\,\Delta E_\tau\f$ and this equals
/// diffusivity().
/// \param length diffusion length \f$L\f$ in cm.
/// \param tau pulse duration in s.
/// \param delta_e_s change of the relaxed voltage over the step, V.
/// \param slope \f$dE/d\sqrt t\f$ during the pulse in V/s^½ (non-zero).
/// \returns \f$D\f$ in cm²/s.
/// \throws valence::invalid_input if \p length or \p tau is not positive and finite, \p delta_e_s
///         is not finite, or \p slope is zero or not finite.
///
/// **Reference.** W. Weppner, R. A. Huggins, J. Electrochem. Soc. 124, 1569 (1977), eq. 28.
[[nodiscard]] inline double diffusivity_from_slope(double length, double tau, double delta_e_s, double slope) {
  constexpr const char* function = "valence::echem::gitt::diffusivity_from_slope";
  detail::check_titration(function, length, tau, delta_e_s);
  if (!(slope != 0) || !std::isfinite(slope)) {
    throw invalid_input(core::detail::message(function, "parameter 'slope' is " + core::detail::format_value(slope) +
                                                            " V/s^0.5; expected a non-zero finite "
                                                            "slope dE/dsqrt(t)"));
  }
  const double ratio = delta_e_s / (tau * slope);
  return 4 / boost::math::constants::pi<double>() * length * length * ratio * ratio;
}

/// \brief diffusivity_from_slope() with \f$L\f$ from the electrode.
/// \ingroup echem
/// \param e the electrode; \param tau, delta_e_s, slope as diffusivity_from_slope().
/// \returns \f$D\f$ in cm²/s.
/// \throws valence::invalid_input as diffusion_length() and diffusivity_from_slope().
[[nodiscard]] inline double diffusivity_from_slope(const electrode& e, double tau, double delta_e_s, double slope) {
  return diffusivity_from_slope(diffusion_length(e), tau, delta_e_s, slope);
}

/// \brief The ratio \f$\tau D / L^2\f$ that the Weppner–Huggins equations assume is \f$\ll 1\f$.
/// \ingroup echem
///
/// Measured on exact synthetic pulses (synth::synthetic_gitt(), eq. 1 with a straight-line fit of
/// \f$E\f$ against \f$\sqrt t\f$): for a slab the error in \f$D\f$ is +0.27 % at a ratio of 0.01 and
/// +0.73 % at 0.1; for spheres (\f$L = r/3\f$) it is about \f$-0.76\sqrt{\tau D/L^2}\f$ (−2.4 % at
/// 0.001, −7.6 % at 0.01), because the surface of a sphere departs from \f$\sqrt t\f$ by a term
/// linear in \f$Dt/r^2\f$ (tests/echem/test_gitt.cpp).
/// \param diffusivity \f$D\f$ in cm²/s; \param tau pulse duration in s; \param length \f$L\f$ in cm.
/// \returns the dimensionless ratio.
/// \throws valence::invalid_input if an argument is not positive and finite.
[[nodiscard]] inline double validity_ratio(double diffusivity, double tau, double length) {
  constexpr const char* function = "valence::echem::gitt::validity_ratio";
  core::check_positive_value(function, "diffusivity", diffusivity, "cm^2/s");
  core::check_positive_value(function, "tau", tau, "s");
  core::check_positive_value(function, "length", length, "cm");
  return tau * diffusivity / (length * length);
}

}  // namespace valence::echem::gitt

#endif  // VALENCE_ECHEM_GITT_HPP
