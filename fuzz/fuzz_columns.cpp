// SPDX-License-Identifier: MIT
// libFuzzer target: read_columns with detected delimiters, then with decimal commas.
#include <valence/io/columns.hpp>

#include "fuzz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    (void)valence::io::read_columns(in, "<fuzz>");
  });
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    valence::io::column_options options;
    options.decimal = ',';
    (void)valence::io::read_columns(in, "<fuzz>", options);
  });
}
