// SPDX-License-Identifier: MIT
// read_nxxas on the public NXxas files of pynxxas (../shared/data/hdf5/pynxxas): default entries,
// NXdata through soft links, @axes as a string or an array, rawdata in both orientations, mode as
// a dataset or an NXxas_mode group, a degenerate entry; the FeO entry against the XDI file it was
// converted from, read by read_xdi; the errors.
#include <valence/io/nxxas.hpp>
#include <valence/io/xdi.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/hdf5_files.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

TEST_SUITE("io") {
  TEST_CASE("read_nxxas: a Photon Factory entry, rawdata stored points x columns") {
    VALENCE_REQUIRE_DATA("hdf5/pynxxas/nxxas_examples/KEK_PFdata.h5");
    const auto s =
        valence::io::read_nxxas((valence_test::data_dir() / "hdf5/pynxxas/nxxas_examples/KEK_PFdata.h5").string());
    CHECK(s.entry == "fe010");
    CHECK(s.entries == std::vector<std::string>{"fe010"});
    CHECK(s.element == "Fe");
    CHECK(s.edge == "K");
    CHECK(s.mode == "fluorescence");
    CHECK(s.signal_name == "intensity");
    REQUIRE(s.energy.size() == 1426);
    // ranges listed by h5py 3.7 to six figures (STRUCTURE-hdf5.txt)
    CHECK(s.energy.front() == doctest::Approx(6565.13).epsilon(1e-6));
    CHECK(s.energy.back() == doctest::Approx(8160.15).epsilon(1e-6));
    REQUIRE(s.columns.size() == 7);
    CHECK(s.columns[6].first == "time");
    const auto i0 = s.column("i0");
    REQUIRE(i0.size() == 1426);
    CHECK(*std::min_element(i0.begin(), i0.end()) == doctest::Approx(1.55856e6).epsilon(5e-6));
    CHECK(*std::max_element(i0.begin(), i0.end()) == doctest::Approx(4.52608e6).epsilon(5e-6));
    CHECK(s.column("energy") == s.energy);  // the plotted axis is rawdata's first column
    CHECK(s.column("intensity") == s.signal);
  }

  TEST_CASE("read_nxxas: entries converted from XDI, rawdata stored columns x points, equal the XDI file") {
    VALENCE_REQUIRE_DATA("hdf5/pynxxas/nxxas_examples/Fe_XDIFiles.h5");
    VALENCE_REQUIRE_DATA("xas/XAS-Data-Interchange/data/feo_rt1.xdi");
    const auto path = (valence_test::data_dir() / "hdf5/pynxxas/nxxas_examples/Fe_XDIFiles.h5").string();
    const auto feo = valence::io::read_nxxas(path);
    CHECK(feo.entry == "feo");
    CHECK(feo.entries == std::vector<std::string>{"fe2o3", "fe_metal", "feo"});
    CHECK(feo.mode == "transmission");
    const auto xdi =
        valence::io::read_xdi((valence_test::data_dir() / "xas/XAS-Data-Interchange/data/feo_rt1.xdi").string());
    const auto e = xdi.column("energy");
    const auto i0 = xdi.column("i0");
    const auto raw_i0 = feo.column("i0");
    REQUIRE(feo.energy.size() == std::size_t(e.size()));
    REQUIRE(raw_i0.size() == std::size_t(e.size()));
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      // both parsed from the same decimal digits (the converter recomputed 'intensity', not compared)
      CHECK(feo.energy[std::size_t(i)] == e(i));
      CHECK(raw_i0[std::size_t(i)] == i0(i));
    }
    const auto fe2o3 = valence::io::read_nxxas(path, "fe2o3");
    CHECK(fe2o3.energy.size() == 348);
    CHECK(fe2o3.columns.size() == 4);
    CHECK(fe2o3.column("energy") == fe2o3.energy);
    CHECK(fe2o3.column("itrans").size() == 348);
  }

  TEST_CASE("read_nxxas: the minimal layout with @axes as an array, mode groups and a degenerate entry") {
    VALENCE_REQUIRE_DATA("hdf5/pynxxas/nxxas_examples/generic.h5");
    const auto path = (valence_test::data_dir() / "hdf5/pynxxas/nxxas_examples/generic.h5").string();
    const auto s = valence::io::read_nxxas(path);
    CHECK(s.entry == "dataset16");
    CHECK(s.entries.size() == 10);
    const auto first = valence::io::read_nxxas(path, "dataset02");
    CHECK(first.mode == "transmission");
    CHECK(first.element == "Fe");
    CHECK(first.energy.size() == 348);
    CHECK(first.title == "APS-13-BM-D: Fe K (transmission)");
    const auto degenerate = valence::io::read_nxxas(path, "dataset08");
    CHECK(degenerate.element.empty());
    CHECK(degenerate.edge.empty());
    CHECK(degenerate.energy.size() == 203);
    CHECK_THROWS_WITH_AS((void)valence::io::read_nxxas(path, "dataset99"),
                         doctest::Contains("no entry 'dataset99'; the entries are dataset02, dataset03"),
                         valence::parse_error);
  }

  TEST_CASE(
      "read_nxxas's errors (no entry, no NXdata, no signal, lengths that disagree, rawdata of the wrong "
      "shape) and keV detection") {
    const auto path = (std::filesystem::temp_directory_path() / "valence_test_nxxas_bad.h5").string();
    {
      valence_test::hdf5_file file(path);
      file.write("/x", {2}, std::vector<double>{1, 2});
    }
    CHECK_THROWS_WITH_AS((void)valence::io::read_nxxas(path), doctest::Contains("no NXentry group at the root"),
                         valence::parse_error);
    {
      valence_test::hdf5_file file(path);
      file.group("/e");
      file.attribute("/e", "NX_class", "NXentry");
    }
    CHECK_THROWS_WITH_AS((void)valence::io::read_nxxas(path), doctest::Contains("no NXdata group '/e/data'"),
                         valence::parse_error);
    {
      valence_test::hdf5_file file(path);
      file.group("/e/plot");
      file.attribute("/e", "NX_class", "NXentry");
      file.attribute("/e/plot", "axes", "energy");
    }
    CHECK_THROWS_WITH_AS((void)valence::io::read_nxxas(path),
                         doctest::Contains("'/e/plot' has no @signal or @axes; expected both"), valence::parse_error);
    // An entry plotting `mu` against `energy`, optionally with a rawdata table of two labels.
    const auto entry = [&](const std::vector<double>& energy, bool rawdata) {
      valence_test::hdf5_file file(path);
      file.group("/e/plot");
      file.attribute("/e", "NX_class", "NXentry");
      file.attribute("/e/plot", "signal", "mu");
      file.attribute("/e/plot", "axes", "energy");
      file.write("/e/plot/mu", {3}, std::vector<double>{1, 2, 3});
      file.write("/e/plot/energy", {energy.size()}, energy);
      if (rawdata) {
        file.write("/e/rawdata", {3, 5}, std::vector<double>(15, 0.0));
        file.attribute("/e/rawdata", "array_labels", "[\"energy\", \"mu\"]");
      }
    };
    entry({1, 2, 3, 4}, false);
    CHECK_THROWS_WITH_AS((void)valence::io::read_nxxas(path),
                         doctest::Contains("'/e/plot/energy' has 4 values but the signal 'mu' has 3"),
                         valence::parse_error);
    entry({1, 2, 3}, true);
    CHECK_THROWS_WITH_AS(
        (void)valence::io::read_nxxas(path),
        doctest::Contains("'/e/rawdata' is (3, 5) with 2 @array_labels; expected (points, 2) or (2, points)"),
        valence::parse_error);
    // energies in keV without units: detected from the values, converted and said
    entry({8.25, 8.5, 8.75}, false);
    const auto kev = valence::io::read_nxxas(path);
    CHECK(kev.energy == std::vector<double>{8250, 8500, 8750});  // exact: binary fractions
    REQUIRE(kev.notes.size() == 1);
    CHECK(kev.notes[0] == "/e/plot/energy is in keV (values below 100): converted to eV");
    std::filesystem::remove(path);
  }
}
