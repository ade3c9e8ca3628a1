// SPDX-License-Identifier: MIT
/// \file
/// \brief Larch-compatible smoothing (boxcar mean, convolution with a Lorentzian or Gaussian) and
/// SciPy's Gaussian filter of uniform samples.
#ifndef VALENCE_CORE_SMOOTH_HPP
#define VALENCE_CORE_SMOOTH_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/interpolate.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <boost/math/constants/constants.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace valence::core {

/// \brief Running mean over \f$2h+1\f$ samples, with the end values repeated beyond the ends
/// (Larch 2026.3 `boxcar`).
/// \ingroup core
///
/// \f$\bar y_i = \frac{1}{2h+1}\sum_{j=-h}^{h} y_{\mathrm{clamp}(i+j)}\f$.
/// \param y samples (finite).
/// \param half_width \f$h \ge 0\f$, the number of neighbours on each side; 0 returns \p y.
/// \returns the smoothed samples, same length as \p y.
/// \throws valence::invalid_input for an empty or non-finite \p y, or a negative \p half_width.
///
/// Complexity: \f$O(n h)\f$; the sum is formed directly (no running sum) so that no rounding drifts along the array.
template <typename Derived>
[[nodiscard]] vector_x<typename Derived::Scalar> boxcar(const Eigen::DenseBase<Derived>& y, index half_width) {
  using Real = typename Derived::Scalar;
  constexpr const char* function = "valence::core::boxcar";
  check_min_size(function, "y", y, 1);
  check_finite(function, "y", y);
  if (half_width < 0) {
    throw invalid_input(detail::message(
        function, "parameter 'half_width' is " + std::to_string(half_width) + "; expected a value >= 0"));
  }
  const index n = y.size();
  vector_x<Real> out(n);
  for (index i = 0; i < n; ++i) {
    Real sum = 0;
    for (index j = i - half_width; j <= i + half_width; ++j) {
      sum += y(std::clamp<index>(j, 0, n - 1));
    }
    out(i) = sum / Real(2 * half_width + 1);
  }
  return out;
}

/// \brief Shape of the convolution kernel used by smooth().
/// \ingroup core
enum class kernel_shape {
  lorentzian,  ///< \f$\propto 1/(1 + (t/\sigma)^2)\f$, FWHM \f$2\sigma\f$
  gaussian     ///< \f$\propto \exp(-t^2/2\sigma^2)\f$, FWHM \f$2\sqrt{2\ln 2}\,\sigma\f$
};

/// \brief Options of smooth().
/// \ingroup core
template <typename Real>
struct smooth_options {
  kernel_shape shape = kernel_shape::lorentzian;  ///< kernel shape (Larch's default: Lorentzian)
  std::optional<Real> x_step;  ///< step of the uniform working grid; default: the smallest spacing of x
  index padding = 5;           ///< points added beyond each end of the working grid (Larch's `npad`)
};

/// \brief Smooths \f$y(x)\f$ by convolution with a unit-area Lorentzian or Gaussian of width
/// \f$\sigma\f$, exactly as Larch's `smooth` does (Larch 2026.3, `larch.math.smooth`).
/// \ingroup core
///
/// Algorithm: (1) a uniform working grid from \f$\lfloor (x_0 - p\,\Delta)/\Delta \rfloor\Delta\f$ to
/// \f$\lfloor (x_{n-1} + p\,\Delta)/\Delta \rfloor\Delta\f$ (truncation toward zero), capped at
/// \f$50n\f$ points; (2) \f$y\f$ linearly interpolated onto it, end values held; (3) the signal
/// reflected about its ends and convolved with the kernel sampled at \f$0, 1, \dots, 2N-1\f$ around
/// \f$N\f$ in units of \f$\Delta\f$ and normalised to unit sum; (4) the result linearly interpolated
/// back onto \p x. The cap on the working grid keeps \f$\sigma\f$ in units of \f$\Delta\f$ even when
/// the actual grid step differs; this Larch quirk is reproduced so that E0 values agree.
/// \param x abscissa: finite, strictly increasing, at least 2 points.
/// \param y samples: finite, same length as \p x.
/// \param sigma kernel width in the unit of \p x (> 0): half width at half maximum for the
///        Lorentzian, standard deviation for the Gaussian.
/// \param options kernel shape, working-grid step and padding.
/// \returns the smoothed samples on \p x.
/// \throws valence::invalid_input on a size mismatch, non-finite values, an abscissa that is not
///         strictly increasing, a non-positive \p sigma or step, or a negative padding.
///
/// Complexity: \f$O(N\min(N, n))\f$ for \f$N\f$ working-grid points: a direct convolution as
/// Larch's, evaluated only at the grid points the interpolation back onto \p x reads.
template <typename DerivedX, typename DerivedY>
[[nodiscard]] vector_x<typename DerivedY::Scalar> smooth(
    const Eigen::DenseBase<DerivedX>& x, const Eigen::DenseBase<DerivedY>& y, typename DerivedY::Scalar sigma,
    const smooth_options<typename DerivedY::Scalar>& options = {}) {
  using Real = typename DerivedY::Scalar;
  using std::abs;
  using std::exp;
  using std::isfinite;
  using std::trunc;
  constexpr const char* function = "valence::core::smooth";
  check_same_size(function, "y", y, "x", x);
  check_abscissa(function, "x", x, 2);
  check_finite(function, "y", y);
  if (!(isfinite(sigma) && sigma > 0)) {
    throw invalid_input(detail::message(
        function, "parameter 'sigma' is " + detail::format_value(sigma) + "; expected a positive value"));
  }
  const index n = x.size();
  const Real step = options.x_step ? *options.x_step : (x.tail(n - 1) - x.head(n - 1)).minCoeff();
  if (!(isfinite(step) && step > 0)) {
    throw invalid_input(
        detail::message(function, "option 'x_step' is " + detail::format_value(step) + "; expected a positive value"));
  }
  if (options.padding < 0) {
    throw invalid_input(detail::message(
        function, "option 'padding' is " + std::to_string(options.padding) + "; expected a value >= 0"));
  }
  const Real pad = Real(options.padding) * step;
  const Real x_min = step * trunc((x(0) - pad) / step);
  const Real x_max = step * trunc((x(n - 1) + pad) / step);
  const index wanted = 1 + static_cast<index>(trunc(abs(x_max - x_min + step * Real(0.1)) / step));
  const index m = std::min<index>(wanted, 50 * n);
  if (m < 2) {
    throw invalid_input(detail::message(function, "the working grid from " + detail::format_value(x_min) + " to " +
                                                      detail::format_value(x_max) + " in steps of " +
                                                      detail::format_value(step) +
                                                      " has fewer than 2 points; expected a smaller 'x_step' or more "
                                                      "'padding'"));
  }
  // numpy linspace: start + i * (span / (m - 1)), with the last point set exactly.
  vector_x<Real> grid(m);
  const Real grid_step = (x_max - x_min) / Real(m - 1);
  for (index i = 0; i < m; ++i) {
    grid(i) = x_min + Real(i) * grid_step;
  }
  grid(m - 1) = x_max;
  const vector_x<Real> on_grid = interpolate_linear(x, y, grid, extrapolation::hold);

  // Kernel sampled at 0..2m-1 around m, width in units of the nominal step.
  const Real width = sigma / step;
  vector_x<Real> kernel(2 * m);
  for (index j = 0; j < 2 * m; ++j) {
    const Real t = (Real(j) - Real(m)) / width;
    kernel(j) = options.shape == kernel_shape::gaussian ? exp(-t * t / Real(2)) : Real(1) / (Real(1) + t * t);
  }
  kernel /= kernel.sum();
  // Reflected signal, on_grid[m-1..1], on_grid[0..m-1], on_grid[m-1..0] (3m - 1 samples),
  // materialised so that each output below is one contiguous dot product.
  vector_x<Real> padded(3 * m - 1);
  for (index k = 0; k < m - 1; ++k) {
    padded(k) = on_grid(m - 1 - k);
  }
  padded.segment(m - 1, m) = on_grid;
  for (index k = 2 * m - 1; k < 3 * m - 1; ++k) {
    padded(k) = on_grid(3 * m - 2 - k);
  }
  // 'valid' convolution: out[k] = sum_j kernel[j] padded[k + 2m - 1 - j]
  //                              = sum_j kernel[2m - 1 - j] padded[k + j],
  // at the working-grid points that the interpolation back onto x reads: the two around each x
  // (and their neighbours, so that a query on a grid point reads computed values whichever
  // interval it is given). The rest stay zero and are never read. The sums are reassociated by
  // the vectorised dot product: results move by rounding only.
  const vector_x<Real> reversed = kernel.reverse();
  std::vector<char> needed(static_cast<std::size_t>(m), 0);
  for (index i = 0; i < n; ++i) {
    const auto above = std::upper_bound(grid.data(), grid.data() + m, x(i)) - grid.data();
    for (index k = above - 2; k <= above + 1; ++k) {
      needed[static_cast<std::size_t>(std::clamp<index>(k, 0, m - 1))] = 1;
    }
  }
  vector_x<Real> convolved = vector_x<Real>::Zero(m);
  for (index k = 0; k < m; ++k) {
    if (needed[static_cast<std::size_t>(k)] != 0) {
      convolved(k) = reversed.dot(padded.segment(k, 2 * m));
    }
  }
  return interpolate_linear(grid, convolved, x.derived(), extrapolation::extend);
}

/// \brief Gaussian filter of uniformly spaced samples: SciPy's `ndimage.gaussian_filter1d` with
/// `mode="reflect"`.
/// \ingroup core
///
/// \f$\bar y_i = \sum_{k=-r}^{r} w_k\, y_{\rho(i+k)}\f$ with \f$w_k \propto e^{-k^2/(2\sigma^2)}\f$
/// normalised to \f$\sum w_k = 1\f$, radius \f$r = \lfloor \text{truncate}\cdot\sigma + 1/2 \rfloor\f$
/// and \f$\rho\f$ the half-sample reflection at both ends (\f$\ldots y_1\,y_0 \,|\, y_0\,y_1 \ldots\f$),
/// repeated as often as the radius needs. The widths are in samples, so the filter suits a
/// uniform grid (for a non-uniform abscissa use smooth()).
/// \param y samples (finite), at least one.
/// \param sigma standard deviation of the kernel in samples, \f$> 0\f$.
/// \param truncate the kernel is cut at this many standard deviations (SciPy's default 4).
/// \returns the filtered samples, same length as \p y.
/// \throws valence::invalid_input for an empty or non-finite \p y, or a non-positive or
///         non-finite \p sigma or \p truncate.
///
/// **Accuracy.** Agrees with SciPy 1.10.1 to a few ulp (tests/core/test_smooth.cpp).
/// Complexity: \f$O(n r)\f$.
template <typename Derived>
[[nodiscard]] vector_x<typename Derived::Scalar> gaussian_filter(const Eigen::DenseBase<Derived>& y,
                                                                 typename Derived::Scalar sigma,
                                                                 typename Derived::Scalar truncate = 4) {
  using Real = typename Derived::Scalar;
  using std::exp;
  using std::floor;
  using std::isfinite;
  constexpr const char* function = "valence::core::gaussian_filter";
  check_min_size(function, "y", y, 1);
  check_finite(function, "y", y);
  if (!(isfinite(sigma) && sigma > 0)) {
    throw invalid_input(detail::message(
        function, "parameter 'sigma' is " + detail::format_value(sigma) + "; expected a positive number of samples"));
  }
  if (!(isfinite(truncate) && truncate > 0)) {
    throw invalid_input(detail::message(
        function, "parameter 'truncate' is " + detail::format_value(truncate) + "; expected a positive value"));
  }
  const index n = y.size();
  const auto radius = static_cast<index>(floor(truncate * sigma + Real(0.5)));
  vector_x<Real> weights(2 * radius + 1);
  for (index k = -radius; k <= radius; ++k) {
    weights(k + radius) = exp(-Real(0.5) * Real(k) * Real(k) / (sigma * sigma));
  }
  weights /= weights.sum();
  const auto reflected = [n](index j) {
    const index period = 2 * n;
    index r = j % period;
    if (r < 0) {
      r += period;
    }
    return r < n ? r : period - 1 - r;
  };
  vector_x<Real> out(n);
  for (index i = 0; i < n; ++i) {
    Real sum = 0;
    for (index k = -radius; k <= radius; ++k) {
      sum += weights(k + radius) * y(reflected(i + k));
    }
    out(i) = sum;
  }
  return out;
}

}  // namespace valence::core

#endif  // VALENCE_CORE_SMOOTH_HPP
