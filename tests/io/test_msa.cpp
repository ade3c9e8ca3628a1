// SPDX-License-Identifier: MIT
// EMSA/MAS: the real files in ../shared/data (exspy's Y-type EELS spectra, EELS DB's XY exports
// with a tab inside #FORMAT and a headerless look-alike), bitwise round trips through write_msa,
// and a parse_error with the right line for each kind of malformed file.
#include <valence/io/msa.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <sstream>
#include <string>

namespace {

namespace msa_test {

valence::io::msa_spectrum parse(const std::string& text) {
  std::istringstream in(text);
  return valence::io::read_msa(in, "<string>");
}

// A minimal valid Y file with three values, two per line.
const char* const minimal =
    "#FORMAT      : EMSA/MAS Spectral Data File\n#VERSION     : 1.0\n#NPOINTS     : 3\n"
    "#NCOLUMNS    : 2\n#DATATYPE    : Y\n#XPERCHAN    : 0.5\n#OFFSET      : 100\n"
    "#SPECTRUM    :\n1, 2\n3\n#ENDOFDATA   :\n";

}  // namespace msa_test

}  // namespace

TEST_SUITE("io") {
  using namespace msa_test;

  TEST_CASE("read_msa reads exspy's Y-type core-loss spectrum and its calibration") {
    constexpr const char* file = "eels/exspy/examples/coreloss_spectrum.msa";
    VALENCE_REQUIRE_DATA(file);
    const auto s = valence::io::read_msa((valence_test::data_dir() / file).string());
    CHECK(s.datatype == "Y");
    REQUIRE(s.y.size() == 2048);
    CHECK(s.x(0) == 360.0);
    CHECK(s.x(1) == doctest::Approx(360.2).epsilon(1e-15));
    CHECK(s.x(2047) == doctest::Approx(769.4).epsilon(1e-15));
    CHECK(s.y(0) == 47179);
    CHECK(s.y(1) == 47304);
    CHECK(s.y(2047) == 12924);
    CHECK(s.keyword("XUNITS") == std::optional<std::string>("eV"));
    CHECK(s.keyword("SIGNALTYPE") == std::optional<std::string>("ELS"));
    CHECK(!s.keyword("BEAMKV"));
  }

  TEST_CASE("read_msa reads EELS DB's XY exports and refuses their headerless namesake") {
    constexpr const char* xy = "eels/nomad-parser-eelsdb/tests/la0-7sr0-3mno3srtio3-001-heterostructure/data.msa";
    VALENCE_REQUIRE_DATA(xy);
    const auto s = valence::io::read_msa((valence_test::data_dir() / xy).string());
    CHECK(s.datatype == "XY");
    REQUIRE(s.y.size() == 271);
    CHECK(s.x(0) == 628.4);
    CHECK(s.y(0) == -30.69914);
    CHECK(s.x(270) == 682.4);
    CHECK(s.y(270) == 4126.234);
    CHECK(s.keyword("TITLE") == std::optional<std::string>("lsmo_mn2"));
    CHECK(s.keyword("FORMAT") == std::optional<std::string>("EMSA/MAS Spectral Data File"));  // a tab in the field

    constexpr const char* headerless = "eels/nomad-parser-eelsdb/tests/la2nio4-structure-of-k2nif4/data.msa";
    VALENCE_REQUIRE_DATA(headerless);
    CHECK_THROWS_WITH_AS((void)valence::io::read_msa((valence_test::data_dir() / headerless).string()),
                         doctest::Contains("data.msa:1: data before #SPECTRUM"), valence::parse_error);
  }

  TEST_CASE("write_msa round-trips Y and XY spectra bit for bit, keeping optional keywords") {
    auto s = parse(minimal);
    CHECK(s.y == valence_test::vec({1.0, 2.0, 3.0}));
    CHECK(s.x == valence_test::vec({100.0, 100.5, 101.0}));
    s.keywords.push_back({"BEAMKV", "kV", "300"});
    s.y(1) = 0.1 + 0.2;  // needs 17 digits
    std::ostringstream out;
    valence::io::write_msa(out, s);
    const auto back = parse(out.str());
    CHECK(back.y == s.y);
    CHECK(back.x == s.x);
    CHECK(back.keyword("BEAMKV") == std::optional<std::string>("300"));
    CHECK(back.keywords.back().name == "SPECTRUM");

    valence::io::msa_spectrum pairs;
    pairs.datatype = "XY";
    pairs.x = valence_test::vec({1.0, 1.25, 3.0});
    pairs.y = valence_test::vec({-1e-300, 2.5e10, 7.0});
    std::ostringstream xy;
    valence::io::write_msa(xy, pairs);
    const auto xy_back = parse(xy.str());
    CHECK(xy_back.datatype == "XY");
    CHECK(xy_back.x == pairs.x);
    CHECK(xy_back.y == pairs.y);
  }

  TEST_CASE("read_msa reports malformed files with the line where they fail") {
    using valence::parse_error;
    const std::string good = minimal;
    const auto replace = [&](const std::string& from, const std::string& to) {
      std::string s = good;
      s.replace(s.find(from), from.size(), to);
      return s;
    };
    CHECK_THROWS_WITH_AS((void)parse(replace("#ENDOFDATA   :\n", "")),
                         doctest::Contains("<string>:11: the file ends before #ENDOFDATA"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("3\n#END", "#END")),
                         doctest::Contains(":10: found 2 values; expected #NPOINTS = 3"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("3\n#END", "3a\n#END")),
                         doctest::Contains(":10: '3a' is not a finite number"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("3\n#END", "nan\n#END")),
                         doctest::Contains("'nan' is not a finite number"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("3\n#END", "3, 4\n#END")), doctest::Contains("more values than #NPOINTS"),
                         parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("1, 2\n", "1, 2, 5\n")), doctest::Contains("at most #NCOLUMNS = 2"),
                         parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#NPOINTS     : 3", "#NPOINTS     : 1e12")),
                         doctest::Contains(":8: #NPOINTS is 1000000000000; expected a whole number from 1 to 1e8"),
                         parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#XPERCHAN    : 0.5\n", "")),
                         doctest::Contains("no #XPERCHAN before #SPECTRUM"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#DATATYPE    : Y", "#DATATYPE    : Z")),
                         doctest::Contains("#DATATYPE is 'Z'; expected Y or XY"), parse_error);
    CHECK_THROWS_WITH_AS(
        (void)parse(replace("3\n#END", "3, 4, 5\n#END").replace(good.find("#DATATYPE    : Y") + 15, 1, "XY")),
        doctest::Contains(":10: a data line holds 3 values; expected an x, y pair"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#FORMAT      : EMSA/MAS Spectral Data File\n", "")),
                         doctest::Contains(":1: the first keyword is #VERSION"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("EMSA/MAS Spectral Data File", "CSV")),
                         doctest::Contains("#FORMAT is 'CSV'"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#VERSION     : 1.0", "#VERSION 1.0")),
                         doctest::Contains(":2: keyword line without ':'"), parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("#SPECTRUM    :\n", "")), doctest::Contains("data before #SPECTRUM"),
                         parse_error);
    CHECK_THROWS_WITH_AS((void)parse(replace("3\n#END", "3\n#TITLE : x\n#END")),
                         doctest::Contains("keyword #TITLE inside the data"), parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::read_msa(std::string("/nonexistent/file.msa")),
                         doctest::Contains("/nonexistent/file.msa:0: cannot open the file"), parse_error);
    // CRLF line ends and keywords in lower case are harmless.
    std::string crlf;
    for (const char c : replace("#NPOINTS", "#npoints")) {
      crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    CHECK(parse(crlf).y.size() == 3);
  }

  TEST_CASE("write_msa rejects spectra it cannot write") {
    valence::io::msa_spectrum s;
    std::ostringstream out;
    CHECK_THROWS_WITH_AS(valence::io::write_msa(out, s), doctest::Contains("valence::io::write_msa"),
                         valence::invalid_input);
    s.x = valence_test::vec({1.0, 2.0, 4.0});
    s.y = valence_test::vec({1.0, 2.0, 3.0});
    CHECK_THROWS_WITH_AS(valence::io::write_msa(out, s), doctest::Contains("x is not uniform at index 2"),
                         valence::invalid_input);
    s.datatype = "XY";
    CHECK_NOTHROW(valence::io::write_msa(out, s));
    CHECK_THROWS_WITH_AS(valence::io::write_msa(std::string("/nonexistent/dir/out.msa"), s),
                         doctest::Contains("cannot create"), valence::invalid_input);
  }
}
