// SPDX-License-Identifier: MIT
/// \file
/// \brief Fluorescence yields of a RIXS map, each a spectrum over excitation energy with its
/// Poisson error: PFY, super-partial PFY, TFY (optionally without the elastic line) and inverse PFY.
#ifndef VALENCE_RIXS_YIELDS_HPP
#define VALENCE_RIXS_YIELDS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/rixs/detail/window.hpp>
#include <valence/rixs/rixs_map.hpp>
#include <valence/rixs/rixs_spectrum.hpp>

#include <cmath>
#include <string>

namespace valence::rixs {

namespace detail {

// Sums of intensity and variance over columns [c.begin, c.end()) of rows [r.begin, r.end()).
template <class = void>
rixs_spectrum row_sums(const rixs_map& map, core::index_range rows, core::index_range columns) {
  rixs_spectrum out{map.excitation.segment(rows.begin, rows.size), vector_d(rows.size), vector_d(rows.size)};
  for (index r = 0; r < rows.size; ++r) {
    out.value(r) = map.intensity.row(rows.begin + r).segment(columns.begin, columns.size).sum();
    out.error(r) = std::sqrt(map.variance.row(rows.begin + r).segment(columns.begin, columns.size).sum());
  }
  return out;
}

template <class = void>
void check_emission_map(const char* function, const rixs_map& map) {
  check_map(function, map);
  if (map.energy_transfer) {
    throw invalid_input(
        core::detail::message(function, "parameter 'map' is on energy transfer; expected a map on emission energy"));
  }
}

}  // namespace detail

/// \brief Partial fluorescence yield: the map summed over an emission window, for every excitation
/// energy, \f$\mathrm{PFY}(E_\mathrm{in}) = \sum_{E_\mathrm{out}\in W} I(E_\mathrm{in}, E_\mathrm{out})\f$.
/// \ingroup rixs
///
/// On a map normalised by I0 (normalize()) this is the PFY XANES, ready for xas normalisation
/// (e.g. a transition-metal Lα window over the L edge, or O Kα over the O K edge).
/// \param map a map on emission energy.
/// \param emission_window eV, within the emission axis, holding at least one channel (closed).
/// \returns PFY over every excitation energy with \f$\sigma = \sqrt{\sum \mathrm{var}}\f$.
/// \throws valence::invalid_input for a malformed map, one on energy transfer, or a window that is
///         reversed, not finite, beyond the axis or empty.
///
/// **Reference.** F. M. F. de Groot, M. A. Arrio, Ph. Sainctavit, Ch. Cartier, C. T. Chen, Solid
/// State Commun. 92, 991 (1994) (PFY against absorption).
template <class = void>
[[nodiscard]] rixs_spectrum pfy(const rixs_map& map, const core::window<double>& emission_window) {
  constexpr const char* function = "valence::rixs::pfy";
  detail::check_emission_map(function, map);
  const auto columns =
      detail::channels_inside(function, "emission_window", "the emission axis", map.emission, emission_window);
  return detail::row_sums(map, {0, map.excitation.size()}, columns);
}

/// \brief Super-partial fluorescence yield: the PFY of a narrow emission window that isolates one
/// RIXS feature, over the excitation window where that feature lives (e.g. the oxidised-oxygen
/// feature of Li-rich cathodes, about 523.7 eV emission at 531 eV excitation).
/// \ingroup rixs
///
/// rixs_spectrum::sum() integrates it over the excitation window (the quantity compared between
/// charge states), with rixs_spectrum::sum_error().
/// \param map a map on emission energy.
/// \param excitation_window eV, within the excitation axis, at least one row.
/// \param emission_window eV, within the emission axis, at least one channel.
/// \returns the yield over the rows of the excitation window.
/// \throws valence::invalid_input as pfy(), and for the excitation window.
///
/// **Reference.** K. Dai et al. (W. Yang group), Joule 3, 518 (2019) (sPFY of O-K mRIXS).
template <class = void>
[[nodiscard]] rixs_spectrum spfy(const rixs_map& map, const core::window<double>& excitation_window,
                                 const core::window<double>& emission_window) {
  constexpr const char* function = "valence::rixs::spfy";
  detail::check_emission_map(function, map);
  const auto rows =
      detail::channels_inside(function, "excitation_window", "the excitation axis", map.excitation, excitation_window);
  const auto columns =
      detail::channels_inside(function, "emission_window", "the emission axis", map.emission, emission_window);
  return detail::row_sums(map, rows, columns);
}

/// \brief Total fluorescence yield: every emission channel summed for each excitation energy,
/// optionally without the elastic line (the channels with \f$|E_\mathrm{out} - E_\mathrm{in}| \le
/// w/2\f$), whose scattering is not fluorescence.
/// \ingroup rixs
/// \param map a map on emission energy.
/// \param elastic_width eV, ≥ 0: the full width excluded around the elastic line; 0 keeps every channel.
/// \returns TFY over every excitation energy.
/// \throws valence::invalid_input for a malformed map, one on energy transfer, or a negative or
///         non-finite width.
template <class = void>
[[nodiscard]] rixs_spectrum tfy(const rixs_map& map, double elastic_width = 0) {
  constexpr const char* function = "valence::rixs::tfy";
  detail::check_emission_map(function, map);
  if (!(elastic_width >= 0) || !std::isfinite(elastic_width)) {
    throw invalid_input(core::detail::message(function, "parameter 'elastic_width' is " +
                                                            core::detail::format_value(elastic_width) +
                                                            " eV; expected a finite width >= 0"));
  }
  auto out = detail::row_sums(map, {0, map.excitation.size()}, {0, map.emission.size()});
  if (elastic_width > 0) {
    for (index r = 0; r < map.excitation.size(); ++r) {
      double value = 0;
      double variance = 0;
      for (index c = 0; c < map.emission.size(); ++c) {
        if (std::abs(map.emission(c) - map.excitation(r)) > 0.5 * elastic_width) {
          value += map.intensity(r, c);
          variance += map.variance(r, c);
        }
      }
      out.value(r) = value;
      out.error(r) = std::sqrt(variance);
    }
  }
  return out;
}

/// \brief Inverse partial fluorescence yield, \f$\mathrm{iPFY} = I_0/\mathrm{PFY}_\mathrm{nr}\f$, from
/// a non-resonant emission line (e.g. O Kα while scanning a transition-metal L edge): proportional
/// to the total absorption \f$\mu(E) + \mu(E_f)\sin\alpha/\sin\beta\f$ and free of the saturation
/// that distorts PFY and TFY.
/// \ingroup rixs
///
/// On a map normalised by I0 the PFY is already \f$\mathrm{PFY}/I_0\f$ and the result is its
/// reciprocal; on a map of counts it is \f$1/\mathrm{PFY}\f$ (multiply by I0 yourself).
/// Error: \f$\sigma_\mathrm{PFY}/\mathrm{PFY}^2\f$ (first order).
/// \param map a map on emission energy, normalised by I0.
/// \param emission_window eV, the non-resonant line's window (as pfy()).
/// \returns iPFY over every excitation energy.
/// \throws valence::invalid_input as pfy(), and where the window's yield is not positive (the
///         message names the excitation energy).
///
/// **Reference.** A. J. Achkar, T. Z. Regier, H. Wadati, Y.-J. Kim, H. Zhang, D. G. Hawthorn, Phys.
/// Rev. B 83, 081106(R) (2011).
template <class = void>
[[nodiscard]] rixs_spectrum ipfy(const rixs_map& map, const core::window<double>& emission_window) {
  constexpr const char* function = "valence::rixs::ipfy";
  detail::check_emission_map(function, map);
  const auto columns =
      detail::channels_inside(function, "emission_window", "the emission axis", map.emission, emission_window);
  auto out = detail::row_sums(map, {0, map.excitation.size()}, columns);
  for (index r = 0; r < out.value.size(); ++r) {
    if (!(out.value(r) > 0)) {
      throw invalid_input(core::detail::message(
          function, "the yield in 'emission_window' is " + core::detail::format_value(out.value(r)) + " at " +
                        core::detail::format_value(out.energy(r)) + " eV excitation; expected a positive yield"));
    }
    out.error(r) /= out.value(r) * out.value(r);
    out.value(r) = 1 / out.value(r);
  }
  return out;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_YIELDS_HPP
