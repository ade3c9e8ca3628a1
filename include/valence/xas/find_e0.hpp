// SPDX-License-Identifier: MIT
/// \file
/// \brief Absorption-edge energy E0 from the maximum of the derivative, as Larch finds it.
#ifndef VALENCE_XAS_FIND_E0_HPP
#define VALENCE_XAS_FIND_E0_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/packet.hpp>
#include <valence/core/error.hpp>
#include <valence/core/gradient.hpp>
#include <valence/core/smooth.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

namespace valence::xas {

/// \defgroup xas X-ray absorption
/// \brief Edge normalisation and edge position of XAS spectra.

/// \brief How find_e0() smooths the derivative in its second pass.
/// \ingroup xas
enum class e0_search {
  /// Larch's smoothing exactly (a Lorentzian convolution on a uniform working grid): the same grid
  /// point as Larch.
  larch,
  /// The same Lorentzian applied directly on the data points and cut at ten half-widths (the
  /// kernel exact near the centre, the far field dropped and the weights renormalised): about
  /// thirteen times faster; on the 72 real spectra of the test data the same grid point as
  /// `larch` on 65 and the neighbouring one on the other seven (see find_e0()).
  fast
};

/// \brief E0 and where it lies on the energy grid.
/// \ingroup xas
struct edge_location {
  double e0 = 0;       ///< edge energy, eV (always a point of the energy grid)
  index e0_index = 0;  ///< its index in the energy array
};

namespace detail {

// Larch's find_energy_step on sorted energies: drop 1 % of the steps at each end (Larch's
// ordered-points selection also drops the last point), sort the steps, average the next ten.
// With fewer than 100 points the selection is empty and Larch's mean is NaN; the caller's
// min/max then choose 1 eV, and so do we.
template <class = void>
double find_energy_step(const vector_ref& en) {
  const index n = en.size();
  const index skip = static_cast<index>(0.01 * double(n));
  if (skip == 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // The steps at sorted positions [skip, skip + 10) without sorting them all: the same values,
  // summed in the same order, as after a full sort.
  const index count = std::max<index>(0, n - 2 - 2 * skip);
  const auto first = std::min<std::size_t>(std::size_t(skip), std::size_t(count));
  const auto last = std::min<std::size_t>(first + 10, std::size_t(count));
  if (first == last) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> steps(static_cast<std::size_t>(count));
  for (index i = skip + 1; i < n - 1 - skip; ++i) {
    steps[std::size_t(i - skip - 1)] = en(i) - en(i - 1);
  }
  // The `last` smallest, in order, without a selection over all the steps (its branches are
  // unpredictable): an upper bound T of the last-smallest step, the steps above T dropped, then a
  // selection and a sort of the few left. T is the last-smallest of the minima of 2·last groups
  // (the steps i, i + groups, i + 2·groups, ...): those minima are distinct steps, so at least
  // `last` steps lie at or below T. Groups strided through the scan put the finest region's
  // consecutive steps in different groups, so few steps besides the smallest pass T.
  const auto groups = std::min<std::size_t>(2 * last, steps.size());
  std::vector<double> minima(steps.begin(), steps.begin() + std::ptrdiff_t(groups));
  for (std::size_t at = groups; at < steps.size(); at += groups) {  // (plain loops: see find_e0_pass)
    const std::size_t width = std::min(groups, steps.size() - at);
    for (std::size_t g = 0; g < width; ++g) {
      minima[g] = std::min(minima[g], steps[at + g]);
    }
  }
  std::nth_element(minima.begin(), minima.begin() + std::ptrdiff_t(last - 1), minima.end());
  const double bound = minima[last - 1];
  std::size_t kept = 0;
  for (const double step : steps) {  // in place and without a branch
    steps[kept] = step;
    kept += step <= bound ? 1 : 0;
  }
  std::nth_element(steps.begin(), steps.begin() + std::ptrdiff_t(last - 1), steps.begin() + std::ptrdiff_t(kept));
  std::sort(steps.begin(), steps.begin() + std::ptrdiff_t(last));
  double sum = 0;
  for (std::size_t i = first; i < last; ++i) {
    sum += steps[i];
  }
  return sum / double(last - first);
}

struct e0_pass {
  double e0;
  index e0_index;
  double estep;
};

// The derivative smoothed by a Lorentzian of half-width `width` applied on the data points
// themselves: trapezoid weights, the kernel cut at ten half-widths and renormalised (e0_search::fast),
//   out_i = sum_j h_j K(E_j - E_i) y_j / sum_j h_j K(E_j - E_i),   K(d) = 1 / (1 + (d / width)^2).
// The kernel is symmetric, so it is evaluated once per pair: one vectorised sweep per index offset
// d adds the pairs (i, i + d) to both ends, and the sweeps stop at the first offset with no pair
// within reach (on increasing energies no larger offset has one either).
template <class = void>
vector_x<double> local_lorentzian(const vector_ref& en, const vector_ref& y, double width) {
  const index n = en.size();
  const double reach = 10 * width;
  const double inverse = 1 / width;
  // Five columns in one allocation: the quadrature weight h of each point, h y, the two sums
  // (starting from the pairs (i, i), K(0) = 1) and the kernel of one offset.
  std::vector<double> work(std::size_t(5 * n));
  double* h = work.data();
  double* hy = h + n;
  double* s = hy + n;
  double* w = s + n;
  double* k = w + n;
  h[0] = en(1) - en(0);
  for (index i = 1; i + 1 < n; ++i) {
    h[i] = en(i + 1) - en(i - 1);
  }
  h[n - 1] = en(n - 1) - en(n - 2);
  for (index i = 0; i < n; ++i) {
    hy[i] = h[i] * y(i);
    s[i] = hy[i];
    w[i] = h[i];
  }
  // Eigen's SIMD packets: Eigen 3.4 does not vectorise a select, and this sweep is the fast
  // search's largest cost.
  namespace ei = Eigen::internal;
  using core::detail::packet;
  constexpr index size = core::detail::packet_size;
  const packet one = ei::pset1<packet>(1.0);
  const packet reach_packet = ei::pset1<packet>(reach);
  const packet inverse_packet = ei::pset1<packet>(inverse);
  const double* e = en.data();
  for (index d = 1; d < n; ++d) {
    const index m = n - d;
    packet nearest = ei::pset1<packet>(std::numeric_limits<double>::infinity());
    double nearest_tail = std::numeric_limits<double>::infinity();
    index i = 0;
    for (; i + size <= m; i += size) {  // K(E_{i+d} - E_i) into k, and the pairs' (i + d) terms into i
      const packet gap = ei::psub(ei::ploadu<packet>(e + i + d), ei::ploadu<packet>(e + i));
      const packet t = ei::pmul(gap, inverse_packet);
      const packet value = ei::pand(ei::pdiv(one, ei::pmadd(t, t, one)), ei::pcmp_le(gap, reach_packet));
      nearest = ei::pmin(nearest, gap);
      ei::pstoreu(k + i, value);
      ei::pstoreu(s + i, ei::pmadd(value, ei::ploadu<packet>(hy + i + d), ei::ploadu<packet>(s + i)));
      ei::pstoreu(w + i, ei::pmadd(value, ei::ploadu<packet>(h + i + d), ei::ploadu<packet>(w + i)));
    }
    for (; i < m; ++i) {
      const double gap = e[i + d] - e[i];
      const double t = gap * inverse;
      nearest_tail = std::min(nearest_tail, gap);
      k[i] = gap <= reach ? 1 / (1 + t * t) : 0.0;
      s[i] += k[i] * hy[i + d];
      w[i] += k[i] * h[i + d];
    }
    if (!(std::min(ei::predux_min(nearest), nearest_tail) <= reach)) {
      break;  // no pair at this offset within reach, and on increasing energies none at a larger one
    }
    i = 0;
    for (; i + size <= m; i += size) {  // the pairs' i terms into i + d
      const packet value = ei::ploadu<packet>(k + i);
      ei::pstoreu(s + i + d, ei::pmadd(value, ei::ploadu<packet>(hy + i), ei::ploadu<packet>(s + i + d)));
      ei::pstoreu(w + i + d, ei::pmadd(value, ei::ploadu<packet>(h + i), ei::ploadu<packet>(w + i + d)));
    }
    for (; i < m; ++i) {
      s[i + d] += k[i] * hy[i];
      w[i + d] += k[i] * h[i];
    }
  }
  vector_x<double> out(n);
  for (index i = 0; i < n; ++i) {
    out(i) = s[i] / w[i];
  }
  return out;
}

enum class pass_smoothing : std::uint8_t { none, larch, local };

// One pass of Larch's _finde0 on sorted, distinct energies. Larch keeps only the points whose
// successor is in order, which on sorted input drops the last point: reproduced. The derivative
// (optionally smoothed with a Lorentzian of width estep) is normalised to [0, 1] over the interior
// and E0 is the largest value with both neighbours above a threshold (a guard against glitches).
template <class = void>
e0_pass find_e0_pass(const vector_ref& energy, const vector_ref& mu, double estep, pass_smoothing smoothing_kind) {
  const bool use_smooth = smoothing_kind != pass_smoothing::none;
  const index n = energy.size() - 1;
  const vector_ref en = energy.head(n);  // views, not copies
  const vector_ref m = mu.head(n);
  if (std::isnan(estep) && !use_smooth) {
    estep = find_energy_step(en);
  }
  const index nmin = std::max<index>(3, static_cast<index>(double(n) * 0.02));
  // numpy's gradient(mu) / gradient(energy), each with unit spacing (the caller checked the input).
  vector_x<double> dmu = core::detail::gradient_uniform<double>(m, 1.0, core::edge_order::first);
  dmu = dmu.cwiseQuotient(core::detail::gradient_uniform<double>(en, 1.0, core::edge_order::first));
  if (smoothing_kind == pass_smoothing::larch) {
    core::smooth_options<double> smoothing;
    smoothing.x_step = estep;
    dmu = core::smooth(en, dmu, estep, smoothing);
  } else if (smoothing_kind == pass_smoothing::local) {
    dmu = local_lorentzian(en, dmu, estep);
  }
  // Plain loops here and below: Eigen's select and count of a comparison cost every including file
  // compile time, and are no faster.
  for (index i = 0; i < n; ++i) {
    dmu(i) = std::isfinite(dmu(i)) ? dmu(i) : -1.0;
  }
  const auto interior = dmu.segment(nmin, n - 2 * nmin);
  const double low = interior.minCoeff();
  const double range = std::max(1e-10, interior.maxCoeff() - low);
  dmu = (dmu.array() - low) / range;
  double threshold = n > 20 ? 0.60 : 0.30;
  const auto count_above = [&](double value) {
    index above = 0;
    for (index i = 0; i < n; ++i) {
      above += dmu(i) > value ? 1 : 0;
    }
    return above;
  };
  index count = count_above(threshold);
  if (count < 3) {
    for (int halving = 0; halving < 2 && count <= 3; ++halving) {  // Larch stops only above 3
      threshold *= 0.5;
      count = count_above(threshold);
    }
  }
  if (count < 3) {
    threshold = -std::numeric_limits<double>::infinity();  // every point qualifies
  }
  // The largest value that exceeds the threshold, with both neighbours.
  index best = 0;
  double best_value = 0;
  for (index i = std::max<index>(nmin, 1); i < n - 1 && i <= n - nmin; ++i) {
    if (dmu(i) > best_value && dmu(i) > threshold && dmu(i - 1) > threshold && dmu(i + 1) > threshold) {
      best = i;
      best_value = dmu(i);
    }
  }
  return {en(best), best, estep};
}

// find_e0() on input its caller has checked (sizes, at least 16 strictly increasing energies,
// finite mu); `function` names the caller in the error for a constant mu.
template <class = void>
edge_location find_e0_checked(const char* function, const vector_ref& e, const vector_ref& m, e0_search method) {
  if (m.maxCoeff() == m.minCoeff()) {
    throw invalid_input(core::detail::message(
        function,
        "parameter 'mu' is constant (" + core::detail::format_value(m(0)) + "); expected an absorption edge"));
  }
  const index n = e.size();
  const auto first = find_e0_pass(e, m, std::numeric_limits<double>::quiet_NaN(), pass_smoothing::none);
  double e1 = first.e0;
  index start = std::max<index>(3, first.e0_index - 75);
  index stop = std::min<index>(first.e0_index + 75, n - 3);
  if (double(first.e0_index) < 0.05 * double(n)) {  // an "edge" in the first 5 %: probably a glitch
    e1 = e.mean();
    start = std::max<index>(3, first.e0_index - 20);
    stop = n - 3;
  }
  // std::min/max with the arguments in Larch's order treat a NaN step as Python does (1 eV).
  const double estep = 0.5 * (std::max(0.01, std::min(1.0, first.estep)) + std::max(0.01, std::min(1.0, e1 / 25000.)));
  const auto second = find_e0_pass(e.segment(start, stop - start), m.segment(start, stop - start), estep,
                                   method == e0_search::larch ? pass_smoothing::larch : pass_smoothing::local);
  if (second.e0_index < 1) {
    return {e(start + 2), start + 2};
  }
  return {second.e0, start + second.e0_index};
}

}  // namespace detail

/// \brief The edge energy E0: the energy of the largest derivative \f$d\mu/dE\f$ that is not a glitch,
/// found exactly as Larch's `find_e0` (xraylarch 2026.3) does.
/// \ingroup xas
///
/// Algorithm: (1) a first pass on the raw derivative \f$\Delta\mu/\Delta E\f$ (numpy `gradient`
/// quotient) normalised to [0, 1] over the interior (2 % of the points, at least 3, left out at
/// each end) takes the largest value whose two neighbours also exceed 0.6 (0.3 below 21 points,
/// halved up to twice if fewer than three points qualify); Larch's selection of ordered points
/// drops the last point, and so does this function; (2) the energy step \f$\delta\f$ is the mean of
/// the 1 % to 1 % + 10 smallest steps (1 eV below 100 points, as Larch's NaN arithmetic gives), and
/// \f$\delta' = \tfrac12[\mathrm{clip}(\delta, 0.01, 1) + \mathrm{clip}(E_1/25000, 0.01, 1)]\f$;
/// (3) a second pass within 75 points of the first estimate (or from 20 points below it to the end
/// if it fell in the first 5 % of the data, a likely glitch), on the derivative smoothed with a
/// Lorentzian of width \f$\delta'\f$ (core::smooth), gives E0. E0 is always a grid energy.
///
/// \param energy energies, eV, strictly increasing, finite, at least 16 points.
/// \param mu absorption \f$\mu(E)\f$, finite, same size, not constant.
/// \param method the second pass's smoothing: Larch's exactly (default) or e0_search::fast, the
///        same Lorentzian on the data points cut at ten half-widths.
/// \returns E0 and its index.
/// \throws valence::invalid_input for a size mismatch, fewer than 16 points, non-finite values,
///         energies that do not strictly increase, or a constant \f$\mu\f$ (no edge).
///
/// Accuracy: e0_search::larch gives the same grid point as Larch on the twelve spectra of the
/// reference subset and on every other spectrum of the test data; e0_search::fast gives the same
/// point on 65 of those 72 spectra and the neighbouring one (0.52 eV away at most) on the other
/// seven (tests/xas/test_pre_edge.cpp). Speed on a 400-point spectrum: 30 µs and 2.3 µs
/// (docs/performance.md).
template <typename DerivedE, typename DerivedM>
[[nodiscard]] edge_location find_e0(const Eigen::DenseBase<DerivedE>& energy, const Eigen::DenseBase<DerivedM>& mu,
                                    e0_search method = e0_search::larch) {
  constexpr const char* function = "valence::xas::find_e0";
  core::check_same_size(function, "mu", mu, "energy", energy);
  core::check_abscissa(function, "energy", energy, 16);
  core::check_finite(function, "mu", mu);
  // Views of double input (a copy only for another scalar type or a strided expression).
  return detail::find_e0_checked(function, vector_ref(energy.derived().template cast<double>()),
                                 vector_ref(mu.derived().template cast<double>()), method);
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_FIND_E0_HPP
