// SPDX-License-Identifier: MIT
/// \file
/// \brief Which bound a fitted coefficient sits on.
#ifndef VALENCE_FIT_BOUND_STATE_HPP
#define VALENCE_FIT_BOUND_STATE_HPP

#include <cstdint>

namespace valence::fit {

/// \defgroup fit Fitting
/// \brief Linear least squares (weighted, bounded, sum-constrained, batched) and model-selection statistics.

/// \brief Where a coefficient ended in a bounded fit: strictly inside its bounds, or held on one.
/// \ingroup fit
enum class bound_state : std::uint8_t {
  free,      ///< strictly between its bounds (or unbounded): estimated by the fit
  at_lower,  ///< held at its lower bound (an active constraint)
  at_upper   ///< held at its upper bound (an active constraint)
};

}  // namespace valence::fit

#endif  // VALENCE_FIT_BOUND_STATE_HPP
