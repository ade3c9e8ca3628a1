// SPDX-License-Identifier: MIT
// find_e0 and pre_edge against Larch's pre_edge (defaults) on real spectra: the outputs recorded in
// larch_pre_edge_reference.inc (xraylarch commit named there). Required: E0 the same grid point,
// edge step within 1e-6 relative, norm and flat within 1e-6 absolute; the ranges Larch used.
#include <valence/xas/find_e0.hpp>
#include <valence/xas/pre_edge.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/xdi_columns.hpp>

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
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

TEST_SUITE("xas") {
  TEST_CASE("pre_edge matches Larch on the reference spectra") {
    VALENCE_REQUIRE_DATA("xas/XAS-Data-Interchange/data/co_metal_rt.xdi");
    for (const auto& ref : larch_references()) {
      CAPTURE(std::string(ref.file));
      const auto columns = valence_test::read_xdi_columns((valence_test::data_dir() / ref.file).string());
      const Eigen::VectorXd energy = columns.at("energy");
      const Eigen::VectorXd mu = valence_test::xdi_mu(columns, ref.mu_column);
      REQUIRE(energy.size() == ref.n);
      CHECK(valence::xas::find_e0(energy, mu).e0 == ref.e0);
      const auto r = valence::xas::pre_edge(energy, mu);
      CHECK(r.e0 == ref.e0);
      VALENCE_CHECK_REL(ref.edge_step, r.edge_step, 1e-6, 0.0);
      CHECK(r.pre1 == doctest::Approx(ref.pre1).epsilon(1e-12));
      CHECK(r.pre2 == doctest::Approx(ref.pre2).epsilon(1e-12));
      CHECK(r.norm1 == doctest::Approx(ref.norm1).epsilon(1e-12));
      CHECK(r.norm2 == doctest::Approx(ref.norm2).epsilon(1e-12));
      CHECK(r.nnorm == ref.nnorm);
      for (std::size_t k = 0; k < ref.sample_index.size(); ++k) {
        const Eigen::Index i = ref.sample_index[k];
        CAPTURE(i);
        CHECK(std::abs(r.norm(i) - ref.norm_at[k]) <= 1e-6);
        CHECK(std::abs(r.flat(i) - ref.flat_at[k]) <= 1e-6);
      }
    }
  }
}
