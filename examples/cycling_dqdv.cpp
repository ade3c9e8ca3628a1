// SPDX-License-Identifier: MIT
// dQ/dV over cycles, as the NMC622 study follows its ~3.8 V oxidation peak: a galvanostatic
// record is split into half-cycles, each gives its capacity and a dQ/dV curve, and the peak is
// followed from cycle to cycle (its shift measures the growing polarisation, its area the charge
// the process still delivers).
//
//   cycling_dqdv [export.txt]
//
// export.txt: an EC-Lab text export, tab-separated with decimal commas (a .mpt with its header, or
// the plain export whose first line names the columns): time/s, Ewe/VReal or Ewe/V or Ecell/V, and
// I/mA or <I>/mA. Without a file: ten synthetic cycles at 1 mA of a cathode with peaks at 3.75 and
// 4.18 V, whose resistance grows from 10 by 8 ohm per cycle and which loses 0.3 % of each charge
// to a side reaction, sampled every 5 s with 0.3 mV of noise.
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>
#include <valence/io/biologic.hpp>
#include <valence/io/columns.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using valence::vector_d;

struct record {
  vector_d time;     // s
  vector_d voltage;  // V
  vector_d current;  // mA
};

record read_export(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::string first_line;
  std::getline(in, first_line);
  valence::io::column_options plain;  // EC-Lab's "export as text": names on line 1
  plain.delimiter = '\t';
  plain.decimal = ',';
  const auto table = first_line.find("ASCII FILE") != std::string::npos ? valence::io::read_biologic_mpt(path).table
                                                                        : valence::io::read_columns(path, plain);
  const auto column = [&](std::initializer_list<const char*> wanted) {
    for (const char* w : wanted) {
      if (table.find(w) >= 0) {
        return table.column(w);
      }
    }
    return table.column(*wanted.begin());  // throws, naming the columns the file has
  };
  return {column({"time/s"}), column({"Ewe/VReal", "Ewe/V", "Ecell/V"}), column({"I/mA", "<I>/mA"})};
}

// Charge (mAh) stored at open-circuit voltage v: two redox processes (dQ/dV peaks at 3.75 and
// 4.18 V) on a sloping background, from 3.5 V.
double stored_charge(double v) {
  const auto step = [](double x, double centre, double sigma) {
    return 0.5 * std::erfc(-(x - centre) / (sigma * std::sqrt(2.0)));
  };
  return 0.9 * step(v, 3.75, 0.030) + 0.45 * step(v, 4.18, 0.012) + 0.4 * (v - 3.5);
}

double open_circuit_voltage(double q) {  // inverse of stored_charge by bisection
  double low = 3.0;
  double high = 4.6;
  for (int k = 0; k < 60; ++k) {
    const double mid = 0.5 * (low + high);
    (stored_charge(mid) < q ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

record synthetic_cycles(int cycles) {
  std::vector<double> t;
  std::vector<double> v;
  std::vector<double> i;
  std::mt19937 generator(2026);
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
    const double resistance = 10.0 + 8.0 * c;                              // ohm
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

}  // namespace

int main(int argc, char** argv) {
  try {
    const bool synthetic = argc < 2;
    const record r = synthetic ? synthetic_cycles(10) : read_export(argv[1]);
    const auto cycling = valence::echem::split_cycles(r.time, r.voltage, r.current);
    std::printf("%zu half-cycles, %zu cycles (reference current %.4g mA)\n", cycling.half_cycles.size(),
                cycling.cycles.size(), cycling.reference_current);

    // dQ/dV of every half-cycle of the first sign (charges, for a cathode started in charge).
    std::vector<valence::echem::differential_capacity_result> first_halves;
    for (const auto& c : cycling.cycles) {
      const auto& hc = cycling.half_cycles[static_cast<std::size_t>(c.first)];
      const Eigen::Index count = hc.end - hc.begin;
      first_halves.push_back(valence::echem::differential_capacity(cycling.capacity.segment(hc.begin, count),
                                                                   r.voltage.segment(hc.begin, count)));
    }
    if (first_halves.empty()) {
      throw std::runtime_error("no complete half-cycle in the record");
    }
    // Follow the peak of the first curve nearest 3.8 V (the study's Ni2+/Ni3+ oxidation peak).
    double start = 3.8;
    double nearest = 1e300;
    for (const auto& p : first_halves.front().peaks) {
      if (std::abs(p.voltage - 3.8) < nearest) {
        nearest = std::abs(p.voltage - 3.8);
        start = p.voltage;
      }
    }
    const auto track = valence::echem::track_peak(first_halves, start, 0.03);

    std::printf("\ncycle  Q first (mAh)  Q second (mAh)  coulombic eff.  peak (V)  height (mAh/V)  area (mAh)");
    std::printf(synthetic ? "  expected peak (V)\n" : "\n");
    for (std::size_t c = 0; c < cycling.cycles.size(); ++c) {
      const auto& s = cycling.cycles[c];
      const auto k = static_cast<Eigen::Index>(c);
      std::printf("%5zu  %13.4f  %14.4f  %14.4f  %8.4f  %14.3f  %10.4f", c + 1, s.first_capacity, s.second_capacity,
                  s.coulombic_efficiency, track.voltage(k), track.height(k), track.area(k));
      if (synthetic) {
        std::printf("  %17.4f", 3.75 + 1e-3 * (10.0 + 8.0 * double(c)));  // OCV peak + I R
      }
      std::printf("\n");
    }
    std::printf("\npeaks of the first curve:");
    for (const auto& p : first_halves.front().peaks) {
      std::printf("  %.4f V (width %.1f mV)", p.voltage, 1e3 * p.width);
    }
    std::printf("\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cycling_dqdv: %s\n", e.what());
    return 1;
  }
}
