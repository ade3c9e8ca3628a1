// SPDX-License-Identifier: MIT
/// \file
/// \brief Experiment-state files: the labelled timeline (`CAL0`, `SCAN1`, `PAUSE`, …) that a TES
/// acquisition writes beside its OFF files.
#ifndef VALENCE_IO_EXPERIMENT_STATE_HPP
#define VALENCE_IO_EXPERIMENT_STATE_HPP

#include <valence/core/error.hpp>
#include <valence/io/detail/text.hpp>

#include <charconv>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace valence::io {

/// \brief One line of an experiment-state file: from `unix_ns` on, the experiment is in `label`.
/// \ingroup io
struct state_change {
  std::int64_t unix_ns = 0;  ///< ns since 1970-01-01 UTC
  std::string label;         ///< e.g. `START`, `CAL0`, `SCAN1`, `PAUSE`, `STOP`
};

/// \brief Reads an experiment-state file from a stream.
/// \ingroup io
///
/// Lines `unixnano, LABEL` (DASTARD's `*_experiment_state.txt`, read by NIST mass's
/// `ExperimentStateFile`); lines beginning with `#` are comments and blank lines are skipped. A
/// state lasts until the next line's time; the last (usually `STOP`) has no end.
/// \param in the text. \param source the name used in error messages.
/// \returns the changes in file order.
/// \throws valence::parse_error with the 1-based line for a line without a comma, a time that is
///         not a whole number of ns, an empty label, or a time earlier than the line before.
template <class = void>
[[nodiscard]] std::vector<state_change> read_experiment_state(std::istream& in, const std::string& source) {
  const std::string text = detail::read_all(in);
  detail::line_cursor lines(text);
  std::string_view line;
  std::vector<state_change> out;
  while (lines.next(line)) {
    const std::string_view content = detail::trim(line);
    if (content.empty() || content.front() == '#') {
      continue;
    }
    const auto comma = content.find(',');
    if (comma == std::string_view::npos) {
      throw parse_error(source, lines.number(),
                        "the line is " + detail::quote(content) + "; expected 'unixnano, LABEL'");
    }
    const std::string_view time = detail::trim(content.substr(0, comma));
    const std::string_view label = detail::trim(content.substr(comma + 1));
    state_change change;
    const auto [end, error] = std::from_chars(time.data(), time.data() + time.size(), change.unix_ns);
    if (time.empty() || error != std::errc() || end != time.data() + time.size()) {
      throw parse_error(source, lines.number(),
                        "the time is " + detail::quote(time) + "; expected a whole number of ns since 1970");
    }
    if (label.empty()) {
      throw parse_error(source, lines.number(), "the label is empty; expected a state name such as SCAN1");
    }
    if (!out.empty() && change.unix_ns < out.back().unix_ns) {
      throw parse_error(source, lines.number(),
                        "the time " + std::string(time) + " is earlier than the line before (" +
                            std::to_string(out.back().unix_ns) + "); expected a timeline in order");
    }
    change.label = std::string(label);
    out.push_back(std::move(change));
  }
  return out;
}

/// \brief Reads an experiment-state file from a path (see the stream overload).
/// \ingroup io
/// \param path the `*_experiment_state.txt` file.
/// \returns the changes in file order.
/// \throws valence::parse_error when the file cannot be opened or is malformed.
template <class = void>
[[nodiscard]] std::vector<state_change> read_experiment_state(const std::string& path) {
  auto in = detail::open_input(path, "a readable experiment-state file");
  return read_experiment_state(in, path);
}

}  // namespace valence::io

#endif  // VALENCE_IO_EXPERIMENT_STATE_HPP
