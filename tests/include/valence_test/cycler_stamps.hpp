// SPDX-License-Identifier: MIT
// A (t, V, I) record rewritten as cyclers log it: at every change of the current, the old step's
// last sample is logged once more at the time stamp of the new step's first sample (EC-Lab and
// similar software write a step's end and the next step's start with one time stamp). For a cell
// of ohmic resistance R whose other overpotentials are continuous in time, the old step's voltage
// at the switch is V(t_s) - (I_new - I_old) R.
#ifndef VALENCE_TEST_CYCLER_STAMPS_HPP
#define VALENCE_TEST_CYCLER_STAMPS_HPP

#include <Eigen/Core>

#include <vector>

namespace valence_test {

struct stamped_record {
  Eigen::VectorXd time, voltage, current;
  std::vector<Eigen::Index> repeated;  // indices (in the new record) of the inserted samples
};

// Inserts (t[s], V[s] - (I[s] - I[s-1]) R, I[s-1]) before every sample s whose current differs from
// the one before.
inline stamped_record with_repeated_stamps(const Eigen::VectorXd& time, const Eigen::VectorXd& voltage,
                                           const Eigen::VectorXd& current, double resistance) {
  std::vector<double> t, v, c;
  stamped_record out;
  for (Eigen::Index i = 0; i < time.size(); ++i) {
    if (i > 0 && current(i) != current(i - 1)) {
      out.repeated.push_back(static_cast<Eigen::Index>(t.size()));
      t.push_back(time(i));
      v.push_back(voltage(i) - (current(i) - current(i - 1)) * resistance);
      c.push_back(current(i - 1));
    }
    t.push_back(time(i));
    v.push_back(voltage(i));
    c.push_back(current(i));
  }
  const auto n = static_cast<Eigen::Index>(t.size());
  out.time = Eigen::Map<const Eigen::VectorXd>(t.data(), n);
  out.voltage = Eigen::Map<const Eigen::VectorXd>(v.data(), n);
  out.current = Eigen::Map<const Eigen::VectorXd>(c.data(), n);
  return out;
}

}  // namespace valence_test

#endif  // VALENCE_TEST_CYCLER_STAMPS_HPP
