// SPDX-License-Identifier: MIT
// valence gitt | dqdv: cycler exports (BioLogic .mpt, or text columns).
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>
#include <valence/echem/gitt.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/io/biologic.hpp>
#include <valence/io/columns.hpp>
#include <valence/synth/gitt.hpp>

#include "commands.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace valence_cli {

namespace {

struct record {
  valence::vector_d time, voltage, current;  // s, V, A
};

// time/s, Ewe/V (or Ecell/V), I/mA (or <I>/mA) from a BioLogic export or a table with those labels.
record read_record(const std::string& path) {
  std::ifstream probe(path);
  std::string first;
  std::getline(probe, first);
  const auto table = first.find("ASCII FILE") != std::string::npos ? valence::io::read_biologic_mpt(path).table
                                                                   : valence::io::read_columns(path);
  const auto column = [&](std::initializer_list<const char*> wanted) {
    for (const char* w : wanted) {
      if (table.find(w) >= 0) {
        return table.column(w);
      }
    }
    return table.column(*wanted.begin());  // throws, naming the columns the file has
  };
  return {column({"time/s"}), column({"Ewe/V", "Ewe/VReal", "Ecell/V"}), 1e-3 * column({"I/mA", "<I>/mA"})};
}

struct gitt_args {
  std::string input, output = "-";
  double mass = 0, molar_mass = 0, molar_volume = 0, area = 0, initial = 1, fit_start = 0.2;
};

void run_gitt(const context& ctx, const gitt_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  const auto r = read_record(a.input);
  const valence::echem::gitt::electrode cell{a.mass, a.molar_mass, a.molar_volume, a.area};
  valence::echem::gitt::analyze_options o;
  o.initial_content = a.initial;
  o.fit_start = a.fit_start;
  const auto steps = valence::echem::gitt::analyze(r.time, r.voltage, r.current, cell, o);
  std::vector<std::vector<double>> columns(10);
  std::vector<std::string> flags;
  for (const auto& s : steps) {
    const double values[] = {s.content,     s.equilibrium_after, s.delta_e_s, s.delta_e_tau, s.resistance,
                             s.diffusivity, s.diffusivity_slope, s.ratio,     s.r_squared,   s.charge};
    for (std::size_t j = 0; j < 10; ++j) {
      columns[j].push_back(values[j]);
    }
    flags.push_back(valence::echem::gitt::to_string(s.flags));
  }
  write_csv(
      a.output,
      {"content", "equilibrium_voltage_V", "delta_Es_V", "delta_Etau_V", "resistance_ohm", "D_eq2_cm2_s", "D_eq1_cm2_s",
       "tau_D_over_L2", "r_squared", "charge_C"},
      columns,
      {"valence gitt " + a.input + ": Weppner-Huggins eq. 2 (D_eq2) and eq. 1 (D_eq1); L = m V_M / (M S) = " +
           std::to_string(valence::echem::gitt::diffusion_length(cell)) + " cm",
       "steps whose tau_D_over_L2 exceeds the validity limit or whose fit is poor are flagged: " +
           std::to_string(std::count_if(flags.begin(), flags.end(), [](const std::string& f) { return f != "none"; })) +
           " of " + std::to_string(flags.size())},
      "flags", flags);
}

struct dqdv_args {
  std::string input, output = "-";
  double step = 0.001, fwhm = 0.01;
  int half_cycle = 0;
};

void run_dqdv(const context& ctx, const dqdv_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  const auto r = read_record(a.input);
  const auto cycling = valence::echem::split_cycles(r.time, r.voltage, r.current);
  if (a.half_cycle < 0 || std::size_t(a.half_cycle) >= cycling.half_cycles.size()) {
    throw valence::invalid_input("option --half-cycle is " + std::to_string(a.half_cycle) + " but " + a.input +
                                 " has " + std::to_string(cycling.half_cycles.size()) + " half-cycles; expected 0 to " +
                                 std::to_string(cycling.half_cycles.size() - 1));
  }
  const auto& hc = cycling.half_cycles[std::size_t(a.half_cycle)];
  valence::echem::differential_capacity_options o;
  o.voltage_step = a.step;
  o.smoothing_fwhm = a.fwhm;
  const index count = hc.end - hc.begin;
  const auto c = valence::echem::differential_capacity(cycling.capacity.segment(hc.begin, count),
                                                       r.voltage.segment(hc.begin, count), o);
  std::vector<std::string> comments = {"valence dqdv " + a.input + ", half-cycle " + std::to_string(a.half_cycle) +
                                       " (capacity in the file's current unit x h per V)"};
  for (const auto& p : c.peaks) {
    char text[128];
    std::snprintf(text, sizeof text, "peak at %.4f V, height %.4g, prominence %.4g, width %.4f V", p.voltage, p.height,
                  p.prominence, p.width);
    comments.emplace_back(text);
  }
  write_csv(a.output, {"voltage_V", "dQdV", "dQdV_raw"},
            {std::vector<double>(c.voltage.data(), c.voltage.data() + c.voltage.size()),
             std::vector<double>(c.dq_dv.data(), c.dq_dv.data() + c.dq_dv.size()),
             std::vector<double>(c.dq_dv_raw.data(), c.dq_dv_raw.data() + c.dq_dv_raw.size())},
            comments);
}

// A synthetic GITT charge of a 1 µm film (D = 1e-12 cm²/s, R = 20 Ω, 10 pulses of 10 s, 2 µV
// noise) as time/s, Ewe/V, I/mA columns, with the cell parameters that analyse it.
void run_synth_gitt(const context& ctx, const std::string& output) {
  if (!ctx.processes.root()) {
    return;
  }
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
  const auto r = valence::synth::synthetic_gitt(e);
  const auto to = [](const valence::vector_d& v, double scale) {
    std::vector<double> out(std::size_t(v.size()));
    for (index i = 0; i < v.size(); ++i) {
      out[std::size_t(i)] = scale * v(i);
    }
    return out;
  };
  char cell[256];
  std::snprintf(cell, sizeof cell,
                "--mass %.10g --molar-mass %.10g --molar-volume %.10g --area %.10g --initial-content %.10g", e.mass,
                e.molar_mass, e.molar_volume, e.area(), e.initial_content);
  write_csv(output, {"time/s", "Ewe/V", "I/mA"}, {to(r.time, 1), to(r.voltage, 1), to(r.current, 1e3)},
            {"synthetic GITT charge of a 1 um film, true D = 1e-12 cm2/s, R = 20 ohm (valence synth-gitt)",
             std::string("analyse with: valence gitt FILE ") + cell});
  std::printf("synth-gitt: %s, %lld samples; true D = 1e-12 cm2/s\nanalyse with: valence gitt %s %s\n", output.c_str(),
              (long long)r.time.size(), output.c_str(), cell);
}

}  // namespace

void add_echem_commands(CLI::App& app, const context& ctx) {
  auto g = std::make_shared<gitt_args>();
  auto* gitt = app.add_subcommand(
      "gitt",
      "Analyse a GITT record (BioLogic .mpt or columns time/s, Ewe/V, I/mA): per step the relaxed "
      "voltage, IR drop, Weppner-Huggins diffusivity by eq. 2 and eq. 1, the validity ratio and flags; CSV.");
  gitt->add_option("input", g->input, "cycler export")->required()->check(CLI::ExistingFile);
  gitt->add_option("--mass", g->mass, "active mass, g")->required();
  gitt->add_option("--molar-mass", g->molar_mass, "molar mass of the active material, g/mol")->required();
  gitt->add_option("--molar-volume", g->molar_volume, "molar volume, cm3/mol")->required();
  gitt->add_option("--area", g->area, "electrochemically active area, cm2 (e.g. BET area x mass)")->required();
  gitt->add_option("--initial-content", g->initial, "Li content before the first step (default 1)");
  gitt->add_option("--fit-start", g->fit_start, "start of the sqrt(t) fit as a fraction of the pulse (default 0.2)");
  gitt->add_option("-o,--output", g->output, "CSV file ('-' for the terminal)");
  gitt->callback([g, &ctx] { run_gitt(ctx, *g); });

  auto synth_output = std::make_shared<std::string>();
  auto* synth = app.add_subcommand("synth-gitt",
                                   "Write a synthetic GITT record (a 1 um film, D = 1e-12 cm2/s) as "
                                   "columns time/s, Ewe/V, I/mA, to try gitt on.");
  synth->add_option("output", *synth_output, "CSV file to write")->required();
  synth->callback([synth_output, &ctx] { run_synth_gitt(ctx, *synth_output); });

  auto d = std::make_shared<dqdv_args>();
  auto* dqdv = app.add_subcommand(
      "dqdv",
      "Differential capacity dQ/dV of one half-cycle of a cycler record, binned and Gaussian-smoothed, "
      "with its peaks; CSV.");
  dqdv->add_option("input", d->input, "cycler export")->required()->check(CLI::ExistingFile);
  dqdv->add_option("--half-cycle", d->half_cycle, "which half-cycle, from 0 (default 0)");
  dqdv->add_option("--voltage-step", d->step, "bin width, V (default 0.001)");
  dqdv->add_option("--smoothing", d->fwhm, "FWHM of the Gaussian smoothing, V (default 0.01; 0 for none)");
  dqdv->add_option("-o,--output", d->output, "CSV file ('-' for the terminal)");
  dqdv->callback([d, &ctx] { run_dqdv(ctx, *d); });
}

}  // namespace valence_cli
