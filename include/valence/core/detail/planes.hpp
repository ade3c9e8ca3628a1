// SPDX-License-Identifier: MIT
// Energy planes to spectra: the transposition every [energy][y][x] row source does (not part of
// the public API).
#ifndef VALENCE_CORE_DETAIL_PLANES_HPP
#define VALENCE_CORE_DETAIL_PLANES_HPP

#include <algorithm>
#include <cstddef>

namespace valence::core::detail {

// planes[k · pixels + p] -> spectra[p · channels + k], in tiles of 32 pixels: each channel's 32
// values are read contiguously and written into 32 spectra that stay in L1 (a pixel-by-pixel
// gather would touch a new page for every channel).
template <typename T>
void planes_to_spectra(const T* planes, std::size_t pixels, std::size_t channels, T* spectra) {
  constexpr std::size_t tile = 32;
  for (std::size_t p0 = 0; p0 < pixels; p0 += tile) {
    const std::size_t p1 = std::min(pixels, p0 + tile);
    for (std::size_t k = 0; k < channels; ++k) {
      const T* from = planes + k * pixels;
      for (std::size_t p = p0; p < p1; ++p) {
        spectra[p * channels + k] = from[p];
      }
    }
  }
}

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_PLANES_HPP
