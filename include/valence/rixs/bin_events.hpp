// SPDX-License-Identifier: MIT
/// \file
/// \brief Photon events to a RIXS map: events with an arrival time and an energy, a scan timeline
/// of monochromator steps, binned with live times and an account of every event left out.
#ifndef VALENCE_RIXS_BIN_EVENTS_HPP
#define VALENCE_RIXS_BIN_EVENTS_HPP

#include <valence/core/check.hpp>
#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/rixs/rixs_map.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace valence::rixs {

/// \brief Detected photons: arrival time and energy of each (one detector channel, or several
/// merged with merge_events()).
/// \ingroup rixs
struct photon_events {
  std::vector<std::int64_t> unix_ns;  ///< arrival times, ns since 1970-01-01 UTC (in time order for speed)
  vector_d energy;                    ///< eV (after pulse_calibration), one per time
};

/// \brief One step of a scan: the monochromator at one excitation energy from `begin_ns` to `end_ns`.
/// \ingroup rixs
struct scan_step {
  std::int64_t begin_ns = 0;  ///< ns since 1970, included
  std::int64_t end_ns = 0;    ///< ns since 1970, excluded
  double excitation = 0;      ///< eV
};

/// \brief Options of bin_events().
/// \ingroup rixs
struct event_binning_options {
  /// s of dead time per detected event (a TES channel cannot trigger while a record is being
  /// taken); the live time of a step is its duration minus this times its events. 0 by default.
  double dead_time_per_event = 0;
};

/// \brief The result of bin_events().
/// \ingroup rixs
///
/// Every event is accounted for: events = sum of step_events + before_first + between_steps +
/// after_last, and step_events = map counts + below_range + above_range + non_finite.
struct binned_events {
  /// counts on (distinct excitation energies ascending) × (bin centres), variance = counts; steps
  /// at the same excitation energy share a row (their counts and live times add)
  rixs_map map;
  vector_d live_time;                     ///< s, per row of the map
  std::vector<std::int64_t> step_events;  ///< events within each step's time (in the order of the steps)
  std::int64_t before_first = 0;          ///< events before the first step
  std::int64_t between_steps = 0;         ///< events in gaps between steps
  std::int64_t after_last = 0;            ///< events at or after the end of the last step
  std::int64_t below_range = 0;           ///< in a step, energy below the first edge
  std::int64_t above_range = 0;           ///< in a step, energy at or above the last edge
  std::int64_t non_finite = 0;            ///< in a step, energy NaN or infinite
};

namespace detail {

template <class = void>
void check_steps(const char* function, const std::vector<scan_step>& steps) {
  const auto fail = [&](std::size_t i, const std::string& what) {
    throw invalid_input(core::detail::message(function, "parameter 'steps' [" + std::to_string(i) + "] " + what));
  };
  if (steps.empty()) {
    throw invalid_input(core::detail::message(function, "parameter 'steps' is empty; expected at least one step"));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!(steps[i].end_ns > steps[i].begin_ns)) {
      fail(i, "runs from " + std::to_string(steps[i].begin_ns) + " to " + std::to_string(steps[i].end_ns) +
                  " ns; expected end > begin");
    }
    if (!std::isfinite(steps[i].excitation)) {
      fail(i, "has excitation " + core::detail::format_value(steps[i].excitation) + "; expected a finite energy");
    }
    if (i > 0 && steps[i].begin_ns < steps[i - 1].end_ns) {
      fail(i, "begins at " + std::to_string(steps[i].begin_ns) + " ns, before step " + std::to_string(i - 1) +
                  " ends (" + std::to_string(steps[i - 1].end_ns) +
                  " ns); expected steps in time order that do not overlap");
    }
  }
}

// The map's rows: the distinct excitation energies of the steps, in increasing order, and the row
// of each step.
struct scan_rows {
  std::vector<double> energies;
  std::vector<index> row_of;
  explicit scan_rows(const std::vector<scan_step>& steps) {
    for (const auto& step : steps) {
      energies.push_back(step.excitation);
    }
    std::sort(energies.begin(), energies.end());
    energies.erase(std::unique(energies.begin(), energies.end()), energies.end());
    for (const auto& step : steps) {
      row_of.push_back(std::lower_bound(energies.begin(), energies.end(), step.excitation) - energies.begin());
    }
  }
  [[nodiscard]] index count() const { return static_cast<index>(energies.size()); }
};

// The bins [edge_k, edge_k+1) of the emission axis: uniform edges are found by one multiplication
// settled against the edges themselves, others by binary search.
struct emission_bins {
  const vector_ref& edges;
  index count;
  double first, last, inverse_width;
  bool uniform = true;
  explicit emission_bins(const vector_ref& e)
      : edges(e), count(e.size() - 1), first(e(0)), last(e(count)), inverse_width(double(count) / (last - first)) {
    for (index k = 1; k < count && uniform; ++k) {
      uniform =
          std::abs(edges(k) - (first + double(k) / inverse_width)) <= 1e-12 * std::max(std::abs(first), std::abs(last));
    }
  }
  // The bin of energy e, or -1 after counting it as below, above or non-finite in `out`.
  template <typename Account>
  index find(double e, Account& out) const {
    if (!std::isfinite(e)) {
      ++out.non_finite;
      return -1;
    }
    if (e < first) {
      ++out.below_range;
      return -1;
    }
    if (e >= last) {
      ++out.above_range;
      return -1;
    }
    if (!uniform) {
      return (std::upper_bound(edges.data(), edges.data() + count + 1, e) - edges.data()) - 1;
    }
    index bin = std::min(static_cast<index>((e - first) * inverse_width), count - 1);
    if (bin > 0 && e < edges(bin)) {  // the product can round across an edge
      --bin;
    } else if (bin + 1 < count && e >= edges(bin + 1)) {
      ++bin;
    }
    return bin;
  }
};

// Each row's live time: the durations of its steps less the dead time of their events.
template <class = void>
vector_d live_times(const char* function, const std::vector<scan_step>& steps, const scan_rows& rows,
                    const std::vector<std::int64_t>& step_events, double dead_time) {
  vector_d live_time = vector_d::Zero(rows.count());
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const double duration = 1e-9 * double(steps[k].end_ns - steps[k].begin_ns);
    const double live = duration - dead_time * double(step_events[k]);
    if (!(live > 0)) {
      throw invalid_input(core::detail::message(
          function, "step " + std::to_string(k) + " holds " + std::to_string(step_events[k]) +
                        " events whose dead time reaches its duration of " + core::detail::format_value(duration) +
                        " s; expected a positive live time"));
    }
    live_time(rows.row_of[k]) += live;
  }
  return live_time;
}

}  // namespace detail

/// \brief Bins photon events into a RIXS map by scan step (time) and emission energy.
/// \ingroup rixs
///
/// Each event falls in the step whose [begin, end) holds its time and in the emission bin
/// [edge_k, edge_{k+1}) holding its energy (half-open, the last edge excluded). Events outside every
/// step, or outside the edges, are counted in the result, never dropped silently. Events in time
/// order are assigned by one forward walk over the steps, a run of events inside one step at a time
/// (their energies binned in one loop into the step's row); an event earlier than the one before it
/// is placed by binary search, so any order gives the same map. Uniform edges are found by
/// one multiplication, others by binary search. The map's rows are the distinct excitation energies
/// in increasing order; its live times are the steps' durations less the dead time of their events.
/// Normalise with normalize(result.map, i0, result.live_time).
/// \param events times and energies of the same length.
/// \param steps the scan: in time order, not overlapping, end > begin, finite energies.
/// \param emission_edges eV, strictly increasing, at least 2 (one more than the bins).
/// \param options dead time per event.
/// \returns the map of counts, live times and the account of the events.
/// \throws valence::invalid_input for times and energies of different lengths, an empty, unordered
///         or overlapping timeline, edges not strictly increasing or fewer than 2, a negative or
///         non-finite dead time, or a step whose dead time reaches its duration.
///
/// **Performance.** About 3 × 10⁸ events per second on one core for time-ordered events on uniform
/// bins (benchmarks/bench_bin_events.cpp reports the ratio to a bare histogram of the energies).
template <class = void>
[[nodiscard]] binned_events bin_events(const photon_events& events, const std::vector<scan_step>& steps,
                                       const vector_ref& emission_edges, const event_binning_options& options = {}) {
  constexpr const char* function = "valence::rixs::bin_events";
  if (events.unix_ns.size() != static_cast<std::size_t>(events.energy.size())) {
    throw invalid_input(core::detail::message(
        function, "parameter 'events' holds " + std::to_string(events.unix_ns.size()) + " times and " +
                      std::to_string(events.energy.size()) + " energies; expected one energy per time"));
  }
  detail::check_steps(function, steps);
  core::check_strictly_increasing(function, "emission_edges", emission_edges);
  core::check_min_size(function, "emission_edges", emission_edges, 2);
  if (!(options.dead_time_per_event >= 0) || !std::isfinite(options.dead_time_per_event)) {
    throw invalid_input(core::detail::message(function, "option 'dead_time_per_event' is " +
                                                            core::detail::format_value(options.dead_time_per_event) +
                                                            " s; expected a finite time >= 0"));
  }
  const detail::scan_rows rows(steps);
  const detail::emission_bins bins(emission_edges);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(rows.count() * bins.count), 0);  // row-major
  binned_events out;
  out.step_events.assign(steps.size(), 0);
  const std::size_t n = events.unix_ns.size();
  const std::int64_t* time = events.unix_ns.data();
  std::size_t s = 0;  // the first step that ends after the current time
  std::int64_t previous = n > 0 ? time[0] : 0;
  for (std::size_t i = 0; i < n;) {
    const std::int64_t t = time[i];
    if (t < previous) {  // out of order: start the walk again from a binary search
      s = static_cast<std::size_t>(
          std::upper_bound(steps.begin(), steps.end(), t,
                           [](std::int64_t v, const scan_step& step) { return v < step.end_ns; }) -
          steps.begin());
    }
    while (s < steps.size() && t >= steps[s].end_ns) {
      ++s;
    }
    if (s == steps.size() || t < steps[s].begin_ns) {
      ++(s == steps.size() ? out.after_last : s == 0 ? out.before_first : out.between_steps);
      previous = t;
      ++i;
      continue;
    }
    // The run of events from i on that stay in time order inside step s: their energies are
    // binned in one tight loop into the step's row.
    const std::int64_t end = steps[s].end_ns;
    std::size_t j = i + 1;
    while (j < n && time[j] >= time[j - 1] && time[j] < end) {
      ++j;
    }
    out.step_events[s] += static_cast<std::int64_t>(j - i);
    std::int64_t* row = counts.data() + rows.row_of[s] * bins.count;
    for (std::size_t k = i; k < j; ++k) {
      const index bin = bins.find(events.energy(static_cast<index>(k)), out);
      if (bin >= 0) {
        ++row[bin];
      }
    }
    previous = time[j - 1];
    i = j;
  }
  out.live_time = detail::live_times(function, steps, rows, out.step_events, options.dead_time_per_event);
  matrix_d map_counts(rows.count(), bins.count);
  for (index r = 0; r < rows.count(); ++r) {
    for (index b = 0; b < bins.count; ++b) {
      map_counts(r, b) = double(counts[static_cast<std::size_t>(r * bins.count + b)]);
    }
  }
  const vector_d centres = 0.5 * (emission_edges.head(bins.count) + emission_edges.tail(bins.count));
  out.map = rixs_map{
      Eigen::Map<const vector_d>(rows.energies.data(), rows.count()), centres, map_counts, map_counts, {}, {}, false};
  return out;
}

/// \brief The events of several detector channels as one time-ordered list (a stable merge: events
/// with equal times keep the order of the channels).
/// \ingroup rixs
/// \param channels each channel's events (times and calibrated energies); each in time order or not.
/// \returns all events in time order.
/// \throws valence::invalid_input for a channel whose times and energies differ in length.
template <class = void>
[[nodiscard]] photon_events merge_events(const std::vector<photon_events>& channels) {
  constexpr const char* function = "valence::rixs::merge_events";
  std::size_t total = 0;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    if (channels[c].unix_ns.size() != static_cast<std::size_t>(channels[c].energy.size())) {
      throw invalid_input(core::detail::message(
          function, "channel " + std::to_string(c) + " holds " + std::to_string(channels[c].unix_ns.size()) +
                        " times and " + std::to_string(channels[c].energy.size()) + " energies; expected one each"));
    }
    total += channels[c].unix_ns.size();
  }
  std::vector<std::int64_t> times;
  std::vector<double> energies;
  times.reserve(total);
  energies.reserve(total);
  for (const auto& channel : channels) {
    times.insert(times.end(), channel.unix_ns.begin(), channel.unix_ns.end());
    energies.insert(energies.end(), channel.energy.data(), channel.energy.data() + channel.energy.size());
  }
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return times[a] < times[b]; });
  photon_events out;
  out.unix_ns.resize(total);
  out.energy.resize(static_cast<index>(total));
  for (std::size_t i = 0; i < total; ++i) {
    out.unix_ns[i] = times[order[i]];
    out.energy(static_cast<index>(i)) = energies[order[i]];
  }
  return out;
}

/// \brief The scan steps of an experiment-state timeline (e.g. io::read_experiment_state()): each
/// state whose label is one of \p labels lasts until the next state change.
/// \ingroup rixs
/// \tparam StateChange any type with members `unix_ns` (integer ns) and `label` (string), such as
///         io::state_change.
/// \param states the timeline, in time order.
/// \param labels the labels that are scan steps (e.g. {"SCAN1"} or every monochromator step's label).
/// \param excitations eV, one per matching state in timeline order.
/// \returns the steps.
/// \throws valence::invalid_input when the number of matching states differs from the number of
///         energies, or a matching state is the last line (it has no end).
template <typename StateChange>
[[nodiscard]] std::vector<scan_step> steps_from_states(const std::vector<StateChange>& states,
                                                       const std::vector<std::string>& labels,
                                                       const std::vector<double>& excitations) {
  constexpr const char* function = "valence::rixs::steps_from_states";
  std::vector<scan_step> steps;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (std::find(labels.begin(), labels.end(), states[i].label) == labels.end()) {
      continue;
    }
    if (i + 1 == states.size()) {
      throw invalid_input(core::detail::message(function, "state '" + std::string(states[i].label) +
                                                              "' is the last of the timeline and has no end; "
                                                              "expected a later state change (STOP) to close it"));
    }
    steps.push_back({static_cast<std::int64_t>(states[i].unix_ns), static_cast<std::int64_t>(states[i + 1].unix_ns),
                     steps.size() < excitations.size() ? excitations[steps.size()] : 0.0});
  }
  if (steps.size() != excitations.size()) {
    throw invalid_input(core::detail::message(function, std::to_string(steps.size()) + " states match the labels and " +
                                                            std::to_string(excitations.size()) +
                                                            " excitation energies were given; expected one per state"));
  }
  return steps;
}

}  // namespace valence::rixs

#endif  // VALENCE_RIXS_BIN_EVENTS_HPP
