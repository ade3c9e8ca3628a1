// SPDX-License-Identifier: MIT
// A strict JSON (RFC 8259) value parser for the headers of binary formats (not part of the public
// API): objects keep their members in file order, numbers are doubles, strings are UTF-8 with their
// escapes decoded. Nesting is limited so that hostile input cannot exhaust the stack.
#ifndef VALENCE_IO_DETAIL_JSON_HPP
#define VALENCE_IO_DETAIL_JSON_HPP

#include <valence/io/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace valence::io::detail {

struct json_value {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<json_value> items;                            // array
  std::vector<std::pair<std::string, json_value>> members;  // object, in file order

  // The member `name` of an object, or nullptr.
  [[nodiscard]] const json_value* find(std::string_view name) const {
    for (const auto& member : members) {
      if (member.first == name) {
        return &member.second;
      }
    }
    return nullptr;
  }
};

// Parses one value starting at `position` (after leading blanks) and leaves `position` after it.
// Returns an empty optional with `error` set (a description and the byte offset in `position`) on
// malformed input.
class json_parser {
 public:
  explicit json_parser(std::string_view text) : text_(text) {}

  std::optional<json_value> parse(std::size_t& position, std::string& error) {
    position_ = position;
    json_value value;
    if (!value_at(value, 0)) {
      error = error_;
      position = position_;
      return std::nullopt;
    }
    position = position_;
    return value;
  }

 private:
  static constexpr int max_depth = 64;

  bool fail(const std::string& message) {
    error_ = message;
    return false;
  }

  void blanks() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                        text_[position_] == '\n' || text_[position_] == '\r')) {
      ++position_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) {
      return fail("expected a JSON value");
    }
    position_ += word.size();
    return true;
  }

  bool value_at(json_value& out, int depth) {
    if (depth > max_depth) {
      return fail("JSON nested deeper than 64 levels");
    }
    blanks();
    if (position_ >= text_.size()) {
      return fail("the JSON ends early");
    }
    const char c = text_[position_];
    if (c == '{') {
      return object(out, depth);
    }
    if (c == '[') {
      return array(out, depth);
    }
    if (c == '"') {
      out.type = json_value::kind::string;
      return string(out.text);
    }
    if (c == 't' || c == 'f') {
      out.type = json_value::kind::boolean;
      out.boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out.type = json_value::kind::null;
      return literal("null");
    }
    return number(out);
  }

  bool object(json_value& out, int depth) {
    out.type = json_value::kind::object;
    ++position_;  // '{'
    blanks();
    if (position_ < text_.size() && text_[position_] == '}') {
      ++position_;
      return true;
    }
    while (true) {
      blanks();
      std::string name;
      if (position_ >= text_.size() || text_[position_] != '"') {
        return fail("expected a quoted member name");
      }
      if (!string(name)) {
        return false;
      }
      blanks();
      if (position_ >= text_.size() || text_[position_] != ':') {
        return fail("expected ':' after a member name");
      }
      ++position_;
      json_value member;
      if (!value_at(member, depth + 1)) {
        return false;
      }
      out.members.emplace_back(std::move(name), std::move(member));
      blanks();
      if (position_ < text_.size() && text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (position_ < text_.size() && text_[position_] == '}') {
        ++position_;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(json_value& out, int depth) {
    out.type = json_value::kind::array;
    ++position_;  // '['
    blanks();
    if (position_ < text_.size() && text_[position_] == ']') {
      ++position_;
      return true;
    }
    while (true) {
      json_value item;
      if (!value_at(item, depth + 1)) {
        return false;
      }
      out.items.push_back(std::move(item));
      blanks();
      if (position_ < text_.size() && text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (position_ < text_.size() && text_[position_] == ']') {
        ++position_;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  bool hex4(std::uint32_t& code) {
    if (position_ + 4 > text_.size()) {
      return fail("a \\u escape ends early");
    }
    code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[position_++];
      code <<= 4;
      if (h >= '0' && h <= '9') {
        code |= std::uint32_t(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        code |= std::uint32_t(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        code |= std::uint32_t(h - 'A' + 10);
      } else {
        return fail("a \\u escape holds a character that is not hexadecimal");
      }
    }
    return true;
  }

  bool string(std::string& out) {
    ++position_;  // '"'
    while (position_ < text_.size()) {
      const char c = text_[position_++];
      if (c == '"') {
        if (!is_utf8(out)) {
          return fail("a string is not UTF-8");
        }
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail("a control character inside a string");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (position_ >= text_.size()) {
        break;
      }
      const char e = text_[position_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::uint32_t code = 0;
          if (!hex4(code)) {
            return false;
          }
          if (code >= 0xD800 && code < 0xDC00) {  // a surrogate pair
            std::uint32_t low = 0;
            if (text_.substr(position_, 2) != "\\u") {
              return fail("a high surrogate without its low half");
            }
            position_ += 2;
            if (!hex4(low)) {
              return false;
            }
            if (low < 0xDC00 || low > 0xDFFF) {
              return fail("a high surrogate without its low half");
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return fail("a low surrogate alone");
          }
          append_utf8(out, code);
          break;
        }
        default:
          return fail("an unknown escape in a string");
      }
    }
    return fail("a string is not closed");
  }

  bool number(json_value& out) {
    const std::size_t begin = position_;
    if (position_ < text_.size() && text_[position_] == '-') {
      ++position_;
    }
    const auto digits = [&] {
      const std::size_t start = position_;
      while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
        ++position_;
      }
      return position_ - start;
    };
    const std::size_t integer_start = position_;
    const std::size_t integer = digits();
    if (integer == 0 || (integer > 1 && text_[integer_start] == '0')) {
      position_ = begin;
      return fail("expected a JSON value");
    }
    if (position_ < text_.size() && text_[position_] == '.') {
      ++position_;
      if (digits() == 0) {
        return fail("a number has no digits after its decimal point");
      }
    }
    if (position_ < text_.size() && (text_[position_] == 'e' || text_[position_] == 'E')) {
      ++position_;
      if (position_ < text_.size() && (text_[position_] == '+' || text_[position_] == '-')) {
        ++position_;
      }
      if (digits() == 0) {
        return fail("a number has no digits in its exponent");
      }
    }
    const auto value = parse_number(text_.substr(begin, position_ - begin));
    if (!value) {
      return fail("a number out of the range of double");
    }
    out.type = json_value::kind::number;
    out.number = *value;
    return true;
  }

  std::string_view text_;
  std::size_t position_ = 0;
  std::string error_;
};

}  // namespace valence::io::detail

#endif  // VALENCE_IO_DETAIL_JSON_HPP
