// SPDX-License-Identifier: MIT
/// \file
/// \brief Every combination of a set of standards fitted to one spectrum, ranked (Larch's lincombo_fitall).
#ifndef VALENCE_XAS_LCF_ALL_HPP
#define VALENCE_XAS_LCF_ALL_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/detail/parallel.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/detail/small_least_squares.hpp>
#include <valence/fit/model_selection.hpp>
#include <valence/xas/lcf.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace valence::xas {

/// \brief How lcf_all() ranks its fits.
/// \ingroup xas
enum class lcf_rank : std::uint8_t {
  reduced_chi_square,  ///< ascending \f$\chi^2_\nu\f$ (Larch's order)
  r_factor             ///< ascending R-factor
};

/// \brief Settings of lcf_all() beyond those of each fit.
/// \ingroup xas
struct lcf_all_options {
  /// Smallest combination size. Larch's `lincombo_fitall` fits sizes 2 and up: set 2 to compare
  /// lists with it (1 also fits each standard alone).
  index min_standards = 1;
  index max_standards = 4;            ///< largest combination size (at most the number of standards)
  std::vector<std::string> required;  ///< standards every combination must contain
  /// A fit whose standards with weight above this are exactly the standards of a fit already kept
  /// (a smaller combination, fitted earlier) is dropped, as Larch does.
  double min_weight = 0.0005;
  lcf_rank rank_by = lcf_rank::reduced_chi_square;  ///< ranking of the kept fits
};

/// \brief One combination fitted by lcf_all().
/// \ingroup xas
struct lcf_all_entry {
  std::vector<index> standards;  ///< indices into the standards given, ascending
  lcf_result fit;                ///< the fit with only those standards
  /// Hamilton's test of this fit against the best one: the probability that the best fit's lower
  /// R-factor arises by chance. Defined when the best fit has more parameters; NaN otherwise (1 for
  /// the best fit itself).
  double p_value = 1;
};

namespace detail {

// The subset fits of lcf_all: each combination S of standards is min ||R_S w - z|| on columns of the
// one triangular factor R of all the standards, solved by a small allocation-free solver per
// combination size. Fits combinations [begin, end) (sizes ascending) into `fits`.
template <class = void>
void lcf_fit_subsets(const char* function, const lcf_problem& problem, const matrix_ref& design,
                     const matrix_ref& triangular, const vector_ref& z, const std::vector<lcf_standard>& standards,
                     const std::vector<std::vector<index>>& combinations, std::size_t begin, std::size_t end,
                     const lcf_options& o, std::vector<lcf_result>& fits) {
  std::optional<fit::detail::small_least_squares<double>> solver;
  fit::detail::constraint_set<double> constraints;
  index budget = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& pick = combinations[i];
    const auto k = static_cast<index>(pick.size());
    if (!solver || solver->coefficients().size() != k) {
      solver.emplace(triangular.rows(), k);
      try {
        constraints = fit::detail::prepare_constraints("valence::fit::least_squares", lcf_solver_options(o, k), k);
      } catch (const invalid_input& e) {  // an unreachable sum
        throw lcf_cannot_fit(function, e.what());
      }
      budget = 10 * k + 50;  // fit::least_squares's default
    }
    const fit::fit_status status = solver->solve_columns(triangular, pick.data(), k, z, constraints, budget);
    if (status == fit::fit_status::iteration_limit) {
      throw fit_error(core::detail::message(function, "the active-set method did not converge within " +
                                                          std::to_string(budget) +
                                                          " iterations; expected convergence"));
    }
    if (status != fit::fit_status::ok && solver->dependent_column() >= 0) {
      throw lcf_cannot_fit(
          function,
          "standard '" +
              standards[static_cast<std::size_t>(pick[static_cast<std::size_t>(solver->dependent_column())])].name +
              "' is a linear combination of the others in its combination (relative tolerance " +
              core::detail::format_value(double(triangular.rows()) * std::numeric_limits<double>::epsilon()) +
              "); expected linearly independent standards");
    }
    if (status != fit::fit_status::ok) {
      throw lcf_cannot_fit(function,
                           "a subproblem of the active-set method was singular; expected "
                           "linearly independent standards");
    }
    matrix_d components(design.rows(), k);
    for (index j = 0; j < k; ++j) {
      components.col(j) = design.col(pick[static_cast<std::size_t>(j)]);
    }
    fits[i] = lcf_finish(problem, std::move(components), solver->coefficients(), solver->unscaled_covariance(),
                         solver->parameters(), 0, o.sum_to_one);
  }
}

// Every combination of min..max of n indices (ascending, by size then lexicographically) that
// contains all the required ones.
template <class = void>
std::vector<std::vector<index>> combinations_with(index n, index min_size, index max_size,
                                                  const std::vector<bool>& required) {
  std::vector<std::vector<index>> out;
  for (index k = min_size; k <= max_size; ++k) {
    std::vector<index> pick(static_cast<std::size_t>(k));
    for (index j = 0; j < k; ++j) {
      pick[static_cast<std::size_t>(j)] = j;
    }
    for (;;) {
      index found = 0;
      for (const index j : pick) {
        found += required[static_cast<std::size_t>(j)] ? 1 : 0;
      }
      if (found == static_cast<index>(std::count(required.begin(), required.end(), true))) {
        out.push_back(pick);
      }
      index j = k - 1;
      while (j >= 0 && pick[static_cast<std::size_t>(j)] == n - k + j) {
        --j;
      }
      if (j < 0) {
        break;
      }
      ++pick[static_cast<std::size_t>(j)];
      for (index i = j + 1; i < k; ++i) {
        pick[static_cast<std::size_t>(i)] = pick[static_cast<std::size_t>(i - 1)] + 1;
      }
    }
  }
  return out;
}

}  // namespace detail

/// \brief Fits every combination of min_standards … max_standards standards and ranks the fits.
/// \ingroup xas
///
/// Without shifts the standards are interpolated once, the weighted design (with any background
/// projected out) is factored once, \f$A' = QR\f$, and each combination \f$S\f$ is the exact
/// constrained solve of \f$\min\|R_S w - Q^Ty'\|\f$: the same problem as lcf() on those
/// standards, in \f$n\f$ rows instead of \f$m\f$, by fit::least_squares's active-set method on
/// buffers reused from one combination to the next (no allocation per solve). Curves and
/// statistics are then formed over the whole window, so every entry is the result lcf() returns
/// (measured: weights to 2e-13 relative, χ² to 1e-14). With shifts each
/// combination is a full lcf(). Combinations are fitted in parallel when the library is compiled
/// with OpenMP; Larch's duplicate rule is then applied in the order of size, so the smaller of two
/// fits that use the same standards is kept, whatever the number of threads.
///
/// **Compared with Larch.** Larch's `lincombo_fitall` starts at two standards
/// (lcf_all_options::min_standards = 2 reproduces its list), and its reduced χ² divides by the
/// points less every varied parameter (lmfit's `nvarys`), including weights that ended on a
/// bound; lcf_result::reduced_chi_square divides by the points less the *effective* parameters
/// (a weight held at 0 by non-negativity is not one), so under active bounds valence's value is
/// slightly smaller, and its ranking by it can differ from Larch's between fits of nearly equal χ².
/// \param energy, mu the data, as lcf().
/// \param standards the candidate standards.
/// \param options the settings of every fit (window, constraints, shifts, …).
/// \param all the combination settings.
/// \returns the kept fits, best first.
/// \throws valence::invalid_input as lcf(), and if max_standards exceeds the number of standards,
///         min_standards < 1 or > max_standards, or a required standard is unknown; it names the
///         standard that makes a combination collinear.
/// \throws valence::fit_error if a combination's active-set solve exceeds its iteration budget
///         (10 k + 50 iterations for k standards, fit::least_squares's default).
///
/// **Performance.** 8 standards, every combination of 2–4 (154 fits), 200 points: 0.6 ms per
/// spectrum on one core and 0.37 ms on two, 10–17× one lcf() call per combination
/// (benchmarks/bench_lcf_all.cpp, docs/performance.md).
template <class = void>
[[nodiscard]] std::vector<lcf_all_entry> lcf_all(const vector_ref& energy, const vector_ref& mu,
                                                 const std::vector<lcf_standard>& standards,
                                                 const lcf_options& options = {}, const lcf_all_options& all = {}) {
  constexpr const char* function = "valence::xas::lcf_all";
  const auto n = static_cast<index>(standards.size());
  if (all.min_standards < 1 || all.min_standards > all.max_standards || all.max_standards > n) {
    throw invalid_input(core::detail::message(
        function, "combination sizes " + std::to_string(all.min_standards) + " to " +
                      std::to_string(all.max_standards) + " with " + std::to_string(n) +
                      " standards; expected 1 <= min_standards <= max_standards <= number of standards"));
  }
  std::vector<bool> required(standards.size(), false);
  for (const auto& name : all.required) {
    const auto it =
        std::find_if(standards.begin(), standards.end(), [&](const lcf_standard& s) { return s.name == name; });
    if (it == standards.end()) {
      throw invalid_input(
          core::detail::message(function, "required standard '" + name + "' is not among the standards"));
    }
    required[static_cast<std::size_t>(it - standards.begin())] = true;
  }
  const auto combinations = detail::combinations_with(n, all.min_standards, all.max_standards, required);
  std::vector<lcf_result> fits(combinations.size());
  const auto subset_names = [&](const std::vector<index>& pick) {
    std::vector<std::string> names;
    for (const index j : pick) {
      names.push_back(standards[static_cast<std::size_t>(j)].name);
    }
    return names;
  };
  if (options.shift == lcf_shift::none) {
    // Every fit shares the data, the interpolated standards and the reduced problem
    // min ||A' w - y'|| (lcf_problem). With A' = Q R factored once, the fit on the columns S is
    // min ||R_S w - Q^T y'||^2 + const: the same constrained problem in n rows instead of m, solved
    // by lcf_fit_subsets. Statistics are then formed over the whole window.
    core::check_same_size(function, "mu", mu, "energy", energy);
    core::check_finite(function, "energy", energy);
    core::check_finite(function, "mu", mu);
    core::check_min_size(function, "energy", energy, 4);
    core::check_strictly_increasing(function, "energy", energy);
    auto problem = detail::lcf_make_problem(function, energy, options);
    problem.data = detail::lcf_array(mu, energy, options).segment(problem.window.begin, problem.window.size);
    detail::lcf_check_points(function, problem, all.max_standards, options);
    const matrix_d design = detail::lcf_design(function, detail::lcf_prepare(function, standards, options),
                                               problem.energy, vector_d(), options.allow_extrapolation);
    fit::detail::householder_qr<double> qr;
    qr.compute(problem.reduced(design), false);
    const index rows = std::min(design.rows(), n);
    matrix_d triangular(rows, design.cols());
    fit::detail::copy_upper_triangle<double>(qr.packed(), triangular);
    matrix_d z_full = problem.reduced(problem.data);
    qr.apply_qt(z_full);
    const vector_d z = z_full.col(0).head(rows);
    // Chunks of combinations share a solver (its buffers) per combination size.
    constexpr std::size_t chunk = 16;
    core::detail::for_each_in_parallel((combinations.size() + chunk - 1) / chunk, [&](std::size_t c) {
      const std::size_t begin = c * chunk;
      const std::size_t end = std::min(combinations.size(), begin + chunk);
      detail::lcf_fit_subsets(function, problem, design, triangular, z, standards, combinations, begin, end, options,
                              fits);
      for (std::size_t i = begin; i < end; ++i) {
        fits[i].names = subset_names(combinations[i]);
      }
    });
  } else {
    core::detail::for_each_in_parallel(combinations.size(), [&](std::size_t i) {
      std::vector<lcf_standard> subset;
      for (const index j : combinations[i]) {
        subset.push_back(standards[static_cast<std::size_t>(j)]);
      }
      fits[i] = lcf(energy, mu, subset, options);
    });
  }
  // Larch's duplicate rule, in the order of the combinations (smaller sets first).
  std::vector<std::size_t> kept_fits;
  std::set<std::vector<index>> kept_sets;
  for (std::size_t i = 0; i < combinations.size(); ++i) {
    const auto& pick = combinations[i];
    std::vector<index> significant;
    for (std::size_t j = 0; j < pick.size(); ++j) {
      if (std::abs(fits[i].weights(static_cast<index>(j))) > all.min_weight) {
        significant.push_back(pick[j]);
      }
    }
    if (kept_sets.insert(std::move(significant)).second) {
      kept_fits.push_back(i);
    }
  }
  const auto key = [&](std::size_t i) {
    return all.rank_by == lcf_rank::r_factor ? fits[i].r_factor : fits[i].reduced_chi_square;
  };
  std::stable_sort(kept_fits.begin(), kept_fits.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<lcf_all_entry> kept;
  kept.reserve(kept_fits.size());
  for (const std::size_t i : kept_fits) {
    kept.push_back({combinations[i], std::move(fits[i]), 1.0});
  }
  if (!kept.empty()) {
    const auto& best = kept.front().fit;
    for (std::size_t i = 1; i < kept.size(); ++i) {
      const auto& f = kept[i].fit;
      kept[i].p_value =
          best.parameters > f.parameters && best.r_factor <= f.r_factor
              ? fit::hamilton_test(f.r_factor, f.parameters, best.r_factor, best.parameters, f.points).p_value
              : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return kept;
}

}  // namespace valence::xas

#ifdef VALENCE_COMPILED_LIB
// Compiled mode: instantiated once, in the valence::compiled library.
namespace valence::xas {
extern template std::vector<lcf_all_entry> lcf_all<>(const vector_ref&, const vector_ref&,
                                                     const std::vector<lcf_standard>&, const lcf_options&,
                                                     const lcf_all_options&);
}  // namespace valence::xas
#endif

#endif  // VALENCE_XAS_LCF_ALL_HPP
