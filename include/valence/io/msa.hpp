// SPDX-License-Identifier: MIT
/// \file
/// \brief EMSA/MAS spectral data files (ISO 22029, the `.msa`/`.emsa` text format of EELS and EDS
/// spectra): reader and writer.
#ifndef VALENCE_IO_MSA_HPP
#define VALENCE_IO_MSA_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/text.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace valence::io {

/// \defgroup io Input and output
/// \brief Readers and writers of the files users arrive with.

/// \brief One keyword line of an EMSA file: `#NAME -units : value`.
/// \ingroup io
struct msa_keyword {
  std::string name;   ///< upper case, without '#', blanks and the units suffix (e.g. `BEAMKV`)
  std::string units;  ///< the optional `-units` suffix of the keyword (e.g. `kV`), else empty
  std::string value;  ///< the text after ':' with surrounding blanks removed
};

/// \brief The content of an EMSA/MAS file.
/// \ingroup io
struct msa_spectrum {
  std::vector<msa_keyword> keywords;  ///< every keyword line before the data, in file order
  std::string datatype = "Y";         ///< `Y` (values only) or `XY` (pairs)
  vector_d x;                         ///< channel positions: read (XY) or OFFSET + i · XPERCHAN (Y)
  vector_d y;                         ///< the values, NPOINTS of them

  /// \brief The value of a keyword, if present.
  /// \param name upper-case name without '#', e.g. `"XUNITS"`.
  /// \returns the first matching value, or nothing.
  [[nodiscard]] std::optional<std::string> keyword(const std::string& name) const {
    for (const auto& k : keywords) {
      if (k.name == name) {
        return k.value;
      }
    }
    return std::nullopt;
  }
};

/// \brief Reads an EMSA/MAS spectral data file from a stream.
/// \ingroup io
///
/// The structure is checked strictly: `#FORMAT` naming EMSA/MAS first; `#NPOINTS`, `#NCOLUMNS`
/// (1–5 values per data line), `#DATATYPE` (`Y` or `XY`), and for `Y` data `#XPERCHAN` and
/// `#OFFSET`; then `#SPECTRUM`, exactly NPOINTS finite values (or pairs), and `#ENDOFDATA`.
/// Harmless variation is accepted: CRLF line ends, blanks or tabs inside the keyword field
/// (`#FORMAT<TAB> :`), numbers written `2048.00`, values separated by commas and/or blanks,
/// keywords in any case, and any optional keyword (kept in msa_spectrum::keywords).
/// \param in the text. \param source the name used in error messages (a path, or `"<string>"`).
/// \returns the keywords, the channel positions and the values.
/// \throws valence::parse_error with the 1-based line for anything else: a missing or
///         misplaced required keyword, a non-numeric or non-finite value, a count other than
///         NPOINTS, an absurd NPOINTS (more than 1e8), or a file that ends before `#ENDOFDATA`.
///
/// **Reference.** ISO 22029:2012; the EMSA/MAS format of Microscopy Society of America (1991).
template <class = void>
[[nodiscard]] msa_spectrum read_msa(std::istream& in, const std::string& source) {
  msa_spectrum out;
  std::size_t line_number = 0;
  std::string line;
  const auto fail = [&](const std::string& message) { throw parse_error(source, line_number, message); };
  const auto required_number = [&](const char* name) {
    const auto text = out.keyword(name);
    if (!text) {
      fail(std::string("no #") + name + " before #SPECTRUM; expected the keyword of an EMSA/MAS file");
    }
    const auto v = detail::parse_number(*text);
    if (!v) {
      fail(std::string("#") + name + " is '" + *text + "'; expected a number");
    }
    return *v;
  };
  bool in_data = false;
  bool finished = false;
  std::vector<double> xs;
  std::vector<double> ys;
  double points = 0;
  double per_line = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (detail::trim(line).empty()) {
      continue;
    }
    if (line[0] == '#') {
      const auto colon = line.find(':');
      if (colon == std::string::npos) {
        fail("keyword line without ':'; expected '#KEYWORD : value'");
      }
      msa_keyword k;
      std::string field = line.substr(1, colon - 1);
      const auto dash = field.find('-');
      if (dash != std::string::npos) {
        k.units = detail::trim(field.substr(dash + 1));
        field = field.substr(0, dash);
      }
      for (const char c : field) {
        if (!std::isspace(static_cast<unsigned char>(c))) {
          k.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
      }
      k.value = detail::trim(line.substr(colon + 1));
      if (out.keywords.empty() && k.name != "FORMAT") {
        fail("the first keyword is #" + k.name + "; expected #FORMAT : EMSA/MAS Spectral Data File");
      }
      if (k.name == "FORMAT") {
        std::string upper;
        for (const char c : k.value) {
          upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (upper.find("EMSA/MAS") == std::string::npos) {
          fail("#FORMAT is '" + k.value + "'; expected EMSA/MAS Spectral Data File");
        }
      }
      if (k.name == "ENDOFDATA") {
        if (!in_data) {
          fail("#ENDOFDATA before #SPECTRUM; expected the data between them");
        }
        finished = true;
        break;
      }
      if (in_data) {
        fail("keyword #" + k.name + " inside the data; expected numbers up to #ENDOFDATA");
      }
      if (k.name == "SPECTRUM") {
        points = required_number("NPOINTS");
        per_line = required_number("NCOLUMNS");
        if (!(points >= 1 && points <= 1e8 && points == std::floor(points))) {
          fail("#NPOINTS is " + core::detail::format_value(points) + "; expected a whole number from 1 to 1e8");
        }
        if (!(per_line >= 1 && per_line <= 5 && per_line == std::floor(per_line))) {
          fail("#NCOLUMNS is " + core::detail::format_value(per_line) + "; expected 1 to 5 values per line");
        }
        const auto type = out.keyword("DATATYPE");
        if (!type) {
          fail("no #DATATYPE before #SPECTRUM; expected Y or XY");
        }
        out.datatype.clear();
        for (const char c : *type) {
          out.datatype += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (out.datatype != "Y" && out.datatype != "XY") {
          fail("#DATATYPE is '" + *type + "'; expected Y or XY");
        }
        if (out.datatype == "Y") {
          const double step = required_number("XPERCHAN");
          const double offset = required_number("OFFSET");
          out.x = offset + step * vector_d::LinSpaced(static_cast<index>(points), 0, points - 1).array();
        }
        xs.reserve(static_cast<std::size_t>(out.datatype == "XY" ? points : 0));
        ys.reserve(static_cast<std::size_t>(points));
        in_data = true;
      }
      out.keywords.push_back(std::move(k));
      continue;
    }
    if (!in_data) {
      fail(
          "data before #SPECTRUM; expected '#KEYWORD : value' lines first (a headerless two-column text is not "
          "EMSA/MAS)");
    }
    std::string fields = line;
    for (auto& c : fields) {
      c = c == ',' ? ' ' : c;
    }
    std::istringstream tokens(fields);
    std::vector<double> values;
    for (std::string token; tokens >> token;) {
      const auto v = detail::parse_number(token);
      if (!v) {
        fail("'" + token + "' is not a finite number; expected the spectrum's values");
      }
      values.push_back(*v);
    }
    if (out.datatype == "XY") {
      if (values.size() != 2) {
        fail("a data line holds " + std::to_string(values.size()) + " values; expected an x, y pair for XY data");
      }
      xs.push_back(values[0]);
      ys.push_back(values[1]);
    } else {
      if (values.size() > static_cast<std::size_t>(per_line)) {
        fail("a data line holds " + std::to_string(values.size()) +
             " values; expected at most #NCOLUMNS = " + core::detail::format_value(per_line));
      }
      ys.insert(ys.end(), values.begin(), values.end());
    }
    if (static_cast<double>(ys.size()) > points) {
      fail("more values than #NPOINTS = " + core::detail::format_value(points));
    }
  }
  if (!finished) {
    ++line_number;
    fail(in_data ? "the file ends before #ENDOFDATA; expected " + core::detail::format_value(points) +
                       " values and #ENDOFDATA (truncated file?)"
                 : "no #SPECTRUM; expected an EMSA/MAS file (a headerless two-column text is read by read_columns)");
  }
  if (static_cast<double>(ys.size()) != points) {
    fail("found " + std::to_string(ys.size()) + " values; expected #NPOINTS = " + core::detail::format_value(points));
  }
  out.y = Eigen::Map<const vector_d>(ys.data(), static_cast<index>(ys.size()));
  if (out.datatype == "XY") {
    out.x = Eigen::Map<const vector_d>(xs.data(), static_cast<index>(xs.size()));
  }
  return out;
}

/// \brief Reads an EMSA/MAS file.
/// \ingroup io
/// \param path the file. \returns as read_msa(std::istream&, const std::string&).
/// \throws valence::parse_error when the file cannot be opened (line 0) or read as EMSA/MAS.
template <class = void>
[[nodiscard]] msa_spectrum read_msa(const std::string& path) {
  auto in = detail::open_input(path, "a readable EMSA/MAS file");
  return read_msa(in, path);
}

/// \brief Writes a spectrum as an EMSA/MAS 1.0 file of DATATYPE Y (uniform channels) or XY.
/// \ingroup io
///
/// The required keywords come first with values derived from the data (NPOINTS, NCOLUMNS 1,
/// DATATYPE, XPERCHAN and OFFSET from the first two channels), then every other keyword of \p s
/// (FORMAT, VERSION and those derived ones are not repeated), then the values with 17 significant
/// digits, so a file read back is bitwise identical.
/// \param out the stream. \param s the spectrum (keywords such as TITLE, XUNITS, YUNITS are kept).
/// \throws valence::invalid_input if x and y differ in length, are empty or not finite, the
///         datatype is neither Y nor XY, or DATATYPE Y comes with non-uniform x.
template <class = void>
void write_msa(std::ostream& out, const msa_spectrum& s) {
  constexpr const char* function = "valence::io::write_msa";
  if (s.y.size() < 1 || s.x.size() != s.y.size() || !s.x.allFinite() || !s.y.allFinite() ||
      (s.datatype != "Y" && s.datatype != "XY")) {
    throw invalid_input(core::detail::message(
        function, "parameter 's' has " + std::to_string(s.x.size()) + " x and " + std::to_string(s.y.size()) +
                      " y values of DATATYPE '" + s.datatype +
                      "'; expected equal, non-zero numbers of finite values and DATATYPE Y or XY"));
  }
  const auto number = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return std::string(buffer);
  };
  const auto put = [&](const std::string& name, const std::string& value) {
    std::string field = "#" + name;
    field.resize(std::max<std::size_t>(field.size(), 13), ' ');
    out << field << ": " << value << "\r\n";
  };
  const double step = s.x.size() > 1 ? s.x(1) - s.x(0) : 1.0;
  if (s.datatype == "Y") {
    for (index i = 1; i < s.x.size(); ++i) {
      if (std::abs(s.x(i) - (s.x(0) + double(i) * step)) > 1e-9 * std::max(std::abs(s.x(i)), std::abs(step))) {
        throw invalid_input(
            core::detail::message(function, "parameter 's' has DATATYPE Y but its x is not uniform at index " +
                                                std::to_string(i) + "; expected OFFSET + i XPERCHAN (or DATATYPE XY)"));
      }
    }
  }
  put("FORMAT", "EMSA/MAS Spectral Data File");
  put("VERSION", "1.0");
  for (const char* name : {"TITLE", "DATE", "TIME", "OWNER"}) {
    put(name, s.keyword(name).value_or(""));
  }
  put("NPOINTS", std::to_string(s.y.size()));
  put("NCOLUMNS", "1");
  for (const char* name : {"XUNITS", "YUNITS"}) {
    put(name, s.keyword(name).value_or(""));
  }
  put("DATATYPE", s.datatype);
  put("XPERCHAN", number(step));
  put("OFFSET", number(s.x(0)));
  const std::vector<std::string> written = {"FORMAT",   "VERSION",  "TITLE",    "DATE",     "TIME",
                                            "OWNER",    "NPOINTS",  "NCOLUMNS", "XUNITS",   "YUNITS",
                                            "DATATYPE", "XPERCHAN", "OFFSET",   "SPECTRUM", "ENDOFDATA"};
  for (const auto& k : s.keywords) {
    if (std::find(written.begin(), written.end(), k.name) == written.end()) {
      put(k.units.empty() ? k.name : k.name + " -" + k.units, k.value);
    }
  }
  put("SPECTRUM", "Spectral Data Starts Here");
  for (index i = 0; i < s.y.size(); ++i) {
    out << (s.datatype == "XY" ? number(s.x(i)) + ", " : std::string()) << number(s.y(i)) << "\r\n";
  }
  put("ENDOFDATA", "End Of Data and File");
}

/// \brief Writes an EMSA/MAS file; see write_msa(std::ostream&, const msa_spectrum&).
/// \ingroup io
/// \param path the file to create. \param s the spectrum.
/// \throws valence::invalid_input as the stream form, or when the file cannot be written.
template <class = void>
void write_msa(const std::string& path, const msa_spectrum& s) {
  detail::write_output(path, "valence::io::write_msa", [&](std::ostream& out) { write_msa(out, s); });
}

}  // namespace valence::io

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::io {
extern template msa_spectrum read_msa<>(std::istream&, const std::string&);
extern template msa_spectrum read_msa<>(const std::string&);
extern template void write_msa<>(std::ostream&, const msa_spectrum&);
extern template void write_msa<>(const std::string&, const msa_spectrum&);
}  // namespace valence::io
#endif

#endif  // VALENCE_IO_MSA_HPP
