// SPDX-License-Identifier: MIT
// libFuzzer target: read_msa, then write_msa of whatever it accepted.
#include <valence/io/msa.hpp>

#include "fuzz_reader.hpp"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    const auto spectrum = valence::io::read_msa(in, "<fuzz>");
    std::ostringstream out;
    valence::io::write_msa(out, spectrum);
  });
}
