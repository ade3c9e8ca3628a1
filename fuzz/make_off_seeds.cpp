// SPDX-License-Identifier: MIT
// Writes small OFF seed files (versions 0.2.0 and 0.3.0, one to five bases) and an experiment-state
// file for the OFF fuzzer: a real channel is megabytes, too large for quick mutation.
#include <valence_test/off_writer.hpp>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_off_seeds <directory>\n");
    return 2;
  }
  const std::string dir = argv[1];
  int n = 0;
  for (const char* version : {"0.2.0", "0.3.0"}) {
    for (const int bases : {1, 3, 5}) {
      std::ofstream(dir + "/seed" + std::to_string(n++) + ".off", std::ios::binary)
          << valence_test::make_off(version, bases, 6);
    }
  }
  std::ofstream(dir + "/experiment_state.txt", std::ios::binary)
      << "# unix time in nanoseconds, state label\n1000, START\n1001, CAL0\n1003, SCAN1\n1005, STOP\n";
  return 0;
}
