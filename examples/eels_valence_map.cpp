// SPDX-License-Identifier: MIT
// EELS valence maps as in the study of cycled NMC: for each of Mn, Co and Ni, the two reference
// spectra are the mean spectra of the surface and the bulk of the particle itself (power law
// removed), every pixel is fitted with S = b1 A E^-r + b2 S_surface + b3 S_bulk (+ a constant:
// the continua of the lighter metals' edges lie under the heavier ones), and the fraction maps show
// where the reduced surface phases sit; a surface-to-bulk profile and the L3/L2 white-line ratios
// of surface, transition zone and bulk follow.
//
//   eels_valence_map
//   eels_valence_map IMAGE.dm4 surface=Y0:Y1,X0:X1 bulk=Y0:Y1,X0:X1 background=LO:HI fit=LO:HI
//
// Without arguments: a synthetic 32 x 32 spectrum image, 600-900 eV at 0.25 eV (Poisson counts)
// of a particle whose outer shell is the reduced surface phase of each metal (Mn2+-, Co2+- and
// Ni2+-like) and whose core is the bulk phase, each metal with its own transition zone.
// Figures (SVG) and the profile (CSV) go to figures/eels_valence_map/: the three fraction maps
// with the profile's path, the profiles against the construction, and one pixel's fit.
// With a DM3/DM4 spectrum image: the references are the mean spectra of the two rectangles
// (rows Y0 to Y1 - 1, columns X0 to X1 - 1), the power law is fitted in the background window and
// the fit window is fitted at every pixel (energies in eV); the fraction map is printed and drawn.
#include <valence/eels/mlls.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/eels/spectrum_image.hpp>
#include <valence/eels/white_line.hpp>
#include <valence/io/dm_dataset.hpp>
#include <valence/maps/line_profile.hpp>
#include <valence/synth/eels.hpp>

#include "support/figures.hpp"
#include "support/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using valence::matrix_d;
using valence::vector_d;
using valence::core::index;
using mask = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;
using svg_plot::as_vector;

// ---- The metals of the synthetic particle ------------------------------------------------------

struct metal {
  const char* symbol;
  valence::synth::l23_edge surface;  // the reduced surface phase
  valence::synth::l23_edge bulk;
  double inner;  // the transition zone: all bulk below this radius (pixels), all surface above outer
  double outer;
  valence::core::window<double> background;  // eV: pre-edge window of the power law
  valence::core::window<double> fit;         // eV
  valence::core::window<double> continuum;   // eV: after L2, for the white-line ratio
};

const metal metals[] = {{"Mn",
                         {640.0, 651.0, 4000, 1500, 1.3, 300},
                         {643.5, 654.5, 2600, 1400, 1.5, 300},
                         8,
                         14,
                         {605, 635},
                         {636, 690},
                         {668, 685}},
                        {"Co",
                         {778.0, 793.2, 2500, 1000, 1.2, 200},
                         {779.8, 795.0, 1900, 900, 1.4, 200},
                         11,
                         15,
                         {740, 772},
                         {773, 830},
                         {806, 826}},
                        {"Ni",
                         {852.8, 870.2, 2200, 800, 1.2, 150},
                         {854.2, 871.6, 1700, 750, 1.5, 150},
                         5,
                         13,
                         {815, 847},
                         {848, 899},
                         {881, 898}}};

constexpr index size = 32;

double radius(index y, index x) {
  return std::hypot(double(y) - 15.5, double(x) - 15.5);
}

double surface_fraction(const metal& m, double r) {
  return std::clamp((r - m.inner) / (m.outer - m.inner), 0.0, 1.0);
}

mask ring(double inner, double outer) {
  mask m(size, size);
  for (index y = 0; y < size; ++y) {
    for (index x = 0; x < size; ++x) {
      m(y, x) = radius(y, x) >= inner && radius(y, x) < outer;
    }
  }
  return m;
}

// The particle: Mn, Co and Ni edges, each a mixture of its surface and bulk phases, on one power
// law (synth::synthetic_eels_image per metal without noise, summed, then Poisson counts).
valence::eels::spectrum_image particle(vector_d& energy) {
  valence::eels::spectrum_image sum;
  for (const auto& m : metals) {
    valence::synth::eels_image_model model;
    model.channels = 1200;
    model.rows = size;
    model.cols = size;
    model.first = m.surface;
    model.second = m.bulk;
    model.fraction = [&m](index y, index x) { return surface_fraction(m, radius(y, x)); };
    model.noise = false;
    model.amplitude = &m == &metals[0] ? 4e12 : 0.0;  // the power law once
    auto part = valence::synth::synthetic_eels_image(model);
    if (sum.data.empty()) {
      sum = std::move(part.image);
      energy = part.energy;
    } else {
      for (std::size_t i = 0; i < sum.data.size(); ++i) {
        sum.data[i] += part.image.data[i];
      }
    }
  }
  std::mt19937_64 generator(1);
  for (double& value : sum.data) {
    value = double(std::poisson_distribution<long long>(value)(generator));
  }
  return sum;
}

// A region's mean spectrum with its own power law (fitted in `background`) removed, and the
// variance of that mean.
struct region_spectrum {
  vector_d signal;
  vector_d variance;
};

template <typename T>
region_spectrum background_free(const vector_d& energy, const valence::eels::spectrum_image_view<T>& view,
                                const mask& region, const valence::core::window<double>& background) {
  index pixels = 0;
  const vector_d mean = valence::eels::region_mean(view, region, &pixels);
  valence::eels::power_law_options o;
  o.method = valence::eels::power_law_method::poisson;
  const auto law = valence::eels::power_law_fit(energy, mean, background, o);
  return {valence::eels::subtract_power_law(energy, mean, law).signal, mean / double(pixels)};
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

valence::eels::mlls_options fit_options(const valence::core::window<double>& background,
                                        const valence::core::window<double>& fit, bool constant) {
  valence::eels::mlls_options options;
  options.fit_window = fit;
  options.background_window = background;
  options.power_law.method = valence::eels::power_law_method::poisson;
  options.weighting = valence::eels::mlls_weighting::poisson;
  options.constant = constant;
  return options;
}

// The fraction map in 4 x 4 pixel blocks: 0-9 for 0.0-0.9, # for >= 0.95, . where no pixel fitted.
void print_blocks(const matrix_d& fraction) {
  for (index by = 0; by < (fraction.rows() + 3) / 4; ++by) {
    std::printf("  ");
    for (index bx = 0; bx < (fraction.cols() + 3) / 4; ++bx) {
      const auto block = fraction.block(4 * by, 4 * bx, std::min<index>(4, fraction.rows() - 4 * by),
                                        std::min<index>(4, fraction.cols() - 4 * bx));
      const double f = block.mean();
      std::printf("%c", !std::isfinite(f) ? '.'
                        : f >= 0.95       ? '#'
                                          : static_cast<char>('0' + std::clamp(static_cast<int>(f * 10), 0, 9)));
    }
    std::printf("\n");
  }
}

void write_map(const std::filesystem::path& file, const std::string& title, const matrix_d& fraction,
               const std::vector<std::pair<double, double>>& path) {
  svg_plot::heat_map map;
  map.title = title;
  map.x_label = "x (pixel)";
  map.y_label = "y (pixel)";
  map.value_label = "surface-phase fraction";
  map.values = fraction;
  map.v_min = 0;
  map.v_max = 1;
  map.path = path;
  svg_plot::write_heat_map(file.string(), map);
}

int synthetic() {
  vector_d energy;
  const auto image = particle(energy);
  const auto view = image.view();
  const auto dir = figures::folder("eels_valence_map");
  const valence::maps::map_point centre{15.5, 15.5};
  const valence::maps::map_point edge{31.0, 15.5};
  svg_plot::line_plot profiles;
  profiles.title = "Surface-to-bulk profiles (3 px wide)";
  profiles.x_label = "distance from the particle centre (pixel)";
  profiles.y_label = "surface-phase fraction";
  profiles.y_min = -0.1;
  profiles.y_max = 1.1;
  profiles.legend_left = true;
  std::ofstream csv(dir / "profile.csv");
  csv << "metal,distance_px,fraction,error\n";
  std::printf("synthetic particle: %lld x %lld pixels, %lld channels (600-900 eV), Mn, Co and Ni L2,3 edges\n",
              static_cast<long long>(size), static_cast<long long>(size), static_cast<long long>(energy.size()));
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& m = metals[k];
    // References from the image itself: the outer shell and the core.
    const auto surface = background_free(energy, view, ring(14.5 + (m.outer > 14 ? 0.6 : 0.0), 100), m.background);
    const auto bulk = background_free(energy, view, ring(0, std::min(m.inner, 6.0) - 0.5), m.background);
    matrix_d references(energy.size(), 2);
    references.col(0) = surface.signal;
    references.col(1) = bulk.signal;
    const auto options = fit_options(m.background, m.fit, k > 0);
    const auto maps = valence::eels::fit_spectrum_image(energy, view, references, options);
    double worst = 0;
    double mean_sigma = 0;
    double z2 = 0;
    for (index y = 0; y < size; ++y) {
      for (index x = 0; x < size; ++x) {
        const double z = (maps.fractions[0](y, x) - surface_fraction(m, radius(y, x))) / maps.fraction_errors[0](y, x);
        worst = std::max(worst, std::abs(z));
        z2 += z * z / (size * size);
        mean_sigma += maps.fraction_errors[0](y, x) / (size * size);
      }
    }
    std::printf("\n%s: %lld pixels fitted, %lld failed; surface-phase fraction (4 x 4 blocks):\n", m.symbol,
                static_cast<long long>(size * size - maps.failed()), static_cast<long long>(maps.failed()));
    print_blocks(maps.fractions[0]);
    std::printf("  fraction error: mean sigma %.3f, mean z^2 %.2f, largest |fit - truth| = %.1f sigma\n", mean_sigma,
                z2, worst);
    write_map(dir / (std::string(m.symbol) + "_fraction_map.svg"),
              std::string("Surface-phase fraction of ") + m.symbol + ", MLLS per pixel", maps.fractions[0],
              {{centre.x, centre.y}, {edge.x, edge.y}});
    if (k == 0) {  // the README's snapshot keeps its name
      write_map(dir / "fraction_map.svg", "Surface-phase (Mn2+-like) fraction, MLLS per pixel", maps.fractions[0],
                {{centre.x, centre.y}, {edge.x, edge.y}});
    }
    valence::maps::line_profile_options across;
    across.width = 3;
    const auto profile = valence::maps::line_profile(maps.fractions[0], maps.fraction_errors[0], centre, edge, across);
    std::vector<double> r;
    std::vector<double> f;
    for (double d = 0; d <= 15.5; d += 0.1) {
      r.push_back(d);
      f.push_back(surface_fraction(m, d));
    }
    profiles.data.push_back({as_vector(profile.distance), as_vector(profile.value), as_vector(profile.error), m.symbol,
                             int(k), false, true});
    profiles.data.push_back({r, f, {}, std::string(m.symbol) + " construction", int(k), true, false, true});
    for (index j = 0; j < profile.value.size(); ++j) {
      csv << m.symbol << "," << profile.distance(j) << "," << profile.value(j) << "," << profile.error(j) << "\n";
    }
    std::printf("  profile from the centre (3 px wide): ");
    for (index j = 0; j < profile.value.size(); j += 4) {
      std::printf("%.0f px %.3f+-%.3f (%.3f)  ", profile.distance(j), profile.value(j), profile.error(j),
                  surface_fraction(m, profile.distance(j)));
    }
    std::printf("\n");

    std::printf("  L3/L2 white-line ratios (double-step method, steps at the maxima):\n");
    struct named_region {
      const char* name;
      mask region;
    };
    const double middle = 0.5 * (m.inner + m.outer);
    for (const auto& region : {named_region{"surface", ring(14.5 + (m.outer > 14 ? 0.6 : 0.0), 100)},
                               named_region{"transition", ring(middle - 1.5, middle + 1.5)},
                               named_region{"bulk", ring(0, std::min(m.inner, 6.0) - 0.5)}}) {
      const auto s = background_free(energy, view, region.region, m.background);
      valence::eels::white_line_options w;
      const auto onsets = valence::eels::l23_edge_onsets(m.symbol);
      w.l3_energy = maximum_between(energy, s.signal, onsets.l3 - 4, onsets.l3 + 6);
      w.l2_energy = maximum_between(energy, s.signal, onsets.l2 - 2, onsets.l2 + 8);
      w.continuum_window = m.continuum;
      const auto ratio = valence::eels::white_line_ratio(energy, s.signal, s.variance, w);
      std::printf("  %-10s L3/L2 = %.3f +- %.3f  (L3 at %.2f eV, L2 at %.2f eV)\n", region.name, ratio.ratio,
                  ratio.ratio_error, w.l3_energy, w.l2_energy);
    }
    if (k == 0) {
      // One pixel of the Mn transition zone: data, fit, the fitted background and the residual.
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
      s.title = "Pixel (26, 15), Mn L2,3: data, MLLS fit and residual";
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
    }
  }
  svg_plot::write_line_plot((dir / "profile.svg").string(), profiles);
  std::printf("\nfigures: %s/{Mn,Co,Ni}_fraction_map.svg, fraction_map.svg, profile.svg, pixel_fit.svg, profile.csv\n",
              dir.string().c_str());
  return 0;
}

// ---- A real spectrum image ----------------------------------------------------------------------

struct rectangle {
  index y0, y1, x0, x1;
};

// Parses "name=A:B,C:D" into a rectangle or "name=LO:HI" into a window; throws naming the argument.
rectangle parse_rectangle(const std::string& argument, const std::string& name) {
  rectangle r{};
  long long v[4];
  if (argument.rfind(name + "=", 0) != 0 ||
      std::sscanf(argument.c_str() + name.size() + 1, "%lld:%lld,%lld:%lld", &v[0], &v[1], &v[2], &v[3]) != 4) {
    throw std::invalid_argument("argument '" + argument + "'; expected " + name + "=Y0:Y1,X0:X1");
  }
  r = {index(v[0]), index(v[1]), index(v[2]), index(v[3])};
  return r;
}

valence::core::window<double> parse_window(const std::string& argument, const std::string& name) {
  double lo = 0;
  double hi = 0;
  if (argument.rfind(name + "=", 0) != 0 || std::sscanf(argument.c_str() + name.size() + 1, "%lf:%lf", &lo, &hi) != 2) {
    throw std::invalid_argument("argument '" + argument + "'; expected " + name + "=LO:HI in eV");
  }
  return {lo, hi};
}

mask rectangle_mask(const rectangle& r, index rows, index cols, const char* name) {
  if (!(0 <= r.y0 && r.y0 < r.y1 && r.y1 <= rows && 0 <= r.x0 && r.x0 < r.x1 && r.x1 <= cols)) {
    throw std::invalid_argument(std::string("the ") + name + " rectangle " + std::to_string(r.y0) + ":" +
                                std::to_string(r.y1) + "," + std::to_string(r.x0) + ":" + std::to_string(r.x1) +
                                " is not inside the " + std::to_string(rows) + " x " + std::to_string(cols) + " image");
  }
  mask m = mask::Zero(rows, cols);
  m.block(r.y0, r.x0, r.y1 - r.y0, r.x1 - r.x0).setConstant(true);
  return m;
}

int real_image(int argc, char** argv) {
  const auto surface_box = parse_rectangle(argv[2], "surface");
  const auto bulk_box = parse_rectangle(argv[3], "bulk");
  const auto background = parse_window(argv[4], "background");
  const auto fit = parse_window(argc > 5 ? argv[5] : "", "fit");
  const auto data = valence::io::read_dm_image<float>(argv[1]);
  if (data.axes.size() != 3) {
    throw std::invalid_argument(std::string(argv[1]) + " holds a " + std::to_string(data.axes.size()) +
                                "-dimensional image; expected a spectrum image (y, x, energy)");
  }
  const auto& e = data.axis("energy");
  const index rows = data.axis("y").size;
  const index cols = data.axis("x").size;
  const vector_d energy = e.offset() + e.scale * vector_d::LinSpaced(e.size, 0, double(e.size - 1)).array();
  const auto view = valence::eels::spectrum_image_view<float>::contiguous(data.values.data(), rows, cols, e.size);
  std::printf("%s: %lld x %lld pixels, %lld channels, %.2f-%.2f %s\n", argv[1], static_cast<long long>(rows),
              static_cast<long long>(cols), static_cast<long long>(e.size), energy(0), energy(energy.size() - 1),
              e.units.c_str());
  const auto surface = background_free(energy, view, rectangle_mask(surface_box, rows, cols, "surface"), background);
  const auto bulk = background_free(energy, view, rectangle_mask(bulk_box, rows, cols, "bulk"), background);
  matrix_d references(energy.size(), 2);
  references.col(0) = surface.signal;
  references.col(1) = bulk.signal;
  const auto maps = valence::eels::fit_spectrum_image(energy, view, references, fit_options(background, fit, false));
  std::printf("%lld pixels fitted, %lld failed\nsurface-phase fraction (4 x 4 blocks):\n",
              static_cast<long long>(rows * cols - maps.failed()), static_cast<long long>(maps.failed()));
  print_blocks(maps.fractions[0]);
  std::printf("pixel (0, 0): fraction %.4f +- %.4f, reduced chi2 %.3f\n", maps.fractions[0](0, 0),
              maps.fraction_errors[0](0, 0), maps.reduced_chi_square(0, 0));
  const auto dir = figures::folder("eels_valence_map");
  write_map(dir / "real_fraction_map.svg", std::string("Surface-phase fraction, ") + data.name, maps.fractions[0], {});
  std::printf("figure: %s/real_fraction_map.svg\n", dir.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 1) {
      return synthetic();
    }
    if (argc == 6) {
      return real_image(argc, argv);
    }
    std::fprintf(stderr,
                 "usage: eels_valence_map [IMAGE.dm4 surface=Y0:Y1,X0:X1 bulk=Y0:Y1,X0:X1 background=LO:HI "
                 "fit=LO:HI]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eels_valence_map: %s\n", e.what());
    return 1;
  }
}
