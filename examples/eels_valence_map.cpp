// SPDX-License-Identifier: MIT
// EELS valence map as in the study of cycled NMC: the two reference spectra are the mean spectra
// of the surface and the bulk of the particle itself (power law removed), every pixel is fitted
// with S = b1 A E^-r + b2 S_surface + b3 S_bulk, and the fraction map shows where the reduced
// surface phase sits; L3/L2 white-line ratios of surface, transition zone and bulk follow.
//
//   eels_valence_map
//
// A synthetic 32 x 32 Mn L2,3 spectrum image (Poisson counts): a particle whose outer shell
// (radius > 14 px) is all "surface" phase, whose core (radius < 8 px) is all "bulk", with a linear
// transition between. Figures (SVG) and the profile (CSV) go to figures/eels_valence_map/: the
// fraction map with the profile's path, the surface-to-bulk profile against the construction, and
// the references with one pixel's fit and residual.
#include <valence/eels/mlls.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/eels/spectrum_image.hpp>
#include <valence/eels/white_line.hpp>
#include <valence/maps/line_profile.hpp>
#include <valence/synth/eels.hpp>

#include "support/figures.hpp"
#include "support/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

namespace {

using valence::vector_d;
using valence::core::index;
using mask = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;

double radius(index y, index x) {
  return std::hypot(double(y) - 15.5, double(x) - 15.5);
}

double surface_fraction(index y, index x) {
  return std::clamp((radius(y, x) - 8.0) / 6.0, 0.0, 1.0);
}

mask ring(double inner, double outer) {
  mask m(32, 32);
  for (index y = 0; y < 32; ++y) {
    for (index x = 0; x < 32; ++x) {
      m(y, x) = radius(y, x) >= inner && radius(y, x) < outer;
    }
  }
  return m;
}

// A region's mean spectrum with its own power law removed, and the variance of that mean.
struct region_spectrum {
  vector_d signal;
  vector_d variance;
};

region_spectrum background_free(const vector_d& energy, const valence::eels::spectrum_image_view<double>& view,
                                const mask& region) {
  index pixels = 0;
  const vector_d mean = valence::eels::region_mean(view, region, &pixels);
  valence::eels::power_law_options o;
  o.method = valence::eels::power_law_method::poisson;
  const auto background = valence::eels::power_law_fit(energy, mean, {605.0, 635.0}, o);
  return {valence::eels::subtract_power_law(energy, mean, background).signal, mean / double(pixels)};
}

// Energy of the largest signal within [from, to] eV.
double maximum_between(const vector_d& energy, const vector_d& signal, double from, double to) {
  double best = from;
  double height = -1e300;
  for (index i = 0; i < energy.size(); ++i) {
    if (energy(i) >= from && energy(i) <= to && signal(i) > height) {
      height = signal(i);
      best = energy(i);
    }
  }
  return best;
}

using svg_plot::as_vector;

// The figures of the study: the fraction map, the profile from the particle's centre outwards
// (3 pixels wide) against the construction, and one pixel's spectrum with its fit.
void write_figures(const vector_d& energy, const valence::eels::spectrum_image_view<double>& view,
                   const valence::matrix_d& references, const valence::eels::mlls_options& options,
                   const valence::eels::spectrum_image_fit& maps) {
  const auto dir = figures::folder("eels_valence_map");
  const valence::maps::map_point centre{15.5, 15.5};
  const valence::maps::map_point edge{31.0, 15.5};
  valence::maps::line_profile_options across;
  across.width = 3;
  const auto profile = valence::maps::line_profile(maps.fractions[0], maps.fraction_errors[0], centre, edge, across);

  svg_plot::heat_map map;
  map.title = "Surface-phase (Mn2+-like) fraction, MLLS per pixel";
  map.x_label = "x (pixel)";
  map.y_label = "y (pixel)";
  map.value_label = "surface-phase fraction";
  map.values = maps.fractions[0];
  map.v_min = 0;
  map.v_max = 1;
  map.path = {{centre.x, centre.y}, {edge.x, edge.y}};
  svg_plot::write_heat_map((dir / "fraction_map.svg").string(), map);

  svg_plot::line_plot p;
  p.title = "Surface-to-bulk profile (3 px wide)";
  p.x_label = "distance from the particle centre (pixel)";
  p.y_label = "surface-phase fraction";
  svg_plot::series fitted{as_vector(profile.distance),
                          as_vector(profile.value),
                          as_vector(profile.error),
                          "MLLS, +-1 sigma",
                          0,
                          false,
                          true};
  std::vector<double> r;
  std::vector<double> f;
  for (double d = 0; d <= 15.5; d += 0.1) {
    r.push_back(d);
    f.push_back(std::clamp((d - 8.0) / 6.0, 0.0, 1.0));  // surface_fraction() at radius d
  }
  svg_plot::series truth{r, f, {}, "construction", 1, true, false, true};
  p.data = {fitted, truth};
  p.y_min = -0.1;
  p.y_max = 1.1;
  svg_plot::write_line_plot((dir / "profile.svg").string(), p);
  std::ofstream csv(dir / "profile.csv");
  csv << "distance_px,fraction,error\n";
  for (index k = 0; k < profile.value.size(); ++k) {
    csv << profile.distance(k) << "," << profile.value(k) << "," << profile.error(k) << "\n";
  }

  // One pixel of the transition zone: data, fit, the fitted background and the residual.
  const index y = 15;
  const index x = 26;
  vector_d spectrum(energy.size());
  for (index c = 0; c < energy.size(); ++c) {
    spectrum(c) = view(y, x, c);
  }
  const auto one = valence::eels::mlls(energy, spectrum, references, options);
  vector_d background(one.energy.size());
  for (index i = 0; i < background.size(); ++i) {
    background(i) = one.coefficients(2) * one.background(one.energy(i));
  }
  svg_plot::line_plot s;
  s.title = "Pixel (26, 15): data, MLLS fit and residual";
  s.x_label = "energy loss (eV)";
  s.y_label = "counts per 0.25 eV channel";
  s.data = {{as_vector(one.energy),
             as_vector(spectrum.segment(one.channels.begin, one.channels.size)),
             {},
             "data",
             6,
             false,
             true},
            {as_vector(one.energy), as_vector(one.fit), {}, "fit", 1},
            {as_vector(one.energy), as_vector(background), {}, "power law (scaled)", 0, true, false, true},
            {as_vector(one.energy), as_vector(one.residual), {}, "residual", 2}};
  svg_plot::write_line_plot((dir / "pixel_fit.svg").string(), s);
  std::printf("\nsurface-to-bulk profile (3 px wide), fraction +- error against the construction:\n");
  for (index k = 0; k < profile.value.size(); k += 3) {
    std::printf("  %5.1f px  %6.3f +- %.3f  (%.3f)\n", profile.distance(k), profile.value(k), profile.error(k),
                std::clamp((profile.distance(k) - 8.0) / 6.0, 0.0, 1.0));
  }
  std::printf("figures: %s/{fraction_map,profile,pixel_fit}.svg, profile.csv\n", dir.string().c_str());
}

}  // namespace

int main() {
  valence::synth::eels_image_model model;
  model.fraction = surface_fraction;
  const auto truth = valence::synth::synthetic_eels_image(model);
  const auto view = truth.image.view();
  const vector_d& energy = truth.energy;

  // References from the image itself: the outer shell and the core.
  const auto surface = background_free(energy, view, ring(14.5, 100));
  const auto bulk = background_free(energy, view, ring(0, 6));
  valence::matrix_d references(energy.size(), 2);
  references.col(0) = surface.signal;
  references.col(1) = bulk.signal;

  valence::eels::mlls_options options;
  options.fit_window = {636.0, 690.0};
  options.background_window = {605.0, 635.0};
  options.power_law.method = valence::eels::power_law_method::poisson;
  options.weighting = valence::eels::mlls_weighting::poisson;
  const auto maps = valence::eels::fit_spectrum_image(energy, view, references, options);
  std::printf("%lld pixels fitted, %lld failed\n", static_cast<long long>(32 * 32 - maps.failed()),
              static_cast<long long>(maps.failed()));

  std::printf("\nsurface-phase fraction (4 x 4 pixel blocks, 0-9 for 0.0-0.9, # for >= 0.95):\n");
  for (Eigen::Index by = 0; by < 8; ++by) {
    for (Eigen::Index bx = 0; bx < 8; ++bx) {
      const double f = maps.fractions[0].block(4 * by, 4 * bx, 4, 4).mean();
      std::printf("%c", f >= 0.95 ? '#' : static_cast<char>('0' + std::clamp(static_cast<int>(f * 10), 0, 9)));
    }
    std::printf("\n");
  }
  double worst = 0;
  double mean_sigma = 0;
  for (Eigen::Index y = 0; y < 32; ++y) {
    for (Eigen::Index x = 0; x < 32; ++x) {
      worst = std::max(worst, std::abs(maps.fractions[0](y, x) - truth.fraction(y, x)) / maps.fraction_errors[0](y, x));
      mean_sigma += maps.fraction_errors[0](y, x) / (32 * 32);
    }
  }
  std::printf("fraction error: mean sigma %.3f, largest |fit - truth| = %.1f sigma\n", mean_sigma, worst);

  write_figures(energy, view, references, options, maps);

  std::printf("\nL3/L2 white-line ratios (double-step method, steps at the maxima):\n");
  struct named_region {
    const char* name;
    double inner, outer;
  };
  for (const auto& r :
       {named_region{"surface", 14.5, 100}, named_region{"transition", 9.5, 12.5}, named_region{"bulk", 0, 6}}) {
    const auto s = background_free(energy, view, ring(r.inner, r.outer));
    valence::eels::white_line_options w;
    const auto onsets = valence::eels::l23_edge_onsets("Mn");
    w.l3_energy = maximum_between(energy, s.signal, onsets.l3 - 4, onsets.l3 + 6);
    w.l2_energy = maximum_between(energy, s.signal, onsets.l2 - 2, onsets.l2 + 8);
    w.continuum_window = {668.0, 685.0};
    const auto ratio = valence::eels::white_line_ratio(energy, s.signal, s.variance, w);
    std::printf("%-10s L3/L2 = %.3f +- %.3f  (L3 at %.2f eV, L2 at %.2f eV)\n", r.name, ratio.ratio, ratio.ratio_error,
                w.l3_energy, w.l2_energy);
  }
  return 0;
}
