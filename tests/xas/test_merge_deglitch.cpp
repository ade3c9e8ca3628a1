// SPDX-License-Identifier: MIT
// Merging (exact on linear data, Welford's precision on a large offset), deglitching (known
// spikes in noisy data, a monochromator glitch in a real V2O5 scan, nothing in clean real scans)
// and soft-XAS normalisation (exact on constructed data; flexpes-nexafs's "Area" normalisation
// reproduced on its exported Cu L-edge and O K-edge spectra).
#include <valence/xas/deglitch.hpp>
#include <valence/xas/merge.hpp>
#include <valence/xas/soft_xas.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/edges.hpp>
#include <valence_test/xdi_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

TEST_SUITE("xas") {
  TEST_CASE("merge_scans: mean, standard deviation and standard error on the first scan's grid") {
    // mu_k = a + b E + c_k on three different grids, c = -1, 0, 2: linear interpolation is exact,
    // so the mean is a + b E + 1/3 and the sample standard deviation sqrt(7/3) everywhere.
    const std::vector<Eigen::VectorXd> energies = {Eigen::VectorXd::LinSpaced(101, 100.0, 200.0),
                                                   Eigen::VectorXd::LinSpaced(77, 95.3, 210.3),
                                                   Eigen::VectorXd::LinSpaced(130, 102.1, 199.0)};
    const double offsets[] = {-1.0, 0.0, 2.0};
    std::vector<Eigen::VectorXd> mus;
    for (int k = 0; k < 3; ++k) {
      mus.emplace_back((0.5 + 0.01 * energies[std::size_t(k)].array() + offsets[k]).matrix());
    }
    const auto merged = valence::xas::merge_scans(energies, mus);
    // The overlap is [102.1, 199]: the first grid's points 103 ... 199.
    REQUIRE(merged.energy.size() == 97);
    CHECK(merged.energy(0) == 103.0);
    CHECK(merged.energy(96) == 199.0);
    CHECK(merged.scans == 3);
    for (Eigen::Index i = 0; i < merged.energy.size(); ++i) {
      CHECK(merged.mu(i) == doctest::Approx(0.5 + 0.01 * merged.energy(i) + 1.0 / 3.0).epsilon(1e-14));
      CHECK(merged.standard_deviation(i) == doctest::Approx(std::sqrt(7.0 / 3.0)).epsilon(1e-12));
      CHECK(merged.standard_error(i) == doctest::Approx(std::sqrt(7.0 / 9.0)).epsilon(1e-12));
    }
    // The cubic option reproduces a cubic polynomial exactly (not-a-knot spline), on a given grid.
    std::vector<Eigen::VectorXd> cubics;
    for (const auto& e : energies) {
      cubics.emplace_back((1e-6 * (e.array() - 150).cube() + 0.2).matrix());
    }
    valence::xas::merge_options options;
    options.interpolation = valence::xas::merge_interpolation::cubic;
    options.grid = Eigen::VectorXd::LinSpaced(11, 110.0, 190.0);
    const auto cubic = valence::xas::merge_scans(energies, cubics, options);
    for (Eigen::Index i = 0; i < 11; ++i) {
      const double x = cubic.energy(i) - 150;
      CHECK(std::abs(cubic.mu(i) - (1e-6 * x * x * x + 0.2)) <= 1e-13);
      CHECK(cubic.standard_deviation(i) <= 1e-13);
    }
  }

  TEST_CASE("merge_scans keeps the digits of a small scatter on a large value (Welford)") {
    // Values 1e8 + {0, 1e-4, 2e-4}: the naive sum-of-squares formula loses everything here
    // (1e16 squared terms against a 1e-8 variance); the exact sample deviation is 1e-4.
    const Eigen::VectorXd e = Eigen::VectorXd::LinSpaced(5, 0.0, 4.0);
    std::vector<Eigen::VectorXd> energies(3, e);
    std::vector<Eigen::VectorXd> mus = {Eigen::VectorXd::Constant(5, 1e8), Eigen::VectorXd::Constant(5, 1e8 + 1e-4),
                                        Eigen::VectorXd::Constant(5, 1e8 + 2e-4)};
    const auto merged = valence::xas::merge_scans(energies, mus);
    // 1e8 + 1e-4 is stored to 1.5e-8 (ulp of 1e8): the relative error allowed is 3e-4.
    CHECK(merged.standard_deviation(2) == doctest::Approx(1e-4).epsilon(3e-4));
  }

  TEST_CASE("merge_scans rejects bad input") {
    using valence::invalid_input;
    const Eigen::VectorXd a = Eigen::VectorXd::LinSpaced(10, 0.0, 9.0);
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(10, 20.0, 29.0);
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a}, {a}), doctest::Contains("expected at least 2"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a, b}, {a, b}), doctest::Contains("do not overlap"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a, a}, {a}), doctest::Contains("parameter 'mus' holds 1"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a, a}, {a, Eigen::VectorXd(a.head(9))}),
                         doctest::Contains("mus[1]"), invalid_input);
    Eigen::VectorXd unsorted = a;
    std::swap(unsorted(3), unsorted(4));
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a, unsorted}, {a, a}), doctest::Contains("energies[1]"),
                         invalid_input);
    valence::xas::merge_options options;
    options.grid = Eigen::VectorXd::LinSpaced(5, -1.0, 3.0);
    CHECK_THROWS_WITH_AS((void)valence::xas::merge_scans({a, a}, {a, a}, options),
                         doctest::Contains("expected it inside the overlap"), invalid_input);
  }

  TEST_CASE("find_glitches finds spikes in noisy data and nothing else; remove_points drops them") {
    const Eigen::VectorXd e = Eigen::VectorXd::LinSpaced(600, 8200.0, 8499.5);
    std::mt19937_64 generator(3);
    std::normal_distribution<double> noise(0.0, 0.002);
    Eigen::VectorXd mu(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      mu(i) = 0.3 + valence_test::tanh_step(e(i), 8340.0, 3.0) + 0.3 * std::exp(-(e(i) - 8352) * (e(i) - 8352) / 30.0) +
              noise(generator);
    }
    const auto clean = valence::xas::find_glitches(e, mu);
    CHECK(clean.empty());
    Eigen::VectorXd glitched = mu;
    glitched(100) += 0.05;  // a single spike (25 sigma) before the edge
    glitched(300) -= 0.04;  // a dip after the edge
    glitched(450) += 0.03;  // 15 sigma, well above the edge
    const auto found = valence::xas::find_glitches(e, glitched);
    CHECK(found == std::vector<Eigen::Index>{100, 300, 450});
    const auto kept = valence::xas::remove_points(e, glitched, found);
    CHECK(kept.energy.size() == 597);
    CHECK(kept.energy(100) == e(101));
    CHECK(kept.mu(100) == glitched(101));
    CHECK(kept.removed == found);
    // By energy: the grid points nearest the named energies.
    const auto by_energy = valence::xas::remove_energies(e, glitched, {8250.1, 8349.8, 8250.0});
    CHECK(by_energy.removed == std::vector<Eigen::Index>{100, 300});
    // Noiseless data: the scale is floored at rounding level, so a straight line holds no glitch,
    // a spike on it is one, and all-zero data are not divided by a zero scale.
    const Eigen::VectorXd line = (0.3 + 1e-3 * (e.array() - 8200.0)).matrix();
    CHECK(valence::xas::find_glitches(e, line).empty());
    Eigen::VectorXd spiked_line = line;
    spiked_line(250) += 1e-6;
    CHECK(valence::xas::find_glitches(e, spiked_line) == std::vector<Eigen::Index>{250});
    CHECK(valence::xas::find_glitches(e, Eigen::VectorXd::Zero(e.size())).empty());
    // Restricted to a window, only the glitches inside it are found.
    valence::xas::glitch_options window;
    window.window = valence::core::window<double>{8300.0, 8499.5};
    CHECK(valence::xas::find_glitches(e, glitched, window) == std::vector<Eigen::Index>{300, 450});
  }

  TEST_CASE("find_glitches on real scans: nothing in the Mn references, the mono glitch in V2O5") {
    VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/V/V2O5.xdi");
    const auto folder = valence_test::data_dir() / "xas/XASDataLibrary/data";
    for (const char* compound : {"MnO", "Mn3O4", "Mn2O3", "MnO2"}) {
      for (int k = 1; k <= 3; ++k) {
        const std::string file = std::string(compound) + "_rt_0" + std::to_string(k) + ".xdi";
        CAPTURE(file);
        const auto c = valence_test::read_xdi_columns((folder / "Mn" / file).string());
        const Eigen::VectorXd mu = valence_test::xdi_mu(c, "ln(i0/itrans)");
        CHECK(valence::xas::find_glitches(c.at("energy"), mu).empty());
        if (k == 1 && std::string(compound) == "MnO") {
          Eigen::VectorXd spiked = mu;
          spiked(150) += 0.02;  // 16 % of this thin sample's edge step (0.125), in the EXAFS region
          CHECK(valence::xas::find_glitches(c.at("energy"), spiked) == std::vector<Eigen::Index>{150});
        }
      }
    }
    // V2O5 (13-BM-D): I0 jumps by 10 % at 5711.7 eV while the transmitted beam follows only in
    // part, a monochromator glitch that the same beamline's VO2 and V2O3 scans share.
    const auto c = valence_test::read_xdi_columns((folder / "V/V2O5.xdi").string());
    const Eigen::VectorXd& e = c.at("energy");
    const auto found = valence::xas::find_glitches(e, valence_test::xdi_mu(c, "ln(i0/itrans)"));
    REQUIRE(found.size() == 1);
    CHECK(std::abs(e(found[0]) - 5711.667) <= 0.01);
  }

  TEST_CASE("find_glitches and remove_points reject bad input") {
    using valence::invalid_input;
    const Eigen::VectorXd e = Eigen::VectorXd::LinSpaced(50, 0.0, 49.0);
    const Eigen::VectorXd mu = e.array().sin().matrix();
    valence::xas::glitch_options options;
    options.half_width = 1;
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options),
                         doctest::Contains("option 'half_width' is 1"), invalid_input);
    options = {};
    options.degree = 6;
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options), doctest::Contains("option 'degree' is 6"),
                         invalid_input);
    options = {};
    options.threshold = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options),
                         doctest::Contains("option 'threshold' is 0"), invalid_input);
    options = {};
    options.max_run = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options), doctest::Contains("'max_run'"),
                         invalid_input);
    options = {};
    options.max_passes = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options),
                         doctest::Contains("option 'max_passes' is 0"), invalid_input);
    options = {};
    options.window = valence::core::window<double>{60.0, 70.0};
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, mu, options), doctest::Contains("window 'window'"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(Eigen::VectorXd(e.head(6)), Eigen::VectorXd(mu.head(6))),
                         doctest::Contains("expected at least 7"), invalid_input);
    Eigen::VectorXd holey = mu;
    holey(3) = std::nan("");
    CHECK_THROWS_WITH_AS((void)valence::xas::find_glitches(e, holey), doctest::Contains("'mu'"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::remove_points(e, mu, {3, 50}),
                         doctest::Contains("parameter 'points' holds index 50; expected indices in [0, 50)"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::remove_energies(e, mu, {49.5}),
                         doctest::Contains("parameter 'energies' holds 49.5 eV"), invalid_input);
  }

  TEST_CASE("soft_normalize: I0 division, pre-edge line and the four normalisations") {
    // y = I0 * (0.2 + 0.001 (E - 630) + 2 s(E)) with s a known shape that is 0 below 635 eV: the
    // pre-edge line is recovered exactly and every normalisation follows by hand.
    const Eigen::VectorXd e = Eigen::VectorXd::LinSpaced(351, 630.0, 665.0);
    Eigen::VectorXd shape(e.size()), i0(e.size()), raw(e.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      const double x = e(i) - 640.0;
      shape(i) = e(i) < 635.0
                     ? 0.0
                     : valence_test::tanh_step(e(i), 642.0, 1.0) * (1 - std::exp(-(e(i) - 635.0))) + std::exp(-x * x);
      i0(i) = 1e5 * (1 + 0.1 * std::sin(e(i)));
      raw(i) = i0(i) * (0.2 + 0.001 * (e(i) - 630.0) + 2 * shape(i));
    }
    valence::xas::soft_xas_options options;
    options.pre_edge = valence::core::window<double>{630.0, 634.9};
    const auto maximum = valence::xas::soft_normalize(e, raw, i0, options);
    CHECK(maximum.pre_intercept == doctest::Approx(0.2).epsilon(1e-12));
    CHECK(maximum.pre_slope == doctest::Approx(0.001).epsilon(1e-9));
    CHECK(maximum.scale == doctest::Approx(2 * shape.maxCoeff()).epsilon(1e-12));
    CHECK((maximum.norm - shape / shape.maxCoeff()).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK((maximum.signal - raw.cwiseQuotient(i0)).cwiseAbs().maxCoeff() == 0.0);

    options.method = valence::xas::soft_normalization::post_edge;
    options.post_edge = valence::core::window<double>{655.0, 665.0};
    const auto post = valence::xas::soft_normalize(e, raw, i0, options);
    const double tail = shape.tail(101).mean();  // 655.0 ... 665.0
    CHECK((post.norm - shape / tail).cwiseAbs().maxCoeff() <= 1e-12);

    options.method = valence::xas::soft_normalization::area;
    const auto area = valence::xas::soft_normalize(e, raw, i0, options);
    double integral = 0;
    for (Eigen::Index i = 0; i + 1 < e.size(); ++i) {
      integral += 0.5 * (e(i + 1) - e(i)) * (shape(i) + shape(i + 1));
    }
    CHECK((area.norm - shape / integral).cwiseAbs().maxCoeff() <= 1e-12);

    options.method = valence::xas::soft_normalization::min_max;
    options.subtract_pre_edge = false;  // min-max of the I0-normalised signal itself
    const auto range = valence::xas::soft_normalize(e, raw, i0, options);
    const Eigen::VectorXd y = raw.cwiseQuotient(i0);
    CHECK(range.offset == y.minCoeff());
    CHECK((range.norm - ((y.array() - y.minCoeff()) / (y.maxCoeff() - y.minCoeff())).matrix()).cwiseAbs().maxCoeff() <=
          1e-15);
    CHECK(range.norm.minCoeff() == 0.0);
  }

  TEST_CASE("soft_normalize reproduces flexpes-nexafs's area normalisation of real TEY and PFY spectra") {
    VALENCE_REQUIRE_DATA("xas/derived/flexpes_library_exports/library_000003_Cu_L23_CuO_b107a_em_03_ch1.txt");
    // flexpes-nexafs (commit in SOURCES.md) stored these CuO spectra "post_normalization: Area":
    // the trapezoid integral over the whole scan is 1 (measured 0.9999992 to 0.9999998 on the
    // eight-digit export). Re-normalising any multiple of them by area must give them back to that
    // rounding: 1e-6 relative.
    for (const char* file :
         {"library_000001_O_K_CuO_b107a_em_03_ch1.txt", "library_000002_O_K_CuO_xspress3mini_roi1_dtc.txt",
          "library_000003_Cu_L23_CuO_b107a_em_03_ch1.txt", "library_000004_Cu_L23_CuO_xspress3mini_roi1_dtc.txt"}) {
      CAPTURE(file);
      std::ifstream in((valence_test::data_dir() / "xas/derived/flexpes_library_exports" / file).string());
      std::vector<double> energy, intensity;
      for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        double a = 0, b = 0;
        if (line[0] != '#' && fields >> a >> b) {
          energy.push_back(a);
          intensity.push_back(b);
        }
      }
      const Eigen::Map<Eigen::VectorXd> e(energy.data(), Eigen::Index(energy.size()));
      const Eigen::Map<Eigen::VectorXd> y(intensity.data(), Eigen::Index(intensity.size()));
      valence::xas::soft_xas_options options;
      options.subtract_pre_edge = false;
      options.method = valence::xas::soft_normalization::area;
      const auto r = valence::xas::soft_normalize(e, Eigen::VectorXd(3.7e4 * y), options);
      CHECK(r.scale == doctest::Approx(3.7e4).epsilon(1e-6));
      CHECK((r.norm - y).cwiseAbs().maxCoeff() <= 1e-6 * y.cwiseAbs().maxCoeff());
    }
  }

  TEST_CASE("soft_normalize rejects bad input") {
    using valence::invalid_input;
    const Eigen::VectorXd e = Eigen::VectorXd::LinSpaced(100, 630.0, 660.0);
    const Eigen::VectorXd y = (e.array() - 630.0).matrix();
    Eigen::VectorXd i0 = Eigen::VectorXd::Ones(100);
    i0(7) = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, y, i0), doctest::Contains("'i0'"), invalid_input);
    valence::xas::soft_xas_options options;
    options.method = valence::xas::soft_normalization::post_edge;
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, y, options),
                         doctest::Contains("option 'post_edge' is not set"), invalid_input);
    options.post_edge = valence::core::window<double>{670.0, 680.0};
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, y, options), doctest::Contains("window 'post_edge'"),
                         invalid_input);
    options = {};
    options.pre_edge = valence::core::window<double>{630.0, 630.1};  // one point
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, y, options), doctest::Contains("window 'pre_edge'"),
                         invalid_input);
    options = {};
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, Eigen::VectorXd(-y), options),
                         doctest::Contains("the maximum after pre-edge subtraction is"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, Eigen::VectorXd(y.head(50)), options),
                         doctest::Contains("'signal'"), invalid_input);
    options.subtract_pre_edge = false;
    options.method = valence::xas::soft_normalization::min_max;
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, Eigen::VectorXd::Constant(100, 2.0), options),
                         doctest::Contains("the range max - min is 0"), invalid_input);
    options.method = valence::xas::soft_normalization::area;
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, Eigen::VectorXd(-y), options),
                         doctest::Contains("the area is"), invalid_input);
    options.method = valence::xas::soft_normalization::post_edge;
    options.post_edge = valence::core::window<double>{650.0, 660.0};
    CHECK_THROWS_WITH_AS((void)valence::xas::soft_normalize(e, Eigen::VectorXd(-y), options),
                         doctest::Contains("the post-edge mean is"), invalid_input);
  }
}
