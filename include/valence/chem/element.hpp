// SPDX-License-Identifier: MIT
/// \file
/// \brief The periodic table: symbols, names, IUPAC 2021 standard atomic weights, common oxidation states.
#ifndef VALENCE_CHEM_ELEMENT_HPP
#define VALENCE_CHEM_ELEMENT_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace valence::chem {

/// \defgroup chem Chemistry
/// \brief Elements, formulas, molar masses and capacities.

/// \brief One chemical element.
/// \ingroup chem
///
/// Atomic weights are the IUPAC 2021 standard atomic weights (T. Prohaska et al., *Standard atomic
/// weights of the elements 2021*, Pure Appl. Chem. 94, 573 (2022), doi:10.1515/pac-2019-0603),
/// in g/mol: the full standard value where IUPAC gives one, and the IUPAC *conventional* value where
/// it gives an interval (H 1.008, Li 6.94, B 10.81, C 12.011, N 14.007, O 15.999, Mg 24.305,
/// Si 28.085, S 32.06, Cl 35.45, Ar 39.95, Br 79.904, Tl 204.38, Pb 207.2). Elements without a
/// standard atomic weight (no stable isotope of characteristic terrestrial composition) have NaN.
/// Common oxidation states are the principal ones of N. N. Greenwood and A. Earnshaw, *Chemistry of
/// the Elements*, 2nd ed. (1997), most common first.
struct element {
  int atomic_number;                                   ///< Z
  std::string_view symbol;                             ///< IUPAC symbol, e.g. "Mn"
  std::string_view name;                               ///< IUPAC name in English, e.g. "manganese"
  double atomic_weight;                                ///< standard (or conventional) atomic weight, g/mol; NaN if none
  std::array<std::int8_t, 5> common_oxidation_states;  ///< principal oxidation states, most common first
  int oxidation_state_count;                           ///< how many entries of common_oxidation_states are used

  /// \brief Whether IUPAC gives this element a standard atomic weight.
  /// \returns false for elements such as Tc, Pm and the actinides after U.
  [[nodiscard]] bool has_atomic_weight() const { return !std::isnan(atomic_weight); }
};

namespace detail {
inline constexpr double no_weight = std::numeric_limits<double>::quiet_NaN();
}  // namespace detail

/// \brief Elements 1 (H) to 118 (Og), indexed by Z - 1.
/// \ingroup chem
inline constexpr std::array<element, 118> periodic_table = {{

    {1, "H", "hydrogen", 1.008, {1, -1}, 2},
    {2, "He", "helium", 4.002602, {}, 0},
    {3, "Li", "lithium", 6.94, {1}, 1},
    {4, "Be", "beryllium", 9.0121831, {2}, 1},
    {5, "B", "boron", 10.81, {3}, 1},
    {6, "C", "carbon", 12.011, {4, 2, -4}, 3},
    {7, "N", "nitrogen", 14.007, {-3, 3, 5}, 3},
    {8, "O", "oxygen", 15.999, {-2}, 1},
    {9, "F", "fluorine", 18.998403162, {-1}, 1},
    {10, "Ne", "neon", 20.1797, {}, 0},
    {11, "Na", "sodium", 22.98976928, {1}, 1},
    {12, "Mg", "magnesium", 24.305, {2}, 1},
    {13, "Al", "aluminium", 26.9815384, {3}, 1},
    {14, "Si", "silicon", 28.085, {4, -4}, 2},
    {15, "P", "phosphorus", 30.973761998, {5, 3, -3}, 3},
    {16, "S", "sulfur", 32.06, {-2, 2, 4, 6}, 4},
    {17, "Cl", "chlorine", 35.45, {-1, 1, 3, 5, 7}, 5},
    {18, "Ar", "argon", 39.95, {}, 0},
    {19, "K", "potassium", 39.0983, {1}, 1},
    {20, "Ca", "calcium", 40.078, {2}, 1},
    {21, "Sc", "scandium", 44.955907, {3}, 1},
    {22, "Ti", "titanium", 47.867, {4, 3, 2}, 3},
    {23, "V", "vanadium", 50.9415, {5, 4, 3, 2}, 4},
    {24, "Cr", "chromium", 51.9961, {3, 6, 2}, 3},
    {25, "Mn", "manganese", 54.938043, {2, 3, 4, 7}, 4},
    {26, "Fe", "iron", 55.845, {2, 3}, 2},
    {27, "Co", "cobalt", 58.933194, {2, 3, 4}, 3},
    {28, "Ni", "nickel", 58.6934, {2, 3, 4}, 3},
    {29, "Cu", "copper", 63.546, {2, 1}, 2},
    {30, "Zn", "zinc", 65.38, {2}, 1},
    {31, "Ga", "gallium", 69.723, {3}, 1},
    {32, "Ge", "germanium", 72.630, {4, 2}, 2},
    {33, "As", "arsenic", 74.921595, {3, 5, -3}, 3},
    {34, "Se", "selenium", 78.971, {-2, 4, 6}, 3},
    {35, "Br", "bromine", 79.904, {-1, 1, 5}, 3},
    {36, "Kr", "krypton", 83.798, {}, 0},
    {37, "Rb", "rubidium", 85.4678, {1}, 1},
    {38, "Sr", "strontium", 87.62, {2}, 1},
    {39, "Y", "yttrium", 88.905838, {3}, 1},
    {40, "Zr", "zirconium", 91.224, {4}, 1},
    {41, "Nb", "niobium", 92.90637, {5, 3}, 2},
    {42, "Mo", "molybdenum", 95.95, {6, 4}, 2},
    {43, "Tc", "technetium", detail::no_weight, {7, 4}, 2},
    {44, "Ru", "ruthenium", 101.07, {3, 4}, 2},
    {45, "Rh", "rhodium", 102.90549, {3}, 1},
    {46, "Pd", "palladium", 106.42, {2, 4}, 2},
    {47, "Ag", "silver", 107.8682, {1}, 1},
    {48, "Cd", "cadmium", 112.414, {2}, 1},
    {49, "In", "indium", 114.818, {3}, 1},
    {50, "Sn", "tin", 118.710, {4, 2}, 2},
    {51, "Sb", "antimony", 121.760, {3, 5, -3}, 3},
    {52, "Te", "tellurium", 127.60, {-2, 4, 6}, 3},
    {53, "I", "iodine", 126.90447, {-1, 1, 5, 7}, 4},
    {54, "Xe", "xenon", 131.293, {}, 0},
    {55, "Cs", "caesium", 132.90545196, {1}, 1},
    {56, "Ba", "barium", 137.327, {2}, 1},
    {57, "La", "lanthanum", 138.90547, {3}, 1},
    {58, "Ce", "cerium", 140.116, {3, 4}, 2},
    {59, "Pr", "praseodymium", 140.90766, {3}, 1},
    {60, "Nd", "neodymium", 144.242, {3}, 1},
    {61, "Pm", "promethium", detail::no_weight, {3}, 1},
    {62, "Sm", "samarium", 150.36, {3, 2}, 2},
    {63, "Eu", "europium", 151.964, {3, 2}, 2},
    {64, "Gd", "gadolinium", 157.25, {3}, 1},
    {65, "Tb", "terbium", 158.925354, {3, 4}, 2},
    {66, "Dy", "dysprosium", 162.500, {3}, 1},
    {67, "Ho", "holmium", 164.930329, {3}, 1},
    {68, "Er", "erbium", 167.259, {3}, 1},
    {69, "Tm", "thulium", 168.934219, {3}, 1},
    {70, "Yb", "ytterbium", 173.045, {3, 2}, 2},
    {71, "Lu", "lutetium", 174.9668, {3}, 1},
    {72, "Hf", "hafnium", 178.486, {4}, 1},
    {73, "Ta", "tantalum", 180.94788, {5}, 1},
    {74, "W", "tungsten", 183.84, {6, 4}, 2},
    {75, "Re", "rhenium", 186.207, {7, 4}, 2},
    {76, "Os", "osmium", 190.23, {4, 8}, 2},
    {77, "Ir", "iridium", 192.217, {3, 4}, 2},
    {78, "Pt", "platinum", 195.084, {2, 4}, 2},
    {79, "Au", "gold", 196.966570, {3, 1}, 2},
    {80, "Hg", "mercury", 200.592, {2, 1}, 2},
    {81, "Tl", "thallium", 204.38, {1, 3}, 2},
    {82, "Pb", "lead", 207.2, {2, 4}, 2},
    {83, "Bi", "bismuth", 208.98040, {3}, 1},
    {84, "Po", "polonium", detail::no_weight, {4, 2}, 2},
    {85, "At", "astatine", detail::no_weight, {-1}, 1},
    {86, "Rn", "radon", detail::no_weight, {}, 0},
    {87, "Fr", "francium", detail::no_weight, {1}, 1},
    {88, "Ra", "radium", detail::no_weight, {2}, 1},
    {89, "Ac", "actinium", detail::no_weight, {3}, 1},
    {90, "Th", "thorium", 232.0377, {4}, 1},
    {91, "Pa", "protactinium", 231.03588, {5}, 1},
    {92, "U", "uranium", 238.02891, {6, 4}, 2},
    {93, "Np", "neptunium", detail::no_weight, {5}, 1},
    {94, "Pu", "plutonium", detail::no_weight, {4}, 1},
    {95, "Am", "americium", detail::no_weight, {3}, 1},
    {96, "Cm", "curium", detail::no_weight, {3}, 1},
    {97, "Bk", "berkelium", detail::no_weight, {3}, 1},
    {98, "Cf", "californium", detail::no_weight, {3}, 1},
    {99, "Es", "einsteinium", detail::no_weight, {3}, 1},
    {100, "Fm", "fermium", detail::no_weight, {3}, 1},
    {101, "Md", "mendelevium", detail::no_weight, {3}, 1},
    {102, "No", "nobelium", detail::no_weight, {2}, 1},
    {103, "Lr", "lawrencium", detail::no_weight, {3}, 1},
    {104, "Rf", "rutherfordium", detail::no_weight, {4}, 1},
    {105, "Db", "dubnium", detail::no_weight, {5}, 1},
    {106, "Sg", "seaborgium", detail::no_weight, {6}, 1},
    {107, "Bh", "bohrium", detail::no_weight, {7}, 1},
    {108, "Hs", "hassium", detail::no_weight, {8}, 1},
    {109, "Mt", "meitnerium", detail::no_weight, {}, 0},
    {110, "Ds", "darmstadtium", detail::no_weight, {}, 0},
    {111, "Rg", "roentgenium", detail::no_weight, {}, 0},
    {112, "Cn", "copernicium", detail::no_weight, {2}, 1},
    {113, "Nh", "nihonium", detail::no_weight, {}, 0},
    {114, "Fl", "flerovium", detail::no_weight, {}, 0},
    {115, "Mc", "moscovium", detail::no_weight, {}, 0},
    {116, "Lv", "livermorium", detail::no_weight, {}, 0},
    {117, "Ts", "tennessine", detail::no_weight, {}, 0},
    {118, "Og", "oganesson", detail::no_weight, {}, 0},

}};

namespace detail {

// Damerau-free Levenshtein distance, small strings only (symbols and names).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::array<std::size_t, 32> previous{};
  std::array<std::size_t, 32> current{};
  if (a.size() >= previous.size() || b.size() >= previous.size()) {
    return a == b ? 0 : std::max(a.size(), b.size());
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    previous = current;
  }
  return previous[b.size()];
}

}  // namespace detail

/// \brief The element with symbol \p symbol (case-sensitive, as chemists write it).
/// \ingroup chem
/// \param symbol e.g. "Ni".
/// \returns the element's entry in periodic_table.
/// \throws valence::invalid_input for an unknown symbol, naming the nearest valid symbols (e.g.
///         "NI" suggests "Ni").
[[nodiscard]] inline const element& element_by_symbol(std::string_view symbol) {
  for (const auto& e : periodic_table) {
    if (e.symbol == symbol) {
      return e;
    }
  }
  std::string suggestion;
  std::size_t best = 99;
  for (const auto& e : periodic_table) {
    std::string lowered(symbol);
    std::string candidate(e.symbol);
    for (auto& c : lowered) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (auto& c : candidate) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const std::size_t d = lowered == candidate ? 0 : detail::edit_distance(lowered, candidate) + 1;
    if (d < best) {
      best = d;
      suggestion = std::string(e.symbol);
    }
  }
  throw invalid_input(core::detail::message("valence::chem::element_by_symbol",
                                            "parameter 'symbol' is '" + std::string(symbol) +
                                                "', which is not an element; expected a symbol such as '" + suggestion +
                                                "'"));
}

/// \brief The element with atomic number \p z.
/// \ingroup chem
/// \param z atomic number, 1 to 118.
/// \returns the element's entry in periodic_table.
/// \throws valence::invalid_input for \p z outside 1..118.
[[nodiscard]] inline const element& element_by_number(int z) {
  if (z < 1 || z > static_cast<int>(periodic_table.size())) {
    throw invalid_input(core::detail::message("valence::chem::element_by_number",
                                              "parameter 'z' is " + std::to_string(z) + "; expected 1 to 118"));
  }
  return periodic_table[static_cast<std::size_t>(z - 1)];
}

}  // namespace valence::chem

#endif  // VALENCE_CHEM_ELEMENT_HPP
