#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds the worked examples in Release and runs each one on its
# built-in synthetic data, showing what it prints; the figures (SVG, open them in a browser) and
# tables (CSV) go to figures/<example>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh
valence_install_packages
cmake --workflow --preset examples
for example in build/examples/examples/example_*; do
  echo
  echo "=== ${example##*/example_}"
  "$example"
done
# The command line on its own synthetic files: a TXM XANES stack normalised into NeXus maps, then
# the same job split across two MPI ranks (the map files are byte-identical), and an EELS map.
cli=build/examples/apps/valence
if [[ -x "$cli" ]]; then
  mkdir -p figures/cli
  echo
  echo "=== the valence command line (figures/cli/)"
  (
    cd figures/cli
    "../../$cli" synth-xanes stack.h5 --rows 128 --cols 128
    "../../$cli" normalize stack.h5 -o maps.h5
    if command -v mpirun > /dev/null; then
      extra=()
      if [[ $(id -u) -eq 0 ]]; then extra=(--allow-run-as-root); fi
      mpirun "${extra[@]}" -np 2 --oversubscribe "../../$cli" normalize stack.h5 -q -o maps_np2.h5
      cmp maps.h5 maps_np2.h5 && echo "maps.h5 and maps_np2.h5 (2 MPI ranks) are byte-identical"
    fi
    "../../$cli" synth-eels si.hspy --rows 32 --cols 32
    "../../$cli" mlls si.hspy -r reference_surface.txt -r reference_bulk.txt --fit 636:665 --background 610:635 \
      -o eels_maps.h5
  )
fi
echo
echo "figures and tables: $PWD/figures/"
