// SPDX-License-Identifier: MIT
// A synthetic cycler record for the worked examples (not part of the library): a cathode whose
// stored charge q(V) has two redox plateaus (erf steps at 3.75 and 4.18 V on a sloping baseline),
// cycled at 1 mA between 3.5 and 4.3 V with 10 min rests, its resistance growing every cycle and
// 0.3 % of each charge lost to a side reaction; 0.3 mV noise, a sample every 5 s. Over-potential
// I R moves the 3.75 V dQ/dV peak of cycle c to 3.75 V + 1 mA (R0 + c dR).
#ifndef VALENCE_EXAMPLES_SYNTHETIC_CYCLER_HPP
#define VALENCE_EXAMPLES_SYNTHETIC_CYCLER_HPP

#include <Eigen/Core>

#include <cmath>
#include <random>
#include <vector>

namespace synthetic_cycler {

using vector_d = Eigen::VectorXd;

struct record {
  vector_d time;     // s
  vector_d voltage;  // V
  vector_d current;  // mA
};

inline double stored_charge(double v) {
  const auto step = [](double x, double centre, double sigma) {
    return 0.5 * std::erfc(-(x - centre) / (sigma * std::sqrt(2.0)));
  };
  return 0.9 * step(v, 3.75, 0.030) + 0.45 * step(v, 4.18, 0.012) + 0.4 * (v - 3.5);
}

inline double open_circuit_voltage(double q) {  // inverse of stored_charge by bisection
  double low = 3.0;
  double high = 4.6;
  for (int k = 0; k < 60; ++k) {
    const double mid = 0.5 * (low + high);
    (stored_charge(mid) < q ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

/// `cycles` charge-discharge cycles; the resistance is R0 + c dR ohm in cycle c (from 0).
inline record synthetic_cycles(int cycles, double r0 = 10.0, double dr = 8.0, unsigned seed = 2026) {
  std::vector<double> t;
  std::vector<double> v;
  std::vector<double> i;
  std::mt19937 generator(seed);
  std::normal_distribution<double> noise(0.0, 3e-4);
  const double dt = 5.0;       // s
  const double current = 1.0;  // mA
  double q = stored_charge(3.5);
  double now = 0;
  const auto sample = [&](double amps, double resistance) {
    t.push_back(now);
    i.push_back(amps);
    v.push_back(open_circuit_voltage(q) + amps * 1e-3 * resistance + noise(generator));
    now += dt;
  };
  for (int c = 0; c < cycles; ++c) {
    const double resistance = r0 + dr * c;                                 // ohm
    while (open_circuit_voltage(q) + current * 1e-3 * resistance < 4.3) {  // charge to 4.3 V
      sample(current, resistance);
      q += 0.997 * current * dt / 3600.0;  // 0.3 % of the charge goes to a side reaction
    }
    for (int k = 0; k < 120; ++k) {  // 10 min rest
      sample(0.0, resistance);
    }
    while (open_circuit_voltage(q) - current * 1e-3 * resistance > 3.5) {  // discharge to 3.5 V
      sample(-current, resistance);
      q -= current * dt / 3600.0;
    }
    for (int k = 0; k < 120; ++k) {
      sample(0.0, resistance);
    }
  }
  const auto to_vector = [](const std::vector<double>& x) {
    return vector_d(Eigen::Map<const vector_d>(x.data(), static_cast<Eigen::Index>(x.size())));
  };
  return {to_vector(t), to_vector(v), to_vector(i)};
}

}  // namespace synthetic_cycler

#endif  // VALENCE_EXAMPLES_SYNTHETIC_CYCLER_HPP
