// SPDX-License-Identifier: MIT
/// \file
/// \brief Self-absorption correction of fluorescence-yield XANES from thick samples (Larch's FLUO
/// algorithm), with the absorption coefficients supplied by the caller.
#ifndef VALENCE_RIXS_FLUO_CORRECTION_HPP
#define VALENCE_RIXS_FLUO_CORRECTION_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/xas/pre_edge.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace valence::rixs {

/// \brief The sample and geometry of fluo_correction().
/// \ingroup rixs
///
/// The three absorption coefficients are those of the whole sample (every element of its formula,
/// the absorber included): any one unit (cm²/g at unit density, as Larch takes them from xraydb, or
/// 1/cm), since only their ratios enter. For a formula, tabulations such as xraylib's
/// `CS_Total_CP` or the NIST XCOM tables give them.
struct fluo_options {
  double mu_fluorescence = 0;  ///< at the fluorescence line's energy (e.g. Ni Kα for the Ni K edge), > 0
  double mu_below = 0;         ///< just below the edge (Larch: E_edge − 10 eV), > 0
  double mu_above = 0;         ///< just above the edge (Larch: E_edge + 10 eV), > mu_below
  double angle_in = 45;        ///< degrees between the incident beam and the sample surface, in (0, 180)
  double angle_out = 45;       ///< degrees between the detected fluorescence and the surface, in (0, 180)
  /// Normalisation of the measured and the corrected spectrum. Unset ranges take Larch's
  /// `fluo_corr` values: pre2 = −30 eV, norm1 = +100 eV, nnorm = 1 (and nvict = 0, the default).
  xas::pre_edge_options pre_edge;
};

/// \brief The result of fluo_correction().
/// \ingroup rixs
struct fluo_result {
  vector_d mu;             ///< the corrected spectrum, \f$\mu\alpha/(\alpha + 1 - \bar\mu)\f$
  vector_d norm;           ///< its normalised form (pre_edge() of mu)
  double alpha = 0;        ///< \f$\alpha\f$ (see fluo_correction())
  double e0 = 0;           ///< eV, the edge energy of the measured spectrum's normalisation
  vector_d measured_norm;  ///< \f$\bar\mu\f$: the measured spectrum normalised (the correction's input)
};

/// \brief Corrects a thick sample's fluorescence XANES for self-absorption.
/// \ingroup rixs
///
/// With \f$\bar\mu\f$ the measured spectrum normalised (0 before, 1 after the edge),
/// \f$g = \sin\phi_\mathrm{in}/\sin\phi_\mathrm{out}\f$ and
/// \f$\alpha = (\mu_f g + \mu_\mathrm{below})/(\mu_\mathrm{above} - \mu_\mathrm{below})\f$, the
/// corrected spectrum is \f$\mu_\mathrm{corr} = \mu\,\alpha/(\alpha + 1 - \bar\mu)\f$, normalised
/// again. This is the thick-sample limit of the fluorescence yield solved for the absorber's
/// \f$\mu\f$; it suits XANES (Larch's documentation calls it questionable for EXAFS) and flattens
/// white lines that self-absorption has damped. Angles are clamped to at least 1e-7 rad (Larch).
/// \param energy eV, strictly increasing, at least 16 points.
/// \param mu the measured fluorescence (e.g. TFY or PFY divided by I0).
/// \param options the absorption coefficients, the angles and the normalisation.
/// \returns the corrected spectrum, its normalisation and α.
/// \throws valence::invalid_input for bad arrays (as xas::pre_edge()), coefficients that are not
///         positive and finite or with mu_above ≤ mu_below, angles outside (0, 180) degrees, or a
///         measured normalised value at or above \f$1 + \alpha\f$ (where the correction diverges;
///         the message names the energy).
///
/// **References.** Larch `fluo_corr` (xraylarch, larch/xafs/fluo.py), after the FLUO program of
/// D. Haskel (1999); C. H. Booth, F. Bridges, Phys. Scr. T115, 202 (2005); L. Tröger et al., Phys.
/// Rev. B 46, 3283 (1992).
template <class = void>
[[nodiscard]] fluo_result fluo_correction(const vector_ref& energy, const vector_ref& mu, const fluo_options& options) {
  constexpr const char* function = "valence::rixs::fluo_correction";
  const auto positive = [&](const char* name, double value) {
    if (!(value > 0) || !std::isfinite(value)) {
      throw invalid_input(core::detail::message(function, std::string("option '") + name + "' is " +
                                                              core::detail::format_value(value) +
                                                              "; expected a positive absorption coefficient"));
    }
  };
  positive("mu_fluorescence", options.mu_fluorescence);
  positive("mu_below", options.mu_below);
  positive("mu_above", options.mu_above);
  if (!(options.mu_above > options.mu_below)) {
    throw invalid_input(core::detail::message(
        function, "option 'mu_above' is " + core::detail::format_value(options.mu_above) + " and 'mu_below' " +
                      core::detail::format_value(options.mu_below) + "; expected a rise across the edge"));
  }
  for (const auto& [name, angle] : {std::pair<const char*, double>{"angle_in", options.angle_in},
                                    std::pair<const char*, double>{"angle_out", options.angle_out}}) {
    if (!(angle > 0 && angle < 180)) {
      throw invalid_input(core::detail::message(function, std::string("option '") + name + "' is " +
                                                              core::detail::format_value(angle) +
                                                              " degrees; expected an angle in (0, 180)"));
    }
  }
  xas::pre_edge_options normalisation = options.pre_edge;
  if (!normalisation.pre2) {
    normalisation.pre2 = -30.0;
  }
  if (!normalisation.norm1) {
    normalisation.norm1 = 100.0;
  }
  if (!normalisation.nnorm) {
    normalisation.nnorm = 1;
  }
  const auto measured = xas::pre_edge(energy, mu, normalisation);
  const double radians = 3.14159265358979323846 / 180;
  const double geometry =
      std::sin(std::max(1e-7, options.angle_in * radians)) / std::sin(std::max(1e-7, options.angle_out * radians));
  const double alpha = (options.mu_fluorescence * geometry + options.mu_below) / (options.mu_above - options.mu_below);
  vector_d corrected(mu.size());
  for (index i = 0; i < mu.size(); ++i) {
    const double denominator = alpha + 1 - measured.norm(i);
    if (!(denominator > 0)) {
      throw invalid_input(core::detail::message(
          function, "the normalised spectrum reaches " + core::detail::format_value(measured.norm(i)) + " at " +
                        core::detail::format_value(energy(i)) +
                        " eV, at or above 1 + alpha = " + core::detail::format_value(1 + alpha) +
                        ", where the correction diverges; expected a "
                        "thick-sample spectrum normalised below 1 + alpha"));
    }
    corrected(i) = mu(i) * alpha / denominator;
  }
  auto renormalisation = normalisation;
  renormalisation.e0 = measured.e0;
  const auto after = xas::pre_edge(energy, corrected, renormalisation);
  return {corrected, after.norm, alpha, measured.e0, measured.norm};
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_FLUO_CORRECTION_HPP
