// SPDX-License-Identifier: MIT
// valence normalize | lcf | synth-xanes: XANES stacks and series.
#include <valence/core/streaming.hpp>
#include <valence/io/hdf5_rows.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/lcf.hpp>
#include <valence/xas/lcf_batch_rows.hpp>
#include <valence/xas/normalize_stack_rows.hpp>
#include <valence/xas/pre_edge.hpp>

#include "commands.hpp"
#include "map_job.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <hdf5.h>

namespace valence_cli {

namespace {

// --values: what the stored numbers are turned into before fitting.
valence::io::hdf5_values values_of(const std::string& choice, const valence::io::hdf5_stack& stack) {
  if (choice == "absorbance") {
    return valence::io::hdf5_values::absorbance;
  }
  if (choice == "stored") {
    return valence::io::hdf5_values::transmission;
  }
  // auto: TXM and tomography layouts store transmission images
  return stack.layout == valence::io::hdf5_layout::fxi_xanes || stack.layout == valence::io::hdf5_layout::data_exchange
             ? valence::io::hdf5_values::absorbance
             : valence::io::hdf5_values::transmission;
}

void require_energy_axis(const valence::io::hdf5_stack& s) {
  if (s.channel_axis.units != "eV") {
    throw valence::invalid_input("the first axis of '" + s.dataset + "' in " + s.file + " is '" + s.channel_axis.name +
                                 "' (" +
                                 (s.channel_axis.units.empty() ? std::string("no units") : s.channel_axis.units) +
                                 "); expected energies in eV (a XANES stack)");
  }
}

std::uint64_t fingerprint_of(const valence::io::hdf5_stack& s, const std::string& options) {
  std::uint64_t h = fingerprint_start();
  const index dims[3] = {s.rows, s.cols, s.channels};
  fingerprint_add(h, dims, sizeof dims);
  fingerprint_add(h, s.channel_axis.values.data(), s.channel_axis.values.size() * sizeof(double));
  fingerprint_add(h, options.data(), options.size());
  return h;
}

// E0 of the mean of the finite pixels, summed row by row and the rows in order: every rank sums
// its own rows, the sums are shared, and every rank adds them in the same order, so E0 does not
// depend on the number of ranks.
double mean_e0(const group& g, const valence::vector_d& energy, const valence::core::row_source<float>& source,
               std::size_t cap, valence::xas::e0_search method) {
  const index n = energy.size();
  const auto [first, last] = g.my_rows(source.rows());
  std::vector<double> sums(std::size_t((last - first) * (n + 1)), 0.0);
  valence::core::streaming_options streaming;
  streaming.memory_cap_bytes = cap;
  streaming.first_row = first;
  streaming.last_row = last;
  (void)valence::core::detail::for_each_row_block(
      "valence mean spectrum", source, streaming, 0,
      [&](index row0, index rows, const float* block) {
        for (index r = 0; r < rows; ++r) {
          valence::vector_d sum = valence::vector_d::Zero(n);
          index finite = 0;
          valence::xas::detail::add_finite_columns(
              Eigen::Map<const Eigen::MatrixXf>(block + r * source.cols() * n, n, source.cols()), sum, finite);
          double* to = sums.data() + (row0 + r - first) * (n + 1);
          std::copy(sum.data(), sum.data() + n, to);
          to[n] = double(finite);
        }
      },
      [](index, index) {});
  std::vector<double> all(std::size_t(source.rows() * (n + 1)));
#ifdef VALENCE_APPS_MPI
  if (g.size > 1) {
    std::vector<int> counts(std::size_t(g.size));
    std::vector<int> offsets(std::size_t(g.size));
    for (int r = 0; r < g.size; ++r) {
      const auto [a, b] = g.rows_of(source.rows(), r);
      counts[std::size_t(r)] = int((b - a) * (n + 1));
      offsets[std::size_t(r)] = int(a * (n + 1));
    }
    MPI_Allgatherv(sums.data(), int(sums.size()), MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                   MPI_COMM_WORLD);
  } else {
    all = sums;
  }
#else
  all = sums;
#endif
  valence::vector_d total = valence::vector_d::Zero(n);
  double finite = 0;
  for (index r = 0; r < source.rows(); ++r) {
    total += Eigen::Map<const valence::vector_d>(all.data() + r * (n + 1), n);
    finite += all[std::size_t(r * (n + 1) + n)];
  }
  if (finite == 0) {
    throw valence::invalid_input("no pixel of " + source.describe() + " is finite; expected at least one spectrum");
  }
  return valence::xas::find_e0(energy, valence::vector_d(total / finite), method).e0;
}

struct normalize_args {
  std::string input, output, dataset, values = "auto", pre, norm, memory = "256M";
  double e0 = std::nan(""), min_step = 0, fraction = 0.5, white_line_window = 30;
  int nnorm = -1, nvict = 0;
  bool per_pixel = false, fast = false;
};

// The maps of `normalize`, in the order the sink fills them.
std::vector<valence::io::map_spec> normalize_maps() {
  return {
      {"edge_energy", "eV", "energy at the step fraction (eV)", valence::io::map_type::float32, ""},
      {"edge_step", "", "edge step", valence::io::map_type::float32, ""},
      {"e0", "eV", "E0 (eV)", valence::io::map_type::float32, ""},
      {"white_line_energy", "eV", "white-line energy (eV)", valence::io::map_type::float32, ""},
      {"white_line_height", "", "white-line height (normalised)", valence::io::map_type::float32, ""},
      {"status", "", "pixel status", valence::io::map_type::uint8, "ok non_finite_data no_edge no_crossing cancelled"}};
}

// The library's options from the command line's.
valence::xas::stack_options stack_options_of(const normalize_args& a) {
  valence::xas::stack_options o;
  auto& n = o.normalization;
  n.e0_method = a.fast ? valence::xas::e0_search::fast : valence::xas::e0_search::larch;
  if (!a.pre.empty()) {
    const auto [lo, hi] = parse_window("--pre", a.pre);
    n.pre1 = lo;
    n.pre2 = hi;
  }
  if (!a.norm.empty()) {
    const auto [lo, hi] = parse_window("--norm", a.norm);
    n.norm1 = lo;
    n.norm2 = hi;
  }
  if (a.nnorm >= 0) {
    n.nnorm = a.nnorm;
  }
  n.nvict = a.nvict;
  o.per_pixel_e0 = a.per_pixel;
  o.min_step = a.min_step;
  o.fraction = a.fraction;
  o.white_line_window = a.white_line_window;
  return o;
}

void run_normalize(const context& ctx, const normalize_args& a) {
  const auto start = std::chrono::steady_clock::now();
  const auto stack = valence::io::open_hdf5_stack(a.input, a.dataset);
  require_energy_axis(stack);
  const auto values = values_of(a.values, stack);
  const valence::io::hdf5_rows<float> source(stack, values);
  const valence::vector_d energy =
      Eigen::Map<const valence::vector_d>(stack.channel_axis.values.data(), stack.channels);
  valence::xas::stack_options o = stack_options_of(a);
  auto& n = o.normalization;
  const std::size_t cap = parse_bytes("--memory-cap", a.memory);
  std::string described =
      "pre=" + a.pre + " norm=" + a.norm + " nnorm=" + std::to_string(a.nnorm) + " nvict=" + std::to_string(a.nvict) +
      " per_pixel_e0=" + std::to_string(a.per_pixel) + " fast_e0=" + std::to_string(a.fast) +
      " min_step=" + std::to_string(a.min_step) +
      " values=" + std::string(values == valence::io::hdf5_values::absorbance ? "absorbance" : "stored");
  ctx.processes.check_same_input(fingerprint_of(stack, described + " e0=" + std::to_string(a.e0)),
                                 "the stack's shape, energies or the options");
  if (std::isfinite(a.e0)) {
    n.e0 = a.e0;
  } else if (!a.per_pixel) {
    n.e0 = mean_e0(ctx.processes, energy, source, cap, n.e0_method);
  }
  const auto specs = normalize_maps();
  std::vector<std::pair<std::string, std::string>> parameters = {{"command", "normalize"},
                                                                 {"input", a.input},
                                                                 {"dataset", stack.dataset},
                                                                 {"layout", to_string(stack.layout)},
                                                                 {"options", described}};
  if (n.e0) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", *n.e0);
    parameters.emplace_back("e0", text);
  }
  for (const auto& note : stack.notes) {
    parameters.emplace_back("note", note);
  }
  std::vector<std::size_t> counts(5, 0);
  progress_bar bar("normalize", "px", ctx.progress());
  run_map_job(
      ctx.processes, a.output, stack.y_axis, stack.x_axis, specs, parameters, cap, bar,
      [&](const valence::core::streaming_options& streaming, const map_delivery& deliver) {
        (void)valence::xas::normalize_stack_blocks<float>(
            energy, source, o, streaming,
            [&](index row, index rows, const valence::xas::stack_normalization<float>& m) {
              map_block b;
              for (const auto* v : {&m.edge_energy, &m.edge_step, &m.e0, &m.white_line_energy, &m.white_line_height}) {
                b.values.emplace_back(v->data(), v->data() + v->size());
              }
              for (const auto s : m.status) {
                b.status.push_back(std::uint8_t(s));
                ++counts[std::size_t(s)];
              }
              deliver(row, rows, b);
            });
      });
  ctx.processes.sum(counts);
  if (ctx.processes.root()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("normalize: %s '%s' (%s), %lld x %lld pixels x %lld energies\n", a.input.c_str(), stack.dataset.c_str(),
                to_string(stack.layout), (long long)stack.rows, (long long)stack.cols, (long long)stack.channels);
    for (const auto& note : stack.notes) {
      std::printf("  note: %s\n", note.c_str());
    }
    if (n.e0) {
      std::printf("  E0 %.2f eV (%s)\n", *n.e0, std::isfinite(a.e0) ? "given" : "mean spectrum");
    }
    std::printf("  %d process%s: ok %zu, non_finite_data %zu, no_edge %zu, no_crossing %zu\n", ctx.processes.size,
                ctx.processes.size == 1 ? "" : "es", counts[0], counts[1], counts[2], counts[3]);
    std::printf("  maps written to %s (NeXus NXdata /entry/maps) in %.2f s\n", a.output.c_str(), seconds);
  }
}

// A synthetic NSLS-II FXI export: for demonstrations, benchmarks and the MPI tests.
struct synth_args {
  std::string output;
  index rows = 64, cols = 64, energies = 60;
  unsigned seed = 1;
};

void run_synth(const context& ctx, const synth_args& a) {
  if (!ctx.processes.root()) {
    return;
  }
  if (a.rows < 1 || a.cols < 1 || a.energies < 16) {
    throw valence::invalid_input("synth-xanes: --rows and --cols must be >= 1 and --energies >= 16");
  }
  const hid_t file = H5Fcreate(a.output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    throw valence::invalid_input("synth-xanes: cannot create '" + a.output + "'");
  }
  // Ni K edge, 8.30-8.42 keV; the edge shifts by up to 2 eV across x (a valence gradient) and the
  // thickness varies along y; Gaussian noise 0.3 % of the transmission; a corner pixel is empty.
  std::vector<double> x_eng(std::size_t(a.energies));
  for (index i = 0; i < a.energies; ++i) {
    x_eng[std::size_t(i)] = 8.30 + 0.12 * double(i) / double(a.energies - 1);
  }
  const hsize_t dims[3] = {hsize_t(a.energies), hsize_t(a.rows), hsize_t(a.cols)};
  const hid_t space = H5Screate_simple(3, dims, nullptr);
  const hid_t data = H5Dcreate2(file, "img_xanes", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::mt19937 generator(a.seed);
  std::normal_distribution<double> noise(0.0, 0.003);
  std::vector<float> plane(std::size_t(a.rows * a.cols));
  const hsize_t one[3] = {1, hsize_t(a.rows), hsize_t(a.cols)};
  const hid_t memory = H5Screate_simple(3, one, nullptr);
  for (index i = 0; i < a.energies; ++i) {
    const double e = 1000 * x_eng[std::size_t(i)];
    for (index y = 0; y < a.rows; ++y) {
      for (index x = 0; x < a.cols; ++x) {
        const double shift = 2.0 * double(x) / double(std::max<index>(a.cols - 1, 1));
        const double thickness = (y == 0 && x == 0) ? 0.0 : 0.4 + 0.6 * double(y) / double(std::max<index>(a.rows, 1));
        const double mu = 0.2 + thickness * (0.5 * (1 + std::tanh((e - 8343.0 - shift) / 2.0)) +
                                             0.3 * std::exp(-0.5 * std::pow((e - 8350.0 - shift) / 3.0, 2)));
        plane[std::size_t(y * a.cols + x)] = float(std::exp(-mu) * (1 + noise(generator)));
      }
    }
    const hsize_t at[3] = {hsize_t(i), 0, 0};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, at, nullptr, one, nullptr);
    H5Dwrite(data, H5T_NATIVE_FLOAT, memory, space, H5P_DEFAULT, plane.data());
  }
  H5Sclose(memory);
  H5Dclose(data);
  H5Sclose(space);
  const hsize_t n = x_eng.size();
  const hid_t axis_space = H5Screate_simple(1, &n, nullptr);
  const hid_t axis = H5Dcreate2(file, "X_eng", H5T_IEEE_F64LE, axis_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(axis, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x_eng.data());
  H5Dclose(axis);
  H5Sclose(axis_space);
  const hid_t text = H5Tcopy(H5T_C_S1);
  H5Tset_size(text, 7);
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const hid_t pixel = H5Dcreate2(file, "Pixel Size", text, scalar, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(pixel, text, H5S_ALL, H5S_ALL, H5P_DEFAULT, "21.6nm");
  H5Dclose(pixel);
  H5Sclose(scalar);
  H5Tclose(text);
  H5Fclose(file);
  std::printf("synth-xanes: %s, %lld x %lld pixels x %lld energies (NSLS-II FXI layout, transmission)\n",
              a.output.c_str(), (long long)a.rows, (long long)a.cols, (long long)a.energies);
}

struct lcf_args {
  std::vector<std::string> inputs, standards;
  std::string output = "-", window, column, memory = "256M", dataset;
  bool free_sum = false, normalize = false;
  double lower = 0, upper = 1;
};

// The standards (normalised with --normalize) and the fit options of `lcf`.
std::pair<std::vector<valence::xas::lcf_standard>, valence::xas::lcf_options> lcf_setup(const lcf_args& a) {
  std::vector<valence::xas::lcf_standard> standards;
  for (const auto& path : a.standards) {
    const auto s = read_spectrum(path, a.column);
    const valence::vector_d e = Eigen::Map<const valence::vector_d>(s.energy.data(), index(s.energy.size()));
    valence::vector_d mu = Eigen::Map<const valence::vector_d>(s.values.data(), index(s.values.size()));
    if (a.normalize) {
      mu = valence::xas::pre_edge(e, mu).norm;
    }
    standards.push_back({s.name, e, mu});
  }
  valence::xas::lcf_options o;
  if (!a.window.empty()) {
    const auto [lo, hi] = parse_window("--window", a.window);
    o.window = {lo, hi};
  }
  o.sum_to_one = !a.free_sum;
  o.lower = a.lower;
  o.upper = a.upper;
  return {standards, o};
}

// One stack: maps of the weights, each rank fitting its own rows.
void run_lcf_map(const context& ctx, const lcf_args& a, const valence::io::hdf5_stack& stack,
                 const std::vector<valence::xas::lcf_standard>& standards, const valence::xas::lcf_options& o) {
  require_energy_axis(stack);
  const valence::io::hdf5_rows<float> source(stack, valence::io::hdf5_values::transmission);
  const valence::vector_d energy =
      Eigen::Map<const valence::vector_d>(stack.channel_axis.values.data(), stack.channels);
  std::vector<valence::io::map_spec> specs;
  for (const auto& s : standards) {
    specs.push_back({"weight_" + s.name, "", "weight of " + s.name, valence::io::map_type::float32, ""});
  }
  for (const auto& s : standards) {
    specs.push_back({"weight_error_" + s.name, "", "standard error of the weight of " + s.name,
                     valence::io::map_type::float32, ""});
  }
  specs.push_back({"weight_sum", "", "sum of weights", valence::io::map_type::float32, ""});
  specs.push_back({"reduced_chi_square", "", "reduced chi-square", valence::io::map_type::float32, ""});
  specs.push_back({"r_factor", "", "R-factor", valence::io::map_type::float32, ""});
  specs.push_back({"status", "", "fit status", valence::io::map_type::uint8,
                   "ok non_finite_data invalid_weights iteration_limit singular"});
  ctx.processes.check_same_input(fingerprint_of(stack, a.window + std::to_string(standards.size())),
                                 "the stack's shape, energies or the options");
  progress_bar bar("lcf", "px", ctx.progress());
  const std::size_t cap = parse_bytes("--memory-cap", a.memory);
  run_map_job(ctx.processes, a.output, stack.y_axis, stack.x_axis, specs,
              {{"command", "lcf"}, {"input", a.inputs[0]}, {"window", a.window}}, cap, bar,
              [&](const valence::core::streaming_options& streaming, const map_delivery& deliver) {
                (void)valence::xas::lcf_batch_blocks<float>(
                    energy, source, standards, o, valence::vector_d(), streaming,
                    [&](index row, index rows, const valence::xas::lcf_batch_result<float>& r) {
                      map_block b;
                      for (index j = 0; j < r.weights.rows(); ++j) {
                        const Eigen::VectorXf w = r.weights.row(j).transpose();
                        b.values.emplace_back(w.data(), w.data() + w.size());
                      }
                      for (index j = 0; j < r.weight_errors.rows(); ++j) {
                        const Eigen::VectorXf w = r.weight_errors.row(j).transpose();
                        b.values.emplace_back(w.data(), w.data() + w.size());
                      }
                      for (const auto* v : {&r.weight_sum, &r.reduced_chi_square, &r.r_factor}) {
                        b.values.emplace_back(v->data(), v->data() + v->size());
                      }
                      for (const auto s : r.status) {
                        b.status.push_back(std::uint8_t(s));
                      }
                      deliver(row, rows, b);
                    });
              });
  if (ctx.processes.root()) {
    std::printf("lcf: %lld x %lld pixels against %zu standards; maps written to %s\n", (long long)stack.rows,
                (long long)stack.cols, standards.size(), a.output.c_str());
  }
}

// A series of spectra: one CSV row per spectrum, fitted by rank 0.
void run_lcf_series(const context& ctx, const lcf_args& a, const std::vector<valence::xas::lcf_standard>& standards,
                    const valence::xas::lcf_options& o) {
  if (!ctx.processes.root()) {
    return;  // a series is small: rank 0 fits it
  }
  // A series of spectra: one CSV row per spectrum.
  std::vector<std::string> header = {"spectrum"};
  for (const auto& s : standards) {
    header.push_back("weight_" + s.name);
  }
  for (const auto& s : standards) {
    header.push_back("error_" + s.name);
  }
  header.insert(header.end(), {"weight_sum", "weight_sum_error", "reduced_chi_square", "r_factor"});
  std::string text;
  for (std::size_t j = 0; j < header.size(); ++j) {
    text += (j ? "," : "") + header[j];
  }
  text += '\n';
  for (const auto& path : a.inputs) {
    const auto s = read_spectrum(path, a.column);
    const Eigen::Map<const valence::vector_d> e(s.energy.data(), index(s.energy.size()));
    valence::vector_d mu = Eigen::Map<const valence::vector_d>(s.values.data(), index(s.values.size()));
    if (a.normalize) {
      mu = valence::xas::pre_edge(e, mu).norm;
    }
    const auto r = valence::xas::lcf(e, mu, standards, o);
    char field[48];
    text += s.name;
    const auto add = [&](double v) {
      std::snprintf(field, sizeof field, ",%.8g", v);
      text += field;
    };
    for (index j = 0; j < r.weights.size(); ++j) {
      add(r.weights(j));
    }
    for (index j = 0; j < r.weight_errors.size(); ++j) {
      add(r.weight_errors(j));
    }
    add(r.weight_sum);
    add(r.weight_sum_error);
    add(r.reduced_chi_square);
    add(r.r_factor);
    text += '\n';
  }
  if (a.output == "-") {
    std::fputs(text.c_str(), stdout);
  } else {
    std::FILE* f = std::fopen(a.output.c_str(), "w");
    if (f == nullptr) {
      throw valence::invalid_input("cannot write '" + a.output + "'; expected a writable path");
    }
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
}

void run_lcf(const context& ctx, const lcf_args& a) {
  const auto [standards, o] = lcf_setup(a);
  if (a.inputs.size() == 1 && H5Fis_hdf5(a.inputs[0].c_str()) > 0) {
    const auto stack = valence::io::open_hdf5_stack(a.inputs[0], a.dataset);
    if (stack.rows * stack.cols > 1) {
      run_lcf_map(ctx, a, stack, standards, o);
      return;
    }
  }
  run_lcf_series(ctx, a, standards, o);
}

}  // namespace

void add_xas_commands(CLI::App& app, const context& ctx) {
  auto n = std::make_shared<normalize_args>();
  auto* normalize = app.add_subcommand(
      "normalize",
      "Normalise every pixel of a XANES stack (Athena/Larch pre-edge line, post-edge polynomial, edge step) and "
      "write maps of E0, edge step, edge energy and white line as NeXus. Reads NSLS-II FXI, APS Data Exchange and "
      "HyperSpy files a block of rows at a time within --memory-cap; under mpirun each rank takes its own rows.");
  normalize->add_option("input", n->input, "HDF5 file holding the stack")->required()->check(CLI::ExistingFile);
  normalize->add_option("-o,--output", n->output, "NeXus/HDF5 file for the maps")->required();
  normalize->add_option("--dataset", n->dataset,
                        "HDF5 path of a [energy][y][x] stack when the layout is not recognised");
  normalize
      ->add_option("--values", n->values,
                   "auto (absorbance -ln T for TXM and Data Exchange transmission, as stored otherwise), "
                   "absorbance, or stored")
      ->check(CLI::IsMember({"auto", "absorbance", "stored"}));
  normalize->add_option("--e0", n->e0, "E0 for every pixel, eV (default: found on the mean spectrum)");
  normalize->add_flag("--per-pixel-e0", n->per_pixel, "find E0 in every pixel (Larch's rules per pixel; slower)");
  normalize->add_flag("--fast-e0", n->fast, "the fast E0 search (same grid point as Larch on 65 of 72 real spectra)");
  normalize->add_option("--pre", n->pre, "pre-edge range relative to E0, eV, e.g. -150:-30 (default Larch's)");
  normalize->add_option("--norm", n->norm, "post-edge range relative to E0, eV, e.g. 50:400 (default Larch's)");
  normalize->add_option("--nnorm", n->nnorm, "post-edge polynomial degree 0-5 (default Larch's by range)");
  normalize->add_option("--nvict", n->nvict, "Victoreen exponent of the pre-edge line, 0-4");
  normalize->add_option("--min-step", n->min_step, "pixels with an edge step at or below this are flagged no_edge");
  normalize->add_option("--fraction", n->fraction, "step fraction defining the edge_energy map (default 0.5)");
  normalize->add_option("--white-line-window", n->white_line_window, "eV above E0 searched for the white line");
  normalize->add_option("--memory-cap", n->memory, "memory for input blocks and their maps, per process (e.g. 512M)");
  normalize->callback([n, &ctx] { run_normalize(ctx, *n); });

  auto s = std::make_shared<synth_args>();
  auto* synth =
      app.add_subcommand("synth-xanes",
                         "Write a synthetic Ni K-edge TXM XANES stack in the NSLS-II FXI layout (an edge shifting by "
                         "2 eV across x, thickness rising along y, 0.3 % noise), to try the other commands on.");
  synth->add_option("output", s->output, "HDF5 file to write")->required();
  synth->add_option("--rows", s->rows, "pixels along y");
  synth->add_option("--cols", s->cols, "pixels along x");
  synth->add_option("--energies", s->energies, "energies, 8.30-8.42 keV");
  synth->add_option("--seed", s->seed, "noise seed");
  synth->callback([s, &ctx] { run_synth(ctx, *s); });

  auto l = std::make_shared<lcf_args>();
  auto* lcf = app.add_subcommand(
      "lcf",
      "Linear-combination fit of spectra (XDI, text columns, NXxas) against standards, one CSV row per "
      "spectrum; or, given one HDF5 stack, maps of the weights written as NeXus.");
  lcf->add_option("inputs", l->inputs, "spectra files, or one HDF5 stack")->required()->check(CLI::ExistingFile);
  lcf->add_option("-s,--standard", l->standards, "a standard's spectrum file (repeat for each)")
      ->required()
      ->check(CLI::ExistingFile);
  lcf->add_option("-o,--output", l->output, "CSV file ('-' for the terminal) or, for a stack, NeXus file");
  lcf->add_option("--window", l->window, "fit window in eV, e.g. 8320:8400 (default: the common range)");
  lcf->add_option("--mu", l->column,
                  "what to fit in text/XDI files: a column label, A/B or ln(A/B), e.g. 'ln(i0/itrans)' "
                  "(default: the second column)");
  lcf->add_flag("--free-sum", l->free_sum, "do not constrain the weights to sum to 1");
  lcf->add_option("--lower", l->lower, "lower bound of each weight (default 0)");
  lcf->add_option("--upper", l->upper, "upper bound of each weight (default 1)");
  lcf->add_flag("--normalize", l->normalize,
                "normalise the spectra and standards first (pre_edge with Larch's defaults)");
  lcf->add_option("--dataset", l->dataset, "HDF5 path of the stack when the layout is not recognised");
  lcf->add_option("--memory-cap", l->memory, "memory for a stack's blocks, per process");
  lcf->callback([l, &ctx] { run_lcf(ctx, *l); });
}

}  // namespace valence_cli
