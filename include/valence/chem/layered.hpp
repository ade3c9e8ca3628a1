// SPDX-License-Identifier: MIT
/// \file
/// \brief Li/Mn-rich layered oxides: the composite notation x Li2MnO3·(1−x) LiMO2 and the layered
/// notation Li(1+y)M(1−y)O2.
#ifndef VALENCE_CHEM_LAYERED_HPP
#define VALENCE_CHEM_LAYERED_HPP

#include <valence/chem/composition.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <string>

namespace valence::chem {

/// \brief Layered Li excess \f$y\f$ of a composite with Li2MnO3 fraction \f$x\f$: \f$y = x/(2+x)\f$.
/// \ingroup chem
///
/// \f$x\,\mathrm{Li_2MnO_3}\cdot(1-x)\,\mathrm{LiMO_2} =
/// \mathrm{Li}_{1+x}\mathrm{Mn}_x\mathrm{M}_{1-x}\mathrm{O}_{2+x}\f$; scaled to two oxygens (factor \f$2/(2+x)\f$) it
/// reads \f$\mathrm{Li}_{1+y}(\mathrm{Mn}_x\mathrm{M}_{1-x})_{1-y}\mathrm{O_2}\f$. Example: \f$x = 0.5\f$ gives \f$y =
/// 0.2\f$ (Li1.2…O2). \param x Li2MnO3 fraction in [0, 1]. \returns \f$y\f$ in [0, 1/3]. \throws valence::invalid_input
/// for \p x outside [0, 1].
[[nodiscard]] inline double layered_excess_from_composite(double x) {
  if (!(x >= 0 && x <= 1)) {
    throw invalid_input(core::detail::message(
        "valence::chem::layered_excess_from_composite",
        "parameter 'x' is " + core::detail::format_value(x) + "; expected a Li2MnO3 fraction in [0, 1]"));
  }
  return x / (2 + x);
}

/// \brief Li2MnO3 fraction \f$x\f$ of a layered oxide with Li excess \f$y\f$: \f$x = 2y/(1-y)\f$,
/// the inverse of layered_excess_from_composite().
/// \ingroup chem
/// \param y Li excess in [0, 1/3].
/// \returns \f$x\f$ in [0, 1].
/// \throws valence::invalid_input for \p y outside [0, 1/3].
[[nodiscard]] inline double composite_fraction_from_layered(double y) {
  if (!(y >= 0 && y <= 1.0 / 3.0)) {
    throw invalid_input(core::detail::message(
        "valence::chem::composite_fraction_from_layered",
        "parameter 'y' is " + core::detail::format_value(y) + "; expected a Li excess in [0, 1/3]"));
  }
  return 2 * y / (1 - y);
}

/// \brief The layered formula per two oxygens of \f$x\,\mathrm{Li_2MnO_3}\cdot(1-x)\,\mathrm{LiMO_2}\f$:
/// \f$\mathrm{Li}_{1+y}\,\mathrm{M}_{(1-x)(1-y)}\,\mathrm{Mn}_{x(1-y)}\,\mathrm{O_2}\f$ with \f$y = x/(2+x)\f$.
/// \ingroup chem
///
/// Example: \f$x = 0.5\f$, M = Ni1/3Co1/3Mn1/3 gives Li1.2Ni0.1333Co0.1333Mn0.5333O2. Parsing
/// "0.5Li2MnO3·0.5LiM'O2" and normalising to two O gives the same composition.
/// \param x Li2MnO3 fraction in [0, 1].
/// \param metals the transition metals M of LiMO2, in any scale (normalised to one M per formula).
/// \returns Li, the metals of \p metals in their order, Mn (merged if \p metals holds Mn) and O2.
/// \throws valence::invalid_input for \p x outside [0, 1], or \p metals that is empty or holds Li or O.
[[nodiscard]] inline composition layered_from_composite(double x, const composition& metals) {
  constexpr const char* function = "valence::chem::layered_from_composite";
  const double y = layered_excess_from_composite(x);
  const double total = metals.total_atoms();
  if (!(total > 0) || metals.contains("Li") || metals.contains("O")) {
    throw invalid_input(core::detail::message(function, "parameter 'metals' is '" + metals.formula() +
                                                            "'; expected the transition metals M of LiMO2, "
                                                            "without Li or O"));
  }
  composition out;
  out.add("Li", 1 + y);
  for (const auto& item : metals.entries()) {
    out.add(*item.element_ptr, item.amount / total * (1 - x) * (1 - y));
  }
  out.add("Mn", x * (1 - y));
  out.add("O", 2);
  return out;
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_LAYERED_HPP
