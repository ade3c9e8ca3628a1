// SPDX-License-Identifier: MIT
// fit_spectrum_image on a constructed 6 x 5 spectrum image whose surface fraction varies across
// it (Poisson noise): every pixel equals mlls() on its spectrum; float input and a channel-major
// strided view give the same maps; bad pixels get statuses while the rest are fitted.
#include <valence/eels/spectrum_image.hpp>
#include <valence/io/dm.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/eels_edges.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace {

namespace si_test {

using valence::matrix_d;
using valence::vector_d;

using valence_test::eels_axis;
using valence_test::eels_references;
using valence_test::same_values;

// [y][x][E] counts: surface fraction 0.1 + 0.15 x, total 1 + 0.05 y.
std::vector<double> cube(const vector_d& e, const matrix_d& refs, Eigen::Index rows, Eigen::Index cols) {
  std::mt19937 generator(99);
  std::vector<double> data(static_cast<std::size_t>(rows * cols * e.size()));
  for (Eigen::Index y = 0; y < rows; ++y) {
    for (Eigen::Index x = 0; x < cols; ++x) {
      const double total = 1 + 0.05 * double(y);
      const double surface = 0.1 + 0.15 * double(x);
      for (Eigen::Index c = 0; c < e.size(); ++c) {
        const double mean = valence_test::eels_mean_counts(e, refs, c, total * surface, total * (1 - surface));
        data[static_cast<std::size_t>((y * cols + x) * e.size() + c)] =
            double(std::poisson_distribution<long>(mean)(generator));
      }
    }
  }
  return data;
}

valence::eels::mlls_options options() {
  valence::eels::mlls_options o;
  o.fit_window = {636.0, 690.0};
  o.background_window = {605.0, 635.0};
  o.weighting = valence::eels::mlls_weighting::poisson;
  return o;
}

bool same_maps(const valence::eels::spectrum_image_fit& a, const valence::eels::spectrum_image_fit& b) {
  const auto all_same = [](const std::vector<matrix_d>& x, const std::vector<matrix_d>& y) {
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(),
                                              [](const matrix_d& p, const matrix_d& q) { return same_values(p, q); });
  };
  return all_same(a.coefficients, b.coefficients) && all_same(a.standard_errors, b.standard_errors) &&
         all_same(a.fractions, b.fractions) && all_same(a.fraction_errors, b.fraction_errors) &&
         same_values(a.amplitude, b.amplitude) && same_values(a.exponent, b.exponent) &&
         same_values(a.chi_square, b.chi_square) && same_values(a.reduced_chi_square, b.reduced_chi_square) &&
         same_values(a.r_factor, b.r_factor) && a.status == b.status && a.cancelled == b.cancelled;
}

}  // namespace si_test

}  // namespace

TEST_SUITE("eels") {
  using namespace si_test;

  TEST_CASE("energy_planes views a DM spectrum image in place, as HyperSpy reads it") {
    constexpr const char* file = "eels/rosettasciio/rsciio/tests/data/digitalmicrograph/3D/EELS_SI.dm4";
    VALENCE_REQUIRE_DATA(file);
    const std::string path = (valence_test::data_dir() / file).string();
    const auto dm = valence::io::read_dm(path);
    const auto& image = dm.primary_image();
    const auto values = valence::io::read_dm_data<float>(path, dm, image);
    const valence::core::index nx = image.axes[0].size;
    const valence::core::index ny = image.axes[1].size;
    const auto view =
        valence::eels::spectrum_image_view<float>::energy_planes(values.data(), ny, nx, image.axes[2].size);
    // hyperspy_eels_subset.json: data[0, 0, :5] of HyperSpy 1.7.3's reading of this file.
    const std::vector<float> first = {8473.005859375f, 8634.40234375f, 8471.6513671875f, 8147.77490234375f,
                                      8126.9443359375f};
    for (valence::core::index c = 0; c < 5; ++c) {
      CHECK(view(0, 0, c) == first[std::size_t(c)]);
    }
    CHECK(view(1, 0, 0) == values[2]);
    CHECK(view(0, 1, 0) == values[1]);
    CHECK(view(1, 1, 2047) == values.back());
  }

  TEST_CASE("fit_spectrum_image equals mlls at every pixel and maps the surface fraction") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index rows = 11;  // a band of eight rows and a part band
    const Eigen::Index cols = 5;
    const auto data = cube(e, refs, rows, cols);
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), rows, cols, e.size());
    const auto maps = valence::eels::fit_spectrum_image(e, view, refs, options());
    CHECK(maps.failed() == 0);
    REQUIRE(maps.coefficients.size() == 3);
    REQUIRE(maps.fractions.size() == 2);
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        CAPTURE(y);
        CAPTURE(x);
        const vector_d spectrum = Eigen::Map<const vector_d>(data.data() + (y * cols + x) * e.size(), e.size());
        const auto one = valence::eels::mlls(e, spectrum, refs, options());
        for (std::size_t j = 0; j < 3; ++j) {
          CHECK(maps.coefficients[j](y, x) == one.coefficients(static_cast<Eigen::Index>(j)));
          CHECK(maps.standard_errors[j](y, x) == one.standard_errors(static_cast<Eigen::Index>(j)));
        }
        CHECK(maps.fraction_errors[0](y, x) == one.fraction_errors(0));
        CHECK(maps.reduced_chi_square(y, x) == one.reduced_chi_square);
        CHECK(maps.exponent(y, x) == one.background.exponent);
        // The map reads the construction back within its errors.
        CHECK(std::abs(maps.fractions[0](y, x) - (0.1 + 0.15 * double(x))) < 4 * maps.fraction_errors[0](y, x));
      }
    }
  }

  TEST_CASE("fraction maps' errors describe the scatter over a Poisson map, for every weighting") {
    // 48 x 48 pixels of one weak-edge mixture (surface 0.06, bulk 0.04: the edge is about a tenth
    // of the counts under its peaks) with independent Poisson counts, fitted over 636-700 eV where
    // the background's level falls by a fifth: the mean squared z-score of the surface fraction
    // over the 2304 pixels (its own statistical error +-0.03).
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index rows = 48;
    const Eigen::Index cols = 48;
    std::mt19937 generator(7);
    std::vector<double> data(static_cast<std::size_t>(rows * cols * e.size()));
    for (std::size_t p = 0; p < static_cast<std::size_t>(rows * cols); ++p) {
      for (Eigen::Index c = 0; c < e.size(); ++c) {
        const double mean = valence_test::eels_mean_counts(e, refs, c, 0.06, 0.04);
        data[p * static_cast<std::size_t>(e.size()) + static_cast<std::size_t>(c)] =
            double(std::poisson_distribution<long>(mean)(generator));
      }
    }
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), rows, cols, e.size());
    const auto mean_z2 = [&](const valence::eels::spectrum_image_fit& maps) {
      double sum = 0;
      for (Eigen::Index y = 0; y < rows; ++y) {
        for (Eigen::Index x = 0; x < cols; ++x) {
          sum += std::pow((maps.fractions[0](y, x) - 0.6) / maps.fraction_errors[0](y, x), 2);
        }
      }
      return sum / double(rows * cols);
    };
    auto o = options();
    o.fit_window = {636.0, 699.9};
    o.power_law.method = valence::eels::power_law_method::two_area;
    o.weighting = valence::eels::mlls_weighting::poisson;
    const auto poisson = valence::eels::fit_spectrum_image(e, view, refs, o);
    o.weighting = valence::eels::mlls_weighting::none;
    const auto counting = valence::eels::fit_spectrum_image(e, view, refs, o);
    o.noise = valence::eels::mlls_noise::uniform;
    const auto uniform = valence::eels::fit_spectrum_image(e, view, refs, o);
    REQUIRE(poisson.failed() + counting.failed() + uniform.failed() == 0);
    CAPTURE(mean_z2(poisson));
    CAPTURE(mean_z2(counting));
    CAPTURE(mean_z2(uniform));
    // measured: Poisson weights 1.01, counting noise 0.98; one variance for every channel 1.14, its
    // errors 6 % too small.
    CHECK(std::abs(mean_z2(poisson) - 1) < 0.07);
    CHECK(std::abs(mean_z2(counting) - 1) < 0.07);
    CHECK(mean_z2(uniform) > mean_z2(counting) + 0.07);
    // The map's sandwich is mlls()'s, pixel by pixel.
    o.noise = valence::eels::mlls_noise::counting;
    for (Eigen::Index x = 0; x < cols; x += 9) {
      CAPTURE(x);
      const vector_d spectrum = Eigen::Map<const vector_d>(data.data() + x * e.size(), e.size());
      const auto one = valence::eels::mlls(e, spectrum, refs, o);
      CHECK(counting.fraction_errors[0](0, x) == one.fraction_errors(0));
      CHECK(counting.standard_errors[2](0, x) == one.standard_errors(2));
    }
  }

  TEST_CASE("fit_spectrum_image reads float cubes and strided views, and flags bad pixels") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index rows = 3;
    const Eigen::Index cols = 4;
    const Eigen::Index n = e.size();
    auto data = cube(e, refs, rows, cols);
    data[static_cast<std::size_t>((1 * cols + 2) * n + 300)] = std::nan("");  // pixel (1, 2)
    for (Eigen::Index c = 0; c < 150; ++c) {                                  // pixel (2, 0): no counts before the edge
      data[static_cast<std::size_t>((2 * cols + 0) * n + c)] = 0;
    }
    // Pixel (0, 3): NaN at 600 and 700 eV, outside the background (605-635) and fit (636-690)
    // windows: the fit does not read them, so the pixel is fitted as if they were not there.
    data[static_cast<std::size_t>(3 * n)] = std::nan("");
    data[static_cast<std::size_t>(3 * n + 400)] = std::nan("");
    auto o = options();
    o.power_law.method = valence::eels::power_law_method::two_area;
    const auto maps = valence::eels::fit_spectrum_image(
        e, valence::eels::spectrum_image_view<double>::contiguous(data.data(), rows, cols, n), refs, o);
    CHECK(maps.failed() == 2);
    CHECK(maps.status[3] == valence::eels::pixel_status::ok);
    CHECK(maps.status[1 * 4 + 2] == valence::eels::pixel_status::non_finite);
    CHECK(maps.status[2 * 4 + 0] == valence::eels::pixel_status::background_failed);
    // The same statuses indexed as the maps are, and their names.
    CHECK(maps.status_at(1, 2) == valence::eels::pixel_status::non_finite);
    CHECK(maps.status_at(2, 0) == valence::eels::pixel_status::background_failed);
    CHECK(std::string(to_string(maps.status_at(2, 0))) == "background_failed");
    CHECK(std::string(to_string(maps.status_at(0, 3))) == "ok");
    CHECK_THROWS_WITH_AS((void)maps.status_at(0, 4), doctest::Contains("pixel (0, 4) is outside the"),
                         valence::invalid_input);
    CHECK(std::isnan(maps.coefficients[0](1, 2)));
    CHECK(std::isnan(maps.fractions[0](2, 0)));
    CHECK(std::isfinite(maps.coefficients[0](0, 0)));

    // The same cube as float, channel-major ([E][y][x]) and read through strides.
    std::vector<float> planes(data.size());
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        for (Eigen::Index c = 0; c < n; ++c) {
          planes[static_cast<std::size_t>(c * rows * cols + y * cols + x)] =
              static_cast<float>(data[static_cast<std::size_t>((y * cols + x) * n + c)]);
        }
      }
    }
    const auto strided = valence::eels::spectrum_image_view<float>::energy_planes(planes.data(), rows, cols, n);
    const auto from_float = valence::eels::fit_spectrum_image(e, strided, refs, o);
    CHECK(from_float.failed() == 2);
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        if (maps.status[static_cast<std::size_t>(y * cols + x)] == valence::eels::pixel_status::ok) {
          // Counts are integers below 2^24: float holds them exactly.
          CHECK(from_float.coefficients[0](y, x) == maps.coefficients[0](y, x));
        }
      }
    }
  }

  TEST_CASE("fit_spectrum_image flags a value that is not finite wherever the fit reads it, in every layout") {
    // A two-area fit of contiguous channels reads them as it sums them and tests them only when a
    // sum is not finite; a strided view copies and tests them first. Each pixel of the first row
    // holds one bad value: NaN, +inf or -inf, in the background window (605-635 eV) or in the fit
    // window (636-690 eV); in the second row the same, in pixels whose background has no counts
    // (which alone would be background_failed). Every layout and type must say non_finite for all.
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index rows = 3;
    const Eigen::Index cols = 6;
    const Eigen::Index n = e.size();
    const auto channel_at = [&](double energy) {
      return static_cast<Eigen::Index>(std::lower_bound(e.data(), e.data() + n, energy) - e.data());
    };
    auto data = cube(e, refs, rows, cols);
    const double bad[3] = {std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
    for (Eigen::Index y = 0; y < 2; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        double* pixel = data.data() + (y * cols + x) * n;
        if (y == 1) {
          for (Eigen::Index c = channel_at(605.0); c < channel_at(635.0); ++c) {
            pixel[c] = 0;
          }
        }
        pixel[channel_at(x < 3 ? 620.0 : 660.0)] = bad[x % 3];
      }
    }
    std::vector<float> as_float(data.begin(), data.end());
    std::vector<double> planes(data.size());
    for (Eigen::Index p = 0; p < rows * cols; ++p) {
      for (Eigen::Index c = 0; c < n; ++c) {
        planes[static_cast<std::size_t>(c * rows * cols + p)] = data[static_cast<std::size_t>(p * n + c)];
      }
    }
    auto o = options();
    o.power_law.method = valence::eels::power_law_method::two_area;
    const auto check = [&](const valence::eels::spectrum_image_fit& maps) {
      CHECK(maps.failed() == 2 * cols);
      for (Eigen::Index y = 0; y < rows; ++y) {
        for (Eigen::Index x = 0; x < cols; ++x) {
          CAPTURE(y);
          CAPTURE(x);
          CHECK(maps.status_at(y, x) ==
                (y < 2 ? valence::eels::pixel_status::non_finite : valence::eels::pixel_status::ok));
        }
      }
    };
    check(valence::eels::fit_spectrum_image(
        e, valence::eels::spectrum_image_view<double>::contiguous(data.data(), rows, cols, n), refs, o));
    check(valence::eels::fit_spectrum_image(
        e, valence::eels::spectrum_image_view<float>::contiguous(as_float.data(), rows, cols, n), refs, o));
    check(valence::eels::fit_spectrum_image(
        e, valence::eels::spectrum_image_view<double>::energy_planes(planes.data(), rows, cols, n), refs, o));
  }

  TEST_CASE("fit_spectrum_image into reused maps gives the new maps' values, whatever the maps held") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index n = e.size();
    auto data = cube(e, refs, 3, 4);
    data[static_cast<std::size_t>((1 * 4 + 2) * n + 300)] = std::nan("");  // pixel (1, 2): non-finite
    for (Eigen::Index c = 0; c < 150; ++c) {                               // pixel (2, 0): no background
      data[static_cast<std::size_t>((2 * 4 + 0) * n + c)] = 0;
    }
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), 3, 4, n);
    const auto expected = valence::eels::fit_spectrum_image(e, view, refs, options());
    REQUIRE(expected.failed() == 2);
    // Maps holding another image's values: 2 x 6 pixels, then 3 x 4 with every pixel fitted.
    const auto other = cube(e, refs, 2, 6);
    valence::eels::spectrum_image_fit maps;
    valence::eels::fit_spectrum_image(e, valence::eels::spectrum_image_view<double>::contiguous(other.data(), 2, 6, n),
                                      refs, options(), maps);
    valence::eels::fit_spectrum_image(e, view, refs, options(), maps);
    CHECK(same_maps(maps, expected));
    const auto clean = cube(e, refs, 3, 4);
    const auto clean_view = valence::eels::spectrum_image_view<double>::contiguous(clean.data(), 3, 4, n);
    valence::eels::fit_spectrum_image(e, clean_view, refs, options(), maps);
    REQUIRE(maps.failed() == 0);
    valence::eels::fit_spectrum_image(e, view, refs, options(), maps);
    CHECK(same_maps(maps, expected));
    // A call that throws leaves the maps as they were.
    auto bad = options();
    bad.fit_window = {2000.0, 2100.0};
    CHECK_THROWS_AS(valence::eels::fit_spectrum_image(e, clean_view, refs, bad, maps), valence::invalid_input);
    CHECK(same_maps(maps, expected));
    // Cancelled into maps full of values: the rows not reached are NaN and cancelled.
    valence::eels::fit_spectrum_image(e, clean_view, refs, options(), maps);
    valence::eels::fit_spectrum_image(e, clean_view, refs, options(), maps,
                                      [](Eigen::Index done, Eigen::Index) { return done < 4; });
    const auto cancelled = valence::eels::fit_spectrum_image(e, clean_view, refs, options(),
                                                             [](Eigen::Index done, Eigen::Index) { return done < 4; });
    CHECK(maps.cancelled);
    CHECK(maps.failed() == 8);
    CHECK(std::isnan(maps.fraction_errors[1](2, 3)));
    CHECK(same_maps(maps, cancelled));
  }

  TEST_CASE("fit_spectrum_image reports progress by rows and stops when the callback cancels") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const auto data = cube(e, refs, 4, 3);
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), 4, 3, e.size());
    std::vector<Eigen::Index> calls;
    const auto maps =
        valence::eels::fit_spectrum_image(e, view, refs, options(), [&](Eigen::Index done, Eigen::Index total) {
          CHECK(total == 12);
          calls.push_back(done);
          return done < 6;  // stop after the second row
        });
    CHECK(calls == std::vector<Eigen::Index>{3, 6});
    CHECK(maps.cancelled);
    CHECK(maps.failed() == 6);
    CHECK(maps.status[5] == valence::eels::pixel_status::ok);
    CHECK(maps.status[6] == valence::eels::pixel_status::cancelled);
    CHECK(std::isnan(maps.coefficients[0](2, 0)));

    // 10 x 33 pixels: two bands of rows (eight and two), each of two tiles of columns (32 and one).
    // Every row is reported once, in order; cancelled at row 9 (in the second band), only that row
    // is flagged, and the rows before it hold the values of a run that was not cancelled.
    const Eigen::Index rows = 10;
    const Eigen::Index cols = 33;
    const auto five = cube(e, refs, rows, 5);
    std::vector<double> wide(static_cast<std::size_t>(rows * cols * e.size()));
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        std::copy_n(five.begin() + (y * 5 + x % 5) * e.size(), e.size(), wide.begin() + (y * cols + x) * e.size());
      }
    }
    const auto wide_view = valence::eels::spectrum_image_view<double>::contiguous(wide.data(), rows, cols, e.size());
    const auto whole = valence::eels::fit_spectrum_image(e, wide_view, refs, options());
    REQUIRE(whole.failed() == 0);
    calls.clear();
    const auto stopped =
        valence::eels::fit_spectrum_image(e, wide_view, refs, options(), [&](Eigen::Index done, Eigen::Index) {
          calls.push_back(done);
          return done < 9 * cols;
        });
    std::vector<Eigen::Index> each_row;
    for (Eigen::Index row = 1; row <= 9; ++row) {
      each_row.push_back(row * cols);
    }
    CHECK(calls == each_row);
    CHECK(stopped.failed() == cols);
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index x = 0; x < cols; ++x) {
        CAPTURE(y);
        CAPTURE(x);
        CHECK((y < 9 ? stopped.status_at(y, x) == valence::eels::pixel_status::ok
                     : stopped.status_at(y, x) == valence::eels::pixel_status::cancelled));
        CHECK((y < 9 ? stopped.coefficients[1](y, x) == whole.coefficients[1](y, x)
                     : std::isnan(stopped.coefficients[1](y, x))));
        // The repeated columns are the same spectra, fitted alike wherever they fall in a run.
        CHECK(whole.coefficients[0](y, x) == whole.coefficients[0](y, x % 5));
      }
    }
  }

  TEST_CASE("region_mean averages the finite pixels of a mask") {
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const Eigen::Index rows = 4;
    const Eigen::Index cols = 5;
    auto data = cube(e, refs, rows, cols);
    data[static_cast<std::size_t>((0 * cols + 1) * e.size() + 7)] = std::nan("");  // pixel (0, 1) is bad
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), rows, cols, e.size());
    Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> left =
        Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(rows, cols, false);
    left.leftCols(2).setConstant(true);
    Eigen::Index used = 0;
    const vector_d mean = valence::eels::region_mean(view, left, &used);
    CHECK(used == 7);  // 8 pixels, one not finite
    vector_d expected = vector_d::Zero(e.size());
    for (const auto& [y, x] :
         std::vector<std::pair<Eigen::Index, Eigen::Index>>{{0, 0}, {1, 0}, {1, 1}, {2, 0}, {2, 1}, {3, 0}, {3, 1}}) {
      expected += Eigen::Map<const vector_d>(data.data() + (y * cols + x) * e.size(), e.size());
    }
    expected /= 7.0;
    // measured: 0 (the same sums in the same order); tolerance 1e-15 relative.
    CHECK((mean - expected).cwiseAbs().maxCoeff() <= 1e-15 * expected.cwiseAbs().maxCoeff());
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::eels::region_mean(view, left.topRows(2)),
                         doctest::Contains("parameter 'mask' is 2 x 5"), invalid_input);
    Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> only_bad =
        Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(rows, cols, false);
    only_bad(0, 1) = true;
    CHECK_THROWS_WITH_AS((void)valence::eels::region_mean(view, only_bad),
                         doctest::Contains("no pixel with a finite spectrum"), invalid_input);
  }

  TEST_CASE("bin_spectrum_image sums blocks of pixels and drops the incomplete ones") {
    // 5 x 7 pixels of 3 channels, value = 100 y + 10 x + c.
    std::vector<float> values(5 * 7 * 3);
    for (Eigen::Index y = 0; y < 5; ++y) {
      for (Eigen::Index x = 0; x < 7; ++x) {
        for (Eigen::Index c = 0; c < 3; ++c) {
          values[static_cast<std::size_t>((y * 7 + x) * 3 + c)] = static_cast<float>(100 * y + 10 * x + c);
        }
      }
    }
    const auto binned = valence::eels::bin_spectrum_image(
        valence::eels::spectrum_image_view<float>::contiguous(values.data(), 5, 7, 3), 2, 3);
    CHECK(binned.rows == 2);
    CHECK(binned.cols == 2);
    // Block (1, 1): rows 2-3, columns 3-5: sum of 100 y + 10 x + c over 6 pixels (exact in double).
    const double expected = 3 * (100 * 2 + 100 * 3) + 2 * (10 * 3 + 10 * 4 + 10 * 5) + 6 * 2.0;
    CHECK(binned.view()(1, 1, 2) == expected);
    CHECK(binned.view()(0, 0, 0) == 3 * (0 + 100) + 2 * (0 + 10 + 20));
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::eels::bin_spectrum_image(
                             valence::eels::spectrum_image_view<float>::contiguous(values.data(), 5, 7, 3), 6, 1),
                         doctest::Contains("block 6 x 1 for an image of 5 x 7 pixels"), invalid_input);
  }

  TEST_CASE("fit_spectrum_image and mlls reject bad setups with messages that name them") {
    using valence::invalid_input;
    const vector_d e = eels_axis();
    const matrix_d refs = eels_references(e);
    const std::vector<double> data(static_cast<std::size_t>(2 * 2 * e.size()), 100.0);
    const auto view = valence::eels::spectrum_image_view<double>::contiguous(data.data(), 2, 2, e.size());
    CHECK_THROWS_WITH_AS((void)valence::eels::fit_spectrum_image(e.head(100), view, refs, options()),
                         doctest::Contains("'energy' has 100 values but the cube has 401 channels"), invalid_input);
    valence::eels::spectrum_image_view<double> empty;
    CHECK_THROWS_WITH_AS((void)valence::eels::fit_spectrum_image(e, empty, refs, options()),
                         doctest::Contains("expected a non-empty spectrum image"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::eels::region_mean(empty, Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>()),
                         doctest::Contains("valence::eels::region_mean: parameter 'cube' is empty"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::eels::bin_spectrum_image(empty, 1, 1),
                         doctest::Contains("valence::eels::bin_spectrum_image: parameter 'cube' is empty"),
                         invalid_input);
    auto o = options();
    o.background_window = {500.0, 520.0};
    CHECK_THROWS_WITH_AS((void)valence::eels::fit_spectrum_image(e, view, refs, o),
                         doctest::Contains("window 'background_window'"), invalid_input);
  }
}
