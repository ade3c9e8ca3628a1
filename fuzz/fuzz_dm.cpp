// SPDX-License-Identifier: MIT
// libFuzzer target: read_dm, then the values of every numeric image into float and double.
#include <valence/io/dm.hpp>

#include "fuzz_reader.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return valence_fuzz::run(data, size, [](const std::string& bytes) {
    auto in = valence_fuzz::stream(bytes);
    const auto file = valence::io::read_dm(in, "<fuzz>");
    for (const auto& image : file.images) {
      if (image.element == valence::io::dm_type::none) {
        continue;
      }
      // read_dm checked the count against the file size, so this allocation is bounded by it.
      std::vector<double> values(static_cast<std::size_t>(image.count));
      valence::io::read_dm_data(in, file, image, values.data(), "<fuzz>");
      std::vector<float> single(static_cast<std::size_t>(image.count));
      valence::io::read_dm_data(in, file, image, single.data(), "<fuzz>");
    }
  });
}
