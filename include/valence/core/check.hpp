// SPDX-License-Identifier: MIT
/// \file
/// \brief Input checks shared by every area; each throws valence::invalid_input with a message
/// that names the function, the parameter, the offending value and what was expected.
#ifndef VALENCE_CORE_CHECK_HPP
#define VALENCE_CORE_CHECK_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <string>

namespace valence::core {

/// \brief Throws unless two arrays hold the same number of elements.
/// \ingroup core
/// \param function qualified name of the calling function, e.g. `"valence::xas::pre_edge"`.
/// \param name_a, a the first parameter's name and value.
/// \param name_b, b the second parameter's name and value.
/// \throws valence::invalid_input naming both parameters and both sizes.
template <typename DerivedA, typename DerivedB>
void check_same_size(const char* function, const char* name_a, const Eigen::DenseBase<DerivedA>& a, const char* name_b,
                     const Eigen::DenseBase<DerivedB>& b) {
  if (a.size() != b.size()) {
    throw invalid_input(detail::message(function, std::string("parameter '") + name_a + "' has " +
                                                      std::to_string(a.size()) + " elements but '" + name_b + "' has " +
                                                      std::to_string(b.size()) + "; expected equal sizes"));
  }
}

/// \brief Throws unless an array holds at least \p minimum elements.
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, x the parameter's name and value.
/// \param minimum the smallest acceptable number of elements.
/// \throws valence::invalid_input naming the parameter, its size and the minimum.
template <typename Derived>
void check_min_size(const char* function, const char* name, const Eigen::DenseBase<Derived>& x, index minimum) {
  if (x.size() < minimum) {
    throw invalid_input(detail::message(function, std::string("parameter '") + name + "' has " +
                                                      std::to_string(x.size()) + " elements; expected at least " +
                                                      std::to_string(minimum)));
  }
}

/// \brief Throws unless a scalar is positive and finite.
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, value the parameter's name and value.
/// \param unit the value's unit for the message ("g", "cm^2", …; empty for none).
/// \throws valence::invalid_input naming the parameter, its value and what was expected.
inline void check_positive_value(const char* function, const char* name, double value, const char* unit = "") {
  if (!(value > 0) || !std::isfinite(value)) {
    throw invalid_input(detail::message(function, std::string("parameter '") + name + "' is " +
                                                      detail::format_value(value) + (*unit != 0 ? " " : "") + unit +
                                                      "; expected a positive finite value"));
  }
}

/// \brief Throws if any element is NaN or infinite.
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, x the parameter's name and value (vector or matrix; matrices are scanned column by column).
/// \throws valence::invalid_input naming the first non-finite value and its (row, column) or index.
template <typename Derived>
void check_finite(const char* function, const char* name, const Eigen::DenseBase<Derived>& x) {
  using std::isfinite;
  // x * 0 is 0 for every finite x and NaN otherwise, so the sum is 0 exactly when all are finite:
  // one vectorised pass without a branch per element. The loop below only locates the culprit.
  if ((x.derived().array() * typename Derived::Scalar(0)).sum() == typename Derived::Scalar(0)) {
    return;
  }
  for (index j = 0; j < x.cols(); ++j) {
    for (index i = 0; i < x.rows(); ++i) {
      if (!isfinite(x(i, j))) {
        const std::string where = (x.rows() == 1 || x.cols() == 1)
                                      ? "index " + std::to_string(x.rows() == 1 ? j : i)
                                      : "row " + std::to_string(i) + ", column " + std::to_string(j);
        throw invalid_input(detail::message(function, std::string("parameter '") + name + "' holds " +
                                                          detail::format_value(x(i, j)) + " at " + where +
                                                          "; expected finite values"));
      }
    }
  }
}

/// \brief Throws unless a vector is strictly increasing (which also rules out duplicates).
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, x the parameter's name and value; must be finite (check_finite first).
/// \throws valence::invalid_input naming the first pair of positions that is not increasing, with both values.
template <typename Derived>
void check_strictly_increasing(const char* function, const char* name, const Eigen::DenseBase<Derived>& x) {
  const index n = x.size();
  // The common case in one vectorised reduction. A positive difference of finite doubles means an
  // increase (rounding is monotonic and keeps the sign); only a flush-to-zero mode can turn a tiny
  // increase into 0, and the loop below then finds nothing to report.
  if (n < 2 || (x.tail(n - 1) - x.head(n - 1)).minCoeff() > 0) {
    return;
  }
  for (index i = 1; i < n; ++i) {
    if (!(x(i - 1) < x(i))) {
      const std::string kind = x(i - 1) == x(i) ? "a duplicate" : "a decrease";
      throw invalid_input(detail::message(function, std::string("parameter '") + name + "' has " + kind + " at index " +
                                                        std::to_string(i) + " (" + name + "[" + std::to_string(i - 1) +
                                                        "] = " + detail::format_value(x(i - 1)) + ", " + name + "[" +
                                                        std::to_string(i) + "] = " + detail::format_value(x(i)) +
                                                        "); expected strictly increasing values"));
    }
  }
}

/// \brief Throws unless every element is finite and strictly positive (weights, counts used as variances).
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, x the parameter's name and value.
/// \throws valence::invalid_input naming the first offending value and its position.
template <typename Derived>
void check_positive(const char* function, const char* name, const Eigen::DenseBase<Derived>& x) {
  using std::isfinite;
  for (index j = 0; j < x.cols(); ++j) {
    for (index i = 0; i < x.rows(); ++i) {
      const auto v = x(i, j);
      if (!(isfinite(v) && v > 0)) {
        const std::string where = (x.rows() == 1 || x.cols() == 1)
                                      ? "index " + std::to_string(x.rows() == 1 ? j : i)
                                      : "row " + std::to_string(i) + ", column " + std::to_string(j);
        throw invalid_input(detail::message(function, std::string("parameter '") + name + "' holds " +
                                                          detail::format_value(v) + " at " + where +
                                                          "; expected positive finite values"));
      }
    }
  }
}

/// \brief Checks an abscissa the way every spectral routine needs it: at least \p minimum points,
/// all finite, strictly increasing.
/// \ingroup core
/// \param function qualified name of the calling function.
/// \param name, x the parameter's name and value.
/// \param minimum the smallest acceptable number of points.
/// \throws valence::invalid_input from check_min_size(), check_finite() or check_strictly_increasing().
template <typename Derived>
void check_abscissa(const char* function, const char* name, const Eigen::DenseBase<Derived>& x, index minimum) {
  check_min_size(function, name, x, minimum);
  check_finite(function, name, x);
  check_strictly_increasing(function, name, x);
}

}  // namespace valence::core

#endif  // VALENCE_CORE_CHECK_HPP
