// SPDX-License-Identifier: MIT
#include "common.hpp"

#include <valence/core/detail/format.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/hdf5_rows.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/io/msa.hpp>
#include <valence/io/nxxas.hpp>
#include <valence/io/xdi.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <H5Fpublic.h>

namespace valence_cli {

std::pair<double, double> parse_window(const std::string& option, const std::string& text) {
  const auto colon = text.find(':');
  char* end = nullptr;
  if (colon != std::string::npos) {
    const std::string low = text.substr(0, colon);
    const std::string high = text.substr(colon + 1);
    const double a = std::strtod(low.c_str(), &end);
    const bool first = end != low.c_str() && *end == '\0';
    const double b = std::strtod(high.c_str(), &end);
    const bool second = end != high.c_str() && *end == '\0';
    if (first && second && a < b) {
      return {a, b};
    }
  }
  throw valence::invalid_input("option " + option + " is '" + text +
                               "'; expected LOW:HIGH in eV with LOW < HIGH, e.g. 640:680 (relative windows of "
                               "pre-edge options may be negative: -150:-30)");
}

std::size_t parse_bytes(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  std::string unit(end);
  for (char& c : unit) {
    c = char(std::toupper(static_cast<unsigned char>(c)));
  }
  double scale = 0;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    scale = 1024;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    scale = 1024.0 * 1024;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    scale = 1024.0 * 1024 * 1024;
  }
  if (end == text.c_str() || !(value > 0) || scale == 0) {
    throw valence::invalid_input("option " + option + " is '" + text +
                                 "'; expected a positive size in bytes with an optional K, M or G, e.g. 512M");
  }
  return std::size_t(value * scale);
}

namespace {

std::string lower_extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (char& c : e) {
    c = char(std::tolower(static_cast<unsigned char>(c)));
  }
  return e;
}

std::vector<double> to_std(const valence::vector_d& v) {
  return {v.data(), v.data() + v.size()};
}

// A column expression: "label", "A/B" or "ln(A/B)" (transmission μ = ln(i0/itrans), fluorescence
// μ = ifluor/i0), with `column(label)` giving a column by label.
template <typename Column>
valence::vector_d evaluate(const std::string& expression, const Column& column) {
  std::string e = expression;
  const bool log = e.size() > 4 && e.compare(0, 3, "ln(") == 0 && e.back() == ')';
  if (log) {
    e = e.substr(3, e.size() - 4);
  }
  const auto slash = e.find('/');
  valence::vector_d v =
      slash == std::string::npos
          ? valence::vector_d(column(e))
          : valence::vector_d(column(e.substr(0, slash)).array() / column(e.substr(slash + 1)).array());
  if (log) {
    v = v.array().log();
  }
  return v;
}

}  // namespace

spectrum read_spectrum(const std::string& path, const std::string& column) {
  spectrum s;
  s.source = path;
  s.name = std::filesystem::path(path).stem().string();
  const std::string ext = lower_extension(path);
  if (H5Fis_hdf5(path.c_str()) > 0) {
    // An NXxas entry, else a HyperSpy (or other) stack of exactly one spectrum.
    try {
      const auto nx = valence::io::read_nxxas(path);
      s.energy = nx.energy;
      s.values = column.empty() ? nx.signal : nx.column(column);
      if (s.values.size() != s.energy.size()) {
        throw valence::invalid_input("no rawdata column '" + column + "' in " + path);
      }
      return s;
    } catch (const valence::parse_error&) {
    }
    const auto stack = valence::io::open_hdf5_stack(path);
    if (stack.rows * stack.cols != 1) {
      throw valence::invalid_input(path + " holds " + std::to_string(stack.rows * stack.cols) +
                                   " spectra; expected one (a reference spectrum)");
    }
    s.energy = stack.channel_axis.values;
    s.values.resize(std::size_t(stack.channels));
    valence::io::hdf5_rows<double>(stack).read_rows(0, 1, s.values.data());
    return s;
  }
  if (ext == ".msa" || ext == ".ems" || ext == ".emsa") {
    const auto m = valence::io::read_msa(path);
    s.energy = to_std(m.x);
    s.values = to_std(m.y);
    return s;
  }
  if (ext == ".xdi") {
    const auto x = valence::io::read_xdi(path);
    s.energy = to_std(x.values.col(0));
    s.values = to_std(column.empty() ? valence::vector_d(x.values.col(1))
                                     : evaluate(column, [&](const std::string& label) { return x.column(label); }));
    return s;
  }
  const auto t = valence::io::read_columns(path);
  if (t.values.cols() < 2) {
    throw valence::parse_error(path, 0,
                               "the file has " + std::to_string(t.values.cols()) +
                                   " column(s); expected energy and at least one value column");
  }
  s.energy = to_std(t.values.col(0));
  s.values = to_std(column.empty() ? valence::vector_d(t.values.col(1))
                                   : evaluate(column, [&](const std::string& label) { return t.column(label); }));
  return s;
}

void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& columns, const std::vector<std::string>& comments,
               const std::string& text_header, const std::vector<std::string>& text) {
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (path != "-") {
    file.open(path);
    if (!file) {
      throw valence::invalid_input("cannot write '" + path + "'; expected a writable path");
    }
    out = &file;
  }
  for (const auto& c : comments) {
    *out << "# " << c << '\n';
  }
  for (std::size_t j = 0; j < header.size(); ++j) {
    *out << (j ? "," : "") << header[j];
  }
  *out << (text.empty() ? "" : "," + text_header) << '\n';
  const std::size_t rows = columns.empty() ? 0 : columns.front().size();
  char field[40];
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      std::snprintf(field, sizeof field, "%.10g", columns[j][i]);
      *out << (j ? "," : "") << field;
    }
    *out << (i < text.size() ? "," + text[i] : std::string()) << '\n';
  }
}

}  // namespace valence_cli
