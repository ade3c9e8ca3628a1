// SPDX-License-Identifier: MIT
// GITT diffusivity as in the Li/Mn-rich study: a galvanostatic intermittent titration record is
// split into steps, and each step gives the equilibrium voltage, the IR drop, the sqrt(t) slope,
// the Li content and D by both Weppner-Huggins equations, with flags where their assumptions fail.
//
//   gitt_diffusivity [record.mpt mass_g molar_mass_g_per_mol molar_volume_cm3_per_mol area_cm2 x0]
//
// With a file: an EC-Lab text export (.mpt; columns time/s, Ewe/V and I/mA or <I>/mA). Without: a
// synthetic charge of a 1 um film (D = 1e-12 cm^2/s, R = 20 ohm, ten 10 s pulses with 5000 s
// rests), then the same film with pulses too long for the equations.
#include <valence/echem/gitt.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/echem/gitt_segment.hpp>
#include <valence/io/biologic.hpp>
#include <valence/synth/gitt.hpp>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using valence::vector_d;
namespace gitt = valence::echem::gitt;

struct record {
  vector_d time;
  vector_d voltage;
  vector_d current;  // A
};

// EC-Lab text export: "Nb header lines : N" on line 2, tab-separated names on line N, decimal commas.
record read_mpt(const char* path) {
  const auto table = valence::io::read_biologic_mpt(path).table;
  const auto column = [&](std::initializer_list<const char*> wanted) {
    for (const char* w : wanted) {
      if (table.find(w) >= 0) {
        return table.column(w);
      }
    }
    return table.column(*wanted.begin());  // throws, naming the columns the file has
  };
  return {column({"time/s"}), column({"Ewe/V"}), 1e-3 * column({"I/mA", "<I>/mA"})};
}

std::string flags_text(gitt::step_flag f) {
  std::string out;
  const std::pair<gitt::step_flag, const char*> names[] = {{gitt::step_flag::poor_sqrt_fit, "poor-fit"},
                                                           {gitt::step_flag::too_few_points, "few-points"},
                                                           {gitt::step_flag::not_settled, "not-settled"},
                                                           {gitt::step_flag::ratio_too_large, "ratio"},
                                                           {gitt::step_flag::sign_mismatch, "sign"},
                                                           {gitt::step_flag::no_relaxation, "no-rest"},
                                                           {gitt::step_flag::not_rested_before, "no-rest-before"},
                                                           {gitt::step_flag::incomplete, "incomplete"}};
  for (const auto& [flag, name] : names) {
    if (gitt::has(f, flag)) {
      out += out.empty() ? name : std::string(",") + name;
    }
  }
  return out.empty() ? "-" : out;
}

void report(const record& r, const gitt::electrode& cell, const gitt::analyze_options& options) {
  const auto steps = gitt::analyze(r.time, r.voltage, r.current, cell, options);
  std::printf("%4s %9s %9s %9s %11s %11s %11s %9s  %s\n", "step", "x", "E_eq/V", "R/ohm", "dEs/mV", "D(eq2)", "D(eq1)",
              "tauD/L2", "flags");
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const auto& s = steps[k];
    std::printf("%4zu %9.5f %9.5f %9.2f %11.4f %11.3e %11.3e %9.2e  %s\n", k + 1, s.content, s.equilibrium_after,
                s.resistance, 1e3 * s.delta_e_s, s.diffusivity, s.diffusivity_slope, s.ratio,
                flags_text(s.flags).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 7) {
      const gitt::electrode cell{std::stod(argv[2]), std::stod(argv[3]), std::stod(argv[4]), std::stod(argv[5])};
      gitt::analyze_options options;
      options.initial_content = std::stod(argv[6]);
      std::printf("%s:\n", argv[1]);
      report(read_mpt(argv[1]), cell, options);
      return 0;
    }
    if (argc != 1) {
      std::fprintf(stderr, "usage: gitt_diffusivity [record.mpt mass molar_mass molar_volume area x0]\n");
      return 2;
    }
    // A 1 um film (slab, L = 1 um), D = 1e-12 cm^2/s: L^2/D = 1e4 s. 10 s pulses (tau D / L^2 =
    // 1e-3), 5000 s rests, each pulse taking 5e-4 Li per formula unit, 2 uV noise.
    valence::synth::gitt_experiment e;
    e.shape = valence::synth::particle_shape::slab;
    e.size = 1e-4;
    e.diffusivity = 1e-12;
    e.initial_content = 0.6;
    e.current = 5e-4;
    e.pulse = 10;
    e.rest = 5000;
    e.initial_rest = 60;
    e.steps = 10;
    e.interval = 0.5;
    e.noise = 2e-6;
    const auto synthetic = valence::synth::synthetic_gitt(e);
    const gitt::electrode cell{e.mass, e.molar_mass, e.molar_volume, e.area()};
    gitt::analyze_options options;
    options.initial_content = e.initial_content;
    std::printf("synthetic charge of a 1 um film, true D = 1.000e-12 cm^2/s, R = 20 ohm:\n");
    report({synthetic.time, synthetic.voltage, synthetic.current}, cell, options);
    e.pulse = 400;  // tau D / L^2 = 0.04, the same charge per pulse
    e.current = 1.25e-5;
    e.steps = 3;
    const auto long_pulses = valence::synth::synthetic_gitt(e);
    std::printf("\nthe same film with 400 s pulses (outside the equations' range: flagged):\n");
    report({long_pulses.time, long_pulses.voltage, long_pulses.current}, cell, options);
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "gitt_diffusivity: %s\n", ex.what());
    return 1;
  }
}
