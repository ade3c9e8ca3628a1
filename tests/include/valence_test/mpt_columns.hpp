// SPDX-License-Identifier: MIT
// Minimal readers of EC-Lab text exports for the tests: .mpt ("Nb header lines : N" on line 2,
// tab-separated column names on line N) and plain tab-separated exports with the names on the
// first line; decimal commas. The library's own reader belongs to valence::io.
#ifndef VALENCE_TEST_MPT_COLUMNS_HPP
#define VALENCE_TEST_MPT_COLUMNS_HPP

#include <Eigen/Core>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace valence_test {

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) {
    out.push_back(field);
  }
  return out;
}

// Tab-separated columns named on line `header_line` (0-based) of `lines`, data after it,
// decimal commas accepted.
inline std::map<std::string, Eigen::VectorXd> tab_columns(const std::vector<std::string>& lines,
                                                          std::size_t header_line) {
  const auto names = split_tabs(lines.at(header_line));
  std::vector<std::vector<double>> columns(names.size());
  for (std::size_t l = header_line + 1; l < lines.size(); ++l) {
    const auto fields = split_tabs(lines[l]);
    for (std::size_t c = 0; c < names.size() && c < fields.size(); ++c) {
      std::string value = fields[c];
      std::replace(value.begin(), value.end(), ',', '.');
      columns[c].push_back(std::stod(value));
    }
  }
  std::map<std::string, Eigen::VectorXd> out;
  for (std::size_t c = 0; c < names.size(); ++c) {
    out[names[c]] = Eigen::Map<Eigen::VectorXd>(columns[c].data(), static_cast<Eigen::Index>(columns[c].size()));
  }
  return out;
}

inline std::vector<std::string> text_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open " + path);
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(line);
  }
  return lines;
}

// EC-Lab .mpt: the header-line count on line 2, the column names on the last header line.
inline std::map<std::string, Eigen::VectorXd> read_mpt_columns(const std::string& path) {
  const auto lines = text_lines(path);
  const auto colon = lines.at(1).find(':');
  const auto header_lines = static_cast<std::size_t>(std::stoul(lines.at(1).substr(colon + 1)));
  return tab_columns(lines, header_lines - 1);
}

// A tab-separated export whose first line names the columns (EC-Lab "export as text").
inline std::map<std::string, Eigen::VectorXd> read_tab_columns(const std::string& path) {
  return tab_columns(text_lines(path), 0);
}

}  // namespace valence_test

#endif  // VALENCE_TEST_MPT_COLUMNS_HPP
