// SPDX-License-Identifier: MIT
/// \file
/// \brief Linear and not-a-knot cubic spline interpolation on non-uniform grids.
#ifndef VALENCE_CORE_INTERPOLATE_HPP
#define VALENCE_CORE_INTERPOLATE_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>

#include <Eigen/Core>

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace valence::core {

/// \brief What interpolation does with query points outside `[x.front(), x.back()]`.
/// \ingroup core
enum class extrapolation {
  forbid,  ///< throw valence::invalid_input (the default: nothing is invented silently)
  hold,    ///< repeat the end values (numpy `interp`)
  extend   ///< continue the end segment or end cubic piece (Larch `interp`, scipy `CubicSpline`)
};

namespace detail {

// Interval k with x[k] <= v < x[k+1], clamped to [0, n-2] (so end points use the end interval).
template <typename Derived>
index interval_of(const Eigen::DenseBase<Derived>& x, typename Derived::Scalar v) {
  const index k = index_of(x, v);
  return k > x.size() - 2 ? x.size() - 2 : k;
}

template <typename DerivedX, typename Real>
void check_query_point(const char* function, const Eigen::DenseBase<DerivedX>& x, Real t, index position,
                       extrapolation mode) {
  using std::isfinite;
  if (!isfinite(t)) {
    throw invalid_input(message(function, "parameter 'x_new' holds " + format_value(t) + " at index " +
                                              std::to_string(position) + "; expected finite values"));
  }
  const auto lo = x(0);
  const auto hi = x(x.size() - 1);
  if (mode == extrapolation::forbid && (t < lo || t > hi)) {
    throw invalid_input(message(function, "parameter 'x_new' holds " + format_value(t) + " at index " +
                                              std::to_string(position) + ", outside the data range [" +
                                              format_value(lo) + ", " + format_value(hi) +
                                              "]; expected values inside it, or extrapolation::hold or ::extend"));
  }
}

template <typename DerivedX, typename DerivedQ>
void check_query(const char* function, const Eigen::DenseBase<DerivedX>& x, const Eigen::DenseBase<DerivedQ>& xq,
                 extrapolation mode) {
  for (index i = 0; i < xq.size(); ++i) {
    check_query_point(function, x, xq(i), i, mode);
  }
}

}  // namespace detail

/// \brief Piecewise-linear interpolation of \f$(x_i, y_i)\f$ at new abscissae.
/// \ingroup core
///
/// For \f$x_k \le t < x_{k+1}\f$: \f$y(t) = y_k + \frac{y_{k+1}-y_k}{x_{k+1}-x_k}(t - x_k)\f$, evaluated in
/// that order (as numpy `interp` and scipy `interp1d` do), so nodes are reproduced exactly.
/// \param x abscissa: finite, strictly increasing, at least 2 points.
/// \param y ordinate: finite, same length as \p x.
/// \param x_new query points (any order, finite).
/// \param mode behaviour outside `[x.front(), x.back()]`; see extrapolation.
/// \returns the interpolated values at \p x_new.
/// \throws valence::invalid_input on a size mismatch, non-finite values, an abscissa that is not
///         strictly increasing or shorter than 2, or a query outside the data under extrapolation::forbid.
///
/// Complexity: \f$O(m \log n)\f$ for \f$m\f$ queries.
template <typename DerivedX, typename DerivedY, typename DerivedQ>
[[nodiscard]] vector_x<typename DerivedY::Scalar> interpolate_linear(const Eigen::DenseBase<DerivedX>& x,
                                                                     const Eigen::DenseBase<DerivedY>& y,
                                                                     const Eigen::DenseBase<DerivedQ>& x_new,
                                                                     extrapolation mode = extrapolation::forbid) {
  using Real = typename DerivedY::Scalar;
  static_assert(std::is_same_v<Real, typename DerivedX::Scalar> && std::is_same_v<Real, typename DerivedQ::Scalar>,
                "valence::core::interpolate_linear: x, y and x_new must share one scalar type");
  constexpr const char* function = "valence::core::interpolate_linear";
  check_same_size(function, "y", y, "x", x);
  check_abscissa(function, "x", x, 2);
  check_finite(function, "y", y);
  detail::check_query(function, x, x_new, mode);
  const index n = x.size();
  vector_x<Real> out(x_new.size());
  for (index i = 0; i < x_new.size(); ++i) {
    const Real t = x_new(i);
    if (mode == extrapolation::hold && t <= x(0)) {
      out(i) = y(0);
    } else if (mode == extrapolation::hold && t >= x(n - 1)) {
      out(i) = y(n - 1);
    } else if (t == x(n - 1)) {
      out(i) = y(n - 1);
    } else {
      const index k = detail::interval_of(x, t);
      const Real slope = (y(k + 1) - y(k)) / (x(k + 1) - x(k));
      out(i) = slope * (t - x(k)) + y(k);
    }
  }
  return out;
}

/// \brief Interpolating cubic spline with not-a-knot end conditions (scipy `CubicSpline(x, y)`,
/// `interp1d(kind='cubic')`, Larch `interp(kind='cubic')`).
/// \ingroup core
///
/// The spline is \f$C^2\f$ and cubic on each interval; "not-a-knot" makes the third derivative
/// continuous at \f$x_1\f$ and \f$x_{n-2}\f$, so the first two and the last two pieces are one
/// cubic each. With 3 points the spline is the interpolating parabola, with 2 the line.
/// The slopes \f$s_i\f$ at the nodes solve the tridiagonal system
/// \f[ h_i s_{i-1} + 2(h_{i-1}+h_i) s_i + h_{i-1} s_{i+1} = 3(h_i\delta_{i-1} + h_{i-1}\delta_i), \f]
/// \f$h_i = x_{i+1}-x_i\f$, \f$\delta_i = (y_{i+1}-y_i)/h_i\f$, closed by the not-a-knot rows; each
/// piece is then the cubic Hermite interpolant of its end values and slopes.
///
/// The object owns a copy of the data (taken once in the constructor); evaluation is `const` and
/// thread-safe.
///
/// Accuracy: agrees with scipy 1.10 `CubicSpline` to a few ulp of the data scale on the tested inputs
/// (tests/core/test_interpolate.cpp); reproduces cubic polynomials to rounding.
///
/// Reference: C. de Boor, *A Practical Guide to Splines*, rev. ed., Springer (2001), ch. IV.
/// \tparam Real float, double or long double.
template <typename Real>
class cubic_spline {
  static_assert(std::is_floating_point_v<Real>, "valence::core::cubic_spline requires a floating-point Real");

 public:
  /// \brief Builds the spline through \f$(x_i, y_i)\f$.
  /// \param x abscissa: finite, strictly increasing, at least 2 points.
  /// \param y ordinate: finite, same length as \p x.
  /// \param mode behaviour of evaluation outside `[x.front(), x.back()]`.
  /// \throws valence::invalid_input on a size mismatch, non-finite values, or an abscissa that is
  ///         not strictly increasing or shorter than 2.
  template <typename DerivedX, typename DerivedY>
  cubic_spline(const Eigen::DenseBase<DerivedX>& x, const Eigen::DenseBase<DerivedY>& y,
               extrapolation mode = extrapolation::forbid)
      : x_(x), y_(y), mode_(mode) {
    constexpr const char* function = "valence::core::cubic_spline";
    check_same_size(function, "y", y, "x", x);
    check_abscissa(function, "x", x, 2);
    check_finite(function, "y", y);
    slope_ = slopes_of(x_, y_).col(0);
  }

  /// \brief Builds the splines through each column of \p y, all on the abscissa \p x.
  ///
  /// The tridiagonal system of the slopes depends on \p x alone, so one elimination serves every
  /// column: for c columns it costs about as much as one spline, where c separate constructions
  /// cost c times as much (a set of reference spectra measured on one energy grid, as
  /// xas::lcf_all interpolates them). Each spline equals, bit for bit, the one the constructor
  /// builds from the same column.
  /// \param x abscissa: finite, strictly increasing, at least 2 points.
  /// \param y ordinates, one spline per column: finite, one row per element of \p x.
  /// \param mode behaviour of evaluation outside `[x.front(), x.back()]`.
  /// \returns the splines, in the order of the columns of \p y.
  /// \throws valence::invalid_input when \p y has another number of rows than \p x has elements,
  ///         holds a non-finite value, or when \p x is not finite, strictly increasing and at least
  ///         2 long.
  template <typename DerivedX, typename DerivedY>
  [[nodiscard]] static std::vector<cubic_spline> through_columns(const Eigen::DenseBase<DerivedX>& x,
                                                                 const Eigen::DenseBase<DerivedY>& y,
                                                                 extrapolation mode = extrapolation::forbid) {
    constexpr const char* function = "valence::core::cubic_spline::through_columns";
    check_abscissa(function, "x", x, 2);
    if (y.rows() != x.size()) {
      throw invalid_input(detail::message(function, "parameter 'y' has " + std::to_string(y.rows()) +
                                                        " rows but 'x' has " + std::to_string(x.size()) +
                                                        " elements; expected one row per abscissa"));
    }
    check_finite(function, "y", y);
    const vector_x<Real> abscissa = x;
    const matrix_x<Real> ordinates = y;
    const matrix_x<Real> slopes = slopes_of(abscissa, ordinates);
    std::vector<cubic_spline> out;
    out.reserve(static_cast<std::size_t>(ordinates.cols()));
    for (index c = 0; c < ordinates.cols(); ++c) {
      out.push_back(cubic_spline(abscissa, ordinates.col(c), slopes.col(c), mode));
    }
    return out;
  }

  /// \brief The spline at \p t.
  /// \param t abscissa (finite).
  /// \returns the spline's value at \p t.
  /// \throws valence::invalid_input for a non-finite \p t, or one outside the data under extrapolation::forbid.
  [[nodiscard]] Real operator()(Real t) const { return evaluate(t, 0); }

  /// \brief The spline at every element of \p t.
  /// \param t abscissae (finite), any order.
  /// \returns the spline's values, one per element of \p t.
  /// \throws valence::invalid_input as the scalar overload.
  template <typename DerivedQ>
  [[nodiscard]] vector_x<Real> operator()(const Eigen::DenseBase<DerivedQ>& t) const {
    detail::check_query("valence::core::cubic_spline", x_, t, mode_);
    vector_x<Real> out(t.size());
    index k = 0;  // the previous point's interval: ascending queries, the usual case, find theirs at once
    for (index i = 0; i < t.size(); ++i) {
      out(i) = evaluate_unchecked(t(i), 0, k);
    }
    return out;
  }

  /// \brief The first derivative of the spline at \p t.
  /// \param t abscissa (finite).
  /// \returns \f$dy/dx\f$ at \p t, in units of y per unit of x.
  /// \throws valence::invalid_input as operator()().
  [[nodiscard]] Real derivative(Real t) const { return evaluate(t, 1); }

  /// \brief The abscissa the spline was built on.
  /// \returns the copy of x taken by the constructor.
  [[nodiscard]] const vector_x<Real>& x() const noexcept { return x_; }
  /// \brief The ordinate the spline was built on.
  /// \returns the copy of y taken by the constructor.
  [[nodiscard]] const vector_x<Real>& y() const noexcept { return y_; }

 private:
  // A spline whose slopes are known (through_columns); the data were checked there.
  cubic_spline(vector_x<Real> x, vector_x<Real> y, vector_x<Real> slopes, extrapolation mode)
      : x_(std::move(x)), y_(std::move(y)), slope_(std::move(slopes)), mode_(mode) {}

  // The not-a-knot slopes of the splines through the columns of y (n x c) on the abscissa x. Each
  // column's arithmetic is the same, operation for operation, whatever the number of columns.
  static matrix_x<Real> slopes_of(const vector_x<Real>& x, const matrix_x<Real>& y) {
    using rows_of_columns = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const index n = x.size();
    const index columns = y.cols();
    matrix_x<Real> slope(n, columns);
    const vector_x<Real> h = x.tail(n - 1) - x.head(n - 1);
    // delta(i, c) = (y(i + 1, c) - y(i, c)) / h(i), a row per interval (each row's columns together)
    rows_of_columns delta(n - 1, columns);
    for (index i = 0; i + 1 < n; ++i) {
      for (index c = 0; c < columns; ++c) {
        delta(i, c) = (y(i + 1, c) - y(i, c)) / h(i);
      }
    }
    if (n == 2) {
      for (index c = 0; c < columns; ++c) {
        slope.col(c).setConstant(delta(0, c));
      }
      return slope;
    }
    if (n == 3) {  // the two not-a-knot conditions coincide: the spline is the parabola
      for (index c = 0; c < columns; ++c) {
        const Real c2 = (delta(1, c) - delta(0, c)) / (x(2) - x(0));
        slope(0, c) = delta(0, c) - c2 * h(0);
        slope(1, c) = delta(0, c) + c2 * h(0);
        slope(2, c) = delta(0, c) + c2 * (h(0) + Real(2) * h(1));
      }
      return slope;
    }
    // Tridiagonal system: sub(i) s(i-1) + diag(i) s(i) + super(i) s(i+1) = rhs(i), the same matrix
    // for every column.
    vector_x<Real> sub(n), diag(n), super(n);
    rows_of_columns rhs(n, columns);
    const Real d0 = x(2) - x(0);
    diag(0) = h(1);
    super(0) = d0;
    for (index c = 0; c < columns; ++c) {
      rhs(0, c) = (delta(0, c) * h(1) * (Real(3) * h(0) + Real(2) * h(1)) + h(0) * h(0) * delta(1, c)) / d0;
    }
    for (index i = 1; i + 1 < n; ++i) {
      sub(i) = h(i);
      diag(i) = Real(2) * (h(i - 1) + h(i));
      super(i) = h(i - 1);
      for (index c = 0; c < columns; ++c) {
        rhs(i, c) = Real(3) * (h(i) * delta(i - 1, c) + h(i - 1) * delta(i, c));
      }
    }
    const Real hl = h(n - 2);  // last interval
    const Real hb = h(n - 3);  // the one before
    const Real dn = x(n - 1) - x(n - 3);
    sub(n - 1) = dn;
    diag(n - 1) = hb;
    for (index c = 0; c < columns; ++c) {
      rhs(n - 1, c) = (delta(n - 2, c) * hb * (Real(3) * hl + Real(2) * hb) + hl * hl * delta(n - 3, c)) / dn;
    }
    // Thomas elimination. The first row is not diagonally dominant, but eliminating it leaves
    // diag(1) = h0 + h1 exactly, after which every row is dominant. One division per row, kept as
    // a reciprocal for the back substitution: the divisions form the elimination's dependent chain.
    vector_x<Real>& inverse = diag;  // diag(i) is read only before it is inverted
    for (index i = 1; i < n; ++i) {
      inverse(i - 1) = Real(1) / diag(i - 1);
      const Real factor = sub(i) * inverse(i - 1);
      diag(i) -= factor * super(i - 1);
      for (index c = 0; c < columns; ++c) {
        rhs(i, c) -= factor * rhs(i - 1, c);
      }
    }
    inverse(n - 1) = Real(1) / diag(n - 1);
    for (index c = 0; c < columns; ++c) {
      rhs(n - 1, c) *= inverse(n - 1);
    }
    for (index i = n - 2; i >= 0; --i) {  // rhs becomes the slopes, row by row
      for (index c = 0; c < columns; ++c) {
        rhs(i, c) = (rhs(i, c) - super(i) * rhs(i + 1, c)) * inverse(i);
      }
    }
    slope = rhs;
    return slope;
  }

  Real evaluate(Real t, int order) const {
    detail::check_query_point("valence::core::cubic_spline", x_, t, 0, mode_);
    index k = 0;
    return evaluate_unchecked(t, order, k);
  }

  // Cubic Hermite form on [x_k, x_k+1] with u = t - x_k:
  // p(u) = y_k + s_k u + c2 u^2 + c3 u^3.
  // The spline at t; `k` is a guess of t's interval (detail::interval_of), replaced by t's own.
  Real evaluate_unchecked(Real t, int order, index& k) const {
    const index n = x_.size();
    if (mode_ == extrapolation::hold && (t <= x_(0) || t >= x_(n - 1))) {
      return order == 0 ? (t <= x_(0) ? y_(0) : y_(n - 1)) : Real(0);
    }
    const auto holds = [&](index j) { return (j == 0 || x_(j) <= t) && (j == n - 2 || t < x_(j + 1)); };
    if (!holds(k)) {
      k = k + 1 <= n - 2 && holds(k + 1) ? k + 1 : detail::interval_of(x_, t);
    }
    const Real inverse_h = Real(1) / (x_(k + 1) - x_(k));  // one division, not three
    const Real delta = (y_(k + 1) - y_(k)) * inverse_h;
    const Real c2 = (Real(3) * delta - Real(2) * slope_(k) - slope_(k + 1)) * inverse_h;
    const Real c3 = (slope_(k) + slope_(k + 1) - Real(2) * delta) * (inverse_h * inverse_h);
    const Real u = t - x_(k);
    if (order == 0) {
      return y_(k) + u * (slope_(k) + u * (c2 + u * c3));
    }
    return slope_(k) + u * (Real(2) * c2 + u * Real(3) * c3);
  }

  vector_x<Real> x_;
  vector_x<Real> y_;
  vector_x<Real> slope_;
  extrapolation mode_;
};

/// \brief Not-a-knot cubic-spline interpolation of \f$(x_i, y_i)\f$ at new abscissae; a
/// convenience for `cubic_spline<Real>(x, y, mode)(x_new)`.
/// \ingroup core
/// \param x abscissa: finite, strictly increasing, at least 2 points.
/// \param y ordinate: finite, same length as \p x.
/// \param x_new query points.
/// \param mode behaviour outside `[x.front(), x.back()]`.
/// \returns the spline at \p x_new.
/// \throws valence::invalid_input as cubic_spline and its evaluation.
template <typename DerivedX, typename DerivedY, typename DerivedQ>
[[nodiscard]] vector_x<typename DerivedY::Scalar> interpolate_cubic(const Eigen::DenseBase<DerivedX>& x,
                                                                    const Eigen::DenseBase<DerivedY>& y,
                                                                    const Eigen::DenseBase<DerivedQ>& x_new,
                                                                    extrapolation mode = extrapolation::forbid) {
  return cubic_spline<typename DerivedY::Scalar>(x, y, mode)(x_new);
}

}  // namespace valence::core

#endif  // VALENCE_CORE_INTERPOLATE_HPP
