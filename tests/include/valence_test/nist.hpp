// SPDX-License-Identifier: MIT
// Reader of the NIST StRD linear regression files (certified values and data) for the tests.
#ifndef VALENCE_TEST_NIST_HPP
#define VALENCE_TEST_NIST_HPP

#include <Eigen/Core>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace valence_test {

/// One StRD linear problem: design matrix as the certified model defines it, the response and
/// the certified estimates, standard deviations and residual standard deviation.
struct nist_linear_problem {
  std::string name;
  Eigen::MatrixXd design;
  Eigen::VectorXd response;
  std::vector<double> estimates;
  std::vector<double> standard_deviations;
  double residual_standard_deviation = 0;
};

/// Reads a StRD linear file. The model is inferred from the certified parameters: B1.. only means
/// no intercept (NoInt1/2), several predictor columns mean a multiple regression with intercept
/// (Longley), otherwise a polynomial in x of degree (parameters - 1).
inline nist_linear_problem read_nist_linear(const std::string& path, const std::string& name) {
  std::ifstream in(path);
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
  // Plain token parsing (std::regex trips a GCC 12 -Wmaybe-uninitialized false positive at -O2).
  nist_linear_problem p;
  p.name = name;
  std::size_t first = 0;
  std::size_t last = 0;
  int first_parameter = -1;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string t; words >> t;) {
      w.push_back(t);
    }
    if (first == 0 && w.size() >= 5 && w[0] == "Data" && w[1] == "(lines") {
      first = std::stoul(w[2]);
      last = std::stoul(w[4].substr(0, w[4].find(')')));
    } else if (w.size() == 3 && w[0].size() > 1 && w[0][0] == 'B' &&
               w[0].find_first_not_of("0123456789", 1) == std::string::npos) {
      if (first_parameter < 0) {
        first_parameter = std::stoi(w[0].substr(1));
      }
      p.estimates.push_back(std::stod(w[1]));
      p.standard_deviations.push_back(std::stod(w[2]));
    } else if (w.size() == 3 && w[0] == "Standard" && w[1] == "Deviation") {
      p.residual_standard_deviation = std::stod(w[2]);
    }
  }
  std::vector<std::vector<double>> rows;
  for (std::size_t i = first; i <= last && i <= lines.size(); ++i) {
    std::istringstream fields(lines[i - 1]);
    std::vector<double> row;
    for (double v; fields >> v;) {
      row.push_back(v);
    }
    if (!row.empty()) {
      rows.push_back(row);
    }
  }
  const auto n_obs = static_cast<Eigen::Index>(rows.size());
  const auto n_par = static_cast<Eigen::Index>(p.estimates.size());
  const bool multiple = rows.front().size() > 2;
  p.response.resize(n_obs);
  p.design.resize(n_obs, n_par);
  for (Eigen::Index i = 0; i < n_obs; ++i) {
    const auto& row = rows[static_cast<std::size_t>(i)];
    p.response(i) = row[0];
    for (Eigen::Index j = 0; j < n_par; ++j) {
      if (multiple) {
        p.design(i, j) = j == 0 ? 1.0 : row[static_cast<std::size_t>(j)];
      } else {
        const int power = static_cast<int>(j) + first_parameter;
        double v = 1.0;
        for (int k = 0; k < power; ++k) {
          v *= row[1];
        }
        p.design(i, j) = v;
      }
    }
  }
  return p;
}

/// One StRD nonlinear problem: both certified starts, the certified estimates, standard
/// deviations and residual sum of squares, the response and one or two predictor columns.
struct nist_nonlinear_problem {
  std::string name;
  Eigen::VectorXd start1;
  Eigen::VectorXd start2;
  Eigen::VectorXd estimates;
  Eigen::VectorXd standard_deviations;
  double residual_sum_of_squares = 0;
  Eigen::VectorXd y;
  Eigen::MatrixXd x;  // one column per predictor
  // The data parsed in long double (Lanczos1's residuals of 1e-13 need the decimal digits).
  std::vector<long double> y_extended;
  Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> x_extended;
};

/// Reads a StRD nonlinear file: parameter lines "b1 = start1 start2 estimate sd" and the data block.
inline nist_nonlinear_problem read_nist_nonlinear(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open " + path);
  }
  nist_nonlinear_problem p;
  p.name = name;
  std::vector<std::vector<double>> parameters;
  std::vector<std::vector<double>> rows;
  std::vector<long double> extended;
  bool in_data = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string t; words >> t;) {
      w.push_back(t);
    }
    if (w.size() == 6 && w[0].size() > 1 && w[0][0] == 'b' && w[1] == "=") {
      parameters.push_back({std::stod(w[2]), std::stod(w[3]), std::stod(w[4]), std::stod(w[5])});
    } else if (w.size() == 5 && w[0] == "Residual" && w[1] == "Sum") {
      p.residual_sum_of_squares = std::stod(w[4]);
    } else if (!w.empty() && w[0] == "Data:" && w.size() >= 2 && w[1] == "y") {
      in_data = true;
    } else if (in_data && !w.empty()) {
      std::vector<double> row;
      for (const auto& t : w) {
        row.push_back(std::stod(t));
      }
      rows.push_back(row);
      for (const auto& t : w) {
        extended.push_back(std::stold(t));
      }
    }
  }
  const auto n = static_cast<Eigen::Index>(parameters.size());
  p.start1.resize(n);
  p.start2.resize(n);
  p.estimates.resize(n);
  p.standard_deviations.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto& b = parameters[static_cast<std::size_t>(j)];
    p.start1(j) = b[0];
    p.start2(j) = b[1];
    p.estimates(j) = b[2];
    p.standard_deviations(j) = b[3];
  }
  const auto m = static_cast<Eigen::Index>(rows.size());
  const auto predictors = static_cast<Eigen::Index>(rows.front().size()) - 1;
  p.y.resize(m);
  p.x.resize(m, predictors);
  p.x_extended.resize(m, predictors);
  for (Eigen::Index i = 0; i < m; ++i) {
    const auto row = static_cast<std::size_t>(i) * static_cast<std::size_t>(predictors + 1);
    p.y(i) = rows[static_cast<std::size_t>(i)][0];
    p.y_extended.push_back(extended[row]);
    for (Eigen::Index k = 0; k < predictors; ++k) {
      p.x(i, k) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(k) + 1];
      p.x_extended(i, k) = extended[row + static_cast<std::size_t>(k) + 1];
    }
  }
  return p;
}

}  // namespace valence_test

#endif  // VALENCE_TEST_NIST_HPP
