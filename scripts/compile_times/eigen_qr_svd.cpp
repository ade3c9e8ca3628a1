// SPDX-License-Identifier: MIT
// The yardstick of a file that fits: Eigen's pivoted QR and SVD, each called once.
#include <Eigen/Dense>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

int main() {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(10, 3);
  const Eigen::VectorXd y = Eigen::VectorXd::Random(10);
  const Eigen::VectorXd x = a.colPivHouseholderQr().solve(y);
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return x(0) + svd.singularValues()(0) > 0 ? 0 : 1;
}
