// SPDX-License-Identifier: MIT
// The valence::compiled library, eels: MLLS, spectrum-image maps, power-law backgrounds, white-line ratios.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/eels/mlls.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/eels/spectrum_image.hpp>
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

template void fit_spectrum_image<float>(const vector_ref&, const spectrum_image_view<float>&, const matrix_ref&,
                                        const mlls_options&, spectrum_image_fit&,
                                        const std::function<bool(index, index)>&);
template void fit_spectrum_image<double>(const vector_ref&, const spectrum_image_view<double>&, const matrix_ref&,
                                         const mlls_options&, spectrum_image_fit&,
                                         const std::function<bool(index, index)>&);

}  // namespace valence::eels
