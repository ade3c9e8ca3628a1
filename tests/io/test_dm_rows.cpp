// SPDX-License-Identifier: MIT
// dm_rows: blocks of rows of DM spectrum images (written with the tests' DM writer in both byte
// orders and several stored types, and the public EELS_SI.dm4) equal read_dm_image's values; the
// errors.
#include <valence/io/dm_dataset.hpp>
#include <valence/io/dm_rows.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/dm_writer.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::string write_si(const std::string& name, int version, bool little, valence::io::dm_type type, int nx, int ny,
                     int channels) {
  std::vector<double> values;
  for (int e = 0; e < channels; ++e) {
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < nx; ++x) {
        values.push_back(double(100 * e + 10 * y + x) - (type == valence::io::dm_type::int16 ? 300.0 : 0.5));
      }
    }
  }
  valence_test::dm_writer w(version, little);
  w.begin(1);
  w.image("SI", type, values, {std::uint64_t(nx), std::uint64_t(ny), std::uint64_t(channels)}, {0, 0, -300},
          {0.5, 0.5, 0.25}, u"nm");
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << w.bytes;
  return path;
}

}  // namespace

TEST_SUITE("io") {
  TEST_CASE("dm_rows reads blocks of rows of a DM spectrum image as read_dm_image lays them out") {
    using valence::io::dm_type;
    struct layout {
      int version;
      bool little;
      dm_type type;
    };
    for (const auto& l :
         {layout{4, true, dm_type::float32}, layout{3, false, dm_type::int16}, layout{4, false, dm_type::float64}}) {
      CAPTURE(l.version);
      CAPTURE(l.little);
      const auto path = write_si("valence_test_dm_rows.dm4", l.version, l.little, l.type, 5, 4, 6);
      const valence::io::dm_rows<double> source(path);
      CHECK(source.rows() == 4);
      CHECK(source.cols() == 5);
      CHECK(source.channels() == 6);
      const auto whole = valence::io::read_dm_image<double>(path);  // [y][x][E]
      std::vector<double> block(std::size_t(2 * 5 * 6));
      source.read_rows(1, 2, block.data());
      CHECK(std::memcmp(block.data(), whole.values.data() + 5 * 6, block.size() * sizeof(double)) == 0);
      CHECK(block[std::size_t((0 * 5 + 3) * 6 + 2)] == whole.values[std::size_t((1 * 5 + 3) * 6 + 2)]);
      std::filesystem::remove(path);
    }
  }

  TEST_CASE("dm_rows on the public EELS_SI.dm4 reads the values HyperSpy lists") {
    constexpr const char* file = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/3D/EELS_SI.dm4";
    VALENCE_REQUIRE_DATA(file);
    const auto path = (valence_test::data_dir() / file).string();
    const valence::io::dm_rows<float> source(path);
    const auto whole = valence::io::read_dm_image<float>(path);
    REQUIRE(source.rows() == 2);
    REQUIRE(source.channels() == 2048);
    std::vector<float> block(std::size_t(2 * 2048));
    source.read_rows(1, 1, block.data());
    CHECK(std::memcmp(block.data(), whole.values.data() + 2 * 2048, block.size() * sizeof(float)) == 0);
    // HyperSpy 1.7.3: data[0, 0, :5] (hyperspy_eels_subset.json)
    source.read_rows(0, 1, block.data());
    CHECK(block[0] == 8473.005859375f);
    CHECK(block[4] == 8126.9443359375f);
  }

  TEST_CASE("dm_rows's errors: a file that is not a spectrum image, a truncated file, complex data") {
    const auto path = write_si("valence_test_dm_rows_short.dm4", 4, true, valence::io::dm_type::float32, 5, 4, 6);
    {
      // cut the file inside the data
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto f = valence::io::read_dm(path);
      bytes.resize(std::size_t(f.primary_image().offset) + 5 * 4 * 3 * sizeof(float));
      std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    }
    // read_dm checks every size against the file before a value is read
    CHECK_THROWS_WITH_AS(valence::io::dm_rows<float>{path},
                         doctest::Contains("declares 120 values, more than the 240 remaining bytes hold"),
                         valence::parse_error);
    std::filesystem::remove(path);
    // A spectrum image of complex values (structs of two floats) holds no numbers dm_rows can read.
    valence_test::dm_writer complex_si(4, true);
    complex_si.begin(1);
    complex_si.image("SI", valence::io::dm_type::float32, std::vector<double>(2 * 5 * 4 * 6, 1.0), {5, 4, 6},
                     {0, 0, -300}, {0.5, 0.5, 0.25}, u"nm",
                     {valence::io::dm_type::float32, valence::io::dm_type::float32});
    const auto complex_path = (std::filesystem::temp_directory_path() / "valence_test_dm_rows_complex.dm4").string();
    std::ofstream(complex_path, std::ios::binary) << complex_si.bytes;
    CHECK_THROWS_WITH_AS(valence::io::dm_rows<float>{complex_path},
                         doctest::Contains("the file has 1 images and none holds numeric data"),
                         valence::invalid_input);
    std::filesystem::remove(complex_path);
    constexpr const char* spectrum = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/1D/test-EELS_spectrum.dm3";
    VALENCE_REQUIRE_DATA(spectrum);
    CHECK_THROWS_WITH_AS(valence::io::dm_rows<float>((valence_test::data_dir() / spectrum).string()),
                         doctest::Contains("has 1 dimensions; expected a spectrum image (x, y, energy)"),
                         valence::parse_error);
  }
}
