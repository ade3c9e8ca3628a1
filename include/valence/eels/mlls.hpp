// SPDX-License-Identifier: MIT
/// \file
/// \brief Multiple linear least squares (MLLS) of an EELS spectrum against reference spectra on a
/// power-law background: \f$S(E) = \beta_0 A E^{-r} + \sum_i \beta_i S_i(E)\f$.
#ifndef VALENCE_EELS_MLLS_HPP
#define VALENCE_EELS_MLLS_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/packet.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/core/window.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/fit/detail/column_update.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/detail/projection.hpp>
#include <valence/fit/least_squares.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

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

/// \brief The noise the errors of an unweighted fit (mlls_weighting::none) assume; weighted fits
/// take their variances from the weights.
/// \ingroup eels
enum class mlls_noise {
  /// Variance proportional to the expected counts, \f$\sigma_i^2 = \phi\,\mu_i\f$ (counts times a
  /// gain, as EELS detectors record them; \f$\mu\f$ the fitted spectrum, background included), with
  /// the dispersion \f$\phi\f$ estimated from the residuals. The errors are the estimator's own
  /// covariance under that noise (see mlls()).
  counting,
  /// One variance for every channel, \f$\mathrm{RSS}/(m-p)\f$: ordinary least squares' errors
  /// (HyperSpy's). Too small on counts where the spectrum's level varies across the fit window.
  uniform
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
  vector_d weights;                         ///< for mlls_weighting::user: positive, one per channel of the spectrum
  mlls_noise noise = mlls_noise::counting;  ///< for mlls_weighting::none: see mlls_noise
  bool nonnegative = false;                 ///< constrain every coefficient to \f$\ge 0\f$
  /// Carry the power law's uncertainty (from its own window) into the coefficients, fractions and
  /// their errors (see mlls()). Off, the errors are conditional on the fitted background, as
  /// HyperSpy's and Gatan's are, and too small where the background dominates.
  bool propagate_background = true;
};

/// \brief Result of mlls().
/// \ingroup eels
struct mlls_result {
  /// \f$\beta\f$: the references first (in the order given), then the power-law scale (fixed_shape),
  /// the constant and the linear term when present.
  vector_d coefficients;
  /// of the coefficients: the fit's covariance (see mlls_noise for unweighted fits; scaled by the
  /// reduced χ² for user weights) plus the background's, when mlls_options::propagate_background
  vector_d standard_errors;
  matrix_d covariance;            ///< of the coefficients, as standard_errors
  vector_d fractions;             ///< \f$\beta_i/\sum_j\beta_j\f$ over the references
  vector_d fraction_errors;       ///< propagated from the covariance (the sum's own error included)
  vector_d energy;                ///< eV, the fitted channels
  vector_d fit;                   ///< model over the fitted channels (background included)
  vector_d residual;              ///< data − fit
  double chi_square = 0;          ///< \f$\sum w_i r_i^2\f$
  double reduced_chi_square = 0;  ///< \f$\chi^2/(m - p)\f$ (HyperSpy divides by \f$m - p - 1\f$)
  double r_factor = 0;            ///< \f$\sum r_i^2/\sum y_i^2\f$
  power_law_result background;    ///< the power law (not fitted for background_treatment::none)
  core::index_range channels;     ///< the fitted channels
};

namespace detail {

enum class mlls_outcome { ok, non_finite, background_failed, singular };

// The fitted channels of a spectrum, viewed in place (no copy per pixel).
using window_view = Eigen::Map<const vector_d>;

// What every spectrum of a fit shares (axis, references, windows, options), checked and prepared
// once: the fitted channels, the references over them, the log-energies of the power-law column
// and, for the two-area estimator, its channels and weights.
struct mlls_plan {
  const mlls_options* options = nullptr;
  vector_d energy;                  // the whole axis (a copy: a plan outlives the caller's view of it)
  core::index_range window;         // the fitted channels
  core::index_range background;     // the channels the two-area estimate reads (empty otherwise)
  bool whole_spectrum = false;      // the log-linear and Poisson estimators read the whole spectrum
  index k = 0;                      // references
  index terms = 0;                  // model columns: references, power law, constant, linear
  matrix_d model;                   // the fixed columns over the window (the power law's is set per spectrum)
  vector_d log_energy;              // ln E over the window
  double log_center = 0;            // ln E_c, the middle of the window's log-energy range
  vector_d log_offset;              // ln E - ln E_c over the window (see power_law_column)
  double log_half_range = 0;        // max |ln E - ln E_c|
  vector_d sqrt_user_weights;       // over the window, for mlls_weighting::user
  detail::two_area_setup two_area;  // valid when background is non-empty
  double channel_width = 0;         // eV
  // Unweighted, unconstrained fits (see solve_projected): the columns that are the same for every
  // spectrum, equilibrated and factored once, F D^-1 = Q_F R_F with Q_F orthonormal (m x f).
  bool projected = false;                    // the projected solve applies
  std::vector<index> fixed_columns;          // the model column of each fixed column
  fit::detail::fixed_columns<double> fixed;  // Q_F, R_F, D
  // A projected fit with a two-area, fixed-shape power law and at most four fixed columns reads its
  // window in one pass (window_pass).
  bool one_pass = false;
  // With at most three fixed columns that pass also sums the moments from which the counting-noise
  // Gram matrix and the power law's sensitivity follow (window_moments), from these sums of the
  // fixed model columns M_a over the window (a in the order of fixed_columns):
  bool moments = false;
  matrix_d fixed_model;      // M_a (m x f)
  matrix_d fixed_pairs;      // M_a M_b for a >= b, packed: column a (a + 1) / 2 + b
  matrix_d fixed_log_model;  // t M_a, t = ln E - ln E_c
  vector_d fixed_sums;       // sum M_a
  vector_d fixed_triple;     // sum M_a M_b M_c at (a (a + 1) / 2 + b) f + c, a >= b
  vector_d fixed_lowest;     // min M_a
  vector_d fixed_highest;    // max M_a
};

// The packed index of the pair (a, b), a >= b, in mlls_plan::fixed_pairs and window_moments.
constexpr index pair_index(index a, index b) {
  return a * (a + 1) / 2 + b;
}

// The sums of the plan's fixed columns that the moments need, once per plan.
template <class = void>
void prepare_moments(mlls_plan& plan) {
  // Plain loops: Eigen expressions here would not depend on the template parameter, and every file
  // including this header would compile them.
  const index m = plan.window.size;
  const index f = static_cast<index>(plan.fixed_columns.size());
  plan.fixed_model.resize(m, f);
  plan.fixed_pairs.resize(m, f * (f + 1) / 2);
  plan.fixed_log_model.resize(m, f);
  plan.fixed_triple.resize(f * (f + 1) / 2 * f);
  plan.fixed_sums.resize(f);
  plan.fixed_lowest.resize(f);
  plan.fixed_highest.resize(f);
  for (index a = 0; a < f; ++a) {
    const index column = plan.fixed_columns[static_cast<std::size_t>(a)];
    double sum = 0;
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -lowest;
    for (index i = 0; i < m; ++i) {
      const double v = plan.model(i, column);
      plan.fixed_model(i, a) = v;
      plan.fixed_log_model(i, a) = plan.log_offset(i) * v;
      sum += v;
      lowest = std::min(lowest, v);
      highest = std::max(highest, v);
    }
    plan.fixed_sums(a) = sum;
    plan.fixed_lowest(a) = lowest;
    plan.fixed_highest(a) = highest;
  }
  for (index a = 0; a < f; ++a) {
    for (index b = 0; b <= a; ++b) {
      const index pair = pair_index(a, b);
      for (index i = 0; i < m; ++i) {
        plan.fixed_pairs(i, pair) = plan.fixed_model(i, a) * plan.fixed_model(i, b);
      }
      for (index c = 0; c < f; ++c) {
        double sum = 0;
        for (index i = 0; i < m; ++i) {
          sum += plan.fixed_pairs(i, pair) * plan.fixed_model(i, c);
        }
        plan.fixed_triple(pair * f + c) = sum;
      }
    }
  }
}

template <class = void>
void factor_fixed_columns(mlls_plan& plan) {
  const index varying = plan.options->background == background_treatment::fixed_shape ? plan.k : -1;
  for (index j = 0; j < plan.terms; ++j) {
    if (j != varying) {
      plan.fixed_columns.push_back(j);
    }
  }
  matrix_d columns(plan.window.size, static_cast<index>(plan.fixed_columns.size()));
  for (index i = 0; i < columns.cols(); ++i) {
    columns.col(i) = plan.model.col(plan.fixed_columns[static_cast<std::size_t>(i)]);
  }
  plan.fixed.factor(columns);
}

template <class = void>
mlls_plan make_mlls_plan(const char* function, const vector_ref& energy, const matrix_ref& references,
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
  mlls_plan plan;
  plan.options = &options;
  plan.energy = energy;
  plan.channel_width = (energy(energy.size() - 1) - energy(0)) / double(energy.size() - 1);
  if (options.background != background_treatment::none) {
    (void)core::select_window(function, "background_window", energy, options.background_window, 3);
    if (options.power_law.method == power_law_method::two_area) {
      plan.two_area =
          detail::make_two_area_setup(function, energy, options.background_window, options.power_law.binned);
      plan.background = {plan.two_area.i1, plan.two_area.i2 - plan.two_area.i1};
    } else {
      plan.whole_spectrum = true;
    }
  }
  plan.window = core::select_window(function, "fit_window", energy, options.fit_window, 3);
  const core::index_range w = plan.window;
  plan.k = references.cols();
  const bool fixed_shape = options.background == background_treatment::fixed_shape;
  plan.terms = plan.k + (fixed_shape ? 1 : 0) + (options.constant ? 1 : 0) + (options.linear ? 1 : 0);
  plan.model.resize(w.size, plan.terms);
  plan.model.leftCols(plan.k) = references.middleRows(w.begin, w.size);
  index column = plan.k + (fixed_shape ? 1 : 0);
  if (options.constant) {
    plan.model.col(column++).setOnes();
  }
  if (options.linear) {
    plan.model.col(column++) = energy.segment(w.begin, w.size);
  }
  plan.log_energy = energy.segment(w.begin, w.size).array().log().matrix();
  plan.log_center = 0.5 * (plan.log_energy(0) + plan.log_energy(w.size - 1));
  plan.log_offset = plan.log_energy.array() - plan.log_center;
  plan.log_half_range = plan.log_offset.cwiseAbs().maxCoeff();
  if (options.weighting == mlls_weighting::user) {
    plan.sqrt_user_weights = options.weights.segment(w.begin, w.size).cwiseSqrt();
  }
  plan.projected = options.weighting == mlls_weighting::none && !options.nonnegative;
  if (plan.projected) {
    factor_fixed_columns(plan);
    plan.one_pass = fixed_shape && !plan.whole_spectrum && plan.fixed.q.cols() >= 1 && plan.fixed.q.cols() <= 4;
    plan.moments = plan.one_pass && plan.fixed.q.cols() <= 3 &&
                   (options.noise == mlls_noise::counting || options.propagate_background);
    if (plan.moments) {
      prepare_moments(plan);
    }
  }
  return plan;
}

// Everything one spectrum's fit writes, sized once from the plan: a spectrum image fits all its
// pixels through one workspace per task, so no pixel allocates (except with the iterative
// power-law estimators or non-negativity, which use the general solvers).
struct mlls_workspace {
  explicit mlls_workspace(const mlls_plan& plan)
      : spectrum(plan.energy.size()),
        model(plan.model),
        design(plan.window.size, plan.terms),
        target(plan.window.size),
        rhs(plan.window.size),
        sqrt_weights(plan.window.size),
        background(plan.window.size),
        fitted(plan.window.size),
        residual(plan.window.size),
        column_scale(plan.terms),
        coefficients(plan.terms),
        standard_errors(plan.terms),
        fractions(plan.k),
        fraction_errors(plan.k),
        inverse(plan.terms, plan.terms),
        gram(plan.terms, plan.terms),
        covariance(plan.terms, plan.terms),
        projection(plan.terms),
        power_products(plan.terms),
        sensitivity(plan.terms, 2) {}

  vector_d spectrum;  // the spectrum, filled where the fit reads it
  matrix_d model;     // unweighted model columns over the window
  matrix_d design;    // weighted, equilibrated columns; becomes R
  // target: the fitted channels minus a subtracted background (otherwise viewed in place)
  vector_d target, rhs, sqrt_weights, background, fitted, residual;
  vector_d column_scale, coefficients, standard_errors, fractions, fraction_errors;
  matrix_d inverse, gram, covariance;
  vector_d projection;      // scratch of solve_projected (reorthogonalisation, the solution in R's order)
  vector_d power_products;  // M^T (ln E p) from the residual pass (see residual_sums)
  matrix_d sensitivity;     // d coefficients / d background parameters (terms x 2)
  power_law_result power_law;
  double chi_square = 0, reduced_chi_square = 0, r_factor = 0;
  index parameters = 0;  // effective parameters (fewer than terms when non-negativity binds)
  bool curves = false;   // form fitted and residual (mlls() returns them; maps do not need them)
};

// Unweighted or weighted least squares of the model by Householder QR of the equilibrated design
// (the kernel fit::least_squares_batch uses): nothing allocated. False for a design that fails the
// engine's rank rule.
template <class = void>
bool solve_unconstrained(const mlls_plan& plan, const window_view& target, mlls_workspace& ws) {
  const index m = plan.window.size;
  const index n = plan.terms;
  const bool weighted = plan.options->weighting != mlls_weighting::none;
  for (index j = 0; j < n; ++j) {
    auto column = ws.design.col(j);
    if (weighted) {
      column = ws.model.col(j).cwiseProduct(ws.sqrt_weights);
    } else {
      column = ws.model.col(j);
    }
    ws.column_scale(j) = fit::detail::safe_norm<double>(column);
    if (!(ws.column_scale(j) > 0) || !std::isfinite(ws.column_scale(j))) {
      return false;
    }
    column *= 1 / ws.column_scale(j);
  }
  if (weighted) {
    ws.rhs = target.cwiseProduct(ws.sqrt_weights);
  } else {
    ws.rhs = target;
  }
  if (!fit::detail::householder_reduce<double>(ws.design, ws.rhs)) {
    return false;
  }
  const auto r = ws.design.topRows(n);
  // The engine's rank rule; every column was scaled to unit norm.
  if (fit::detail::first_dependent_column(
          r, [](index) { return 1.0; }, fit::detail::rank_tolerance(0.0, m)) >= 0) {
    return false;
  }
  auto x = ws.coefficients.head(n);
  fit::detail::back_substitute<double>(r, ws.rhs.head(n), x);
  ws.coefficients.array() /= ws.column_scale.array();
  fit::detail::inverse_gram<double>(r, ws.inverse, ws.covariance);
  for (index i = 0; i < n; ++i) {
    for (index j = 0; j < n; ++j) {
      ws.covariance(i, j) /= ws.column_scale(i) * ws.column_scale(j);
    }
  }
  return true;
}

// The power-law column scale E^-r over the window as a polynomial: E^-r = E_c^-r exp(-r t) with
// t = ln E - ln E_c, and exp(-r t) is its Taylor polynomial of degree K, K the smallest degree whose
// remainder (at most x^(K+1)/(K+1)! e^(2x) relative, x = |r| max|t|) is below 2^-54. While x <= 1/2
// (a 100 eV window at 640 eV with r up to 6, for instance) K <= 15 (10 at r = 3 over 636-686 eV).
// Beyond x = 1/2 `degree` is -1: the exponential is used as it is.
struct power_law_polynomial {
  static constexpr int max_degree = 16;
  int degree = -1;
  // (-r)^k / k!, times the scale and E_c^-r, for k <= degree (left unset beyond: clearing the
  // array was a call to memset per pixel)
  double coefficients[max_degree + 1];
};

template <class = void>
power_law_polynomial power_law_taylor(const mlls_plan& plan, double exponent, double scale) {
  power_law_polynomial poly;
  const double x = std::abs(exponent) * plan.log_half_range;
  if (!(x <= 0.5)) {
    return poly;
  }
  // 1/k, so that the recurrences below multiply (a chain of divisions was a tenth of a pixel's fit).
  static constexpr double reciprocal[power_law_polynomial::max_degree + 1] = {
      0,      1,       1 / 2.,  1 / 3.,  1 / 4.,  1 / 5.,  1 / 6.,  1 / 7., 1 / 8.,
      1 / 9., 1 / 10., 1 / 11., 1 / 12., 1 / 13., 1 / 14., 1 / 15., 1 / 16.};
  poly.coefficients[0] = scale * std::exp(-exponent * plan.log_center);
  poly.degree = 0;
  double remainder = std::exp(2 * x);
  while (poly.degree < power_law_polynomial::max_degree) {
    remainder *= x * reciprocal[poly.degree + 1];
    if (remainder < 0x1p-54) {
      break;
    }
    poly.coefficients[poly.degree + 1] = poly.coefficients[poly.degree] * -exponent * reciprocal[poly.degree + 1];
    ++poly.degree;
  }
  return poly;
}

// The per-channel kernels below work on Eigen's SIMD packets (core/detail/packet.hpp): fixed-size
// Eigen arrays of the same width spilled to the stack between statements and cost a third more per
// pixel.
using core::detail::packet;
using core::detail::packet_size;

// The polynomial by Horner's rule at the offsets t. Every evaluation of the column goes through the
// functions below, packets at a time and then one channel at a time, each lane the same operations,
// so a map's column and mlls()'s agree to the last bit.
inline packet evaluate(const power_law_polynomial& poly, const packet& t) {
  namespace ei = Eigen::internal;
  packet acc = ei::pset1<packet>(poly.coefficients[poly.degree]);
  for (int k = poly.degree - 1; k >= 0; --k) {
    acc = ei::pmadd(acc, t, ei::pset1<packet>(poly.coefficients[k]));
  }
  return acc;
}

// The same at B packets of offsets at once: B independent recurrences in one loop, so that each
// one's latency (a multiply-add per degree, waiting on the one before) is hidden by the others'.
// Lane by lane the same operations as above, so the same bits. Measured on a 200-channel window
// (degree 10) with AVX2, a pixel's fit in cache: 0.99 us a packet at a time, 0.80 us with blocks
// of four (window_pass), 0.82 us with eight; splitting the polynomial into its even and odd parts
// (two recurrences of half the length) spilled registers and took 1.0 us.
template <int B>
void evaluate(const power_law_polynomial& poly, const packet (&t)[B], packet (&out)[B]) {
  namespace ei = Eigen::internal;
  for (int b = 0; b < B; ++b) {
    out[b] = ei::pset1<packet>(poly.coefficients[poly.degree]);
  }
  for (int k = poly.degree - 1; k >= 0; --k) {
    const packet c = ei::pset1<packet>(poly.coefficients[k]);
    for (int b = 0; b < B; ++b) {
      out[b] = ei::pmadd(out[b], t[b], c);
    }
  }
}

inline double evaluate(const power_law_polynomial& poly, double t) {
  double acc = poly.coefficients[poly.degree];
  for (int k = poly.degree - 1; k >= 0; --k) {
    acc = acc * t + poly.coefficients[k];
  }
  return acc;
}

// The power-law column, scale E^-r over the window, into `out`: the Taylor polynomial above, about
// a third of the cost of a vectorised exp(), which adds a few ulp to the rounding that exp(-r ln E)
// itself carries (|r ln E| eps, ~1e-14 at r = 12; measured against std::pow in
// tests/eels/test_mlls.cpp).
template <class = void>
void power_law_column(const mlls_plan& plan, double exponent, double scale, Eigen::Ref<vector_d> out) {
  namespace ei = Eigen::internal;
  const power_law_polynomial poly = power_law_taylor(plan, exponent, scale);
  if (poly.degree < 0) {
    out = (plan.log_energy.array() * -exponent).exp() * scale;
    return;
  }
  const double* t = plan.log_offset.data();
  const index m = out.size();
  index i = 0;
  for (; i + packet_size <= m; i += packet_size) {
    ei::pstoreu(out.data() + i, evaluate(poly, ei::ploadu<packet>(t + i)));
  }
  for (; i < m; ++i) {
    out(i) = evaluate(poly, t[i]);
  }
}

// A spectrum's channels as they are stored: channel c is data[c * stride].
template <typename T>
struct channels_view {
  const T* data = nullptr;
  index stride = 1;
};

// Channels [first, first + count) as doubles into `to`; false when any is not finite. Conversion and
// the finiteness test in one pass the compiler vectorises: a value is not finite when its exponent
// bits are all ones, the largest an exponent field can be, so one integer maximum tests them all.
// (Eigen's cast from float and allFinite(), or a bool reduction over a floating-point comparison,
// stay scalar.)
template <typename T>
bool read_channels(const channels_view<T>& s, index first, index count, double* to) {
  const T* from = s.data + first * s.stride;
  constexpr std::uint64_t exponent = 0x7ff0000000000000;
  std::uint64_t largest = 0;  // the largest exponent field: all ones only for infinity and NaN
  const auto take = [&](index c, T value) {
    const auto v = static_cast<double>(value);
    to[c] = v;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    largest = std::max(largest, bits & exponent);
  };
  if (s.stride == 1) {
    for (index c = 0; c < count; ++c) {
      take(c, from[c]);
    }
  } else {
    for (index c = 0; c < count; ++c) {
      take(c, from[c * s.stride]);
    }
  }
  return largest != exponent;
}

// What window_pass sums over the window besides the products that go into the workspace (Q_F^T y,
// Q_F^T p): p^T y, p^T p and y^T y, and with Moments the sums of p (the power-law column), t = ln E -
// ln E_c and the fixed model columns M_a from which the counting-noise Gram matrix G = M^T diag(Mb) M
// and h = M^T (ln E p) follow for any coefficients b (moment_statistics), with no pass over the
// residual.
//
// The moments are set by window_pass with Moments and read only after it, so they are left unset
// here: clearing them was a call to memset per pixel.
struct window_moments {
  static constexpr int max_fixed = 3;
  double py = 0, pp = 0, yy = 0;
  double p;                                     // sum p
  double ppp;                                   // sum p^3
  double tpp;                                   // sum t p^2
  double pm[max_fixed];                         // sum p M_a
  double ppm[max_fixed];                        // sum p^2 M_a
  double tpm[max_fixed];                        // sum t p M_a
  double pmm[max_fixed * (max_fixed + 1) / 2];  // sum p M_a M_b at pair_index(a, b)
};

// A projected fit's pass over its window when the power-law column has a fixed shape: it reads the
// window's channels from `source` (the spectrum as stored, float or double, channel `begin` first)
// into the workspace's spectrum as doubles, evaluates the column p (into the model; from `poly`, or
// already there when the exponential was needed) and sums the products the QR update needs,
// Q_F^T y (into ws.rhs), Q_F^T p (into column f of ws.design), p^T y and p^T p, and y^T y, in one
// sweep with every sum in registers, the column evaluated four packets at a time (evaluate<B>);
// with Moments, the sums of window_moments follow from the stored column. Before it, a pixel copied
// its window, swept it twice more (the column, then the products) with the column stored and
// reloaded in between, and a third time for the residual's sums.
template <int F, bool Moments, typename T>
void window_pass(const mlls_plan& plan, const power_law_polynomial& poly, const T* source, mlls_workspace& ws,
                 window_moments& out) {
  namespace ei = Eigen::internal;
  static_assert(!Moments || F <= window_moments::max_fixed, "the moments are summed for at most three columns");
  constexpr int pairs = F * (F + 1) / 2;
  const index m = plan.window.size;
  double* y = ws.spectrum.data() + plan.window.begin;
  double* p = ws.model.col(plan.k).data();
  const double* q = plan.fixed.q.data();
  const double* t = plan.log_offset.data();
  const double* fm = Moments ? plan.fixed_model.data() : nullptr;
  const double* fp = Moments ? plan.fixed_pairs.data() : nullptr;
  const double* ftm = Moments ? plan.fixed_log_model.data() : nullptr;
  const bool taylor = poly.degree >= 0;
  const packet zero = ei::pset1<packet>(0.0);
  packet qy[F], qp[F], ppm[F], tpm[F], pmm[pairs];
  for (int j = 0; j < F; ++j) {
    qy[j] = qp[j] = ppm[j] = tpm[j] = zero;
  }
  for (int j = 0; j < pairs; ++j) {
    pmm[j] = zero;
  }
  packet py = zero, pp = zero, yy = zero, ps = zero, ppp = zero, tpp = zero;
  // One packet of channels from i, its column pi.
  const auto step = [&](index i, const packet& pi) {
    const packet yi = core::detail::load_as_double(source + i);
    ei::pstoreu(y + i, yi);
    ei::pstoreu(p + i, pi);
    for (int j = 0; j < F; ++j) {
      const packet qj = ei::ploadu<packet>(q + j * m + i);
      qy[j] = ei::pmadd(qj, yi, qy[j]);
      qp[j] = ei::pmadd(qj, pi, qp[j]);
    }
    py = ei::pmadd(pi, yi, py);
    pp = ei::pmadd(pi, pi, pp);
    yy = ei::pmadd(yi, yi, yy);
  };
  // The moments of one packet of channels from i, from the stored column: a loop of their own, as
  // their sums and the products' together do not fit in the registers (AVX2's sixteen: spilled, the
  // fused loop cost 15 % more per pixel than the two).
  // (sum p M_a is not summed: it follows from Q_F^T p, see below.)
  const auto moments = [&](index i) {
    const packet ti = ei::ploadu<packet>(t + i);
    const packet pi = ei::ploadu<packet>(p + i);
    const packet p2 = ei::pmul(pi, pi);
    ps = ei::padd(ps, pi);
    ppp = ei::pmadd(p2, pi, ppp);
    tpp = ei::pmadd(p2, ti, tpp);
    for (int j = 0; j < F; ++j) {
      ppm[j] = ei::pmadd(p2, ei::ploadu<packet>(fm + j * m + i), ppm[j]);
      tpm[j] = ei::pmadd(pi, ei::ploadu<packet>(ftm + j * m + i), tpm[j]);
    }
    for (int j = 0; j < pairs; ++j) {
      pmm[j] = ei::pmadd(pi, ei::ploadu<packet>(fp + j * m + i), pmm[j]);
    }
  };
  constexpr int block = 4;  // packets whose columns are evaluated together
  index i = 0;
  for (; i + block * packet_size <= m; i += block * packet_size) {
    packet ti[block];
    packet pi[block];
    for (int b = 0; b < block; ++b) {
      ti[b] = ei::ploadu<packet>(t + i + b * packet_size);
      pi[b] = taylor ? zero : ei::ploadu<packet>(p + i + b * packet_size);
    }
    if (taylor) {
      evaluate(poly, ti, pi);
    }
    for (int b = 0; b < block; ++b) {
      step(i + b * packet_size, pi[b]);
    }
  }
  for (; i + packet_size <= m; i += packet_size) {
    step(i, taylor ? evaluate(poly, ei::ploadu<packet>(t + i)) : ei::ploadu<packet>(p + i));
  }
  if constexpr (Moments) {
    for (index j = 0; j < i; j += packet_size) {
      moments(j);
    }
  }
  double* z = ws.rhs.data();
  double* c = ws.design.col(F).data();
  for (int j = 0; j < F; ++j) {
    z[j] = ei::predux(qy[j]);
    c[j] = ei::predux(qp[j]);
    if constexpr (Moments) {
      out.ppm[j] = ei::predux(ppm[j]);
      out.tpm[j] = ei::predux(tpm[j]);
    }
  }
  out.py = ei::predux(py);
  out.pp = ei::predux(pp);
  out.yy = ei::predux(yy);
  if constexpr (Moments) {
    for (int j = 0; j < pairs; ++j) {
      out.pmm[j] = ei::predux(pmm[j]);
    }
    out.p = ei::predux(ps);
    out.ppp = ei::predux(ppp);
    out.tpp = ei::predux(tpp);
  }
  for (; i < m; ++i) {
    const double pi = taylor ? evaluate(poly, t[i]) : p[i];
    p[i] = pi;
    y[i] = static_cast<double>(source[i]);
    for (int j = 0; j < F; ++j) {
      z[j] += q[j * m + i] * y[i];
      c[j] += q[j * m + i] * pi;
    }
    out.py += pi * y[i];
    out.pp += pi * pi;
    out.yy += y[i] * y[i];
    if constexpr (Moments) {
      out.p += pi;
      out.ppp += pi * pi * pi;
      out.tpp += t[i] * pi * pi;
      for (int j = 0; j < F; ++j) {
        out.ppm[j] += pi * pi * fm[j * m + i];
        out.tpm[j] += pi * ftm[j * m + i];
      }
      for (int j = 0; j < pairs; ++j) {
        out.pmm[j] += pi * fp[j * m + i];
      }
    }
  }
  if constexpr (Moments) {
    // sum p M_a = (M^T p)_a from Q_F^T p (in c): M D^-1 = Q_F R_F, so M^T p = D R_F^T Q_F^T p, O(f^2)
    // where the sum over the channels was a multiply-add per column and packet.
    for (int a = 0; a < F; ++a) {
      double sum = 0;
      for (int j = 0; j <= a; ++j) {
        sum += plan.fixed.r(j, a) * c[j];
      }
      out.pm[a] = plan.fixed.scale(a) * sum;
    }
  }
}

// What one pass over the residual of an unweighted fit gathers: sum r^2 and sum o^2 and, in a full
// pass, sum v, G = M^T diag(v) M with v = max(o - r, 0) the fitted spectrum (o - r is the fit with
// its background whatever the treatment: r = target - M b and target = o - B) for counting noise,
// and h = M^T (ln E p), p the model's column `power` (the power law's, for its sensitivity).
struct residual_statistics {
  double residual_norm2 = 0;
  double observed_norm2 = 0;
  double fitted_sum = 0;
};

// The sums of residual_statistics in one pass, for the N columns of M known at compile time: no
// residual is stored and no matrix-vector product called (a map needs only the sums). G goes to
// the lower triangle and the diagonal of `gram`, h to `power_products` (Full only).
template <int N, bool Full>
void residual_sums(const matrix_d& model, const vector_d& b, const window_view& y, const window_view& o,
                   const vector_d& log_energy, index power, residual_statistics& s, matrix_d& gram,
                   vector_d& power_products) {
  using quad = Eigen::Array<double, packet_size, 1>;  // one SIMD register
  constexpr int pairs = N * (N + 1) / 2;
  const index m = y.size();
  quad rr = quad::Zero();
  quad oo = quad::Zero();
  quad vv = quad::Zero();
  quad g[pairs];
  quad h[N];
  for (auto& gt : g) {
    gt = quad::Zero();
  }
  for (auto& ht : h) {
    ht = quad::Zero();
  }
  index i = 0;
  for (; i + packet_size <= m; i += packet_size) {
    quad column[N];
    quad r = Eigen::Map<const quad>(y.data() + i);
    for (int j = 0; j < N; ++j) {
      column[j] = Eigen::Map<const quad>(model.data() + j * m + i);
      r -= column[j] * b(j);
    }
    const Eigen::Map<const quad> oi(o.data() + i);
    rr += r * r;
    oo += oi * oi;
    if constexpr (Full) {
      const quad v = (oi - r).max(0.0);
      const quad w =
          Eigen::Map<const quad>(log_energy.data() + i) * Eigen::Map<const quad>(model.data() + power * m + i);
      vv += v;
      for (int j = 0, t = 0; j < N; ++j) {
        const quad vj = v * column[j];
        for (int k = 0; k <= j; ++k, ++t) {
          g[t] += vj * column[k];
        }
        h[j] += w * column[j];
      }
    }
  }
  s.residual_norm2 = rr.sum();
  s.observed_norm2 = oo.sum();
  s.fitted_sum = vv.sum();
  if constexpr (Full) {
    for (int j = 0, t = 0; j < N; ++j) {
      for (int k = 0; k <= j; ++k, ++t) {
        gram(j, k) = g[t].sum();
      }
      power_products(j) = h[j].sum();
    }
  }
  for (; i < m; ++i) {
    double r = y(i);
    for (int j = 0; j < N; ++j) {
      r -= model(i, j) * b(j);
    }
    s.residual_norm2 += r * r;
    s.observed_norm2 += o(i) * o(i);
    if constexpr (Full) {
      const double v = std::max(o(i) - r, 0.0);
      s.fitted_sum += v;
      for (int j = 0; j < N; ++j) {
        for (int k = 0; k <= j; ++k) {
          gram(j, k) += v * model(i, j) * model(i, k);
        }
        power_products(j) += log_energy(i) * model(i, power) * model(i, j);
      }
    }
  }
}

// The same sums for any number of columns: fused up to five, by loops beyond. `power` is a valid
// column even where the model has no power law (h is then not read).
template <bool Full>
void residual_sums(const matrix_d& model, const vector_d& b, const window_view& y, const window_view& o,
                   const vector_d& log_energy, index power, residual_statistics& s, matrix_d& gram,
                   vector_d& power_products) {
  switch (model.cols()) {
    case 1:
      return residual_sums<1, Full>(model, b, y, o, log_energy, power, s, gram, power_products);
    case 2:
      return residual_sums<2, Full>(model, b, y, o, log_energy, power, s, gram, power_products);
    case 3:
      return residual_sums<3, Full>(model, b, y, o, log_energy, power, s, gram, power_products);
    case 4:
      return residual_sums<4, Full>(model, b, y, o, log_energy, power, s, gram, power_products);
    case 5:
      return residual_sums<5, Full>(model, b, y, o, log_energy, power, s, gram, power_products);
    default:
      break;
  }
  const index n = model.cols();
  s = residual_statistics{};
  if (Full) {
    gram.setZero();
    power_products.setZero();
  }
  for (index i = 0; i < y.size(); ++i) {
    double r = y(i);
    for (index j = 0; j < n; ++j) {
      r -= model(i, j) * b(j);
    }
    s.residual_norm2 += r * r;
    s.observed_norm2 += o(i) * o(i);
    if (Full) {
      const double v = std::max(o(i) - r, 0.0);
      s.fitted_sum += v;
      for (index j = 0; j < n; ++j) {
        for (index k = 0; k <= j; ++k) {
          gram(j, k) += v * model(i, j) * model(i, k);
        }
        power_products(j) += log_energy(i) * model(i, power) * model(i, j);
      }
    }
  }
}

// Counting noise: the covariance of the unweighted estimate b = C_u M^T y, C_u = (M^T M)^-1 (in
// ws.covariance), under Var y_i = phi v_i is phi C_u G C_u with G = M^T diag(v) M (lower triangle
// in ws.gram). phi = RSS / (sum v (m - p)/m): E[RSS] = phi sum v_i (1 - h_ii), and the leverages h
// sum to p. False (and nothing changed) when the fitted spectrum has no positive counts.
template <int N = 0>
bool counting_covariance(const residual_statistics& s, index dof, mlls_workspace& ws) {
  const index n = N > 0 ? N : ws.covariance.rows();
  const index m = dof + ws.parameters;
  if (!(s.fitted_sum > 0) || dof <= 0) {
    return false;
  }
  const double phi = s.residual_norm2 / (s.fitted_sum * double(dof) / double(m));
  for (index j = 1; j < n; ++j) {  // G whole, so that the products below have no branch
    for (index k = 0; k < j; ++k) {
      ws.gram(k, j) = ws.gram(j, k);
    }
  }
  for (index i = 0; i < n; ++i) {  // ws.inverse = C_u G
    for (index j = 0; j < n; ++j) {
      double sum = 0;
      for (index k = 0; k < n; ++k) {
        sum += ws.covariance(i, k) * ws.gram(k, j);
      }
      ws.inverse(i, j) = sum;
    }
  }
  for (index i = 0; i < n; ++i) {  // ws.gram = phi C_u G C_u, symmetric
    for (index j = 0; j <= i; ++j) {
      double sum = 0;
      for (index k = 0; k < n; ++k) {
        sum += ws.inverse(i, k) * ws.covariance(k, j);
      }
      ws.gram(i, j) = phi * sum;
    }
  }
  for (index i = 0; i < n; ++i) {
    for (index j = 0; j <= i; ++j) {
      ws.covariance(i, j) = ws.gram(i, j);
      ws.covariance(j, i) = ws.gram(i, j);
    }
  }
  return true;
}

// Unweighted and unconstrained: the least squares of the fixed columns F (factored once per plan)
// and of the power-law column p, which changes from spectrum to spectrum, added by the engine's QR
// update (fit::detail::add_column): O(m f) per spectrum. The residual is formed from the model, as
// every fit forms it. Nothing is allocated. False for a design that fails the rank rule.
//
// `products`: window_pass has formed the products of the update (Q_F^T y in ws.rhs, Q_F^T p in
// column f of ws.design, and p^T y, p^T p); otherwise they are formed here.
template <int N = 0>
bool solve_projected(const mlls_plan& plan, const window_view& y, mlls_workspace& ws,
                     const double* products = nullptr) {
  const index f = plan.fixed.q.cols();
  const index n = N > 0 ? N : plan.terms;
  auto r = ws.design.topLeftCorner(n, n);
  auto z = ws.rhs.head(n);
  double power_scale = 1;
  const double* p = n == f ? nullptr : ws.model.col(plan.k).data();
  const bool factored = products != nullptr
                            ? fit::detail::extend_factor<double, (N > 0 ? N - 1 : 0)>(
                                  plan.fixed, y.data(), p, products[0], products[1], r, z, power_scale, ws.fitted)
                            : fit::detail::add_column<double>(plan.fixed, y.data(), p, r, z, power_scale, ws.fitted);
  if (!factored) {
    return false;
  }
  auto x = ws.projection.head(n);
  fit::detail::back_substitute<double, N>(r, z, x);
  fit::detail::inverse_gram<double, N>(r, ws.inverse, ws.gram);
  // Back to the model's column order and units: position i of R is column `of(i)` of the model.
  const auto of = [&](index i) { return i < f ? plan.fixed_columns[static_cast<std::size_t>(i)] : plan.k; };
  const auto scale = [&](index i) { return i < f ? plan.fixed.scale(i) : power_scale; };
  double* reciprocal = ws.column_scale.data();  // 1 / scale: n divisions rather than n^2
  for (index i = 0; i < n; ++i) {
    reciprocal[i] = 1 / scale(i);
    ws.coefficients(of(i)) = x(i) / scale(i);
  }
  for (index i = 0; i < n; ++i) {
    for (index j = 0; j < n; ++j) {
      ws.covariance(of(i), of(j)) = ws.gram(i, j) * (reciprocal[i] * reciprocal[j]);
    }
  }
  return true;
}

// The first-order change of the coefficients with the power law's parameters theta, db = S dtheta,
// from the unscaled covariance C_u = (A^T W A)^-1 still in ws.covariance: db = C_u A^T W u dtheta
// with u the change of the data the model fits. Fixed shape, theta = r: the power-law column p moves
// by -ln E p dr, so u = b_p ln E p (a term in the residual, zero on average, is left out). Subtracted,
// theta = (A, r): the target y - B moves by -dB, u = (-B/A, ln E B). Returns the number of
// parameters (0: nothing to propagate). O(m n) per spectrum, or O(n^2) when the unweighted residual
// pass has already formed M^T (ln E p) (`power_products`, fixed shape).
template <int N = 0>
index background_sensitivity(const mlls_plan& plan, const vector_d* power_products, mlls_workspace& ws) {
  const mlls_options& options = *plan.options;
  if (!options.propagate_background || options.background == background_treatment::none) {
    return 0;
  }
  const index n = N > 0 ? N : plan.terms;
  const bool fixed_shape = options.background == background_treatment::fixed_shape;
  const bool weighted = options.weighting != mlls_weighting::none;
  const index count = fixed_shape ? 1 : 2;
  for (index t = 0; t < count; ++t) {
    if (fixed_shape && power_products != nullptr) {
      ws.projection = ws.coefficients(plan.k) * *power_products;
    } else {
      auto& u = ws.fitted;  // scratch here: mlls() forms the curves afterwards
      if (fixed_shape) {
        u = ws.coefficients(plan.k) * plan.log_energy.cwiseProduct(ws.model.col(plan.k));
      } else if (t == 0) {
        u = ws.background * (-1 / ws.power_law.amplitude);
      } else {
        u = plan.log_energy.cwiseProduct(ws.background);
      }
      if (weighted) {
        u.array() *= ws.sqrt_weights.array().square();
      }
      for (index j = 0; j < n; ++j) {
        ws.projection(j) = ws.model.col(j).dot(u);
      }
    }
    for (index a = 0; a < n; ++a) {
      double sum = 0;
      for (index b = 0; b < n; ++b) {
        sum += ws.covariance(a, b) * ws.projection(b);
      }
      ws.sensitivity(a, t) = sum;
    }
  }
  return count;
}

// The background's covariance added to the coefficients': S Sigma S^T, Sigma the power law's
// covariance of (r) or (A, r) from its window, independent of the fit window's noise.
template <int N = 0>
void add_background_covariance(const mlls_plan& plan, index count, mlls_workspace& ws) {
  const index n = N > 0 ? N : plan.terms;
  const power_law_result& p = ws.power_law;
  const auto& s = ws.sensitivity;
  if (count == 1) {
    for (index a = 0; a < n; ++a) {
      for (index b = 0; b < n; ++b) {
        ws.covariance(a, b) += s(a, 0) * s(b, 0) * p.exponent_error * p.exponent_error;
      }
    }
    return;
  }
  const double saa = p.amplitude_error * p.amplitude_error;
  const double srr = p.exponent_error * p.exponent_error;
  for (index a = 0; a < n; ++a) {
    for (index b = 0; b < n; ++b) {
      ws.covariance(a, b) +=
          s(a, 0) * s(b, 0) * saa + s(a, 1) * s(b, 1) * srr + (s(a, 0) * s(b, 1) + s(a, 1) * s(b, 0)) * p.covariance;
    }
  }
}

// window_pass for the plan's number of fixed columns, with the moments where the plan has them.
template <typename T>
void window_pass(const mlls_plan& plan, const power_law_polynomial& poly, const T* source, mlls_workspace& ws,
                 window_moments& out) {
  switch (plan.fixed.q.cols() + (plan.moments ? 4 : 0)) {
    case 1:
      return window_pass<1, false>(plan, poly, source, ws, out);
    case 2:
      return window_pass<2, false>(plan, poly, source, ws, out);
    case 3:
      return window_pass<3, false>(plan, poly, source, ws, out);
    case 5:
      return window_pass<1, true>(plan, poly, source, ws, out);
    case 6:
      return window_pass<2, true>(plan, poly, source, ws, out);
    case 7:
      return window_pass<3, true>(plan, poly, source, ws, out);
    default:
      return window_pass<4, false>(plan, poly, source, ws, out);
  }
}

// The residual's statistics of a one-pass fit from its window's sums, with no second pass: the
// residual's sum of squares as ||y||^2 - ||z||^2 (z = [Q_F, q]^T y, the projected data of the QR
// update in ws.rhs) under the engine's rule for that cancellation, and with moments, sum v, G and h
// of residual_sums: v = M b is linear in the columns, so G_jk = sum_l b_l sum_i M_il M_ij M_ik, sums
// of the fixed columns (the plan's) and of p (the window's), and ln E = ln E_c + t. That G is
// residual_sums' only while no fitted value is negative (residual_sums takes v = max(M b, 0)):
// guaranteed when the smallest value M b can take, from each column's range over the window (p is
// monotone: its range is its ends), is not negative. False, and nothing to use, otherwise.
template <int N = 0>
bool moment_statistics(const mlls_plan& plan, const window_moments& w, residual_statistics& s, mlls_workspace& ws) {
  const index n = N > 0 ? N : plan.terms;  // the fixed columns and p
  const index f = n - 1;
  const index m = plan.window.size;
  double projected = 0;  // ||z||^2
  for (index j = 0; j < n; ++j) {
    projected += ws.rhs(j) * ws.rhs(j);
  }
  const double rss = w.yy - projected;
  if (!fit::detail::pythagorean_residual_is_accurate(rss, w.yy, m)) {
    return false;
  }
  s.residual_norm2 = rss;
  s.observed_norm2 = w.yy;
  if (!plan.moments) {
    return true;
  }
  const auto b = [&](index a) { return ws.coefficients(plan.fixed_columns[static_cast<std::size_t>(a)]); };
  const double bp = ws.coefficients(plan.k);
  const double* p = ws.model.col(plan.k).data();
  const double p_low = std::min(p[0], p[m - 1]);
  const double p_high = std::max(p[0], p[m - 1]);
  double lowest = bp >= 0 ? bp * p_low : bp * p_high;
  for (index a = 0; a < f; ++a) {
    lowest += b(a) >= 0 ? b(a) * plan.fixed_lowest(a) : b(a) * plan.fixed_highest(a);
  }
  if (!(lowest >= 0)) {
    return false;
  }
  // G and h in the model's column order, G's lower triangle as residual_sums leaves it.
  const auto column = [&](index a) { return a < f ? plan.fixed_columns[static_cast<std::size_t>(a)] : plan.k; };
  const auto set = [&](index a, index c, double value) {
    ws.gram(std::max(column(a), column(c)), std::min(column(a), column(c))) = value;
  };
  s.fitted_sum = bp * w.p;
  for (index a = 0; a < f; ++a) {
    s.fitted_sum += b(a) * plan.fixed_sums(a);
    for (index c = 0; c <= a; ++c) {
      double g = bp * w.pmm[pair_index(a, c)];
      for (index l = 0; l < f; ++l) {
        g += b(l) * plan.fixed_triple(pair_index(a, c) * f + l);
      }
      set(a, c, g);
    }
    double g = bp * w.ppm[a];
    for (index l = 0; l < f; ++l) {
      g += b(l) * w.pmm[pair_index(std::max(a, l), std::min(a, l))];
    }
    set(a, f, g);
    ws.power_products(column(a)) = plan.log_center * w.pm[a] + w.tpm[a];
  }
  double g = bp * w.ppp;
  for (index l = 0; l < f; ++l) {
    g += b(l) * w.ppm[l];
  }
  set(f, f, g);
  ws.power_products(plan.k) = plan.log_center * w.pp + w.tpp;
  return true;
}

// One spectrum, its channels in `s`: the power law, then the linear model, into the workspace. N > 0
// is the number of model terms known at compile time (solve_mlls), so that the n x n algebra of the
// common models unrolls (a sixth of a pixel's fit in cache, with two references).
template <int N, typename T>
mlls_outcome solve_mlls_sized(const mlls_plan& plan, const channels_view<T>& s, mlls_workspace& ws) {
  const index n = N > 0 ? N : plan.terms;
  const mlls_options& options = *plan.options;
  const core::index_range w = plan.window;
  const auto take = [&](index first, index count) {
    return read_channels(s, first, count, ws.spectrum.data() + first);
  };
  const auto take_windows = [&] { return take(w.begin, w.size) && take(plan.background.begin, plan.background.size); };
  // A one-pass fit of contiguous channels reads them as it sums them (two_area_estimate, window_pass),
  // and tests them only when a sum is not finite; every other fit copies what it reads first.
  const bool streamed = plan.one_pass && s.stride == 1;
  if (!streamed && !(plan.whole_spectrum ? take(0, ws.spectrum.size()) : take_windows())) {
    return mlls_outcome::non_finite;
  }
  const window_view observed(ws.spectrum.data() + w.begin, w.size);
  ws.power_law = power_law_result{};
  window_moments sums_of_window;  // from window_pass
  if (options.background != background_treatment::none) {
    if (plan.whole_spectrum) {
      ws.power_law = power_law_fit(plan.energy, ws.spectrum, options.background_window, options.power_law);
    } else {
      if (streamed) {
        detail::two_area_estimate(plan.two_area, s.data, ws.power_law);
      } else {
        detail::two_area_estimate(plan.two_area, ws.spectrum, ws.power_law);
      }
      ws.power_law.binned = options.power_law.binned;
      ws.power_law.channel_width = plan.channel_width;
    }
    const power_law_result& law = ws.power_law;
    // A value that is not finite makes the estimate fail or leaves it not finite: then the channels
    // are tested, so that such a spectrum is reported as the copying path reports it.
    if (streamed &&
        !(law.status == power_law_status::ok &&
          std::isfinite(law.amplitude + law.exponent + law.amplitude_error + law.exponent_error + law.covariance)) &&
        !take_windows()) {
      return mlls_outcome::non_finite;
    }
    if (law.status != power_law_status::ok) {
      return mlls_outcome::background_failed;
    }
    const double scale = ws.power_law.amplitude * (ws.power_law.binned ? ws.power_law.channel_width : 1.0);
    if (plan.one_pass) {
      const power_law_polynomial poly = power_law_taylor(plan, ws.power_law.exponent, scale);
      if (poly.degree < 0) {
        power_law_column(plan, ws.power_law.exponent, scale, ws.model.col(plan.k));
      }
      if (streamed) {
        window_pass(plan, poly, s.data + w.begin, ws, sums_of_window);
        if (!std::isfinite(sums_of_window.yy) && !take(w.begin, w.size)) {
          return mlls_outcome::non_finite;
        }
      } else {
        window_pass(plan, poly, ws.spectrum.data() + w.begin, ws, sums_of_window);
      }
    } else if (options.background == background_treatment::fixed_shape) {
      power_law_column(plan, ws.power_law.exponent, scale, ws.model.col(plan.k));
    } else {
      power_law_column(plan, ws.power_law.exponent, scale, ws.background);
      ws.target = observed - ws.background;
    }
  }
  const bool subtracted = options.background == background_treatment::subtracted;
  const window_view target(subtracted ? ws.target.data() : observed.data(), w.size);
  if (options.weighting == mlls_weighting::poisson) {
    ws.sqrt_weights = observed.cwiseMax(1.0).cwiseSqrt().cwiseInverse();
  } else if (options.weighting == mlls_weighting::user) {
    ws.sqrt_weights = plan.sqrt_user_weights;
  }
  ws.parameters = n;
  if (plan.projected) {
    const double products[2] = {sums_of_window.py, sums_of_window.pp};
    if (!solve_projected<N>(plan, target, ws, plan.one_pass ? products : nullptr)) {
      return mlls_outcome::singular;
    }
  } else if (!options.nonnegative) {
    if (!solve_unconstrained(plan, target, ws)) {
      return mlls_outcome::singular;
    }
  } else {
    fit::least_squares_options<double> ls;
    ls.nonnegative = true;
    ls.scale_covariance = false;  // scaled below, with the effective parameters it reports
    if (options.weighting != mlls_weighting::none) {
      ls.weights = ws.sqrt_weights.cwiseAbs2();
    }
    try {
      const auto f = fit::least_squares(ws.model, target, ls);
      ws.coefficients = f.coefficients;
      ws.covariance = f.covariance;
      ws.parameters = f.parameters;  // coefficients held at 0 do not count
    } catch (const error&) {         // rank deficiency of this spectrum's design
      return mlls_outcome::singular;
    }
  }
  // Statistics. The residual r = target - model b is also observed - fit, whatever the background
  // treatment. Unweighted, its sum of squares comes from the window's sums of a one-pass fit
  // (moment_statistics) or else from one fused pass (residual_sums), the same for a map's pixel and
  // for mlls(), which forms the curves as well.
  const bool unweighted = options.weighting == mlls_weighting::none;
  const bool counting = unweighted && options.noise == mlls_noise::counting;
  // The full pass also forms what counting noise and the fixed-shape background's sensitivity need.
  const bool fixed_shape_propagated =
      options.propagate_background && options.background == background_treatment::fixed_shape;
  const bool full = unweighted && (counting || fixed_shape_propagated);
  residual_statistics sums;
  const index power = options.background == background_treatment::fixed_shape ? plan.k : 0;
  // A one-pass fit has its sums from its window's (moment_statistics) unless their guards fail.
  const bool summed = plan.one_pass && plan.moments == full && moment_statistics<N>(plan, sums_of_window, sums, ws);
  if (!summed && full) {
    residual_sums<true>(ws.model, ws.coefficients, target, observed, plan.log_energy, power, sums, ws.gram,
                        ws.power_products);
  } else if (!summed && unweighted) {
    residual_sums<false>(ws.model, ws.coefficients, target, observed, plan.log_energy, power, sums, ws.gram,
                         ws.power_products);
  }
  const index background_parameters = background_sensitivity<N>(plan, full ? &ws.power_products : nullptr, ws);
  if (ws.curves || options.weighting != mlls_weighting::none) {
    ws.fitted.noalias() = ws.model * ws.coefficients;
    ws.residual = target - ws.fitted;
    if (subtracted) {
      ws.fitted += ws.background;
    }
  }
  if (options.weighting != mlls_weighting::none) {
    ws.chi_square = ws.residual.cwiseProduct(ws.sqrt_weights).squaredNorm();
    ws.r_factor = ws.residual.squaredNorm() / observed.squaredNorm();
  } else {
    ws.chi_square = sums.residual_norm2;
    ws.r_factor = sums.residual_norm2 / sums.observed_norm2;
  }
  const index dof = w.size - ws.parameters;
  ws.reduced_chi_square = dof > 0 ? ws.chi_square / double(dof) : std::numeric_limits<double>::quiet_NaN();
  // Poisson variances are known: no scaling. Counting noise falls back to one variance for a fit
  // with no positive counts.
  if (options.weighting != mlls_weighting::poisson && !(counting && counting_covariance<N>(sums, dof, ws))) {
    ws.covariance *= ws.reduced_chi_square;
  }
  if (background_parameters > 0) {
    add_background_covariance<N>(plan, background_parameters, ws);
  }
  for (index j = 0; j < n; ++j) {
    ws.standard_errors(j) = std::sqrt(std::max(ws.covariance(j, j), 0.0));
  }
  // Fractions f_i = b_i / sum b, errors from g^T C g with g_j = (delta_ij - f_i) / sum b.
  const index k = plan.k;
  // With g = (e_i - f_i 1)/sum b: g^T C g = (C_ii - 2 f_i sum_a C_ai + f_i^2 sum_ab C_ab) / (sum b)^2,
  // from the row sums of C's reference block, O(k^2) in all.
  double total = 0;
  double all = 0;
  double* row_sums = ws.projection.data();
  for (index a = 0; a < k; ++a) {
    total += ws.coefficients(a);
    double sum = 0;
    for (index b = 0; b < k; ++b) {
      sum += ws.covariance(a, b);
    }
    row_sums[a] = sum;
    all += sum;
  }
  for (index i = 0; i < k; ++i) {
    const double f = ws.coefficients(i) / total;
    const double variance = (ws.covariance(i, i) - 2 * f * row_sums[i] + f * f * all) / (total * total);
    ws.fractions(i) = f;
    ws.fraction_errors(i) = std::sqrt(std::max(variance, 0.0));
  }
  return mlls_outcome::ok;
}

// solve_mlls_sized for the plan's number of terms: at compile time for one to three references and
// the power law (with a constant or a linear term, or without a background, as the sizes allow).
template <typename T>
mlls_outcome solve_mlls(const mlls_plan& plan, const channels_view<T>& s, mlls_workspace& ws) {
  switch (plan.terms) {
    case 2:
      return solve_mlls_sized<2>(plan, s, ws);
    case 3:
      return solve_mlls_sized<3>(plan, s, ws);
    case 4:
      return solve_mlls_sized<4>(plan, s, ws);
    default:
      return solve_mlls_sized<0>(plan, s, ws);
  }
}

}  // namespace detail

/// \brief MLLS fit of a spectrum with reference spectra on the same energy axis.
/// \ingroup eels
///
/// The power law \f$A E^{-r}\f$ is fitted over the background window with power_law_fit(); then
/// the linear model of the references (and the background term, constant and linear term as set)
/// is solved over the fit window by a QR factorisation of the column-equilibrated design:
/// - unweighted: the columns that do not change from spectrum to spectrum (references, constant,
///   linear term) are factored once, and the power-law column is added by a QR update (closed
///   form while the column keeps half its norm outside the others, Gram–Schmidt with
///   reorthogonalisation below), so that a spectrum image costs \f$O(mf)\f$ per pixel;
/// - weighted: Householder QR of the weighted design, the allocation-free kernel of
///   fit::least_squares_batch;
/// - non-negative: fit::least_squares.
///
/// The covariance is the estimator's own under the noise the fit assumes:
/// - unweighted with mlls_noise::counting (the default), the sandwich
///   \f$C = \phi\,(A^TA)^{-1}A^T\mathrm{diag}(\mu)A(A^TA)^{-1}\f$, \f$\mu\f$ the fitted spectrum
///   (background included, negative values taken as 0) and \f$\phi = \mathrm{RSS}/(\sum_i\mu_i\,
///   (m-p)/m)\f$, so that counts at any gain, whose variance follows their level across the
///   window, get errors that match their scatter;
/// - unweighted with mlls_noise::uniform, and with user weights, \f$(A^TWA)^{-1}\f$ scaled by the
///   reduced χ² (as HyperSpy's and ordinary least squares' standard errors);
/// - Poisson weights, \f$(A^TWA)^{-1}\f$, their variance being known.
///
/// With propagate_background (the
/// default) the power law's own uncertainty is added: its covariance \f$\Sigma_\theta\f$ over the
/// background window (of \f$r\f$ for fixed_shape, whose scale is free; of \f$(A, r)\f$ for
/// subtracted), carried to first order, \f$C \mathrel{+}= S\Sigma_\theta S^T\f$ with
/// \f$S = (A^TWA)^{-1}A^TW\,\partial y/\partial\theta\f$ and the windows' noise independent. Without it
/// the errors are conditional on the fitted background and, where the background dominates the
/// edge, too small (scatter over Poisson noise up to 1.5 times the reported error). Fractions
/// \f$f_i = \beta_i/\sum_j \beta_j\f$ carry errors from \f$g^T C g\f$,
/// \f$\partial f_i/\partial \beta_j = (\delta_{ij} - f_i)/\sum\beta\f$.
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
/// **Accuracy.** Coefficients of noiseless mixtures to 1e-14; with mlls_noise::uniform, standard
/// errors equal ordinary least squares' \f$\sqrt{\mathrm{RSS}/(m-p)\,[(X^TX)^{-1}]_{jj}}\f$
/// (HyperSpy's) to 1e-10; with the two-area power law as a fixed-shape term and no weights, χ² is
/// \f$\|y\|^2 - \|Q^Ty\|^2\f$ from the pass that reads the window, used only while that
/// subtraction's rounding is below 1e-6 of the result (7.8e-13 measured on Poisson counts), else
/// the residual is formed; on Poisson counts the errors of coefficients and fractions match their
/// scatter over noise realisations for every weighting, background treatment and power-law
/// estimator (mean z² within 1 ± 0.1); the unweighted solve equals
/// fit::least_squares on the same design to 3.8e-13 relative on both of its branches
/// (tests/eels/test_mlls.cpp).
///
/// **References.** R. D. Leapman, C. R. Swyt, Ultramicroscopy 26, 393 (1988); the EELS study's
/// model (seeds); G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed. (2013), §6.5 (QR
/// updating).
template <class = void>
[[nodiscard]] mlls_result mlls(const vector_ref& energy, const vector_ref& spectrum, const matrix_ref& references,
                               const mlls_options& options) {
  constexpr const char* function = "valence::eels::mlls";
  core::check_same_size(function, "spectrum", spectrum, "energy", energy);
  core::check_finite(function, "spectrum", spectrum);
  const auto plan = detail::make_mlls_plan(function, energy, references, options);
  detail::mlls_workspace ws(plan);
  ws.curves = true;
  switch (detail::solve_mlls(plan, detail::channels_view<double>{spectrum.data(), 1}, ws)) {
    case detail::mlls_outcome::ok:
      break;
    case detail::mlls_outcome::background_failed:
      throw invalid_input(core::detail::message(
          function,
          "the power law cannot be fitted over the background window (its counts are not positive); "
          "expected a pre-edge window with positive counts"));
    default:
      throw invalid_input(core::detail::message(
          function, "the model is rank deficient over the fit window; expected linearly independent references"));
  }
  return {ws.coefficients,    ws.standard_errors,
          ws.covariance,      ws.fractions,
          ws.fraction_errors, energy.segment(plan.window.begin, plan.window.size),
          ws.fitted,          ws.residual,
          ws.chi_square,      ws.reduced_chi_square,
          ws.r_factor,        ws.power_law,
          plan.window};
}

}  // namespace valence::eels

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::eels {
extern template mlls_result mlls<>(const vector_ref&, const vector_ref&, const matrix_ref&, const mlls_options&);
}  // namespace valence::eels
#endif

#endif  // VALENCE_EELS_MLLS_HPP
