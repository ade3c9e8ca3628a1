// SPDX-License-Identifier: MIT
// valence::fit::least_squares against the NIST StRD linear regression problems.
// Reference: the certified values in each file (computed by NIST in 500-digit arithmetic);
// data: ../shared/data/nist_strd/linear (NIST/ITL StRD, public domain).
#include <valence/fit/least_squares.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/nist.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace {

struct lre_floor {
  const char* name;
  double coefficients;
  double standard_deviations;
};

// The acceptance floors: 9 / 8 in double precision, except where double precision itself
// limits (Filip 7 / 6, Wampler4 coefficients 8, Wampler5 coefficients 6).
constexpr lre_floor floors[] = {
    {"Norris", 9, 8},   {"Pontius", 9, 8},  {"NoInt1", 9, 8},   {"NoInt2", 9, 8},
    {"Filip", 7, 6},    {"Longley", 9, 8},  {"Wampler1", 9, 8}, {"Wampler2", 9, 8},
    {"Wampler3", 9, 8}, {"Wampler4", 8, 8}, {"Wampler5", 6, 8},
};

void check_problem(const lre_floor& floor) {
  const std::string file = std::string("nist_strd/linear/") + floor.name + ".dat";
  const auto problem = valence_test::read_nist_linear((valence_test::data_dir() / file).string(), floor.name);
  const auto fit = valence::fit::least_squares(problem.design, problem.response);
  REQUIRE(fit.coefficients.size() == static_cast<Eigen::Index>(problem.estimates.size()));
  double worst_coefficient = 15;
  double worst_sd = 15;
  for (std::size_t j = 0; j < problem.estimates.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    const double lre_b = valence_test::log_relative_error(problem.estimates[j], fit.coefficients(jj));
    const double lre_s = valence_test::log_relative_error(problem.standard_deviations[j], fit.standard_errors(jj));
    CAPTURE(j);
    INFO("certified B = ", valence_test::digits(problem.estimates[j]),
         ", computed = ", valence_test::digits(fit.coefficients(jj)), ", LRE = ", lre_b);
    CHECK(lre_b >= floor.coefficients);
    INFO("certified sd = ", valence_test::digits(problem.standard_deviations[j]),
         ", computed = ", valence_test::digits(fit.standard_errors(jj)), ", LRE = ", lre_s);
    CHECK(lre_s >= floor.standard_deviations);
    worst_coefficient = std::min(worst_coefficient, lre_b);
    worst_sd = std::min(worst_sd, lre_s);
  }
  const double residual_sd = std::sqrt(fit.reduced_chi_square);
  const double lre_r = valence_test::log_relative_error(problem.residual_standard_deviation, residual_sd);
  CHECK(lre_r >= floor.standard_deviations);
  MESSAGE("LRE ", std::string(floor.name), ": coefficients ", worst_coefficient, ", standard deviations ", worst_sd,
          ", residual sd ", lre_r);
}

}  // namespace

#define VALENCE_NIST_CASE(NAME, INDEX)                                     \
  TEST_CASE("least_squares matches NIST StRD " NAME " certified values") { \
    VALENCE_REQUIRE_DATA("nist_strd/linear/" NAME ".dat");                 \
    check_problem(floors[INDEX]);                                          \
  }

VALENCE_NIST_CASE("Norris", 0)
VALENCE_NIST_CASE("Pontius", 1)
VALENCE_NIST_CASE("NoInt1", 2)
VALENCE_NIST_CASE("NoInt2", 3)
VALENCE_NIST_CASE("Filip", 4)
VALENCE_NIST_CASE("Longley", 5)
VALENCE_NIST_CASE("Wampler1", 6)
VALENCE_NIST_CASE("Wampler2", 7)
VALENCE_NIST_CASE("Wampler3", 8)
VALENCE_NIST_CASE("Wampler4", 9)
VALENCE_NIST_CASE("Wampler5", 10)
