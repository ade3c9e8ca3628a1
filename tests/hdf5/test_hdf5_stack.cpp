// SPDX-License-Identifier: MIT
// open_hdf5_stack and hdf5_rows on the layouts users have: NSLS-II FXI (written here from the
// exporter's description; no public file exists), APS Data Exchange, HyperSpy .hspy 1.0-3.1 (real
// public files, ../shared/data/hdf5, whose shapes and value ranges were listed with h5py 3.7 in
// STRUCTURE-hdf5.txt); streaming jobs on HDF5 against the in-memory run; the errors.
#include <valence/core/row_source.hpp>
#include <valence/io/hdf5_rows.hpp>
#include <valence/io/hdf5_stack.hpp>
#include <valence/xas/normalize_stack_rows.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/hdf5_files.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace hdf5_test {

using Index = Eigen::Index;

std::string temp(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// An FXI export of a 6 x 4 field at 60 energies (8.30-8.42 keV): normalised float32 img_xanes
// (transmission, an edge at 8.345 keV whose height varies by pixel), or raw uint16 counts with
// one background and one dark frame per energy.
struct fxi {
  static constexpr Index rows = 6, cols = 4, energies = 60;
  std::vector<double> x_eng;
  std::vector<float> transmission;  // [E][y][x]
  std::vector<std::uint16_t> raw, bkg, dark;
};

fxi make_fxi() {
  fxi f;
  const auto n = static_cast<std::size_t>(fxi::rows * fxi::cols * fxi::energies);
  f.transmission.resize(n);
  f.raw.resize(n);
  f.bkg.resize(n);
  f.dark.resize(n);
  for (Index i = 0; i < fxi::energies; ++i) {
    const double e = 8.30 + 0.002 * double(i);
    f.x_eng.push_back(e);
    for (Index p = 0; p < fxi::rows * fxi::cols; ++p) {
      const double mu = 0.3 + (0.2 + 0.02 * double(p)) * 0.5 * (1 + std::tanh((e - 8.345) / 0.003));
      const auto k = static_cast<std::size_t>(i * fxi::rows * fxi::cols + p);
      f.transmission[k] = float(std::exp(-mu));
      f.dark[k] = std::uint16_t(100 + p % 3);
      f.bkg[k] = std::uint16_t(20000 + 10 * i);
      f.raw[k] = std::uint16_t(std::lround(f.dark[k] + (f.bkg[k] - f.dark[k]) * std::exp(-mu)));
    }
  }
  return f;
}

void write_fxi(const std::string& path, const fxi& f, bool raw) {
  valence_test::hdf5_file file(path);
  const std::vector<hsize_t> dims = {hsize_t(fxi::energies), hsize_t(fxi::rows), hsize_t(fxi::cols)};
  if (raw) {
    file.write("/img_xanes", dims, f.raw);
    file.write("/img_bkg", dims, f.bkg);
    file.write("/img_dark", dims, f.dark);
  } else {
    file.write("/img_xanes", dims, f.transmission);
  }
  file.write("/X_eng", {hsize_t(fxi::energies)}, f.x_eng);
  file.write("/Magnification", {}, std::vector<double>{300.9});
  file.write_text("/Pixel Size", "21.6nm");
  file.write_text("/note", "NMC622 particle, charged to 4.3 V");
  file.write("/scan_id", {}, std::vector<double>{41234});
}

}  // namespace hdf5_test

}  // namespace

TEST_SUITE("io") {
  TEST_CASE("an FXI XANES export: keV energies converted and said, pixel size parsed, blocks as in memory") {
    using namespace hdf5_test;
    const auto f = make_fxi();
    const auto path = temp("valence_test_fxi.h5");
    write_fxi(path, f, false);
    const auto s = valence::io::open_hdf5_stack(path);
    CHECK(s.layout == valence::io::hdf5_layout::fxi_xanes);
    CHECK(s.dataset == "/img_xanes");
    CHECK(s.value_type == "float32");
    CHECK(s.rows == fxi::rows);
    CHECK(s.cols == fxi::cols);
    CHECK(s.channels == fxi::energies);
    CHECK(s.channel_axis.units == "eV");
    CHECK(s.channel_axis.values.front() == doctest::Approx(8300.0).epsilon(1e-15));
    CHECK(s.channel_axis.values.back() == doctest::Approx(8418.0).epsilon(1e-15));
    REQUIRE(s.notes.size() == 1);
    CHECK(s.notes[0] == "X_eng is in keV (values below 100): converted to eV");
    CHECK(s.x_axis.units == "nm");
    CHECK(s.x_axis.values[3] == doctest::Approx(3 * 21.6));
    CHECK(s.meta("Magnification") == "300.89999999999998");
    CHECK(s.meta("note") == "NMC622 particle, charged to 4.3 V");
    CHECK(s.white.empty());

    const valence::io::hdf5_rows<float> file(s);
    const auto memory =
        valence::core::array_rows<float>::energy_major(f.transmission.data(), fxi::rows, fxi::cols, fxi::energies);
    CHECK(file.scratch_bytes_per_row() == std::size_t(fxi::cols * fxi::energies) * sizeof(float));
    std::vector<float> a(std::size_t(2 * fxi::cols * fxi::energies));
    std::vector<float> b(a.size());
    file.read_rows(3, 2, a.data());
    memory.read_rows(3, 2, b.data());
    CHECK(a == b);
    // absorbance: -ln T of the stored float, value by value
    const valence::io::hdf5_rows<double> mu(s, valence::io::hdf5_values::absorbance);
    std::vector<double> m(std::size_t(fxi::cols * fxi::energies));
    mu.read_rows(5, 1, m.data());
    const auto stored = [&](Index y, Index x, Index e) {
      return double(f.transmission[std::size_t((e * fxi::rows + y) * fxi::cols + x)]);
    };
    CHECK(m[std::size_t(1 * fxi::energies + 7)] == -std::log(stored(5, 1, 7)));
    CHECK(m[std::size_t(3 * fxi::energies + 59)] == -std::log(stored(5, 3, 59)));
    std::filesystem::remove(path);
  }

  TEST_CASE("raw FXI counts are flat-field normalised with the background and dark frame of each energy") {
    using namespace hdf5_test;
    const auto f = make_fxi();
    const auto path = temp("valence_test_fxi_raw.h5");
    write_fxi(path, f, true);
    const auto s = valence::io::open_hdf5_stack(path);
    CHECK(s.value_type == "uint16");
    CHECK(s.white == "/img_bkg");
    CHECK(s.dark == "/img_dark");
    const valence::io::hdf5_rows<double> file(s);
    std::vector<double> t(std::size_t(fxi::rows * fxi::cols * fxi::energies));
    file.read_rows(0, fxi::rows, t.data());
    double worst = 0;
    for (Index y = 0; y < fxi::rows; ++y) {
      for (Index x = 0; x < fxi::cols; ++x) {
        for (Index e = 0; e < fxi::energies; ++e) {
          const auto k = std::size_t((e * fxi::rows + y) * fxi::cols + x);
          const double expected = (double(f.raw[k]) - f.dark[k]) / (double(f.bkg[k]) - f.dark[k]);
          worst = std::max(worst, std::abs(t[std::size_t((y * fxi::cols + x) * fxi::energies + e)] - expected));
        }
      }
    }
    CHECK(worst <= 1e-15);  // the same three operations in double
    std::filesystem::remove(path);
  }

  TEST_CASE("normalize_stack streamed from an HDF5 file equals the in-memory run bit for bit") {
    using namespace hdf5_test;
    const auto f = make_fxi();
    const auto path = temp("valence_test_fxi_stream.h5");
    write_fxi(path, f, false);
    const auto s = valence::io::open_hdf5_stack(path);
    const valence::io::hdf5_rows<float> file(s, valence::io::hdf5_values::absorbance);
    Eigen::MatrixXf columns(fxi::energies, fxi::rows * fxi::cols);
    for (Index p = 0; p < columns.cols(); ++p) {
      for (Index e = 0; e < fxi::energies; ++e) {
        columns(e, p) = -std::log(f.transmission[std::size_t(e * fxi::rows * fxi::cols + p)]);
      }
    }
    const Eigen::Map<const Eigen::VectorXd> energy(s.channel_axis.values.data(), fxi::energies);
    valence::xas::stack_options o;
    o.normalization.pre1 = -40;
    o.normalization.pre2 = -15;
    o.normalization.norm1 = 20;
    o.normalization.norm2 = 70;
    const auto memory = valence::xas::normalize_stack(energy, columns, o);
    REQUIRE(memory.failed() == 0);
    valence::core::streaming_options streaming;
    streaming.memory_cap_bytes = 2 * std::size_t(fxi::cols * fxi::energies) * (2 * sizeof(float) + sizeof(float)) +
                                 2 * std::size_t(fxi::cols) * 21;  // two rows a block
    const auto streamed = valence::xas::normalize_stack(energy, file, o, streaming);
    CHECK(streamed.status == memory.status);
    CHECK(std::memcmp(streamed.edge_step.data(), memory.edge_step.data(), sizeof(float) * 24) == 0);
    CHECK(std::memcmp(streamed.edge_energy.data(), memory.edge_energy.data(), sizeof(float) * 24) == 0);
    CHECK(std::memcmp(streamed.e0.data(), memory.e0.data(), sizeof(float) * 24) == 0);
    std::filesystem::remove(path);
  }

  TEST_CASE("APS Data Exchange: the tooth projections, theta in degrees, flat field from the mean frames") {
    VALENCE_REQUIRE_DATA("hdf5/tomopy/source/tomopy/data/tooth.h5");
    const auto path = (valence_test::data_dir() / "hdf5/tomopy/source/tomopy/data/tooth.h5").string();
    const auto s = valence::io::open_hdf5_stack(path);
    CHECK(s.layout == valence::io::hdf5_layout::data_exchange);
    CHECK(s.channels == 181);
    CHECK(s.rows == 2);
    CHECK(s.cols == 640);
    CHECK(s.channel_axis.name == "theta");
    CHECK(s.channel_axis.units == "degrees");
    CHECK(s.channel_axis.values.front() == 0.0);
    CHECK(s.channel_axis.values.back() == doctest::Approx(179.0).epsilon(1e-4));  // listed as 179 to 6 figures
    CHECK(s.white == "/exchange/data_white");
    CHECK(s.meta("/exchange/data@axes") == "theta:y:x");
    // The flat field by hand from whole reads: (I - mean D) / (mean W - mean D).
    const valence::io::hdf5_rows<double> rows(s);
    std::vector<double> t(std::size_t(640 * 181));
    rows.read_rows(1, 1, t.data());
    const valence::io::hdf5_rows<double> raw(valence::io::open_hdf5_stack(path, "/exchange/data"));
    std::vector<double> counts(std::size_t(640 * 181));
    raw.read_rows(1, 1, counts.data());
    auto white_stack = valence::io::open_hdf5_stack(path, "/exchange/data_white");
    auto dark_stack = valence::io::open_hdf5_stack(path, "/exchange/data_dark");
    std::vector<double> w(std::size_t(640 * 10));
    std::vector<double> d(w.size());
    valence::io::hdf5_rows<double>(white_stack).read_rows(1, 1, w.data());
    valence::io::hdf5_rows<double>(dark_stack).read_rows(1, 1, d.data());
    double worst = 0;
    for (std::size_t x = 0; x < 640; x += 37) {
      double mw = 0;
      double md = 0;
      for (std::size_t k = 0; k < 10; ++k) {
        mw += w[x * 10 + k] / 10;
        md += d[x * 10 + k] / 10;
      }
      for (std::size_t e = 0; e < 181; e += 9) {
        const double expected = (counts[x * 181 + e] - md) / (mw - md);
        worst = std::max(worst, std::abs(t[x * 181 + e] - expected) / std::abs(expected));
      }
    }
    CHECK(worst <= 1e-12);  // measured 2e-16: the mean frames summed in another order
  }

  TEST_CASE("APS Data Exchange full-schema example: gzip-chunked uint16 and the measurement metadata") {
    VALENCE_REQUIRE_DATA("hdf5/dxchange/xtomo/docs/code/python/DataExchange-example6.h5");
    const auto path =
        (valence_test::data_dir() / "hdf5/dxchange/xtomo/docs/code/python/DataExchange-example6.h5").string();
    const auto s = valence::io::open_hdf5_stack(path);
    CHECK(s.value_type == "uint16");
    CHECK(s.channels == 180);
    CHECK(s.rows == 256);
    CHECK(s.meta("/measurement/instrument/monochromator/energy") == "19.260000000000002");
    CHECK(s.meta("/measurement/instrument/monochromator/energy@units") == "keV");
    CHECK(s.meta("/measurement/instrument/source/name") == "APS");
    CHECK(s.meta("/exchange/title") == "tomography raw projections");
    // The synthetic data are all 1 with dark 0 and white 1: the flat field is exactly 1.
    const valence::io::hdf5_rows<float> rows(s);
    std::vector<float> t(std::size_t(3 * 256 * 180));
    rows.read_rows(100, 3, t.data());
    CHECK(std::all_of(t.begin(), t.end(), [](float v) { return v == 1.0f; }));
  }

  TEST_CASE("HyperSpy files from version 1.0 to 3.1: signal axis last, offset and scale, units") {
    struct expected {
      const char* file;
      Eigen::Index rows, cols, channels;
      double offset, scale;
      const char* units;
      double low, high;  // value range listed by h5py 3.7 (STRUCTURE-hdf5.txt)
      const char* version;
    };
    const expected files[] = {
        {"hdf5/hyperspy_tutorial/05_EELS/datasets/LSMO_linescan.hdf5", 1, 40, 586, 428.5, 0.5, "eV", 95221, 349144,
         "3.1"},
        {"hdf5/exspy/exspy/tests/drawing/data/Cr_L_cl.hspy", 1, 1, 400, 560, 0.1, "eV", -1e30, 1e30, "3.0"},
        {"hdf5/rosettasciio/rsciio/tests/data/hspy/example1_v1.2.hdf5", 1, 1, 21, 520.13, 3.1, "eV", 3923, 7809, "1.2"},
        {"hdf5/rosettasciio/rsciio/tests/data/hspy/example1_v1.0.hdf5", 1, 1, 21, 520.13, 3.1, "eV", 3923, 7809,
         "1.0 (legacy, no root attributes)"},
    };
    for (const auto& x : files) {
      CAPTURE(std::string(x.file));
      if (!valence_test::has_data(x.file)) {
        VALENCE_REQUIRE_DATA(x.file);
      }
      const auto s = valence::io::open_hdf5_stack((valence_test::data_dir() / x.file).string());
      CHECK(s.layout == valence::io::hdf5_layout::hyperspy);
      CHECK_FALSE(s.channels_first);
      CHECK(s.rows == x.rows);
      CHECK(s.cols == x.cols);
      CHECK(s.channels == x.channels);
      CHECK(s.channel_axis.units == x.units);
      CHECK(s.channel_axis.values[0] == doctest::Approx(x.offset));
      CHECK(s.channel_axis.values[1] - s.channel_axis.values[0] == doctest::Approx(x.scale));
      CHECK(s.meta("file_format_version") == x.version);
      std::vector<double> v(std::size_t(s.cols * s.channels));
      valence::io::hdf5_rows<double>(s).read_rows(0, 1, v.data());
      if (x.low > -1e30) {
        // the listing gives six significant figures
        CHECK(*std::min_element(v.begin(), v.end()) == doctest::Approx(x.low).epsilon(5e-6));
        CHECK(*std::max_element(v.begin(), v.end()) == doctest::Approx(x.high).epsilon(5e-6));
      }
    }
    const auto line = valence::io::open_hdf5_stack(
        (valence_test::data_dir() / "hdf5/hyperspy_tutorial/05_EELS/datasets/LSMO_linescan.hdf5").string());
    CHECK(line.x_axis.units == "µm");
    CHECK(line.x_axis.values[1] == doctest::Approx(0.0032190168276429176));
    CHECK(line.meta("/Experiments/EELS Spectrum Image (high-loss)/metadata/Acquisition_instrument/TEM@beam_energy") ==
          "80");
  }

  TEST_CASE("open_hdf5_stack's errors name the file, the HDF5 path and what was expected") {
    using namespace hdf5_test;
    const auto not_hdf5 = temp("valence_test_not_hdf5.h5");
    std::ofstream(not_hdf5) << "energy,mu\n1,2\n";
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(not_hdf5),
                         doctest::Contains("the file has no HDF5 signature; expected an HDF5 file"),
                         valence::parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(temp("valence_no_such_file.h5")),
                         doctest::Contains("cannot open the file"), valence::parse_error);
    std::filesystem::remove(not_hdf5);

    const auto f = make_fxi();
    const auto unknown = temp("valence_test_unknown_layout.h5");
    {
      valence_test::hdf5_file file(unknown);
      file.write("/counts", {3, 4}, std::vector<double>(12, 1.0));
      file.group("/scan");
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(unknown),
                         doctest::Contains("no known layout: the root holds /counts (dataset (3, 4)), /scan (group); "
                                           "expected img_xanes and X_eng (NSLS-II FXI)"),
                         valence::parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(unknown, "/counts"),
                         doctest::Contains("dataset '/counts' is (3, 4); expected three dimensions [channel][y][x]"),
                         valence::parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(unknown, "/scan/data"),
                         doctest::Contains("no dataset '/scan/data'"), valence::parse_error);

    const auto mismatch = temp("valence_test_fxi_mismatch.h5");
    {
      valence_test::hdf5_file file(mismatch);
      file.write("/img_xanes", {hsize_t(fxi::energies), hsize_t(fxi::rows), hsize_t(fxi::cols)}, f.transmission);
      file.write("/X_eng", {hsize_t(fxi::energies - 1)}, std::vector<double>(f.x_eng.begin(), f.x_eng.end() - 1));
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(mismatch),
                         doctest::Contains("axis 'energy' has 59 values but dimension 0 of '/img_xanes' (60, 6, 4) "
                                           "has 60; expected one value per index"),
                         valence::parse_error);
    const auto raw_alone = temp("valence_test_fxi_raw_alone.h5");
    {
      valence_test::hdf5_file file(raw_alone);
      file.write("/img_xanes", {hsize_t(fxi::energies), hsize_t(fxi::rows), hsize_t(fxi::cols)}, f.raw);
      file.write("/X_eng", {hsize_t(fxi::energies)}, f.x_eng);
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(raw_alone),
                         doctest::Contains("img_xanes holds raw counts (uint16) but there is no dataset '/img_bkg'"),
                         valence::parse_error);
    const auto hspy = temp("valence_test_hspy_bad_axis.hspy");
    {
      valence_test::hdf5_file file(hspy);
      file.write("/Experiments/map/data", {2, 3, 5}, std::vector<double>(30, 1.0));
      for (int i = 0; i < 3; ++i) {
        file.group("/Experiments/map/axis-" + std::to_string(i));
        file.attribute("/Experiments/map/axis-" + std::to_string(i), "size", i == 2 ? 6.0 : double(i + 2));
      }
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(hspy),
                         doctest::Contains("'/Experiments/map/axis-2@size' is 6 but dimension 2 of "
                                           "'/Experiments/map/data' has 5; expected them to agree"),
                         valence::parse_error);
    const auto odd = temp("valence_test_odd_stacks.h5");
    {
      valence_test::hdf5_file file(odd);
      file.write_text("/label", "not numbers");
      file.write("/img_xanes", {hsize_t(fxi::energies), hsize_t(fxi::rows), hsize_t(fxi::cols)}, f.raw);
      file.write("/X_eng", {hsize_t(fxi::energies)}, f.x_eng);
      file.write("/img_bkg", {hsize_t(fxi::energies), hsize_t(fxi::rows + 1), hsize_t(fxi::cols)},
                 std::vector<std::uint16_t>(std::size_t(fxi::energies * (fxi::rows + 1) * fxi::cols), 1));
      file.write("/img_dark", {hsize_t(fxi::energies), hsize_t(fxi::rows), hsize_t(fxi::cols)}, f.dark);
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(odd, "/label"),
                         doctest::Contains("dataset '/label' holds string values; expected numbers"),
                         valence::parse_error);
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(odd),
                         doctest::Contains("flat-field frames '/img_bkg' are (60, 7, 4) but the images of "
                                           "'/img_xanes' are 6 x 4"),
                         valence::parse_error);
    const auto empty_hspy = temp("valence_test_hspy_empty.hspy");
    {
      valence_test::hdf5_file file(empty_hspy);
      file.group("/Experiments/nothing");
    }
    CHECK_THROWS_WITH_AS((void)valence::io::open_hdf5_stack(empty_hspy),
                         doctest::Contains("'/Experiments' holds no signal with a 'data' dataset"),
                         valence::parse_error);
    // A source opened on a stack whose file has since gone.
    const auto gone = temp("valence_test_fxi_gone.h5");
    write_fxi(gone, f, false);
    const auto described = valence::io::open_hdf5_stack(gone);
    std::filesystem::remove(gone);
    CHECK_THROWS_WITH_AS(valence::io::hdf5_rows<float>{described}, doctest::Contains("cannot open the file"),
                         valence::parse_error);
    for (const auto& p : {unknown, mismatch, raw_alone, hspy, odd, empty_hspy}) {
      std::filesystem::remove(p);
    }
  }
}
