// SPDX-License-Identifier: MIT
// The text layer shared by the readers of valence::io (not part of the public API): whole-file
// input, a line cursor that accepts LF, CRLF and CR, field splitting without allocation, number
// parsing that ignores the user's locale, and Latin-1 text.
#ifndef VALENCE_IO_DETAIL_TEXT_HPP
#define VALENCE_IO_DETAIL_TEXT_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <ios>
#include <istream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace valence::io::detail {

// The whole stream. Text files are read once into memory: the parsers then work on views of it,
// which is what lets them reach disk speed.
inline std::string read_all(std::istream& in) {
  // A seekable stream (a file) is read in one call into a buffer of its size; others are copied
  // through a string stream.
  const auto start = in.tellg();
  if (start != std::istream::pos_type(-1) && in.seekg(0, std::ios::end)) {
    const auto size = static_cast<std::streamoff>(in.tellg() - start);
    in.seekg(start);
    std::string text(static_cast<std::size_t>(size), '\0');
    if (size > 0 && in.read(text.data(), size)) {
      return text;
    }
    if (size == 0) {
      return text;
    }
    in.clear();
    in.seekg(start);
  }
  in.clear();
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

// The file, opened for binary reading; parse_error at line 0 when it cannot be.
inline std::ifstream open_input(const std::string& path, const char* expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw parse_error(path, 0, std::string("cannot open the file; expected ") + expected);
  }
  return in;
}

// Creates the file and runs write(stream); invalid_input when it cannot be created or written.
template <typename Write>
void write_output(const std::string& path, const char* function, const Write& write) {
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    throw invalid_input(core::detail::message(function, "cannot create '" + path + "'; expected a writable path"));
  }
  write(out);
  if (!out) {
    throw invalid_input(core::detail::message(function, "writing '" + path + "' failed"));
  }
}

// Lines of a buffer. LF, CRLF and a lone CR all end a line (XDI allows each; old Mac exports use
// CR). number() is the 1-based number of the line last returned.
class line_cursor {
 public:
  explicit line_cursor(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (position_ >= text_.size()) {
      return false;
    }
    // Two memchr scans (vectorised) rather than find_first_of, which tests every byte against
    // both characters one call at a time and dominated the reading time.
    const char* begin = text_.data() + position_;
    const std::size_t rest = text_.size() - position_;
    const auto* newline = newline_seen_ ? static_cast<const char*>(std::memchr(begin, '\n', rest)) : nullptr;
    newline_seen_ = newline != nullptr;  // none left: CR-only text need not be searched again
    const std::size_t span = newline ? std::size_t(newline - begin) : rest;
    const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', span));
    const std::size_t length = cr ? std::size_t(cr - begin) : span;
    line = text_.substr(position_, length);
    position_ += length;
    if (position_ < text_.size()) {
      position_ += (text_[position_] == '\r' && position_ + 1 < text_.size() && text_[position_ + 1] == '\n') ? 2 : 1;
    }
    ++number_;
    return true;
  }

  [[nodiscard]] std::size_t number() const noexcept { return number_; }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t number_ = 0;
  bool newline_seen_ = true;
};

constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}

inline std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A finite number filling the whole token, written in C syntax with `decimal` as the decimal
// mark ('.' or ','); nothing otherwise. std::from_chars ignores the locale, so "1.5" reads the
// same under a German locale, and it is several times faster than strtod.
inline std::optional<double> parse_number(std::string_view token, char decimal = '.') {
  token = trim(token);
  if (!token.empty() && token.front() == '+') {
    token.remove_prefix(1);
    if (token.empty() || token.front() == '-' || token.front() == '+') {
      return std::nullopt;
    }
  }
  if (token.empty()) {
    return std::nullopt;
  }
  char copy[64];
  if (decimal != '.') {
    // No number needs 64 characters; refusing longer tokens keeps this path allocation-free.
    if (token.size() > sizeof copy || token.find('.') != std::string_view::npos) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < token.size(); ++i) {
      copy[i] = token[i] == decimal ? '.' : token[i];
    }
    token = std::string_view(copy, token.size());
  }
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Splits a line into fields. delimiter 0: runs of blanks and tabs separate fields, and leading or
// trailing blanks make none. Otherwise each `delimiter` separates two fields (which are trimmed),
// so "a,,b" has an empty middle field; a single trailing delimiter (EC-Lab ends every line with a
// tab) does not add an empty last field.
inline void split_fields(std::string_view line, char delimiter, std::vector<std::string_view>& fields) {
  fields.clear();
  if (delimiter == 0) {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && is_blank(line[i])) {
        ++i;
      }
      const std::size_t start = i;
      while (i < line.size() && !is_blank(line[i])) {
        ++i;
      }
      if (i > start) {
        fields.push_back(line.substr(start, i - start));
      }
    }
    return;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(delimiter, start);
    if (end == std::string_view::npos) {
      if (start < line.size() || fields.empty()) {
        fields.push_back(trim(line.substr(start)));
      }
      return;
    }
    fields.push_back(trim(line.substr(start, end - start)));
    start = end + 1;
    if (start == line.size()) {
      return;
    }
  }
}

inline bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

// Appends code point c as UTF-8.
inline void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Text that is not valid UTF-8 is taken as Latin-1 (EC-Lab and many beamline programs write the
// degree and micro signs that way) and converted; valid UTF-8 is returned unchanged.
inline std::string to_utf8(std::string_view s) {
  if (is_utf8(s)) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size() + 8);
  for (const char ch : s) {
    append_utf8(out, static_cast<unsigned char>(ch));  // Latin-1 bytes are code points
  }
  return out;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// Quotes a piece of input for an error message, cut to a readable length.
inline std::string quote(std::string_view s) {
  constexpr std::size_t shown = 60;
  return "'" + std::string(s.substr(0, shown)) + (s.size() > shown ? "...'" : "'");
}

}  // namespace valence::io::detail

#endif  // VALENCE_IO_DETAIL_TEXT_HPP
