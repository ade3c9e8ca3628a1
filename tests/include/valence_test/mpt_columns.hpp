// SPDX-License-Identifier: MIT
// Minimal reader of EC-Lab text exports (.mpt) for the tests: "Nb header lines : N" on line 2,
// tab-separated column names on line N, decimal commas. The library's own reader belongs to
// valence::io.
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

inline std::map<std::string, Eigen::VectorXd> read_mpt_columns(const std::string& path) {
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
  const auto colon = lines.at(1).find(':');
  const auto header_lines = static_cast<std::size_t>(std::stoul(lines.at(1).substr(colon + 1)));
  const auto names = split_tabs(lines.at(header_lines - 1));
  std::vector<std::vector<double>> columns(names.size());
  for (std::size_t l = header_lines; l < lines.size(); ++l) {
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

}  // namespace valence_test

#endif  // VALENCE_TEST_MPT_COLUMNS_HPP
