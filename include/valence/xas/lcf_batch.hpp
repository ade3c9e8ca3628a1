// SPDX-License-Identifier: MIT
/// \file
/// \brief Linear-combination fits of a series or stack of XANES spectra against the same standards.
#ifndef VALENCE_XAS_LCF_BATCH_HPP
#define VALENCE_XAS_LCF_BATCH_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/propagation.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/xas/lcf.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace valence::xas {

/// \brief Linear-combination fits of many spectra against the same standards: maps of weights.
/// \ingroup xas
///
/// One value (or column) per spectrum; entries of a spectrum whose status is not `ok` are NaN.
/// \tparam Real the scalar type of the spectra (float or double).
template <typename Real>
struct lcf_batch_result {
  std::vector<std::string> names;          ///< the standards, in the order given
  matrix_x<Real> weights;                  ///< \f$n \times P\f$: \f$w_j\f$ of each spectrum
  matrix_x<Real> weight_errors;            ///< \f$n \times P\f$: their standard errors
  vector_x<Real> weight_sum;               ///< \f$P\f$: \f$\sum_j w_j\f$
  vector_x<Real> weight_sum_error;         ///< \f$P\f$: its standard error (0 under sum_to_one)
  vector_x<Real> mean_value;               ///< \f$P\f$: \f$\sum_j s_j w_j / \sum_j w_j\f$ (only with known values)
  vector_x<Real> mean_value_error;         ///< \f$P\f$: its standard error (only with known values)
  vector_x<Real> chi_square;               ///< \f$P\f$: \f$\chi^2\f$
  vector_x<Real> reduced_chi_square;       ///< \f$P\f$: \f$\chi^2/\nu\f$
  vector_x<Real> r_factor;                 ///< \f$P\f$: \f$\sum r^2/\sum y^2\f$ (unweighted)
  std::vector<fit::column_status> status;  ///< \f$P\f$: why a spectrum was not fitted (NaN data, …)
  index points = 0;                        ///< points in the window
  /// \brief Number of spectra that were not fitted.
  /// \returns the count of statuses that are not `ok`.
  [[nodiscard]] index failed() const {
    return static_cast<index>(
        std::count_if(status.begin(), status.end(), [](fit::column_status s) { return s != fit::column_status::ok; }));
  }
};

/// \brief Fits every spectrum of a series or stack as a linear combination of the same standards.
/// \ingroup xas
///
/// The model, window, constraints and statistics are those of lcf() without shifts, and each
/// column's result equals lcf()'s on that spectrum (to rounding). The standards are interpolated
/// (and differentiated) once; the spectra go through fit::least_squares_batch() with one
/// factorisation of the standards, in parallel when compiled with OpenMP. Background terms and
/// derivatives are handled on a double copy of the window (the background projected out of data
/// and standards, as in lcf()); otherwise the spectra are read in place.
///
/// With \p known_values \f$s_j\f$ (e.g. the oxidation states 2, 3, 4 of MnO, Mn₂O₃ and MnO₂) each
/// spectrum also gets \f$\bar s = \sum_j s_j w_j / \sum_j w_j\f$ with its standard error propagated
/// from that spectrum's weight covariance, as core::weighted_mean_of_known_values() computes it.
/// \tparam Derived an Eigen matrix expression of float or double (contiguous or strided).
/// \param energy data energies in eV, strictly increasing, finite (one per row of \p spectra).
/// \param spectra one spectrum per column (energies × spectra, as normalize_stack() lays a stack).
/// \param standards one or more reference spectra on their own grids.
/// \param options as lcf(); `shift` must be lcf_shift::none.
/// \param known_values one value per standard, or empty.
/// \returns maps of weights, errors, sums, mean values and statistics, with a status per spectrum.
/// \throws valence::invalid_input on a row count that differs from \p energy's size, bad energies,
///         no standards, shifts requested, known values of the wrong length or not finite, and
///         every error of lcf() about the window, the standards and the options. A spectrum with a
///         non-finite value in the window is not an error: its status is
///         fit::column_status::non_finite_data and the others are fitted.
///
/// **Accuracy.** Weights, errors, χ² and R-factors equal lcf() column by column to 1e-9 relative
/// on noisy Mn oxide mixtures, with and without σ, background and derivatives
/// (tests/xas/test_lcf_batch.cpp).
template <typename Derived>
[[nodiscard]] lcf_batch_result<typename Derived::Scalar> lcf_batch(const vector_ref& energy,
                                                                   const Eigen::MatrixBase<Derived>& spectra,
                                                                   const std::vector<lcf_standard>& standards,
                                                                   const lcf_options& options = {},
                                                                   const vector_ref& known_values = vector_d()) {
  using Real = typename Derived::Scalar;
  static_assert(std::is_floating_point_v<Real>, "valence::xas::lcf_batch requires float or double spectra");
  constexpr const char* function = "valence::xas::lcf_batch";
  core::check_finite(function, "energy", energy);
  core::check_min_size(function, "energy", energy, 4);
  core::check_strictly_increasing(function, "energy", energy);
  if (spectra.rows() != energy.size()) {
    throw invalid_input(core::detail::message(function, "'spectra' has " + std::to_string(spectra.rows()) +
                                                            " rows but 'energy' has " + std::to_string(energy.size()) +
                                                            " values; expected one row per energy"));
  }
  if (standards.empty()) {
    throw invalid_input(core::detail::message(function, "no standards were given; expected at least one"));
  }
  if (options.shift != lcf_shift::none) {
    throw invalid_input(core::detail::message(
        function,
        "'options.shift' asks for energy shifts; expected lcf_shift::none (fit shifts with lcf() on a "
        "representative spectrum and shift the standards' energies)"));
  }
  const auto n = static_cast<index>(standards.size());
  if (known_values.size() != 0) {
    if (known_values.size() != n) {
      throw invalid_input(core::detail::message(function, "'known_values' has " + std::to_string(known_values.size()) +
                                                              " values for " + std::to_string(n) +
                                                              " standards; expected one per standard"));
    }
    core::check_finite(function, "known_values", known_values);
  }
  const auto problem = detail::lcf_make_problem(function, energy, options);
  detail::lcf_check_points(function, problem, n, options);
  const matrix_d design = detail::lcf_design(function, detail::lcf_prepare(function, standards, options),
                                             problem.energy, vector_d(), options.allow_extrapolation);
  const index m = problem.window.size;
  const index count = spectra.cols();
  const index background = problem.background.cols();
  fit::least_squares_options<Real> ls;
  if (options.sum_to_one) {
    ls.sum_to = Real(1);
  }
  ls.lower = vector_x<Real>::Constant(n, Real(options.lower));
  ls.upper = vector_x<Real>::Constant(n, Real(options.upper));
  fit::batch_options<Real> batch;
  batch.keep_covariance = known_values.size() != 0 || !options.sum_to_one;
  batch.keep_residuals = background > 0;  // for the unweighted R-factor, which projection hides
  const auto solve = [&](const matrix_d& a, const auto& y) {
    try {
      return fit::least_squares_batch(matrix_x<Real>(a.template cast<Real>()), y, ls, batch);
    } catch (const invalid_input& e) {  // collinear standards, unreachable sum: say so in lcf's terms
      throw invalid_input(core::detail::message(function, std::string("the standards cannot be fitted: ") + e.what()));
    }
  };
  fit::least_squares_batch_result<Real> fitted;
  vector_d data_norm2;
  if (!options.derivative && background == 0) {
    if (problem.sqrt_w.size() != 0) {
      ls.weights = problem.sqrt_w.cwiseAbs2().template cast<Real>();
    }
    fitted = solve(design, spectra.middleRows(problem.window.begin, m));
  } else {
    matrix_d y(m, count);
    for (index p = 0; p < count; ++p) {
      const vector_d column = spectra.col(p).template cast<double>();
      y.col(p) = detail::lcf_array(column, energy, options).segment(problem.window.begin, m);
    }
    if (background == 0) {
      if (problem.sqrt_w.size() != 0) {
        ls.weights = problem.sqrt_w.cwiseAbs2().template cast<Real>();
      }
      fitted = solve(design, matrix_x<Real>(y.template cast<Real>()));
    } else {
      data_norm2 = y.colwise().squaredNorm().transpose();
      fitted = solve(problem.reduced(design), matrix_x<Real>(problem.reduced(y).template cast<Real>()));
    }
  }
  lcf_batch_result<Real> out;
  for (const auto& s : standards) {
    out.names.push_back(s.name);
  }
  out.points = m;
  out.weights = std::move(fitted.coefficients);
  out.weight_errors = std::move(fitted.standard_errors);
  out.chi_square = std::move(fitted.chi_square);
  out.reduced_chi_square = std::move(fitted.reduced_chi_square);
  out.r_factor = std::move(fitted.r_factor);
  out.status = std::move(fitted.status);
  out.weight_sum = out.weights.colwise().sum().transpose();
  out.weight_sum_error = vector_x<Real>::Zero(count);
  constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  if (known_values.size() != 0) {
    out.mean_value = vector_x<Real>::Constant(count, nan);
    out.mean_value_error = vector_x<Real>::Constant(count, nan);
  }
  for (index p = 0; p < count; ++p) {
    if (out.status[static_cast<std::size_t>(p)] != fit::column_status::ok) {
      out.weight_sum_error(p) = nan;
      continue;
    }
    Real scale = 1;  // the background terms' degrees of freedom, which the batch did not see
    if (background > 0) {
      const index dof = fitted.dof(p) - background;
      scale = Real(fitted.dof(p)) / Real(dof);
      out.reduced_chi_square(p) = out.chi_square(p) / Real(dof);
      out.weight_errors.col(p) *= std::sqrt(scale);
      const vector_d weighted = fitted.residuals.col(p).template cast<double>();
      const vector_d residual =
          problem.sqrt_w.size() == 0 ? weighted : vector_d(weighted.cwiseQuotient(problem.sqrt_w));
      out.r_factor(p) = Real(residual.squaredNorm() / data_norm2(p));
    }
    if (!batch.keep_covariance) {
      continue;
    }
    const matrix_d covariance =
        Eigen::Map<const matrix_x<Real>>(fitted.covariances.col(p).data(), n, n).template cast<double>() *
        double(scale);
    if (!options.sum_to_one) {
      out.weight_sum_error(p) = Real(std::sqrt(std::max(0.0, covariance.sum())));
    }
    if (known_values.size() != 0 && out.weight_sum(p) != 0) {
      const auto mean = core::weighted_mean_of_known_values(
          known_values, vector_d(out.weights.col(p).template cast<double>()), covariance);
      out.mean_value(p) = Real(mean.value);
      out.mean_value_error(p) = Real(mean.standard_error);
    }
  }
  return out;
}

}  // namespace valence::xas

#endif  // VALENCE_XAS_LCF_BATCH_HPP
