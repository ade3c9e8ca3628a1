// SPDX-License-Identifier: MIT
/// \file
/// \brief Multiple linear least squares (MLLS) of an EELS spectrum against reference spectra on a
/// power-law background: \f$S(E) = \beta_0 A E^{-r} + \sum_i \beta_i S_i(E)\f$.
#ifndef VALENCE_EELS_MLLS_HPP
#define VALENCE_EELS_MLLS_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace valence::eels {

/// \brief How mlls() treats the pre-edge background.
/// \ingroup eels
enum class background_treatment {
  /// The power law fitted over the background window enters the model with its exponent fixed and
  /// a free scale \f$\beta_0\f$ (the EELS study's model, Gatan's MLLS with a power law).
  fixed_shape,
  subtracted,  ///< the fitted power law is subtracted first; the model holds the references only
  none         ///< no background term (spectra already background-free)
};

/// \brief Weights of the MLLS fit.
/// \ingroup eels
enum class mlls_weighting {
  none,     ///< unweighted (HyperSpy's linear fits without a noise variance)
  poisson,  ///< \f$w_i = 1/\max(c_i, 1)\f$, the inverse Poisson variance of counts
  user      ///< mlls_options::weights, one per channel of the spectrum
};

/// \brief Options of mlls().
/// \ingroup eels
struct mlls_options {
  core::window<double> fit_window{0, 0};                                ///< eV, the channels fitted (required)
  background_treatment background = background_treatment::fixed_shape;  ///< see background_treatment
  core::window<double> background_window{0, 0};     ///< eV, pre-edge window of the power law (unless none)
  power_law_options power_law;                      ///< estimator of the power law
  bool constant = false;                            ///< add a constant term
  bool linear = false;                              ///< add a term linear in energy
  mlls_weighting weighting = mlls_weighting::none;  ///< see mlls_weighting
  vector_d weights;          ///< for mlls_weighting::user: positive, one per channel of the spectrum
  bool nonnegative = false;  ///< constrain every coefficient to \f$\ge 0\f$
};

/// \brief Result of mlls().
/// \ingroup eels
struct mlls_result {
  /// \f$\beta\f$: the references first (in the order given), then the power-law scale (fixed_shape),
  /// the constant and the linear term when present.
  vector_d coefficients;
  vector_d standard_errors;  ///< of the coefficients (covariance scaled by the reduced χ² unless weighted by Poisson)
  matrix_d covariance;       ///< of the coefficients
  vector_d fractions;        ///< \f$\beta_i/\sum_j\beta_j\f$ over the references
  vector_d fraction_errors;  ///< propagated from the covariance (the sum's own error included)
  vector_d energy;           ///< eV, the fitted channels
  vector_d fit;              ///< model over the fitted channels (background included)
  vector_d residual;         ///< data − fit
  double chi_square = 0;     ///< \f$\sum w_i r_i^2\f$
  double reduced_chi_square = 0;  ///< \f$\chi^2/(m - p)\f$ (HyperSpy divides by \f$m - p - 1\f$)
  double r_factor = 0;            ///< \f$\sum r_i^2/\sum y_i^2\f$
  power_law_result background;    ///< the power law (not fitted for background_treatment::none)
  core::index_range channels;     ///< the fitted channels
};

namespace detail {

enum class mlls_outcome { ok, background_failed, singular };

// Checks what every spectrum of a fit shares (axis, references, windows, options) and returns the
// fitted channels.
inline core::index_range check_mlls_setup(const char* function, const vector_d& energy, const matrix_d& references,
                                          const mlls_options& options) {
  using core::detail::message;
  core::check_abscissa(function, "energy", energy, 3);
  core::check_finite(function, "references", references);
  if (references.rows() != energy.size() || references.cols() < 1) {
    throw invalid_input(message(function, "parameter 'references' is " + std::to_string(references.rows()) + " x " +
                                              std::to_string(references.cols()) + "; expected " +
                                              std::to_string(energy.size()) +
                                              " rows (one per channel) and at least one column"));
  }
  if (options.weighting == mlls_weighting::user) {
    if (options.weights.size() != energy.size()) {
      throw invalid_input(message(function, "option 'weights' has " + std::to_string(options.weights.size()) +
                                                " elements; expected one per channel (" +
                                                std::to_string(energy.size()) + ")"));
    }
    core::check_positive(function, "weights", options.weights);
  }
  if (options.background != background_treatment::none) {
    (void)core::select_window(function, "background_window", energy, options.background_window, 3);
  }
  return core::select_window(function, "fit_window", energy, options.fit_window, 3);
}

// One spectrum (finite, on the checked axis): the power law, then the linear model.
inline mlls_outcome solve_mlls(const vector_d& energy, const vector_d& spectrum, const matrix_d& references,
                               const mlls_options& options, core::index_range w, mlls_result& out) {
  out.channels = w;
  out.energy = energy.segment(w.begin, w.size);
  const vector_d observed = spectrum.segment(w.begin, w.size);
  vector_d target = observed;
  const index k = references.cols();
  const bool fixed_shape = options.background == background_treatment::fixed_shape;
  const index terms = k + (fixed_shape ? 1 : 0) + (options.constant ? 1 : 0) + (options.linear ? 1 : 0);
  matrix_d design(w.size, terms);
  design.leftCols(k) = references.middleRows(w.begin, w.size);
  vector_d background = vector_d::Zero(w.size);
  if (options.background != background_treatment::none) {
    out.background = power_law_fit(energy, spectrum, options.background_window, options.power_law);
    if (out.background.status != power_law_status::ok) {
      return mlls_outcome::background_failed;
    }
    for (index i = 0; i < w.size; ++i) {
      background(i) = out.background(out.energy(i));
    }
  }
  index column = k;
  if (fixed_shape) {
    design.col(column++) = background;
  } else if (options.background == background_treatment::subtracted) {
    target -= background;
  }
  if (options.constant) {
    design.col(column++).setOnes();
  }
  if (options.linear) {
    design.col(column++) = out.energy;
  }
  fit::least_squares_options<double> ls;
  ls.nonnegative = options.nonnegative;
  if (options.weighting == mlls_weighting::poisson) {
    ls.weights = observed.cwiseMax(1.0).cwiseInverse();
    ls.scale_covariance = false;
  } else if (options.weighting == mlls_weighting::user) {
    ls.weights = options.weights.segment(w.begin, w.size);
  }
  fit::least_squares_result<double> f;
  try {
    f = fit::least_squares(design, target, ls);
  } catch (const error&) {  // rank deficiency (or a failed active set) of this spectrum's design
    return mlls_outcome::singular;
  }
  out.coefficients = f.coefficients;
  out.standard_errors = f.standard_errors;
  out.covariance = f.covariance;
  out.fit = options.background == background_treatment::subtracted ? vector_d(f.fitted + background) : f.fitted;
  out.residual = observed - out.fit;
  out.chi_square = f.chi_square;
  out.reduced_chi_square = f.reduced_chi_square;
  out.r_factor = out.residual.squaredNorm() / observed.squaredNorm();
  const double total = out.coefficients.head(k).sum();
  out.fractions = out.coefficients.head(k) / total;
  out.fraction_errors.resize(k);
  const matrix_d c = out.covariance.topLeftCorner(k, k);
  for (index i = 0; i < k; ++i) {
    vector_d g = -out.fractions(i) / total * vector_d::Ones(k);
    g(i) += 1 / total;
    out.fraction_errors(i) = std::sqrt(std::max(g.dot(c * g), 0.0));
  }
  return mlls_outcome::ok;
}

}  // namespace detail

/// \brief MLLS fit of a spectrum with reference spectra on the same energy axis.
/// \ingroup eels
///
/// The power law \f$A E^{-r}\f$ is fitted over the background window with power_law_fit(); then
/// the linear model of the references (and the background term, constant and linear term as set)
/// is solved over the fit window by fit::least_squares, with the covariance scaled by the reduced
/// χ² (as HyperSpy's and ordinary least squares' standard errors) except for Poisson weights,
/// whose variance is known. Fractions \f$f_i = \beta_i/\sum_j \beta_j\f$ carry errors from
/// \f$g^T C g\f$, \f$\partial f_i/\partial \beta_j = (\delta_{ij} - f_i)/\sum\beta\f$.
/// \param energy energy loss, eV, strictly increasing (uniform for the two-area estimator).
/// \param spectrum counts per channel, same length.
/// \param references one column per reference spectrum on the same energy axis (e.g. surface and
///        bulk spectra of the same image).
/// \param options windows, background treatment, extra terms, weights, non-negativity.
/// \returns coefficients, errors, fractions, fit and statistics.
/// \throws valence::invalid_input for unequal lengths, non-finite values, windows outside the data
///         or too short, a power law that cannot be fitted (non-positive counts), user weights of
///         the wrong size or not positive, or references that are linearly dependent over the fit
///         window.
///
/// **Accuracy.** Coefficients of noiseless mixtures to 1e-14; standard errors equal ordinary least
/// squares' \f$\sqrt{\mathrm{RSS}/(m-p)\,[(X^TX)^{-1}]_{jj}}\f$ (HyperSpy's) to 1e-10; Poisson
/// errors of coefficients and fractions match the scatter over noise (tests/eels/test_mlls.cpp).
///
/// **References.** R. D. Leapman, C. R. Swyt, Ultramicroscopy 26, 393 (1988); the EELS study's
/// model (seeds).
[[nodiscard]] inline mlls_result mlls(const vector_d& energy, const vector_d& spectrum, const matrix_d& references,
                                      const mlls_options& options) {
  constexpr const char* function = "valence::eels::mlls";
  core::check_same_size(function, "spectrum", spectrum, "energy", energy);
  core::check_finite(function, "spectrum", spectrum);
  const auto channels = detail::check_mlls_setup(function, energy, references, options);
  mlls_result out;
  switch (detail::solve_mlls(energy, spectrum, references, options, channels, out)) {
    case detail::mlls_outcome::ok:
      return out;
    case detail::mlls_outcome::background_failed:
      throw invalid_input(core::detail::message(
          function,
          "the power law cannot be fitted over the background window (its counts are not positive); "
          "expected a pre-edge window with positive counts"));
    default:
      throw invalid_input(core::detail::message(
          function, "the model is rank deficient over the fit window; expected linearly independent references"));
  }
}

}  // namespace valence::eels

#endif  // VALENCE_EELS_MLLS_HPP
