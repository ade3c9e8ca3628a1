// SPDX-License-Identifier: MIT
/// \file
/// \brief BioLogic EC-Lab and BT-Lab text exports (`.mpt`): reader.
#ifndef VALENCE_IO_BIOLOGIC_HPP
#define VALENCE_IO_BIOLOGIC_HPP

#include <valence/core/error.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/detail/text.hpp>

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace valence::io {

/// \brief The content of an EC-Lab or BT-Lab text export.
/// \ingroup io
struct biologic_file {
  /// The settings block: lines 3 to N−1 of the file (technique, channel, electrode mass,
  /// acquisition time, the technique's parameter table), converted to UTF-8.
  std::vector<std::string> header;
  /// The columns, labelled as EC-Lab names them with units (`time/s`, `Ewe/V`, `<I>/mA`,
  /// `(Q-Qo)/mA.h`, `cycle number`); column_table::comments is empty.
  column_table table;

  /// \brief A `name : value` line of the settings block.
  /// \param name the text before ':' without surrounding blanks, compared exactly
  ///        (e.g. `"Mass of active material"`, `"Acquisition started on"`).
  /// \returns the text after the first " : " without surrounding blanks, or nothing.
  [[nodiscard]] std::optional<std::string> setting(std::string_view name) const {
    for (const auto& line : header) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && detail::trim(std::string_view(line).substr(0, colon)) == name) {
        return std::string(detail::trim(std::string_view(line).substr(colon + 1)));
      }
    }
    return std::nullopt;
  }
};

/// \brief Reads a BioLogic EC-Lab (or BT-Lab) ASCII export from a stream.
/// \ingroup io
///
/// Line 1 names the program (`EC-Lab ASCII FILE`, `BT-Lab ASCII FILE`); line 2 is
/// `Nb header lines : N`; line N holds the tab-separated column names; the data follow, one
/// tab-separated row per line. The decimal mark is read from the first data row: EC-Lab writes
/// the one of the Windows locale, so files with decimal commas are common. Latin-1 names (°C,
/// µA) become UTF-8; the trailing tab of each line is ignored.
/// \param in the text. \param source the name used in error messages (a path, or `"<string>"`).
/// \returns the settings block and the labelled columns.
/// \throws valence::parse_error with the 1-based line when line 1 is not a BioLogic ASCII title,
///         line 2 is not `Nb header lines : N` with 3 ≤ N ≤ 100000, the file ends before line N,
///         line N holds no names, or a data row is malformed (a field that is not a number, a different field count).
///
/// **Reference.** BioLogic EC-Lab software user's manual, "Export as text" (`.mpt` layout).
template <class = void>
[[nodiscard]] biologic_file read_biologic_mpt(std::istream& in, const std::string& source) {
  const std::string text = detail::read_all(in);
  detail::line_cursor lines(text);
  std::string_view line;
  if (!lines.next(line) || line.find("ASCII FILE") == std::string_view::npos) {
    throw parse_error(source, 1,
                      "line 1 is " + detail::quote(line) + "; expected 'EC-Lab ASCII FILE' (an .mpt export)");
  }
  std::optional<double> count;
  if (lines.next(line)) {
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && detail::trim(line.substr(0, colon)) == "Nb header lines") {
      count = detail::parse_number(line.substr(colon + 1));
    }
  }
  if (!count || *count < 3 || *count > 100000 || *count != static_cast<double>(static_cast<std::size_t>(*count))) {
    throw parse_error(source, 2, "line 2 is " + detail::quote(line) + "; expected 'Nb header lines : N', N from 3");
  }
  const auto header_lines = static_cast<std::size_t>(*count);
  biologic_file out;
  std::string_view first_data;
  while (lines.number() + 1 < header_lines && lines.next(line)) {
    out.header.push_back(detail::to_utf8(line));
  }
  if (!lines.next(line) || !lines.next(first_data)) {
    throw parse_error(source, lines.number() + 1,
                      "the file ends inside its header of " + std::to_string(header_lines) +
                          " lines; expected the column names on line " + std::to_string(header_lines) +
                          " and data below (truncated file?)");
  }
  std::vector<std::string_view> names;
  detail::split_fields(line, '\t', names);
  if (!detail::has_text(names, '.') && !detail::has_text(names, ',')) {
    throw parse_error(source, header_lines,
                      "line " + std::to_string(header_lines) + " holds numbers; expected the column names there, as " +
                          "'Nb header lines' says (a wrong count?)");
  }
  column_options options;
  options.delimiter = '\t';
  options.comment = 0;
  options.skip_lines = header_lines - 1;
  options.decimal = first_data.find(',') != std::string_view::npos ? ',' : '.';
  out.table = detail::parse_columns(text, source, options);
  return out;
}

/// \brief Reads a BioLogic EC-Lab (or BT-Lab) `.mpt` file, as the stream form does.
/// \ingroup io
/// \param path the file. \returns the settings block and the labelled columns.
/// \throws valence::parse_error as the stream form, or when the file cannot be opened (line 0).
template <class = void>
[[nodiscard]] biologic_file read_biologic_mpt(const std::string& path) {
  auto in = detail::open_input(path, "a readable EC-Lab .mpt export");
  return read_biologic_mpt(in, path);
}

}  // namespace valence::io

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::io {
extern template biologic_file read_biologic_mpt<>(std::istream&, const std::string&);
extern template biologic_file read_biologic_mpt<>(const std::string&);
}  // namespace valence::io
#endif

#endif  // VALENCE_IO_BIOLOGIC_HPP
