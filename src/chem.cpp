// SPDX-License-Identifier: MIT
// The valence::compiled library, chem: formula parsing and oxidation-state guesses.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/chem/composition.hpp>
#include <valence/chem/oxidation_guesses.hpp>

namespace valence::chem {

template composition parse_formula<>(std::string_view);
template std::vector<oxidation_state_guess> oxidation_state_guesses<>(const composition&,
                                                                      const oxidation_guess_options&);

}  // namespace valence::chem
