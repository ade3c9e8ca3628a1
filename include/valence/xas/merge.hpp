// SPDX-License-Identifier: MIT
/// \file
/// \brief Merging repeated scans onto one energy grid, with their scatter.
#ifndef VALENCE_XAS_MERGE_HPP
#define VALENCE_XAS_MERGE_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace valence::xas {

/// \brief How scans are put on the common grid.
/// \ingroup xas
enum class merge_interpolation {
  linear,  ///< piecewise linear (core::interpolate_linear): no overshoot at glitches or sharp lines
  cubic    ///< not-a-knot cubic spline (core::interpolate_cubic), Larch's merge_groups default
};

/// \brief Options of merge_scans().
/// \ingroup xas
struct merge_options {
  /// Common energy grid, eV, strictly increasing and inside every scan's range. Default: the first
  /// scan's energies inside the overlap of all scans.
  std::optional<vector_x<double>> grid;
  merge_interpolation interpolation = merge_interpolation::linear;  ///< interpolation onto the grid
};

/// \brief The mean of several scans on one grid with its point-by-point scatter.
/// \ingroup xas
struct merged_scans {
  vector_x<double> energy;              ///< the common grid, eV
  vector_x<double> mu;                  ///< mean \f$\bar\mu(E)\f$ of the interpolated scans
  vector_x<double> standard_deviation;  ///< sample standard deviation \f$s(E)\f$ (divisor \f$n-1\f$)
  vector_x<double> standard_error;      ///< \f$s(E)/\sqrt n\f$: the uncertainty of the mean
  index scans = 0;                      ///< \f$n\f$
};

/// \brief Merges repeated scans: interpolation onto a common grid, mean, standard deviation and
/// standard error of the mean at every energy.
/// \ingroup xas
///
/// The default grid is the first scan's own energies restricted to the overlap
/// \f$[\max_k E^{(k)}_0, \min_k E^{(k)}_{\mathrm{last}}]\f$ of all scans (Larch's `merge_groups` trims with the
/// minimum of the starts, which extrapolates the later-starting scans; valence never extrapolates).
/// The mean and the variance are accumulated in one pass with Welford's update, so a small scatter
/// on a large μ keeps its digits. Scans should be aligned first (align()); merge μ before
/// normalising, or merge normalised spectra: both are linear in the data.
///
/// \param energies one energy array per scan, eV, each strictly increasing with at least 2 points.
/// \param mus one μ array per scan, same sizes.
/// \param options grid and interpolation.
/// \returns the grid, mean, standard deviation and standard error.
/// \throws valence::invalid_input for fewer than 2 scans, different numbers of energy and μ arrays, a
///         scan's size mismatch, non-finite values or unsorted energies, scans that do not overlap, or
///         a grid that leaves the overlap or is not strictly increasing.
///
/// **Reference.** B. P. Welford, Technometrics 4, 419 (1962).
template <class = void>
[[nodiscard]] merged_scans merge_scans(const std::vector<vector_x<double>>& energies,
                                       const std::vector<vector_x<double>>& mus, const merge_options& options = {}) {
  constexpr const char* function = "valence::xas::merge_scans";
  using core::detail::format_value;
  using core::detail::message;
  if (energies.size() < 2) {
    throw invalid_input(message(function, "parameter 'energies' holds " + std::to_string(energies.size()) +
                                              " scans; expected at least 2 to merge"));
  }
  if (mus.size() != energies.size()) {
    throw invalid_input(message(function, "parameter 'mus' holds " + std::to_string(mus.size()) +
                                              " scans but 'energies' holds " + std::to_string(energies.size()) +
                                              "; expected one mu array per energy array"));
  }
  double start = -std::numeric_limits<double>::infinity();
  double stop = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < energies.size(); ++k) {
    const std::string name = "energies[" + std::to_string(k) + "]";
    core::check_abscissa(function, name.c_str(), energies[k], 2);
    const std::string mu_name = "mus[" + std::to_string(k) + "]";
    core::check_same_size(function, mu_name.c_str(), mus[k], name.c_str(), energies[k]);
    core::check_finite(function, mu_name.c_str(), mus[k]);
    start = std::max(start, energies[k](0));
    stop = std::min(stop, energies[k](energies[k].size() - 1));
  }
  if (!(start < stop)) {
    throw invalid_input(message(function, "the scans do not overlap (latest start " + format_value(start) +
                                              " eV, earliest end " + format_value(stop) +
                                              " eV); expected a common energy range"));
  }
  merged_scans out;
  if (options.grid) {
    core::check_abscissa(function, "grid", *options.grid, 1);
    const auto& g = *options.grid;
    if (g(0) < start || g(g.size() - 1) > stop) {
      throw invalid_input(message(function, "option 'grid' spans [" + format_value(g(0)) + ", " +
                                                format_value(g(g.size() - 1)) +
                                                "] eV; expected it inside the overlap [" + format_value(start) + ", " +
                                                format_value(stop) + "] eV"));
    }
    out.energy = g;
  } else {
    const auto& first = energies.front();
    const auto inside = (first.array() >= start && first.array() <= stop).count();
    out.energy.resize(inside);
    index j = 0;
    for (index i = 0; i < first.size(); ++i) {
      if (first(i) >= start && first(i) <= stop) {
        out.energy(j++) = first(i);
      }
    }
  }
  const index m = out.energy.size();
  out.mu = vector_x<double>::Zero(m);
  vector_x<double> squares = vector_x<double>::Zero(m);  // Welford's M2
  for (std::size_t k = 0; k < energies.size(); ++k) {
    const vector_x<double> y = options.interpolation == merge_interpolation::linear
                                   ? core::interpolate_linear(energies[k], mus[k], out.energy)
                                   : core::interpolate_cubic(energies[k], mus[k], out.energy);
    const double count = double(k + 1);
    const vector_x<double> delta = y - out.mu;
    out.mu += delta / count;
    squares += delta.cwiseProduct(y - out.mu);
  }
  out.scans = static_cast<index>(energies.size());
  out.standard_deviation = (squares / double(out.scans - 1)).cwiseSqrt();
  out.standard_error = out.standard_deviation / std::sqrt(double(out.scans));
  return out;
}

}  // namespace valence::xas

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::xas {
extern template merged_scans merge_scans<>(const std::vector<vector_x<double>>&, const std::vector<vector_x<double>>&,
                                           const merge_options&);
}  // namespace valence::xas
#endif

#endif  // VALENCE_XAS_MERGE_HPP
