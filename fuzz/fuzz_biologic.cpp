// SPDX-License-Identifier: MIT
// libFuzzer target: read_biologic_mpt.
#include <valence/io/biologic.hpp>

#include "fuzz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    (void)valence::io::read_biologic_mpt(in, "<fuzz>");
  });
}
