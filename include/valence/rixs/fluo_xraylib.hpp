// SPDX-License-Identifier: MIT
/// \file
/// \brief The absorption coefficients of fluo_correction() for a sample formula, from xraylib
/// (optional: needs xraylib's headers and `-lxrl`; CMake target `valence::xraylib` with
/// `-DVALENCE_WITH_XRAYLIB=ON`, Debian `libxrl-dev`). Not part of the umbrella header.
#ifndef VALENCE_RIXS_FLUO_XRAYLIB_HPP
#define VALENCE_RIXS_FLUO_XRAYLIB_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/rixs/fluo_correction.hpp>

#include <string>
#include <utility>

#include <xraylib.h>

namespace valence::rixs {

/// \brief The sample's coefficients for fluo_correction() and the energies they were taken at.
/// \ingroup rixs
struct fluo_coefficients {
  fluo_options options;    ///< mu_fluorescence, mu_below, mu_above (cm²/g) and the angles
  double edge_energy = 0;  ///< eV, the absorber's edge
  double line_energy = 0;  ///< eV, its fluorescence line
};

/// \brief Total mass attenuation of a sample formula at the fluorescence line, 10 eV below and
/// 10 eV above the absorber's edge (Larch `fluo_corr`'s energies), from xraylib's `CS_Total_CP`.
/// \ingroup rixs
/// \param formula the sample, as xraylib parses it (e.g. "NiO", "LiNi0.6Mn0.2Co0.2O2") or a NIST
///        compound name.
/// \param absorber the element whose edge is measured (e.g. "Ni").
/// \param edge "K", "L1", "L2", "L3" or "M1" … "M5".
/// \param line "Ka", "Kb", "La" or "Lb" (xraylib's averages over the line group).
/// \param angle_in, angle_out degrees from the sample surface, copied into the options.
/// \returns the options for fluo_correction() and the two energies.
/// \throws valence::invalid_input for an unknown edge or line name, or whatever xraylib refuses
///         (an unknown element or formula, an edge or line the element does not have), with
///         xraylib's message.
///
/// **Reference.** T. Schoonjans et al., Spectrochim. Acta B 66, 776 (2011) (xraylib).
template <class = void>
[[nodiscard]] fluo_coefficients fluo_coefficients_from_xraylib(const std::string& formula, const std::string& absorber,
                                                               const std::string& edge = "K",
                                                               const std::string& line = "Ka", double angle_in = 45,
                                                               double angle_out = 45) {
  constexpr const char* function = "valence::rixs::fluo_coefficients_from_xraylib";
  const auto call = [&](const char* what, auto&& f) {
    xrl_error* error = nullptr;
    const auto value = f(&error);
    if (error != nullptr) {
      const std::string text = error->message != nullptr ? error->message : "unknown error";
      xrl_error_free(error);
      throw invalid_input(core::detail::message(function, std::string(what) + ": xraylib: " + text));
    }
    return value;
  };
  const std::pair<const char*, int> shells[] = {{"K", K_SHELL},   {"L1", L1_SHELL}, {"L2", L2_SHELL},
                                                {"L3", L3_SHELL}, {"M1", M1_SHELL}, {"M2", M2_SHELL},
                                                {"M3", M3_SHELL}, {"M4", M4_SHELL}, {"M5", M5_SHELL}};
  const std::pair<const char*, int> lines[] = {{"Ka", KA_LINE}, {"Kb", KB_LINE}, {"La", LA_LINE}, {"Lb", LB_LINE}};
  int shell = -1;
  for (const auto& [name, value] : shells) {
    shell = edge == name ? value : shell;
  }
  int line_code = 1000;
  for (const auto& [name, value] : lines) {
    line_code = line == name ? value : line_code;
  }
  if (shell < 0 || line_code == 1000) {
    throw invalid_input(core::detail::message(function, "edge '" + edge + "' and line '" + line +
                                                            "'; expected an edge K, L1-L3 or M1-M5 and a line Ka, Kb, "
                                                            "La or Lb"));
  }
  const int z = call("parameter 'absorber'", [&](xrl_error** e) { return SymbolToAtomicNumber(absorber.c_str(), e); });
  const double edge_kev = call("the edge", [&](xrl_error** e) { return EdgeEnergy(z, shell, e); });
  const double line_kev = call("the line", [&](xrl_error** e) { return LineEnergy(z, line_code, e); });
  const auto mu = [&](double kev) {
    return call("parameter 'formula'", [&](xrl_error** e) { return CS_Total_CP(formula.c_str(), kev, e); });
  };
  fluo_coefficients out;
  out.options.mu_fluorescence = mu(line_kev);
  out.options.mu_below = mu(edge_kev - 0.010);
  out.options.mu_above = mu(edge_kev + 0.010);
  out.options.angle_in = angle_in;
  out.options.angle_out = angle_out;
  out.edge_energy = 1000 * edge_kev;
  out.line_energy = 1000 * line_kev;
  return out;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_FLUO_XRAYLIB_HPP
