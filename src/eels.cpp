// SPDX-License-Identifier: MIT
// The valence::compiled library, eels: MLLS, power-law backgrounds, white-line ratios, instantiated once. The headers
// declare these instantiations extern under VALENCE_COMPILED_LIB; this file defines them.
#include <valence/eels/mlls.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/eels/white_line.hpp>

namespace valence::eels {

template mlls_result mlls<>(const vector_ref&, const vector_ref&, const matrix_ref&, const mlls_options&);
template power_law_result power_law_fit<>(const vector_ref&, const vector_ref&, const core::window<double>&,
                                          const power_law_options&);
template power_law_result power_law_fit<>(const vector_ref&, const vector_ref&, const core::window<double>&,
                                          power_law_method);
template background_subtraction subtract_power_law<>(const vector_ref&, const vector_ref&, const power_law_result&);
template white_line_result white_line_ratio<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                              const white_line_options&);
template white_line_result white_line_ratio<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                              const second_derivative_options&);

}  // namespace valence::eels
