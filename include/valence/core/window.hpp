// SPDX-License-Identifier: MIT
/// \file
/// \brief Index look-ups on sorted abscissae and closed windows [lower, upper] over them.
#ifndef VALENCE_CORE_WINDOW_HPP
#define VALENCE_CORE_WINDOW_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>

namespace valence::core {

/// \brief A closed interval [lower, upper] of the abscissa (eV for spectra).
/// \ingroup core
template <typename Real>
struct window {
  Real lower;  ///< smallest abscissa included
  Real upper;  ///< largest abscissa included
};

/// \brief A contiguous run of indices `[begin, begin + size)`.
/// \ingroup core
struct index_range {
  index begin = 0;  ///< first index
  index size = 0;   ///< number of indices
  /// \brief One past the last index.
  /// \returns `begin + size`.
  [[nodiscard]] constexpr index end() const noexcept { return begin + size; }
};

/// \brief Largest index \f$i\f$ with \f$x_i \le v\f$, or 0 when \f$v < x_0\f$ (Larch's `index_of`).
/// \ingroup core
/// \param x strictly increasing abscissa (not checked: this is a look-up used inside checked routines).
/// \param value the abscissa value to look up.
/// \returns an index in `[0, x.size())`; 0 for an empty \p x.
///
/// Complexity: \f$O(\log n)\f$ (binary search). Matches Larch's `index_of` on sorted input.
template <typename Derived>
[[nodiscard]] index index_of(const Eigen::DenseBase<Derived>& x, typename Derived::Scalar value) {
  index lo = 0;
  index hi = x.size();  // invariant: x[i] <= value for i < lo, x[i] > value for i >= hi
  while (lo < hi) {
    const index mid = lo + (hi - lo) / 2;
    if (x(mid) <= value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : lo - 1;
}

/// \brief Index of the element nearest to \p value; the first one on ties (Larch's `index_nearest`,
/// numpy's `argmin(|x - v|)`).
/// \ingroup core
/// \param x abscissa, any order.
/// \param value the value to look up.
/// \returns an index in `[0, x.size())`; 0 for an empty \p x.
template <typename Derived>
[[nodiscard]] index index_nearest(const Eigen::DenseBase<Derived>& x, typename Derived::Scalar value) {
  using std::abs;
  index best = 0;
  for (index i = 1; i < x.size(); ++i) {
    if (abs(x(i) - value) < abs(x(best) - value)) {
      best = i;
    }
  }
  return best;
}

/// \brief index_nearest() for a strictly increasing abscissa, by binary search: the same index
/// (the first one on ties) in \f$O(\log n)\f$.
/// \ingroup core
///
/// \f$|x_i - v|\f$ is computed as index_nearest() computes it; on a sorted abscissa it falls and
/// then rises, so the nearest point is index_of() or the next one, and a tie goes to the first.
/// \param x strictly increasing abscissa (not checked: this is a look-up used inside checked
///        routines). \param value the value to look up.
/// \returns an index in `[0, x.size())`; 0 for an empty \p x.
template <typename Derived>
[[nodiscard]] index index_nearest_sorted(const Eigen::DenseBase<Derived>& x, typename Derived::Scalar value) {
  using std::abs;
  index i = index_of(x, value);
  if (i + 1 < x.size() && abs(x(i + 1) - value) < abs(x(i) - value)) {
    ++i;
  }
  // Far from the abscissa, rounding can make neighbouring distances equal: the first one wins.
  while (i > 0 && abs(x(i - 1) - value) == abs(x(i) - value)) {
    --i;
  }
  return i;
}

/// \brief The indices of the points of \p x inside the closed window `[w.lower, w.upper]`.
/// \ingroup core
/// \param function qualified name of the calling function (for the message).
/// \param name name of the window parameter as the caller calls it (e.g. `"fit_window"`).
/// \param x strictly increasing, finite abscissa.
/// \param w the window; must satisfy `w.lower <= w.upper`, both finite.
/// \param minimum_points the fewest points the caller can work with.
/// \returns the index range of the points inside the window.
/// \throws valence::invalid_input when the window is reversed or non-finite, or holds fewer than
///         \p minimum_points points (the message gives the window, the data span and the count).
template <typename Derived>
[[nodiscard]] index_range select_window(const char* function, const char* name, const Eigen::DenseBase<Derived>& x,
                                        const window<typename Derived::Scalar>& w, index minimum_points) {
  using std::isfinite;
  const auto describe = [&]() {
    return std::string("window '") + name + "' = [" + detail::format_value(w.lower) + ", " +
           detail::format_value(w.upper) + "]";
  };
  if (!isfinite(w.lower) || !isfinite(w.upper) || w.lower > w.upper) {
    throw invalid_input(detail::message(function, describe() + "; expected finite bounds with lower <= upper"));
  }
  // Binary searches: begin = first point >= lower, end = first point > upper.
  const auto first_not_below = [&](auto&& below) {
    index lo = 0;
    index hi = x.size();
    while (lo < hi) {
      const index mid = lo + (hi - lo) / 2;
      if (below(x(mid))) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  using Real = typename Derived::Scalar;
  const index begin = first_not_below([&](Real v) { return v < w.lower; });
  const index end = first_not_below([&](Real v) { return v <= w.upper; });
  const index count = end - begin;
  if (count < minimum_points) {
    const std::string span =
        x.size() == 0 ? std::string("no data")
                      : "data span [" + detail::format_value(x(0)) + ", " + detail::format_value(x(x.size() - 1)) + "]";
    throw invalid_input(detail::message(function, describe() + " holds " + std::to_string(count) + " points of " +
                                                      span + "; expected at least " + std::to_string(minimum_points)));
  }
  return {begin, count};
}

}  // namespace valence::core

#endif  // VALENCE_CORE_WINDOW_HPP
