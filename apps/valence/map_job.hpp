// SPDX-License-Identifier: MIT
// A map job across the processes of a group: each rank streams its own rows of the input (its own
// hyperslabs), rank 0 writes its blocks to the NeXus file as they come and then the other ranks'
// maps in rank order. The maps are per-pixel results, so they do not depend on the split: files
// written with 1, 2 or 3 ranks are byte-identical.
#ifndef VALENCE_APPS_MAP_JOB_HPP
#define VALENCE_APPS_MAP_JOB_HPP

#include <valence/core/streaming.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/io/nexus_maps.hpp>

#include "common.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace valence_cli {

// The maps of a block of rows: one float vector per value map and the status codes, row-major.
struct map_block {
  std::vector<std::vector<float>> values;
  std::vector<std::uint8_t> status;
};

// Delivers one block: (first row, rows, maps).
using map_delivery = std::function<void(index, index, const map_block&)>;

// Runs `stream(streaming, deliver)` on this rank's rows (`streaming`: those rows, the memory cap
// and the progress bar) and writes every rank's maps to `output` (rank 0 only touches the file).
// `specs` lists the value maps then the status map.
inline void run_map_job(
    const group& g, const std::string& output, const valence::io::hdf5_axis& y, const valence::io::hdf5_axis& x,
    const std::vector<valence::io::map_spec>& specs, const std::vector<std::pair<std::string, std::string>>& parameters,
    std::size_t cap, progress_bar& bar,
    const std::function<void(const valence::core::streaming_options&, const map_delivery&)>& stream) {
  const index rows = index(y.values.size());
  const index cols = index(x.values.size());
  const std::size_t maps = specs.size() - 1;
  std::unique_ptr<valence::io::nexus_map_writer> writer;
  if (g.root()) {
    writer = std::make_unique<valence::io::nexus_map_writer>(output, y, x, specs, parameters);
  }
  const auto write = [&](index first, index n, const map_block& b) {
    for (std::size_t m = 0; m < maps; ++m) {
      writer->write_rows(specs[m].name, first, n, b.values[m].data());
    }
    writer->write_rows(specs.back().name, first, n, b.status.data());
  };
  const auto [first, last] = g.my_rows(rows);
  map_block mine;  // the rows of a rank other than 0, kept until rank 0 asks for them
  if (!g.root()) {
    mine.values.assign(maps, std::vector<float>(std::size_t((last - first) * cols)));
    mine.status.assign(std::size_t((last - first) * cols), 0);
  }
  valence::core::streaming_options streaming;
  streaming.memory_cap_bytes = cap;
  streaming.first_row = first;
  streaming.last_row = last;
  streaming.progress = [&bar](index done, index total) { return bar(done, total); };
  stream(streaming, [&](index row, index n, const map_block& b) {
    if (g.root()) {
      write(row, n, b);
      return;
    }
    const auto at = std::size_t((row - first) * cols);
    for (std::size_t m = 0; m < maps; ++m) {
      std::copy(b.values[m].begin(), b.values[m].end(), mine.values[m].begin() + std::ptrdiff_t(at));
    }
    std::copy(b.status.begin(), b.status.end(), mine.status.begin() + std::ptrdiff_t(at));
  });
#ifdef VALENCE_APPS_MPI
  if (g.size > 1) {
    if (g.root()) {
      for (int r = 1; r < g.size; ++r) {
        const auto [a, b] = g.rows_of(rows, r);
        if (b == a) {
          continue;
        }
        map_block theirs;
        theirs.values.assign(maps, std::vector<float>(std::size_t((b - a) * cols)));
        theirs.status.assign(std::size_t((b - a) * cols), 0);
        for (std::size_t m = 0; m < maps; ++m) {
          MPI_Recv(theirs.values[m].data(), int(theirs.values[m].size()), MPI_FLOAT, r, int(m), MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
        }
        MPI_Recv(theirs.status.data(), int(theirs.status.size()), MPI_UINT8_T, r, int(maps), MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        write(a, b - a, theirs);
      }
    } else if (last > first) {
      for (std::size_t m = 0; m < maps; ++m) {
        MPI_Send(mine.values[m].data(), int(mine.values[m].size()), MPI_FLOAT, 0, int(m), MPI_COMM_WORLD);
      }
      MPI_Send(mine.status.data(), int(mine.status.size()), MPI_UINT8_T, 0, int(maps), MPI_COMM_WORLD);
    }
  }
#endif
  g.barrier();
}

}  // namespace valence_cli

#endif  // VALENCE_APPS_MAP_JOB_HPP
