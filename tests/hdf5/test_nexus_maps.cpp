// SPDX-License-Identifier: MIT
// nexus_map_writer: the NeXus chain a viewer follows (/@default -> entry/@default -> maps/@signal,
// @axes), the maps' values, units and fill, byte-identical files whatever the order and size of the
// written blocks, and its errors.
#include <valence/io/detail/hdf5.hpp>
#include <valence/io/nexus_maps.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<valence::io::map_spec> specs() {
  return {{"edge_energy", "eV", "edge energy (eV)", valence::io::map_type::float32, ""},
          {"edge_step", "", "edge step", valence::io::map_type::float64, ""},
          {"status", "", "pixel status", valence::io::map_type::uint8, "ok no_edge non_finite_data"}};
}

}  // namespace

TEST_SUITE("io") {
  TEST_CASE("nexus_map_writer: the NeXus default chain, values, units, and the same bytes for any block order") {
    namespace io = valence::io;
    const io::hdf5_axis y{"y", "nm", {0, 21.6, 43.2, 64.8, 86.4}};
    const io::hdf5_axis x{"x", "nm", {0, 21.6, 43.2, 64.8}};
    std::vector<float> energy(20);
    std::vector<double> step(20);
    std::vector<std::uint8_t> status(20);
    for (std::size_t i = 0; i < 20; ++i) {
      energy[i] = 8340.0f + 0.25f * float(i);
      step[i] = 0.1 * double(i);
      status[i] = std::uint8_t(i % 3);
    }
    const auto one = (std::filesystem::temp_directory_path() / "valence_test_maps_one.h5").string();
    const auto blocks = (std::filesystem::temp_directory_path() / "valence_test_maps_blocks.h5").string();
    {
      io::nexus_map_writer w(one, y, x, specs(), {{"e0", "8340"}, {"job", "normalize"}});
      w.write_rows("edge_energy", 0, 5, energy.data());
      w.write_rows("edge_step", 0, 5, step.data());
      w.write_rows("status", 0, 5, status.data());
    }
    {
      io::nexus_map_writer w(blocks, y, x, specs(), {{"e0", "8340"}, {"job", "normalize"}});
      for (const auto& [first, rows] : {std::pair<int, int>{3, 2}, {1, 2}, {0, 1}}) {
        w.write_rows("status", first, rows, status.data() + 4 * first);
        w.write_rows("edge_step", first, rows, step.data() + 4 * first);
        w.write_rows("edge_energy", first, rows, energy.data() + 4 * first);
      }
    }
    CHECK(bytes_of(one) == bytes_of(blocks));

    const valence::io::detail::h5_quiet quiet;
    const auto file = valence::io::detail::h5_open("test", one);
    CHECK(valence::io::detail::h5_attribute_text(file.get(), "default") == "entry");
    const valence::io::detail::h5_id entry(H5Gopen2(file.get(), "/entry", H5P_DEFAULT));
    CHECK(valence::io::detail::h5_attribute_text(entry.get(), "NX_class") == "NXentry");
    CHECK(valence::io::detail::h5_attribute_text(entry.get(), "default") == "maps");
    const valence::io::detail::h5_id maps(H5Gopen2(file.get(), "/entry/maps", H5P_DEFAULT));
    CHECK(valence::io::detail::h5_attribute_text(maps.get(), "NX_class") == "NXdata");
    CHECK(valence::io::detail::h5_attribute_text(maps.get(), "signal") == "edge_energy");
    CHECK(valence::io::detail::h5_attribute_strings(maps.get(), "axes") == std::vector<std::string>{"y", "x"});
    CHECK(valence::io::detail::h5_attribute_strings(maps.get(), "auxiliary_signals") ==
          std::vector<std::string>{"edge_step", "status"});
    CHECK(valence::io::detail::h5_dataset_text(file.get(), "/entry/parameters/job") == "normalize");
    const auto read = valence::io::detail::h5_dataset_numbers("test", one, file.get(), "/entry/maps/edge_energy");
    REQUIRE(read.size() == 20);
    CHECK(read[13] == double(energy[13]));
    const auto codes = valence::io::detail::h5_dataset_numbers("test", one, file.get(), "/entry/maps/status");
    CHECK(codes[5] == 2.0);
    const valence::io::detail::h5_id d(H5Dopen2(file.get(), "/entry/maps/edge_energy", H5P_DEFAULT));
    CHECK(valence::io::detail::h5_attribute_text(d.get(), "units") == "eV");
    CHECK(valence::io::detail::h5_shape(d.get()) == std::vector<hsize_t>{5, 4});
    const valence::io::detail::h5_id ax(H5Dopen2(file.get(), "/entry/maps/x", H5P_DEFAULT));
    CHECK(valence::io::detail::h5_attribute_text(ax.get(), "units") == "nm");
    std::filesystem::remove(blocks);

    // rows never written stay NaN: a cancelled or failed job leaves no plausible numbers behind
    {
      io::nexus_map_writer w(blocks, y, x, specs());
      w.write_rows("edge_step", 0, 2, step.data());
    }
    const auto partial = valence::io::detail::h5_open("test", blocks);
    const auto steps = valence::io::detail::h5_dataset_numbers("test", blocks, partial.get(), "/entry/maps/edge_step");
    CHECK(steps[7] == step[7]);
    CHECK(std::isnan(steps[8]));
    std::filesystem::remove(one);
  }

  TEST_CASE("nexus_map_writer's errors: no maps, repeated names, rows outside, unknown maps, an unwritable path") {
    namespace io = valence::io;
    const io::hdf5_axis y{"y", "", {0, 1}};
    const io::hdf5_axis x{"x", "", {0, 1, 2}};
    const auto path = (std::filesystem::temp_directory_path() / "valence_test_maps_errors.h5").string();
    CHECK_THROWS_WITH_AS(io::nexus_map_writer(path, y, x, {}), doctest::Contains("expected at least one map"),
                         valence::invalid_input);
    auto twice = specs();
    twice[2].name = "edge_step";
    CHECK_THROWS_WITH_AS(io::nexus_map_writer(path, y, x, twice),
                         doctest::Contains("map name 'edge_step' is empty or repeated"), valence::invalid_input);
    io::nexus_map_writer w(path, y, x, specs());
    const std::vector<double> v(6, 1.0);
    CHECK_THROWS_WITH_AS(w.write_rows("edge_step", 1, 2, v.data()),
                         doctest::Contains("rows [1, 3) of map 'edge_step'; expected a range within its 2 rows"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS(w.write_rows("white_line", 0, 1, v.data()), doctest::Contains("no map 'white_line'"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS(io::nexus_map_writer("/no/such/folder/maps.h5", y, x, specs()),
                         doctest::Contains("HDF5 cannot create the file"), valence::parse_error);
    std::filesystem::remove(path);
  }
}
