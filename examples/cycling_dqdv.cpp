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

#include "support/synthetic_cycler.hpp"

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

record to_record(const synthetic_cycler::record& r) {
  return {r.time, r.voltage, r.current};
}

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
}  // namespace

int main(int argc, char** argv) {
  try {
    const bool synthetic = argc < 2;
    const record r = synthetic ? to_record(synthetic_cycler::synthetic_cycles(10)) : read_export(argv[1]);
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
