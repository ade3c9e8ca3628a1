#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compile-time budget of valence (GCC or the compiler in $CXX, -O0, C++17): CPU seconds (user + sys)
# of a few translation units, each the best of N runs (default 3), and the ratios the build-time
# model sets targets for. Run from anywhere; CI runs it and prints the table.
#
#   scripts/compile_times.sh [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"
cxx="${CXX:-g++}"
eigen="$(pkg-config --cflags-only-I eigen3 2>/dev/null || echo -I/usr/include/eigen3)"
flags=(-std=c++17 -O0 -I"$root/include" $eigen -c -o /dev/null)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# best_of FILE [extra flags...]: the smallest user + sys CPU time of $runs compilations.
best_of() {
  local file="$1" best="" t
  shift
  for ((i = 0; i < runs; ++i)); do
    /usr/bin/time -f "%U %S" -o "$work/time" "$cxx" "${flags[@]}" "$@" "$here/compile_times/$file"
    t=$(awk '{printf "%.2f", $1 + $2}' "$work/time")
    if [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$t"; fi
  done
  echo "$best"
}

floor=$(best_of include_floor.cpp)
umbrella=$(best_of umbrella.cpp)
eigen_fits=$(best_of eigen_qr_svd.cpp)
header_only=$(best_of central_fits.cpp)
compiled=$(best_of central_fits.cpp -DVALENCE_COMPILED_LIB)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "NOT met") }'; }
r_umbrella=$(ratio "$umbrella" "$floor")
r_header_only=$(ratio "$header_only" "$eigen_fits")
r_compiled=$(ratio "$compiled" "$floor")

echo "compile times: $cxx $("$cxx" -dumpversion), -O0, CPU s (user + sys), best of $runs"
printf '%-62s %7s\n' "translation unit" "CPU s"
printf '%-62s %7s\n' "include floor (Eigen/Dense + Boost.Math fisher_f, students_t)" "$floor"
printf '%-62s %7s\n' "valence/valence.hpp, empty main (header-only)" "$umbrella"
printf '%-62s %7s\n' "Eigen pivoted QR + JacobiSVD, each called once" "$eigen_fits"
printf '%-62s %7s\n' "least_squares + lcf + mlls called once (header-only)" "$header_only"
printf '%-62s %7s\n' "least_squares + lcf + mlls called once (compiled mode)" "$compiled"
echo
printf '%-62s %6s %8s  %s\n' "ratio" "value" "target" "verdict"
printf '%-62s %6s %8s  %s\n' "umbrella / include floor (header-only)" "$r_umbrella" "<= 2.5" "$(verdict "$r_umbrella" 2.5)"
printf '%-62s %6s %8s  %s\n' "central fits / Eigen QR + SVD file (header-only)" "$r_header_only" "<= 1.5" \
  "$(verdict "$r_header_only" 1.5)"
printf '%-62s %6s %8s  %s\n' "central fits / include floor (compiled mode)" "$r_compiled" "<= 1.5" \
  "$(verdict "$r_compiled" 1.5)"
