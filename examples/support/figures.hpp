// SPDX-License-Identifier: MIT
// Where the worked examples write their figures and tables: figures/<example>/ under the current
// directory, or under $VALENCE_FIGURES when it is set (not part of the library).
#ifndef VALENCE_EXAMPLES_FIGURES_HPP
#define VALENCE_EXAMPLES_FIGURES_HPP

#include <cstdlib>
#include <filesystem>
#include <string>

namespace figures {

/// The folder of one example's figures, created if needed.
inline std::filesystem::path folder(const std::string& example) {
  const char* root = std::getenv("VALENCE_FIGURES");
  const std::filesystem::path dir = std::filesystem::path(root != nullptr ? root : "figures") / example;
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace figures

#endif  // VALENCE_EXAMPLES_FIGURES_HPP
