// SPDX-License-Identifier: MIT
/// \file
/// \brief RIXS maps: intensity over excitation and emission energy with Poisson variances, built
/// from counts or from emission spectra on their own grids, normalised by I0 and live time, and
/// re-gridded to energy transfer.
#ifndef VALENCE_RIXS_RIXS_MAP_HPP
#define VALENCE_RIXS_RIXS_MAP_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/rixs/detail/rebin.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace valence::rixs {

/// \defgroup rixs Resonant inelastic X-ray scattering
/// \brief RIXS maps, partial and total fluorescence yields, cuts, TES photon events, pulse-height
/// calibration and self-absorption.

/// \brief A RIXS map: intensity on an excitation × emission (or energy-transfer) grid, with the
/// variance of every cell.
/// \ingroup rixs
///
/// Rows are excitation energies, columns emission energies (or energy transfer, excitation −
/// emission, when energy_transfer is set). Built from counts, the variance is the count (Poisson);
/// every operation carries it along (rebinning with the squared shares, normalisation with the
/// squared factor), so yields and cuts report errors.
struct rixs_map {
  vector_d excitation;           ///< eV, strictly increasing (rows)
  vector_d emission;             ///< eV, strictly increasing (columns): emission, or energy transfer
  matrix_d intensity;            ///< excitation × emission: counts, or counts / (I0 · s) once normalised
  matrix_d variance;             ///< of each cell of intensity
  vector_d i0;                   ///< the I0 each row was divided by (empty: not normalised)
  vector_d live_time;            ///< s, the live time each row was divided by (empty: not normalised)
  bool energy_transfer = false;  ///< the columns are energy transfer (excitation − emission), eV
};

namespace detail {

// Throws unless the map's axes are strictly increasing and its matrices match them.
template <class = void>
void check_map(const char* function, const rixs_map& map) {
  core::check_strictly_increasing(function, "map.excitation", map.excitation);
  core::check_strictly_increasing(function, "map.emission", map.emission);
  if (map.intensity.rows() != map.excitation.size() || map.intensity.cols() != map.emission.size() ||
      map.variance.rows() != map.intensity.rows() || map.variance.cols() != map.intensity.cols()) {
    throw invalid_input(core::detail::message(
        function, "parameter 'map' holds intensity " + std::to_string(map.intensity.rows()) + " x " +
                      std::to_string(map.intensity.cols()) + " and variance " + std::to_string(map.variance.rows()) +
                      " x " + std::to_string(map.variance.cols()) + " on axes of " +
                      std::to_string(map.excitation.size()) + " excitation and " + std::to_string(map.emission.size()) +
                      " emission energies; expected both excitation x emission"));
  }
}

// Throws unless every element is finite and not negative (counts).
template <typename Derived>
void check_counts(const char* function, const char* name, const Eigen::DenseBase<Derived>& counts) {
  core::check_finite(function, name, counts);
  for (index j = 0; j < counts.cols(); ++j) {
    for (index i = 0; i < counts.rows(); ++i) {
      if (counts(i, j) < 0) {
        throw invalid_input(core::detail::message(function, std::string("parameter '") + name + "' holds " +
                                                                core::detail::format_value(double(counts(i, j))) +
                                                                " at (" + std::to_string(i) + ", " + std::to_string(j) +
                                                                "); expected counts >= 0"));
      }
    }
  }
}

}  // namespace detail

/// \brief A map from counts on one grid.
/// \ingroup rixs
/// \param excitation eV, strictly increasing, one per row of \p counts.
/// \param emission eV, strictly increasing, one per column.
/// \param counts detected photons per cell, ≥ 0.
/// \returns the map, with variance = counts.
/// \throws valence::invalid_input for axes not strictly increasing or not finite, a matrix that does
///         not match them, or counts that are negative or not finite.
template <class = void>
[[nodiscard]] rixs_map map_from_counts(const vector_ref& excitation, const vector_ref& emission,
                                       const matrix_ref& counts) {
  constexpr const char* function = "valence::rixs::map_from_counts";
  core::check_strictly_increasing(function, "excitation", excitation);
  core::check_strictly_increasing(function, "emission", emission);
  if (counts.rows() != excitation.size() || counts.cols() != emission.size()) {
    throw invalid_input(core::detail::message(
        function, "parameter 'counts' is " + std::to_string(counts.rows()) + " x " + std::to_string(counts.cols()) +
                      "; expected " + std::to_string(excitation.size()) + " x " + std::to_string(emission.size()) +
                      " (excitation x emission)"));
  }
  detail::check_counts(function, "counts", counts);
  return {excitation, emission, counts, counts, {}, {}, false};
}

/// \brief A map from one emission spectrum per excitation energy, each on its own grid (a
/// spectrometer whose calibration moves with the monochromator, or spectra cut from different
/// detector regions), resampled onto one grid so that counts are conserved.
/// \ingroup rixs
///
/// Each channel stands for the interval between the midpoints to its neighbours (the end channels
/// extend half their neighbour spacing outwards); its counts are spread uniformly over that interval
/// and shared between the grid's channels in proportion to overlap. So the total over any range of
/// whole output channels equals the input's over the same energies, and Poisson variances follow
/// with the squared shares (neighbouring output channels become correlated; the variance of each is
/// exact). Counts beyond the grid's outer edges are left out.
/// \param excitation eV, strictly increasing, one per spectrum.
/// \param emission_axes eV, each strictly increasing, at least 2 channels.
/// \param counts photons per channel of each spectrum, ≥ 0, each the length of its axis.
/// \param emission_grid eV, strictly increasing, at least 2 channels: the map's columns.
/// \returns the map (variance from the counts).
/// \throws valence::invalid_input for lists of different lengths, a spectrum whose counts and axis
///         differ in length, axes not strictly increasing or shorter than 2, negative or non-finite
///         counts.
template <class = void>
[[nodiscard]] rixs_map map_from_spectra(const vector_ref& excitation, const std::vector<vector_d>& emission_axes,
                                        const std::vector<vector_d>& counts, const vector_ref& emission_grid) {
  constexpr const char* function = "valence::rixs::map_from_spectra";
  core::check_strictly_increasing(function, "excitation", excitation);
  core::check_strictly_increasing(function, "emission_grid", emission_grid);
  core::check_min_size(function, "emission_grid", emission_grid, 2);
  const auto rows = static_cast<std::size_t>(excitation.size());
  if (emission_axes.size() != rows || counts.size() != rows) {
    throw invalid_input(core::detail::message(function, "got " + std::to_string(emission_axes.size()) +
                                                            " emission axes and " + std::to_string(counts.size()) +
                                                            " spectra; expected one of each per excitation energy (" +
                                                            std::to_string(rows) + ")"));
  }
  rixs_map map{excitation,
               emission_grid,
               matrix_d::Zero(excitation.size(), emission_grid.size()),
               matrix_d::Zero(excitation.size(), emission_grid.size()),
               {},
               {},
               false};
  const vector_d out_edges = detail::channel_edges(vector_d(emission_grid));
  vector_d row_counts(emission_grid.size());
  vector_d row_variances(emission_grid.size());
  for (std::size_t r = 0; r < rows; ++r) {
    const std::string name = "emission_axes[" + std::to_string(r) + "]";
    core::check_strictly_increasing(function, name.c_str(), emission_axes[r]);
    core::check_min_size(function, name.c_str(), emission_axes[r], 2);
    const std::string counts_name = "counts[" + std::to_string(r) + "]";
    core::check_same_size(function, counts_name.c_str(), counts[r], name.c_str(), emission_axes[r]);
    detail::check_counts(function, counts_name.c_str(), counts[r]);
    row_counts.setZero();
    row_variances.setZero();
    detail::rebin_add(detail::channel_edges(emission_axes[r]), counts[r], counts[r], out_edges, row_counts,
                      row_variances);
    map.intensity.row(static_cast<index>(r)) = row_counts.transpose();
    map.variance.row(static_cast<index>(r)) = row_variances.transpose();
  }
  return map;
}

/// \brief Divides each row by its I0 and live time: \f$I/(I_0 t)\f$, variance \f$/(I_0 t)^2\f$.
/// \ingroup rixs
/// \param map a map of counts (not yet normalised).
/// \param i0 incident flux monitor per excitation energy, > 0.
/// \param live_time s per excitation energy, > 0; empty for none (I0 alone).
/// \returns the map in counts per unit I0 (per second of live time), with i0 and live_time recorded.
/// \throws valence::invalid_input for a malformed map, one already normalised, sizes that differ
///         from the excitation axis, or I0 or live time that is not positive and finite.
template <class = void>
[[nodiscard]] rixs_map normalize(const rixs_map& map, const vector_ref& i0, const vector_ref& live_time) {
  constexpr const char* function = "valence::rixs::normalize";
  detail::check_map(function, map);
  if (map.i0.size() != 0 || map.live_time.size() != 0) {
    throw invalid_input(core::detail::message(function, "parameter 'map' is already normalised; expected counts"));
  }
  core::check_same_size(function, "i0", i0, "map.excitation", map.excitation);
  core::check_positive(function, "i0", i0);
  vector_d factor = i0;
  if (live_time.size() != 0) {
    core::check_same_size(function, "live_time", live_time, "map.excitation", map.excitation);
    core::check_positive(function, "live_time", live_time);
    factor.array() *= live_time.array();
  }
  rixs_map out = map;
  for (index r = 0; r < map.excitation.size(); ++r) {
    out.intensity.row(r) /= factor(r);
    out.variance.row(r) /= factor(r) * factor(r);
  }
  out.i0 = i0;
  out.live_time = live_time.size() != 0 ? vector_d(live_time) : vector_d::Ones(i0.size());
  return out;
}

/// \brief The map on an energy-transfer axis (excitation − emission), each row resampled so that
/// its counts are conserved (the rule of map_from_spectra()).
/// \ingroup rixs
///
/// Larch re-grids the transfer plane by linear interpolation of scattered points
/// (`scipy.interpolate.griddata`), which neither conserves the integral nor carries errors; here each
/// row is shifted exactly and rebinned, so a loss feature keeps its area and its variance.
/// \param map a map on emission energy (normalised or not).
/// \param transfer eV, strictly increasing, at least 2 channels: the new columns.
/// \returns the map with energy_transfer set; intensity beyond a row's emission range is 0.
/// \throws valence::invalid_input for a malformed map, one already on energy transfer, fewer than 2
///         emission channels, or a transfer axis not strictly increasing or shorter than 2.
template <class = void>
[[nodiscard]] rixs_map to_energy_transfer(const rixs_map& map, const vector_ref& transfer) {
  constexpr const char* function = "valence::rixs::to_energy_transfer";
  detail::check_map(function, map);
  if (map.energy_transfer) {
    throw invalid_input(core::detail::message(function, "parameter 'map' is already on energy transfer"));
  }
  core::check_min_size(function, "map.emission", map.emission, 2);
  core::check_strictly_increasing(function, "transfer", transfer);
  core::check_min_size(function, "transfer", transfer, 2);
  const index m = map.emission.size();
  rixs_map out{map.excitation,
               transfer,
               matrix_d::Zero(map.excitation.size(), transfer.size()),
               matrix_d::Zero(map.excitation.size(), transfer.size()),
               map.i0,
               map.live_time,
               true};
  const vector_d out_edges = detail::channel_edges(vector_d(transfer));
  vector_d centres(m);
  vector_d counts(m);
  vector_d variances(m);
  vector_d row_counts(transfer.size());
  vector_d row_variances(transfer.size());
  for (index r = 0; r < map.excitation.size(); ++r) {
    for (index j = 0; j < m; ++j) {  // transfer falls as emission rises: reverse to ascending
      centres(j) = map.excitation(r) - map.emission(m - 1 - j);
      counts(j) = map.intensity(r, m - 1 - j);
      variances(j) = map.variance(r, m - 1 - j);
    }
    row_counts.setZero();
    row_variances.setZero();
    detail::rebin_add(detail::channel_edges(centres), counts, variances, out_edges, row_counts, row_variances);
    out.intensity.row(r) = row_counts.transpose();
    out.variance.row(r) = row_variances.transpose();
  }
  return out;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_RIXS_MAP_HPP
