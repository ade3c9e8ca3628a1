#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of valence::io (the 'fuzz' preset: clang, ASan + UBSan) and runs
# each for a bounded time from a seed corpus: the small seeds in fuzz/seeds, generated DM files,
# and the real files of ../shared/data when that folder is present (they are copied into the
# build folder, never into the repository). Any crash, sanitizer report, leak, timeout or
# out-of-memory stops the script with the failing input saved under build/fuzz/artifacts.
#
#   scripts/fuzz.sh [seconds per reader, default 60] [seed, default 1]
#
# The fixed default seed makes a CI run repeat the search a developer ran before committing (up to
# the machine's speed); search further with more seconds or other seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
seed=${2:-1}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
build=build/fuzz
data=../shared/data
rm -rf "$build/corpus" "$build/artifacts"
mkdir -p "$build/artifacts"
seed() {  # seed <reader> <files...>: copy the files that exist into the reader's corpus
  local reader=$1
  shift
  mkdir -p "$build/corpus/$reader"
  for f in "$@"; do
    if [[ -f $f ]]; then cp "$f" "$build/corpus/$reader/"; fi
  done
}
seed xdi fuzz/seeds/xdi/* "$data"/xas/XAS-Data-Interchange/data/*.xdi "$data"/xas/XAS-Data-Interchange/baddata/*.xdi
seed columns fuzz/seeds/columns/* "$data"/xas/derived/athena_prj_exports/Mn__0*.txt
seed msa fuzz/seeds/msa/* "$data"/eels/exspy/examples/*.msa
seed biologic fuzz/seeds/biologic/* "$data"/gitt/yadg/tests/test_x_eclab/gcpl.issue_149.mpt
seed dm "$data"/eels/rosettasciio/rsciio/tests/data/digitalmicrograph/*/*.dm[34]
"$build/fuzz/make_dm_seeds" "$build/corpus/dm"
seed off "$data"/rixs/mass/tests/off/data_for_test/nsls2_2024_pulses/*_experiment_state.txt
"$build/fuzz/make_off_seeds" "$build/corpus/off"
fuzz() {  # fuzz <reader>: one reader for the time given; its exit status goes to <reader>.status
  local reader=$1 status=0
  # -max_len keeps the mutations fast (the real files are up to a few hundred kilobytes);
  # -rss_limit_mb catches allocation bombs; -timeout catches hangs.
  "$build/fuzz/fuzz_$reader" "$build/corpus/$reader" -seed="$seed" -max_total_time="$seconds" -max_len=16384 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$build/artifacts/$reader-" \
    >"$build/artifacts/$reader.log" 2>&1 || status=$?
  echo "$status" >"$build/artifacts/$reader.status"
}
# One reader per core at a time: each fuzzer is single-threaded, and -max_total_time is wall time,
# so running them side by side keeps every reader's search as long and halves the step on 2 cores.
readers=(xdi columns msa biologic dm off)
for reader in "${readers[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
  echo "fuzzing $reader for $seconds s from $(ls "$build/corpus/$reader" | wc -l) seeds"
  fuzz "$reader" &
done
wait
for reader in "${readers[@]}"; do
  status=$(cat "$build/artifacts/$reader.status")
  echo "$reader:"
  grep -E "^(Done|stat::number_of_executed_units)" "$build/artifacts/$reader.log" || true
  if ((status != 0)); then
    tail -n 60 "$build/artifacts/$reader.log"
    echo "fuzzing $reader FAILED (exit $status); the input is in $build/artifacts"
    exit 1
  fi
done
echo "fuzzing: no crash, leak, hang or sanitizer report in $seconds s per reader"
