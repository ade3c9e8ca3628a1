// SPDX-License-Identifier: MIT
/// \file
/// \brief Chemical compositions with fractional amounts, and the parser of formula text.
#ifndef VALENCE_CHEM_COMPOSITION_HPP
#define VALENCE_CHEM_COMPOSITION_HPP

#include <valence/chem/element.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace valence::chem {

/// \brief Amounts of elements (moles per formula unit), in order of first appearance.
/// \ingroup chem
///
/// Amounts may be fractional (`LiNi0.6Mn0.2Co0.2O2`). Arithmetic adds element by element, keeping
/// the order in which elements first appeared, so formulas print the way they were written.
class composition {
 public:
  /// \brief One element and its amount.
  struct entry {
    const element* element_ptr;  ///< the element (points into periodic_table)
    double amount;               ///< moles per formula unit (>= 0)
  };

  /// \brief Adds \p amount of the element with symbol \p symbol.
  /// \param symbol element symbol, e.g. "O".
  /// \param amount moles per formula unit, finite and >= 0.
  /// \returns `*this`.
  /// \throws valence::invalid_input for an unknown symbol or a negative or non-finite amount.
  composition& add(std::string_view symbol, double amount) { return add(element_by_symbol(symbol), amount); }

  /// \brief Adds \p amount of element \p e.
  /// \param e an element of periodic_table.
  /// \param amount moles per formula unit, finite and >= 0.
  /// \returns `*this`.
  /// \throws valence::invalid_input for a negative or non-finite amount.
  composition& add(const element& e, double amount) {
    if (!(std::isfinite(amount) && amount >= 0)) {
      throw invalid_input(
          core::detail::message("valence::chem::composition::add", "amount of " + std::string(e.symbol) + " is " +
                                                                       core::detail::format_value(amount) +
                                                                       "; expected a finite value >= 0"));
    }
    for (auto& item : entries_) {
      if (item.element_ptr == &e) {
        item.amount += amount;
        return *this;
      }
    }
    entries_.push_back({&e, amount});
    return *this;
  }

  /// \brief Moles of the element with symbol \p symbol per formula unit (0 if absent).
  /// \param symbol element symbol.
  /// \returns the amount.
  /// \throws valence::invalid_input for an unknown symbol.
  [[nodiscard]] double amount(std::string_view symbol) const {
    const element& e = element_by_symbol(symbol);
    for (const auto& item : entries_) {
      if (item.element_ptr == &e) {
        return item.amount;
      }
    }
    return 0.0;
  }

  /// \brief Whether the element with symbol \p symbol is present with a non-zero amount.
  /// \param symbol element symbol.
  /// \returns true if present.
  /// \throws valence::invalid_input for an unknown symbol.
  [[nodiscard]] bool contains(std::string_view symbol) const { return amount(symbol) > 0; }

  /// \brief Atomic fraction \f$n_e / \sum_k n_k\f$ of the element with symbol \p symbol.
  /// \param symbol element symbol.
  /// \returns the fraction, 0..1 (0 if absent).
  /// \throws valence::invalid_input for an unknown symbol or an empty composition.
  [[nodiscard]] double atomic_fraction(std::string_view symbol) const {
    const double total = total_atoms();
    if (!(total > 0)) {
      throw invalid_input(core::detail::message("valence::chem::composition::atomic_fraction",
                                                "the composition is empty; expected at least one element"));
    }
    return amount(symbol) / total;
  }

  /// \brief The elements and amounts in order of first appearance.
  /// \returns the entries.
  [[nodiscard]] const std::vector<entry>& entries() const noexcept { return entries_; }

  /// \brief Number of distinct elements.
  /// \returns the count.
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  /// \brief Total number of atoms per formula unit, \f$\sum_e n_e\f$.
  /// \returns the sum of the amounts.
  [[nodiscard]] double total_atoms() const {
    double total = 0;
    for (const auto& item : entries_) {
      total += item.amount;
    }
    return total;
  }

  /// \brief Adds another composition element by element.
  /// \param other the composition to add.
  /// \returns `*this`.
  composition& operator+=(const composition& other) {
    for (const auto& item : other.entries_) {
      add(*item.element_ptr, item.amount);
    }
    return *this;
  }

  /// \brief Multiplies every amount by \p factor.
  /// \param factor finite and >= 0.
  /// \returns `*this`.
  /// \throws valence::invalid_input for a negative or non-finite factor.
  composition& operator*=(double factor) {
    if (!(std::isfinite(factor) && factor >= 0)) {
      throw invalid_input(core::detail::message(
          "valence::chem::composition::operator*=",
          "parameter 'factor' is " + core::detail::format_value(factor) + "; expected a finite value >= 0"));
    }
    for (auto& item : entries_) {
      item.amount *= factor;
    }
    return *this;
  }

  /// \brief The composition scaled so that element \p symbol has amount \p target (e.g. per 2 O).
  /// \param symbol the basis element; must be present.
  /// \param target its amount after scaling (> 0).
  /// \returns the scaled composition.
  /// \throws valence::invalid_input if the element is absent or \p target is not positive.
  [[nodiscard]] composition normalized_to(std::string_view symbol, double target) const {
    const double current = amount(symbol);
    if (!(current > 0) || !(std::isfinite(target) && target > 0)) {
      throw invalid_input(core::detail::message(
          "valence::chem::composition::normalized_to",
          "basis element '" + std::string(symbol) + "' has amount " + core::detail::format_value(current) +
              " and target " + core::detail::format_value(target) + "; expected a present element and a target > 0"));
    }
    composition out = *this;
    out *= target / current;
    return out;
  }

  /// \brief Formula text with amounts printed to up to 6 significant digits and amounts of 1 omitted,
  /// in order of first appearance (e.g. "LiNi0.6Mn0.2Co0.2O2").
  /// \returns the formula.
  [[nodiscard]] std::string formula() const {
    std::string out;
    for (const auto& item : entries_) {
      out += item.element_ptr->symbol;
      if (item.amount != 1.0) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", item.amount);
        out += buffer;
      }
    }
    return out;
  }

 private:
  std::vector<entry> entries_;
};

/// \brief Sum of two compositions.
/// \ingroup chem
/// \param a, b the compositions.
/// \returns \p a + \p b, in the order of first appearance in \p a then \p b.
[[nodiscard]] inline composition operator+(composition a, const composition& b) {
  return a += b;
}

/// \brief A composition scaled by \p factor.
/// \ingroup chem
/// \param a the composition.
/// \param factor finite and >= 0.
/// \returns the scaled composition.
/// \throws valence::invalid_input for a negative or non-finite factor.
[[nodiscard]] inline composition operator*(composition a, double factor) {
  return a *= factor;
}

/// \brief A composition in smallest whole numbers, and the factor that scales the original to it.
/// \ingroup chem
struct reduced_composition {
  composition reduced;  ///< the smallest whole-number formula with the same ratios (Fe2O3, Li5Ni3MnCoO10)
  double factor;        ///< reduced amounts = factor × original amounts
};

namespace detail {

/// Best rational approximation p/q of x >= 0 with q <= max_denominator (continued fractions).
inline std::pair<long long, long long> best_rational(double x, long long max_denominator) {
  long long p0 = 0, q0 = 1, p1 = 1, q1 = 0;
  double rest = x;
  for (int iteration = 0; iteration < 64; ++iteration) {
    const double whole = std::floor(rest);
    const auto a = static_cast<long long>(whole);
    if (q0 + a * q1 > max_denominator) {
      break;
    }
    const long long p2 = p0 + a * p1;
    const long long q2 = q0 + a * q1;
    p0 = p1, q0 = q1, p1 = p2, q1 = q2;
    if (rest - whole < 1e-15 || std::abs(x - static_cast<double>(p1) / static_cast<double>(q1)) <= 1e-15 * x) {
      break;
    }
    rest = 1 / (rest - whole);
  }
  return {p1, q1};
}

inline long long greatest_common_divisor(long long a, long long b) {
  while (b != 0) {
    const long long r = a % b;
    a = b;
    b = r;
  }
  return a;
}

}  // namespace detail

/// \brief The smallest whole-number formula with the same element ratios: Fe4O6 → Fe2O3 (factor 1/2),
/// LiNi0.6Mn0.2Co0.2O2 → Li5Ni3MnCoO10 (factor 5).
/// \ingroup chem
///
/// Each amount is replaced by its best rational approximation with denominator at most
/// \p max_denominator (continued fractions), which must match it to a relative 1e-9; the amounts are
/// brought to a common denominator and divided by their greatest common divisor. pymatgen's
/// `get_integer_formula_and_factor` does the same with a default of 10000.
/// \param c the composition.
/// \param max_denominator largest denominator tried, 1 to 1e6.
/// \returns the reduced composition, in the order of \p c, and the scale factor.
/// \throws valence::invalid_input for an empty composition, \p max_denominator out of range, or an
///         amount that no fraction with such a denominator matches (e.g. 0.123456789).
[[nodiscard]] inline reduced_composition reduce(const composition& c, long long max_denominator = 10000) {
  constexpr const char* function = "valence::chem::reduce";
  if (!(c.total_atoms() > 0)) {
    throw invalid_input(core::detail::message(function, "the composition is empty; expected at least one element"));
  }
  if (max_denominator < 1 || max_denominator > 1000000) {
    throw invalid_input(core::detail::message(
        function, "parameter 'max_denominator' is " + std::to_string(max_denominator) + "; expected 1 to 1000000"));
  }
  std::vector<std::pair<long long, long long>> fractions;
  long long common = 1;
  for (const auto& item : c.entries()) {
    const auto [p, q] = detail::best_rational(item.amount, max_denominator);
    if (std::abs(static_cast<double>(p) / static_cast<double>(q) - item.amount) > 1e-9 * item.amount) {
      throw invalid_input(core::detail::message(
          function, "the amount of " + std::string(item.element_ptr->symbol) + " is " +
                        core::detail::format_value(item.amount) + ", which no fraction with denominator <= " +
                        std::to_string(max_denominator) + " matches; expected a rational amount"));
    }
    common = common / detail::greatest_common_divisor(common, q) * q;
    if (common > 1000000000000LL) {
      throw invalid_input(core::detail::message(function, "the amounts of '" + c.formula() +
                                                              "' need a common denominator above 1e12; expected "
                                                              "amounts with fewer decimals"));
    }
    fractions.emplace_back(p, q);
  }
  long long divisor = 0;
  for (const auto& [p, q] : fractions) {
    if (static_cast<double>(p) * static_cast<double>(common / q) > 9e18) {
      throw invalid_input(core::detail::message(function, "the whole-number amounts of '" + c.formula() +
                                                              "' overflow 64-bit integers; expected smaller amounts"));
    }
    divisor = detail::greatest_common_divisor(divisor, p * (common / q));
  }
  reduced_composition out{{}, static_cast<double>(common) / static_cast<double>(divisor)};
  for (std::size_t i = 0; i < fractions.size(); ++i) {
    const auto [p, q] = fractions[i];
    out.reduced.add(*c.entries()[i].element_ptr, static_cast<double>(p * (common / q) / divisor));
  }
  return out;
}

namespace detail {

class formula_parser {
 public:
  explicit formula_parser(std::string_view text) : text_(text) {}

  composition parse() {
    skip_spaces();
    if (at_end()) {
      fail("the formula is empty", "an element symbol");
    }
    composition total;
    while (true) {
      total += adduct();
      skip_spaces();
      if (at_end()) {
        return total;
      }
      if (!separator()) {
        fail("unexpected '" + std::string(1, peek()) + "'", "an element, '(', '[', a number or a separator");
      }
      skip_spaces();
    }
  }

 private:
  // [coefficient] group...
  composition adduct() {
    double coefficient = 1.0;
    if (std::isdigit(static_cast<unsigned char>(peek())) || (peek() == '.' && next_is_digit())) {
      coefficient = number();
    }
    composition c = groups(0);
    if (c.size() == 0) {
      fail(at_end() ? "the formula ends after a coefficient" : "unexpected '" + std::string(1, peek()) + "'",
           "an element symbol or '('");
    }
    c *= coefficient;
    return c;
  }

  composition groups(int depth) {
    composition c;
    while (!at_end()) {
      const char ch = peek();
      if (std::isupper(static_cast<unsigned char>(ch))) {
        const element& e = symbol();
        c.add(e, subscript());
      } else if (ch == '(' || ch == '[') {
        const std::size_t open_at = pos_;
        const char close = ch == '(' ? ')' : ']';
        ++pos_;
        composition inner = groups(depth + 1);
        if (at_end() || peek() != close) {
          fail("'" + std::string(1, ch) + "' at position " + std::to_string(open_at) + " is not closed",
               std::string("'") + close + "'");
        }
        if (inner.size() == 0) {
          fail("empty group", "an element inside the brackets");
        }
        ++pos_;
        inner *= subscript();
        c += inner;
      } else if (ch == ')' || ch == ']') {
        if (depth == 0) {
          fail("unmatched '" + std::string(1, ch) + "'", "an element or the end of the formula");
        }
        return c;
      } else if (ch == '+' || ch == '-' || ch == '^') {
        fail("charges are not supported", "a neutral formula (write ions' charges separately)");
      } else {
        return c;
      }
    }
    return c;
  }

  const element& symbol() {
    const std::size_t start = pos_++;
    while (!at_end() && std::islower(static_cast<unsigned char>(peek()))) {
      ++pos_;
    }
    const std::string_view s = text_.substr(start, pos_ - start);
    for (const auto& e : periodic_table) {
      if (e.symbol == s) {
        return e;
      }
    }
    pos_ = start;
    try {
      (void)element_by_symbol(s);
    } catch (const invalid_input& unknown) {
      const std::string what = unknown.what();
      fail("'" + std::string(s) + "' is not an element", what.substr(what.find("expected ") + 9));
    }
    fail("'" + std::string(s) + "' is not an element", "an element symbol");
  }

  double subscript() {
    if (!at_end() && (std::isdigit(static_cast<unsigned char>(peek())) || (peek() == '.' && next_is_digit()))) {
      return number();
    }
    return 1.0;
  }

  // digits [. digits] | . digits  -- a '.' between digits is always a decimal point.
  double number() {
    const std::size_t start = pos_;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
      ++pos_;
    }
    if (!at_end() && peek() == '.' && next_is_digit()) {
      ++pos_;
      while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
        ++pos_;
      }
    }
    const std::string_view digits = text_.substr(start, pos_ - start);
    double value = 0;
    // std::from_chars ignores the locale: "0.5" is one half under a German locale too.
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
      pos_ = start;
      fail("'" + std::string(digits) + "' is not a number", "a decimal number");
    }
    return value;
  }

  // Adduct separators: U+00B7 middle dot (UTF-8 C2 B7, or Latin-1 B7), '*', or a '.' that cannot
  // be a decimal point (not followed by a digit, or with a space before it).
  bool separator() {
    const auto c = static_cast<unsigned char>(peek());
    if (c == 0xC2 && pos_ + 1 < text_.size() && static_cast<unsigned char>(text_[pos_ + 1]) == 0xB7) {
      pos_ += 2;
      return true;
    }
    if (c == 0xB7 || c == '*' || c == '.') {
      ++pos_;
      return true;
    }
    return false;
  }

  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek()))) {
      ++pos_;
    }
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool next_is_digit() const {
    return pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]));
  }

  [[noreturn]] void fail(const std::string& found, const std::string& expected) const {
    throw invalid_input(core::detail::message(
        "valence::chem::parse_formula", found + " at position " + std::to_string(pos_) + " of '" + std::string(text_) +
                                            "' (here: '" + std::string(text_.substr(0, pos_)) + "<-'); expected " +
                                            expected));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace detail

/// \brief Reads a chemical formula into a composition.
/// \ingroup chem
///
/// Accepted: element symbols with integer or decimal subscripts (`Li1.2Ni0.15Co0.1Mn0.55O2`),
/// nested `( )` and `[ ]` groups with multipliers (`Ca3(PO4)2`, `K4[Fe(CN)6]`), and adducts joined
/// by `·` (U+00B7), `*` or `.` with optional leading coefficients (`NiSO4·6H2O`,
/// `0.5Li2MnO3·0.5LiNi0.5Mn0.5O2`). Whitespace is allowed around separators and at the ends.
///
/// **The '.' rule.** A '.' between two digits is always a decimal point, so `NiSO4.6H2O` reads as
/// NiS O4.6 H2 O. Write hydrates as `NiSO4·6H2O`, `NiSO4*6H2O` or `NiSO4 . 6H2O`.
/// \param text the formula.
/// \returns the composition, elements in order of first appearance, repeated elements summed.
/// \throws valence::invalid_input for an empty formula, an unknown element (with the nearest valid
///         symbol), unbalanced or empty brackets, a charge, or any unexpected character; the message
///         gives the position and the text read so far.
template <class = void>
[[nodiscard]] composition parse_formula(std::string_view text) {
  return detail::formula_parser(text).parse();
}

}  // namespace valence::chem

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::chem {
extern template composition parse_formula<>(std::string_view);
}  // namespace valence::chem
#endif

#endif  // VALENCE_CHEM_COMPOSITION_HPP
