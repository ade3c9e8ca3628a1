// SPDX-License-Identifier: MIT
// Formatting of values for error messages (not part of the public API).
#ifndef VALENCE_CORE_DETAIL_FORMAT_HPP
#define VALENCE_CORE_DETAIL_FORMAT_HPP

#include <ios>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <type_traits>

namespace valence::core::detail {

/// Prints a value exactly enough to reproduce it: floating point at max_digits10, in the
/// classic locale so that messages never depend on the user's locale.
template <typename T>
std::string format_value(const T& value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  if constexpr (std::is_floating_point_v<T>) {
    out.precision(std::numeric_limits<T>::max_digits10);
  }
  out << value;
  return out.str();
}

/// Builds "function: message" for exception texts.
inline std::string message(const char* function, const std::string& text) {
  return std::string(function) + ": " + text;
}

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_FORMAT_HPP
