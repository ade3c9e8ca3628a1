#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The scale targets of the command line, measured on this machine (timings are not gated):
#  1. peak memory of `valence normalize` on a stack 4x larger than its --memory-cap, as peak RSS
#     minus the RSS of the same program describing the same file (its code and libraries);
#  2. MPI: the same per-pixel-E0 job with 1 and 2 ranks, min and median of N runs, and the speed-up;
#  3. the read rate of the stack file from the page cache (the floor of a job at scale).
#
#   benchmarks/scale.sh [build dir with apps/valence, default build/examples] [runs, default 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/examples}"
runs="${2:-3}"
cli="$build/apps/valence"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpi=(mpirun -np)
if [[ $(id -u) -eq 0 ]]; then mpi=(mpirun --allow-run-as-root -np); fi
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "min %.3f  median %.3f", v[1], v[int((NR + 1) / 2)] }'; }

echo "== 1. memory: a 512 x 512 x 120 float stack (126 MB) with --memory-cap 32M"
"$cli" synth-xanes "$work/big.h5" --rows 512 --cols 512 --energies 120 > /dev/null
/usr/bin/time -f "%M" -o "$work/base" "$cli" info "$work/big.h5" > /dev/null
/usr/bin/time -f "%M" -o "$work/peak" "$cli" normalize "$work/big.h5" -q -o "$work/maps.h5" --e0 8345 \
  --memory-cap 32M > /dev/null
base=$(cat "$work/base")
peak=$(cat "$work/peak")
awk -v b="$base" -v p="$peak" 'BEGIN { printf "peak RSS %.1f MiB, program alone %.1f MiB: the job used %.1f MiB of its 32 MiB cap (%.2f)\n", p / 1024, b / 1024, (p - b) / 1024, (p - b) / 1024 / 32 }'

echo "== 2. MPI: per-pixel E0 (Larch's search) on 256 x 256 x 60, $runs runs each"
"$cli" synth-xanes "$work/mid.h5" --rows 256 --cols 256 --energies 60 > /dev/null
for n in 1 2; do
  : > "$work/t$n"
  for ((r = 0; r < runs; ++r)); do
    /usr/bin/time -f "%e" -a -o "$work/t$n" "${mpi[@]}" "$n" "$cli" normalize "$work/mid.h5" -q --per-pixel-e0 \
      -o "$work/m$n.h5" > /dev/null
  done
  echo "  $n rank(s): $(stats < "$work/t$n") s"
done
cmp "$work/m1.h5" "$work/m2.h5" && echo "  the two map files are byte-identical"
t1=$(sort -g "$work/t1" | head -1)
t2=$(sort -g "$work/t2" | head -1)
awk -v a="$t1" -v b="$t2" 'BEGIN { printf "  speed-up of 2 ranks (min over min): %.2f (target >= 1.6)\n", a / b }'

echo "== 3. read rate of the 126 MB stack from the page cache"
cat "$work/big.h5" > /dev/null
: > "$work/read"
for ((r = 0; r < runs; ++r)); do
  /usr/bin/time -f "%e" -a -o "$work/read" cat "$work/big.h5" > /dev/null
done
best=$(sort -g "$work/read" | head -1)
awk -v t="$best" -v s="$(stat -c %s "$work/big.h5")" 'BEGIN { if (t < 0.01) t = 0.01; printf "  %.1f GB/s (best of runs; /usr/bin/time resolves 10 ms)\n", s / t / 1e9 }'
