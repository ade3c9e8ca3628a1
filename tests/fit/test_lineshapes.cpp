// SPDX-License-Identifier: MIT
// Lineshapes: the Faddeeva function against published reference values, normalisation and
// conventions from closed forms, the Voigt profile against a direct convolution, analytic
// gradients against finite differences; lineshape_model fits with ties, error calibration and
// errors.
#include <valence/fit/lineshape_model.hpp>
#include <valence/fit/lineshapes.hpp>

#include <valence_test/accuracy.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

using valence::vector_d;
using valence::fit::lineshape;

struct faddeeva_reference {
  double x;
  double y;
  const char* re;
  const char* im;
};

// w(z) in the upper half-plane, as published with S. G. Johnson's Faddeeva package (MIT), where
// they were computed with WolframAlpha and Maple to 40+ digits.
const faddeeva_reference faddeeva_references[] = {
    {-0.4, 3., "0.1764906227004816847297495349730234591778719532788",
     "-0.02146550539468457616788719893991501311573031095617"},
    {0.6, 2., "0.2410250715772692146133539023007113781272362309451",
     "0.06087579663428089745895459735240964093522265589350"},
    {-1., 1., "0.30474420525691259245713884106959496013413834051768",
     "-0.20821893820283162728743734725471561394145872072738"},
    {-1., 9., "0.0615698507236323685519612934241429530190806818395",
     "-0.00676005783716575013073036218018565206070072304635"},
    {-0.0000000234545, 1.1234, "0.3960793007699874918961319170187598400134746631",
     "-5.593152259116644920546186222529802777409274656e-9"},
    {-3., 5.1, "0.08217199226739447943295069917990417630675021771804",
     "-0.04701291087643609891018366143118110965272615832184"},
    {-53, 30.1, "0.00457246000350281640952328010227885008541748668738",
     "-0.00804900791411691821818731763401840373998654987934"},
    {0.0, 0.12345, "0.8746342859608052666092782112565360755791467973338452", "0"},
    {11, 1, "0.00468190164965444174367477874864366058339647648741",
     "0.0510735563901306197993676329845149741675029197050"},
    {1e5, 1e5, "2.820947917809305132678577516325951485807107151e-6",
     "2.820947917668257736791638444590253942253354058e-6"},
    {1e14, 1e14, "2.82094791773878143474039725787438662716372268e-15",
     "2.82094791773878143474039725773333923127678361e-15"},
    {-6.01, 0.01, "0.00016318325137140451888255634399123461580248456",
     "-0.095232456573009287370728788146686162555021209999"},
    {2.611780000000000e+01, 4.540909610972489e+03, "0.0001242418269653279656612334210746733213167234822",
     "7.145975826320186888508563111992099992116786763e-7"},
    {0.8e7, 0.3e7, "2.318587329648353318615800865959225429377529825e-8",
     "6.182899545728857485721417893323317843200933380e-8"},
    {2.3e-8, 1.3e-8, "0.9999999853310704677583504063775310832036830015",
     "2.595272024519678881897196435157270184030360773e-8"},
    {6.3, 1e-20, "5.79246077884410284575834156425396800754409308e-18",
     "0.0907276596841273652364790985059772809093822374"},
    {1e-20, 6.3, "0.0884658993528521953466533278764830881245144368",
     "1.37088352495749125283269718778582613192166760e-22"},
    {1e-20, 16.3, "0.0345480845419190424370085249304184266813447878",
     "2.11161102895179044968099038990446187626075258e-23"},
    {9, 1e-300, "6.63967719958073440070225527042829242391918213e-36",
     "0.0630820900592582863713653132559743161572639353"},
    {6.01, 0.11, "0.00179435233208702644891092397579091030658500743634",
     "0.0951983814805270647939647438459699953990788064762"},
    {8.01, 1.01e-10, "9.09760377102097999924241322094863528771095448e-13",
     "0.0709979210725138550986782242355007611074966717"},
    {28.01, 1e-300, "7.2049510279742166460047102593255688682910274423e-304",
     "0.0201552956479526953866611812593266285000876784321"},
    {10.01, 1e-200, "3.04543604652250734193622967873276113872279682e-44",
     "0.0566481651760675042930042117726713294607499165"},
    {10.01, 0.99e-10, "0.5659928732065273429286988428080855057102069081e-12",
     "0.056648165176067504292998527162143030538756683302"},
    {1e-20, 7.01, "0.0796884251721652215687859778119964009569455462",
     "1.11474461817561675017794941973556302717225126e-22"},
    {-1, 7.01, "0.07817195821247357458545539935996687005781943386550",
     "-0.01093913670103576690766705513142246633056714279654"},
    {5.99, 7.01, "0.04670032980990449912809326141164730850466208439937",
     "0.03944038961933534137558064191650437353429669886545"},
    {1, 0, "0.36787944117144232159552377016146086744581113103176",
     "0.60715770584139372911503823580074492116122092866515"},
    {55, 0, "0", "0.010259688805536830986089913987516716056946786526145"},
    {-0.1, 0, "0.99004983374916805357390597718003655777207908125383",
     "-0.11208866436449538036721343053869621153527769495574"},
    {1e-20, 0, "0.99999999999999999999999999999999999999990000", "1.12837916709551257389615890312154517168802603e-20"},
    {0, 5e-14, "0.999999999999943581041645226871305192054749891144158", "0"},
    {0, 51, "0.0110604154853277201542582159216317923453996211744250", "0"},
};

double relative_error(double expected, double computed) {
  return expected == 0 ? std::abs(computed) : std::abs(computed - expected) / std::abs(expected);
}

}  // namespace

TEST_CASE("faddeeva matches published reference values to 1e-13 relative in each part") {
  // Measured worst: 4.3e-15 (Re w at 10.01 + 1e-200 i, which is exp(-x^2)).
  for (const auto& r : faddeeva_references) {
    CAPTURE(r.x);
    CAPTURE(r.y);
    const auto w = valence::fit::faddeeva({r.x, r.y});
    CHECK(relative_error(std::strtod(r.re, nullptr), w.real()) <= 1e-13);
    CHECK(relative_error(std::strtod(r.im, nullptr), w.imag()) <= 1e-13);
  }
  // The lower half-plane by reflection, w(z) = 2 exp(-z^2) - w(-z); reference from the same table.
  const auto lower = valence::fit::faddeeva({-0.7, -0.7});
  CHECK(relative_error(0.69504753678406939989115375989939096800793577783885, lower.real()) <= 1e-13);
  CHECK(relative_error(-1.8916411171103639136680830887017670616339912024317, lower.imag()) <= 1e-13);
}

TEST_CASE("peak lineshapes have unit-area normalisation and the documented widths") {
  // Closed forms: peak heights A/(sigma sqrt(2 pi)) and A/(pi gamma); the pseudo-Voigt's
  // Gaussian and Lorentzian parts share the FWHM 2 sigma, so it is at half height at c +- sigma.
  const double pi = 3.14159265358979323846;
  CHECK(valence::fit::gaussian(3.0, 2.0, 3.0, 0.5) == doctest::Approx(2.0 / (0.5 * std::sqrt(2 * pi))).epsilon(1e-15));
  CHECK(valence::fit::lorentzian(3.0, 2.0, 3.0, 0.5) == doctest::Approx(2.0 / (pi * 0.5)).epsilon(1e-15));
  for (const double eta : {0.0, 0.3, 1.0}) {
    const double peak = valence::fit::pseudo_voigt(1.0, 1.5, 1.0, 0.2, eta);
    CHECK(valence::fit::pseudo_voigt(1.2, 1.5, 1.0, 0.2, eta) == doctest::Approx(peak / 2).epsilon(1e-14));
    CHECK(valence::fit::pseudo_voigt(0.8, 1.5, 1.0, 0.2, eta) == doctest::Approx(peak / 2).epsilon(1e-14));
  }
  // Voigt with gamma = 0 is the Gaussian.
  for (const double x : {-2.0, 0.1, 0.7, 3.0}) {
    CHECK(valence::fit::voigt(x, 1.3, 0.2, 0.6, 0.0) ==
          doctest::Approx(valence::fit::gaussian(x, 1.3, 0.2, 0.6)).epsilon(1e-13));
  }
  // Steps: 0 -> A, half height at the centre.
  CHECK(valence::fit::arctan_step(5.0, 2.0, 5.0, 0.3) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(valence::fit::erf_step(5.0, 2.0, 5.0, 0.3) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(valence::fit::erf_step(9.0, 2.0, 5.0, 0.3) == doctest::Approx(2.0).epsilon(1e-15));
  CHECK(valence::fit::arctan_step(5.3, 2.0, 5.0, 0.3) == doctest::Approx(1.5).epsilon(1e-15));  // atan(1) = pi/4
  CHECK(std::isnan(valence::fit::gaussian(0.0, 1.0, 0.0, 0.0)));
  CHECK(std::isnan(valence::fit::voigt(0.0, 1.0, 0.0, 1.0, -0.1)));
}

TEST_CASE("voigt equals the numerical convolution of its Gaussian and Lorentzian") {
  // Independent definition: V(x) = int G(t; sigma) L(x - t; gamma) dt, composite Simpson on
  // |t| <= 12 sigma with 24,000 panels (Gaussian tail below 1e-31; quadrature error ~1e-14).
  const double sigma = 0.7;
  const double gamma = 0.4;
  const int panels = 24000;
  const double lo = -12 * sigma;
  const double h = 24 * sigma / panels;
  for (const double x : {0.0, 0.5, 2.0, 6.0}) {
    double sum = 0;
    for (int k = 0; k <= panels; ++k) {
      const double t = lo + k * h;
      const double weight = (k == 0 || k == panels) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += weight * valence::fit::gaussian(t, 1.0, 0.0, sigma) * valence::fit::lorentzian(x - t, 1.0, 0.0, gamma);
    }
    CHECK(valence::fit::voigt(x, 1.0, 0.0, sigma, gamma) == doctest::Approx(sum * h / 3).epsilon(1e-11));
  }
}

TEST_CASE("lineshape gradients equal central differences of the values") {
  const std::vector<std::pair<lineshape, std::vector<double>>> cases = {
      {lineshape::gaussian, {1.3, 0.2, 0.6}},
      {lineshape::lorentzian, {1.3, 0.2, 0.6}},
      {lineshape::pseudo_voigt, {1.3, 0.2, 0.6, 0.35}},
      {lineshape::voigt, {1.3, 0.2, 0.6, 0.25}},
      {lineshape::arctan_step, {1.3, 0.2, 0.6}},
      {lineshape::erf_step, {1.3, 0.2, 0.6}},
      {lineshape::constant, {0.7}},
      {lineshape::linear, {0.7}}};
  for (const auto& [shape, parameters] : cases) {
    CAPTURE(valence::fit::to_string(shape));
    for (const double x : {-1.1, 0.1, 0.5, 1.7}) {
      double gradient[4];
      auto p = parameters;
      valence::fit::lineshape_value(shape, x, p.data(), gradient);
      for (std::size_t j = 0; j < p.size(); ++j) {
        const double h = 1e-5;
        p[j] += h;
        const double plus = valence::fit::lineshape_value(shape, x, p.data(), nullptr);
        p[j] -= 2 * h;
        const double minus = valence::fit::lineshape_value(shape, x, p.data(), nullptr);
        p[j] += h;
        // Central-difference truncation error h^2 f'''/6 ~ 1e-10 here, rounding 1e-11.
        CHECK(gradient[j] == doctest::Approx((plus - minus) / (2 * h)).epsilon(1e-8).scale(1.0));
      }
    }
  }
}

TEST_CASE("lineshape_model recovers an L3/L2 edge with tied steps and shared widths exactly") {
  // Two white lines on a double arctan step; the L2 step is tied at half the L3 height and at the
  // spin-orbit splitting above it, the L2 line shares the L3 line's width.
  using valence::fit::lineshape_model;
  lineshape_model m;
  const auto step = m.add_parameter("step", 0.8, 0.0);
  const auto e3 = m.add_parameter("e3", 853.5);
  const auto step_width = m.add_parameter("step_width", 0.7, 1e-3);
  const auto l2_step = m.add_tied("l2_step", step, 0.5);
  const auto e2 = m.add_tied("e2", e3, 1.0, 17.3);
  m.add(lineshape::arctan_step, {step, e3, step_width});
  m.add(lineshape::arctan_step, {l2_step, e2, step_width});
  const auto a3 = m.add_parameter("a3", 3.0, 0.0);
  const auto c3 = m.add_parameter("c3", 853.0);
  const auto w = m.add_parameter("w", 0.6, 1e-3);
  const auto a2 = m.add_parameter("a2", 1.0, 0.0);
  const auto c2 = m.add_parameter("c2", 870.5);
  m.add(lineshape::gaussian, {a3, c3, w});
  m.add(lineshape::gaussian, {a2, c2, w});
  const auto offset = m.add_fixed("offset", 0.05);
  m.add(lineshape::constant, {offset});
  const vector_d truth = (vector_d(11) << 1.0, 853.2, 0.9, 0.5, 870.5, 2.5, 852.6, 0.8, 1.2, 870.1, 0.05).finished();
  // The start differs from the truth; the data are the model at the truth.
  const vector_d energy = vector_d::LinSpaced(400, 840.0, 885.0);
  const vector_d mu = m.evaluate(energy, truth);
  const auto fit = m.fit(energy, mu);
  CHECK(fit.solver.converged);
  CHECK((fit.values - truth).cwiseAbs().maxCoeff() < 1e-9);
  CHECK(fit.value("e2") == doctest::Approx(fit.value("e3") + 17.3).epsilon(1e-15));
  CHECK(fit.error("offset") == 0);
  CHECK(fit.solver.free_parameters == 8);
  CHECK((fit.components.rowwise().sum() - fit.fitted).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH_AS(static_cast<void>(fit.value("e4")), doctest::Contains("no parameter is named 'e4'"),
                       valence::invalid_input);
}

TEST_CASE("lineshape_model standard errors match the scatter of repeated noisy fits") {
  // 300 noise realisations of a Gaussian on a constant, sigma-weighted, covariance unscaled: the
  // reported errors should equal the empirical standard deviations (sampling error of a standard
  // deviation from 300 samples: 4 %; tolerance 15 %).
  using valence::fit::lineshape_model;
  lineshape_model m;
  const auto a = m.add_parameter("a", 1.0, 0.0);
  const auto c = m.add_parameter("c", 0.1);
  const auto s = m.add_parameter("s", 0.8, 1e-3);
  const auto b = m.add_parameter("b", 0.0);
  m.add(lineshape::gaussian, {a, c, s});
  m.add(lineshape::constant, {b});
  const vector_d x = vector_d::LinSpaced(120, -5.0, 5.0);
  const vector_d truth = (vector_d(4) << 2.0, 0.3, 0.7, 0.1).finished();
  const vector_d clean = m.evaluate(x, truth);
  valence::fit::lineshape_fit_options options;
  options.sigma = vector_d::Constant(x.size(), 0.02);
  options.solver.scale_covariance = false;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 0.02);
  const int trials = 300;
  vector_d mean = vector_d::Zero(4);
  vector_d square = vector_d::Zero(4);
  vector_d reported = vector_d::Zero(4);
  for (int t = 0; t < trials; ++t) {
    vector_d y = clean;
    for (auto& v : y) {
      v += noise(rng);
    }
    const auto fit = m.fit(x, y, options);
    REQUIRE(fit.solver.converged);
    mean += fit.values;
    square += fit.values.cwiseAbs2();
    reported += fit.standard_errors;
  }
  mean /= trials;
  const vector_d scatter = (square / trials - mean.cwiseAbs2()).cwiseSqrt() * std::sqrt(trials / (trials - 1.0));
  reported /= trials;
  for (int j = 0; j < 4; ++j) {
    CAPTURE(j);
    CHECK(reported(j) == doctest::Approx(scatter(j)).epsilon(0.15));
    CHECK(std::abs(mean(j) - truth(j)) < 4 * scatter(j) / std::sqrt(double(trials)));
  }
}

TEST_CASE("lineshape_model rejects bad models and data with messages that name them") {
  using valence::fit::lineshape_model;
  lineshape_model m;
  const auto a = m.add_parameter("a", 1.0);
  CHECK_THROWS_WITH_AS(m.add_parameter("a", 2.0), doctest::Contains("'a' is already taken"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add_parameter("", 2.0), doctest::Contains("name is empty"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add_parameter("b", 2.0, 3.0, 4.0), doctest::Contains("starts at 2 with bounds [3, 4]"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add_parameter("b", std::nan(""), 3.0, 4.0), doctest::Contains("non-finite value"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add_tied("t", 7, 1.0), doctest::Contains("refers to parameter 7"), valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add(lineshape::gaussian, {a}), doctest::Contains("a gaussian takes 3 parameters but 1"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(m.add(lineshape::gaussian, {a, a, 4}), doctest::Contains("refers to parameter 4"),
                       valence::invalid_input);
  const vector_d x = vector_d::LinSpaced(20, 0.0, 1.0);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.fit(x, x)), doctest::Contains("no component"), valence::invalid_input);
  const auto width = m.add_parameter("w", -1.0);
  m.add(lineshape::gaussian, {a, a, width});
  CHECK_THROWS_WITH_AS(static_cast<void>(m.fit(x, x)), doctest::Contains("not finite at the starting values"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.fit(x, vector_d::Zero(3))), doctest::Contains("'x' has 20 elements"),
                       valence::invalid_input);
  valence::fit::lineshape_fit_options options;
  options.sigma = vector_d::Zero(20);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.fit(x, x, options)), doctest::Contains("'options.sigma' holds 0"),
                       valence::invalid_input);
  options.sigma.resize(0);
  options.solver.lower = vector_d::Zero(2);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.fit(x, x, options)), doctest::Contains("carries bounds"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.evaluate(x, vector_d::Zero(1))), doctest::Contains("expected 2"),
                       valence::invalid_input);
  CHECK_THROWS_WITH_AS(static_cast<void>(m.component(x, m.start_values(), 3)), doctest::Contains("component 3"),
                       valence::invalid_input);
  lineshape_model fixed_only;
  fixed_only.add(lineshape::constant, {fixed_only.add_fixed("c", 1.0)});
  CHECK_THROWS_WITH_AS(static_cast<void>(fixed_only.fit(x, x)), doctest::Contains("no free parameter"),
                       valence::invalid_input);
}
