// SPDX-License-Identifier: MIT
// The valence::compiled library, xas: linear combination fitting, scan merging.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/xas/lcf.hpp>
#include <valence/xas/lcf_all.hpp>
#include <valence/xas/merge.hpp>

namespace valence::xas {

template lcf_result lcf<>(const vector_ref&, const vector_ref&, const std::vector<lcf_standard>&, const lcf_options&);
template std::vector<lcf_all_entry> lcf_all<>(const vector_ref&, const vector_ref&, const std::vector<lcf_standard>&,
                                              const lcf_options&, const lcf_all_options&);
template merged_scans merge_scans<>(const std::vector<vector_x<double>>&, const std::vector<vector_x<double>>&,
                                    const merge_options&);

}  // namespace valence::xas
