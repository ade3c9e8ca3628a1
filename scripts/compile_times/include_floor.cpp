// SPDX-License-Identifier: MIT
// The include floor: what any file using valence's dependencies pays before valence itself.
#include <Eigen/Dense>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>

int main() {}
