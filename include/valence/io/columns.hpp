// SPDX-License-Identifier: MIT
/// \file
/// \brief Delimited numeric text (Athena and Larch exports, beamline and cycler files): reader.
#ifndef VALENCE_IO_COLUMNS_HPP
#define VALENCE_IO_COLUMNS_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/text.hpp>

#include <Eigen/Core>

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace valence::io {

namespace detail {

inline index find_label(const std::vector<std::string>& labels, std::string_view label, bool ignore_case) {
  for (std::size_t c = 0; c < labels.size(); ++c) {
    if (ignore_case ? lower(labels[c]) == lower(label) : labels[c] == label) {
      return static_cast<index>(c);
    }
  }
  return -1;
}

inline index require_label(const std::vector<std::string>& labels, std::string_view label, bool ignore_case,
                           const char* function) {
  const index c = find_label(labels, label, ignore_case);
  if (c < 0) {
    std::string known;
    for (const auto& l : labels) {
      known += (known.empty() ? "'" : ", '") + l + "'";
    }
    throw invalid_input(core::detail::message(
        function, "no column is labelled '" + std::string(label) + "'; expected one of " + known));
  }
  return c;
}

}  // namespace detail

/// \brief How read_columns splits and reads a text table.
/// \ingroup io
struct column_options {
  /// Field separator: tab, `';'`, `','` or `' '` (runs of blanks and tabs). 0 (the default)
  /// detects it from the first data line: a tab if there is one, else ';', else ',' (unless the
  /// decimal mark is ','), else blanks.
  char delimiter = 0;
  /// Decimal mark: `'.'` or `','` (EC-Lab and spreadsheet exports in many locales).
  char decimal = '.';
  /// Lines whose first non-blank character is this are comments (0: no comment lines).
  char comment = '#';
  /// Lines to skip unread before anything else (an instrument preamble without comment marks).
  std::size_t skip_lines = 0;
};

/// \brief A table of numbers with a label per column.
/// \ingroup io
struct column_table {
  /// One per column: from the header line, else from the last comment line when it names
  /// exactly as many columns as the data have (Athena's and Larch's `# energy mu ...`), else
  /// `col1`, `col2`, … Converted to UTF-8 when the file is Latin-1.
  std::vector<std::string> labels;
  /// Comment lines before the data, without the comment character, in file order (UTF-8).
  std::vector<std::string> comments;
  /// The numbers: one row per data line, one column per label.
  matrix_d values;

  /// \brief The position of a column.
  /// \param label the label, compared exactly (blanks around it in the file do not count).
  /// \returns the index of the first column with that label, or -1.
  [[nodiscard]] index find(std::string_view label) const { return detail::find_label(labels, label, false); }

  /// \brief A column by label.
  /// \param label as in find(). \returns a copy of the column.
  /// \throws valence::invalid_input if no column has that label (the message lists the labels).
  [[nodiscard]] vector_d column(std::string_view label) const {
    return values.col(detail::require_label(labels, label, false, "valence::io::column_table::column"));
  }
};

namespace detail {

inline char detect_delimiter(std::string_view line, char decimal) {
  if (line.find('\t') != std::string_view::npos) {
    return '\t';
  }
  if (line.find(';') != std::string_view::npos) {
    return ';';
  }
  if (decimal != ',' && line.find(',') != std::string_view::npos) {
    return ',';
  }
  return ' ';
}

// A line of labels has a field that is text; empty fields (a missing value) do not make one.
inline bool has_text(const std::vector<std::string_view>& fields, char decimal) {
  for (const auto f : fields) {
    if (!f.empty() && !parse_number(f, decimal)) {
      return true;
    }
  }
  return false;
}

inline std::vector<std::string> to_labels(const std::vector<std::string_view>& fields) {
  std::vector<std::string> labels;
  labels.reserve(fields.size());
  for (const auto f : fields) {
    labels.push_back(to_utf8(f));
  }
  return labels;
}

template <class = void>
column_table parse_columns(std::string_view text, const std::string& source, const column_options& options) {
  constexpr const char* function = "valence::io::read_columns";
  if ((options.decimal != '.' && options.decimal != ',') || options.decimal == options.delimiter) {
    throw invalid_input(core::detail::message(function, "options.decimal is '" + std::string(1, options.decimal) +
                                                            "' with delimiter '" + std::string(1, options.delimiter) +
                                                            "'; expected '.' or ',' and different from the delimiter"));
  }
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    body.remove_prefix(3);
  }
  detail::line_cursor lines(body);
  column_table out;
  std::string_view line;
  std::string_view last_comment;
  std::string_view header;
  std::vector<std::string_view> fields;
  std::vector<double> values;
  char delimiter = options.delimiter;
  std::size_t columns = 0;
  bool header_seen = false;
  while (lines.next(line)) {
    if (lines.number() <= options.skip_lines) {
      continue;
    }
    const std::string_view content = detail::trim(line);
    if (content.empty()) {
      continue;
    }
    if (options.comment != 0 && content.front() == options.comment) {
      if (columns == 0) {
        last_comment = detail::trim(content.substr(1));
        out.comments.push_back(detail::to_utf8(last_comment));
      }
      continue;
    }
    // Until the first data line fixes it, a detected delimiter is provisional: a header such as
    // "energy mu" says nothing about the separator of the numbers below it.
    const char this_delimiter = delimiter != 0 ? delimiter : detail::detect_delimiter(content, options.decimal);
    detail::split_fields(content, this_delimiter == ' ' ? char(0) : this_delimiter, fields);
    if (columns == 0) {
      if (!header_seen && detail::has_text(fields, options.decimal)) {
        header = content;
        header_seen = true;
        continue;
      }
      delimiter = this_delimiter;
      columns = fields.size();
    }
    if (fields.size() != columns) {
      throw parse_error(source, lines.number(),
                        "a data line has " + std::to_string(fields.size()) + " fields; expected " +
                            std::to_string(columns) + " as in the first data line");
    }
    for (std::size_t c = 0; c < columns; ++c) {
      const auto v = detail::parse_number(fields[c], options.decimal);
      if (!v) {
        throw parse_error(source, lines.number(),
                          "field " + std::to_string(c + 1) + " is " + detail::quote(fields[c]) +
                              "; expected a finite number with decimal mark '" + std::string(1, options.decimal) + "'");
      }
      values.push_back(*v);
    }
  }
  if (columns == 0) {
    throw parse_error(source, lines.number() + 1, "no data lines; expected rows of numbers");
  }
  const char split_with = delimiter == ' ' ? char(0) : delimiter;
  if (header_seen) {
    detail::split_fields(header, split_with, fields);
    if (fields.size() < columns && options.delimiter == 0) {
      // "energy mu" above comma-separated numbers: the header has its own (blank) separator.
      std::vector<std::string_view> words;
      detail::split_fields(header, 0, words);
      fields = words.size() == columns ? words : fields;
    }
    out.labels = detail::to_labels(fields);
    out.labels.resize(columns);
  } else {
    detail::split_fields(last_comment, split_with, fields);
    if (fields.size() == columns && detail::has_text(fields, options.decimal)) {
      out.labels = detail::to_labels(fields);
    } else {
      out.labels.assign(columns, std::string());
    }
  }
  for (std::size_t c = 0; c < columns; ++c) {
    if (out.labels[c].empty()) {
      out.labels[c] = "col" + std::to_string(c + 1);
    }
  }
  const auto rows = static_cast<index>(values.size() / columns);
  out.values = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), rows, static_cast<index>(columns));
  return out;
}

}  // namespace detail

/// \brief Reads a table of numbers in delimited text.
/// \ingroup io
///
/// Lines are read in order: `skip_lines` are skipped; blank lines are ignored; comment lines are
/// kept in column_table::comments. The first other line is either the header (if any field is
/// not a number) or the first data line; the data lines that follow must all hold the same
/// number of fields, each a finite number in C syntax with the chosen decimal mark. LF, CRLF and
/// CR line ends, a UTF-8 byte-order mark, a trailing delimiter and Latin-1 labels are accepted.
/// Numbers are read with `std::from_chars`, so the user's locale never changes the result.
/// \param in the text. \param source the name used in error messages (a path, or `"<string>"`).
/// \param options delimiter, decimal mark, comment character, lines to skip.
/// \returns the labels, the comments and the values.
/// \throws valence::parse_error with the 1-based line when a data field is not a finite number,
///         a data line has a different number of fields than the first, or there are no data.
/// \throws valence::invalid_input if the options are inconsistent (decimal mark other than '.'
///         or ',', or equal to the delimiter).
template <class = void>
[[nodiscard]] column_table read_columns(std::istream& in, const std::string& source,
                                        const column_options& options = {}) {
  const std::string text = detail::read_all(in);
  return detail::parse_columns(text, source, options);
}

/// \brief Reads a table of numbers from a file, as the stream form does.
/// \ingroup io
/// \param path the file. \param options as for the stream form.
/// \returns the labels, the comments and the values.
/// \throws valence::parse_error as the stream form, or when the file cannot be opened (line 0).
/// \throws valence::invalid_input for inconsistent options.
template <class = void>
[[nodiscard]] column_table read_columns(const std::string& path, const column_options& options = {}) {
  auto in = detail::open_input(path, "a readable text table");
  return read_columns(in, path, options);
}

}  // namespace valence::io

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::io {
extern template column_table read_columns<>(std::istream&, const std::string&, const column_options&);
extern template column_table read_columns<>(const std::string&, const column_options&);
}  // namespace valence::io
#endif

#endif  // VALENCE_IO_COLUMNS_HPP
