// SPDX-License-Identifier: MIT
// read_columns: labels from a header line, from Athena's and Larch's last comment line or colN;
// delimiters detected or given; decimal commas; LF, CRLF and CR; a byte-order mark; Latin-1
// labels; the real exports in ../shared/data read to the same numbers as an independent reader;
// and a parse_error at the right line for each malformed table.
#include <valence/io/columns.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/mpt_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <istream>
#include <locale>
#include <sstream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace columns_test {

valence::io::column_table parse(const std::string& text, const valence::io::column_options& options = {}) {
  std::istringstream in(text);
  return valence::io::read_columns(in, "<string>", options);
}

std::size_t error_line(const std::string& text, const valence::io::column_options& options = {}) {
  try {
    (void)parse(text, options);
  } catch (const valence::parse_error& e) {
    return e.line();
  }
  return 0;
}

}  // namespace columns_test

}  // namespace

TEST_SUITE("io") {
  using namespace columns_test;

  TEST_CASE("read_columns takes labels from a header line, the last comment line, or numbers them") {
    const auto larch =
        parse("# XDI-less Larch export\n#------------\n#  energy  mu  norm\n 8330.0 0.1 0.2\n8331 0.3 4e-1\n");
    CHECK(larch.labels == std::vector<std::string>{"energy", "mu", "norm"});
    CHECK(larch.comments == std::vector<std::string>{"XDI-less Larch export", "------------", "energy  mu  norm"});
    REQUIRE(larch.values.rows() == 2);
    CHECK(larch.values(1, 2) == 0.4);
    CHECK(larch.column("mu")(1) == 0.3);
    const auto header = parse("time/s,Ewe/V\n0,3.5\n1,3.6\n");
    CHECK(header.labels == std::vector<std::string>{"time/s", "Ewe/V"});
    CHECK(header.values(1, 1) == 3.6);
    const auto bare = parse("# two words\n1 2 3\n4 5 6\n");
    CHECK(bare.labels == std::vector<std::string>{"col1", "col2", "col3"});
    CHECK(bare.find("col2") == 1);
    CHECK(bare.find("col4") == -1);
    // A header with fewer names than columns: the rest are numbered.
    CHECK(parse("a b\n1 2 3\n").labels == std::vector<std::string>{"a", "b", "col3"});
  }

  TEST_CASE("read_columns detects the delimiter from the data, not the header") {
    CHECK(parse("energy mu\n1,2\n3,4\n").labels == std::vector<std::string>{"energy", "mu"});
    CHECK(parse("a;b\n1;2\n").values(0, 1) == 2.0);
    const auto tabs = parse("time/s\tcontrol changes\tEwe/V\t\n0\t1\t3.4\t\n");
    CHECK(tabs.labels == std::vector<std::string>{"time/s", "control changes", "Ewe/V"});
    CHECK(tabs.values(0, 2) == 3.4);
    valence::io::column_options blanks;
    blanks.delimiter = ' ';
    CHECK(parse("1\t2   3\n", blanks).values.cols() == 3);
  }

  TEST_CASE("read_columns reads decimal commas, CR and CRLF ends, a byte-order mark, Latin-1 labels") {
    valence::io::column_options comma;
    comma.decimal = ',';
    const auto t = parse(
        "\xEF\xBB\xBFT/\xB0"
        "C;Ewe/V\r\n25,5;3,41\r\n-1,25e-1;+4\r\n",
        comma);
    CHECK(t.labels == std::vector<std::string>{"T/\xC2\xB0"
                                               "C",
                                               "Ewe/V"});
    CHECK(t.values(0, 0) == 25.5);
    CHECK(t.values(1, 0) == -0.125);
    CHECK(t.values(1, 1) == 4.0);
    CHECK(parse("x y\r1 2\r3 4\r").values.rows() == 2);
    // A '.' is not a decimal mark when ',' is: "1.5" there is refused, not read as 1.5 or 15.
    CHECK(error_line("a;b\n1,5;1.5\n", comma) == 2);
  }

  TEST_CASE("read_columns reads a stream that cannot seek (a pipe) as it reads a file") {
    // std::streambuf's default seekoff fails, as a pipe's does: the reader must not rely on the size.
    struct one_way : std::streambuf {
      explicit one_way(std::string s) : text(std::move(s)) {
        setg(text.data(), text.data(), text.data() + text.size());
      }
      std::string text;
    };
    one_way buffer("# e mu\n1 2\n3 4\n");
    std::istream in(&buffer);
    const auto t = valence::io::read_columns(in, "<pipe>");
    CHECK(t.labels == std::vector<std::string>{"e", "mu"});
    CHECK(t.values(1, 1) == 4.0);
  }

  TEST_CASE("read_columns does not depend on the global locale") {
    const std::locale previous = std::locale::global(std::locale::classic());
    try {
      std::locale::global(std::locale("de_DE.UTF-8"));
    } catch (const std::runtime_error&) {
      // The locale is not installed here; the classic one still exercises the same code path.
    }
    const auto t = parse("1.5 2.25\n");
    std::locale::global(previous);
    CHECK(t.values(0, 0) == 1.5);
    CHECK(t.values(0, 1) == 2.25);
  }

  TEST_CASE("read_columns reads real exports as an independent reader does") {
    constexpr const char* pocv = "gitt/PyBOP/examples/data/Tesla_4680/T-cell_pOCV_data.txt";
    VALENCE_REQUIRE_DATA(pocv);
    valence::io::column_options comma;
    comma.decimal = ',';
    const std::string file = (valence_test::data_dir() / pocv).string();
    const auto t = valence::io::read_columns(file, comma);
    const auto independent = valence_test::read_tab_columns(file);
    REQUIRE(t.labels.size() == independent.size());
    for (const auto& named : independent) {
      const auto& [label, column] = named;
      CAPTURE(named.first);
      // Both readers round correctly (from_chars and strtod), so the numbers agree bit for bit.
      CHECK(t.column(label) == column);
    }
    constexpr const char* athena = "xas/derived/athena_prj_exports/Mn__01_MnO.txt";
    VALENCE_REQUIRE_DATA(athena);
    const auto a = valence::io::read_columns((valence_test::data_dir() / athena).string());
    CHECK(a.labels == std::vector<std::string>{"col1", "col2"});
    CHECK(a.values.rows() == 1245 - 6);
    CHECK(a.values(0, 0) == 6360.7299);
    CHECK(a.values(0, 1) == 0.002238);
    CHECK(a.comments.at(1) == "label: MnO");
  }

  TEST_CASE("read_columns reports malformed tables at their line") {
    CHECK(error_line("a b\n1 2\n3\n") == 3);
    CHECK(error_line("1 2\n3 x\n") == 2);
    CHECK(error_line("1 2\n3 nan\n") == 2);
    CHECK(error_line("1,,2\n") == 1);
    CHECK(error_line("# only comments\n\n") == 3);
    CHECK(error_line("") == 1);
    CHECK_THROWS_WITH_AS(parse("1 2\n3 4 5\n"), doctest::Contains("expected 2 as in the first data line"),
                         valence::parse_error);
    valence::io::column_options skip;
    skip.skip_lines = 2;
    CHECK(parse("EC-Lab preamble\nwith words\n1 2\n", skip).values.rows() == 1);
    valence::io::column_options bad;
    bad.decimal = ';';
    CHECK_THROWS_WITH_AS(parse("1\n", bad), doctest::Contains("options.decimal"), valence::invalid_input);
    bad.decimal = ',';
    bad.delimiter = ',';
    CHECK_THROWS_AS(parse("1\n", bad), valence::invalid_input);
    CHECK_THROWS_AS((void)valence::io::read_columns(std::string("/nonexistent/table.txt")), valence::parse_error);
    CHECK_THROWS_WITH_AS((void)parse("a b\n1 2\n").column("c"), doctest::Contains("expected one of 'a', 'b'"),
                         valence::invalid_input);
  }
}
