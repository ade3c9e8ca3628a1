// SPDX-License-Identifier: MIT
// valence::core::smooth against the smooth() of xraylarch (larch/math/utils.py, commit 0761559,
// run with numpy 1.24.2 / scipy 1.10.1 and lmfit's lineshape definitions), and boxcar against
// exact arithmetic.
#include <valence/core/smooth.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <limits>

namespace {

using valence_test::vec;

// A synthetic K edge on a non-uniform grid (eV, normalised absorption).
const Eigen::VectorXd energy =
    vec({8320.0, 8325.0, 8330.0, 8332.5, 8334.0, 8335.0, 8336.0, 8337.5, 8340.0, 8345.0, 8350.0, 8360.0});
const Eigen::VectorXd mu = vec({0.0, 0.01, 0.03, 0.1, 0.4, 0.8, 1.2, 1.1, 1.0, 0.98, 1.01, 1.0});

void check_all(const Eigen::VectorXd& expected, const Eigen::VectorXd& computed) {
  REQUIRE(computed.size() == expected.size());
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    // measured: at most 3e-16 absolute (sums of ~2000 kernel terms in another order); tolerance 1e-14.
    VALENCE_CHECK_REL(expected(i), computed(i), 1e-14, 1.0);
  }
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("smooth matches Larch with a Lorentzian kernel") {
    check_all(vec({0.03964911375611411, 0.06446329546405495, 0.14873594685905336, 0.31487181831616534,
                   0.5168926428793822, 0.6945722227150313, 0.845499275821376, 0.9341394224091988, 0.9506393786108867,
                   0.959080396044885, 0.9836521572547247, 0.9887428600690694}),
              valence::core::smooth(energy, mu, 1.5));
  }

  TEST_CASE("smooth matches Larch with a Gaussian kernel") {
    valence::core::smooth_options<double> options;
    options.shape = valence::core::kernel_shape::gaussian;
    check_all(vec({0.0015687477701747203, 0.011656897101916789, 0.06948544508739186, 0.28342285742212037,
                   0.5306483911990987, 0.7195030733387096, 0.8803921564140608, 1.0083197473719598, 1.0241618780728536,
                   0.987907779047891, 1.004565922068729, 1.0007810472931686}),
              valence::core::smooth(energy, mu, 2.0, options));
  }

  TEST_CASE("smooth matches Larch with an explicit working-grid step") {
    valence::core::smooth_options<double> options;
    options.x_step = 0.5;
    check_all(vec({0.02893732058761447, 0.04748595800934879, 0.11346198792297241, 0.2617733110453273,
                   0.5007438198166486, 0.7215946168822821, 0.9071229872340353, 0.9872841639168931, 0.9716337309231711,
                   0.968066294628386, 0.9921888582208261, 0.9927511623948563}),
              valence::core::smooth(energy, mu, 1.0, options));
  }

  TEST_CASE("smooth keeps a constant constant") {
    const Eigen::VectorXd flat = Eigen::VectorXd::Constant(energy.size(), 0.75);
    const auto s = valence::core::smooth(energy, flat, 3.0);
    for (Eigen::Index i = 0; i < s.size(); ++i) {
      VALENCE_CHECK_REL(0.75, s(i), 1e-14, 1.0);  // unit-sum kernel: rounding only
    }
  }

  TEST_CASE("smooth rejects bad input") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::core::smooth(energy, mu, 0.0), doctest::Contains("'sigma' is 0"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::smooth(energy, mu.head(5), 1.0),
                         doctest::Contains("expected equal sizes"), invalid_input);
    valence::core::smooth_options<double> options;
    options.x_step = -1.0;
    CHECK_THROWS_WITH_AS((void)valence::core::smooth(energy, mu, 1.0, options), doctest::Contains("'x_step' is -1"),
                         invalid_input);
    options.x_step = 10.0;  // a grid from 0 to 0: one point
    options.padding = 0;
    CHECK_THROWS_WITH_AS((void)valence::core::smooth(vec({0.0, 1.0}), vec({1.0, 2.0}), 1.0, options),
                         doctest::Contains("has fewer than 2 points"), invalid_input);
    options.x_step.reset();
    options.padding = -1;
    CHECK_THROWS_WITH_AS((void)valence::core::smooth(energy, mu, 1.0, options), doctest::Contains("'padding' is -1"),
                         invalid_input);
  }

  TEST_CASE("boxcar averages 2h+1 points with the end values repeated") {
    const auto y = vec({1, 2, 4, 8, 16});
    const auto s = valence::core::boxcar(y, 1);
    // exact: (1+1+2)/3, (1+2+4)/3, (2+4+8)/3, (4+8+16)/3, (8+16+16)/3
    const auto expected = vec({4.0 / 3, 7.0 / 3, 14.0 / 3, 28.0 / 3, 40.0 / 3});
    for (Eigen::Index i = 0; i < 5; ++i) {
      VALENCE_CHECK_ULP(expected(i), s(i), 1);
    }
    CHECK(valence::core::boxcar(y, 0) == y);
    CHECK_THROWS_WITH_AS((void)valence::core::boxcar(y, -1), doctest::Contains("'half_width' is -1"),
                         valence::invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::boxcar(Eigen::VectorXd(), 1), doctest::Contains("expected at least 1"),
                         valence::invalid_input);
  }
}

TEST_SUITE("core") {
  // Expected values: scipy 1.10.1, scipy.ndimage.gaussian_filter1d(y, sigma) (mode "reflect",
  // truncate 4), printed with 17 significant digits.
  TEST_CASE("gaussian_filter matches SciPy's gaussian_filter1d, including kernels wider than the data") {
    const auto y = vec({0.0, 1, 4, 2, -1, 3, 5, 2, 0.5});
    // measured: at most 2 ulp; tolerance 8 ulp (sums of up to 41 terms).
    const auto check = [](const Eigen::VectorXd& expected, const Eigen::VectorXd& computed) {
      REQUIRE(computed.size() == expected.size());
      for (Eigen::Index i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        VALENCE_CHECK_REL(expected(i), computed(i), 8 * std::numeric_limits<double>::epsilon(), 1.0);
      }
    };
    check(vec({0.98600705566471736, 1.3969851337533341, 1.753378128874445, 1.8053061342216314, 1.8955074669833742,
               2.2630007536187904, 2.4819954671059525, 2.1823175731730551, 1.7355022866046996}),
          valence::core::gaussian_filter(y, 1.5));
    // radius 20 on 9 samples: the reflection repeats.
    check(vec({1.7203588127018155, 1.734417147072786, 1.7605549086848908, 1.795428185171257, 1.8345794771900368,
               1.8731025486902755, 1.9065269547952226, 1.9310656800180914, 1.9439662856756259}),
          valence::core::gaussian_filter(y, 5.0));
    check(vec({1.3171061299141742, 1.3333143017039548, 1.3495795683818703}),
          valence::core::gaussian_filter(vec({2.0, -1, 3}), 2.5));
  }

  TEST_CASE("gaussian_filter rejects bad input") {
    using valence::invalid_input;
    CHECK_THROWS_WITH_AS((void)valence::core::gaussian_filter(Eigen::VectorXd(), 1.0),
                         doctest::Contains("valence::core::gaussian_filter"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gaussian_filter(vec({1.0, NAN}), 1.0), doctest::Contains("'y' holds nan"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gaussian_filter(vec({1.0, 2.0}), 0.0),
                         doctest::Contains("parameter 'sigma' is 0"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::core::gaussian_filter(vec({1.0, 2.0}), 1.0, -1.0),
                         doctest::Contains("parameter 'truncate' is -1"), invalid_input);
  }
}
