// SPDX-License-Identifier: MIT
// A writer of small OFF files (the TES record format of valence::io::read_off), for the tests and
// the fuzzer's seeds: a JSON header, the model and records with known values.
#ifndef VALENCE_TEST_OFF_WRITER_HPP
#define VALENCE_TEST_OFF_WRITER_HPP

#include <cstdint>
#include <cstring>
#include <string>

namespace valence_test {

template <typename T>
void put_little_endian(std::string& out, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  if (first == 0) {  // a big-endian host: reverse
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) {
      const unsigned char t = bytes[i];
      bytes[i] = bytes[sizeof(T) - 1 - i];
      bytes[sizeof(T) - 1 - i] = t;
    }
  }
  out.append(reinterpret_cast<const char*>(bytes), sizeof(T));
}

/// An OFF file of `records` records with 2 samples and `bases` bases: projector and basis values
/// 0.5 k in file order; record i has frame count 100 + i, time 1000 + i ns, pretrigger mean 7.5,
/// pretrigger delta -1 (0.3.0), residual 0.25 and coefficient b = 10 i + b.
inline std::string make_off(const std::string& version, int bases, int records, const std::string& extra_header = "") {
  std::string out = "{\n  \"FileFormat\": \"OFF\",\n  \"FileFormatVersion\": \"" + version +
                    "\",\n  \"FramePeriodSeconds\": 4.8e-06,\n  \"NumberOfBases\": " + std::to_string(bases) +
                    ",\n  \"ChannelName\": \"chan9\",\n  \"ChannelNumberMatchingName\": 9,\n" + extra_header +
                    "  \"ModelInfo\": {\"Projectors\": {\"Rows\": " + std::to_string(bases) +
                    ", \"Cols\": 2}, \"Basis\": {\"Rows\": 2, \"Cols\": " + std::to_string(bases) + "}}\n}\n";
  for (int k = 0; k < 2 * 2 * bases; ++k) {
    put_little_endian(out, 0.5 * k);
  }
  for (int i = 0; i < records; ++i) {
    put_little_endian(out, std::int32_t(2));
    put_little_endian(out, std::int32_t(1));
    put_little_endian(out, std::int64_t(100 + i));
    put_little_endian(out, std::int64_t(1000 + i));
    put_little_endian(out, float(7.5));
    if (version == "0.3.0") {
      put_little_endian(out, float(-1));
    }
    put_little_endian(out, float(0.25));
    for (int b = 0; b < bases; ++b) {
      put_little_endian(out, float(10 * i + b));
    }
  }
  return out;
}

}  // namespace valence_test

#endif  // VALENCE_TEST_OFF_WRITER_HPP
