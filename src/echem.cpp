// SPDX-License-Identifier: MIT
// The valence::compiled library, echem: GITT and ICI analysis, cycle splitting, dQ/dV.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/echem/gitt_ici.hpp>
#include <valence/echem/gitt_segment.hpp>

namespace valence::echem {

template cycling_record split_cycles<>(const vector_ref&, const vector_ref&, const vector_ref&, const cycling_options&);
template differential_capacity_result differential_capacity<>(const vector_ref&, const vector_ref&,
                                                              const differential_capacity_options&);
template peak_track track_peak<>(const std::vector<differential_capacity_result>&, double, double);

}  // namespace valence::echem

namespace valence::echem::gitt {

template std::vector<step_result> analyze<>(const vector_ref&, const vector_ref&, const vector_ref&, const electrode&,
                                            const analyze_options&);
template std::vector<interruption_result> ici<>(const vector_ref&, const vector_ref&, const vector_ref&, double,
                                                const ici_options&);
template std::vector<interruption_result> ici<>(const vector_ref&, const vector_ref&, const vector_ref&,
                                                const electrode&, const ici_options&);
template segmentation segment<>(const vector_ref&, const vector_ref&, const vector_ref&, const segment_options&);

}  // namespace valence::echem::gitt
