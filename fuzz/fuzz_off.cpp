// SPDX-License-Identifier: MIT
// libFuzzer target: read_off (with and without a partial last record allowed), and the same bytes
// as an experiment-state file.
#include <valence/io/experiment_state.hpp>
#include <valence/io/off.hpp>

#include "fuzz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    valence::io::off_options options;
    options.allow_partial_record = true;
    const auto off = valence::io::read_off(in, "<fuzz>", options);
    if (off.bases >= 3) {
      (void)off.pulse_heights();
    }
  });
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    (void)valence::io::read_experiment_state(in, "<fuzz>");
  });
}
