// SPDX-License-Identifier: MIT
// valence::fit::levenberg_marquardt against the 27 NIST StRD nonlinear regression problems, from
// both certified starting points, with analytic Jacobians (and a forward-difference run).
// Reference: the certified values in each file (NIST, computed with 128-bit precision and
// confirmed by two packages); data: ../shared/data/nist_strd/nonlinear (NIST/ITL StRD, public domain).
#include <valence/fit/levenberg_marquardt.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/nist.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
constexpr double pi = 3.14159265358979323846;

// Model value f(x; b) and its gradient with respect to b, as each certified model defines it. The
// residuals are evaluated in long double from the data's decimal digits: Lanczos1 has certified
// residuals of 1e-13, so rounding x, y or the model to double moves its residual sum of squares by
// 2e-4 to 2e-3 (NIST certified in 128-bit arithmetic).
template <typename T>
T nist_model(const std::string& name, const T* x, const Eigen::Matrix<T, Eigen::Dynamic, 1>& b, T* g) {
  const T t = x[0];
  if (name == "Misra1a" || name == "BoxBOD") {
    const T e = std::exp(-b(1) * t);
    g[0] = 1 - e;
    g[1] = b(0) * t * e;
    return b(0) * (1 - e);
  }
  if (name == "Chwirut1" || name == "Chwirut2") {
    const T e = std::exp(-b(0) * t);
    const T q = b(1) + b(2) * t;
    g[0] = -t * e / q;
    g[1] = -e / (q * q);
    g[2] = -t * e / (q * q);
    return e / q;
  }
  if (name == "Lanczos1" || name == "Lanczos2" || name == "Lanczos3") {
    T f = 0;
    for (int k = 0; k < 3; ++k) {
      const T e = std::exp(-b(2 * k + 1) * t);
      g[2 * k] = e;
      g[2 * k + 1] = -b(2 * k) * t * e;
      f += b(2 * k) * e;
    }
    return f;
  }
  if (name == "Gauss1" || name == "Gauss2" || name == "Gauss3") {
    const T e = std::exp(-b(1) * t);
    g[0] = e;
    g[1] = -b(0) * t * e;
    T f = b(0) * e;
    for (int k = 0; k < 2; ++k) {
      const T a = b(2 + 3 * k);
      const T c = b(3 + 3 * k);
      const T w = b(4 + 3 * k);
      const T u = (t - c) / w;
      const T gauss = std::exp(-u * u);
      g[2 + 3 * k] = gauss;
      g[3 + 3 * k] = a * gauss * 2 * u / w;
      g[4 + 3 * k] = a * gauss * 2 * u * u / w;
      f += a * gauss;
    }
    return f;
  }
  if (name == "DanWood") {
    const T p = std::pow(t, b(1));
    g[0] = p;
    g[1] = b(0) * p * std::log(t);
    return b(0) * p;
  }
  if (name == "Misra1b") {
    const T s = 1 + b(1) * t / 2;
    g[0] = 1 - 1 / (s * s);
    g[1] = b(0) * t / (s * s * s);
    return b(0) * (1 - 1 / (s * s));
  }
  if (name == "Misra1c") {
    const T s = 1 + 2 * b(1) * t;
    g[0] = 1 - 1 / std::sqrt(s);
    g[1] = b(0) * t / (s * std::sqrt(s));
    return b(0) * (1 - 1 / std::sqrt(s));
  }
  if (name == "Misra1d") {
    const T s = 1 + b(1) * t;
    g[0] = b(1) * t / s;
    g[1] = b(0) * t / (s * s);
    return b(0) * b(1) * t / s;
  }
  if (name == "Kirby2" || name == "Hahn1" || name == "Thurber") {
    const int numerator_terms = name == "Kirby2" ? 3 : 4;
    const int denominator_terms = name == "Kirby2" ? 2 : 3;
    T numerator = 0;
    T denominator = 1;
    for (int k = 0; k < numerator_terms; ++k) {
      numerator += b(k) * std::pow(t, k);
    }
    for (int k = 1; k <= denominator_terms; ++k) {
      denominator += b(numerator_terms + k - 1) * std::pow(t, k);
    }
    for (int k = 0; k < numerator_terms; ++k) {
      g[k] = std::pow(t, k) / denominator;
    }
    for (int k = 1; k <= denominator_terms; ++k) {
      g[numerator_terms + k - 1] = -numerator * std::pow(t, k) / (denominator * denominator);
    }
    return numerator / denominator;
  }
  if (name == "Nelson") {  // the certified model is for log(y)
    const T e = std::exp(-b(2) * x[1]);
    g[0] = 1;
    g[1] = -t * e;
    g[2] = b(1) * t * x[1] * e;
    return b(0) - b(1) * t * e;
  }
  if (name == "MGH17") {
    const T e4 = std::exp(-t * b(3));
    const T e5 = std::exp(-t * b(4));
    g[0] = 1;
    g[1] = e4;
    g[2] = e5;
    g[3] = -b(1) * t * e4;
    g[4] = -b(2) * t * e5;
    return b(0) + b(1) * e4 + b(2) * e5;
  }
  if (name == "Roszman1") {
    const T d = t - b(3);
    const T u = b(2) / d;
    g[0] = 1;
    g[1] = -t;
    g[2] = -1 / (pi * (1 + u * u) * d);
    g[3] = -b(2) / (pi * (1 + u * u) * d * d);
    return b(0) - b(1) * t - std::atan(u) / pi;
  }
  if (name == "ENSO") {
    const T annual = 2 * pi * t / 12;
    T f = b(0) + b(1) * std::cos(annual) + b(2) * std::sin(annual);
    g[0] = 1;
    g[1] = std::cos(annual);
    g[2] = std::sin(annual);
    for (int k = 0; k < 2; ++k) {
      const T period = b(3 + 3 * k);
      const T theta = 2 * pi * t / period;
      const T c = b(4 + 3 * k);
      const T s = b(5 + 3 * k);
      f += c * std::cos(theta) + s * std::sin(theta);
      g[3 + 3 * k] = (-c * std::sin(theta) + s * std::cos(theta)) * (-theta / period);
      g[4 + 3 * k] = std::cos(theta);
      g[5 + 3 * k] = std::sin(theta);
    }
    return f;
  }
  if (name == "MGH09") {
    const T numerator = t * t + t * b(1);
    const T denominator = t * t + t * b(2) + b(3);
    g[0] = numerator / denominator;
    g[1] = b(0) * t / denominator;
    g[2] = -b(0) * numerator * t / (denominator * denominator);
    g[3] = -b(0) * numerator / (denominator * denominator);
    return b(0) * numerator / denominator;
  }
  if (name == "Rat42") {
    const T e = std::exp(b(1) - b(2) * t);
    g[0] = 1 / (1 + e);
    g[1] = -b(0) * e / ((1 + e) * (1 + e));
    g[2] = b(0) * t * e / ((1 + e) * (1 + e));
    return b(0) / (1 + e);
  }
  if (name == "MGH10") {
    const T e = std::exp(b(1) / (t + b(2)));
    g[0] = e;
    g[1] = b(0) * e / (t + b(2));
    g[2] = -b(0) * e * b(1) / ((t + b(2)) * (t + b(2)));
    return b(0) * e;
  }
  if (name == "Eckerle4") {
    const T u = (t - b(2)) / b(1);
    const T e = std::exp(-0.5 * u * u);
    g[0] = e / b(1);
    g[1] = b(0) * e * (u * u - 1) / (b(1) * b(1));
    g[2] = b(0) * e * u / (b(1) * b(1));
    return b(0) / b(1) * e;
  }
  if (name == "Rat43") {
    const T e = std::exp(b(1) - b(2) * t);
    const T s = 1 + e;
    const T p = std::pow(s, -1 / b(3));
    g[0] = p;
    g[1] = -b(0) * p * e / (s * b(3));
    g[2] = b(0) * p * t * e / (s * b(3));
    g[3] = b(0) * p * std::log(s) / (b(3) * b(3));
    return b(0) * p;
  }
  if (name == "Bennett5") {
    const T s = b(1) + t;
    const T p = std::pow(s, -1 / b(2));
    g[0] = p;
    g[1] = -b(0) * p / (b(2) * s);
    g[2] = b(0) * p * std::log(s) / (b(2) * b(2));
    return b(0) * p;
  }
  throw std::runtime_error("no model for " + name);
}

struct nist_fit {
  valence::fit::levenberg_marquardt_result<double> result;
  double parameter_lre = 0;  // smallest over the parameters
  double error_lre = 0;      // smallest over the standard errors
};

nist_fit fit_nist(const valence_test::nist_nonlinear_problem& problem, const VectorXd& start, bool analytic) {
  const Index m = problem.y.size();
  const Index n = start.size();
  std::vector<double> gradient(static_cast<std::size_t>(n));
  std::vector<long double> extended_gradient(static_cast<std::size_t>(n));
  auto residuals = [&](const VectorXd& b) {
    VectorXd r(m);
    if (!analytic) {  // as a user's model is: in double, from the data as read
      for (Index i = 0; i < m; ++i) {
        const VectorXd row = problem.x.row(i).transpose();
        const double y = problem.name == "Nelson" ? std::log(problem.y(i)) : problem.y(i);
        r(i) = y - nist_model(problem.name, row.data(), b, gradient.data());
      }
      return r;
    }
    const Eigen::Matrix<long double, Eigen::Dynamic, 1> extended = b.cast<long double>();
    for (Index i = 0; i < m; ++i) {
      const Eigen::Matrix<long double, Eigen::Dynamic, 1> row = problem.x_extended.row(i).transpose();
      const long double observed = problem.y_extended[static_cast<std::size_t>(i)];
      const long double y = problem.name == "Nelson" ? std::log(observed) : observed;
      r(i) = static_cast<double>(y - nist_model(problem.name, row.data(), extended, extended_gradient.data()));
    }
    return r;
  };
  auto jacobian = [&](const VectorXd& b) {
    MatrixXd jac(m, n);
    for (Index i = 0; i < m; ++i) {
      const VectorXd row = problem.x.row(i).transpose();
      nist_model(problem.name, row.data(), b, gradient.data());
      for (Index j = 0; j < n; ++j) {
        jac(i, j) = -gradient[static_cast<std::size_t>(j)];
      }
    }
    return jac;
  };
  nist_fit out;
  out.result = analytic ? valence::fit::levenberg_marquardt(residuals, jacobian, start)
                        : valence::fit::levenberg_marquardt(residuals, start);
  out.parameter_lre = 15;
  out.error_lre = 15;
  for (Index j = 0; j < n; ++j) {
    out.parameter_lre =
        std::min(out.parameter_lre, valence_test::log_relative_error(problem.estimates(j), out.result.parameters(j)));
    out.error_lre = std::min(
        out.error_lre, valence_test::log_relative_error(problem.standard_deviations(j), out.result.standard_errors(j)));
  }
  return out;
}

const char* const nist_sets[] = {"Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2",   "DanWood",
                                 "Misra1b", "Kirby2",   "Hahn1",    "Nelson",   "MGH17",  "Lanczos1", "Lanczos2",
                                 "Gauss3",  "Misra1c",  "Misra1d",  "Roszman1", "ENSO",   "MGH09",    "Thurber",
                                 "BoxBOD",  "Rat42",    "MGH10",    "Eckerle4", "Rat43",  "Bennett5"};

}  // namespace

TEST_CASE("levenberg_marquardt meets the LRE floors on all 27 NIST StRD nonlinear problems") {
  VALENCE_REQUIRE_DATA("nist_strd/nonlinear/Misra1a.dat");
  std::vector<std::pair<bool, bool>> analytic_verdicts;
  for (const bool analytic : {true, false}) {
    std::vector<double> parameter_lres;
    int converged_from_start1 = 0;
    std::printf("%s Jacobian\n%-9s %5s %5s %5s %6s | %5s %5s %5s %6s\n",
                analytic ? "analytic (models in long double)" : "forward-difference (models in double)", "set", "conv1",
                "LRE_b", "LRE_s", "iter", "conv2", "LRE_b", "LRE_s", "iter");
    for (std::size_t k = 0; k < std::size(nist_sets); ++k) {
      const char* name = nist_sets[k];
      CAPTURE(name);
      const auto problem = valence_test::read_nist_nonlinear(
          (valence_test::data_dir() / (std::string("nist_strd/nonlinear/") + name + ".dat")).string(), name);
      const auto first = fit_nist(problem, problem.start1, analytic);
      const auto second = fit_nist(problem, problem.start2, analytic);
      std::printf("%-9s %5s %5.1f %5.1f %6td %-17s | %5s %5.1f %5.1f %6td %s\n", name,
                  first.result.converged ? "yes" : "no", first.parameter_lre, first.error_lre, first.result.iterations,
                  valence::fit::to_string(first.result.reason), second.result.converged ? "yes" : "no",
                  second.parameter_lre, second.error_lre, second.result.iterations,
                  valence::fit::to_string(second.result.reason));
      // Never a wrong answer flagged as converged, from either start. With a difference Jacobian in
      // double the covariance inherits the Jacobian's 1e-8 error times the problem's conditioning:
      // measured standard-error LREs down to 2.9 (Lanczos1, whose certified residual sum of squares,
      // 1.4e-25, is also below what its data rounded to double can give).
      for (const auto* fit : {&first, &second}) {
        if (fit->result.converged) {
          CHECK(fit->parameter_lre >= 4);
          CHECK(fit->error_lre >= (analytic ? 4 : 2.5));
        }
      }
      if (analytic) {
        CHECK(second.result.converged);
        analytic_verdicts.emplace_back(first.result.converged, second.result.converged);
      } else {  // the same verdicts as with the exact Jacobian
        CHECK(first.result.converged == analytic_verdicts[k].first);
        CHECK(second.result.converged == analytic_verdicts[k].second);
      }
      converged_from_start1 += first.result.converged ? 1 : 0;
      parameter_lres.push_back(first.parameter_lre);
      parameter_lres.push_back(second.parameter_lre);
    }
    std::sort(parameter_lres.begin(), parameter_lres.end());
    const double median = 0.5 * (parameter_lres[26] + parameter_lres[27]);
    std::printf("converged from start 1: %d of 27; median parameter LRE %.1f\n", converged_from_start1, median);
    CHECK(converged_from_start1 >= 22);
    CHECK(median >= 6);
  }
}
