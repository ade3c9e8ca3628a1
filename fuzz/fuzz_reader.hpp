// SPDX-License-Identifier: MIT
// The shape of every valence::io fuzzer: the input is handed to a reader as a stream; a
// valence::error (a clear parse_error or invalid_input) is an accepted outcome, anything else
// (a crash, a sanitizer report, another exception, a leak, a hang) is a finding.
#ifndef VALENCE_FUZZ_READER_HPP
#define VALENCE_FUZZ_READER_HPP

#include <valence/core/error.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace valence_fuzz {

template <typename Read>
int run(const std::uint8_t* data, std::size_t size, Read&& read) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    read(bytes);
  } catch (const valence::error&) {
    // Malformed input must end here, with a message; that is the reader doing its job.
  }
  return 0;
}

inline std::istringstream stream(const std::string& bytes) {
  return std::istringstream(bytes);
}

}  // namespace valence_fuzz

#endif  // VALENCE_FUZZ_READER_HPP
