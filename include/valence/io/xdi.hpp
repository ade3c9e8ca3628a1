// SPDX-License-Identifier: MIT
/// \file
/// \brief The XAS Data Interchange format (XDI 1.0): reader with the validation of the reference
/// library, writer, and μ(E) derived from detector channels.
#ifndef VALENCE_IO_XDI_HPP
#define VALENCE_IO_XDI_HPP

#include <valence/chem/element.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/detail/text.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace valence::io {

/// \brief One header field of an XDI file: `# Family.key: value`.
/// \ingroup io
struct xdi_field {
  std::string family;    ///< e.g. `Element` (as written; compared without case)
  std::string key;       ///< e.g. `symbol` (as written; compared without case)
  std::string value;     ///< the text after ':' without surrounding blanks
  std::size_t line = 0;  ///< 1-based line of the occurrence kept (the last one: later fields win)
};

/// \brief What an XDI warning is about. A warning means the file was read but does not meet the
/// specification; the values are usable.
/// \ingroup io
enum class xdi_warning_kind {
  missing_required,     ///< Element.symbol, Element.edge, or Mono.d_spacing with an angle abscissa
  invalid_value,        ///< a defined field whose value has the wrong form (symbol, edge, date, number, units)
  missing_header_end,   ///< no `#----` line before the data
  column_labels,        ///< a data column without a Column.N field, or a Column.N beyond the data
  ignored_line,         ///< a line that is neither a header line nor data (e.g. `! text`)
  missing_recommended,  ///< Facility.name, Facility.xray_source, Beamline.name, Scan.start_time or Column.1 absent
};

/// \brief The name of an xdi_warning_kind, e.g. `"missing_header_end"`.
/// \ingroup io
/// \param kind the kind. \returns a static string.
[[nodiscard]] constexpr const char* to_string(xdi_warning_kind kind) noexcept {
  switch (kind) {
    case xdi_warning_kind::missing_required:
      return "missing_required";
    case xdi_warning_kind::invalid_value:
      return "invalid_value";
    case xdi_warning_kind::missing_header_end:
      return "missing_header_end";
    case xdi_warning_kind::column_labels:
      return "column_labels";
    case xdi_warning_kind::ignored_line:
      return "ignored_line";
    case xdi_warning_kind::missing_recommended:
      return "missing_recommended";
  }
  return "unknown";
}

/// \brief A deviation from the XDI specification found while reading.
/// \ingroup io
struct xdi_warning {
  xdi_warning_kind kind = xdi_warning_kind::invalid_value;  ///< what kind of deviation
  std::size_t line = 0;                                     ///< 1-based line, 0 when it concerns the whole file
  std::string message;                                      ///< what was found and what was expected
};

/// \brief The content of an XDI file.
/// \ingroup io
struct xdi_file {
  std::string version = "1.0";           ///< the XDI version of line 1, e.g. `1.0`
  std::string extra_version;             ///< the rest of line 1, e.g. `GSE/1.0` (may be empty)
  std::vector<xdi_field> fields;         ///< header fields in file order (Column.N included)
  std::vector<std::string> comments;     ///< user comment lines between `# ///` and `#----`
  std::vector<std::string> labels;       ///< one per data column: Column.N, else the label line, else `colN`
  std::vector<std::string> units;        ///< one per data column: the word after the label in Column.N, or empty
  matrix_d values;                       ///< the data: one row per point, one column per label
  std::vector<double> outer_values;      ///< 2-D scans: the `Outer.value` of each block of rows
  std::vector<index> outer_breakpoints;  ///< 2-D scans: the first row of each block
  std::vector<xdi_warning> warnings;     ///< deviations from the specification (empty for a conforming file)

  /// \brief The value of a header field.
  /// \param name `Family.key`, compared without case (e.g. `"element.symbol"`).
  /// \returns the value, or nothing when the file has no such field.
  [[nodiscard]] std::optional<std::string> field(std::string_view name) const {
    const std::string wanted = detail::lower(name);
    for (const auto& f : fields) {
      if (detail::lower(f.family + "." + f.key) == wanted) {
        return f.value;
      }
    }
    return std::nullopt;
  }

  /// \brief A data column by label, compared without case (`"ENERGY"` finds `energy`).
  /// \param label the column label. \returns a copy of the column.
  /// \throws valence::invalid_input if no column has that label (the message lists the labels).
  [[nodiscard]] vector_d column(std::string_view label) const {
    return values.col(detail::require_label(labels, label, true, "valence::io::xdi_file::column"));
  }
};

namespace detail {

// The grammar of a field name: Family starts with a letter, then letters, digits or '_'; key is
// letters, digits, '_' or '-' (it may start with a digit: XDI baddata note 4).
inline bool valid_field_name(std::string_view family, std::string_view key) {
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto is_word = [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9') || c == '_'; };
  if (family.empty() || key.empty() || !is_alpha(family.front())) {
    return false;
  }
  return std::all_of(family.begin(), family.end(), is_word) &&
         std::all_of(key.begin(), key.end(), [&](char c) { return is_word(c) || c == '-'; });
}

// ISO 8601 date-time as XDI uses it: YYYY-MM-DD, then 'T' (or the blank many writers use) and
// hh:mm[:ss[.fff]], then an optional zone (Z or ±hh:mm). Calendar ranges are checked.
inline bool valid_date_time(std::string_view s) {
  const auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) {
      return false;
    }
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') {
        return false;
      }
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(5, 2, month) || s[7] != '-' ||
      !digits(8, 2, day)) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr std::array<int, 12> month_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > month_days[std::size_t(month - 1)] + (month == 2 && leap)) {
    return false;
  }
  if (s.size() == 10) {
    return true;
  }
  if ((s[10] != 'T' && s[10] != ' ') || !digits(11, 2, hour) || s.size() < 16 || s[13] != ':' ||
      !digits(14, 2, minute) || hour > 23 || minute > 59) {
    return false;
  }
  std::size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!digits(at + 1, 2, second) || second > 60) {
      return false;
    }
    at += 3;
    if (at < s.size() && s[at] == '.') {
      ++at;
      const std::size_t start = at;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
        ++at;
      }
      if (at == start) {
        return false;
      }
    }
  }
  const std::string_view zone = s.substr(at);
  int zone_hour = 0, zone_minute = 0;
  return zone.empty() || zone == "Z" ||
         ((zone[0] == '+' || zone[0] == '-') && zone.size() == 6 && zone[3] == ':' && digits(at + 1, 2, zone_hour) &&
          digits(at + 4, 2, zone_minute) && zone_hour <= 14 && zone_minute <= 59);
}

// "number unit": the number must be finite; the unit one of `units` (compared without case), or
// absent when `unit_optional`.
inline bool valid_quantity(std::string_view value, std::initializer_list<std::string_view> units, bool unit_optional) {
  std::vector<std::string_view> parts;
  split_fields(value, 0, parts);
  if (parts.empty() || parts.size() > 2 || !parse_number(parts[0])) {
    return false;
  }
  if (parts.size() == 1) {
    return unit_optional;
  }
  return std::any_of(units.begin(), units.end(), [&](std::string_view u) { return lower(u) == lower(parts[1]); });
}

inline bool valid_edge(std::string_view edge) {
  static constexpr std::array<std::string_view, 25> edges = {"K",  "L",  "L1", "L2", "L3", "M",  "M1", "M2", "M3",
                                                             "M4", "M5", "N",  "N1", "N2", "N3", "N4", "N5", "N6",
                                                             "N7", "O",  "O1", "O2", "O3", "O4", "O5"};
  const std::string upper = [&] {
    std::string u(edge);
    for (auto& c : u) {
      c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return u;
  }();
  return std::find(edges.begin(), edges.end(), upper) != edges.end() || upper == "O6" || upper == "O7";
}

inline bool valid_symbol(std::string_view symbol) {
  return std::any_of(chem::periodic_table.begin(), chem::periodic_table.end(),
                     [&](const chem::element& e) { return e.symbol == symbol; });
}

// The checks of the XDI dictionary on a read file; each failure is a warning, as in the
// reference library (XDI_required_metadata, XDI_recommended_metadata, XDI_validate_item).
template <class = void>
void validate_xdi(xdi_file& f) {
  const auto warn = [&](xdi_warning_kind kind, std::string_view name, const std::string& message) {
    std::size_t line = 0;
    for (const auto& field : f.fields) {
      line = lower(field.family + "." + field.key) == lower(name) ? field.line : line;
    }
    f.warnings.push_back({kind, line, message});
  };
  const auto check = [&](std::string_view name, bool (*valid)(std::string_view), const char* expected) {
    if (const auto v = f.field(name); v && !valid(*v)) {
      warn(xdi_warning_kind::invalid_value, name, std::string(name) + " is " + quote(*v) + "; expected " + expected);
    }
  };
  const auto symbol = f.field("Element.symbol");
  const auto edge = f.field("Element.edge");
  if (!symbol) {
    warn(xdi_warning_kind::missing_required, "", "no Element.symbol; expected the absorbing element");
  }
  if (!edge) {
    warn(xdi_warning_kind::missing_required, "", "no Element.edge; expected K, L1, L2, L3, M1 ... O7");
  }
  check("Element.symbol", valid_symbol, "an element symbol such as Ni");
  check("Element.edge", valid_edge, "K, L, L1-L3, M, M1-M5, N, N1-N7, O or O1-O7");
  if (!f.labels.empty() && lower(f.labels.front()) == "angle" && !f.field("Mono.d_spacing")) {
    warn(xdi_warning_kind::missing_required, "", "the abscissa is an angle but there is no Mono.d_spacing");
  }
  check(
      "Mono.d_spacing", [](std::string_view v) { return parse_number(v).value_or(-1.0) > 0; },
      "a positive number (Angstrom)");
  check("Scan.start_time", valid_date_time, "an ISO 8601 date and time, YYYY-MM-DDThh:mm:ss");
  check("Scan.end_time", valid_date_time, "an ISO 8601 date and time, YYYY-MM-DDThh:mm:ss");
  check(
      "Scan.edge_energy",
      [](std::string_view v) {
        return valid_quantity(v, {"eV", "keV", "inverse Angstrom"}, true);
      },
      "a number with optional units eV or keV");
  check(
      "Sample.temperature",
      [](std::string_view v) {
        return valid_quantity(v, {"K", "C", "F"}, true);
      },
      "a number with optional units K, C or F");
  check(
      "Facility.energy",
      [](std::string_view v) {
        return valid_quantity(v, {"GeV", "MeV"}, false);
      },
      "a number and the units GeV or MeV");
  check(
      "Facility.current",
      [](std::string_view v) {
        return valid_quantity(v, {"mA", "A"}, false);
      },
      "a number and the units mA or A");
  std::string missing;
  for (const char* name : {"Facility.name", "Facility.xray_source", "Beamline.name", "Scan.start_time", "Column.1"}) {
    if (!f.field(name)) {
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    }
  }
  if (!missing.empty()) {
    f.warnings.push_back({xdi_warning_kind::missing_recommended, 0, "recommended fields absent: " + missing});
  }
}

// Column.N fields give labels and units; a column without one takes the label line's word (when
// that line names every column) or colN.
template <class = void>
void assign_xdi_labels(xdi_file& f, const std::vector<std::string>& label_line, std::size_t columns) {
  f.labels.assign(columns, std::string());
  f.units.assign(columns, std::string());
  for (const auto& field : f.fields) {
    if (lower(field.family) != "column") {
      continue;
    }
    const auto n = parse_number(field.key);
    if (!n || *n < 1 || *n != std::floor(*n) || *n > double(columns)) {
      f.warnings.push_back({xdi_warning_kind::column_labels, field.line,
                            "Column." + field.key + " names no data column; expected Column.1 to Column." +
                                std::to_string(columns) + " (ignored)"});
      continue;
    }
    std::vector<std::string_view> words;
    split_fields(field.value, 0, words);
    const auto c = static_cast<std::size_t>(*n) - 1;
    f.labels[c] = words.empty() ? std::string() : std::string(words[0]);
    f.units[c] = words.size() > 1 ? std::string(words[1]) : std::string();
  }
  for (std::size_t c = 0; c < columns; ++c) {
    if (f.labels[c].empty()) {
      f.labels[c] = label_line.size() == columns ? label_line[c] : "col" + std::to_string(c + 1);
      f.warnings.push_back(
          {xdi_warning_kind::column_labels, 0,
           "no Column." + std::to_string(c + 1) + " field; the column is labelled '" + f.labels[c] + "'"});
    }
  }
}

}  // namespace detail

/// \brief Reads an XDI file (XAS Data Interchange 1.0) from a stream.
/// \ingroup io
///
/// The grammar is enforced strictly; everything the reference library only warns about becomes
/// an xdi_warning, so the verdicts on the XDI conformance set (`baddata/BadFiles.txt`) are
/// reproduced file by file.
/// - **Errors:** line 1 not `# XDI/<major>.<minor> [application/version ...]`; a header line
///   before the comments or the header end that is not `# Family.key: value` (no ':', no '.',
///   two '.', a family not starting with a letter, an empty value); a data value that is not a finite
///   number (`nan`, `1.2.3`, words); a data line with a different number of columns; no data.
/// - **Warnings** (xdi_warning_kind): missing or invalid required fields, an invalid date,
///   number or unit in a defined field, no `#----` line, Column.N fields that do not match the
///   data, lines with an unknown comment character (ignored), missing recommended fields.
///
/// The comments start at a header line whose text begins with `///` (`# ///`, `#///`,
/// `# ///  Users Comments  ///`) and the header ends at one that begins with `---` (`#----`,
/// `# ---- data ----`), as the reference library decides; a `///` line inside the comments is not
/// a comment. Field names are compared without case and a later occurrence replaces an earlier one. Blank
/// lines, leading blanks, LF, CRLF and CR line ends are accepted; numbers are read in the C
/// locale. `# Outer.value: v` lines inside the data (2-D scans) start a new block of rows.
/// \param in the text. \param source the name used in error messages (a path, or `"<string>"`).
/// \returns the version, fields, comments, labels, units, values, blocks and warnings.
/// \throws valence::parse_error with the 1-based line for each error above.
///
/// **Reference.** XAS Data Interchange format, specification 1.0 and dictionary (XDI working
/// group of the IUCr Commission on XAFS, 2016); conformance files of the reference library.
template <class = void>
[[nodiscard]] xdi_file read_xdi(std::istream& in, const std::string& source) {
  const std::string text = detail::read_all(in);
  detail::line_cursor lines(text);
  xdi_file out;
  std::string_view line;
  const auto fail = [&](const std::string& message) { throw parse_error(source, lines.number(), message); };
  if (!lines.next(line)) {
    throw parse_error(source, 1, "the file is empty; expected '# XDI/1.0' on line 1");
  }
  {
    std::string_view first = detail::trim(line);
    if (first.empty() || first.front() != '#' || detail::trim(first.substr(1)).substr(0, 4) != "XDI/") {
      fail("line 1 is " + detail::quote(line) + "; expected '# XDI/1.0' and optional application versions");
    }
    first = detail::trim(first.substr(1)).substr(4);
    const std::size_t end = std::min(first.find_first_of(" \t"), first.size());
    out.version = std::string(first.substr(0, end));
    const auto dot = out.version.find('.');
    const auto is_digits = [](std::string_view s) {
      return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (dot == std::string::npos || !is_digits(std::string_view(out.version).substr(0, dot)) ||
        !is_digits(std::string_view(out.version).substr(dot + 1, out.version.find('.', dot + 1) - dot - 1))) {
      fail("the version is " + detail::quote(out.version) + "; expected <major>.<minor> as in '# XDI/1.0'");
    }
    out.extra_version = std::string(detail::trim(first.substr(end)));
  }
  enum class section { fields, comments, labels, data };
  section at = section::fields;
  std::vector<std::string> label_line;
  std::vector<std::string_view> words;
  std::vector<double> values;
  std::size_t columns = 0;
  const auto set_field = [&](std::string_view body) {
    const auto colon = body.find(':');
    if (colon == std::string_view::npos) {
      fail("header line " + detail::quote(body) + " has no ':'; expected '# Family.key: value'");
    }
    const std::string_view name = detail::trim(body.substr(0, colon));
    const std::string_view value = detail::trim(body.substr(colon + 1));
    const auto dot = name.find('.');
    const std::string_view family = name.substr(0, dot);
    const std::string_view key = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    if (!detail::valid_field_name(family, key)) {
      fail("field name " + detail::quote(name) +
           " is not Family.key; expected one '.', a family starting with a letter, and letters, digits, '_' or '-'");
    }
    if (value.empty()) {
      fail("field " + detail::quote(name) + " has no value; expected '# Family.key: value'");
    }
    xdi_field f{std::string(family), std::string(key), detail::to_utf8(value), lines.number()};
    const std::string wanted = detail::lower(name);
    for (auto& existing : out.fields) {
      if (detail::lower(existing.family + "." + existing.key) == wanted) {
        existing = f;
        return;
      }
    }
    out.fields.push_back(std::move(f));
  };
  while (lines.next(line)) {
    const std::string_view content = detail::trim(line);
    if (content.empty()) {
      continue;
    }
    if (content.front() == '#') {
      const std::string_view body = detail::trim(content.substr(1));
      if (at == section::fields || at == section::comments) {
        // The reference library's rules: in the fields, a line with a value after ':' is a field;
        // otherwise the text before any ':' starting with "///" opens the comments (so
        // "# ///  Users Comments  ///" does) and starting with "---" ends the header ("#----",
        // "# ---- data ----"). Inside the comments a "///" line is a separator, not a comment.
        const std::string_view head = body.substr(0, body.find(':'));
        const bool has_value = head.size() < body.size() && !detail::trim(body.substr(head.size() + 1)).empty();
        if (at == section::fields && has_value) {
          set_field(body);
        } else if (head.substr(0, 3) == "---") {
          at = section::labels;
        } else if (head.substr(0, 3) == "///") {
          at = section::comments;
        } else if (at == section::comments) {
          std::string_view comment = content.substr(1);
          comment.remove_prefix(!comment.empty() && comment.front() == ' ' ? 1 : 0);
          out.comments.push_back(detail::to_utf8(comment));
        } else if (!body.empty()) {
          set_field(body);
        }
        continue;
      }
      if (detail::lower(body.substr(0, 12)) == "outer.value:") {
        const auto v = detail::parse_number(body.substr(12));
        if (!v) {
          fail("Outer.value is " + detail::quote(body.substr(12)) + "; expected a finite number");
        }
        out.outer_values.push_back(*v);
        out.outer_breakpoints.push_back(static_cast<index>(columns == 0 ? 0 : values.size() / columns));
      } else if (at == section::labels) {
        detail::split_fields(body, 0, words);
        label_line.assign(words.begin(), words.end());
        at = section::data;
      } else {
        out.warnings.push_back({xdi_warning_kind::ignored_line, lines.number(),
                                "comment line " + detail::quote(content) + " inside the data (ignored)"});
      }
      continue;
    }
    if (at == section::fields || at == section::comments) {
      const char c = content.front();
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) {
        out.warnings.push_back(
            {xdi_warning_kind::ignored_line, lines.number(),
             "header line " + detail::quote(content) + " does not start with '#'; expected '# ...' (ignored)"});
        continue;
      }
      out.warnings.push_back(
          {xdi_warning_kind::missing_header_end, lines.number(), "the data start without a '#----' line before them"});
    }
    at = section::data;
    detail::split_fields(content, 0, words);
    if (columns == 0) {
      columns = words.size();
    } else if (words.size() != columns) {
      fail("a data line has " + std::to_string(words.size()) + " values; expected " + std::to_string(columns) +
           " as in the first data line");
    }
    for (std::size_t c = 0; c < columns; ++c) {
      const auto v = detail::parse_number(words[c]);
      if (!v) {
        fail("value " + std::to_string(c + 1) + " is " + detail::quote(words[c]) +
             "; expected a finite number in C syntax");
      }
      values.push_back(*v);
    }
  }
  if (columns == 0) {
    throw parse_error(source, lines.number() + 1, "no data lines; expected rows of numbers after the header");
  }
  if (const auto outer = out.field("Outer.value");
      outer && (out.outer_breakpoints.empty() || out.outer_breakpoints.front() != 0)) {
    const auto v = detail::parse_number(*outer);
    if (v) {
      out.outer_values.insert(out.outer_values.begin(), *v);
      out.outer_breakpoints.insert(out.outer_breakpoints.begin(), 0);
    }
  }
  out.values = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), static_cast<index>(values.size() / columns), static_cast<index>(columns));
  detail::assign_xdi_labels(out, label_line, columns);
  detail::validate_xdi(out);
  return out;
}

/// \brief Reads an XDI file; see read_xdi(std::istream&, const std::string&).
/// \ingroup io
/// \param path the file. \returns as the stream form.
/// \throws valence::parse_error as the stream form, or when the file cannot be opened (line 0).
template <class = void>
[[nodiscard]] xdi_file read_xdi(const std::string& path) {
  auto in = detail::open_input(path, "a readable XDI file");
  return read_xdi(in, path);
}

/// \brief Writes an XDI 1.0 file.
/// \ingroup io
///
/// Line 1 is `# XDI/1.0` and the extra version; then `Column.N: label units` from
/// xdi_file::labels and units, every other field, `# ///`, the comments, `#----`, the label line
/// and the values with 17 significant digits, so that read_xdi returns the same numbers bit for
/// bit. 2-D scans get an `# Outer.value` line before each block after the first (the first is
/// the header field).
/// \param out the stream. \param f the content; warnings are not written.
/// \throws valence::invalid_input if the labels (or units) do not match the columns, a label is
///         empty or contains blanks, a field name breaks the grammar, a field value is empty or
///         spans lines, a value is not finite, or the blocks are not increasing row indices.
template <class = void>
void write_xdi(std::ostream& out, const xdi_file& f) {
  constexpr const char* function = "valence::io::write_xdi";
  const auto fail = [&](const std::string& message) {
    throw invalid_input(core::detail::message(function, "parameter 'f' " + message));
  };
  const auto columns = static_cast<std::size_t>(f.values.cols());
  if (columns == 0 || f.values.rows() == 0 || f.labels.size() != columns ||
      (!f.units.empty() && f.units.size() != columns)) {
    fail("has " + std::to_string(f.values.rows()) + " x " + std::to_string(columns) + " values, " +
         std::to_string(f.labels.size()) + " labels and " + std::to_string(f.units.size()) +
         " units; expected data and one label (and optionally one unit) per column");
  }
  if (!f.values.allFinite()) {
    fail("has non-finite values; expected finite numbers");
  }
  const auto single_line = [](const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; };
  for (std::size_t c = 0; c < columns; ++c) {
    if (f.labels[c].empty() || f.labels[c].find_first_of(" \t\r\n") != std::string::npos ||
        (!f.units.empty() && !single_line(f.units[c]))) {
      fail("has label " + detail::quote(f.labels[c]) + " for column " + std::to_string(c + 1) +
           "; expected a non-empty word without blanks");
    }
  }
  for (const auto& field : f.fields) {
    if (!detail::valid_field_name(field.family, field.key) || detail::trim(field.value).empty() ||
        !single_line(field.value) || !single_line(field.family + field.key)) {
      fail("has field " + detail::quote(field.family + "." + field.key + ": " + field.value) +
           "; expected Family.key (a letter first, one '.') and a one-line value");
    }
  }
  if (f.outer_values.size() != f.outer_breakpoints.size() ||
      !std::is_sorted(f.outer_breakpoints.begin(), f.outer_breakpoints.end()) ||
      (!f.outer_breakpoints.empty() &&
       (f.outer_breakpoints.front() < 0 || f.outer_breakpoints.back() >= f.values.rows()))) {
    fail("has " + std::to_string(f.outer_values.size()) + " outer values and " +
         std::to_string(f.outer_breakpoints.size()) + " breakpoints; expected equal numbers of increasing rows");
  }
  const auto number = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return std::string(buffer);
  };
  out << "# XDI/1.0" << (f.extra_version.empty() ? "" : " " + f.extra_version) << '\n';
  for (std::size_t c = 0; c < columns; ++c) {
    out << "# Column." << c + 1 << ": " << f.labels[c]
        << (f.units.empty() || f.units[c].empty() ? "" : " " + f.units[c]) << '\n';
  }
  for (const auto& field : f.fields) {
    if (detail::lower(field.family) != "column") {
      out << "# " << field.family << '.' << field.key << ": " << field.value << '\n';
    }
  }
  out << "# ///\n";
  for (const auto& comment : f.comments) {
    std::string_view rest = comment;
    for (std::size_t end; (end = rest.find_first_of("\r\n")) != std::string_view::npos; rest.remove_prefix(end + 1)) {
      out << "# " << rest.substr(0, end) << '\n';
    }
    out << "# " << rest << '\n';
  }
  out << "#----\n#";
  for (const auto& label : f.labels) {
    out << ' ' << label;
  }
  out << '\n';
  std::size_t block = 0;
  for (index r = 0; r < f.values.rows(); ++r) {
    for (; block < f.outer_breakpoints.size() && f.outer_breakpoints[block] == r; ++block) {
      if (r > 0) {
        out << "# Outer.value: " << number(f.outer_values[block]) << '\n';
      }
    }
    for (index c = 0; c < f.values.cols(); ++c) {
      out << (c == 0 ? "" : "  ") << number(f.values(r, c));
    }
    out << '\n';
  }
}

/// \brief Writes an XDI file; see write_xdi(std::ostream&, const xdi_file&).
/// \ingroup io
/// \param path the file to create. \param f the content.
/// \throws valence::invalid_input as the stream form, or when the file cannot be written.
template <class = void>
void write_xdi(const std::string& path, const xdi_file& f) {
  detail::write_output(path, "valence::io::write_xdi", [&](std::ostream& out) { write_xdi(out, f); });
}

/// \brief Which absorption coefficient derive_mu computes from the detector channels.
/// \ingroup io
enum class xdi_mu {
  transmission,  ///< μ = ln(i0 / itrans)
  fluorescence,  ///< μ = ifluor / i0
  reference,     ///< μ = ln(itrans / irefer), the reference foil after the sample
};

/// \brief μ(E) from the detector channels of an XDI file, with the dictionary's column labels.
/// \ingroup io
/// \param f a read file with columns `i0`, `itrans`, `ifluor` or `irefer` as \p channel needs
///        (labels compared without case).
/// \param channel transmission ln(i0/itrans), fluorescence ifluor/i0, or reference
///        ln(itrans/irefer).
/// \returns μ per row (dimensionless; the absolute scale is the detectors').
/// \throws valence::invalid_input if a needed column is absent (the message lists the labels) or
///         a ratio is not positive and finite at some row (a zero or negative count).
///
/// **Reference.** XDI dictionary 1.0, defined column labels; B. Ravel and M. Newville,
/// J. Synchrotron Rad. 12, 537 (2005) for the transmission and fluorescence definitions.
template <class = void>
[[nodiscard]] vector_d derive_mu(const xdi_file& f, xdi_mu channel) {
  constexpr const char* function = "valence::io::derive_mu";
  const auto col = [&](std::string_view label) {
    return f.values.col(detail::require_label(f.labels, label, true, function));
  };
  const vector_d ratio = channel == xdi_mu::transmission   ? vector_d(col("i0").array() / col("itrans").array())
                         : channel == xdi_mu::fluorescence ? vector_d(col("ifluor").array() / col("i0").array())
                                                           : vector_d(col("itrans").array() / col("irefer").array());
  for (index r = 0; r < ratio.size(); ++r) {
    if (!(ratio(r) > 0 && std::isfinite(ratio(r)))) {
      throw invalid_input(core::detail::message(function, "the detector ratio at row " + std::to_string(r) + " is " +
                                                              core::detail::format_value(ratio(r)) +
                                                              "; expected positive, finite channel values"));
    }
  }
  return channel == xdi_mu::fluorescence ? ratio : vector_d(ratio.array().log());
}

}  // namespace valence::io

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::io {
extern template xdi_file read_xdi<>(std::istream&, const std::string&);
extern template xdi_file read_xdi<>(const std::string&);
extern template void write_xdi<>(std::ostream&, const xdi_file&);
extern template void write_xdi<>(const std::string&, const xdi_file&);
extern template vector_d derive_mu<>(const xdi_file&, xdi_mu);
}  // namespace valence::io
#endif

#endif  // VALENCE_IO_XDI_HPP
