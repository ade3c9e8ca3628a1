// SPDX-License-Identifier: MIT
// A parallel loop that keeps exceptions deterministic (not part of the public API).
#ifndef VALENCE_CORE_DETAIL_PARALLEL_HPP
#define VALENCE_CORE_DETAIL_PARALLEL_HPP

#include <cstddef>
#include <exception>
#include <vector>

namespace valence::core::detail {

// Runs task(0) ... task(count - 1), in parallel when compiled with OpenMP. An exception cannot leave
// an OpenMP region, so each is caught and the one of the lowest index is rethrown afterwards: the
// error is the same whatever the number of threads.
template <typename Task>
void for_each_in_parallel(std::size_t count, const Task& task) {
  std::vector<std::exception_ptr> errors(count);
  const auto total = static_cast<std::ptrdiff_t>(count);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic)
#endif
  for (std::ptrdiff_t i = 0; i < total; ++i) {
    try {
      task(static_cast<std::size_t>(i));
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  }
  for (const auto& e : errors) {
    if (e) {
      std::rethrow_exception(e);
    }
  }
}

}  // namespace valence::core::detail

#endif  // VALENCE_CORE_DETAIL_PARALLEL_HPP
