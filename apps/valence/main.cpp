// SPDX-License-Identifier: MIT
// valence: jobs on files without writing C++. Under mpirun (when built with MPI) the map jobs split
// the pixels into blocks of rows across ranks; the result files do not depend on the rank count.
#include <valence/version.hpp>

#include "commands.hpp"

#include <cstdio>
#include <exception>
#include <string>

#include <unistd.h>

bool valence_cli::context::isatty_stderr() {
  return ::isatty(2) != 0;
}

int main(int argc, char** argv) {
  valence_cli::context ctx;
#ifdef VALENCE_APPS_MPI
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &ctx.processes.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ctx.processes.size);
#endif
  CLI::App app{"valence " + std::to_string(VALENCE_VERSION_MAJOR) + "." + std::to_string(VALENCE_VERSION_MINOR) + "." +
                   std::to_string(VALENCE_VERSION_PATCH) +
                   ": battery-cathode spectroscopy and electrochemistry on files.\n"
                   "XANES stacks and EELS spectrum images are read a block of rows at a time within --memory-cap;\n"
                   "under mpirun every rank fits its own rows and rank 0 writes the NeXus maps.\n"
                   "Try:  valence synth-xanes demo.h5 && valence info demo.h5 && valence normalize demo.h5 -o maps.h5",
               "valence"};
  app.set_version_flag("--version", "valence " + std::to_string(VALENCE_VERSION_MAJOR) + "." +
                                        std::to_string(VALENCE_VERSION_MINOR) + "." +
                                        std::to_string(VALENCE_VERSION_PATCH));
  app.add_flag("-q,--quiet", ctx.quiet, "no progress bars");
  app.require_subcommand(1);
  app.fallthrough();  // --quiet may follow the subcommand
  valence_cli::add_info_command(app, ctx);
  valence_cli::add_xas_commands(app, ctx);
  valence_cli::add_eels_commands(app, ctx);
  valence_cli::add_echem_commands(app, ctx);
  valence_cli::add_chem_commands(app, ctx);
  int status = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    status = ctx.processes.root() ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
  } catch (const std::exception& e) {
    // One rank's failure ends the job with its message (never a hang in a collective call).
    if (ctx.processes.size > 1) {
      std::fprintf(stderr, "valence: error on rank %d of %d: %s\n", ctx.processes.rank, ctx.processes.size, e.what());
    } else {
      std::fprintf(stderr, "valence: error: %s\n", e.what());
    }
#ifdef VALENCE_APPS_MPI
    if (ctx.processes.size > 1) {
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
#endif
    status = 1;
  }
#ifdef VALENCE_APPS_MPI
  MPI_Finalize();
#endif
  return status;
}
