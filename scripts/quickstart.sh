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
echo
echo "figures and tables: $PWD/figures/"
