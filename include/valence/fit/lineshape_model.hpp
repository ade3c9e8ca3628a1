// SPDX-License-Identifier: MIT
/// \file
/// \brief Sums of lineshapes with free, fixed and tied parameters, fitted by Levenberg–Marquardt.
#ifndef VALENCE_FIT_LINESHAPE_MODEL_HPP
#define VALENCE_FIT_LINESHAPE_MODEL_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/fit/lineshapes.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace valence::fit {

/// \brief Weights and solver settings of lineshape_model::fit().
/// \ingroup fit
struct lineshape_fit_options {
  /// Standard deviation of each observation (positive, finite); empty for an unweighted fit.
  vector_d sigma;
  /// Tolerances, differencing, iteration budget and covariance scaling of the solver. Its bounds
  /// must be empty: bounds belong to the parameters (lineshape_model::add_parameter()).
  levenberg_marquardt_options<double> solver;
};

/// \brief A fitted lineshape model: every parameter's value and error, the curve and its components.
/// \ingroup fit
struct lineshape_fit {
  std::vector<std::string> names;             ///< parameter names, in the order they were added
  vector_d values;                            ///< every parameter: fitted, fixed or tied
  vector_d standard_errors;                   ///< propagated to tied parameters; 0 for fixed and bound-held ones
  matrix_d covariance;                        ///< over all parameters, \f$T C_{\rm free} T^T\f$ for the tie map \f$T\f$
  vector_d fitted;                            ///< the model at the fitted values
  matrix_d components;                        ///< one column per component, in the order they were added
  vector_d residuals;                         ///< \f$y - \mathrm{fitted}\f$ (unweighted)
  levenberg_marquardt_result<double> solver;  ///< the fit of the free parameters: χ², convergence, reason

  /// \brief The fitted value of a parameter by name.
  /// \param name a parameter name.
  /// \returns its value.
  /// \throws valence::invalid_input if no parameter has that name.
  [[nodiscard]] double value(const std::string& name) const { return values(parameter_index(name)); }
  /// \brief The standard error of a parameter by name.
  /// \param name a parameter name.
  /// \returns its standard error.
  /// \throws valence::invalid_input if no parameter has that name.
  [[nodiscard]] double error(const std::string& name) const { return standard_errors(parameter_index(name)); }

  /// \brief The position of a parameter in \ref values and \ref covariance.
  /// \param name a parameter name.
  /// \returns its index.
  /// \throws valence::invalid_input if no parameter has that name.
  [[nodiscard]] index parameter_index(const std::string& name) const {
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (names[j] == name) {
        return static_cast<index>(j);
      }
    }
    throw invalid_input(core::detail::message("valence::fit::lineshape_fit", "no parameter is named '" + name + "'"));
  }
};

/// \brief A sum of lineshapes whose parameters may be shared, fixed, or tied linearly to another.
/// \ingroup fit
///
/// Parameters are declared first and components then refer to them by index, so two components
/// may share one width, and a tie \f$v_k = a\,v_j + b\f$ expresses a fixed ratio or separation:
/// the L2 step at half the L3 step's height, the L2 line at the spin–orbit splitting above L3.
/// Ties are linear, so the full parameter vector is \f$v = Tq + t\f$ in the free parameters
/// \f$q\f$, the Jacobian is \f$J_v T\f$ and the covariance of all parameters is \f$T C_q T^T\f$.
///
/// \par Example
/// \code
/// valence::fit::lineshape_model m;
/// const auto height = m.add_parameter("edge_height", 1.0, 0.0);
/// const auto e0 = m.add_parameter("edge_center", 640.0);
/// const auto width = m.add_parameter("edge_width", 0.5, 1e-3);
/// m.add(valence::fit::lineshape::arctan_step, {height, e0, width});
/// const auto l2_height = m.add_tied("l2_height", height, 0.5);        // statistical 2:1 ratio
/// const auto l2_center = m.add_tied("l2_center", e0, 1.0, 11.2);      // spin-orbit splitting
/// m.add(valence::fit::lineshape::arctan_step, {l2_height, l2_center, width});
/// const auto fit = m.fit(energy, mu);
/// \endcode
class lineshape_model {
 public:
  /// \brief Declares a parameter estimated by the fit.
  /// \param name a unique name.
  /// \param start its starting value, within the bounds.
  /// \param lower, upper its bounds (infinite for none); lower < upper.
  /// \returns its index, for add() and add_tied().
  /// \throws valence::invalid_input if the name is taken or empty, start is not finite, a bound is
  ///         NaN, lower ≥ upper, or start lies outside the bounds.
  index add_parameter(std::string name, double start, double lower = -std::numeric_limits<double>::infinity(),
                      double upper = std::numeric_limits<double>::infinity()) {
    return declare(std::move(name), start, kind::free, -1, 1, 0, lower, upper);
  }

  /// \brief Declares a parameter held at a value.
  /// \param name a unique name.
  /// \param value its value.
  /// \returns its index.
  /// \throws valence::invalid_input if the name is taken or empty, or value is not finite.
  index add_fixed(std::string name, double value) { return declare(std::move(name), value, kind::fixed, -1, 1, value); }

  /// \brief Declares a parameter \f$v = a\,v_{\rm source} + b\f$.
  /// \param name a unique name.
  /// \param source index of an earlier parameter (free, fixed or itself tied).
  /// \param factor a; \param offset b.
  /// \returns its index.
  /// \throws valence::invalid_input if the name is taken, the source does not exist, or a or b is not finite.
  index add_tied(std::string name, index source, double factor, double offset = 0) {
    check_index("source", source);
    return declare(std::move(name), factor * start_(source) + offset, kind::tied, source, factor, offset);
  }

  /// \brief Adds a component: a lineshape with its parameters.
  /// \param shape the lineshape.
  /// \param parameters lineshape_arity(shape) parameter indices, in the order lineshape documents.
  /// \throws valence::invalid_input if the count is wrong or an index does not exist.
  void add(lineshape shape, std::vector<index> parameters) {
    if (static_cast<index>(parameters.size()) != lineshape_arity(shape)) {
      throw invalid_input(core::detail::message("valence::fit::lineshape_model::add",
                                                std::string("a ") + to_string(shape) + " takes " +
                                                    std::to_string(lineshape_arity(shape)) + " parameters but " +
                                                    std::to_string(parameters.size()) + " were given"));
    }
    for (const index j : parameters) {
      check_index("parameters", j);
    }
    components_.push_back({shape, std::move(parameters)});
  }

  /// \brief The number of declared parameters.
  /// \returns free + fixed + tied parameters.
  [[nodiscard]] index parameter_count() const noexcept { return static_cast<index>(names_.size()); }

  /// \brief The starting values of all parameters (ties applied).
  /// \returns the full parameter vector at the start.
  [[nodiscard]] vector_d start_values() const { return start_; }

  /// \brief The model \f$\sum_k f_k(x; v)\f$ at given parameter values.
  /// \param x abscissae.
  /// \param values all parameters (parameter_count() of them), e.g. start_values() or a fit's values.
  /// \returns the model at each abscissa.
  /// \throws valence::invalid_input if \p values has the wrong size.
  [[nodiscard]] vector_d evaluate(const vector_ref& x, const vector_ref& values) const {
    check_values(values);
    vector_d out = vector_d::Zero(x.size());
    for (std::size_t k = 0; k < components_.size(); ++k) {
      out += component(x, values, static_cast<index>(k));
    }
    return out;
  }

  /// \brief One component at given parameter values.
  /// \param x abscissae.
  /// \param values all parameters.
  /// \param k the component, in the order added.
  /// \returns the component at each abscissa.
  /// \throws valence::invalid_input if \p values has the wrong size or \p k does not exist.
  [[nodiscard]] vector_d component(const vector_ref& x, const vector_ref& values, index k) const {
    check_values(values);
    if (k < 0 || k >= static_cast<index>(components_.size())) {
      throw invalid_input(core::detail::message(
          "valence::fit::lineshape_model::component",
          "component " + std::to_string(k) + " does not exist; the model has " + std::to_string(components_.size())));
    }
    const auto& c = components_[static_cast<std::size_t>(k)];
    double p[4];
    for (std::size_t j = 0; j < c.parameters.size(); ++j) {
      p[j] = values(c.parameters[j]);
    }
    vector_d out(x.size());
    for (index i = 0; i < x.size(); ++i) {
      out(i) = lineshape_value(c.shape, x(i), p, nullptr);
    }
    return out;
  }

  /// \brief Fits the model to data by levenberg_marquardt() over the free parameters.
  ///
  /// Residuals are \f$(y_i - f(x_i))/\sigma_i\f$ with analytic Jacobians from the lineshapes.
  /// \param x abscissae (finite). \param y observations (finite), one per abscissa.
  /// \param options per-point σ and solver settings.
  /// \returns every parameter with its error, the curve, the components and the solver's report.
  /// \throws valence::invalid_input if sizes disagree, data are not finite, a σ is not positive, the
  ///         model has no component or no free parameter, the solver options carry bounds, or the
  ///         model is not finite at the start (e.g. a width that is not positive); and as
  ///         levenberg_marquardt() does.
  template <class = void>
  [[nodiscard]] lineshape_fit fit(const vector_ref& x, const vector_ref& y,
                                  const lineshape_fit_options& options = {}) const {
    constexpr const char* function = "valence::fit::lineshape_model::fit";
    check_fit_inputs(function, x, y, options);
    const auto map = tie_map();
    const vector_d constant = constant_part();
    const vector_d inverse_sigma =
        options.sigma.size() == 0 ? vector_d::Ones(x.size()) : vector_d(options.sigma.cwiseInverse());
    const auto residuals = [&](const vector_d& q) -> vector_d {
      return (y - evaluate(x, map * q + constant)).cwiseProduct(inverse_sigma);
    };
    const auto jacobian = [&](const vector_d& q) -> matrix_d {
      return -(inverse_sigma.asDiagonal() * full_jacobian(x, map * q + constant) * map);
    };
    auto solver = options.solver;
    std::vector<index> free;
    for (index j = 0; j < parameter_count(); ++j) {
      if (kinds_[static_cast<std::size_t>(j)] == kind::free) {
        free.push_back(j);
      }
    }
    const auto f = static_cast<index>(free.size());
    vector_d q0(f);
    solver.lower.resize(f);
    solver.upper.resize(f);
    for (index k = 0; k < f; ++k) {
      q0(k) = start_(free[static_cast<std::size_t>(k)]);
      solver.lower(k) = lower_[static_cast<std::size_t>(free[static_cast<std::size_t>(k)])];
      solver.upper(k) = upper_[static_cast<std::size_t>(free[static_cast<std::size_t>(k)])];
    }
    if (!residuals(q0).allFinite()) {
      throw invalid_input(core::detail::message(function,
                                                "the model is not finite at the starting values; "
                                                "expected positive widths and finite parameters"));
    }
    lineshape_fit out;
    out.solver = levenberg_marquardt(residuals, jacobian, q0, solver);
    out.names = names_;
    out.values = map * out.solver.parameters + constant;
    out.covariance = map * out.solver.covariance * map.transpose();
    out.standard_errors = out.covariance.diagonal().cwiseSqrt();
    out.fitted = evaluate(x, out.values);
    out.residuals = y - out.fitted;
    out.components.resize(x.size(), static_cast<index>(components_.size()));
    for (index k = 0; k < out.components.cols(); ++k) {
      out.components.col(k) = component(x, out.values, k);
    }
    return out;
  }

 private:
  enum class kind : std::uint8_t { free, fixed, tied };
  struct component_spec {
    lineshape shape;
    std::vector<index> parameters;
  };

  std::vector<std::string> names_;
  std::vector<kind> kinds_;
  std::vector<index> sources_;
  std::vector<double> factors_;
  std::vector<double> offsets_list_;
  std::vector<double> lower_;
  std::vector<double> upper_;
  vector_d start_;
  std::vector<component_spec> components_;

  index declare(std::string name, double value, kind k, index source, double factor, double offset,
                double lower = -std::numeric_limits<double>::infinity(),
                double upper = std::numeric_limits<double>::infinity()) {
    constexpr const char* function = "valence::fit::lineshape_model";
    if (name.empty()) {
      throw invalid_input(core::detail::message(function, "a parameter name is empty; expected a unique name"));
    }
    for (const auto& n : names_) {
      if (n == name) {
        throw invalid_input(core::detail::message(function, "parameter name '" + name + "' is already taken"));
      }
    }
    if (!std::isfinite(value) || !std::isfinite(factor) || !std::isfinite(offset)) {
      throw invalid_input(core::detail::message(
          function, "parameter '" + name + "' has a non-finite value (" + core::detail::format_value(value) + ")"));
    }
    if (std::isnan(lower) || std::isnan(upper) || !(lower < upper) || !(lower <= value && value <= upper)) {
      throw invalid_input(core::detail::message(
          function, "parameter '" + name + "' starts at " + core::detail::format_value(value) + " with bounds [" +
                        core::detail::format_value(lower) + ", " + core::detail::format_value(upper) +
                        "]; expected lower < upper and the start within them"));
    }
    names_.push_back(std::move(name));
    kinds_.push_back(k);
    sources_.push_back(source);
    factors_.push_back(factor);
    offsets_list_.push_back(offset);
    lower_.push_back(lower);
    upper_.push_back(upper);
    start_.conservativeResize(start_.size() + 1);
    start_(start_.size() - 1) = value;
    return start_.size() - 1;
  }

  void check_index(const char* what, index j) const {
    if (j < 0 || j >= parameter_count()) {
      throw invalid_input(core::detail::message(
          "valence::fit::lineshape_model", std::string("'") + what + "' refers to parameter " + std::to_string(j) +
                                               " but only " + std::to_string(parameter_count()) + " are declared"));
    }
  }

  void check_values(const vector_ref& values) const {
    if (values.size() != parameter_count()) {
      throw invalid_input(core::detail::message("valence::fit::lineshape_model",
                                                "parameter 'values' has " + std::to_string(values.size()) +
                                                    " elements; expected " + std::to_string(parameter_count())));
    }
  }

  // T (all parameters x free parameters): each free parameter maps to itself, a tied one to
  // factor times its source's row; fixed rows are zero.
  matrix_d tie_map() const {
    index free = 0;
    std::vector<index> column(names_.size(), -1);
    for (std::size_t j = 0; j < names_.size(); ++j) {
      if (kinds_[j] == kind::free) {
        column[j] = free++;
      }
    }
    matrix_d map = matrix_d::Zero(parameter_count(), free);
    for (std::size_t j = 0; j < names_.size(); ++j) {
      const auto row = static_cast<index>(j);
      if (kinds_[j] == kind::free) {
        map(row, column[j]) = 1;
      } else if (kinds_[j] == kind::tied) {
        map.row(row) = factors_[j] * map.row(sources_[j]);
      }
    }
    return map;
  }

  // t: the constant part of v = T q + t.
  vector_d constant_part() const {
    vector_d t = vector_d::Zero(parameter_count());
    for (std::size_t j = 0; j < names_.size(); ++j) {
      if (kinds_[j] == kind::fixed) {
        t(static_cast<index>(j)) = start_(static_cast<index>(j));
      } else if (kinds_[j] == kind::tied) {
        t(static_cast<index>(j)) = factors_[j] * t(sources_[j]) + offsets_list_[j];
      }
    }
    return t;
  }

  // d model / d v, one column per parameter (shared parameters accumulate).
  matrix_d full_jacobian(const vector_ref& x, const vector_ref& values) const {
    matrix_d jac = matrix_d::Zero(x.size(), parameter_count());
    double p[4];
    double g[4];
    for (const auto& c : components_) {
      for (std::size_t j = 0; j < c.parameters.size(); ++j) {
        p[j] = values(c.parameters[j]);
      }
      for (index i = 0; i < x.size(); ++i) {
        lineshape_value(c.shape, x(i), p, g);
        for (std::size_t j = 0; j < c.parameters.size(); ++j) {
          jac(i, c.parameters[j]) += g[j];
        }
      }
    }
    return jac;
  }

  void check_fit_inputs(const char* function, const vector_ref& x, const vector_ref& y,
                        const lineshape_fit_options& options) const {
    core::check_same_size(function, "x", x, "y", y);
    core::check_finite(function, "x", x);
    core::check_finite(function, "y", y);
    if (options.sigma.size() != 0) {
      core::check_same_size(function, "options.sigma", options.sigma, "y", y);
      core::check_positive(function, "options.sigma", options.sigma);
    }
    if (options.solver.lower.size() != 0 || options.solver.upper.size() != 0) {
      throw invalid_input(core::detail::message(function,
                                                "'options.solver' carries bounds; give bounds to "
                                                "add_parameter() instead"));
    }
    if (components_.empty()) {
      throw invalid_input(core::detail::message(function, "the model has no component; expected at least one"));
    }
    bool any_free = false;
    for (const auto k : kinds_) {
      any_free = any_free || k == kind::free;
    }
    if (!any_free) {
      throw invalid_input(core::detail::message(function, "the model has no free parameter; expected at least one"));
    }
  }
};

}  // namespace valence::fit

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::fit {
extern template lineshape_fit lineshape_model::fit<>(const vector_ref&, const vector_ref&,
                                                     const lineshape_fit_options&) const;
}  // namespace valence::fit
#endif

#endif  // VALENCE_FIT_LINESHAPE_MODEL_HPP
