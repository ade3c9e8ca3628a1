// SPDX-License-Identifier: MIT
/// \file
/// \brief numpy-compatible numerical gradient on uniform and non-uniform grids.
#ifndef VALENCE_CORE_GRADIENT_HPP
#define VALENCE_CORE_GRADIENT_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <type_traits>

namespace valence::core {

/// \brief Accuracy order of the one-sided differences at the two ends (numpy's `edge_order`).
/// \ingroup core
enum class edge_order {
  first = 1,  ///< \f$(y_1-y_0)/(x_1-x_0)\f$; needs 2 points
  second = 2  ///< three-point second-order one-sided formula; needs 3 points
};

namespace detail {

inline void check_edge_order(const char* function, edge_order order, index size) {
  const index needed = order == edge_order::first ? 2 : 3;
  if (order != edge_order::first && order != edge_order::second) {
    throw invalid_input(message(function, "parameter 'order' is " + std::to_string(static_cast<int>(order)) +
                                              "; expected edge_order::first or edge_order::second"));
  }
  if (size < needed) {
    throw invalid_input(message(function, "parameter 'y' has " + std::to_string(size) +
                                              " elements; expected at least " + std::to_string(needed) +
                                              " for edge order " + std::to_string(static_cast<int>(order))));
  }
}

// Uniform spacing h, written as numpy writes it so that results agree to the last bit.
template <typename Real, typename DerivedY>
vector_x<Real> gradient_uniform(const Eigen::DenseBase<DerivedY>& y, Real h, edge_order order) {
  const index n = y.size();
  vector_x<Real> g(n);
  for (index i = 1; i + 1 < n; ++i) {
    g(i) = (y(i + 1) - y(i - 1)) / (Real(2) * h);
  }
  if (order == edge_order::first) {
    g(0) = (y(1) - y(0)) / h;
    g(n - 1) = (y(n - 1) - y(n - 2)) / h;
  } else {
    // numpy scales the coefficients first, then sums.
    g(0) = (Real(-1.5) / h) * y(0) + (Real(2) / h) * y(1) + (Real(-0.5) / h) * y(2);
    g(n - 1) = (Real(0.5) / h) * y(n - 3) + (Real(-2) / h) * y(n - 2) + (Real(1.5) / h) * y(n - 1);
  }
  return g;
}

}  // namespace detail

/// \brief Gradient \f$dy/dx\f$ of samples on a uniform grid of spacing \p spacing (numpy
/// `gradient(y, spacing, edge_order=...)`).
/// \ingroup core
///
/// Interior points use the central difference \f$(y_{i+1}-y_{i-1})/(2h)\f$; the ends use the
/// one-sided formula of the chosen \p order.
/// \param y samples (finite).
/// \param spacing grid spacing \f$h\f$ (finite, non-zero), in the unit of the abscissa.
/// \param order accuracy order at the ends.
/// \returns \f$dy/dx\f$ at every sample, same length as \p y.
/// \throws valence::invalid_input if \p y is too short for \p order, holds a non-finite value,
///         or \p spacing is zero or non-finite.
///
/// Accuracy: bit-identical to numpy 1.24 on the tested inputs (tests/core/test_gradient.cpp).
template <typename DerivedY>
[[nodiscard]] vector_x<typename DerivedY::Scalar> gradient(const Eigen::DenseBase<DerivedY>& y,
                                                           typename DerivedY::Scalar spacing = 1,
                                                           edge_order order = edge_order::first) {
  using Real = typename DerivedY::Scalar;
  using std::isfinite;
  constexpr const char* function = "valence::core::gradient";
  detail::check_edge_order(function, order, y.size());
  check_finite(function, "y", y);
  if (!isfinite(spacing) || spacing == Real(0)) {
    throw invalid_input(detail::message(
        function, "parameter 'spacing' is " + detail::format_value(spacing) + "; expected a finite non-zero value"));
  }
  return detail::gradient_uniform<Real>(y, spacing, order);
}

/// \brief Gradient \f$dy/dx\f$ of samples on a non-uniform grid (numpy `gradient(y, x, edge_order=...)`).
/// \ingroup core
///
/// Interior points use the second-order three-point formula for unequal spacings
/// \f$h_- = x_i - x_{i-1}\f$, \f$h_+ = x_{i+1} - x_i\f$:
/// \f[ y'_i \approx -\frac{h_+}{h_-(h_-+h_+)}\,y_{i-1} + \frac{h_+-h_-}{h_-h_+}\,y_i +
/// \frac{h_-}{h_+(h_-+h_+)}\,y_{i+1}, \f] which is exact for quadratics. When every spacing is identical the uniform
/// formulas are used, as numpy does. Note that Larch's `gradient(mu)/gradient(E)` is a different estimator on
/// non-uniform grids; this function reproduces numpy's.
/// \param y samples (finite).
/// \param x abscissa, strictly increasing and finite, same length as \p y.
/// \param order accuracy order at the ends.
/// \returns \f$dy/dx\f$ at every sample.
/// \throws valence::invalid_input on a size mismatch, non-finite values, an abscissa that is not
///         strictly increasing, or too few points for \p order.
///
/// Accuracy: agrees with numpy 1.24 to within 2 ulp of the largest term on the tested inputs
/// (tests/core/test_gradient.cpp).
template <typename DerivedY, typename DerivedX>
[[nodiscard]] vector_x<typename DerivedY::Scalar> gradient(const Eigen::DenseBase<DerivedY>& y,
                                                           const Eigen::DenseBase<DerivedX>& x,
                                                           edge_order order = edge_order::first) {
  using Real = typename DerivedY::Scalar;
  static_assert(std::is_same_v<Real, typename DerivedX::Scalar>,
                "valence::core::gradient: y and x must have the same scalar type");
  constexpr const char* function = "valence::core::gradient";
  check_same_size(function, "y", y, "x", x);
  detail::check_edge_order(function, order, y.size());
  check_finite(function, "y", y);
  check_finite(function, "x", x);
  check_strictly_increasing(function, "x", x);
  const index n = y.size();
  bool uniform = true;
  const Real h0 = x(1) - x(0);
  for (index i = 2; i < n && uniform; ++i) {
    uniform = (x(i) - x(i - 1)) == h0;
  }
  if (uniform) {
    return detail::gradient_uniform<Real>(y, h0, order);
  }
  vector_x<Real> g(n);
  for (index i = 1; i + 1 < n; ++i) {
    const Real hm = x(i) - x(i - 1);
    const Real hp = x(i + 1) - x(i);
    const Real a = -hp / (hm * (hm + hp));
    const Real b = (hp - hm) / (hm * hp);
    const Real c = hm / (hp * (hm + hp));
    g(i) = a * y(i - 1) + b * y(i) + c * y(i + 1);
  }
  if (order == edge_order::first) {
    g(0) = (y(1) - y(0)) / (x(1) - x(0));
    g(n - 1) = (y(n - 1) - y(n - 2)) / (x(n - 1) - x(n - 2));
  } else {
    Real h1 = x(1) - x(0);
    Real h2 = x(2) - x(1);
    g(0) = -(Real(2) * h1 + h2) / (h1 * (h1 + h2)) * y(0) + (h1 + h2) / (h1 * h2) * y(1) - h1 / (h2 * (h1 + h2)) * y(2);
    h1 = x(n - 2) - x(n - 3);
    h2 = x(n - 1) - x(n - 2);
    g(n - 1) = h2 / (h1 * (h1 + h2)) * y(n - 3) - (h2 + h1) / (h1 * h2) * y(n - 2) +
               (Real(2) * h2 + h1) / (h2 * (h1 + h2)) * y(n - 1);
  }
  return g;
}

}  // namespace valence::core

#endif  // VALENCE_CORE_GRADIENT_HPP
