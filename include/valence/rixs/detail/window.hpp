// SPDX-License-Identifier: MIT
// The channels of a RIXS axis inside an energy window that lies within the axis (not part of the
// public API): a window reaching beyond the measured energies would integrate less than it says.
#ifndef VALENCE_RIXS_DETAIL_WINDOW_HPP
#define VALENCE_RIXS_DETAIL_WINDOW_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>

#include <cmath>
#include <string>

namespace valence::rixs::detail {

template <class = void>
core::index_range channels_inside(const char* function, const char* name, const char* axis_name, const vector_d& axis,
                                  const core::window<double>& w) {
  if (std::isfinite(w.lower) && std::isfinite(w.upper) && w.lower <= w.upper &&
      (w.lower < axis(0) || w.upper > axis(axis.size() - 1))) {
    throw invalid_input(core::detail::message(
        function, std::string("window '") + name + "' = [" + core::detail::format_value(w.lower) + ", " +
                      core::detail::format_value(w.upper) + "] eV reaches beyond " + axis_name + " [" +
                      core::detail::format_value(axis(0)) + ", " + core::detail::format_value(axis(axis.size() - 1)) +
                      "] eV; expected a window within the measured energies"));
  }
  return core::select_window(function, name, axis, w, 1);
}

}  // namespace valence::rixs::detail

#endif  // VALENCE_RIXS_DETAIL_WINDOW_HPP
