// SPDX-License-Identifier: MIT
/// \file
/// \brief The one status vocabulary of valence's linear engine.
#ifndef VALENCE_FIT_FIT_STATUS_HPP
#define VALENCE_FIT_FIT_STATUS_HPP

#include <cstdint>

namespace valence::fit {

/// \brief Outcome of one linear least-squares solve of the engine.
/// \ingroup fit
///
/// Every path of the linear engine reports in these words: the active-set solver, lcf_all()'s
/// small problems, the columns of a batched fit (column_status) and, through their domain faces,
/// the pixels of a spectrum image or of a XANES stack. A status that is not `ok` comes with NaN
/// coefficients where a result is still returned (batches), or with an exception naming the
/// cause where a single fit cannot go on.
enum class fit_status : std::uint8_t {
  ok,               ///< fitted
  non_finite_data,  ///< the observations hold NaN or infinity (or their projection overflows)
  invalid_weights,  ///< a weight is not positive and finite
  iteration_limit,  ///< the active-set method exhausted its budget (constrained fits only)
  singular          ///< the (weighted) design fails the rank rule, or an active-set subproblem is singular
};

/// \brief The status's enumerator name, e.g. `"iteration_limit"`.
/// \ingroup fit
/// \param status a status. \returns a static string.
[[nodiscard]] constexpr const char* to_string(fit_status status) noexcept {
  switch (status) {
    case fit_status::ok:
      return "ok";
    case fit_status::non_finite_data:
      return "non_finite_data";
    case fit_status::invalid_weights:
      return "invalid_weights";
    case fit_status::iteration_limit:
      return "iteration_limit";
    case fit_status::singular:
      return "singular";
  }
  return "unknown";
}

}  // namespace valence::fit

#endif  // VALENCE_FIT_FIT_STATUS_HPP
