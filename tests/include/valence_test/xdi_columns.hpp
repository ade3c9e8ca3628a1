// SPDX-License-Identifier: MIT
// Minimal reader of XDI data columns for the tests (names from "# Column.N: name unit" lines,
// whitespace-separated numbers below). The library's own XDI reader belongs to valence::io.
#ifndef VALENCE_TEST_XDI_COLUMNS_HPP
#define VALENCE_TEST_XDI_COLUMNS_HPP

#include <Eigen/Core>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace valence_test {

inline std::map<std::string, Eigen::VectorXd> read_xdi_columns(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open " + path);
  }
  std::map<int, std::string> names;
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.rfind("# Column.", 0) == 0) {
      const auto dot = line.find('.');
      const auto colon = line.find(':');
      const int number = std::stoi(line.substr(dot + 1, colon - dot - 1));
      std::istringstream rest(line.substr(colon + 1));
      std::string name;
      rest >> name;
      names[number] = name;
      continue;
    }
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    std::vector<double> row;
    for (double v = 0; fields >> v;) {
      row.push_back(v);
    }
    if (!row.empty()) {
      rows.push_back(row);
    }
  }
  std::map<std::string, Eigen::VectorXd> out;
  for (const auto& [number, name] : names) {
    Eigen::VectorXd column(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      column(static_cast<Eigen::Index>(i)) = rows[i].at(static_cast<std::size_t>(number - 1));
    }
    out[name] = column;
  }
  return out;
}

// mu from a named column, or ln(i0/itrans) for transmission counters.
inline Eigen::VectorXd xdi_mu(const std::map<std::string, Eigen::VectorXd>& columns, const std::string& which) {
  if (which == "ln(i0/itrans)") {
    return (columns.at("i0").array() / columns.at("itrans").array()).log().matrix();
  }
  return columns.at(which);
}

}  // namespace valence_test

#endif  // VALENCE_TEST_XDI_COLUMNS_HPP
