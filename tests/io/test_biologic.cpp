// SPDX-License-Identifier: MIT
// read_biologic_mpt: every EC-Lab and BT-Lab export in ../shared/data (decimal commas and points,
// short and long headers, Latin-1) read to the same numbers as an independent reader, settings
// looked up by name, and a parse_error at the right line for each malformed file.
#include <valence/io/biologic.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

namespace biologic_test {

valence::io::biologic_file parse(const std::string& text) {
  std::istringstream in(text);
  return valence::io::read_biologic_mpt(in, "<string>");
}

// The independent reader keeps names as bytes; the library trims them (pr_182.2 writes
// " Ecell/V") and converts Latin-1 ("µF" is byte 0xB5) to UTF-8.
std::string trimmed_utf8(const std::string& name, bool already_utf8) {
  std::string out;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 || already_utf8) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  const auto first = out.find_first_not_of(' ');
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::size_t error_line(const std::string& text) {
  try {
    (void)parse(text);
  } catch (const valence::parse_error& e) {
    return e.line();
  }
  return 0;
}

}  // namespace biologic_test

}  // namespace

TEST_SUITE("io") {
  using namespace biologic_test;

  TEST_CASE("read_biologic_mpt reads every EC-Lab and BT-Lab export as an independent reader does") {
    // (file, written in UTF-8): SOURCES.md says the EC-Lab files are Latin-1, the BT-Lab one UTF-8.
    const std::vector<std::pair<const char*, bool>> files = {
        {"gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt", false},
        {"gitt/yadg/tests/test_x_eclab/gcpl.issue_211.mpt", false},
        {"gitt/yadg/tests/test_x_eclab/gcpl.pr_182.1.mpt", false},
        {"gitt/yadg/tests/test_x_eclab/gcpl.pr_182.2.mpt", false},
        {"gitt/yadg/tests/test_x_eclab/mb.issue_149.mpt", false},
        {"gitt/PyProBE/tests/sample_data/biologic/Sample_data_biologic_01_MB_CA1.txt", true}};
    for (const auto& [name, utf8] : files) {
      VALENCE_REQUIRE_DATA(name);
      const std::string shown = name;
      CAPTURE(shown);
      const std::string file = (valence_test::data_dir() / name).string();
      const auto f = valence::io::read_biologic_mpt(file);
      const auto independent = valence_test::read_mpt_columns(file);
      REQUIRE(f.table.labels.size() == independent.size());
      for (const auto& named : independent) {
        const auto& [label, column] = named;
        CAPTURE(named.first);
        CHECK(f.table.column(trimmed_utf8(label, utf8)) == column);
      }
    }
    const auto f = valence::io::read_biologic_mpt(
        (valence_test::data_dir() / "gitt/yadg/tests/test_x_eclab/gcpl.issue_211.mpt").string());
    CHECK(f.header.size() == 80 - 3);
    CHECK(f.header.at(1) == "Galvanostatic Cycling with Potential Limitation");
    CHECK(f.setting("Mass of active material") == std::optional<std::string>("0.790 mg"));
    CHECK(f.setting("Electrode material") == std::optional<std::string>("P(C3-FcMAm-co-EDMA) 1"));
    CHECK(!f.setting("Mass"));
    CHECK(f.table.values.rows() == 2767);
    const auto comma = valence::io::read_biologic_mpt(
        (valence_test::data_dir() / "gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt").string());
    // "3,015299923827115E+001" on the first data row.
    CHECK(comma.table.column("time/s")(0) == 30.15299923827115);
  }

  TEST_CASE("read_biologic_mpt converts Latin-1 names and reports malformed files at their line") {
    const std::string good =
        "EC-Lab ASCII FILE\nNb header lines : 4\nMass of active material : 1.2 mg\n"
        "time/s\tT/\xB0"
        "C\t\n0,5\t25,0\t\n1,5\t25,5\t\n";
    const auto f = parse(good);
    CHECK(f.table.labels == std::vector<std::string>{"time/s",
                                                     "T/\xC2\xB0"
                                                     "C"});
    CHECK(f.table.values(1, 1) == 25.5);
    CHECK(f.setting("Mass of active material") == std::optional<std::string>("1.2 mg"));
    CHECK(error_line("mode\ttime/s\n1\t2\n") == 1);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines: x\n") == 2);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 2\n") == 2);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 1e9\n") == 2);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 40\nmore\n") == 4);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 3\n1\t2\n3\t4\n") == 3);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 3\na\tb\n1\t2\n3\tx\n") == 5);
    CHECK(error_line("EC-Lab ASCII FILE\nNb header lines : 3\na\tb\n1,5\t2\n3.5\t1\n") == 5);
    CHECK_THROWS_AS((void)valence::io::read_biologic_mpt(std::string("/nonexistent/run.mpt")), valence::parse_error);
  }
}
