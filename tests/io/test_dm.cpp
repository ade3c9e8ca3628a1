// SPDX-License-Identifier: MIT
// DM3/DM4: the real spectrum image against what HyperSpy reads from it
// (hyperspy_eels_subset.json: shape, axes, first values), the real DM3 spectrum's calibration
// and tags, files built byte by byte in both byte orders with every numeric type, and hostile
// input: every truncation of a file and thousands of corrupted copies give a parse_error or a
// valid result, never a crash or a huge allocation.
#include <valence/io/dm.hpp>
#include <valence/io/dm_dataset.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/dm_writer.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace {

namespace dm_test {

using valence::io::dm_type;

valence::io::dm_file parse(const std::string& bytes) {
  std::istringstream in(bytes);
  return valence::io::read_dm(in, "<bytes>");
}

template <typename T>
std::vector<T> values_of(const std::string& bytes, const valence::io::dm_file& f) {
  std::istringstream in(bytes);
  const auto& image = f.primary_image();
  std::vector<T> out(static_cast<std::size_t>(image.count));
  valence::io::read_dm_data(in, f, image, out.data(), "<bytes>");
  return out;
}

bool is_unsigned(dm_type type) {
  return type == dm_type::uint8 || type == dm_type::uint16 || type == dm_type::uint32 || type == dm_type::uint64;
}

// A 3 x 2 x 4 spectrum image (x, y, energy) whose value at (x, y, e) is 20 e + 5 y + x - 50 (in
// range for every type; without the - 50 for unsigned ones), stored as DM stores it: x fastest,
// energy slowest.
double small_value(int x, int y, int e, dm_type type) {
  return 20.0 * e + 5.0 * y + x - (is_unsigned(type) ? 0.0 : 50.0);
}

std::string small_image(int version, bool little, dm_type type) {
  std::vector<double> values;
  for (int e = 0; e < 4; ++e) {
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 3; ++x) {
        values.push_back(small_value(x, y, e, type));
      }
    }
  }
  valence_test::dm_writer w(version, little);
  w.begin(1);
  w.image("SI", type, values, {3, 2, 4}, {0, 0, -300}, {0.5, 0.5, 0.25}, u"\u00b5m");
  return w.bytes;
}

}  // namespace dm_test

}  // namespace

TEST_SUITE("io") {
  using namespace dm_test;

  TEST_CASE("read_dm reads the real DM4 spectrum image as HyperSpy does") {
    constexpr const char* file = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/3D/EELS_SI.dm4";
    VALENCE_REQUIRE_DATA(file);
    const std::string path = (valence_test::data_dir() / file).string();
    const auto f = valence::io::read_dm(path);
    CHECK(f.version == 4);
    CHECK(f.little_endian);
    REQUIRE(f.images.size() == 2);
    CHECK(f.images[0].data_type == 23);  // the RGB thumbnail
    const auto& si = f.primary_image();
    CHECK(si.name == "EELS_SI");
    CHECK(si.element == dm_type::float32);  // HyperSpy: dtype float32
    // HyperSpy lists the axes slowest first: y (2), x (2), Energy loss (2048).
    REQUIRE(si.axes.size() == 3);
    CHECK(si.axes[0].size == 2);
    CHECK(si.axes[1].size == 2);
    CHECK(si.axes[2].size == 2048);
    CHECK(si.axes[0].scale == doctest::Approx(0.0019920736085623503).epsilon(1e-16));
    CHECK(si.axes[0].units == "\xC2\xB5m");
    CHECK(si.axes[0].offset() == 0.0);
    CHECK(si.axes[2].offset() == 300.0);
    CHECK(si.axes[2].scale == 1.0);
    CHECK(si.axes[2].units == "eV");
    CHECK(si.axis_values(2)(2047) == 2347.0);
    // HyperSpy's data[0, 0, :5]: pixel (y 0, x 0), channels 0-4. DM stores energy slowest, so
    // channel c of that pixel is value c * (2 * 2).
    const std::vector<float> first = {8473.005859375f, 8634.40234375f, 8471.6513671875f, 8147.77490234375f,
                                      8126.9443359375f};
    const auto values = valence::io::read_dm_data<float>(path, f, si);
    REQUIRE(values.size() == 8192);
    for (std::size_t c = 0; c < first.size(); ++c) {
      CHECK(values[4 * c] == first[c]);
    }
    const auto as_double = valence::io::read_dm_data<double>(path, f, si);
    CHECK(as_double[4] == double(first[1]));
    CHECK(f.number("ImageList/1/ImageTags/Microscope Info/Voltage") == std::optional<double>(200000.0));
    CHECK(f.text("ImageList/1/ImageTags/Microscope Info/Formatted Voltage") == std::optional<std::string>("200kV"));
  }

  TEST_CASE("read_dm reads the real DM3 spectrum with its energy calibration and gain") {
    constexpr const char* file = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/1D/test-EELS_spectrum.dm3";
    VALENCE_REQUIRE_DATA(file);
    const std::string path = (valence_test::data_dir() / file).string();
    const auto f = valence::io::read_dm(path);
    CHECK(f.version == 3);
    const auto& s = f.primary_image();
    CHECK(s.name == "EELS Acquire");
    REQUIRE(s.axes.size() == 1);
    CHECK(s.axes[0].size == 2048);
    CHECK(s.axes[0].origin == 200.0);
    CHECK(s.axes[0].scale == 0.5);
    CHECK(s.axes[0].offset() == -100.0);
    CHECK(s.axes[0].units == "eV");
    // SOURCES.md: gain 0.1285 (electrons per count), STEM at 200 kV.
    CHECK(s.intensity_scale == doctest::Approx(0.1285).epsilon(1e-3));
    CHECK(s.intensity_units == "e-");
    CHECK(f.number("ImageList/1/ImageTags/Microscope Info/Voltage") == std::optional<double>(200000.0));
    const auto values = valence::io::read_dm_data<double>(path, f, s);
    CHECK(values.size() == 2048);
    for (const double v : values) {
      CHECK(std::isfinite(v));
    }
  }

  TEST_CASE("read_dm_image gives the measurement in HyperSpy's order with named axes, in one call") {
    // A 3 x 2 spectrum image of 4 channels with distinct values, written as DM stores it ([E][y][x]).
    const auto path = std::filesystem::temp_directory_path() / "valence_test_read_dm_image.dm4";
    {
      std::ofstream out(path, std::ios::binary);
      out << small_image(4, true, dm_type::float32);
    }
    const auto si = valence::io::read_dm_image<double>(path.string());
    std::filesystem::remove(path);
    CHECK(si.name == "SI");
    REQUIRE(si.axes.size() == 3);
    CHECK(si.axes[0].name == "y");
    CHECK(si.axes[1].name == "x");
    CHECK(si.axes[2].name == "energy");
    CHECK(si.axis("y").size == 2);
    CHECK(si.axis("x").size == 3);
    CHECK(si.axis("energy").size == 4);
    CHECK(si.axis("energy").offset() == 75.0);
    REQUIRE(si.values.size() == 24);
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 3; ++x) {
        for (int e = 0; e < 4; ++e) {
          // exact: [y][x][E], the energy fastest
          CHECK(si.values[static_cast<std::size_t>((y * 3 + x) * 4 + e)] == small_value(x, y, e, dm_type::float32));
        }
      }
    }
    CHECK_THROWS_WITH_AS((void)si.axis("z"), doctest::Contains("no axis 'z'; expected one of: y, x, energy"),
                         valence::invalid_input);
    CHECK_THROWS_AS((void)valence::io::read_dm_image<float>(path.string()), valence::error);  // removed
  }

  TEST_CASE("read_dm_image reads the real DM4 spectrum image and DM3 spectrum as HyperSpy lists them") {
    constexpr const char* si_file = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/3D/EELS_SI.dm4";
    constexpr const char* spectrum_file =
        "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/1D/test-EELS_spectrum.dm3";
    VALENCE_REQUIRE_DATA(si_file);
    VALENCE_REQUIRE_DATA(spectrum_file);
    // HyperSpy 1.7.3 (hyperspy_eels_subset.json): shape (2, 2, 2048), axes y, x, Energy loss
    // (offset 300 eV, 1 eV), data[0, 0, :5] as below.
    const auto si = valence::io::read_dm_image<float>((valence_test::data_dir() / si_file).string());
    REQUIRE(si.axes.size() == 3);
    CHECK(si.axes[0].name == "y");
    CHECK(si.axes[2].name == "energy");
    CHECK(si.axes[2].axis.size == 2048);
    CHECK(si.axes[2].axis.offset() == 300.0);
    CHECK(si.axes[0].axis.units == "\xC2\xB5m");
    const std::vector<float> first = {8473.005859375f, 8634.40234375f, 8471.6513671875f, 8147.77490234375f,
                                      8126.9443359375f};
    for (std::size_t c = 0; c < first.size(); ++c) {
      CHECK(si.values[c] == first[c]);
    }
    const auto spectrum = valence::io::read_dm_image<double>((valence_test::data_dir() / spectrum_file).string());
    REQUIRE(spectrum.axes.size() == 1);
    CHECK(spectrum.axes[0].name == "energy");
    CHECK(spectrum.axis("energy").offset() == -100.0);
    CHECK(spectrum.values.size() == 2048);
    CHECK(spectrum.intensity_units == "e-");
  }

  TEST_CASE("read_dm reads DM3 and DM4 in both byte orders and every numeric type") {
    for (const int version : {3, 4}) {
      for (const bool little : {true, false}) {
        for (const dm_type type : {dm_type::int16, dm_type::uint16, dm_type::int32, dm_type::uint32, dm_type::float32,
                                   dm_type::float64, dm_type::int8, dm_type::uint8, dm_type::int64, dm_type::uint64}) {
          CAPTURE(version);
          CAPTURE(little);
          CAPTURE(static_cast<int>(type));
          const std::string bytes = small_image(version, little, type);
          const auto f = parse(bytes);
          CHECK(f.version == version);
          CHECK(f.little_endian == little);
          const auto& image = f.primary_image();
          CHECK(image.element == type);
          CHECK(image.name == "SI");
          REQUIRE(image.axes.size() == 3);
          CHECK(image.axes[2].offset() == 75.0);  // -(-300) * 0.25
          CHECK(image.axes[1].units == "\xC2\xB5m");
          const auto d = values_of<double>(bytes, f);
          const auto s = values_of<float>(bytes, f);
          REQUIRE(d.size() == 24);
          for (int e = 0; e < 4; ++e) {
            for (int y = 0; y < 2; ++y) {
              for (int x = 0; x < 3; ++x) {
                const double expected = small_value(x, y, e, type);
                const auto i = static_cast<std::size_t>(e * 6 + y * 3 + x);
                CHECK(d[i] == expected);
                CHECK(s[i] == float(d[i]));
              }
            }
          }
        }
      }
    }
  }

  TEST_CASE("read_dm refuses wrong versions, byte orders, tag kinds and a stream that cannot seek") {
    std::string bytes = small_image(3, true, dm_type::float32);
    const auto offset_of = [](const std::string& b) {
      try {
        (void)parse(b);
      } catch (const valence::parse_error& e) {
        return e.line();
      }
      return std::size_t(99999);
    };
    std::string wrong = bytes;
    wrong[3] = 5;
    CHECK(offset_of(wrong) == 0);
    wrong = bytes;
    wrong[11] = 7;
    CHECK(offset_of(wrong) == 8);
    wrong = bytes;
    wrong[18] = 33;  // the kind of the first tag (after 12 header bytes and 6 group bytes)
    CHECK(offset_of(wrong) == 18);
    CHECK_THROWS_WITH_AS(parse("DM"), doctest::Contains("truncated"), valence::parse_error);
    struct one_way : std::streambuf {
      explicit one_way(std::string s) : text(std::move(s)) {
        setg(text.data(), text.data(), text.data() + text.size());
      }
      std::string text;
    };
    one_way buffer(bytes);
    std::istream pipe(&buffer);
    CHECK_THROWS_WITH_AS((void)valence::io::read_dm(pipe, "<pipe>"), doctest::Contains("cannot seek"),
                         valence::parse_error);
    CHECK_THROWS_AS((void)valence::io::read_dm(std::string("/nonexistent/si.dm4")), valence::parse_error);
  }

  TEST_CASE("read_dm turns absurd sizes into errors before allocating") {
    // An array claiming 2^60 values, a group claiming 2^40 tags, a string of 2^31 characters.
    valence_test::dm_writer w(4, true);
    w.begin(1);
    w.array("Data", dm_type::float64, {1, 2, 3});
    std::string bytes = w.bytes;
    // The array's count is the last 8 bytes of the info before its three values.
    const std::size_t count_at = bytes.size() - 3 * 8 - 8;
    bytes[count_at] = 0x10;
    CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("more than the"), valence::parse_error);
    valence_test::dm_writer g(4, true);
    g.begin(1);
    g.group("big", 1);
    g.number("x", dm_type::int32, 1);
    bytes = g.bytes;
    // header 16, root group 2 + 8, tag kind 1, label length 2, "big" 3, DM4 size 8, sorted and open 2
    bytes[16 + 10 + 1 + 2 + 3 + 8 + 2 + 2] = 0x01;  // the group's tag count becomes 2^40 + 1
    CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("tags in"), valence::parse_error);
    valence_test::dm_writer s(3, true);
    s.begin(1);
    s.number("x", dm_type::int32, 1);
    bytes = s.bytes;
    // Rewrite the tag as a string (type 18) of 0x7FFFFFFF characters: info count 2, then 18, length.
    const std::size_t info_at = bytes.size() - 4 - 4 - 4;
    bytes.replace(info_at, 8, std::string("\0\0\0\x02\0\0\0\x12", 8));
    bytes.insert(info_at + 8, std::string("\x7F\xFF\xFF\xFF", 4));
    CHECK_THROWS_WITH_AS(parse(bytes), doctest::Contains("characters"), valence::parse_error);
    // A struct whose field count 2^63 makes 3 + 2 n wrap round to the 3 type codes given (found by
    // the fuzzer): an error, not a read past the type description. DM4 header (16 bytes), root
    // group with one tag (10), then the tag "x" by hand.
    std::string wrap(
        "\0\0\0\x04"
        "\0\0\0\0\0\0\0\0"
        "\0\0\0\x01"
        "\0\0"
        "\0\0\0\0\0\0\0\x01",
        26);
    wrap += std::string("\x15\0\x01x", 4) + std::string(8, '\0') + "%%%%";
    for (const std::uint64_t v : {std::uint64_t(3), std::uint64_t(15), std::uint64_t(0), std::uint64_t(1) << 63}) {
      for (int b = 7; b >= 0; --b) {
        wrap += static_cast<char>((v >> (8 * b)) & 0xFF);
      }
    }
    wrap += std::string(16, '\0');
    CHECK_THROWS_WITH_AS(parse(wrap), doctest::Contains("unknown type description"), valence::parse_error);
    // Groups nested 65 deep.
    valence_test::dm_writer deep(3, true);
    deep.begin(1);
    for (int i = 0; i < 65; ++i) {
      deep.group("g", 1);
    }
    deep.number("x", dm_type::int32, 1);
    CHECK_THROWS_WITH_AS(parse(deep.bytes), doctest::Contains("deeper than 64"), valence::parse_error);
  }

  TEST_CASE("read_dm_data reports a stream that ends inside the data") {
    const std::string bytes = small_image(4, true, dm_type::float64);
    const auto f = parse(bytes);
    const auto& image = f.primary_image();
    // Cut the stream 10 bytes into the values (the parse saw the whole file).
    const auto cut = static_cast<std::size_t>(image.offset + 10);
    std::istringstream in(bytes.substr(0, cut));
    std::vector<double> out(static_cast<std::size_t>(image.count));
    CHECK_THROWS_WITH_AS(valence::io::read_dm_data(in, f, image, out.data(), "<cut>"),
                         doctest::Contains("ends inside the data"), valence::parse_error);
    std::istringstream cut_float(bytes.substr(0, cut));
    std::vector<float> single(static_cast<std::size_t>(image.count));
    CHECK_THROWS_AS(valence::io::read_dm_data(cut_float, f, image, single.data(), "<cut>"), valence::parse_error);
  }

  TEST_CASE("read_dm refuses a DataType that is not a type code (found by the fuzzer)") {
    // 4.2e9 once reached an out-of-range conversion to int.
    valence_test::dm_writer w(3, true);
    w.begin(1);
    w.group("ImageList", 1);
    w.group("", 1);
    w.group("ImageData", 3);
    w.array("Data", dm_type::float32, {1, 2});
    w.number("DataType", dm_type::uint32, 4194304000.0);
    w.group("Dimensions", 1);
    w.number("", dm_type::uint32, 2);
    CHECK_THROWS_WITH_AS(parse(w.bytes), doctest::Contains("DataType 4194304000"), valence::parse_error);
  }

  TEST_CASE("read_dm reports dimensions that disagree with the data, and images without numbers") {
    valence_test::dm_writer w(3, true);
    w.begin(1);
    w.image("SI", dm_type::float32, {1, 2, 3, 4, 5}, {2, 2}, {0, 0}, {1, 1}, u"nm");
    CHECK_THROWS_WITH_AS(parse(w.bytes), doctest::Contains("expected them to agree"), valence::parse_error);
    valence_test::dm_writer none(3, true);
    none.begin(1);
    none.number("x", dm_type::int32, 1);
    const auto f = parse(none.bytes);
    CHECK(f.images.empty());
    CHECK(f.number("x") == std::optional<double>(1.0));
    CHECK(!f.number("y"));
    CHECK_THROWS_WITH_AS((void)f.primary_image(), doctest::Contains("none holds numeric data"), valence::invalid_input);
    valence::io::dm_image image;
    image.axes.resize(1);
    CHECK_THROWS_AS((void)image.axis_values(1), valence::invalid_input);
    std::istringstream in(none.bytes);
    float out = 0;
    CHECK_THROWS_WITH_AS(valence::io::read_dm_data(in, f, image, &out, "<bytes>"),
                         doctest::Contains("stored as structs"), valence::invalid_input);
  }

  TEST_CASE("read_dm survives every truncation and thousands of corrupted copies") {
    const std::string bytes = small_image(4, false, dm_type::int16);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_THROWS_AS(parse(bytes.substr(0, n)), valence::parse_error);
    }
    std::mt19937_64 gen(7);
    std::uniform_int_distribution<std::size_t> where(0, bytes.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    int parsed = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      std::string copy = bytes;
      for (int k = 0; k < 3; ++k) {
        copy[where(gen)] = static_cast<char>(byte(gen));
      }
      try {
        const auto f = parse(copy);
        for (const auto& image : f.images) {
          if (image.element != dm_type::none) {
            std::istringstream in(copy);
            std::vector<double> out(static_cast<std::size_t>(image.count));
            valence::io::read_dm_data(in, f, image, out.data(), "<bytes>");
          }
        }
        ++parsed;
      } catch (const valence::error&) {
        // A clear error is the other acceptable outcome.
      }
    }
    CHECK(parsed > 0);
  }
}
