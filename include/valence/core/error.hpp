// SPDX-License-Identifier: MIT
/// \file
/// \brief The exception types every part of valence throws.
#ifndef VALENCE_CORE_ERROR_HPP
#define VALENCE_CORE_ERROR_HPP

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace valence {

/// \defgroup core Core vocabulary
/// \brief Errors, input checks, vector aliases, interpolation, smoothing and differentiation shared by every area.

/// \brief Base of every exception valence throws; catch it to handle any valence failure.
/// \ingroup core
///
/// Messages start with the qualified name of the function that raised them, then name the
/// parameter, the offending value and what was expected, e.g.
/// `valence::fit::least_squares: parameter 'weights' holds -1 at index 3; expected positive finite values`.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// \brief A caller passed arguments the function cannot work with (sizes, non-finite values,
/// unsorted abscissae, empty windows, infeasible constraints, unknown names).
/// \ingroup core
class invalid_input : public error {
 public:
  using error::error;
};

/// \brief A file or text could not be read as the format it claims to be.
/// \ingroup core
///
/// Carries the file name and the 1-based line (or, for binary formats, the byte offset) where
/// reading failed; both are also part of `what()` as `file:line: message`.
class parse_error : public error {
 public:
  /// \param file the file (or a description of the source, e.g. `"<string>"`).
  /// \param line 1-based line number, or byte offset for binary formats; 0 when unknown.
  /// \param message what was found and what was expected.
  parse_error(std::string file, std::size_t line, const std::string& message)
      : error(file + ":" + std::to_string(line) + ": " + message), file_(std::move(file)), line_(line) {}

  /// \brief The file (or source description) that failed to parse.
  /// \returns the name given to the constructor.
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  /// \brief Where parsing failed.
  /// \returns the 1-based line number, or the byte offset for binary formats; 0 when unknown.
  [[nodiscard]] std::size_t line() const noexcept { return line_; }

 private:
  std::string file_;
  std::size_t line_;
};

/// \brief A fit could not produce an answer that means what its result claims: a singular
/// design, an active-set method that did not terminate, a model that returned non-finite values.
/// \ingroup core
class fit_error : public error {
 public:
  using error::error;
};

}  // namespace valence

#endif  // VALENCE_CORE_ERROR_HPP
