// SPDX-License-Identifier: MIT
// least_squares_batch must not allocate per column: the number of heap allocations of a batch of
// 16 columns and of 2,048 columns (same block size) must be equal. Allocations are counted by
// interposing malloc, calloc and realloc (glibc), so this is its own executable, built without
// sanitizers (which interpose them too).
#include <valence/fit/least_squares_batch.hpp>

#include <Eigen/Core>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
}

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
void count() {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  count();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* pointer, std::size_t size) {
  count();
  return __libc_realloc(pointer, size);
}
}

namespace {

using matrix = Eigen::MatrixXd;

matrix design(Eigen::Index m) {
  matrix a(m, 3);
  for (Eigen::Index i = 0; i < m; ++i) {
    const double e = 10.0 * double(i) / double(m);
    a(i, 0) = 1.0 / (1.0 + std::exp(-(e - 4.0) * 2.0));
    a(i, 1) = 1.0 / (1.0 + std::exp(-(e - 5.0) * 2.0)) + 0.3 * std::exp(-(e - 6.0) * (e - 6.0));
    a(i, 2) = 1.0;
  }
  return a;
}

// Mixtures with fractions spread over [-0.5, 1.5], so bounds are active in some columns and not in
// others (the active set changes from column to column) and a little deterministic "noise".
matrix data(const matrix& a, Eigen::Index p) {
  matrix y(a.rows(), p);
  for (Eigen::Index k = 0; k < p; ++k) {
    const double f = -0.5 + 2.0 * double((k * 7919) % 1000) / 1000.0;
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      y(i, k) = f * a(i, 0) + (1 - f) * a(i, 1) + 0.05 + 0.01 * std::sin(double(i * (k + 3)));
    }
  }
  return y;
}

long allocations_of(const matrix& a, const matrix& y, const valence::fit::least_squares_options<double>& o,
                    const valence::fit::batch_options<double>& b) {
  allocations = 0;
  counting = true;
  const auto r = valence::fit::least_squares_batch(a, y, o, b);
  counting = false;
  if (r.failed() != 0) {
    std::printf("unexpected: %ld columns failed\n", static_cast<long>(r.failed()));
    return -1;
  }
  return allocations.load();
}

}  // namespace

int main() {
  const matrix a = design(200);
  const matrix small = data(a, 16);
  const matrix large = data(a, 2048);
  int failures = 0;
  const auto check = [&](const std::string& label, const valence::fit::least_squares_options<double>& o,
                         valence::fit::batch_options<double> b) {
    b.block_columns = 16;
    if (b.column_weights.size() != 0) {
      b.column_weights = matrix::Ones(a.rows(), 16);
    }
    const long few = allocations_of(a, small, o, b);
    if (b.column_weights.size() != 0) {
      b.column_weights = matrix::Ones(a.rows(), 2048);
    }
    const long many = allocations_of(a, large, o, b);
    const bool ok = few > 0 && few == many;
    std::printf("%-28s %4ld allocations for 16 columns, %4ld for 2048: %s\n", label.c_str(), few, many,
                ok ? "ok" : "FAILED");
    failures += ok ? 0 : 1;
  };
  valence::fit::least_squares_options<double> none;
  valence::fit::least_squares_options<double> nonnegative;
  nonnegative.nonnegative = true;
  valence::fit::least_squares_options<double> bounded_sum;
  bounded_sum.lower = Eigen::Vector3d(0.0, 0.0, -1.0);
  bounded_sum.upper = Eigen::Vector3d(1.0, 1.0, 1.0);
  bounded_sum.sum_to = 1.05;
  valence::fit::batch_options<double> shared;
  valence::fit::batch_options<double> own;
  own.column_weights = matrix::Ones(1, 1);  // marks "per-column weights"; sized in check()
  check("unconstrained", none, shared);
  check("non-negative", nonnegative, shared);
  check("bounds + sum", bounded_sum, shared);
  check("per-column weights", none, own);
  check("per-column weights + NNLS", nonnegative, own);
  return failures == 0 ? 0 : 1;
}
#else
int main() {
  std::printf("VALENCE-SKIPPED: allocation counting needs glibc\n");
  return 0;
}
#endif
