// SPDX-License-Identifier: MIT
// Count-conserving rebinning of spectra between grids of channel centres (not part of the public
// API): each channel is the interval between the midpoints to its neighbours (the end channels as
// wide as their neighbour spacing), its counts spread uniformly over it and shared between the
// output channels in proportion to overlap. Variances of independent inputs follow with the
// squared fractions.
#ifndef VALENCE_RIXS_DETAIL_REBIN_HPP
#define VALENCE_RIXS_DETAIL_REBIN_HPP

#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>

namespace valence::rixs::detail {

// Edges (n + 1) of the channels centred at `centres` (n >= 2, strictly increasing).
template <class = void>
vector_d channel_edges(const vector_d& centres) {
  const index n = centres.size();
  vector_d edges(n + 1);
  edges(0) = centres(0) - 0.5 * (centres(1) - centres(0));
  for (index i = 1; i < n; ++i) {
    edges(i) = 0.5 * (centres(i - 1) + centres(i));
  }
  edges(n) = centres(n - 1) + 0.5 * (centres(n - 1) - centres(n - 2));
  return edges;
}

// Adds the counts (and variances) of the channels with edges `in_edges` to the channels with edges
// `out_edges`; both strictly increasing. Counts outside the output's range are left out. O(n + m).
template <class = void>
void rebin_add(const vector_d& in_edges, const vector_d& counts, const vector_d& variances, const vector_d& out_edges,
               Eigen::Ref<vector_d> out_counts, Eigen::Ref<vector_d> out_variances) {
  const index n = counts.size();
  const index m = out_edges.size() - 1;
  index j = 0;
  for (index i = 0; i < n; ++i) {
    const double a = in_edges(i);
    const double b = in_edges(i + 1);
    const double width = b - a;
    while (j < m && out_edges(j + 1) <= a) {
      ++j;
    }
    for (index k = j; k < m && out_edges(k) < b; ++k) {
      const double overlap = std::min(b, out_edges(k + 1)) - std::max(a, out_edges(k));
      if (overlap > 0) {
        const double f = overlap / width;
        out_counts(k) += f * counts(i);
        out_variances(k) += f * f * variances(i);
      }
    }
  }
}

}  // namespace valence::rixs::detail

#endif  // VALENCE_RIXS_DETAIL_REBIN_HPP
