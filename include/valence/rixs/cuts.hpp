// SPDX-License-Identifier: MIT
/// \file
/// \brief Cuts through a RIXS map: an emission spectrum at an excitation energy, an excitation
/// spectrum at an emission energy, and a constant-energy-transfer cut, with errors.
#ifndef VALENCE_RIXS_CUTS_HPP
#define VALENCE_RIXS_CUTS_HPP

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

/// \brief How a cut picks the map's lines at its energy.
/// \ingroup rixs
enum class cut_mode {
  nearest,     ///< the nearest line (Larch's `RixsData.cut`), or the mean of the lines within the band
  interpolate  ///< linear interpolation between the two lines around the energy (band must be 0)
};

namespace detail {

// Weights of the lines of `axis` that a cut at `energy` combines: [first, first + count) with
// weights w (mean over the band, nearest line, or linear interpolation).
struct cut_lines {
  index first = 0;
  index count = 0;
  double weight = 1;          // of every line (nearest, or the mean over a band)
  bool interpolated = false;  // two lines weighted 1 - fraction and fraction instead
  double fraction = 0;
};

template <class = void>
cut_lines select_lines(const char* function, const char* axis_name, const vector_d& axis, double energy, double band,
                       cut_mode mode) {
  const auto fail = [&](const std::string& what) { throw invalid_input(core::detail::message(function, what)); };
  if (!std::isfinite(energy) || energy < axis(0) || energy > axis(axis.size() - 1)) {
    fail("the cut's energy " + core::detail::format_value(energy) + " eV is outside " + axis_name + " [" +
         core::detail::format_value(axis(0)) + ", " + core::detail::format_value(axis(axis.size() - 1)) +
         "] eV; expected an energy within it");
  }
  if (!(band >= 0) || !std::isfinite(band)) {
    fail("parameter 'band' is " + core::detail::format_value(band) + " eV; expected a finite width >= 0");
  }
  cut_lines lines;
  if (mode == cut_mode::interpolate) {
    if (band != 0) {
      fail("parameter 'band' is " + core::detail::format_value(band) +
           " eV with cut_mode::interpolate; expected 0 (a band averages lines: use cut_mode::nearest)");
    }
    const index i = std::min(core::index_of(axis, energy), axis.size() - 1);
    if (i == axis.size() - 1 || axis(i) == energy) {
      lines.first = i;
      lines.count = 1;
      return lines;
    }
    lines.first = i;
    lines.count = 2;
    lines.interpolated = true;
    lines.fraction = (energy - axis(i)) / (axis(i + 1) - axis(i));
    return lines;
  }
  if (band == 0) {
    lines.first = core::index_nearest(axis, energy);
    lines.count = 1;
    return lines;
  }
  const auto range = channels_inside(function, "band", axis_name, axis,
                                     core::window<double>{energy - 0.5 * band, energy + 0.5 * band});
  lines.first = range.begin;
  lines.count = range.size;
  lines.weight = 1.0 / double(range.size);  // every line of the band weighs the same
  return lines;
}

// sum_k w_k line_k and its variance, lines taken as rows (by_rows) or columns of the map.
template <class = void>
rixs_spectrum combine_lines(const rixs_map& map, const cut_lines& lines, bool by_rows) {
  const vector_d& axis = by_rows ? map.emission : map.excitation;
  rixs_spectrum out{axis, vector_d::Zero(axis.size()), vector_d::Zero(axis.size())};
  for (index k = 0; k < lines.count; ++k) {
    const double w = lines.interpolated ? (k == 0 ? 1 - lines.fraction : lines.fraction) : lines.weight;
    for (index j = 0; j < axis.size(); ++j) {
      const index line = lines.first + k;
      out.value(j) += w * (by_rows ? map.intensity(line, j) : map.intensity(j, line));
      out.error(j) += w * w * (by_rows ? map.variance(line, j) : map.variance(j, line));
    }
  }
  out.error = out.error.cwiseSqrt();
  return out;
}

}  // namespace detail

/// \brief The emission spectrum at one excitation energy (a constant-incident-energy cut).
/// \ingroup rixs
/// \param map a map (on emission energy or energy transfer).
/// \param excitation eV, within the excitation axis.
/// \param band eV, ≥ 0: with cut_mode::nearest, the mean of the rows within ±band/2 (at least one);
///        0 takes the nearest row.
/// \param mode nearest (default) or interpolate (band 0): linear between the two rows around it.
/// \returns the cut over the map's columns; errors propagated from the variances (the rows are independent).
/// \throws valence::invalid_input for a malformed map, an energy outside the axis, a negative band,
///         a band holding no row or beyond the axis, or a band with interpolation.
template <class = void>
[[nodiscard]] rixs_spectrum emission_cut(const rixs_map& map, double excitation, double band = 0,
                                         cut_mode mode = cut_mode::nearest) {
  constexpr const char* function = "valence::rixs::emission_cut";
  detail::check_map(function, map);
  const auto lines = detail::select_lines(function, "the excitation axis", map.excitation, excitation, band, mode);
  return detail::combine_lines(map, lines, true);
}

/// \brief The excitation spectrum at one emission energy (a constant-emission-energy cut: a PFY
/// one channel wide, or the mean of the channels of a band).
/// \ingroup rixs
/// \param map a map on emission energy.
/// \param emission eV, within the emission axis.
/// \param band eV, ≥ 0: the mean of the columns within ±band/2; 0 takes the nearest.
/// \param mode nearest or interpolate, as emission_cut().
/// \returns the cut over the excitation axis.
/// \throws valence::invalid_input as emission_cut(), and for a map on energy transfer.
template <class = void>
[[nodiscard]] rixs_spectrum excitation_cut(const rixs_map& map, double emission, double band = 0,
                                           cut_mode mode = cut_mode::nearest) {
  constexpr const char* function = "valence::rixs::excitation_cut";
  detail::check_map(function, map);
  if (map.energy_transfer) {
    throw invalid_input(core::detail::message(function,
                                              "parameter 'map' is on energy transfer; expected emission "
                                              "energy (use transfer_cut)"));
  }
  const auto lines = detail::select_lines(function, "the emission axis", map.emission, emission, band, mode);
  return detail::combine_lines(map, lines, false);
}

/// \brief The intensity at a constant energy transfer \f$\Delta = E_\mathrm{in} - E_\mathrm{out}\f$
/// against excitation energy (e.g. a d–d excitation or the elastic line, \f$\Delta = 0\f$).
/// \ingroup rixs
///
/// On a map on emission energy each row is read at \f$E_\mathrm{out} = E_\mathrm{in} - \Delta\f$ by
/// linear interpolation between its two nearest channels; on a map already on energy transfer, at
/// \f$\Delta\f$. Rows where that energy falls outside the columns are left out of the result.
/// \param map a map on emission energy or on energy transfer.
/// \param transfer eV.
/// \returns the cut over the excitation energies where it is defined.
/// \throws valence::invalid_input for a malformed map, a non-finite transfer, or a transfer that no
///         row reaches.
template <class = void>
[[nodiscard]] rixs_spectrum transfer_cut(const rixs_map& map, double transfer) {
  constexpr const char* function = "valence::rixs::transfer_cut";
  detail::check_map(function, map);
  const vector_d& axis = map.emission;
  const index m = axis.size();
  rixs_spectrum out{vector_d(map.excitation.size()), vector_d(map.excitation.size()), vector_d(map.excitation.size())};
  index kept = 0;
  for (index r = 0; r < map.excitation.size() && std::isfinite(transfer); ++r) {
    const double at = map.energy_transfer ? transfer : map.excitation(r) - transfer;
    if (at < axis(0) || at > axis(m - 1)) {
      continue;
    }
    const index i = std::min(core::index_of(axis, at), m - 1);
    double value = map.intensity(r, i);
    double variance = map.variance(r, i);
    if (i + 1 < m && axis(i) != at) {
      const double w = (at - axis(i)) / (axis(i + 1) - axis(i));
      value = (1 - w) * map.intensity(r, i) + w * map.intensity(r, i + 1);
      variance = (1 - w) * (1 - w) * map.variance(r, i) + w * w * map.variance(r, i + 1);
    }
    out.energy(kept) = map.excitation(r);
    out.value(kept) = value;
    out.error(kept) = std::sqrt(variance);
    ++kept;
  }
  if (kept == 0) {
    throw invalid_input(core::detail::message(
        function, "parameter 'transfer' is " + core::detail::format_value(transfer) +
                      " eV, which no row of the map reaches; expected a finite transfer within the map"));
  }
  out.energy.conservativeResize(kept);
  out.value.conservativeResize(kept);
  out.error.conservativeResize(kept);
  return out;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_CUTS_HPP
