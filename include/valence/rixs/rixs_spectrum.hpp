// SPDX-License-Identifier: MIT
/// \file
/// \brief A spectrum taken from a RIXS map (a yield or a cut), with the standard error of every point.
#ifndef VALENCE_RIXS_RIXS_SPECTRUM_HPP
#define VALENCE_RIXS_RIXS_SPECTRUM_HPP

#include <valence/core/types.hpp>

#include <cmath>

namespace valence::rixs {

/// \brief A yield or cut of a RIXS map: values on an energy axis with their standard errors
/// (Poisson, propagated from the map's variances).
/// \ingroup rixs
struct rixs_spectrum {
  vector_d energy;  ///< eV: excitation energy for yields and excitation cuts, emission (or transfer) for emission cuts
  vector_d value;   ///< the yield or the cut, in the map's units
  vector_d error;   ///< standard error of each value

  /// \brief The sum over the spectrum (e.g. an sPFY integrated over its excitation window).
  /// \returns \f$\sum_i v_i\f$.
  [[nodiscard]] double sum() const { return value.sum(); }
  /// \brief The standard error of sum(): the points are independent (each from its own rows of the map).
  /// \returns \f$\sqrt{\sum_i \sigma_i^2}\f$.
  [[nodiscard]] double sum_error() const { return std::sqrt(error.squaredNorm()); }
};

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_RIXS_SPECTRUM_HPP
