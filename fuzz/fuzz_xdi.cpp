// SPDX-License-Identifier: MIT
// libFuzzer target: read_xdi, then write_xdi of whatever it accepted (a read file must write).
#include <valence/io/xdi.hpp>

#include "fuzz_reader.hpp"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    const auto file = valence::io::read_xdi(in, "<fuzz>");
    std::ostringstream out;
    valence::io::write_xdi(out, file);
  });
}
