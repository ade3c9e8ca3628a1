// SPDX-License-Identifier: MIT
// A user's file that says `using namespace valence;` next to the C library: glibc's <strings.h>
// declares ::index(), which must stay callable (an `index` type in namespace valence would make
// every unqualified use ambiguous). The file is compiled on its own (never in a unity group), so
// its using-directive reaches no other test. Breaking the rule breaks the build.
#include <valence/valence.hpp>

#include <doctest/doctest.h>

#include <cstring>

#include <strings.h>

using namespace valence;  // NOLINT(google-build-using-namespace): the point of the test

TEST_CASE("using namespace valence keeps the C library's index() callable") {
  const char text[] = "LiNi0.8Mn0.1Co0.1O2";
  const char* found = index(text, 'M');  // glibc's ::index, found unambiguously
  REQUIRE(found != nullptr);
  CHECK(found - text == 7);
  const core::index position = found - text;  // valence's index type, named through its area
  CHECK(chem::parse_formula(std::string(text, static_cast<std::size_t>(position))).amount("Ni") ==
        doctest::Approx(0.8));
}
