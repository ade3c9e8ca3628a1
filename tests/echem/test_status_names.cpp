// SPDX-License-Identifier: MIT
// The names of the status vocabularies that per-pixel and per-step results carry (each enumerator
// spelled as declared), and the flag arithmetic of gitt::step_flag: a flag can be set, tested and
// cleared.
#include <valence/echem/gitt_analyze.hpp>
#include <valence/eels/power_law.hpp>
#include <valence/io/xdi.hpp>
#include <valence/xas/normalize_stack.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("status enumerations have names, and step flags can be cleared") {
  using valence::echem::gitt::step_flag;
  const step_flag flags = step_flag::not_settled | step_flag::incomplete | step_flag::poor_sqrt_fit;
  CHECK(to_string(flags) == "poor_sqrt_fit|not_settled|incomplete");
  const step_flag cleared = flags & ~step_flag::not_settled;
  CHECK(to_string(cleared) == "poor_sqrt_fit|incomplete");
  CHECK_FALSE(has(cleared, step_flag::not_settled));
  CHECK(has(cleared, step_flag::incomplete));
  CHECK(to_string(step_flag::none) == "none");
  CHECK((~step_flag::none) ==
        (step_flag::poor_sqrt_fit | step_flag::too_few_points | step_flag::not_settled | step_flag::ratio_too_large |
         step_flag::sign_mismatch | step_flag::no_relaxation | step_flag::not_rested_before | step_flag::incomplete));

  using valence::xas::pixel_status;
  CHECK(std::string(to_string(pixel_status::no_edge)) == "no_edge");
  CHECK(std::string(to_string(pixel_status::non_finite_data)) == "non_finite_data");
  CHECK(std::string(to_string(pixel_status::no_crossing)) == "no_crossing");
  CHECK(std::string(to_string(valence::eels::power_law_status::non_positive_counts)) == "non_positive_counts");
  CHECK(std::string(to_string(valence::eels::power_law_status::not_converged)) == "not_converged");
  CHECK(std::string(to_string(valence::io::xdi_warning_kind::missing_header_end)) == "missing_header_end");
  CHECK(std::string(to_string(valence::io::xdi_warning_kind::missing_recommended)) == "missing_recommended");
}
