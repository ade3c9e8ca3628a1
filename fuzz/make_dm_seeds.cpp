// SPDX-License-Identifier: MIT
// Writes small DM3 and DM4 seed files (both byte orders, a spectrum and a spectrum image) for
// the DM fuzzer: real files are hundreds of kilobytes, too large for quick mutation.
#include <valence_test/dm_writer.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_dm_seeds <directory>\n");
    return 2;
  }
  const std::string dir = argv[1];
  int n = 0;
  for (const int version : {3, 4}) {
    for (const bool little : {true, false}) {
      for (const bool cube : {false, true}) {
        valence_test::dm_writer w(version, little);
        w.begin(1);
        const std::vector<std::uint64_t> dims =
            cube ? std::vector<std::uint64_t>{2, 2, 8} : std::vector<std::uint64_t>{16};
        std::vector<double> values(cube ? 32 : 16);
        for (std::size_t i = 0; i < values.size(); ++i) {
          values[i] = 100.0 + double(i);
        }
        w.image("seed", cube ? valence::io::dm_type::float32 : valence::io::dm_type::int16, values, dims,
                std::vector<double>(dims.size(), 0.0), std::vector<double>(dims.size(), 0.5), u"eV");
        std::ofstream(dir + "/seed" + std::to_string(n++) + (version == 4 ? ".dm4" : ".dm3"), std::ios::binary)
            << w.bytes;
      }
    }
  }
  return 0;
}
