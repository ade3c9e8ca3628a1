// SPDX-License-Identifier: MIT
// The O K-edge RIXS scene of a layered-oxide cathode and the heat map of a measured RIXS map,
// shared by the RIXS examples (not part of the library).
#ifndef VALENCE_EXAMPLES_OXYGEN_RIXS_HPP
#define VALENCE_EXAMPLES_OXYGEN_RIXS_HPP

#include <valence/rixs/rixs_map.hpp>
#include <valence/synth/rixs.hpp>

#include "svg_plot.hpp"

#include <string>

namespace oxygen_rixs {

/// One cathode state at the O K edge: the elastic line, self-absorbed O K-alpha fluorescence, the
/// TM 3d - O 2p hybridised states at 529.5 eV and, with `oxidised` > 0 photons/s, the
/// oxidised-oxygen feature at 531 eV excitation and 523.7 eV emission.
inline valence::synth::rixs_scene scene(double oxidised) {
  valence::synth::rixs_scene s;
  s.elastic_rate = 150;
  s.fluorescence_emission = 525.0;  // O K-alpha
  s.fluorescence_width = 1.6;
  s.fluorescence_rate = 600;
  s.edge_energy = 533.0;
  s.edge_width = 1.0;
  s.white_line = 0.6;
  s.alpha = 3.0;                                          // a thick sample's self-absorption of the fluorescence
  s.features.push_back({529.5, 524.8, 0.5, 0.6, 250.0});  // TM 3d - O 2p hybridised states
  if (oxidised > 0) {
    s.features.push_back({531.0, 523.7, 0.35, 0.25, oxidised});
  }
  s.background_rate = 30;
  return s;
}

/// The heat map of a RIXS map (emission across, excitation down), colour scale 0 to `v_max`.
inline svg_plot::heat_map heat_map(const valence::rixs::rixs_map& m, const std::string& title,
                                   const std::string& value_label, double v_max) {
  svg_plot::heat_map map;
  map.title = title;
  map.x_label = "emission energy (eV)";
  map.y_label = "excitation energy (eV)";
  map.value_label = value_label;
  map.values = m.intensity;
  map.x0 = m.emission(0);
  map.dx = m.emission(1) - m.emission(0);
  map.y0 = m.excitation(0);
  map.dy = m.excitation(1) - m.excitation(0);
  map.v_min = 0;
  map.v_max = v_max;
  map.width = 720;
  map.height = 360;
  return map;
}

}  // namespace oxygen_rixs

#endif  // VALENCE_EXAMPLES_OXYGEN_RIXS_HPP
