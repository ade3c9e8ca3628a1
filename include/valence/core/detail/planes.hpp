// SPDX-License-Identifier: MIT
// Energy planes to spectra: the transposition every [energy][y][x] row source does (not part of
// the public API).
#ifndef VALENCE_CORE_DETAIL_PLANES_HPP
#define VALENCE_CORE_DETAIL_PLANES_HPP

#include <algorithm>
#include <cstddef>

namespace valence::core::detail {

// planes[k · pixels + p] -> spectra[p · channels + k], in tiles of 64 pixels × 8 channels: the
// 8 channels of a pixel are written as one contiguous run from 8 planes read in step, so reads and
// writes both stream (a pixel-by-pixel gather would touch a new page for every channel).
template <typename T>
void planes_to_spectra(const T* planes, std::size_t pixels, std::size_t channels, T* spectra) {
  constexpr std::size_t tile = 64;
  constexpr std::size_t group = 8;
  for (std::size_t p0 = 0; p0 < pixels; p0 += tile) {
    const std::size_t p1 = std::min(pixels, p0 + tile);
    std::size_t k0 = 0;
    for (; k0 + group <= channels; k0 += group) {
      const T* from = planes + k0 * pixels;
      for (std::size_t p = p0; p < p1; ++p) {
        T* to = spectra + p * channels + k0;
        for (std::size_t k = 0; k < group; ++k) {
          to[k] = from[k * pixels + p];
        }
      }
    }
    for (; k0 < channels; ++k0) {
      const T* from = planes + k0 * pixels;
      for (std::size_t p = p0; p < p1; ++p) {
        spectra[p * channels + k0] = from[p];
      }
    }
  }
}

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_PLANES_HPP
