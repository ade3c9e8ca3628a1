// SPDX-License-Identifier: MIT
// XDI: the verdict of the XDI conformance set (baddata/BadFiles.txt: error or warning, file by
// file), every good file of the XDI repository read with the same numbers as a plain column
// reader, μ derived from the channels against the file's own mutrans, bitwise round trips
// through write_xdi (2-D blocks included), and the variations real beamline files show.
#include <valence/io/xdi.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/xdi_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace xdi_test {

using kind = valence::io::xdi_warning_kind;

valence::io::xdi_file parse(const std::string& text) {
  std::istringstream in(text);
  return valence::io::read_xdi(in, "<string>");
}

std::set<kind> kinds(const valence::io::xdi_file& f) {
  std::set<kind> out;
  for (const auto& w : f.warnings) {
    out.insert(w.kind);
  }
  return out;
}

std::size_t count(const valence::io::xdi_file& f, kind k) {
  return static_cast<std::size_t>(
      std::count_if(f.warnings.begin(), f.warnings.end(), [&](const auto& w) { return w.kind == k; }));
}

const char* const baddata = "xas/XAS-Data-Interchange/baddata/";
const char* const gooddata = "xas/XAS-Data-Interchange/data/";

std::string path(const char* folder, const std::string& name) {
  return (valence_test::data_dir() / folder / name).string();
}

const char* const minimal =
    "# XDI/1.0 test/1\n# Column.1: energy eV\n# Column.2: i0\n# Column.3: itrans\n# Element.symbol: Ni\n"
    "# Element.edge: K\n# Mono.d_spacing: 3.1356\n# Facility.name: APS\n# Facility.xray_source: undulator\n"
    "# Beamline.name: 13-ID\n# Scan.start_time: 2020-02-29T12:00:00\n# ///\n# first comment\n#  indented\n"
    "#----\n# energy i0 itrans\n8300 100 50\n8310 101 51\n";

}  // namespace xdi_test

}  // namespace

TEST_SUITE("io") {
  using namespace xdi_test;

  TEST_CASE("read_xdi reproduces the errors of the XDI conformance set, each at its line") {
    // BadFiles.txt: "error msg" for these files; the line is where the fault is (diff against bad_00).
    const std::vector<std::pair<const char*, std::size_t>> errors = {
        {"bad_01.xdi", 1},  {"bad_13.xdi", 31}, {"bad_14.xdi", 36}, {"bad_15.xdi", 29},
        {"bad_16.xdi", 30}, {"bad_17.xdi", 29}, {"bad_18.xdi", 8},  {"bad_19.xdi", 8},
        {"bad_20.xdi", 8},  {"bad_21.xdi", 8},  {"bad_22.xdi", 8},  {"bad_24.xdi", 8}};
    for (const auto& [name, line] : errors) {
      const std::string file = std::string(baddata) + name;
      VALENCE_REQUIRE_DATA(file.c_str());
      const std::string shown = name;
      CAPTURE(shown);
      try {
        (void)valence::io::read_xdi(path(baddata, name));
        FAIL("no error");
      } catch (const valence::parse_error& e) {
        CHECK(e.line() == line);
        CHECK(e.file() == path(baddata, name));
      }
    }
  }

  TEST_CASE("read_xdi reproduces the warnings and clean reads of the XDI conformance set") {
    // BadFiles.txt: "file read" (with a warning where its notes say so, "file read(1)" etc.).
    const std::vector<std::pair<const char*, std::set<kind>>> verdicts = {
        {"bad_00.xdi", {}},
        {"bad_02.xdi", {kind::missing_required}},
        {"bad_03.xdi", {kind::missing_required}},
        {"bad_04.xdi", {kind::invalid_value}},
        {"bad_05.xdi", {kind::invalid_value}},
        {"bad_06.xdi", {kind::missing_header_end}},
        // no Column.N at all, so the recommended Column.1 is missing too
        {"bad_07.xdi", {kind::column_labels, kind::missing_recommended}},
        {"bad_08.xdi", {kind::column_labels}},
        {"bad_09.xdi", {kind::column_labels}},
        {"bad_10.xdi", {kind::column_labels}},
        {"bad_11.xdi", {kind::ignored_line}},
        {"bad_12.xdi", {kind::missing_required}},
        {"bad_23.xdi", {}},
        {"bad_25.xdi", {}},
        {"bad_26.xdi", {}},
        {"bad_27.xdi", {}},
        {"bad_28.xdi", {kind::invalid_value}},
        {"bad_29.xdi", {kind::invalid_value}},
        {"bad_30.xdi", {kind::invalid_value}},
        {"bad_31.xdi", {kind::invalid_value}},
        {"bad_32.xdi", {kind::missing_recommended}},
        {"bad_33.xdi", {kind::invalid_value}},
        {"bad_34.xdi", {kind::invalid_value}},
        {"bad_35.xdi", {kind::invalid_value}}};
    for (const auto& [name, expected] : verdicts) {
      const std::string file = std::string(baddata) + name;
      VALENCE_REQUIRE_DATA(file.c_str());
      const std::string shown = name;
      CAPTURE(shown);
      const auto f = valence::io::read_xdi(path(baddata, name));
      CHECK(kinds(f) == expected);
      CHECK(f.values.rows() > 0);
    }
    // The notes' details: labels from the label line or colN (2), ignored lines (3), empty
    // extra version (5) and comments (6), keys may start with a digit (4), both invalid fields
    // reported (30).
    const auto bad_07 = valence::io::read_xdi(path(baddata, "bad_07.xdi"));
    CHECK(bad_07.labels == std::vector<std::string>{"energy", "i0", "itrans", "mutrans"});
    CHECK(count(bad_07, kind::column_labels) == 4);
    const auto bad_10 = valence::io::read_xdi(path(baddata, "bad_10.xdi"));
    CHECK(bad_10.labels.back() == "mutrans");
    CHECK(count(bad_10, kind::column_labels) == 2);
    const auto bad_11 = valence::io::read_xdi(path(baddata, "bad_11.xdi"));
    CHECK(count(bad_11, kind::ignored_line) == 2);
    CHECK(bad_11.warnings.front().line == 12);
    CHECK(!bad_11.field("Beamline.collimation"));
    CHECK(valence::io::read_xdi(path(baddata, "bad_25.xdi")).extra_version.empty());
    CHECK(valence::io::read_xdi(path(baddata, "bad_26.xdi")).comments.empty());
    CHECK(valence::io::read_xdi(path(baddata, "bad_23.xdi")).field("Family.00key") ==
          std::optional<std::string>("Value"));
    const auto bad_30 = valence::io::read_xdi(path(baddata, "bad_30.xdi"));
    CHECK(count(bad_30, kind::invalid_value) == 2);
    CHECK(bad_30.warnings[0].line + bad_30.warnings[1].line == 6 + 7);
  }

  TEST_CASE("read_xdi reads every good file of the XDI repository as a plain column reader does") {
    const std::vector<std::pair<const char*, std::set<kind>>> files = {
        {"co_metal_rt.xdi", {}},
        {"cu_metal_10K.xdi", {}},
        {"cu_metal_rt.xdi", {}},
        {"fe2o3_rt.xdi", {}},
        {"fe3c_rt.xdi", {}},
        {"fe_metal_rt.xdi", {}},
        {"fen_rt.xdi", {}},
        // no Facility fields at all
        {"feo_rt1.xdi", {kind::missing_recommended}},
        {"ni_metal_rt.xdi", {}},
        {"pt_metal_rt.xdi", {}},
        {"se_na2so4_rt.xdi", {}},
        {"se_znse_rt.xdi", {}},
        {"zn_znse_rt.xdi", {}},
        // not XAFS: no Element fields
        {"nonxafs_1d.xdi", {kind::missing_required}},
        {"nonxafs_2d.xdi", {kind::missing_required}},
        {"nonxafs_negvalues.xdi", {kind::missing_required}}};
    for (const auto& [name, expected] : files) {
      const std::string file = std::string(gooddata) + name;
      VALENCE_REQUIRE_DATA(file.c_str());
      const std::string shown = name;
      CAPTURE(shown);
      const auto f = valence::io::read_xdi(path(gooddata, name));
      CHECK(kinds(f) == expected);
      const auto plain = valence_test::read_xdi_columns(path(gooddata, name));
      REQUIRE(f.labels.size() == plain.size());
      for (const auto& named : plain) {
        const auto& [label, column] = named;
        CAPTURE(named.first);
        CHECK(f.column(label) == column);
      }
    }
    const auto cu = valence::io::read_xdi(path(gooddata, "cu_metal_rt.xdi"));
    CHECK(cu.version == "1.0");
    CHECK(cu.extra_version == "GSE/1.0");
    CHECK(cu.labels == std::vector<std::string>{"energy", "i0", "itrans", "mutrans"});
    CHECK(cu.units == std::vector<std::string>{"eV", "", "", ""});
    CHECK(cu.field("element.SYMBOL") == std::optional<std::string>("Cu"));
    CHECK(cu.comments == std::vector<std::string>{"Cu foil Room Temperature", "measured at beamline 13-ID"});
    CHECK(cu.values(0, 0) == 8779.0);
    CHECK(cu.values(0, 3) == -1.3070486);
  }

  TEST_CASE("read_xdi splits a 2-D scan into blocks at its Outer.value lines") {
    VALENCE_REQUIRE_DATA("xas/XAS-Data-Interchange/data/nonxafs_2d.xdi");
    const auto f = valence::io::read_xdi(path(gooddata, "nonxafs_2d.xdi"));
    // File lines 29-33 hold the first block (Outer.value 1.0 in the header), 35-38 the second.
    REQUIRE(f.outer_values.size() >= 3);
    CHECK(f.outer_values[0] == 1.0);
    CHECK(f.outer_values[1] == 1.10);
    CHECK(f.outer_values[2] == 1.20);
    CHECK(f.outer_breakpoints[0] == 0);
    CHECK(f.outer_breakpoints[1] == 5);
    CHECK(f.outer_breakpoints[2] == 9);
    CHECK(f.outer_values.size() == f.outer_breakpoints.size());
  }

  TEST_CASE("derive_mu agrees with the transmission column the beamline wrote") {
    VALENCE_REQUIRE_DATA("xas/XAS-Data-Interchange/data/cu_metal_rt.xdi");
    const auto f = valence::io::read_xdi(path(gooddata, "cu_metal_rt.xdi"));
    const Eigen::VectorXd mu = valence::io::derive_mu(f, valence::io::xdi_mu::transmission);
    // mutrans is printed with 8 significant digits: half a unit in the 7th decimal place.
    CHECK((mu - f.column("mutrans")).cwiseAbs().maxCoeff() < 5.1e-8);
    const auto g = parse(minimal);
    CHECK(valence::io::derive_mu(g, valence::io::xdi_mu::transmission)(0) == std::log(100.0 / 50.0));
    CHECK_THROWS_WITH_AS((void)valence::io::derive_mu(g, valence::io::xdi_mu::fluorescence),
                         doctest::Contains("no column is labelled 'ifluor'"), valence::invalid_input);
    auto zero = g;
    zero.values(1, 2) = 0;
    CHECK_THROWS_WITH_AS((void)valence::io::derive_mu(zero, valence::io::xdi_mu::transmission),
                         doctest::Contains("row 1"), valence::invalid_input);
  }

  TEST_CASE("write_xdi round-trips values bit for bit, fields, comments and 2-D blocks") {
    for (const char* name : {"cu_metal_rt.xdi", "nonxafs_2d.xdi", "nonxafs_negvalues.xdi"}) {
      const std::string file = std::string(gooddata) + name;
      VALENCE_REQUIRE_DATA(file.c_str());
      const std::string shown = name;
      CAPTURE(shown);
      const auto f = valence::io::read_xdi(path(gooddata, name));
      std::ostringstream out;
      valence::io::write_xdi(out, f);
      const auto g = parse(out.str());
      CHECK(g.values == f.values);
      CHECK(g.labels == f.labels);
      CHECK(g.units == f.units);
      CHECK(g.comments == f.comments);
      CHECK(g.extra_version == f.extra_version);
      CHECK(g.outer_values == f.outer_values);
      CHECK(g.outer_breakpoints == f.outer_breakpoints);
      REQUIRE(g.fields.size() == f.fields.size());
      for (const auto& field : f.fields) {
        CHECK(g.field(field.family + "." + field.key) == std::optional<std::string>(field.value));
      }
    }
    const auto m = parse(minimal);
    CHECK(m.comments == std::vector<std::string>{"first comment", " indented"});
    std::ostringstream out;
    valence::io::write_xdi(out, m);
    CHECK(parse(out.str()).comments == m.comments);
  }

  TEST_CASE("read_xdi accepts what real beamline files do: CR or CRLF ends, no blank after '#', legends") {
    auto text = std::string(minimal);
    std::string cr = text;
    std::replace(cr.begin(), cr.end(), '\n', '\r');
    const auto f = parse(cr);
    CHECK(f.values.rows() == 2);
    CHECK(f.warnings.empty());
    std::string crlf;
    for (const char c : text) {
      crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    CHECK(parse(crlf).values == f.values);
    // Larch's StepScan files: "#XDI/1.1    Epics StepScan File / 2.0", "Energy eV || PV" legends,
    // a blank instead of 'T' in the date.
    const auto larch = parse(
        "#XDI/1.1    Epics StepScan File / 2.0\n# Column.1: Energy eV || 13IDE:En:Energy\n# Column.2: I0 || PV\n"
        "# Scan.start_time: 2019-03-11 14:31:31\n#----\n# energy i0\n7100.5 3e5\n");
    CHECK(larch.version == "1.1");
    CHECK(larch.extra_version == "Epics StepScan File / 2.0");
    CHECK(larch.labels == std::vector<std::string>{"Energy", "I0"});
    CHECK(larch.units.front() == "eV");
    CHECK(count(larch, kind::invalid_value) == 0);
    CHECK(larch.column("energy")(0) == 7100.5);
  }

  TEST_CASE("read_xdi opens the comments and ends the header where the XDI reference library does") {
    // libxdifile (lib/xdifile.c, XDI 1.1.0): the text of a header line before any ':' that begins
    // with "///" opens the comments, one that begins with "---" ends the header, and a line with a
    // value after ':' before the comments is a field.
    const std::string fields = "# XDI/1.0\n# Element.symbol: Ni\n# Element.edge: K\n";
    const std::string data = "# energy mu\n8300 1.5\n8310 1.6\n";
    for (const std::string separator : {"# ///", "#///", "# ///  Users Comments  ///", "# //////////", "#   ///  "}) {
      CAPTURE(separator);
      const auto f = parse(fields + separator + "\n# beamline notes: none\n# ///\n#  second\n#----\n" + data);
      CHECK(f.comments == std::vector<std::string>{"beamline notes: none", " second"});
      CHECK(f.values.rows() == 2);
      CHECK(count(f, kind::missing_header_end) == 0);
    }
    for (const std::string end : {"#----", "# ---", "#-----------------", "# ---- data ----"}) {
      CAPTURE(end);
      const auto f = parse(fields + "# ///\n# a comment\n" + end + "\n" + data);
      CHECK(f.comments == std::vector<std::string>{"a comment"});
      CHECK(f.labels == std::vector<std::string>{"energy", "mu"});
      CHECK(f.values.rows() == 2);
      const auto without_comments = parse(fields + end + "\n" + data);
      CHECK(without_comments.comments.empty());
      CHECK(without_comments.values.rows() == 2);
    }
    // Errors there too: a "///" name with a value is a malformed field, and two dashes end nothing.
    CHECK_THROWS_WITH_AS(static_cast<void>(parse(fields + "# /// notes: x\n#----\n" + data)),
                         doctest::Contains("<string>:4: field name '/// notes' is not Family.key"),
                         valence::parse_error);
    CHECK_THROWS_WITH_AS(static_cast<void>(parse(fields + "# --\n" + data)),
                         doctest::Contains("<string>:4: header line '--' has no ':'"), valence::parse_error);
  }

  TEST_CASE("read_xdi validates dates, edges and quantities as the XDI dictionary defines them") {
    const auto with = [](const std::string& field) { return parse("# XDI/1.0\n# " + field + "\n#----\n1 2\n"); };
    CHECK(count(with("Scan.start_time: 2020-02-29T23:59:60"), kind::invalid_value) == 0);
    CHECK(count(with("Scan.start_time: 2021-02-29T10:00:00"), kind::invalid_value) == 1);
    CHECK(count(with("Scan.start_time: 2021-03-01T10:00:00.25+01:00"), kind::invalid_value) == 0);
    CHECK(count(with("Scan.start_time: 2021-03-01T24:00:00"), kind::invalid_value) == 1);
    CHECK(count(with("Element.edge: l3"), kind::invalid_value) == 0);
    CHECK(count(with("Element.edge: O7"), kind::invalid_value) == 0);
    CHECK(count(with("Element.edge: P1"), kind::invalid_value) == 1);
    CHECK(count(with("Element.symbol: Xx"), kind::invalid_value) == 1);
    CHECK(count(with("Facility.energy: 7"), kind::invalid_value) == 1);
    CHECK(count(with("Facility.current: 101.5 mA"), kind::invalid_value) == 0);
    CHECK(count(with("Mono.d_spacing: -3.1"), kind::invalid_value) == 1);
    CHECK(count(with("Sample.temperature: 10 K"), kind::invalid_value) == 0);
  }

  TEST_CASE("read_xdi and write_xdi report malformed input") {
    const auto line_of = [](const std::string& text) {
      try {
        (void)parse(text);
      } catch (const valence::parse_error& e) {
        return e.line();
      }
      return std::size_t(0);
    };
    CHECK(line_of("") == 1);
    CHECK(line_of("# XDI/one\n#----\n1 2\n") == 1);
    CHECK(line_of("# XDI/1.0\n# Element.symbol: Ni\n#----\n# energy mu\n") == 5);
    CHECK(line_of("# XDI/1.0\n#----\n1 2\n3 inf\n") == 4);
    CHECK(line_of("# XDI/1.0\n#----\n1 2\n# Outer.value: x\n3 4\n") == 4);
    CHECK_THROWS_WITH_AS(parse("# XDI/1.0\n# Mono: 3\n#----\n1 2\n"), doctest::Contains("is not Family.key"),
                         valence::parse_error);
    CHECK_THROWS_AS((void)valence::io::read_xdi(std::string("/nonexistent/file.xdi")), valence::parse_error);
    auto f = parse(minimal);
    std::ostringstream out;
    f.labels[1] = "i 0";
    CHECK_THROWS_WITH_AS(valence::io::write_xdi(out, f), doctest::Contains("label 'i 0'"), valence::invalid_input);
    f = parse(minimal);
    f.values(0, 0) = std::nan("");
    CHECK_THROWS_WITH_AS(valence::io::write_xdi(out, f), doctest::Contains("non-finite"), valence::invalid_input);
    f = parse(minimal);
    f.fields.push_back({"2bad", "key", "v", 0});
    CHECK_THROWS_WITH_AS(valence::io::write_xdi(out, f), doctest::Contains("Family.key"), valence::invalid_input);
    f = parse(minimal);
    f.labels.pop_back();
    CHECK_THROWS_WITH_AS(valence::io::write_xdi(out, f), doctest::Contains("2 labels"), valence::invalid_input);
    f = parse(minimal);
    f.outer_values = {1.0};
    CHECK_THROWS_WITH_AS(valence::io::write_xdi(out, f), doctest::Contains("breakpoints"), valence::invalid_input);
  }
}
