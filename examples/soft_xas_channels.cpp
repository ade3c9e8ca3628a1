// SPDX-License-Identifier: MIT
// Soft-XAS normalisation as in the Li/Mn-rich cathode study: the Mn L2,3 edge recorded at once in
// total electron yield (TEY, surface), total fluorescence yield (TFY, bulk, self-absorbed) and
// partial fluorescence yield (PFY). Each channel is divided by I0, a straight line fitted before
// the edge is subtracted and the result is normalised to its maximum; the same channel is also
// shown area-normalised. The channels are treated identically, so their differences are physics.
//
//   soft_xas_channels [file]
//
// file: whitespace-separated columns  energy  i0  tey  tfy  pfy  ('#' comments). Without a file,
// a synthetic Mn L edge (L3 at 640.0 eV, L2 at 651.0 eV) with a drifting I0 is used; its TFY is
// saturated, which lowers the L3/L2 ratio the other channels agree on.
#include <valence/core/window.hpp>
#include <valence/io/columns.hpp>
#include <valence/xas/soft_xas.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct channels {
  Eigen::VectorXd energy, i0, tey, tfy, pfy;
};

double mn_l_edge(double e) {
  const auto peak = [e](double centre, double width) { return std::exp(-std::pow((e - centre) / width, 2)); };
  const auto step = [e](double centre) { return 0.5 + std::atan((e - centre) / 0.5) / 3.14159265358979323846; };
  return 1.0 * peak(640.0, 0.9) + 0.45 * peak(642.2, 1.2) + 0.5 * peak(651.0, 1.3) + 0.12 * step(641.0) +
         0.06 * step(652.0);
}

channels synthetic() {
  channels c;
  const int n = 451;
  c.energy = Eigen::VectorXd::LinSpaced(n, 630.0, 675.0);
  c.i0.resize(n);
  c.tey.resize(n);
  c.tfy.resize(n);
  c.pfy.resize(n);
  for (int i = 0; i < n; ++i) {
    const double e = c.energy(i);
    const double s = mn_l_edge(e);
    c.i0(i) = 2e-10 * (1.0 - 0.004 * (e - 630.0)) * (1 + 0.02 * std::sin(e / 3.0));  // drain current, A
    c.tey(i) = c.i0(i) * (0.08 + 0.002 * (e - 630.0) + s) * 0.3;                     // with a sloping background
    c.tfy(i) = c.i0(i) * (0.02 + 0.6 * s / (1 + 0.9 * s)) * 5e12;                    // saturated
    c.pfy(i) = c.i0(i) * (0.01 + s) * 2e12;
  }
  return c;
}

channels read_channels(const char* path) {
  const auto table = valence::io::read_columns(path);
  if (table.values.cols() < 5) {
    throw valence::parse_error(
        path, 0, "found " + std::to_string(table.values.cols()) + " columns; expected 5: energy i0 tey tfy pfy");
  }
  const auto& v = table.values;
  return {v.col(0), v.col(1), v.col(2), v.col(3), v.col(4)};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const channels c = argc > 1 ? read_channels(argv[1]) : synthetic();
    const double first = c.energy(0);
    valence::xas::soft_xas_options options;  // linear pre-edge, normalised to the maximum
    options.pre_edge = valence::core::window<double>{first, first + 5.0};
    valence::xas::soft_xas_options by_area = options;
    by_area.method = valence::xas::soft_normalization::area;
    const struct {
      const char* name;
      const Eigen::VectorXd& signal;
    } list[] = {{"TEY", c.tey}, {"TFY", c.tfy}, {"PFY", c.pfy}};
    for (const auto& channel : list) {
      const auto r = valence::xas::soft_normalize(c.energy, channel.signal, c.i0, options);
      const auto area = valence::xas::soft_normalize(c.energy, channel.signal, c.i0, by_area);
      Eigen::Index top = 0;
      r.norm.maxCoeff(&top);
      // L2 maximum: the largest value 8-14 eV above the L3 maximum.
      Eigen::Index l2 = top;
      for (Eigen::Index i = top; i < r.norm.size(); ++i) {
        const double de = c.energy(i) - c.energy(top);
        if (de >= 8.0 && de <= 14.0 && (l2 == top || r.norm(i) > r.norm(l2))) {
          l2 = i;
        }
      }
      std::printf(
          "%s: pre-edge slope %+.3e per eV, L3 maximum at %.1f eV, L2 maximum %.3f (L3/L2 %.2f), "
          "area-normalised L3 %.4f per eV\n",
          channel.name, r.pre_slope, c.energy(top), r.norm(l2), 1.0 / r.norm(l2), area.norm(top));
    }
    return 0;
  } catch (const valence::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
