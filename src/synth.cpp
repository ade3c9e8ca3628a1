// SPDX-License-Identifier: MIT
// The valence::compiled library, synth: synthetic EELS images and GITT records.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/synth/eels.hpp>
#include <valence/synth/gitt.hpp>

namespace valence::synth {

template vector_d l23_reference<>(const vector_ref&, const l23_edge&);
template eels_image synthetic_eels_image<>(const eels_image_model&);
template gitt_record synthetic_gitt<>(const gitt_experiment&);

}  // namespace valence::synth
