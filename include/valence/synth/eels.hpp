// SPDX-License-Identifier: MIT
/// \file
/// \brief Synthetic core-loss EELS: L2,3 reference edges and spectrum images of two-reference
/// mixtures on a power-law background, with Poisson noise and known truth maps.
#ifndef VALENCE_SYNTH_EELS_HPP
#define VALENCE_SYNTH_EELS_HPP

#include <valence/core/types.hpp>
#include <valence/eels/spectrum_image.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>

namespace valence::synth {

/// \brief An L2,3 edge: white lines on a 2:1 continuum step.
/// \ingroup synth
struct l23_edge {
  double l3 = 640;          ///< eV, L3 white line and step position
  double l2 = 651;          ///< eV, L2 white line and step position
  double l3_height = 4000;  ///< counts per channel at the L3 maximum (above the step)
  double l2_height = 1500;  ///< counts per channel at the L2 maximum
  double width = 1.3;       ///< eV, Gaussian σ of both white lines
  double continuum = 300;   ///< counts per channel of the continuum after both steps
};

/// \brief The edge's counts per channel at each energy:
/// \f$c\,(\tfrac23 s(E - E_3) + \tfrac13 s(E - E_2)) + h_3 g(E - E_3) + h_2 g(E - E_2)\f$ with
/// \f$s(t) = (1 + \tanh(t/1.5\,\mathrm{eV}))/2\f$ and Gaussian \f$g\f$; zero more than 6 eV
/// below L3, so a pre-edge window sees no edge.
/// \ingroup synth
/// \param energy eV. \param edge the shape. \returns counts per channel.
template <class = void>
[[nodiscard]] vector_d l23_reference(const vector_ref& energy, const l23_edge& edge) {
  vector_d out(energy.size());
  for (index i = 0; i < energy.size(); ++i) {
    const double e = energy(i);
    if (e < edge.l3 - 6) {
      out(i) = 0;
      continue;
    }
    const auto step = [&](double at) { return 0.5 * (1 + std::tanh((e - at) / 1.5)); };
    const auto line = [&](double at) { return std::exp(-0.5 * (e - at) * (e - at) / (edge.width * edge.width)); };
    out(i) = edge.continuum * (2.0 / 3 * step(edge.l3) + 1.0 / 3 * step(edge.l2)) + edge.l3_height * line(edge.l3) +
             edge.l2_height * line(edge.l2);
  }
  return out;
}

/// \brief Settings of synthetic_eels_image().
/// \ingroup synth
struct eels_image_model {
  double offset = 600;                                  ///< eV, first channel
  double step = 0.25;                                   ///< eV per channel
  index channels = 400;                                 ///< channels per pixel
  index rows = 32;                                      ///< pixels along y
  index cols = 32;                                      ///< pixels along x
  double amplitude = 4e12;                              ///< power law \f$A\f$ (counts per eV at 1 eV)
  double exponent = 3.1;                                ///< power law \f$r\f$
  l23_edge first;                                       ///< the first reference (e.g. a reduced surface)
  l23_edge second{643.5, 654.5, 2600, 1400, 1.5, 300};  ///< the second (e.g. the bulk)
  /// Fraction of the first reference at pixel (y, x); the second has 1 − fraction.
  std::function<double(index, index)> fraction = [](index, index) { return 0.5; };
  bool noise = true;       ///< Poisson counts (otherwise the means)
  std::uint64_t seed = 1;  ///< of the noise
};

/// \brief A synthetic spectrum image with its truth.
/// \ingroup synth
struct eels_image {
  vector_d energy;             ///< eV, one per channel
  eels::spectrum_image image;  ///< counts, `[y][x][E]`
  matrix_d references;         ///< the two noiseless references, one column each
  matrix_d fraction;           ///< the true fraction of the first reference, rows × cols
};

/// \brief Builds a spectrum image of mixtures of two L2,3 references on a power law:
/// \f$\mu_{yx}(E) = A E^{-r} h + f_{yx} S_1(E) + (1 - f_{yx}) S_2(E)\f$, Poisson-sampled.
/// \ingroup synth
/// \param model axis, size, background, references, fraction map and noise.
/// \returns the energies, the image, the references and the true fraction map.
template <class = void>
[[nodiscard]] eels_image synthetic_eels_image(const eels_image_model& model) {
  eels_image out;
  out.energy = model.offset + model.step * vector_d::LinSpaced(model.channels, 0, double(model.channels - 1)).array();
  out.references.resize(model.channels, 2);
  out.references.col(0) = l23_reference(out.energy, model.first);
  out.references.col(1) = l23_reference(out.energy, model.second);
  out.fraction.resize(model.rows, model.cols);
  out.image.rows = model.rows;
  out.image.cols = model.cols;
  out.image.channels = model.channels;
  out.image.data.resize(static_cast<std::size_t>(model.rows * model.cols * model.channels));
  std::mt19937_64 generator(model.seed);
  for (index y = 0; y < model.rows; ++y) {
    for (index x = 0; x < model.cols; ++x) {
      const double f = model.fraction(y, x);
      out.fraction(y, x) = f;
      for (index c = 0; c < model.channels; ++c) {
        const double mean = model.amplitude * std::pow(out.energy(c), -model.exponent) * model.step +
                            f * out.references(c, 0) + (1 - f) * out.references(c, 1);
        out.image.data[static_cast<std::size_t>((y * model.cols + x) * model.channels + c)] =
            model.noise ? double(std::poisson_distribution<long long>(mean)(generator)) : mean;
      }
    }
  }
  return out;
}

}  // namespace valence::synth

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::synth {
extern template vector_d l23_reference<>(const vector_ref&, const l23_edge&);
extern template eels_image synthetic_eels_image<>(const eels_image_model&);
}  // namespace valence::synth
#endif

#endif  // VALENCE_SYNTH_EELS_HPP
