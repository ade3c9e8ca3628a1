// SPDX-License-Identifier: MIT
/// \file
/// \brief Principal component analysis of spectra, Malinowski's factor statistics and target transformation.
#ifndef VALENCE_FIT_PCA_HPP
#define VALENCE_FIT_PCA_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>

#include <Eigen/Core>
#include <Eigen/SVD>

#include <boost/math/distributions/fisher_f.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace valence::fit {

/// \brief Settings of pca().
/// \ingroup fit
struct pca_options {
  /// Significance level of Malinowski's F-test for the number of components.
  double significance = 0.05;
};

/// \brief Principal components of a set of spectra and the statistics for how many are real.
/// \ingroup fit
///
/// For \f$c\f$ spectra of \f$r\f$ points, the mean-centred data \f$D = X - \bar x\mathbf 1^T\f$ has the
/// SVD \f$U S V^T\f$ with \f$s = \min(r, c - 1)\f$ non-trivial factors (centring removes one).
/// Eigenvalues are \f$\lambda_j = S_{jj}^2\f$ (of \f$D^TD\f$, Malinowski's convention). For
/// \f$n < s\f$ factors, with \f$l = \max(r, c-1)\f$:
/// - real error \f$\mathrm{RE}(n) = \sqrt{\sum_{j>n}\lambda_j / (l\,(s - n))}\f$, an estimate of the
///   noise per point;
/// - indicator function \f$\mathrm{IND}(n) = \mathrm{RE}(n)/(s - n)^2\f$, smallest at the number of
///   real factors;
/// - F-test on reduced eigenvalues \f$\rho_j = \lambda_j/((r-j+1)(c'-j+1))\f$, \f$c' = c - 1\f$:
///   \f$F(1, s-n) = \rho_n / (\sum_{j>n}\rho_j/(s-n))\f$ with its upper-tail p-value.
struct pca_result {
  vector_d mean;               ///< \f$\bar x\f$, the mean spectrum (length r)
  vector_d singular_values;    ///< \f$S_{jj}\f$, descending (length s)
  vector_d eigenvalues;        ///< \f$\lambda_j = S_{jj}^2\f$
  vector_d variance_fraction;  ///< \f$\lambda_j/\sum_k\lambda_k\f$
  matrix_d components;         ///< \f$U\f$: r × s, unit-norm eigenspectra
  matrix_d scores;             ///< \f$VS\f$: c × s, so spectrum i is \f$\bar x + \sum_j \mathrm{scores}_{ij} U_{:j}\f$
  vector_d real_error;         ///< RE(n) for n = 1 … s−1 (element n−1)
  vector_d ind;                ///< IND(n) for n = 1 … s−1
  vector_d f_statistic;        ///< F(1, s−n) for n = 1 … s−1
  vector_d f_p_value;          ///< upper-tail probability of f_statistic
  index ind_components = 0;    ///< the n that minimises IND
  index significant_components = 0;  ///< leading components whose F-test p-value is below the significance level

  /// \brief The spectra rebuilt from the first k components, \f$\bar x\mathbf 1^T + U_k S_k V_k^T\f$.
  /// \param k number of components, 0 … s.
  /// \returns r × c matrix.
  /// \throws valence::invalid_input if k is out of range.
  template <class = void>  // deferred: the matrix product is instantiated only where it is called
  [[nodiscard]] matrix_d reconstruct(index k) const {
    check_components("valence::fit::pca_result::reconstruct", k);
    matrix_d out = components.leftCols(k) * scores.leftCols(k).transpose();
    out.colwise() += mean;
    return out;
  }

  /// \brief Throws unless \p k is a valid number of components.
  /// \param function caller's name for the message. \param k number of components.
  /// \throws valence::invalid_input if k < 0 or k > s.
  void check_components(const char* function, index k) const {
    if (k < 0 || k > components.cols()) {
      throw invalid_input(core::detail::message(function, "parameter 'k' is " + std::to_string(k) + "; expected 0 to " +
                                                              std::to_string(components.cols()) + " components"));
    }
  }
};

namespace detail {

// The body of pca(), instantiated once per scalar type (double): every name in it depends on
// Real, so a file that includes this header and does not call pca() instantiates none of the SVD.
template <typename Real>
pca_result principal_components(const Eigen::Ref<const matrix_x<Real>>& spectra, const pca_options& options) {
  constexpr const char* function = "valence::fit::pca";
  const index r = spectra.rows();
  const index c = spectra.cols();
  if (r < 2 || c < 3) {
    throw invalid_input(
        core::detail::message(function, "parameter 'spectra' is " + std::to_string(r) + " x " + std::to_string(c) +
                                            "; expected at least 2 points (rows) and 3 spectra (columns)"));
  }
  core::check_finite(function, "spectra", spectra);
  if (!(options.significance > 0 && options.significance < 1)) {
    throw invalid_input(core::detail::message(function, "'options.significance' is " +
                                                            core::detail::format_value(options.significance) +
                                                            "; expected a probability in (0, 1)"));
  }
  pca_result out;
  out.mean = spectra.rowwise().mean();
  const matrix_x<Real> centred = spectra.colwise() - out.mean;
  const Eigen::BDCSVD<matrix_x<Real>> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const index s = std::min(r, c - 1);
  out.singular_values = svd.singularValues().head(s);
  if (!(out.singular_values(0) > 0)) {
    throw invalid_input(core::detail::message(function, "all spectra are identical; expected some variation"));
  }
  out.eigenvalues = out.singular_values.cwiseAbs2();
  out.variance_fraction = out.eigenvalues / out.eigenvalues.sum();
  out.components = svd.matrixU().leftCols(s);
  out.scores = svd.matrixV().leftCols(s) * out.singular_values.asDiagonal();
  const double l = static_cast<double>(std::max(r, c - 1));
  const index columns = c - 1;
  out.real_error.resize(s - 1);
  out.ind.resize(s - 1);
  out.f_statistic.resize(s - 1);
  out.f_p_value.resize(s - 1);
  const auto reduced = [&](index j) {  // j is 1-based
    return out.eigenvalues(j - 1) / (static_cast<double>(r - j + 1) * static_cast<double>(columns - j + 1));
  };
  for (index n = 1; n < s; ++n) {
    const double rest = out.eigenvalues.tail(s - n).sum();
    const auto remaining = static_cast<double>(s - n);
    out.real_error(n - 1) = std::sqrt(rest / (l * remaining));
    out.ind(n - 1) = out.real_error(n - 1) / (remaining * remaining);
    double pooled = 0;
    for (index j = n + 1; j <= s; ++j) {
      pooled += reduced(j);
    }
    out.f_statistic(n - 1) = pooled > 0 ? reduced(n) / (pooled / remaining) : std::numeric_limits<double>::infinity();
    out.f_p_value(n - 1) = std::isfinite(out.f_statistic(n - 1))
                               ? boost::math::cdf(boost::math::complement(
                                     boost::math::fisher_f_distribution<Real>(1, remaining), out.f_statistic(n - 1)))
                               : 0.0;
  }
  index best = 0;
  for (index n = 1; n < out.ind.size(); ++n) {
    best = out.ind(n) < out.ind(best) ? n : best;
  }
  out.ind_components = s > 1 ? best + 1 : 0;
  while (out.significant_components < out.f_p_value.size() &&
         out.f_p_value(out.significant_components) < options.significance) {
    ++out.significant_components;
  }
  return out;
}

}  // namespace detail

/// \brief Mean-centred principal component analysis of spectra on a common grid.
/// \ingroup fit
///
/// Computes the SVD of the mean-centred spectra (BDCSVD, never the covariance matrix) and the
/// statistics described in pca_result.
/// \param spectra r × c matrix, one spectrum per column (r ≥ 2 points, c ≥ 3 spectra), finite.
/// \param options F-test significance level.
/// \returns components, scores, eigenvalues, variance fractions, RE, IND and F-test results.
/// \throws valence::invalid_input if there are fewer than 2 points or 3 spectra, a value is not
///         finite, the significance is not in (0, 1), or all spectra are identical.
///
/// **Accuracy.** Eigenvalues and reconstructions of exactly rank-k data agree with the construction
/// to \f$10^{-12}\f$ relative; on rank-3 data with white noise IND and the F-test find 3 components
/// and RE(3) estimates the noise to a few per cent (tests/fit/test_pca.cpp).
///
/// **References.** E. R. Malinowski, *Factor Analysis in Chemistry*, 3rd ed. (2002), ch. 4;
/// E. R. Malinowski, J. Chemometrics 3, 49 (1988) (F-test); S. R. Wasserman, J. Phys. IV 7, C2-203
/// (1997) (PCA of XAS).
template <typename Derived>
[[nodiscard]] pca_result pca(const Eigen::MatrixBase<Derived>& spectra, const pca_options& options = {}) {
  return detail::principal_components<double>(spectra.template cast<double>(), options);
}

/// \brief Result of a target transformation: how well a candidate spectrum lies in the span of
/// the first k components.
/// \ingroup fit
struct target_transform_result {
  vector_d coefficients;      ///< \f$a = U_k^T(t - \bar x)\f$
  vector_d fitted;            ///< \f$\hat t = \bar x + U_k a\f$
  double chi_square = 0;      ///< \f$\sum_i (t_i - \hat t_i)^2\f$
  double apparent_error = 0;  ///< AET \f$= \sqrt{\chi^2/r}\f$
  double predicted_error =
      0;  ///< REP \f$= \mathrm{RE}(k)\,\|S_k^{-1}a\|\f$, the error carried by the data into \f$\hat t\f$
  double real_error = 0;  ///< RET \f$= \sqrt{\max(0, \mathrm{AET}^2 - \mathrm{REP}^2)}\f$
  double spoil = 0;       ///< SPOIL = RET/EET, EET the target's error (RE(k) when not given)
};

/// \brief Target transformation of a candidate spectrum (e.g. a reference compound) onto the first
/// k principal components, with Malinowski's error analysis.
/// \ingroup fit
///
/// SPOIL below about 3 marks an acceptable target, 3–6 a moderate one and above 6 a target that is
/// not in the data (Malinowski). When the target's own error EET is not given it is taken as RE(k),
/// the noise per point of the data, i.e. the target is assumed to be measured like the spectra;
/// give it for a cleaner or noisier reference. With \f$k = s\f$ there is no RE: then REP = 0 and,
/// without EET, SPOIL is NaN.
/// \param model a pca() result.
/// \param target the candidate on the same grid as the spectra (length r), finite.
/// \param k number of components, 1 … s.
/// \param target_error EET, the standard deviation of the target's own points; 0 when unknown.
/// \returns coefficients, the fitted target, χ², AET, REP, RET and SPOIL.
/// \throws valence::invalid_input if the target has the wrong length or is not finite, k is out of
///         range, or target_error is negative or not finite.
///
/// **References.** E. R. Malinowski, Anal. Chim. Acta 103, 339 (1978); *Factor Analysis in
/// Chemistry*, 3rd ed. (2002), §5.4.
template <class = void>
[[nodiscard]] target_transform_result target_transform(const pca_result& model, const vector_ref& target, index k,
                                                       double target_error = 0) {
  constexpr const char* function = "valence::fit::target_transform";
  core::check_same_size(function, "target", target, "model.mean", model.mean);
  core::check_finite(function, "target", target);
  if (k < 1) {
    throw invalid_input(
        core::detail::message(function, "parameter 'k' is " + std::to_string(k) + "; expected at least 1 component"));
  }
  model.check_components(function, k);
  if (!(target_error >= 0) || !std::isfinite(target_error)) {
    throw invalid_input(core::detail::message(function, "parameter 'target_error' is " +
                                                            core::detail::format_value(target_error) +
                                                            "; expected a finite value >= 0 (0 when unknown)"));
  }
  target_transform_result out;
  const vector_d deviation = target - model.mean;
  out.coefficients = model.components.leftCols(k).transpose() * deviation;
  out.fitted = model.mean + model.components.leftCols(k) * out.coefficients;
  out.chi_square = (target - out.fitted).squaredNorm();
  out.apparent_error = std::sqrt(out.chi_square / static_cast<double>(target.size()));
  const double re = k <= model.real_error.size() ? model.real_error(k - 1) : 0.0;
  out.predicted_error = re * out.coefficients.cwiseQuotient(model.singular_values.head(k)).norm();
  out.real_error =
      std::sqrt(std::max(0.0, out.apparent_error * out.apparent_error - out.predicted_error * out.predicted_error));
  const double reference = target_error > 0 ? target_error : re;
  out.spoil = reference > 0 ? out.real_error / reference : std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace valence::fit

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit {
extern template target_transform_result target_transform<>(const pca_result&, const vector_ref&, index, double);
extern template pca_result detail::principal_components<double>(const Eigen::Ref<const matrix_d>&, const pca_options&);
}  // namespace valence::fit
#endif

#endif  // VALENCE_FIT_PCA_HPP
