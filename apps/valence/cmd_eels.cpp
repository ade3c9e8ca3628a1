// SPDX-License-Identifier: MIT
// valence mlls | white-line: EELS spectrum images and spectra.
#include <valence/core/interpolate.hpp>
#include <valence/core/row_source.hpp>
#include <valence/core/streaming.hpp>
#include <valence/eels/mlls.hpp>
#include <valence/eels/spectrum_image_rows.hpp>
#include <valence/eels/white_line.hpp>
#include <valence/io/dm_rows.hpp>
#include <valence/io/hdf5_rows.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/synth/eels.hpp>

#include "commands.hpp"
#include "map_job.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <hdf5.h>

namespace valence_cli {

namespace {

struct mlls_args {
  std::string input, output, fit, background, weighting = "poisson", memory = "256M", dataset;
  std::vector<std::string> references;
  bool constant = false, linear = false, nonnegative = false, no_background = false;
};

// The cube: an HDF5 stack read by hyperslab, or a DM spectrum image read by energy-plane runs;
// either way a block of rows at a time.
struct cube {
  std::unique_ptr<valence::core::row_source<float>> source;
  valence::io::hdf5_axis energy, y, x;
};

cube open_cube(const std::string& path, const std::string& dataset) {
  cube c;
  if (H5Fis_hdf5(path.c_str()) > 0) {
    auto stack = valence::io::open_hdf5_stack(path, dataset);
    c.energy = stack.channel_axis;
    c.y = stack.y_axis;
    c.x = stack.x_axis;
    c.source = std::make_unique<valence::io::hdf5_rows<float>>(std::move(stack));
    return c;
  }
  auto dm = std::make_unique<valence::io::dm_rows<float>>(path);
  const auto axis = [&](const char* name, std::size_t dimension) {
    const auto& a = dm->image().axes[dimension];
    valence::io::hdf5_axis out{name, a.units, std::vector<double>(std::size_t(a.size))};
    for (index i = 0; i < a.size; ++i) {
      out.values[std::size_t(i)] = a.offset() + a.scale * double(i);
    }
    return out;
  };
  c.x = axis("x", 0);
  c.y = axis("y", 1);
  c.energy = axis("energy", 2);
  c.source = std::move(dm);
  return c;
}

// The maps of `mlls`, in the order mlls_block() fills them.
std::vector<valence::io::map_spec> mlls_maps(const std::vector<std::string>& names) {
  std::vector<valence::io::map_spec> specs;
  for (const auto& n : names) {
    specs.push_back({"fraction_" + n, "", "fraction of " + n, valence::io::map_type::float32, ""});
  }
  for (const auto& n : names) {
    specs.push_back(
        {"fraction_error_" + n, "", "standard error of the fraction of " + n, valence::io::map_type::float32, ""});
  }
  for (const auto& n : names) {
    specs.push_back({"coefficient_" + n, "", "MLLS coefficient of " + n, valence::io::map_type::float32, ""});
  }
  specs.push_back({"amplitude", "", "power-law amplitude A", valence::io::map_type::float32, ""});
  specs.push_back({"exponent", "", "power-law exponent r", valence::io::map_type::float32, ""});
  specs.push_back({"reduced_chi_square", "", "reduced chi-square", valence::io::map_type::float32, ""});
  specs.push_back({"r_factor", "", "R-factor", valence::io::map_type::float32, ""});
  specs.push_back({"status", "", "pixel status", valence::io::map_type::uint8,
                   "ok non_finite background_failed singular cancelled"});
  return specs;
}

// One block's maps (rows x cols, column-major) as row-major float maps and status codes.
map_block mlls_block(const valence::eels::spectrum_image_fit& m, std::size_t k) {
  map_block b;
  const auto add = [&](const valence::matrix_d& map) {
    std::vector<float> v(std::size_t(map.size()));
    for (index y = 0; y < map.rows(); ++y) {
      for (index x = 0; x < map.cols(); ++x) {
        v[std::size_t(y * map.cols() + x)] = float(map(y, x));
      }
    }
    b.values.push_back(std::move(v));
  };
  for (const auto* maps : {&m.fractions, &m.fraction_errors, &m.coefficients}) {
    for (std::size_t j = 0; j < k; ++j) {
      add((*maps)[j]);
    }
  }
  for (const auto* map : {&m.amplitude, &m.exponent, &m.reduced_chi_square, &m.r_factor}) {
    add(*map);
  }
  for (const auto s : m.status) {
    b.status.push_back(std::uint8_t(s));
  }
  return b;
}

void run_mlls(const context& ctx, const mlls_args& a) {
  const auto start = std::chrono::steady_clock::now();
  const cube c = open_cube(a.input, a.dataset);
  if (c.energy.units != "eV") {
    throw valence::invalid_input("the spectral axis of " + a.input + " is '" + c.energy.name + "' in '" +
                                 c.energy.units + "'; expected energy loss in eV");
  }
  const valence::vector_d energy =
      Eigen::Map<const valence::vector_d>(c.energy.values.data(), index(c.energy.values.size()));
  valence::matrix_d references(energy.size(), index(a.references.size()));
  std::vector<std::string> names;
  for (std::size_t j = 0; j < a.references.size(); ++j) {
    const auto r = read_spectrum(a.references[j]);
    names.push_back(r.name);
    references.col(index(j)) = valence::core::interpolate_linear(
        Eigen::Map<const valence::vector_d>(r.energy.data(), index(r.energy.size())),
        Eigen::Map<const valence::vector_d>(r.values.data(), index(r.values.size())), energy);
  }
  valence::eels::mlls_options o;
  const auto [f0, f1] = parse_window("--fit", a.fit);
  o.fit_window = {f0, f1};
  if (a.no_background) {
    o.background = valence::eels::background_treatment::none;
  } else {
    if (a.background.empty()) {
      throw valence::invalid_input(
          "option --background is missing; expected the pre-edge window of the power law "
          "in eV (e.g. 605:635), or --no-background");
    }
    const auto [b0, b1] = parse_window("--background", a.background);
    o.background_window = {b0, b1};
  }
  o.weighting = a.weighting == "poisson" ? valence::eels::mlls_weighting::poisson : valence::eels::mlls_weighting::none;
  o.constant = a.constant;
  o.linear = a.linear;
  o.nonnegative = a.nonnegative;
  const auto specs = mlls_maps(names);
  std::uint64_t h = fingerprint_start();
  fingerprint_add(h, c.energy.values.data(), c.energy.values.size() * sizeof(double));
  fingerprint_add(h, references.data(), std::size_t(references.size()) * sizeof(double));
  ctx.processes.check_same_input(h, "the image's energies or the references");
  const std::size_t cap = parse_bytes("--memory-cap", a.memory);
  progress_bar bar("mlls", "px", ctx.progress());
  const std::size_t k = names.size();
  run_map_job(ctx.processes, a.output, c.y, c.x, specs,
              {{"command", "mlls"},
               {"input", a.input},
               {"fit", a.fit},
               {"background", a.background},
               {"weighting", a.weighting}},
              cap, bar, [&](const valence::core::streaming_options& streaming, const map_delivery& deliver) {
                (void)valence::eels::fit_spectrum_image_blocks<float>(
                    energy, *c.source, references, o, streaming,
                    [&](index row, index rows, const valence::eels::spectrum_image_fit& m) {
                      deliver(row, rows, mlls_block(m, k));
                    });
              });
  if (ctx.processes.root()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("mlls: %s, %zu x %zu pixels x %zu channels against %zu references; maps written to %s in %.2f s\n",
                a.input.c_str(), c.y.values.size(), c.x.values.size(), c.energy.values.size(), k, a.output.c_str(),
                seconds);
  }
}

struct white_line_args {
  std::string input, continuum;
  double l3 = 0, l2 = 0, l3_half = 5, l2_half = 4, step_width = 0;
  bool poisson = false;
};

void run_white_line(const context& ctx, const white_line_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  const auto s = read_spectrum(a.input);
  const Eigen::Map<const valence::vector_d> e(s.energy.data(), index(s.energy.size()));
  const Eigen::Map<const valence::vector_d> y(s.values.data(), index(s.values.size()));
  valence::eels::white_line_options o;
  o.l3_energy = a.l3;
  o.l2_energy = a.l2;
  const auto [c0, c1] = parse_window("--continuum", a.continuum);
  o.continuum_window = {c0, c1};
  o.l3_half_width = a.l3_half;
  o.l2_half_width = a.l2_half;
  o.step_width = a.step_width;
  // Poisson counting: variance = counts; without it the errors are not known and print as 0.
  const valence::vector_d variance = a.poisson ? valence::vector_d(y.cwiseMax(0.0)) : valence::vector_d::Zero(y.size());
  const auto r = valence::eels::white_line_ratio(e, y, variance, o);
  std::printf("%s: L3/L2 = %.4f +- %.4f (I(L3) %.6g +- %.3g, I(L2) %.6g +- %.3g, continuum %.6g per channel)\n",
              s.name.c_str(), r.ratio, r.ratio_error, r.l3_area, r.l3_error, r.l2_area, r.l2_error, r.continuum);
}

// A synthetic Mn L2,3 spectrum image in HyperSpy's layout (version 3.1) and its two references as
// text columns: the fraction of the first reference falls from 0.9 at the left edge to 0.1 at the
// right (a reduced surface layer thinning into the bulk).
struct synth_eels_args {
  std::string output, references = "reference";
  index rows = 32, cols = 32;
  unsigned seed = 1;
};

void run_synth_eels(const context& ctx, const synth_eels_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  valence::synth::eels_image_model model;
  model.rows = a.rows;
  model.cols = a.cols;
  model.seed = a.seed;
  const double span = double(std::max<index>(a.cols - 1, 1));
  model.fraction = [span](index, index x) { return 0.9 - 0.8 * double(x) / span; };
  const auto img = valence::synth::synthetic_eels_image(model);
  const hid_t file = H5Fcreate(a.output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    throw valence::invalid_input("synth-eels: cannot create '" + a.output + "'");
  }
  const auto text = [](hid_t object, const char* name, const std::string& value) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, value.size() + 1);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t at = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, type, value.c_str());
    H5Aclose(at);
    H5Sclose(space);
    H5Tclose(type);
  };
  const auto number = [](hid_t object, const char* name, double value) {
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t at = H5Acreate2(object, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, H5T_NATIVE_DOUBLE, &value);
    H5Aclose(at);
    H5Sclose(space);
  };
  text(file, "file_format", "HyperSpy");
  text(file, "file_format_version", "3.1");
  const hid_t experiments = H5Gcreate2(file, "Experiments", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t signal = H5Gcreate2(experiments, "synthetic Mn L23", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[3] = {hsize_t(a.rows), hsize_t(a.cols), hsize_t(model.channels)};
  const hid_t space = H5Screate_simple(3, dims, nullptr);
  const hid_t data = H5Dcreate2(signal, "data", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const std::vector<float> values(img.image.data.begin(), img.image.data.end());
  H5Dwrite(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Dclose(data);
  H5Sclose(space);
  const struct {
    const char* name;
    double offset, scale;
    index size;
    const char* units;
    bool navigate;
  } axes[3] = {{"y", 0, 2.0, a.rows, "nm", true},
               {"x", 0, 2.0, a.cols, "nm", true},
               {"Energy loss", model.offset, model.step, model.channels, "eV", false}};
  for (int i = 0; i < 3; ++i) {
    const hid_t g = H5Gcreate2(signal, ("axis-" + std::to_string(i)).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    text(g, "name", axes[i].name);
    text(g, "units", axes[i].units);
    number(g, "offset", axes[i].offset);
    number(g, "scale", axes[i].scale);
    number(g, "size", double(axes[i].size));
    text(g, "navigate", axes[i].navigate ? "True" : "False");
    H5Gclose(g);
  }
  const hid_t metadata = H5Gcreate2(signal, "metadata", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t signal_meta = H5Gcreate2(metadata, "Signal", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  text(signal_meta, "signal_type", "EELS");
  H5Gclose(signal_meta);
  H5Gclose(metadata);
  H5Gclose(signal);
  H5Gclose(experiments);
  H5Fclose(file);
  for (index j = 0; j < 2; ++j) {
    const std::string path = a.references + "_" + (j == 0 ? "surface" : "bulk") + ".txt";
    std::vector<double> e(img.energy.data(), img.energy.data() + img.energy.size());
    std::vector<double> r(img.references.col(j).data(), img.references.col(j).data() + img.references.rows());
    write_csv(path, {"energy_eV", "counts"}, {e, r}, {"synthetic Mn L2,3 reference (valence synth-eels)"});
  }
  std::printf("synth-eels: %s (%lld x %lld pixels x %lld channels, HyperSpy 3.1) and %s_surface.txt, %s_bulk.txt\n",
              a.output.c_str(), (long long)a.rows, (long long)a.cols, (long long)model.channels, a.references.c_str(),
              a.references.c_str());
}

}  // namespace

void add_eels_commands(CLI::App& app, const context& ctx) {
  auto m = std::make_shared<mlls_args>();
  auto* mlls = app.add_subcommand(
      "mlls",
      "MLLS-fit every pixel of an EELS spectrum image (HyperSpy .hspy/HDF5 or DM3/DM4, read a block of "
      "rows at a time) against reference spectra with a power-law background, and write fraction, "
      "error and background maps as NeXus. Under mpirun each rank fits its own rows.");
  mlls->add_option("input", m->input, "spectrum image: .hspy / HDF5, or .dm3 / .dm4")
      ->required()
      ->check(CLI::ExistingFile);
  mlls->add_option("-r,--reference", m->references, "a reference spectrum (MSA, text columns, .hspy); repeat")
      ->required()
      ->check(CLI::ExistingFile);
  mlls->add_option("-o,--output", m->output, "NeXus/HDF5 file for the maps")->required();
  mlls->add_option("--fit", m->fit, "fitted energy-loss window, eV, e.g. 636:690")->required();
  mlls->add_option("--background", m->background, "power-law window before the edge, eV, e.g. 605:635");
  mlls->add_flag("--no-background", m->no_background, "the spectra are already background-free");
  mlls->add_option("--weighting", m->weighting, "poisson (1/counts, the default) or none")
      ->check(CLI::IsMember({"poisson", "none"}));
  mlls->add_flag("--constant", m->constant, "add a constant term");
  mlls->add_flag("--linear", m->linear, "add a term linear in energy");
  mlls->add_flag("--nonnegative", m->nonnegative, "constrain every coefficient to >= 0");
  mlls->add_option("--dataset", m->dataset, "HDF5 path of a [energy][y][x] cube when the layout is not recognised");
  mlls->add_option("--memory-cap", m->memory, "memory for input blocks and their maps, per process (e.g. 1G)");
  mlls->callback([m, &ctx] { run_mlls(ctx, *m); });

  auto se = std::make_shared<synth_eels_args>();
  auto* synth = app.add_subcommand(
      "synth-eels",
      "Write a synthetic Mn L2,3 EELS spectrum image (HyperSpy 3.1 layout, Poisson counts on a power "
      "law; the surface fraction falls from 0.9 to 0.1 across x) and its two references, to try mlls.");
  synth->add_option("output", se->output, "HDF5 (.hspy) file to write")->required();
  synth->add_option("--references", se->references, "prefix of the two reference files (default 'reference')");
  synth->add_option("--rows", se->rows, "pixels along y");
  synth->add_option("--cols", se->cols, "pixels along x");
  synth->add_option("--seed", se->seed, "noise seed");
  synth->callback([se, &ctx] { run_synth_eels(ctx, *se); });

  auto w = std::make_shared<white_line_args>();
  auto* white =
      app.add_subcommand("white-line",
                         "L3/L2 white-line ratio of a background-subtracted EELS spectrum (Pearson's Heaviside steps "
                         "or arctangent steps) with its standard error.");
  white->add_option("input", w->input, "spectrum file (MSA, text columns, .hspy)")
      ->required()
      ->check(CLI::ExistingFile);
  white->add_option("--l3", w->l3, "eV where the L3 step sits (onset or maximum)")->required();
  white->add_option("--l2", w->l2, "eV where the L2 step sits")->required();
  white->add_option("--continuum", w->continuum, "window after L2 that sets the step height, eV")->required();
  white->add_option("--l3-half-width", w->l3_half, "L3 integrated over l3 +- this, eV (default 5)");
  white->add_option("--l2-half-width", w->l2_half, "L2 integrated over l2 +- this, eV (default 4)");
  white->add_option("--step-width", w->step_width, "0 for Heaviside steps, else arctangent width, eV");
  white->add_flag("--poisson", w->poisson, "errors from Poisson counting (variance = counts)");
  white->callback([w, &ctx] { run_white_line(ctx, *w); });
}

}  // namespace valence_cli
