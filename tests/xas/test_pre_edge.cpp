// SPDX-License-Identifier: MIT
// find_e0 and pre_edge against Larch's pre_edge (defaults) on real spectra: the outputs recorded in
// larch_pre_edge_reference.inc (xraylarch commit named there). Required: E0 the same grid point,
// edge step within 1e-6 relative, norm and flat within 1e-6 absolute (measured: 1e-14, so the tests
// hold 1e-12); the ranges Larch used.
#include <valence/xas/edge_energy.hpp>
#include <valence/xas/find_e0.hpp>
#include <valence/xas/pre_edge.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/xdi_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

struct larch_reference {
  const char* file;
  const char* mu_column;
  Eigen::Index n;
  double e0;
  double edge_step;
  double pre1;
  double pre2;
  double norm1;
  double norm2;
  int nnorm;
  std::vector<Eigen::Index> sample_index;
  std::vector<double> norm_at;
  std::vector<double> flat_at;
};

const std::vector<larch_reference>& larch_references() {
  static const std::vector<larch_reference> references = {
#include "larch_pre_edge_reference.inc"
  };
  return references;
}

}  // namespace

// Calls f(energy, mu) for every transmission spectrum (mutrans, or ln(i0/itrans)) of the XDI
// files in the test data, with the file's path captured for failure messages.
template <typename F>
void for_each_transmission_spectrum(F&& f) {
  for (const char* folder : {"xas/XASDataLibrary/data", "xas/XAS-Data-Interchange/data"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(valence_test::data_dir() / folder)) {
      if (entry.path().extension() != ".xdi") {
        continue;
      }
      const auto columns = valence_test::read_xdi_columns(entry.path().string());
      if (columns.count("energy") == 0 || (columns.count("mutrans") == 0 && columns.count("itrans") == 0)) {
        continue;
      }
      CAPTURE(entry.path().string());
      const Eigen::VectorXd mu = valence_test::xdi_mu(columns, columns.count("mutrans") ? "mutrans" : "ln(i0/itrans)");
      f(columns.at("energy"), mu);
    }
  }
}

TEST_SUITE("xas") {
  TEST_CASE("pre_edge matches Larch on the reference spectra") {
    VALENCE_REQUIRE_DATA("xas/XAS-Data-Interchange/data/co_metal_rt.xdi");
    double worst_step = 0;
    double worst_norm = 0;
    for (const auto& ref : larch_references()) {
      CAPTURE(std::string(ref.file));
      const auto columns = valence_test::read_xdi_columns((valence_test::data_dir() / ref.file).string());
      const Eigen::VectorXd energy = columns.at("energy");
      const Eigen::VectorXd mu = valence_test::xdi_mu(columns, ref.mu_column);
      REQUIRE(energy.size() == ref.n);
      CHECK(valence::xas::find_e0(energy, mu).e0 == ref.e0);
      const auto r = valence::xas::pre_edge(energy, mu);
      CHECK(r.e0 == ref.e0);
      VALENCE_CHECK_REL(ref.edge_step, r.edge_step, 1e-12, 0.0);  // measured 1.3e-14
      CHECK(r.pre1 == doctest::Approx(ref.pre1).epsilon(1e-12));
      CHECK(r.pre2 == doctest::Approx(ref.pre2).epsilon(1e-12));
      CHECK(r.norm1 == doctest::Approx(ref.norm1).epsilon(1e-12));
      CHECK(r.norm2 == doctest::Approx(ref.norm2).epsilon(1e-12));
      CHECK(r.nnorm == ref.nnorm);
      for (std::size_t k = 0; k < ref.sample_index.size(); ++k) {
        const Eigen::Index i = ref.sample_index[k];
        CAPTURE(i);
        CHECK(std::abs(r.norm(i) - ref.norm_at[k]) <= 1e-12);  // measured 4.2e-14
        CHECK(std::abs(r.flat(i) - ref.flat_at[k]) <= 1e-12);
        worst_norm = std::max({worst_norm, std::abs(r.norm(i) - ref.norm_at[k]), std::abs(r.flat(i) - ref.flat_at[k])});
      }
      worst_step = std::max(worst_step, std::abs(r.edge_step - ref.edge_step) / ref.edge_step);
    }
    MESSAGE("worst edge-step relative error ", worst_step, ", worst norm/flat absolute error ", worst_norm);
  }
}

namespace {

// Normalised step 0.1 + tanh((E - 8340)/1.5)/2 + 1/2 on 8200..8700 eV in 0.5 eV steps offset by
// 0.25 eV, so that 8340 eV lies midway between two grid points. The width keeps the step flat to
// 1e-14 from 25 eV above the edge, where the default post-edge fit starts.
struct tanh_edge {
  Eigen::VectorXd energy;
  Eigen::VectorXd mu;
};

tanh_edge make_tanh_edge(double shift = 0) {
  const Eigen::Index n = 1000;
  tanh_edge out{Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const double e = 8200.25 + 0.5 * double(i);
    out.energy(i) = e + shift;
    out.mu(i) = 0.1 + 0.5 * (1 + std::tanh((e - 8340.0) / 1.5));
  }
  return out;
}

}  // namespace

TEST_SUITE("xas") {
  TEST_CASE("edge_energy on an analytic step: half-step and derivative maximum are at its centre") {
    using valence::xas::edge_definition;
    using valence::xas::edge_energy_options;
    const auto edge = make_tanh_edge();
    // tanh is odd about 8340 eV and the grid is symmetric about it: linear interpolation of the
    // half-step crossing and the parabola through the derivative's top are exact there.
    CHECK(std::abs(valence::xas::edge_energy(edge.energy, edge.mu) - 8340.0) <= 1e-9);
    edge_energy_options derivative;
    derivative.definition = edge_definition::derivative_maximum;
    CHECK(std::abs(valence::xas::edge_energy(edge.energy, edge.mu, derivative) - 8340.0) <= 1e-9);
    // 1/(1 + e^{-2x}) = 0.25 at x = -ln(3)/2: E = 8340 - 0.75 ln 3, to the error of linear
    // interpolation over 0.5 eV: bound h^2/8 f''/f' = 0.021 eV, measured 0.012 eV
    edge_energy_options quarter;
    quarter.fraction = 0.25;
    CHECK(std::abs(valence::xas::edge_energy(edge.energy, edge.mu, quarter) - (8340.0 - 0.75 * std::log(3.0))) <=
          0.021);
    // a rigid shift of the energy axis moves both by the same amount
    const auto shifted = make_tanh_edge(3.3);
    CHECK(std::abs(valence::xas::edge_energy(shifted.energy, shifted.mu) - 8343.3) <= 1e-9);
    CHECK(std::abs(valence::xas::edge_energy(shifted.energy, shifted.mu, derivative) - 8343.3) <= 1e-9);
  }

  TEST_CASE("half-step edge energies of the Mn oxides increase with the Mn oxidation state") {
    VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
    const char* files[] = {"MnO_rt_01.xdi", "Mn3O4_rt_01.xdi", "Mn2O3_rt_01.xdi", "MnO2_rt_01.xdi"};
    const double states[] = {2.0, 8.0 / 3.0, 3.0, 4.0};
    double previous = 0;
    for (int k = 0; k < 4; ++k) {
      CAPTURE(files[k]);
      const auto columns =
          valence_test::read_xdi_columns((valence_test::data_dir() / "xas/XASDataLibrary/data/Mn" / files[k]).string());
      const double e = valence::xas::edge_energy(columns.at("energy"), valence_test::xdi_mu(columns, "ln(i0/itrans)"));
      MESSAGE("Mn ", states[k], ": half-step energy ", e, " eV");
      CHECK(e > previous);
      previous = e;
    }
  }

  TEST_CASE("pre_edge runs on every spectrum of the test data and flattens it to 1 above the edge") {
    VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
    int count = 0;
    for_each_transmission_spectrum([&](const Eigen::VectorXd& energy, const Eigen::VectorXd& mu) {
      const auto r = valence::xas::pre_edge(energy, mu);
      ++count;
      CHECK(r.edge_step > 0);
      // mean of flat over the post-edge range: 1 by construction of the post-edge fit
      double sum = 0;
      int points = 0;
      for (Eigen::Index i = 0; i < energy.size(); ++i) {
        if (energy(i) >= r.e0 + r.norm1 && energy(i) < r.e0 + r.norm2) {
          sum += r.flat(i);
          ++points;
        }
      }
      REQUIRE(points > 0);
      CHECK(std::abs(sum / points - 1.0) < 0.02);
    });
    MESSAGE(count, " spectra normalised");
    CHECK(count >= 12);
  }

  TEST_CASE("find_e0's fast search finds Larch's E0 on nearly every real spectrum") {
    VALENCE_REQUIRE_DATA("xas/XASDataLibrary/data/Mn/MnO_rt_01.xdi");
    int count = 0;
    int same = 0;
    double worst = 0;        // eV
    double worst_steps = 0;  // in local grid steps
    for_each_transmission_spectrum([&](const Eigen::VectorXd& energy, const Eigen::VectorXd& mu) {
      const auto larch = valence::xas::find_e0(energy, mu);
      const auto fast = valence::xas::find_e0(energy, mu, valence::xas::e0_search::fast);
      ++count;
      same += larch.e0_index == fast.e0_index ? 1 : 0;
      worst = std::max(worst, std::abs(larch.e0 - fast.e0));
      worst_steps = std::max(worst_steps, std::abs(double(larch.e0_index - fast.e0_index)));
      CHECK(fast.e0 == energy(fast.e0_index));
      valence::xas::pre_edge_options with_fast;
      with_fast.e0_method = valence::xas::e0_search::fast;
      CHECK(valence::xas::pre_edge(energy, mu, with_fast).e0 == fast.e0);
    });
    MESSAGE(same, " of ", count, " spectra: the same E0 grid point; largest difference ", worst, " eV, ", worst_steps,
            " grid points");
    CHECK(count >= 12);
    CHECK(same >= 65);        // measured: 65 of 72 (deterministic: the data and the arithmetic are fixed)
    CHECK(worst_steps <= 1);  // measured: the other seven one grid point off (0.52 eV at most)
  }

  TEST_CASE("find_e0, pre_edge and edge_energy reject bad input") {
    using valence::invalid_input;
    const auto edge = make_tanh_edge();
    Eigen::VectorXd short_e = edge.energy.head(10);
    CHECK_THROWS_WITH_AS((void)valence::xas::find_e0(short_e, Eigen::VectorXd(edge.mu.head(10))),
                         doctest::Contains("has 10 elements; expected at least 16"), invalid_input);
    CHECK_THROWS_WITH_AS((void)valence::xas::find_e0(edge.energy, Eigen::VectorXd(edge.mu.head(999))),
                         doctest::Contains("'mu'"), invalid_input);
    Eigen::VectorXd repeated = edge.energy;
    repeated(500) = repeated(499);
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(repeated, edge.mu), doctest::Contains("'energy'"), invalid_input);
    Eigen::VectorXd holey = edge.mu;
    holey(300) = std::nan("");
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, holey), doctest::Contains("'mu'"), invalid_input);
    // all-zero mu (crashed Larch, its issue 557): a clear error
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, Eigen::VectorXd::Zero(1000)),
                         doctest::Contains("'mu' is constant (0); expected an absorption edge"), invalid_input);
    // an inverted spectrum at a given E0: Larch silently takes |step|
    valence::xas::pre_edge_options at_edge;
    at_edge.e0 = 8340.0;
    // (the step of the inverted unit edge is -1 to rounding: -1.0000000000000018 with the engine's small path)
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, Eigen::VectorXd(-edge.mu), at_edge),
                         doctest::Contains("the edge step at E0 = 8340 eV is -1.0000000000000"), invalid_input);
    valence::xas::pre_edge_options outside;
    outside.e0 = 9000.0;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, edge.mu, outside),
                         doctest::Contains("option 'e0' is 9000 eV; expected a value in [8200.25, 8699.75] eV"),
                         invalid_input);
    valence::xas::pre_edge_options degree;
    degree.nnorm = 6;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, edge.mu, degree),
                         doctest::Contains("option 'nnorm' is 6; expected 0 to 5"), invalid_input);
    valence::xas::pre_edge_options victoreen;
    victoreen.nvict = -1;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, edge.mu, victoreen),
                         doctest::Contains("option 'nvict' is -1"), invalid_input);
    valence::xas::pre_edge_options constant;
    constant.npre = 2;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, edge.mu, constant),
                         doctest::Contains("option 'npre' is 2; expected 0 or 1"), invalid_input);
    valence::xas::edge_energy_options narrow;
    narrow.definition = valence::xas::edge_definition::derivative_maximum;
    narrow.window = -1;
    CHECK_THROWS_WITH_AS((void)valence::xas::edge_energy(edge.energy, edge.mu, narrow),
                         doctest::Contains("option 'window' is -1 eV"), invalid_input);
    valence::xas::edge_energy_options unreachable;
    unreachable.fraction = 0.75;
    unreachable.normalization.step = 10.0;  // norm never exceeds 0.1
    CHECK_THROWS_WITH_AS((void)valence::xas::edge_energy(edge.energy, edge.mu, unreachable),
                         doctest::Contains("never rises through 0.75"), invalid_input);
    valence::xas::pre_edge_options step;
    step.step = 0.0;
    CHECK_THROWS_WITH_AS((void)valence::xas::pre_edge(edge.energy, edge.mu, step),
                         doctest::Contains("option 'step' is 0"), invalid_input);
    valence::xas::edge_energy_options fraction;
    fraction.fraction = 1.5;
    CHECK_THROWS_WITH_AS((void)valence::xas::edge_energy(edge.energy, edge.mu, fraction),
                         doctest::Contains("option 'fraction' is 1.5"), invalid_input);
  }

  TEST_CASE("pre_edge with the Athena preset counts norm2 back from the end of the data") {
    const auto edge = make_tanh_edge();
    const auto r = valence::xas::pre_edge(edge.energy, edge.mu, valence::xas::pre_edge_options::athena());
    CHECK(r.pre1 == edge.energy(0) - r.e0);  // -150 eV lies before the data: clipped, as Larch does
    CHECK(r.pre2 == -30.0);
    CHECK(r.norm1 == 150.0);
    CHECK(r.norm2 == doctest::Approx(edge.energy(999) - r.e0 - 100.0));
    CHECK(r.nnorm == 2);
    CHECK(r.edge_step == doctest::Approx(1.0).epsilon(1e-9));
  }

  TEST_CASE("find_energy_step selects the same steps as a full sort, whatever their order") {
    // Reference: Larch's rule written out with a full sort of the interior steps.
    const auto by_full_sort = [](const Eigen::VectorXd& en) {
      const Eigen::Index n = en.size();
      const Eigen::Index skip = static_cast<Eigen::Index>(0.01 * double(n));
      std::vector<double> steps;
      for (Eigen::Index i = skip + 1; i < n - 1 - skip; ++i) {
        steps.push_back(en(i) - en(i - 1));
      }
      std::sort(steps.begin(), steps.end());
      double sum = 0;
      for (std::size_t i = std::size_t(skip); i < std::size_t(skip) + 10; ++i) {
        sum += steps[i];
      }
      return sum / 10;
    };
    std::mt19937_64 random(11);
    std::uniform_real_distribution<double> uniform(0.05, 2.0);
    const auto grid = [](Eigen::Index n, const auto& step_of) {
      Eigen::VectorXd en(n);
      en(0) = 8000;
      for (Eigen::Index i = 1; i < n; ++i) {
        en(i) = en(i - 1) + step_of(i);
      }
      return en;
    };
    std::vector<Eigen::VectorXd> grids = {
        grid(400, [](Eigen::Index i) { return 2.0 - 0.004 * double(i); }),  // every step a new minimum
        grid(400, [](Eigen::Index i) { return 0.2 + 0.004 * double(i); }),  // the smallest first
        grid(130, [](Eigen::Index) { return 0.5; }),                        // all equal
        grid(1234, [&](Eigen::Index) { return uniform(random); }),          // no order at all
        grid(3000, [](Eigen::Index i) { return i % 7 == 0 ? 0.1 : 1.0 + 0.001 * double(i % 13); }),  // ties
    };
    for (const auto& en : grids) {
      CAPTURE(en.size());
      CHECK(valence::xas::detail::find_energy_step(en) == by_full_sort(en));  // the same values, summed in order
    }
  }

  TEST_CASE("find_e0's fast Lorentzian equals the kernel sum it documents") {
    // Reference: out_i = sum_j h_j K(E_j - E_i) y_j / sum_j h_j K(E_j - E_i) over |E_j - E_i| <= 10 w,
    // written directly, on a grid whose step more than doubles (so the offsets in reach vary).
    const Eigen::Index n = 150;
    Eigen::VectorXd en(n);
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double t = double(i) / double(n - 1);
      en(i) = 8300 + 60 * t + 25 * t * t * t;  // steps from 0.40 to 0.91 eV
      y(i) = std::sin(3 * t) + 0.1 * std::cos(40 * t);
    }
    for (const double width : {0.2, 0.67, 3.0}) {
      CAPTURE(width);
      const Eigen::VectorXd fast = valence::xas::detail::local_lorentzian(en, y, width);
      double worst = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        double sum = 0;
        double weights = 0;
        for (Eigen::Index j = 0; j < n; ++j) {
          if (std::abs(en(j) - en(i)) <= 10 * width) {
            const double h = en(std::min(j + 1, n - 1)) - en(std::max<Eigen::Index>(j - 1, 0));
            const double t = (en(j) - en(i)) / width;
            sum += h * y(j) / (1 + t * t);
            weights += h / (1 + t * t);
          }
        }
        worst = std::max(worst, std::abs(fast(i) - sum / weights));
      }
      MESSAGE("width ", width, ": largest difference ", worst);
      CHECK(worst < 1e-14);  // measured: 1.8e-15 at most (width 3); the order of the sums differs
    }
  }
}
