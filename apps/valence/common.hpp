// SPDX-License-Identifier: MIT
// What every command of the `valence` command line shares: the process group (one process or
// the ranks of an MPI job), the progress bar, parsing of windows and sizes, reading one spectrum
// from any supported file, and CSV output.
#ifndef VALENCE_APPS_COMMON_HPP
#define VALENCE_APPS_COMMON_HPP

#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#ifdef VALENCE_APPS_MPI
#include <mpi.h>
#endif

namespace valence_cli {

using index = valence::core::index;

// The processes of a job: rank r of size, 0 of 1 without MPI.
struct group {
  int rank = 0;
  int size = 1;
  [[nodiscard]] bool root() const { return rank == 0; }
  // Rows [first, last) of `rows` that rank `r` takes: contiguous, as even as possible.
  [[nodiscard]] std::pair<index, index> rows_of(index rows, int r) const {
    return {rows * r / size, rows * (r + 1) / size};
  }
  [[nodiscard]] std::pair<index, index> my_rows(index rows) const { return rows_of(rows, rank); }
  // Throws on every rank unless all ranks computed the same fingerprint of their input, so that a
  // job whose ranks read different files (or the same path on different nodes' disks) stops with a
  // message instead of writing a mixture.
  void check_same_input(std::uint64_t fingerprint, const std::string& what) const;
  void barrier() const;
  // The sums over ranks of `counts` (each rank's counts of something), on every rank.
  void sum(std::vector<std::size_t>& counts) const;
};

// FNV-1a over bytes: the fingerprint of a job's input (shape, axes, options).
inline void fingerprint_add(std::uint64_t& h, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    h = (h ^ p[i]) * 1099511628211ULL;
  }
}
inline std::uint64_t fingerprint_start() {
  return 1469598103934665603ULL;
}

inline void group::check_same_input(std::uint64_t fingerprint, const std::string& what) const {
#ifdef VALENCE_APPS_MPI
  if (size > 1) {
    std::uint64_t low = fingerprint;
    std::uint64_t high = fingerprint;
    MPI_Allreduce(&fingerprint, &low, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&fingerprint, &high, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (low != high) {
      throw valence::invalid_input("the ranks disagree on the input (" + what +
                                   " differ between them); expected every rank to read the same file with the "
                                   "same options");
    }
  }
#else
  (void)fingerprint;
  (void)what;
#endif
}

inline void group::sum(std::vector<std::size_t>& counts) const {
#ifdef VALENCE_APPS_MPI
  if (size > 1) {
    std::vector<unsigned long long> mine(counts.begin(), counts.end());
    std::vector<unsigned long long> all(mine.size());
    MPI_Allreduce(mine.data(), all.data(), int(mine.size()), MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    counts.assign(all.begin(), all.end());
  }
#else
  (void)counts;
#endif
}

inline void group::barrier() const {
#ifdef VALENCE_APPS_MPI
  if (size > 1) {
    MPI_Barrier(MPI_COMM_WORLD);
  }
#endif
}

// A progress bar on stderr, with rate and time left, redrawn at most 5 times a second; silent when
// disabled (--quiet, not a terminal, or not rank 0).
class progress_bar {
 public:
  progress_bar(std::string label, std::string unit, bool enabled)
      : label_(std::move(label)), unit_(std::move(unit)), enabled_(enabled), start_(clock::now()), last_(start_) {}
  // Returns true (never cancels): the signature of the library's progress callbacks.
  bool operator()(index done, index total) {
    if (!enabled_) {
      return true;
    }
    const auto now = clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(200)) {
      return true;
    }
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? double(done) / seconds : 0;
    const double left = rate > 0 ? double(total - done) / rate : 0;
    const int width = 30;
    const int filled = total > 0 ? int(double(width) * double(done) / double(total)) : width;
    std::fprintf(stderr, "\r%s [%s%s] %5.1f%%  %.3g %s/s  %s %.0f s ", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), total > 0 ? 100.0 * double(done) / double(total) : 100.0,
                 rate, unit_.c_str(), done < total ? "left" : "took", done < total ? left : seconds);
    if (done >= total) {
      std::fputc('\n', stderr);
    }
    return true;
  }

 private:
  using clock = std::chrono::steady_clock;
  std::string label_, unit_;
  bool enabled_;
  clock::time_point start_, last_;
};

// "LO:HI" (eV) as a pair; throws naming the option.
std::pair<double, double> parse_window(const std::string& option, const std::string& text);
// "256M", "4G", "1000000" (bytes) as bytes; throws naming the option.
std::size_t parse_bytes(const std::string& option, const std::string& text);

// One spectrum from a file: XDI, EMSA/MSA, a HyperSpy signal of one spectrum, an NXxas entry, or
// columns of text. `column` selects the values of text and XDI files: a label, "A/B" or "ln(A/B)"
// (e.g. "ln(i0/itrans)" for transmission μ); empty: the second column.
struct spectrum {
  std::string source;
  std::string name;  // a short name: the file's stem
  std::vector<double> energy;
  std::vector<double> values;
};
spectrum read_spectrum(const std::string& path, const std::string& column = "");

// Writes a CSV file (or stdout for "-"): comment lines, a header row, the numeric columns and,
// when `text` is not empty, a last column of words (e.g. flags) headed `text_header`.
void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& columns, const std::vector<std::string>& comments = {},
               const std::string& text_header = "", const std::vector<std::string>& text = {});

}  // namespace valence_cli

#endif  // VALENCE_APPS_COMMON_HPP
