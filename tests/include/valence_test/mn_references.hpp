// SPDX-License-Identifier: MIT
// The Mn oxide reference spectra of the XAS Data Library (MnO, Mn2O3, MnO2 at room temperature),
// normalised by valence::xas::pre_edge, as LCF standards for the tests.
#ifndef VALENCE_TEST_MN_REFERENCES_HPP
#define VALENCE_TEST_MN_REFERENCES_HPP

#include <valence/xas/lcf.hpp>
#include <valence/xas/pre_edge.hpp>

#include <valence_test/accuracy.hpp>
#include <valence_test/xdi_columns.hpp>

#include <string>

namespace valence_test {

inline valence::xas::lcf_standard mn_norm(const std::string& file, const std::string& name) {
  const auto columns = read_xdi_columns((data_dir() / "xas/XASDataLibrary/data/Mn" / file).string());
  const Eigen::VectorXd energy = columns.at("energy");
  const auto edge = valence::xas::pre_edge(energy, xdi_mu(columns, "ln(i0/itrans)"));
  return {name, energy, edge.norm};
}

}  // namespace valence_test

#endif  // VALENCE_TEST_MN_REFERENCES_HPP
