// SPDX-License-Identifier: MIT
/// \file
/// \brief Peak and step lineshapes with analytic derivatives, and the Faddeeva function.
#ifndef VALENCE_FIT_LINESHAPES_HPP
#define VALENCE_FIT_LINESHAPES_HPP

#include <valence/core/types.hpp>

#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace valence::fit {

namespace detail {

constexpr double pi = 3.141592653589793238462643383279502884;
constexpr double sqrt_pi = 1.772453850905516027298167483341145183;
constexpr double sqrt_2pi = 2.506628274631000502415765284811045253;
constexpr double sqrt_ln2 = 0.832554611157697756353164644895201047;  // sqrt(ln 2)

// Trapezoidal rule for w(z) = (i/pi) int exp(-t^2)/(z - t) dt on nodes t_k = (k + shift) h, with the
// pole correction of Matta and Reichel; the node offset keeps Re z at least h/4 from every node.
// Step h = 0.45 makes the discretisation error exp(-pi^2/h^2) ~ 1e-21; nodes run to |t| = 7.
// Both grids are symmetric, so nodes +-t are summed as 2z/(z^2 - t^2): Im w is then a sum of
// terms proportional to Re z, with no cancellation when Re z is tiny.
inline std::complex<double> faddeeva_upper(std::complex<double> z) {
  constexpr double h = 0.45;
  constexpr int nodes = 16;  // 16 h = 7.2 > sqrt(-ln 1e-21)
  const double x = z.real();
  const double y = z.imag();
  const double position = x / h - std::floor(x / h);
  const bool shifted = position < 0.25 || position > 0.75;
  const std::complex<double> z2 = z * z;
  std::complex<double> sum = shifted ? 0.0 : 1.0 / z;
  for (int k = shifted ? 0 : 1; k <= nodes; ++k) {
    const double t = (k + (shifted ? 0.5 : 0.0)) * h;
    sum += std::exp(-t * t) * 2.0 * z / (z2 - t * t);
  }
  std::complex<double> w = std::complex<double>(0, h / pi) * sum;
  // exp(-z^2) = exp(y^2 - x^2) (cos 2xy - i sin 2xy), with y^2 - x^2 carried to twice the working
  // precision: e^{-x^2} is the whole real part on the real axis, and x^2 rounds by 1e-14 at x = 10.
  const double xx = x * x;
  const double yy = y * y;
  const double exponent = yy - xx;
  if (y < pi / h && exponent > -745) {
    const double low = (std::fma(y, y, -yy) - std::fma(x, x, -xx)) + ((yy - exponent) - xx);
    const std::complex<double> gaussian = std::exp(exponent) * (1 + low) * std::polar(1.0, -2 * x * y);
    const std::complex<double> phase = std::exp(std::complex<double>(2 * pi * y / h, -2 * pi * x / h));
    w += 2.0 * gaussian / (shifted ? 1.0 + phase : 1.0 - phase);
  }
  return w;
}

}  // namespace detail

/// \brief The Faddeeva function \f$w(z) = e^{-z^2}\operatorname{erfc}(-iz)\f$ of a complex argument.
/// \ingroup fit
///
/// The Voigt profile is \f$\operatorname{Re} w\f$ on the upper half-plane. There
/// \f$w(z) = \frac{i}{\pi}\int e^{-t^2}/(z - t)\,dt\f$ is evaluated by the trapezoidal rule
/// with step 0.45 on 33 nodes plus the pole correction of Matta and Reichel, with the node grid
/// shifted so that \f$\operatorname{Re} z\f$ never lies within a quarter step of a node (which keeps
/// the terms bounded on the real axis). The lower half-plane follows from
/// \f$w(z) = 2e^{-z^2} - w(-z)\f$ (which overflows where \f$w\f$ does).
///
/// **Accuracy.** Relative error below \f$10^{-13}\f$ in both parts on the upper-half-plane values
/// published with S. G. Johnson's Faddeeva package (computed with Maple and WolframAlpha), from
/// \f$|z| = 10^{-20}\f$ to \f$10^{7}\f$ and \f$\operatorname{Im} z\f$ down to \f$10^{-300}\f$:
/// tests/fit/test_lineshapes.cpp.
///
/// **References.** F. Matta, A. Reichel, Math. Comp. 25, 339 (1971); G. P. M. Poppe,
/// C. M. J. Wijers, ACM TOMS 16, 38 (1990); S. G. Johnson, Faddeeva package (2012).
/// \param z the argument; finite.
/// \returns \f$w(z)\f$.
[[nodiscard]] inline std::complex<double> faddeeva(std::complex<double> z) {
  if (z.imag() >= 0) {
    return detail::faddeeva_upper(z);
  }
  return 2.0 * std::exp(-z * z) - detail::faddeeva_upper(-z);
}

/// \brief The lineshapes a lineshape_model can sum. Parameters are listed in the order
/// lineshape_value() and lineshape_model::add() take them.
/// \ingroup fit
///
/// Peaks are normalised to unit area, so their amplitude \f$A\f$ is the area (the convention of
/// lmfit and Larch); steps rise from 0 to their height \f$A\f$. With \f$d = x - c\f$:
enum class lineshape : std::uint8_t {
  /// \f$\frac{A}{\sigma\sqrt{2\pi}} e^{-d^2/2\sigma^2}\f$; (A, c, σ); FWHM \f$= 2\sqrt{2\ln 2}\,\sigma\f$.
  gaussian,
  /// \f$\frac{A}{\pi}\frac{\gamma}{d^2 + \gamma^2}\f$; (A, c, γ); γ is the half width at half maximum.
  lorentzian,
  /// \f$(1-\eta)\,G(A, c, \sigma/\sqrt{2\ln 2}) + \eta\,L(A, c, \sigma)\f$; (A, c, σ, η): both parts share
  /// the FWHM \f$2\sigma\f$ (lmfit's convention).
  pseudo_voigt,
  /// \f$\frac{A}{\sigma\sqrt{2\pi}}\operatorname{Re} w\!\left(\frac{d + i\gamma}{\sigma\sqrt 2}\right)\f$;
  /// (A, c, σ, γ): the convolution of a Gaussian of standard deviation σ with a Lorentzian of
  /// half width γ ≥ 0 (see faddeeva()).
  voigt,
  /// \f$A\left(\frac12 + \frac1\pi\arctan\frac{d}{w}\right)\f$; (A, c, w): 0 → A, half height at c.
  arctan_step,
  /// \f$\frac{A}{2}\left(1 + \operatorname{erf}\frac{d}{w}\right)\f$; (A, c, w): 0 → A, half height at c.
  erf_step,
  /// \f$c_0\f$; (c0).
  constant,
  /// \f$s\,x\f$; (s): add a constant for a sloped line.
  linear
};

/// \brief The number of parameters of a lineshape (1 to 4).
/// \ingroup fit
/// \param shape the lineshape.
/// \returns its number of parameters.
[[nodiscard]] constexpr index lineshape_arity(lineshape shape) noexcept {
  switch (shape) {
    case lineshape::pseudo_voigt:
    case lineshape::voigt:
      return 4;
    case lineshape::constant:
    case lineshape::linear:
      return 1;
    default:
      return 3;
  }
}

/// \brief The name of a lineshape, e.g. `"pseudo_voigt"`.
/// \ingroup fit
/// \param shape the lineshape.
/// \returns a static string.
[[nodiscard]] inline const char* to_string(lineshape shape) noexcept {
  constexpr std::array<const char*, 8> names{"gaussian",    "lorentzian", "pseudo_voigt", "voigt",
                                             "arctan_step", "erf_step",   "constant",     "linear"};
  return names[static_cast<std::size_t>(shape)];
}

namespace detail {

struct peak_part {
  double value;
  double d_center;  // derivative with respect to c
  double d_width;   // derivative with respect to the width parameter
};

// Unit-area Gaussian of standard deviation s, and its derivatives.
inline peak_part unit_gaussian(double d, double s) {
  const double u = d / s;
  const double g = std::exp(-0.5 * u * u) / (s * sqrt_2pi);
  return {g, g * u / s, g * (u * u - 1) / s};
}

// Unit-area Lorentzian of half width g, and its derivatives.
inline peak_part unit_lorentzian(double d, double g) {
  const double q = d * d + g * g;
  return {g / (pi * q), 2 * g * d / (pi * q * q), (d * d - g * g) / (pi * q * q)};
}

}  // namespace detail

/// \brief Value and parameter gradient of one lineshape at one abscissa.
/// \ingroup fit
///
/// Width parameters must be positive (γ of the Voigt may be 0); otherwise the value is NaN, which
/// levenberg_marquardt() treats as a point outside the model's domain.
/// \param shape the lineshape (its formula and parameter order are in lineshape).
/// \param x the abscissa (e.g. energy in eV).
/// \param p the lineshape_arity(shape) parameters, in order.
/// \param gradient if not null, receives the lineshape_arity(shape) partial derivatives.
/// \returns the value at \p x.
inline double lineshape_value(lineshape shape, double x, const double* p, double* gradient) {
  using detail::pi;
  using detail::sqrt_pi;
  double scratch[4];
  double* g = gradient != nullptr ? gradient : scratch;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (shape) {
    case lineshape::constant:
      g[0] = 1;
      return p[0];
    case lineshape::linear:
      g[0] = x;
      return p[0] * x;
    default:
      break;
  }
  const double a = p[0];
  const double d = x - p[1];
  const double width = p[2];
  if (!(width > 0)) {
    g[0] = g[1] = g[2] = nan;
    if (lineshape_arity(shape) == 4) {
      g[3] = nan;
    }
    return nan;
  }
  switch (shape) {
    case lineshape::gaussian:
    case lineshape::lorentzian: {
      const auto f = shape == lineshape::gaussian ? detail::unit_gaussian(d, width) : detail::unit_lorentzian(d, width);
      g[0] = f.value;
      g[1] = a * f.d_center;
      g[2] = a * f.d_width;
      return a * f.value;
    }
    case lineshape::pseudo_voigt: {
      const double eta = p[3];
      const double to_sigma = 1 / (std::sqrt(2.0) * detail::sqrt_ln2);
      const auto gauss = detail::unit_gaussian(d, width * to_sigma);
      const auto lorentz = detail::unit_lorentzian(d, width);
      const double unit = (1 - eta) * gauss.value + eta * lorentz.value;
      g[0] = unit;
      g[1] = a * ((1 - eta) * gauss.d_center + eta * lorentz.d_center);
      g[2] = a * ((1 - eta) * gauss.d_width * to_sigma + eta * lorentz.d_width);
      g[3] = a * (lorentz.value - gauss.value);
      return a * unit;
    }
    case lineshape::voigt: {
      const double gamma = p[3];
      if (!(gamma >= 0)) {
        g[0] = g[1] = g[2] = g[3] = nan;
        return nan;
      }
      const double scale = width * std::sqrt(2.0);
      const std::complex<double> z(d / scale, gamma / scale);
      const std::complex<double> w = faddeeva(z);
      const std::complex<double> dw = -2.0 * z * w + std::complex<double>(0, 2 / sqrt_pi);  // w'(z)
      const double norm = 1 / (width * detail::sqrt_2pi);
      const double value = a * norm * w.real();
      g[0] = norm * w.real();
      g[1] = -a * norm * dw.real() / scale;
      g[2] = -value / width - a * norm * (dw * z).real() / width;
      g[3] = -a * norm * dw.imag() / scale;
      return value;
    }
    case lineshape::arctan_step: {
      const double u = d / width;
      const double slope = a / (pi * width * (1 + u * u));
      g[0] = 0.5 + std::atan(u) / pi;
      g[1] = -slope;
      g[2] = -slope * u;
      return a * g[0];
    }
    default: {  // erf_step
      const double u = d / width;
      const double slope = a * std::exp(-u * u) / (sqrt_pi * width);
      g[0] = 0.5 * std::erfc(-u);
      g[1] = -slope;
      g[2] = -slope * u;
      return a * g[0];
    }
  }
}

/// \brief Area-normalised Gaussian \f$\frac{A}{\sigma\sqrt{2\pi}}e^{-(x-c)^2/2\sigma^2}\f$.
/// \ingroup fit
/// \param x abscissa; \param area A; \param center c; \param sigma σ > 0 (NaN otherwise).
/// \returns the value.
[[nodiscard]] inline double gaussian(double x, double area, double center, double sigma) {
  const double p[3] = {area, center, sigma};
  return lineshape_value(lineshape::gaussian, x, p, nullptr);
}

/// \brief Area-normalised Lorentzian \f$\frac{A}{\pi}\frac{\gamma}{(x-c)^2 + \gamma^2}\f$.
/// \ingroup fit
/// \param x abscissa; \param area A; \param center c; \param gamma half width at half maximum > 0.
/// \returns the value.
[[nodiscard]] inline double lorentzian(double x, double area, double center, double gamma) {
  const double p[3] = {area, center, gamma};
  return lineshape_value(lineshape::lorentzian, x, p, nullptr);
}

/// \brief Pseudo-Voigt, lmfit's convention (see lineshape::pseudo_voigt).
/// \ingroup fit
/// \param x abscissa; \param area A; \param center c; \param sigma half width at half maximum > 0;
/// \param fraction η, the Lorentzian fraction (0 to 1 for a physical profile).
/// \returns the value.
[[nodiscard]] inline double pseudo_voigt(double x, double area, double center, double sigma, double fraction) {
  const double p[4] = {area, center, sigma, fraction};
  return lineshape_value(lineshape::pseudo_voigt, x, p, nullptr);
}

/// \brief Area-normalised Voigt profile (see lineshape::voigt).
/// \ingroup fit
/// \param x abscissa; \param area A; \param center c; \param sigma Gaussian standard deviation > 0;
/// \param gamma Lorentzian half width ≥ 0.
/// \returns the value; relative accuracy that of faddeeva().
[[nodiscard]] inline double voigt(double x, double area, double center, double sigma, double gamma) {
  const double p[4] = {area, center, sigma, gamma};
  return lineshape_value(lineshape::voigt, x, p, nullptr);
}

/// \brief Arctangent step \f$A(\frac12 + \frac1\pi\arctan\frac{x-c}{w})\f$, from 0 to A.
/// \ingroup fit
/// \param x abscissa; \param height A; \param center c (half height); \param width w > 0.
/// \returns the value.
[[nodiscard]] inline double arctan_step(double x, double height, double center, double width) {
  const double p[3] = {height, center, width};
  return lineshape_value(lineshape::arctan_step, x, p, nullptr);
}

/// \brief Error-function step \f$\frac{A}{2}(1 + \operatorname{erf}\frac{x-c}{w})\f$, from 0 to A.
/// \ingroup fit
/// \param x abscissa; \param height A; \param center c (half height); \param width w > 0.
/// \returns the value.
[[nodiscard]] inline double erf_step(double x, double height, double center, double width) {
  const double p[3] = {height, center, width};
  return lineshape_value(lineshape::erf_step, x, p, nullptr);
}

}  // namespace valence::fit

#endif  // VALENCE_FIT_LINESHAPES_HPP
