// SPDX-License-Identifier: MIT
/// \file
/// \brief Per-step GITT analysis: equilibrium voltages, IR drops, the √t fit, Li content and
/// Weppner–Huggins diffusivities with validity flags.
#ifndef VALENCE_ECHEM_GITT_ANALYZE_HPP
#define VALENCE_ECHEM_GITT_ANALYZE_HPP

#include <valence/core/check.hpp>
#include <valence/core/constants.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/echem/gitt.hpp>
#include <valence/echem/gitt_segment.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace valence::echem::gitt {

/// \brief Why a step's diffusivity should not be trusted (bit flags; several may be set).
/// \ingroup echem
enum class step_flag : std::uint16_t {
  none = 0,
  poor_sqrt_fit = 1U << 0,      ///< \f$R^2\f$ of \f$E\f$ against \f$\sqrt t\f$ below analyze_options::min_r_squared
  too_few_points = 1U << 1,     ///< fewer than 3 samples in the √t window: no fit, no D
  not_settled = 1U << 2,        ///< the relaxation still drifts faster than analyze_options::settled_rate
  ratio_too_large = 1U << 3,    ///< \f$\tau D/L^2\f$ above analyze_options::max_ratio
  sign_mismatch = 1U << 4,      ///< \f$\Delta E_s\f$ and \f$\Delta E_\tau\f$ of opposite signs
  no_relaxation = 1U << 5,      ///< no rest after the pulse: \f$\Delta E_s\f$ unknown, no D
  not_rested_before = 1U << 6,  ///< no rest before the pulse: no pre-pulse equilibrium, no D
  incomplete = 1U << 7          ///< the record ends in the pulse
};

/// \brief Union of two flag sets.
/// \ingroup echem
/// \param a, b flag sets. \returns their union.
[[nodiscard]] constexpr step_flag operator|(step_flag a, step_flag b) {
  return static_cast<step_flag>(static_cast<std::uint16_t>(a) | static_cast<std::uint16_t>(b));
}

/// \brief Intersection of two flag sets; with operator~ it clears a flag \p f: `flags & ~f`.
/// \ingroup echem
/// \param a, b flag sets. \returns the flags set in both.
[[nodiscard]] constexpr step_flag operator&(step_flag a, step_flag b) {
  return static_cast<step_flag>(static_cast<std::uint16_t>(a) & static_cast<std::uint16_t>(b));
}

/// \brief Complement of a flag set within the defined flags.
/// \ingroup echem
/// \param a a flag set. \returns every defined flag not in \p a.
[[nodiscard]] constexpr step_flag operator~(step_flag a) {
  return static_cast<step_flag>(~static_cast<std::uint16_t>(a) & 0xFFU);
}

/// \brief The names of the flags in a set, joined by `|` (e.g. `"not_settled|incomplete"`), or
/// `"none"`.
/// \ingroup echem
/// \param flags a flag set. \returns the names, in bit order.
[[nodiscard]] inline std::string to_string(step_flag flags) {
  constexpr const char* names[] = {"poor_sqrt_fit", "too_few_points", "not_settled",       "ratio_too_large",
                                   "sign_mismatch", "no_relaxation",  "not_rested_before", "incomplete"};
  std::string out;
  for (unsigned bit = 0; bit < 8; ++bit) {
    if ((static_cast<std::uint16_t>(flags) & (1U << bit)) != 0) {
      out += (out.empty() ? "" : "|") + std::string(names[bit]);
    }
  }
  return out.empty() ? "none" : out;
}

/// \brief Whether \p flags contains \p flag.
/// \ingroup echem
/// \param flags a flag set; \param flag the flag looked for. \returns true if it is set.
[[nodiscard]] constexpr bool has(step_flag flags, step_flag flag) {
  return (static_cast<std::uint16_t>(flags) & static_cast<std::uint16_t>(flag)) != 0;
}

/// \brief Settings of analyze().
/// \ingroup echem
struct analyze_options {
  segment_options segmentation;  ///< how the record is split into steps
  /// Lithium content \f$x\f$ (per formula unit) before the first pulse.
  double initial_content = 1;
  /// The √t fit uses the samples with \f$t - t_{\rm on}\f$ in [fit_start, 1] × τ (GITTcalc's τ/5:
  /// later than the IR step and the double-layer charging).
  double fit_start = 0.2;
  double min_r_squared = 0.99;  ///< below this the fit is flagged poor (GITTcalc's threshold)
  /// A relaxation has settled when the slope of its last tenth is below this, V/s (1 mV/h).
  double settled_rate = 1e-3 / 3600;
  /// Flag steps whose \f$\tau D/L^2\f$ exceeds this. For spheres eq. 1 is within 3 % only below
  /// about 1e-3 (validity_ratio()).
  double max_ratio = 0.01;
};

/// \brief One analysed titration step. Voltages in V, times in s, charge in C, D in cm²/s; NaN
/// where a flag says the quantity cannot be formed.
/// \ingroup echem
struct step_result {
  titration_step step;                ///< the index ranges and current from segment()
  double equilibrium_before = 0;      ///< relaxed voltage before the pulse (last sample before it)
  double equilibrium_after = 0;       ///< relaxed voltage at the end of the relaxation
  double ir_drop_start = 0;           ///< voltage jump at the pulse start, \f$V(t_{\rm on}) - V(t_{\rm on}^-)\f$
  double ir_drop_end = 0;             ///< voltage jump at the pulse end, \f$V(t_{\rm off}^-) - V(t_{\rm off})\f$
  double resistance = 0;              ///< ir_drop_start / current, Ω
  double sqrt_intercept = 0;          ///< \f$E_2\f$: the √t line at \f$t = t_{\rm on}\f$ (IR included)
  double sqrt_slope = 0;              ///< \f$dE/d\sqrt t\f$, V/s^½
  double r_squared = 0;               ///< of the √t fit
  double delta_e_tau = 0;             ///< \f$\Delta E_\tau\f$ = slope × \f$\sqrt\tau\f$ (IR excluded)
  double delta_e_s = 0;               ///< \f$\Delta E_s\f$ = equilibrium_after − equilibrium_before
  double relaxation_rate = 0;         ///< slope of the relaxation's last tenth, V/s
  double charge = 0;                  ///< \f$\int I\,dt\f$ over the pulse (mean current × τ), C
  double content = 0;                 ///< Li content \f$x\f$ after the step
  double diffusivity = 0;             ///< eq. 2 (diffusivity())
  double diffusivity_slope = 0;       ///< eq. 1 (diffusivity_from_slope())
  double ratio = 0;                   ///< \f$\tau D/L^2\f$ with the eq. 1 value
  step_flag flags = step_flag::none;  ///< see step_flag
};

namespace detail {

// Straight line through (x, y): intercept, slope and R^2, by fit::least_squares.
struct line {
  double intercept;
  double slope;
  double r_squared;
};

template <class = void>
line fit_line(const vector_ref& x, const vector_ref& y) {
  matrix_d design(x.size(), 2);
  design.col(0).setOnes();
  design.col(1) = x;
  const auto f = fit::least_squares(design, y);
  const double total = (y.array() - y.mean()).square().sum();
  return {f.coefficients(0), f.coefficients(1), total > 0 ? 1 - f.chi_square / total : 1.0};
}

}  // namespace detail

/// \brief Analyses every titration step of a GITT record (Weppner–Huggins).
/// \ingroup echem
///
/// The record is split by segment(). For each step: the equilibrium voltage before the pulse
/// (its last preceding sample) and after the relaxation (its last sample); the IR jumps at both
/// switches; a straight-line fit of \f$E\f$ against \f$\sqrt{t - t_{\rm on}}\f$ over
/// [fit_start·τ, τ], whose slope gives \f$\Delta E_\tau = \text{slope}\sqrt\tau\f$ with the IR step
/// excluded (GITTcalc's back-extrapolation); \f$\Delta E_s\f$; the charge and the Li content
/// \f$x_k = x_0 - \sum Q/(F\,m/M)\f$ (one electron per formula unit; positive current removes Li);
/// \f$D\f$ by eq. 2 and eq. 1 with \f$L = m V_M/(M S)\f$; the validity ratio; and flags. A step
/// whose D cannot be formed keeps NaN there and says why in its flags; the other steps are
/// unaffected.
/// \param time s, non-decreasing (repeated stamps at step changes allowed, as in segment());
/// \param voltage V; \param current A (same length, finite).
/// \param cell the active material (mass, molar mass, molar volume, area).
/// \param options segmentation, initial content, fit window and flag thresholds.
/// \returns one result per step, in time order.
/// \throws valence::invalid_input as segment() and diffusion_length(), and for options out of
///         range (fit_start outside [0, 1), min_r_squared outside [0, 1], a non-positive
///         settled_rate or max_ratio, a non-finite initial content).
///
/// **Accuracy.** On synthetic slab records (synth::synthetic_gitt()) at \f$\tau D/L^2 = 10^{-3}\f$
/// both equations recover D to +0.1 %, the Li content equals the simulation's to 1e-12 and the
/// resistance its ohmic R to 1e-11 (tests/echem/test_gitt_analyze.cpp). For spheres see
/// validity_ratio(): eq. 1 then underestimates D by about \f$0.76\sqrt{\tau D/L^2}\f$.
///
/// **Reference.** W. Weppner, R. A. Huggins, J. Electrochem. Soc. 124, 1569 (1977).
template <class = void>
[[nodiscard]] std::vector<step_result> analyze(const vector_ref& time, const vector_ref& voltage,
                                               const vector_ref& current, const electrode& cell,
                                               const analyze_options& options = {}) {
  constexpr const char* function = "valence::echem::gitt::analyze";
  const double length = diffusion_length(cell);
  const auto check_range = [&](const char* name, double value, bool ok, const char* expected) {
    if (!ok) {
      throw invalid_input(core::detail::message(
          function,
          std::string("option '") + name + "' is " + core::detail::format_value(value) + "; expected " + expected));
    }
  };
  check_range("fit_start", options.fit_start, options.fit_start >= 0 && options.fit_start < 1, "a fraction in [0, 1)");
  check_range("min_r_squared", options.min_r_squared, options.min_r_squared >= 0 && options.min_r_squared <= 1,
              "a value in [0, 1]");
  check_range("settled_rate", options.settled_rate, options.settled_rate > 0 && std::isfinite(options.settled_rate),
              "a positive finite rate in V/s");
  check_range("max_ratio", options.max_ratio, options.max_ratio > 0 && std::isfinite(options.max_ratio),
              "a positive finite ratio");
  check_range("initial_content", options.initial_content, std::isfinite(options.initial_content), "a finite content");
  const auto steps = segment(time, voltage, current, options.segmentation).steps;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const double moles = cell.mass / cell.molar_mass;
  double content = options.initial_content;
  std::vector<step_result> out;
  for (const auto& step : steps) {
    step_result r;
    r.step = step;
    const index on = step.pulse_begin;
    const index last_on = step.pulse_end - 1;
    const bool has_rest = step.rest_end > step.rest_begin;
    r.equilibrium_before = step.rested_before ? voltage(on - 1) : nan;
    r.equilibrium_after = has_rest ? voltage(step.rest_end - 1) : nan;
    r.ir_drop_start = on > 0 ? voltage(on) - voltage(on - 1) : nan;
    r.ir_drop_end = step.complete ? voltage(last_on) - voltage(step.pulse_end) : nan;
    r.resistance = r.ir_drop_start / step.current;
    r.charge = step.current * step.duration;
    content -= r.charge / (core::faraday_constant * moles);
    r.content = content;
    r.delta_e_s = r.equilibrium_after - r.equilibrium_before;
    // The sqrt(t) fit over [fit_start tau, tau].
    std::vector<index> rows;
    for (index i = on; i <= last_on; ++i) {
      const double elapsed = time(i) - time(on);
      if (elapsed >= options.fit_start * step.duration && elapsed <= step.duration) {
        rows.push_back(i);
      }
    }
    r.sqrt_intercept = r.sqrt_slope = r.r_squared = r.delta_e_tau = nan;
    if (rows.size() < 3) {
      r.flags = r.flags | step_flag::too_few_points;
    } else {
      vector_d x(static_cast<index>(rows.size()));
      vector_d y(x.size());
      for (std::size_t k = 0; k < rows.size(); ++k) {
        x(static_cast<index>(k)) = std::sqrt(time(rows[k]) - time(on));
        y(static_cast<index>(k)) = voltage(rows[k]);
      }
      const auto l = detail::fit_line(x, y);
      r.sqrt_intercept = l.intercept;
      r.sqrt_slope = l.slope;
      r.r_squared = l.r_squared;
      r.delta_e_tau = l.slope * std::sqrt(step.duration);
      if (l.r_squared < options.min_r_squared) {
        r.flags = r.flags | step_flag::poor_sqrt_fit;
      }
    }
    // The drift at the end of the relaxation: the slope of its last tenth (at least 3 samples).
    r.relaxation_rate = nan;
    if (has_rest) {
      const double start = time(step.rest_end - 1) - 0.1 * (time(step.rest_end - 1) - time(step.rest_begin));
      index first = step.rest_end - 1;
      while (first > step.rest_begin && (time(first - 1) >= start || step.rest_end - first < 3)) {
        --first;
      }
      if (step.rest_end - first >= 3) {
        r.relaxation_rate =
            detail::fit_line(time.segment(first, step.rest_end - first), voltage.segment(first, step.rest_end - first))
                .slope;
      }
      if (!(std::abs(r.relaxation_rate) <= options.settled_rate)) {
        r.flags = r.flags | step_flag::not_settled;
      }
    } else {
      r.flags = r.flags | step_flag::no_relaxation;
    }
    if (!step.rested_before) {
      r.flags = r.flags | step_flag::not_rested_before;
    }
    if (!step.complete) {
      r.flags = r.flags | step_flag::incomplete;
    }
    r.diffusivity = r.diffusivity_slope = r.ratio = nan;
    const bool computable = std::isfinite(r.delta_e_s) && std::isfinite(r.delta_e_tau) && r.delta_e_tau != 0;
    if (computable) {
      if (r.delta_e_s * r.delta_e_tau < 0) {
        r.flags = r.flags | step_flag::sign_mismatch;
      }
      r.diffusivity = diffusivity(length, step.duration, r.delta_e_s, r.delta_e_tau);
      r.diffusivity_slope = diffusivity_from_slope(length, step.duration, r.delta_e_s, r.sqrt_slope);
      if (r.diffusivity_slope > 0) {
        r.ratio = validity_ratio(r.diffusivity_slope, step.duration, length);
        if (r.ratio > options.max_ratio) {
          r.flags = r.flags | step_flag::ratio_too_large;
        }
      }
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace valence::echem::gitt

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::echem::gitt {
extern template std::vector<step_result> analyze<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                                   const electrode&, const analyze_options&);
}  // namespace valence::echem::gitt
#endif

#endif  // VALENCE_ECHEM_GITT_ANALYZE_HPP
