// SPDX-License-Identifier: MIT
// normalize_stack against pre_edge and edge_energy on each pixel (the single-spectrum functions
// are tested against Larch), bad pixels, float stacks, cancellation and errors.
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/normalize_stack.hpp>
#include <valence/xas/pre_edge.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <iterator>
#include <limits>

namespace {

using valence_test::same_values;

// Pixels with an edge of amplitude 0.2..2.2 at 8338..8342 eV on a sloping background.
struct synthetic_stack {
  Eigen::VectorXd energy;
  Eigen::MatrixXd mu;
};

synthetic_stack make_stack(Eigen::Index pixels, Eigen::Index points = 400) {
  synthetic_stack s{Eigen::VectorXd::LinSpaced(points, 8150.0, 8749.0), Eigen::MatrixXd(points, pixels)};
  for (Eigen::Index p = 0; p < pixels; ++p) {
    const double amplitude = 0.2 + 2.0 * double(p % 17) / 16.0;
    const double centre = 8338.0 + 4.0 * double(p % 5) / 4.0;
    for (Eigen::Index i = 0; i < points; ++i) {
      const double e = s.energy(i);
      s.mu(i, p) = 0.5 - 1e-4 * (e - 8150.0) +
                   amplitude * (0.5 * (1 + std::tanh((e - centre) / 2.0)) +
                                0.2 * std::exp(-0.5 * std::pow((e - centre - 6.0) / 3.0, 2)));
    }
  }
  return s;
}

}  // namespace

TEST_SUITE("xas") {
  TEST_CASE("normalize_stack with a fixed E0 equals pre_edge and edge_energy pixel by pixel") {
    const auto s = make_stack(40);
    valence::xas::stack_options o;
    o.keep_norm = true;
    const auto r = valence::xas::normalize_stack(s.energy, s.mu, o);
    REQUIRE(r.failed() == 0);
    const double e0 = r.e0(0);
    for (Eigen::Index p = 0; p < 40; ++p) {
      CAPTURE(p);
      CHECK(r.status[std::size_t(p)] == valence::xas::pixel_status::ok);
      CHECK(r.e0(p) == e0);
      valence::xas::pre_edge_options single;
      single.e0 = e0;
      const auto ref = valence::xas::pre_edge(s.energy, Eigen::VectorXd(s.mu.col(p)), single);
      // the same least-squares problems through pseudo-inverses instead of QR: measured 4e-15
      VALENCE_CHECK_REL(ref.edge_step, r.edge_step(p), 1e-12, 0.0);
      CHECK((ref.norm - r.norm.col(p)).cwiseAbs().maxCoeff() <= 1e-12);
      valence::xas::edge_energy_options half;
      half.normalization = single;
      CHECK(std::abs(valence::xas::edge_energy(s.energy, Eigen::VectorXd(s.mu.col(p)), half) - r.edge_energy(p)) <=
            1e-9);
      // white line: the largest normalised value within 30 eV above E0, on the grid
      Eigen::Index top = -1;
      for (Eigen::Index i = 0; i < s.energy.size(); ++i) {
        if (s.energy(i) >= e0 && s.energy(i) <= e0 + 30 && (top < 0 || ref.norm(i) > ref.norm(top))) {
          top = i;
        }
      }
      CHECK(r.white_line_energy(p) == s.energy(top));
      CHECK(std::abs(r.white_line_height(p) - ref.norm(top)) <= 1e-12);
    }
    // Without keep_norm only the points the searches visit are normalised, by the same
    // arithmetic: the maps are identical.
    o.keep_norm = false;
    const auto lazy = valence::xas::normalize_stack(s.energy, s.mu, o);
    CHECK(lazy.norm.size() == 0);
    CHECK(lazy.edge_step == r.edge_step);
    CHECK(lazy.edge_energy == r.edge_energy);
    CHECK(lazy.white_line_energy == r.white_line_energy);
    CHECK(lazy.white_line_height == r.white_line_height);
  }

  TEST_CASE("normalize_stack with per-pixel E0 equals pre_edge on every pixel") {
    const auto s = make_stack(10);
    valence::xas::stack_options o;
    o.per_pixel_e0 = true;
    const auto r = valence::xas::normalize_stack(s.energy, s.mu, o);
    for (Eigen::Index p = 0; p < 10; ++p) {
      const auto ref = valence::xas::pre_edge(s.energy, Eigen::VectorXd(s.mu.col(p)));
      CHECK(r.e0(p) == ref.e0);
      CHECK(r.edge_step(p) == ref.edge_step);
    }
    // the edge moves by 4 eV over p % 5: E0 follows it
    CHECK(r.e0(4) > r.e0(0) + 3.0);
  }

  TEST_CASE("normalize_stack flags bad pixels and normalises the rest") {
    auto s = make_stack(12);
    s.mu(100, 3) = std::numeric_limits<double>::quiet_NaN();
    s.mu.col(7).setConstant(0.25);  // an empty part of the field of view: no edge
    // The last point, which no fit window uses (Larch's norm2 excludes it), is still checked.
    s.mu(s.mu.rows() - 1, 5) = std::numeric_limits<double>::infinity();
    // 8340 eV, at the edge: between the pre- and post-edge windows, where the step's weights are 0.
    s.mu(127, 9) = std::numeric_limits<double>::quiet_NaN();
    for (const bool per_pixel : {false, true}) {
      for (const bool step_given : {false, true}) {
        CAPTURE(per_pixel);
        CAPTURE(step_given);
        valence::xas::stack_options o;
        o.per_pixel_e0 = per_pixel;
        o.min_step = 0.05;
        if (step_given) {  // the data's own step is then not used, but their NaN still counts
          o.normalization.step = 1.0;
        }
        const auto r = valence::xas::normalize_stack(s.energy, s.mu, o);
        CHECK(r.status[3] == valence::xas::pixel_status::non_finite_data);
        CHECK(r.status[5] == valence::xas::pixel_status::non_finite_data);
        CHECK(r.status[9] == valence::xas::pixel_status::non_finite_data);
        CHECK(std::isnan(r.edge_step(3)));
        CHECK(std::isnan(r.edge_step(9)));
        CHECK(std::isnan(r.edge_energy(5)));
        if (!step_given) {
          CHECK(r.status[7] == valence::xas::pixel_status::no_edge);
          CHECK(std::isnan(r.edge_energy(7)));
          CHECK(r.failed() == 4);
          CHECK(r.status[0] == valence::xas::pixel_status::ok);
        }
      }
    }
  }

  TEST_CASE("normalize_stack on a float stack agrees with double to float precision") {
    const auto s = make_stack(20);
    const Eigen::MatrixXf mu = s.mu.cast<float>();
    const auto rf = valence::xas::normalize_stack(s.energy.cast<float>(), mu);
    const auto rd = valence::xas::normalize_stack(s.energy, s.mu);
    for (Eigen::Index p = 0; p < 20; ++p) {
      // float rounding of mu (6e-8 relative) through the fits: measured 4.5e-8; the energies
      // themselves round to 4.9e-4 eV in float at 8.3 keV: edge energy measured 5.0e-4 eV
      VALENCE_CHECK_REL(rd.edge_step(p), double(rf.edge_step(p)), 5e-7, 0.0);
      CHECK(std::abs(double(rf.edge_energy(p)) - rd.edge_energy(p)) <= 1e-3);
    }
  }

  TEST_CASE("normalize_stack stops when the progress callback cancels") {
    const auto s = make_stack(5000, 120);
    valence::xas::stack_options o;
    Eigen::Index calls = 0;
    o.progress = [&calls](Eigen::Index done, Eigen::Index total) {
      ++calls;
      CHECK(total == 5000);
      return done < 4096;  // cancel after the first block
    };
    const auto r = valence::xas::normalize_stack(s.energy, s.mu, o);
    CHECK(r.cancelled);
    CHECK(calls == 1);
    CHECK(r.status[0] == valence::xas::pixel_status::ok);
    CHECK(r.status[4999] == valence::xas::pixel_status::cancelled);
    CHECK(std::isnan(r.edge_step(4999)));
  }

  TEST_CASE("normalize_stack finds the first white-line maximum, whichever points tie") {
    // A constant pre-edge (npre = 0) makes the values the search compares mu - c0 exactly, so
    // equal mu tie exactly: the expected point is the first maximum of mu in the window, found by
    // a plain scan. The ties sit in every lane of a packet, in the packet clamped to the window's
    // end, and (with a 2 eV window) in a window shorter than a packet.
    const Eigen::VectorXd energy = Eigen::VectorXd::LinSpaced(300, 8200.0, 8499.0);  // 1 eV
    const Eigen::Index edge = 140;                                                   // 8340 eV
    const int offsets[][3] = {{2, 7, 20}, {3, 4, 5}, {5, 9, 29}, {29, 30, 30}, {0, 1, 2}, {1, 8, 16}, {6, 10, 11}};
    const Eigen::Index pixels = Eigen::Index(std::size(offsets));
    Eigen::MatrixXd mu(300, pixels);
    for (Eigen::Index p = 0; p < pixels; ++p) {
      for (Eigen::Index i = 0; i < 300; ++i) {
        mu(i, p) = i < edge ? 0.1 : (i <= edge + 30 ? 1.2 + 0.001 * double(i - edge) : 1.1);
      }
      for (const int at : offsets[p]) {
        mu(edge + at, p) = 1.6;
      }
    }
    for (const double window : {30.0, 2.0}) {
      CAPTURE(window);
      valence::xas::stack_options o;
      o.normalization.e0 = 8340.0;
      o.normalization.npre = 0;
      o.normalization.pre1 = -130;
      o.normalization.pre2 = -20;
      o.normalization.norm1 = 40;
      o.normalization.norm2 = 150;
      o.white_line_window = window;
      const auto r = valence::xas::normalize_stack(energy, mu, o);
      for (Eigen::Index p = 0; p < pixels; ++p) {
        CAPTURE(p);
        Eigen::Index first = edge;
        for (Eigen::Index i = edge; i <= edge + Eigen::Index(window); ++i) {
          first = mu(i, p) > mu(first, p) ? i : first;
        }
        CHECK(r.white_line_energy(p) == energy(first));
      }
    }
  }

  TEST_CASE("normalize_stack into reused maps gives the new maps' values, whatever the maps held") {
    auto s = make_stack(40);
    s.mu(100, 3) = std::numeric_limits<double>::quiet_NaN();
    s.mu.col(7).setConstant(0.25);  // no edge
    valence::xas::stack_options o;
    o.min_step = 0.05;
    o.keep_norm = true;
    const auto fresh = valence::xas::normalize_stack(s.energy, s.mu, o);
    REQUIRE(fresh.failed() == 2);
    // Maps that hold another stack's values, of another size, with spectra kept.
    auto other = make_stack(55);
    other.mu *= 1.7;
    valence::xas::stack_normalization<double> maps;
    valence::xas::normalize_stack(s.energy, other.mu, o, maps);
    const auto compare = [&](const valence::xas::stack_normalization<double>& reference) {
      CHECK(same_values(maps.e0, reference.e0));
      CHECK(same_values(maps.edge_step, reference.edge_step));
      CHECK(same_values(maps.edge_energy, reference.edge_energy));
      CHECK(same_values(maps.white_line_energy, reference.white_line_energy));
      CHECK(same_values(maps.white_line_height, reference.white_line_height));
      CHECK(same_values(maps.norm.reshaped(), reference.norm.reshaped()));
      CHECK(maps.status == reference.status);
      CHECK(maps.cancelled == reference.cancelled);
    };
    for (const bool per_pixel : {false, true}) {
      CAPTURE(per_pixel);
      o.per_pixel_e0 = per_pixel;
      const auto expected = valence::xas::normalize_stack(s.energy, s.mu, o);
      valence::xas::normalize_stack(s.energy, other.mu.leftCols(40), o, maps);  // same size, other values
      valence::xas::normalize_stack(s.energy, s.mu, o, maps);
      compare(expected);
    }
    // Without keep_norm the reused maps drop their spectra.
    o.per_pixel_e0 = false;
    o.keep_norm = false;
    valence::xas::normalize_stack(s.energy, s.mu, o, maps);
    CHECK(maps.norm.size() == 0);
    CHECK(same_values(maps.edge_energy, fresh.edge_energy));
    // A call that throws leaves the maps as they were.
    valence::xas::stack_options bad = o;
    bad.fraction = 2;
    CHECK_THROWS_AS(valence::xas::normalize_stack(s.energy, other.mu, bad, maps), valence::invalid_input);
    CHECK(maps.e0.size() == 40);
    CHECK(same_values(maps.edge_energy, fresh.edge_energy));
    // Cancelled into maps full of values: the pixels not reached are NaN and cancelled.
    const auto big = make_stack(5000, 120);
    valence::xas::stack_normalization<double> reused;
    valence::xas::normalize_stack(big.energy, big.mu, o, reused);
    REQUIRE(reused.failed() == 0);
    o.progress = [](Eigen::Index done, Eigen::Index) { return done < 4096; };
    valence::xas::normalize_stack(big.energy, big.mu, o, reused);
    CHECK(reused.cancelled);
    CHECK(reused.status[4095] == valence::xas::pixel_status::ok);
    CHECK(reused.status[4096] == valence::xas::pixel_status::cancelled);
    CHECK(std::isnan(reused.edge_step(4096)));
    CHECK(std::isnan(reused.e0(4999)));
    CHECK(reused.failed() == 5000 - 4096);
  }

  TEST_CASE("normalize_stack rejects bad input") {
    using valence::invalid_input;
    const auto s = make_stack(4);
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(Eigen::VectorXd(s.energy.head(399)), s.mu),
                         doctest::Contains("'stack' has 400 rows but 'energy' has 399"), invalid_input);
    valence::xas::stack_options fraction;
    fraction.fraction = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, s.mu, fraction),
                         doctest::Contains("option 'fraction' is 0"), invalid_input);
    valence::xas::stack_options step;
    step.min_step = -1;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, s.mu, step),
                         doctest::Contains("option 'min_step' is -1"), invalid_input);
    valence::xas::stack_options e0;
    e0.normalization.e0 = 100.0;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, s.mu, e0),
                         doctest::Contains("option 'e0' is 100 eV"), invalid_input);
    Eigen::MatrixXd all_bad = s.mu;
    all_bad.row(10).setConstant(std::numeric_limits<double>::quiet_NaN());
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, all_bad),
                         doctest::Contains("no pixel of 'stack' is finite"), invalid_input);
    valence::xas::stack_options window;
    window.white_line_window = 0;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, s.mu, window),
                         doctest::Contains("option 'white_line_window' is 0"), invalid_input);
    valence::xas::stack_options degree;
    degree.per_pixel_e0 = true;
    degree.normalization.nnorm = 7;
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, s.mu, degree),
                         doctest::Contains("option 'nnorm' is 7"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::normalize_stack(s.energy, Eigen::MatrixXd::Zero(400, 3)),
                         doctest::Contains("'mu' is constant"), invalid_input);
  }
}
