// SPDX-License-Identifier: MIT
/// \file
/// \brief Finite volumes for diffusion with a content-dependent coefficient in a slab or a
/// sphere, driven by a piecewise-constant surface flux (synth::synthetic_gitt() with
/// gitt_experiment::diffusivity_of_content).
#ifndef VALENCE_SYNTH_DETAIL_VARIABLE_DIFFUSION_HPP
#define VALENCE_SYNTH_DETAIL_VARIABLE_DIFFUSION_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace valence::synth::detail {

// dc/dt = div(D(c) grad c) on cells that shrink geometrically towards the exchanging surface (the
// early response of a pulse lives in a layer sqrt(D t) thick), with the mean content changing at a
// prescribed rate through the surface. Time steps are theta-scheme: two backward-Euler steps after
// each switch of the rate damp the kink (Rannacher), Crank-Nicolson after that; the coefficient
// is frozen at the latest iterate (Picard) until the contents stop changing.
class variable_diffusion {
 public:
  // `spherical`: radius `size`, else a slab of thickness `size` sealed at 0. `content` is uniform.
  variable_diffusion(bool spherical, double size, double content, std::function<double(double)> diffusivity)
      : diffusivity_(std::move(diffusivity)) {
    constexpr int cells = 200;
    constexpr double growth = 1.05;  // width ratio of neighbouring cells, inwards
    const double finest = size * (growth - 1) / (std::pow(growth, cells) - 1);
    std::vector<double> faces(cells + 1);
    faces[cells] = size;
    for (int k = cells - 1; k >= 0; --k) {
      faces[k] = faces[k + 1] - finest * std::pow(growth, cells - 1 - k);
    }
    faces[0] = 0;
    const auto area = [&](double r) { return spherical ? r * r : 1.0; };
    const auto volume = [&](double a, double b) { return spherical ? (b * b * b - a * a * a) / 3 : b - a; };
    volume_.resize(cells);
    std::vector<double> centre(cells);
    for (int i = 0; i < cells; ++i) {
      volume_[i] = volume(faces[i], faces[i + 1]);
      centre[i] = 0.5 * (faces[i] + faces[i + 1]);
    }
    total_volume_ = volume(0, size);
    // conductance_[i]: area over distance between the centres of cells i - 1 and i (0 at the centre).
    conductance_.assign(cells + 1, 0.0);
    for (int i = 1; i < cells; ++i) {
      conductance_[i] = area(faces[i]) / (centre[i] - centre[i - 1]);
    }
    surface_area_ = area(size);
    surface_half_width_ = size - centre[cells - 1];
    content_.assign(cells, content);
  }

  // Advances by dt with the mean content changing at `rate` per second; `implicitness` is 1
  // (backward Euler) or 0.5 (Crank-Nicolson).
  void advance(double dt, double rate, double implicitness) {
    const std::size_t n = content_.size();
    const auto face_d = [&](const std::vector<double>& c, std::size_t i) { return at(0.5 * (c[i - 1] + c[i])); };
    // The explicit part of the flux balance, from the contents at the start of the step.
    std::vector<double>& explicit_part = explicit_part_;
    explicit_part.assign(n, 0.0);
    for (std::size_t i = 1; i < n; ++i) {
      const double flow = conductance_[i] * face_d(content_, i) * (content_[i] - content_[i - 1]);
      explicit_part[i - 1] += flow;
      explicit_part[i] -= flow;
    }
    const double inflow = rate * total_volume_;  // through the surface, per unit solid angle or area
    std::vector<double>& next = next_;
    next = content_;
    std::vector<double>& solved = solved_;
    lower_.resize(n);
    diagonal_.resize(n);
    upper_.resize(n);
    rhs_.resize(n);
    solved.resize(n);
    double* lower = lower_.data();
    double* diagonal = diagonal_.data();
    double* upper = upper_.data();
    double* rhs = rhs_.data();
    constexpr int max_iterations = 50;
    double previous_change = std::numeric_limits<double>::infinity();
    for (int iteration = 0;; ++iteration) {
      for (std::size_t i = 0; i < n; ++i) {
        diagonal[i] = volume_[i] / dt;
        lower[i] = upper[i] = 0;
        rhs[i] = volume_[i] / dt * content_[i] + (1 - implicitness) * explicit_part[i];
      }
      rhs[n - 1] += inflow;
      for (std::size_t i = 1; i < n; ++i) {
        const double g = implicitness * conductance_[i] * face_d(next, i);
        diagonal[i - 1] += g;
        diagonal[i] += g;
        upper[i - 1] = -g;
        lower[i] = -g;
      }
      // Thomas algorithm (the matrix is diagonally dominant).
      for (std::size_t i = 1; i < n; ++i) {
        const double m = lower[i] / diagonal[i - 1];
        diagonal[i] -= m * upper[i - 1];
        rhs[i] -= m * rhs[i - 1];
      }
      solved[n - 1] = rhs[n - 1] / diagonal[n - 1];
      for (std::size_t i = n - 1; i-- > 0;) {
        solved[i] = (rhs[i] - upper[i] * solved[i + 1]) / diagonal[i];
      }
      double change = 0;
      for (std::size_t i = 0; i < n; ++i) {
        change = std::max(change, std::abs(solved[i] - next[i]));
      }
      next.swap(solved);
      // Contents are of order one; the solve's rounding leaves changes of ~1e-12 that no further
      // iteration removes, so a change that stops halving below 1e-10 has converged too.
      if (change <= 1e-12 || (change < 1e-10 && change > 0.5 * previous_change)) {
        break;
      }
      previous_change = change;
      if (iteration == max_iterations) {
        throw invalid_input(core::detail::message(
            "valence::synth::synthetic_gitt", "the content-dependent diffusion did not converge in a time step of " +
                                                  core::detail::format_value(dt) + " s (last change " +
                                                  core::detail::format_value(change) +
                                                  "); expected a diffusivity that varies smoothly with the content"));
      }
    }
    // The scheme conserves lithium exactly, but at time steps far above the smallest cell's
    // diffusion time the system is nearly singular (a Neumann Laplacian) and the solve's rounding
    // moves the mean by up to ~1e-9: restore it by a uniform shift.
    double before = 0;
    double after = 0;
    for (std::size_t i = 0; i < n; ++i) {
      before += volume_[i] * content_[i];
      after += volume_[i] * next[i];
    }
    const double shift = (before + dt * inflow - after) / total_volume_;
    for (double& c : next) {
      c += shift;
    }
    content_.swap(next);
    rate_ = rate;
  }

  // The content at the surface: the last cell's, extrapolated along the surface gradient.
  [[nodiscard]] double surface() const {
    const double last = content_.back();
    return last + rate_ * total_volume_ / surface_area_ * surface_half_width_ / at(last);
  }

  // The rate of the surface flux in force (for surface()).
  void set_rate(double rate) { rate_ = rate; }

 private:
  // The diffusivity at a content, checked: a non-positive or non-finite value would make the
  // scheme silently unstable.
  [[nodiscard]] double at(double content) const {
    const double d = diffusivity_(content);
    if (!(d > 0) || !std::isfinite(d)) {
      throw invalid_input(core::detail::message(
          "valence::synth::synthetic_gitt", "diffusivity_of_content(" + core::detail::format_value(content) + ") is " +
                                                core::detail::format_value(d) +
                                                " cm^2/s; expected a positive finite value"));
    }
    return d;
  }

  std::function<double(double)> diffusivity_;
  std::vector<double> volume_;
  std::vector<double> conductance_;
  std::vector<double> content_;
  double total_volume_ = 0;
  double surface_area_ = 0;
  double surface_half_width_ = 0;
  double rate_ = 0;
  // Work space of advance(), kept to avoid allocating in every time step.
  std::vector<double> explicit_part_, next_, solved_, lower_, diagonal_, upper_, rhs_;
};

}  // namespace valence::synth::detail

#endif  // VALENCE_SYNTH_DETAIL_VARIABLE_DIFFUSION_HPP
