// SPDX-License-Identifier: MIT
/// \file
/// \brief Internal: one streaming pass that projects a column onto an orthonormal basis and sums
/// its squares, in a wider accumulation type.
#ifndef VALENCE_FIT_DETAIL_PROJECTION_HPP
#define VALENCE_FIT_DETAIL_PROJECTION_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <type_traits>

namespace valence::fit::detail {

// The type batched fits compute in: float data are accumulated in double, so that
// ||y||^2 - ||Q^T y||^2 keeps the residual's digits and the data are still read once.
template <typename Real>
using accumulation_t = std::conditional_t<std::is_same_v<Real, float>, double, Real>;

// The engine's rule for a residual's sum of squares taken as ||y||^2 - ||Q^T y||^2 (Q orthonormal,
// m rows): the subtraction cancels, and its rounding error, at most about 4 sqrt(m) eps ||y||^2 in
// the accumulation type, must be below 1e-6 of the result (any spectrum with noise; float data
// accumulate in double). Otherwise the caller forms the residual explicitly.
template <typename Acc>
bool pythagorean_residual_is_accurate(Acc total, Acc data_norm2, index m) {
  using std::sqrt;
  const Acc rounding = Acc(4) * sqrt(Acc(m)) * std::numeric_limits<Acc>::epsilon() * data_norm2;
  return total * Acc(1e-6) >= rounding;
}

// z(g) = sum_i q(i, g) y_i for G consecutive columns of q (leading dimension ld), and, if
// WithNorm, norm2 = sum_i y_i^2, all in one pass over y. Four lanes per accumulator give the
// compiler independent packets to keep in registers (measured: about 2.5x faster than four dot
// products plus a norm on 1,024-channel spectra).
template <int G, bool WithNorm, typename Acc, typename In>
void project_group(const Acc* q, index ld, index m, const In* y, Acc* z, Acc& norm2) {
  using lanes = Eigen::Array<Acc, 4, 1>;
  // Each accumulator is a chain of dependent FMAs, so few columns need several sets of sums to
  // keep four or more packets in flight (measured: normalize_stack's one-column, 117-point step
  // with four sets instead of two, 3 ns less per pixel on AVX2).
  constexpr int sets = G == 1 ? 4 : (G == 2 ? 2 : 1);
  lanes sum[sets][G];
  lanes squares[sets];
  for (int s = 0; s < sets; ++s) {
    squares[s].setZero();
    for (int g = 0; g < G; ++g) {
      sum[s][g].setZero();
    }
  }
  index i = 0;
  if constexpr (sets > 1) {
    for (; i + 4 * sets <= m; i += 4 * sets) {
      for (int s = 0; s < sets; ++s) {
        const lanes v = Eigen::Map<const Eigen::Array<In, 4, 1>>(y + i + 4 * s).template cast<Acc>();
        if constexpr (WithNorm) {
          squares[s] += v * v;
        }
        for (int g = 0; g < G; ++g) {
          sum[s][g] += Eigen::Map<const lanes>(q + g * ld + i + 4 * s) * v;
        }
      }
    }
    for (int s = 1; s < sets; ++s) {
      squares[0] += squares[s];
      for (int g = 0; g < G; ++g) {
        sum[0][g] += sum[s][g];
      }
    }
  }
  for (; i + 4 <= m; i += 4) {
    const lanes v = Eigen::Map<const Eigen::Array<In, 4, 1>>(y + i).template cast<Acc>();
    if constexpr (WithNorm) {
      squares[0] += v * v;
    }
    for (int g = 0; g < G; ++g) {
      sum[0][g] += Eigen::Map<const lanes>(q + g * ld + i) * v;
    }
  }
  Acc tail[G] = {};
  Acc tail_squares = 0;
  for (; i < m; ++i) {
    const Acc v = Acc(y[i]);
    tail_squares += v * v;
    for (int g = 0; g < G; ++g) {
      tail[g] += q[g * ld + i] * v;
    }
  }
  for (int g = 0; g < G; ++g) {
    z[g] = sum[0][g].sum() + tail[g];
  }
  if constexpr (WithNorm) {
    norm2 = squares[0].sum() + tail_squares;
  }
}

// z = Q^T y and norm2 = ||y||^2 for an m x n column-major Q: columns in groups of four, the norm
// taken in the first pass; later groups find y in L1.
template <typename Acc, typename In>
void project_column(const matrix_x<Acc>& q, const In* y, Acc* z, Acc& norm2) {
  const index m = q.rows();
  const index n = q.cols();
  const Acc* base = q.data();
  for (index j = 0; j < n; j += 4) {
    const index left = n - j;
    const bool first = j == 0;
    Acc* out = z + j;
    const Acc* columns = base + j * m;
    if (left >= 4) {
      first ? project_group<4, true>(columns, m, m, y, out, norm2)
            : project_group<4, false>(columns, m, m, y, out, norm2);
    } else if (left == 3) {
      first ? project_group<3, true>(columns, m, m, y, out, norm2)
            : project_group<3, false>(columns, m, m, y, out, norm2);
    } else if (left == 2) {
      first ? project_group<2, true>(columns, m, m, y, out, norm2)
            : project_group<2, false>(columns, m, m, y, out, norm2);
    } else {
      first ? project_group<1, true>(columns, m, m, y, out, norm2)
            : project_group<1, false>(columns, m, m, y, out, norm2);
    }
  }
}

}  // namespace valence::fit::detail

#endif  // VALENCE_FIT_DETAIL_PROJECTION_HPP
