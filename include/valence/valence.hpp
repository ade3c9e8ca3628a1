// SPDX-License-Identifier: MIT
/// \file
/// \brief Umbrella header: includes every public header of valence.
#ifndef VALENCE_VALENCE_HPP
#define VALENCE_VALENCE_HPP

#include <valence/chem/capacity.hpp>
#include <valence/chem/composition.hpp>
#include <valence/chem/element.hpp>
#include <valence/chem/layered.hpp>
#include <valence/chem/molar_mass.hpp>
#include <valence/chem/oxidation.hpp>
#include <valence/chem/oxidation_guesses.hpp>
#include <valence/config.hpp>
#include <valence/core/check.hpp>
#include <valence/core/constants.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/propagation.hpp>
#include <valence/core/smooth.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/echem/cycling.hpp>
#include <valence/echem/dqdv.hpp>
#include <valence/echem/gitt.hpp>
#include <valence/echem/gitt_analyze.hpp>
#include <valence/echem/gitt_ici.hpp>
#include <valence/echem/gitt_segment.hpp>
#include <valence/eels/mlls.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/eels/spectrum_image.hpp>
#include <valence/eels/white_line.hpp>
#include <valence/fit/bound_state.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/fit/least_squares_options.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/fit/lineshape_model.hpp>
#include <valence/fit/lineshapes.hpp>
#include <valence/fit/model_selection.hpp>
#include <valence/fit/pca.hpp>
#include <valence/io/msa.hpp>
#include <valence/synth/gitt.hpp>
#include <valence/version.hpp>
#include <valence/xas/calibration.hpp>
#include <valence/xas/deglitch.hpp>
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/edge_metrics.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/lcf.hpp>
#include <valence/xas/merge.hpp>
#include <valence/xas/normalize_stack.hpp>
#include <valence/xas/oxidation_calibration.hpp>
#include <valence/xas/pre_edge.hpp>
#include <valence/xas/soft_xas.hpp>

#endif  // VALENCE_VALENCE_HPP
