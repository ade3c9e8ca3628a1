// SPDX-License-Identifier: MIT
// The subcommands of the `valence` command line, one registration function per area.
#ifndef VALENCE_APPS_COMMANDS_HPP
#define VALENCE_APPS_COMMANDS_HPP

#include "common.hpp"

#include <CLI/CLI.hpp>

namespace valence_cli {

// What every command reads: the process group and whether to draw progress bars.
struct context {
  group processes;
  bool quiet = false;
  [[nodiscard]] bool progress() const { return !quiet && processes.root() && isatty_stderr(); }
  static bool isatty_stderr();
};

void add_info_command(CLI::App& app, const context& ctx);
void add_xas_commands(CLI::App& app, const context& ctx);    // normalize, lcf, synth-xanes
void add_eels_commands(CLI::App& app, const context& ctx);   // mlls, white-line
void add_echem_commands(CLI::App& app, const context& ctx);  // gitt, dqdv
void add_chem_commands(CLI::App& app, const context& ctx);   // formula

}  // namespace valence_cli

#endif  // VALENCE_APPS_COMMANDS_HPP
