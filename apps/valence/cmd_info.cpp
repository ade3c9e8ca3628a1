// SPDX-License-Identifier: MIT
// valence info: what a file holds, as valence reads it.
#include <valence/io/hdf5_stack.hpp>
#include <valence/io/nxxas.hpp>

#include "commands.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include <H5Fpublic.h>

namespace valence_cli {

namespace {

void print_axis(const char* what, const valence::io::hdf5_axis& a) {
  if (a.values.empty()) {
    return;
  }
  std::printf("  %-8s %-14s %zu values, %.6g to %.6g %s\n", what, a.name.c_str(), a.values.size(), a.values.front(),
              a.values.back(), a.units.c_str());
}

void run_info(const context& ctx, const std::string& path, bool all_metadata) {
  if (!ctx.processes.root()) {
    return;
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    const auto s = read_spectrum(path);
    std::printf("%s: one spectrum, %zu points, %.6g to %.6g\n", path.c_str(), s.energy.size(), s.energy.front(),
                s.energy.back());
    return;
  }
  try {
    const auto nx = valence::io::read_nxxas(path);
    std::printf("%s: NeXus NXxas, entry '%s' of %zu; %s %s edge, %s; %zu points %.6g to %.6g eV; signal '%s'\n",
                path.c_str(), nx.entry.c_str(), nx.entries.size(), nx.element.c_str(), nx.edge.c_str(), nx.mode.c_str(),
                nx.energy.size(), nx.energy.front(), nx.energy.back(), nx.signal_name.c_str());
    for (const auto& [label, values] : nx.columns) {
      std::printf("  rawdata column '%s' (%zu)\n", label.c_str(), values.size());
    }
    return;
  } catch (const valence::parse_error&) {
  }
  const auto s = valence::io::open_hdf5_stack(path);
  std::printf("%s: %s, dataset '%s' %s, %lld x %lld pixels x %lld channels (%s)\n", path.c_str(), to_string(s.layout),
              s.dataset.c_str(), s.value_type.c_str(), (long long)s.rows, (long long)s.cols, (long long)s.channels,
              s.channels_first ? "[channel][y][x]" : "[y][x][channel]");
  print_axis("channels", s.channel_axis);
  print_axis("y", s.y_axis);
  print_axis("x", s.x_axis);
  if (!s.white.empty()) {
    std::printf("  flat field: white '%s', dark '%s'\n", s.white.c_str(), s.dark.c_str());
  }
  for (const auto& note : s.notes) {
    std::printf("  note: %s\n", note.c_str());
  }
  std::size_t shown = 0;
  for (const auto& [key, value] : s.metadata) {
    if (!all_metadata && shown++ == 12) {
      std::printf("  ... %zu more (--metadata lists them all)\n", s.metadata.size() - 12);
      break;
    }
    std::printf("  %s = %s\n", key.c_str(), value.c_str());
  }
}

}  // namespace

void add_info_command(CLI::App& app, const context& ctx) {
  auto path = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto* info = app.add_subcommand("info",
                                  "Describe a file as valence reads it: HDF5 layout (NSLS-II FXI, APS Data "
                                  "Exchange, HyperSpy, NeXus NXxas), shape, axes, units, metadata.");
  info->add_option("file", *path, "the file")->required()->check(CLI::ExistingFile);
  info->add_flag("--metadata", *all, "list every metadata item");
  info->callback([path, all, &ctx] { run_info(ctx, *path, *all); });
}

}  // namespace valence_cli
