// SPDX-License-Identifier: MIT
/// \file
/// \brief Diffusivity from short current interruptions (the ICI method): the √t relaxation of
/// each interruption and the voltage rate of the current before it.
#ifndef VALENCE_ECHEM_GITT_ICI_HPP
#define VALENCE_ECHEM_GITT_ICI_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/echem/gitt.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/echem/gitt_segment.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace valence::echem::gitt {

/// \brief Settings of ici().
/// \ingroup echem
struct ici_options {
  segment_options segmentation;  ///< how the record is split into current segments and interruptions
  /// The √t fit of each interruption uses the samples from `fit_from` to `fit_to` s after the
  /// switch (ampworks' ICI defaults, 1 and 10 s): late enough to be past the instrument's and the
  /// double layer's response, early enough for semi-infinite diffusion.
  double fit_from = 1;
  double fit_to = 10;  ///< s, see fit_from
  /// dE/dt of the current segment is fitted over its last `rate_window` seconds (at least 3 samples).
  double rate_window = 60;
  double min_r_squared = 0.99;  ///< below this the √t fit is flagged poor
  double max_ratio = 0.01;      ///< largest \f$D\,t_\mathrm{fit}/L^2\f$ before the step is flagged
  /// Fit \f$E - (dE/dt)\,t\f$ rather than \f$E\f$ against \f$\sqrt t\f$. By superposition the
  /// interruption is the opposite current step added to the current that continues, whose own
  /// response keeps rising at dE/dt; left in, that rise biases the slope by about
  /// \f$\sqrt{\pi D t/(4L^2)}\f$ at the window's end, which puts D about 26 % high at
  /// \f$D t/L^2 = 0.008\f$ (tests/echem/test_gitt_ici.cpp).
  bool subtract_rate = true;
};

/// \brief What one current interruption gives.
/// \ingroup echem
struct interruption_result {
  titration_step step;  ///< the current segment (pulse_*) and the interruption after it (rest_*)
  double switch_time = std::numeric_limits<double>::quiet_NaN();   ///< s, when the current stopped
  double voltage_rate = std::numeric_limits<double>::quiet_NaN();  ///< dE/dt before the switch, V/s
  /// V: the current segment's line at the switch, minus the √t fit's intercept (the ohmic drop).
  double ir_drop = std::numeric_limits<double>::quiet_NaN();
  double resistance = std::numeric_limits<double>::quiet_NaN();      ///< Ω: ir_drop / current (A)
  double sqrt_intercept = std::numeric_limits<double>::quiet_NaN();  ///< V: E at the switch from the √t fit
  double sqrt_slope = std::numeric_limits<double>::quiet_NaN();      ///< dE/d√t of the relaxation, V/s^½
  double r_squared = std::numeric_limits<double>::quiet_NaN();       ///< of the √t fit
  double diffusivity = std::numeric_limits<double>::quiet_NaN();     ///< cm²/s
  double ratio =
      std::numeric_limits<double>::quiet_NaN();  ///< \f$D\,t_\mathrm{fit}/L^2\f$ with \f$t_\mathrm{fit}\f$ = fit_to
  step_flag flags =
      step_flag::none;  ///< too_few_points, poor_sqrt_fit, sign_mismatch, ratio_too_large, no_relaxation, incomplete
};

/// \brief Diffusivity at every short interruption of a constant current (intermittent current
/// interruption, ICI).
/// \ingroup echem
///
/// Once a constant current has flowed for longer than \f$L^2/D\f$, the concentration profile only
/// rises with the bulk, so \f$dE/dt = (dE/dx)(dx/dt)\f$. When the current stops, the surface
/// relaxes as the response to the opposite current step added to the current that continues:
/// \f$E = E_0 + (dE/dt)\,t + k\sqrt{t}\f$ at short times.
/// Weppner–Huggins eq. 1 with \f$I V_M/(zFS)\,dE/dx = L\,dE/dt\f$ gives
/// \f[ D = \frac{4}{\pi}\left(L\,\frac{dE/dt}{k}\right)^2 . \f]
/// For each current segment followed by an interruption: dE/dt is the slope of a line through the
/// segment's last `rate_window` s; \f$k\f$ and \f$E_0\f$ come from a line of \f$E - (dE/dt)\,t\f$ against
/// \f$\sqrt{t - t_\mathrm{off}}\f$ over [fit_from, fit_to] s of the interruption (both by
/// fit::least_squares); the resistance is the line's value at the switch minus \f$E_0\f$, over the
/// current. Interruptions without enough samples are reported with flags and NaN, not errors.
/// \param time s, non-decreasing (repeated stamps at step changes allowed, as in segment()).
/// \param voltage V. \param current A (either sign).
/// \param length diffusion length \f$L\f$ in cm (diffusion_length(), or sphere_diffusion_length()).
/// \param options windows and thresholds; see ici_options.
/// \returns one result per current segment, in time order.
/// \throws valence::invalid_input from segment(), for a non-positive or non-finite \p length, or
///         for options out of range (0 ≤ fit_from < fit_to, a positive rate_window, min_r_squared in
///         [0, 1], a positive max_ratio).
///
/// **Accuracy.** On an exact synthetic slab with a linear open-circuit curve, current segments of
/// 8 \f$L^2/D\f$ and \f$D t_\mathrm{fit}/L^2 = 0.008\f$, D is recovered to 3e-12 and R to 5e-14
/// (tests/echem/test_gitt_ici.cpp): the sealed slab's short-time response is exactly the
/// semi-infinite one there. Shorter segments (a profile still developing) and spheres (a
/// \f$Dt/r^2\f$ term, see validity_ratio()) add the errors discussed for eq. 1.
///
/// **References.** Y.-C. Chien, H. Liu, A. S. Menon, W. R. Brant, D. Brandell, M. J. Lacey,
/// Nat. Commun. 14, 2289 (2023); W. Weppner, R. A. Huggins, J. Electrochem. Soc. 124, 1569 (1977).
template <class = void>
[[nodiscard]] std::vector<interruption_result> ici(const vector_ref& time, const vector_ref& voltage,
                                                   const vector_ref& current, double length,
                                                   const ici_options& options = {}) {
  constexpr const char* function = "valence::echem::gitt::ici";
  const auto check_range = [&](const char* name, double value, bool ok, const char* expected) {
    if (!ok) {
      throw invalid_input(core::detail::message(
          function,
          std::string("option '") + name + "' is " + core::detail::format_value(value) + "; expected " + expected));
    }
  };
  if (!(length > 0 && std::isfinite(length))) {
    throw invalid_input(core::detail::message(function, "parameter 'length' is " + core::detail::format_value(length) +
                                                            "; expected a positive diffusion length in cm"));
  }
  check_range("fit_from", options.fit_from, options.fit_from >= 0 && std::isfinite(options.fit_from),
              "a time >= 0 in s");
  check_range("fit_to", options.fit_to, options.fit_to > options.fit_from && std::isfinite(options.fit_to),
              "a time in s after 'fit_from'");
  check_range("rate_window", options.rate_window, options.rate_window > 0 && std::isfinite(options.rate_window),
              "a positive time in s");
  check_range("min_r_squared", options.min_r_squared, options.min_r_squared >= 0 && options.min_r_squared <= 1,
              "a value in [0, 1]");
  check_range("max_ratio", options.max_ratio, options.max_ratio > 0 && std::isfinite(options.max_ratio),
              "a positive finite ratio");
  const auto steps = segment(time, voltage, current, options.segmentation).steps;
  std::vector<interruption_result> out;
  for (const auto& step : steps) {
    interruption_result r;
    r.step = step;
    r.switch_time = time(step.pulse_begin) + step.duration;
    if (!step.complete) {
      r.flags = r.flags | step_flag::incomplete;
    }
    if (step.rest_end <= step.rest_begin) {
      r.flags = r.flags | step_flag::no_relaxation;
      out.push_back(r);
      continue;
    }
    index first = step.pulse_end - 1;
    while (first > step.pulse_begin && time(first - 1) >= r.switch_time - options.rate_window) {
      --first;
    }
    std::vector<index> rows;
    for (index i = step.rest_begin; i < step.rest_end; ++i) {
      const double since = time(i) - r.switch_time;
      if (since >= options.fit_from && since <= options.fit_to) {
        rows.push_back(i);
      }
    }
    if (step.pulse_end - first < 3 || rows.size() < 3) {
      r.flags = r.flags | step_flag::too_few_points;
      out.push_back(r);
      continue;
    }
    const auto rate = detail::fit_line((time.segment(first, step.pulse_end - first).array() - r.switch_time).matrix(),
                                       voltage.segment(first, step.pulse_end - first));
    vector_d root(static_cast<index>(rows.size()));
    vector_d relaxing(root.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const double since = time(rows[k]) - r.switch_time;
      root(static_cast<index>(k)) = std::sqrt(since);
      relaxing(static_cast<index>(k)) = voltage(rows[k]) - (options.subtract_rate ? rate.slope * since : 0.0);
    }
    const auto relaxation = detail::fit_line(root, relaxing);
    r.voltage_rate = rate.slope;
    r.sqrt_intercept = relaxation.intercept;
    r.sqrt_slope = relaxation.slope;
    r.r_squared = relaxation.r_squared;
    r.ir_drop = rate.intercept - relaxation.intercept;
    r.resistance = r.ir_drop / step.current;
    if (relaxation.r_squared < options.min_r_squared) {
      r.flags = r.flags | step_flag::poor_sqrt_fit;
    }
    if (!(r.voltage_rate * r.sqrt_slope < 0)) {  // the relaxation runs against the rise under current
      r.flags = r.flags | step_flag::sign_mismatch;
    }
    if (r.sqrt_slope != 0) {
      constexpr double pi = 3.14159265358979323846;
      const double q = length * r.voltage_rate / r.sqrt_slope;
      r.diffusivity = 4 / pi * q * q;
      r.ratio = r.diffusivity * options.fit_to / (length * length);
      if (r.ratio > options.max_ratio) {
        r.flags = r.flags | step_flag::ratio_too_large;
      }
    }
    out.push_back(r);
  }
  return out;
}

/// \brief ici() with the diffusion length of an electrode (diffusion_length()).
/// \ingroup echem
/// \param time, voltage, current, options as for ici(); \param cell the electrode (mass, molar
/// mass, molar volume, area). \returns as ici(). \throws valence::invalid_input as ici() and
/// diffusion_length().
template <class = void>
[[nodiscard]] std::vector<interruption_result> ici(const vector_ref& time, const vector_ref& voltage,
                                                   const vector_ref& current, const electrode& cell,
                                                   const ici_options& options = {}) {
  return ici(time, voltage, current, diffusion_length(cell), options);
}

}  // namespace valence::echem::gitt

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::echem::gitt {
extern template std::vector<interruption_result> ici<>(const vector_ref&, const vector_ref&, const vector_ref&, double,
                                                       const ici_options&);
extern template std::vector<interruption_result> ici<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                                       const electrode&, const ici_options&);
}  // namespace valence::echem::gitt
#endif

#endif  // VALENCE_ECHEM_GITT_ICI_HPP
