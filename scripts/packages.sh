#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian/Ubuntu packages valence needs to build, test, document and benchmark,
# skipping those already present. Sourced by quickstart.sh and .ci/run.
set -euo pipefail
valence_packages=(cmake ninja-build g++ libeigen3-dev libboost-dev doctest-dev doxygen libbenchmark-dev clang-format
  pkg-config libxrl-dev)
# The optional parts: HDF5 readers and writer, the `valence` command line (CLI11) and its MPI runs.
valence_packages+=(libhdf5-dev libcli11-dev libopenmpi-dev openmpi-bin)
# Only for the fuzzers (scripts/fuzz.sh, run by CI): clang with libFuzzer.
valence_fuzz_packages=(clang-14 libclang-rt-14-dev)
# valence_install_packages [extra packages...]: the packages above plus any given.
valence_install_packages() {
  local missing=()
  for p in "${valence_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "installing: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
