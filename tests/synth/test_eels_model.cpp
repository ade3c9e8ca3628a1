// SPDX-License-Identifier: MIT
// The synthetic EELS model: the reference edge's construction (zero before the edge, the 2:1
// continuum after it, the white-line heights), and a noiseless image equal to its formula.
#include <valence/synth/eels.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>

TEST_SUITE("synth") {
  TEST_CASE("l23_reference is zero before the edge, the continuum after it, and peaks at the white lines") {
    const valence::synth::l23_edge edge;
    const valence::vector_d e = 600.0 + 0.25 * valence::vector_d::LinSpaced(400, 0, 399).array();
    const auto s = valence::synth::l23_reference(e, edge);
    CHECK(s.head(135).cwiseAbs().maxCoeff() == 0);  // below 634 eV
    // 30 eV past L2 the steps are 1 to 1e-17 and the lines are gone: the continuum.
    CHECK(s(360) == doctest::Approx(edge.continuum).epsilon(1e-12));
    // At L3 the line's full height sits on 2/3 of a half-risen L3 step (the L2 step is ~0).
    CHECK(s(160) == doctest::Approx(edge.l3_height + edge.continuum * (2.0 / 3 * 0.5)).epsilon(1e-6));
  }

  TEST_CASE("synthetic_eels_image without noise is its formula, with the fraction map as given") {
    valence::synth::eels_image_model model;
    model.rows = 3;
    model.cols = 2;
    model.noise = false;
    model.fraction = [](Eigen::Index y, Eigen::Index x) { return 0.1 * double(y) + 0.4 * double(x); };
    const auto truth = valence::synth::synthetic_eels_image(model);
    CHECK(truth.fraction(2, 1) == doctest::Approx(0.6));
    const auto view = truth.image.view();
    for (Eigen::Index c = 0; c < model.channels; c += 37) {
      const double expected = model.amplitude * std::pow(truth.energy(c), -model.exponent) * model.step +
                              0.6 * truth.references(c, 0) + 0.4 * truth.references(c, 1);
      CHECK(view(2, 1, c) == doctest::Approx(expected).epsilon(1e-15));
    }
    // Poisson noise keeps the mean: the pixel sums agree with the formula within 5 sigma.
    model.noise = true;
    const auto noisy = valence::synth::synthetic_eels_image(model);
    double sum = 0;
    double expected = 0;
    for (Eigen::Index c = 0; c < model.channels; ++c) {
      sum += noisy.image.view()(2, 1, c);
      expected += view(2, 1, c);
    }
    CHECK(std::abs(sum - expected) < 5 * std::sqrt(expected));
  }
}
