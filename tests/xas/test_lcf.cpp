// SPDX-License-Identifier: MIT
// valence::xas::lcf and lcf_all: Larch's lincombo_fit on its Au L3 example (reference
// ../shared/reference/larch_lcf_subset.json, xraylarch a272abc7), synthetic mixtures of real Mn
// oxide spectra (XAS Data Library, normalised by xas::pre_edge) with noise and a known shift,
// the ranking rules of lcf_all, and the documented errors.
#include <valence/xas/lcf.hpp>
#include <valence/xas/lcf_all.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mn_references.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using valence::vector_d;
using valence::xas::lcf_standard;

// Two-column text (energy, value) with '#' comments, as Larch writes it.
lcf_standard read_two_columns(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<double> e;
  std::vector<double> v;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    double a = 0;
    double b = 0;
    if (fields >> a >> b) {
      e.push_back(a);
      v.push_back(b);
    }
  }
  return {name, Eigen::Map<vector_d>(e.data(), static_cast<Eigen::Index>(e.size())),
          Eigen::Map<vector_d>(v.data(), static_cast<Eigen::Index>(v.size()))};
}

std::string au_file(const std::string& name) {
  return (valence_test::data_dir() / "xas/xraylarch/examples/fitting/doc_example3" / (name + ".dat")).string();
}

}  // namespace

TEST_CASE("lcf matches Larch's lincombo_fit on the Au L3 example") {
  VALENCE_REQUIRE_DATA("xas/xraylarch/examples/fitting/doc_example3/unknown.dat");
  const auto unknown = read_two_columns(au_file("unknown"), "unknown");
  const std::vector<lcf_standard> standards = {read_two_columns(au_file("s1"), "s1"),
                                               read_two_columns(au_file("s2"), "s2"),
                                               read_two_columns(au_file("s3"), "s3")};
  valence::xas::lcf_options options;
  options.window = {11870.0, 12030.0};
  const auto fit = valence::xas::lcf(unknown.energy, unknown.spectrum, standards, options);
  // Larch (xraylarch a272abc7, lmfit leastsq): weights, chisqr, redchi, rfactor, npts.
  CHECK(fit.points == 160);
  CHECK(std::abs(fit.weights(0) - 0.4918217219795375) < 1e-5);
  CHECK(std::abs(fit.weights(1) - 0.4530208743915089) < 1e-5);
  CHECK(std::abs(fit.weights(2) - 0.05515740362895355) < 1e-5);
  CHECK(fit.chi_square == doctest::Approx(0.006174761000045588).epsilon(1e-6));
  CHECK(fit.reduced_chi_square == doctest::Approx(3.908076582307334e-05).epsilon(1e-6));
  CHECK(fit.r_factor == doctest::Approx(7.408401077891581e-05).epsilon(1e-6));
  CHECK(fit.weight_sum == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(fit.weight_sum_error == 0);
  CHECK((fit.components.rowwise().sum() - fit.fit).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("lcf recovers the weights of noisy mixtures of Mn oxide spectra within their errors") {
  VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
  const std::vector<lcf_standard> standards = {valence_test::mn_norm("MnO_rt_01.xdi", "MnO"),
                                               valence_test::mn_norm("Mn2O3_rt_01.xdi", "Mn2O3"),
                                               valence_test::mn_norm("MnO2_rt_01.xdi", "MnO2")};
  // The mixture on MnO's grid inside 6525-6625 eV (the spectra span 6520-6630 eV):
  // 0.25 MnO + 0.45 Mn2O3 + 0.30 MnO2, noise sigma 0.004.
  const auto first = valence::core::index_of(standards[0].energy, 6525.0) + 1;
  const auto last = valence::core::index_of(standards[0].energy, 6625.0);
  const vector_d energy = standards[0].energy.segment(first, last - first + 1);
  const double truth[] = {0.25, 0.45, 0.30};
  vector_d mixture = vector_d::Zero(energy.size());
  for (int j = 0; j < 3; ++j) {
    mixture += truth[j] * valence::core::interpolate_cubic(standards[static_cast<std::size_t>(j)].energy,
                                                           standards[static_cast<std::size_t>(j)].spectrum, energy);
  }
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 0.004);
  vector_d noisy = mixture;
  for (auto& v : noisy) {
    v += noise(rng);
  }
  valence::xas::lcf_options options;
  options.window = {6530.0, 6600.0};
  const auto exact = valence::xas::lcf(energy, mixture, standards, options);
  for (int j = 0; j < 3; ++j) {
    CHECK(exact.weights(j) == doctest::Approx(truth[j]).epsilon(1e-9));
  }
  const auto fit = valence::xas::lcf(energy, noisy, standards, options);
  for (int j = 0; j < 3; ++j) {
    CAPTURE(j);
    CHECK(std::abs(fit.weights(j) - truth[j]) < 3 * fit.weight_errors(j));
    CHECK(fit.weight_errors(j) > 0);
  }
  // A known shift: the Mn2O3 part of the data moved by +0.8 eV, fitted with per-standard shifts.
  vector_d shifted = truth[0] * valence::core::interpolate_cubic(standards[0].energy, standards[0].spectrum, energy) +
                     truth[2] * valence::core::interpolate_cubic(standards[2].energy, standards[2].spectrum, energy);
  shifted += truth[1] * valence::core::interpolate_cubic(standards[1].energy, standards[1].spectrum,
                                                         vector_d(energy.array() - 0.8));
  options.shift = valence::xas::lcf_shift::per_standard;
  const auto with_shift = valence::xas::lcf(energy, shifted, standards, options);
  CHECK(with_shift.converged);
  CHECK(with_shift.shifts(1) == doctest::Approx(0.8).epsilon(1e-6));
  CHECK(std::abs(with_shift.shifts(0)) < 1e-6);
  for (int j = 0; j < 3; ++j) {
    CHECK(with_shift.weights(j) == doctest::Approx(truth[j]).epsilon(1e-6));
  }
  CHECK(with_shift.shift_errors.size() == 3);
}

TEST_CASE("lcf with a background term keeps it out of the sum") {
  // Exact: y = 0.6 a + 0.4 b + 0.05 + 0.001 (E - E_mid); the weights still sum to one.
  const vector_d e = vector_d::LinSpaced(200, 0.0, 20.0);
  const vector_d a = (e.array() - 8).tanh() + 1;
  const vector_d b = (-(e.array() - 12).square() / 4).exp();
  const vector_d y = 0.6 * a + 0.4 * b + vector_d::Constant(200, 0.05) + 0.001 * (e.array() - 10.0).matrix();
  valence::xas::lcf_options options;
  options.constant_background = true;
  options.linear_background = true;
  const auto fit = valence::xas::lcf(e, y, {{"a", e, a}, {"b", e, b}}, options);
  CHECK(fit.weights(0) == doctest::Approx(0.6).epsilon(1e-12));
  CHECK(fit.weights(1) == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(fit.background(0) == doctest::Approx(0.05).epsilon(1e-12));
  CHECK(fit.background(1) == doctest::Approx(0.001).epsilon(1e-10));
  CHECK(fit.parameters == 3);
}

TEST_CASE("lcf_all ranks combinations and drops those that duplicate a smaller fit") {
  VALENCE_REQUIRE_DATA("xas/xraylarch/examples/fitting/doc_example3/unknown.dat");
  const auto unknown = read_two_columns(au_file("unknown"), "unknown");
  std::vector<lcf_standard> standards;
  for (const char* name : {"s1", "s2", "s3", "s4", "s5", "s6"}) {
    standards.push_back(read_two_columns(au_file(name), name));
  }
  valence::xas::lcf_options options;
  options.window = {11870.0, 12030.0};
  valence::xas::lcf_all_options all;
  all.min_standards = 2;
  all.max_standards = 3;
  const auto ranked = valence::xas::lcf_all(unknown.energy, unknown.spectrum, standards, options, all);
  REQUIRE(!ranked.empty());
  CHECK(ranked.size() <= 35);  // C(6,2) + C(6,3)
  std::set<std::vector<Eigen::Index>> seen;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (i > 0) {
      CHECK(ranked[i - 1].fit.reduced_chi_square <= ranked[i].fit.reduced_chi_square);
      CHECK((std::isnan(ranked[i].p_value) || (ranked[i].p_value >= 0 && ranked[i].p_value <= 1)));
    }
    std::vector<Eigen::Index> significant;
    for (std::size_t j = 0; j < ranked[i].standards.size(); ++j) {
      if (std::abs(ranked[i].fit.weights(static_cast<Eigen::Index>(j))) > all.min_weight) {
        significant.push_back(ranked[i].standards[j]);
      }
    }
    CHECK(seen.insert(significant).second);
  }
  // The three-standard fit checked against Larch above is never better than the best.
  CHECK(ranked.front().fit.reduced_chi_square <= 3.908076582307334e-05 * (1 + 1e-9));
  // Each entry is lcf() on its standards: the triangle of one factorisation solves the same problem.
  for (const auto& entry : ranked) {
    std::vector<lcf_standard> subset;
    for (const auto j : entry.standards) {
      subset.push_back(standards[static_cast<std::size_t>(j)]);
    }
    const auto single = valence::xas::lcf(unknown.energy, unknown.spectrum, subset, options);
    CHECK(entry.fit.names == single.names);
    CHECK(entry.fit.parameters == single.parameters);
    // measured: <= 1.9e-13 relative; tolerance 1e-11.
    for (Eigen::Index j = 0; j < single.weights.size(); ++j) {
      VALENCE_CHECK_REL(single.weights(j), entry.fit.weights(j), 1e-11, 1e-12);
      VALENCE_CHECK_REL(single.weight_errors(j), entry.fit.weight_errors(j), 1e-11, 1e-15);
    }
    VALENCE_CHECK_REL(single.chi_square, entry.fit.chi_square, 1e-11, 0.0);
    VALENCE_CHECK_REL(single.r_factor, entry.fit.r_factor, 1e-11, 0.0);
    CHECK((single.fit - entry.fit.fit).cwiseAbs().maxCoeff() < 1e-9);
  }
  all.required = {"s4"};
  for (const auto& entry : valence::xas::lcf_all(unknown.energy, unknown.spectrum, standards, options, all)) {
    CHECK(std::find(entry.standards.begin(), entry.standards.end(), 3) != entry.standards.end());
  }
}

TEST_CASE("every lcf_all entry is lcf() on its standards, under each kind of constraint") {
  // Synthetic standards (arctangent edges with white lines at staggered energies) and a noisy
  // three-standard mixture, so that some combinations hold weights on their bounds. Each entry of
  // lcf_all (a small solve on columns of one triangular factor) must equal lcf() on those
  // standards (a full solve over the window) to rounding.
  const vector_d e = vector_d::LinSpaced(260, 8300.0, 8430.0);
  std::vector<lcf_standard> standards;
  for (int k = 0; k < 6; ++k) {
    const double edge = 8340.0 + 0.8 * k;
    standards.push_back({"s" + std::to_string(k), e,
                         (0.5 + (e.array() - edge).atan() / 3.141592653589793 +
                          (0.6 + 0.05 * k) * (-(e.array() - edge - 5.0 - 0.3 * k).square() / 8.0).exp())
                             .matrix()});
  }
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.002);
  vector_d mu = 0.3 * standards[1].spectrum + 0.5 * standards[4].spectrum + 0.2 * standards[5].spectrum;
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    mu(i) += noise(rng);
  }
  valence::xas::lcf_options sum_and_bounds;
  sum_and_bounds.window = {8320.0, 8419.5};
  auto nonnegative = sum_and_bounds;
  nonnegative.sum_to_one = false;
  nonnegative.upper = std::numeric_limits<double>::infinity();
  auto free = nonnegative;
  free.lower = -std::numeric_limits<double>::infinity();
  auto with_background = sum_and_bounds;
  with_background.constant_background = true;
  with_background.linear_background = true;
  valence::xas::lcf_all_options all;
  all.min_standards = 1;
  all.max_standards = 4;
  all.min_weight = -1;  // keep every fit
  Eigen::Index held_on_bound = 0;
  for (const auto& options : {sum_and_bounds, nonnegative, free, with_background}) {
    const auto ranked = valence::xas::lcf_all(e, mu, standards, options, all);
    CHECK(ranked.size() == 6 + 15 + 20 + 15);
    for (const auto& entry : ranked) {
      std::vector<lcf_standard> subset;
      for (const auto j : entry.standards) {
        subset.push_back(standards[static_cast<std::size_t>(j)]);
      }
      const auto single = valence::xas::lcf(e, mu, subset, options);
      REQUIRE(entry.fit.parameters == single.parameters);
      for (Eigen::Index j = 0; j < single.weights.size(); ++j) {
        held_on_bound += single.weight_errors(j) == 0 ? 1 : 0;
        // measured: <= 1.7e-13 relative (weights), 5.5e-15 (errors), 9.5e-15 (chi^2); tolerance 1e-11.
        VALENCE_CHECK_REL(entry.fit.weights(j), single.weights(j), 1e-11, 1e-12);
        VALENCE_CHECK_REL(entry.fit.weight_errors(j), single.weight_errors(j), 1e-11, 1e-12);
      }
      VALENCE_CHECK_REL(entry.fit.chi_square, single.chi_square, 1e-11, 0.0);
      VALENCE_CHECK_REL(entry.fit.r_factor, single.r_factor, 1e-11, 0.0);
      if (entry.fit.background.size() == 0) {
        CHECK((entry.fit.components.rowwise().sum() - entry.fit.fit).cwiseAbs().maxCoeff() < 1e-14);
      }
    }
  }
  CHECK(held_on_bound > 0);  // the bounded cases did exercise the active set
}

TEST_CASE("lcf and lcf_all reject bad input with messages that name it") {
  const vector_d e = vector_d::LinSpaced(50, 0.0, 10.0);
  const vector_d a = (e.array() - 5).tanh();
  const vector_d b = (-(e.array() - 6).square()).exp();
  const std::vector<lcf_standard> two = {{"a", e, a}, {"b", e, b}};
  valence::xas::lcf_options options;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a, {})), doctest::Contains("no standards"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a, {{"a", e, a}, {"copy", e, a}})),
                       doctest::Contains("the standards cannot be fitted"), valence::invalid_input);
  const vector_d short_e = vector_d::LinSpaced(20, 2.0, 8.0);
  CHECK_THROWS_WITH_AS(
      static_cast<void>(valence::xas::lcf(e, a, {{"short", short_e, vector_d(short_e.array().sin())}, two[1]})),
      doctest::Contains("standard 'short' spans [2, 8] eV but the fit needs [0, 10] eV"), valence::invalid_input);
  options.window = {4.0, 4.1};  // Larch's rule: 3.88 (at or below 4.0) and 4.08
  options.sum_to_one = false;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("the window holds 2 points for 2 parameters"), valence::invalid_input);
  options.sum_to_one = true;
  options.window = {1.0, 9.0};
  options.shift = valence::xas::lcf_shift::shared;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("standard 'a' spans [0, 10] eV but the fit needs [5.81"),
                       valence::invalid_input);
  options.window = {20.0, 30.0};
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("lies outside the data"), valence::invalid_input);
  options.window = {3.0, 1.0};
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("expected lower < upper"), valence::invalid_input);
  options = {};
  options.upper = 0.3;  // two weights of at most 0.3 cannot sum to one
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("the standards cannot be fitted"), valence::invalid_input);
  options = {};
  options.sigma = vector_d::Zero(50);
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("'options.sigma' holds 0"), valence::invalid_input);
  options = {};
  options.shift = valence::xas::lcf_shift::shared;
  options.max_shift = 0;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf(e, a + b, two, options)),
                       doctest::Contains("'options.max_shift' is 0"), valence::invalid_input);
  valence::xas::lcf_all_options all;
  all.max_standards = 3;
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_all(e, a + b, two, {}, all)),
                       doctest::Contains("expected 1 <= min_standards <= max_standards <= number of standards"),
                       valence::invalid_input);
  // A combination that holds two identical standards; one whose weights cannot sum to one.
  all.max_standards = 2;
  CHECK_THROWS_WITH_AS(
      static_cast<void>(valence::xas::lcf_all(e, a + b, {two[0], two[1], {"copy of a", e, a}}, {}, all)),
      doctest::Contains("the standards cannot be fitted: standard 'copy of a' is a linear combination of the others"),
      valence::invalid_input);
  valence::xas::lcf_options small_upper;
  small_upper.upper = 0.3;
  CHECK_THROWS_WITH_AS(
      static_cast<void>(valence::xas::lcf_all(e, a + b, two, small_upper, all)),
      doctest::Contains("the standards cannot be fitted: valence::fit::least_squares: option 'sum_to'"),
      valence::invalid_input);
  all.required = {"c"};
  CHECK_THROWS_WITH_AS(static_cast<void>(valence::xas::lcf_all(e, a + b, two, {}, all)),
                       doctest::Contains("required standard 'c'"), valence::invalid_input);
}
