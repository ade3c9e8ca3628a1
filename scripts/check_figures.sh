#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders every SVG figure under a folder with rsvg-convert (Debian librsvg2-bin) and fails on a
# figure that does not render or renders empty (a PNG of one flat colour compresses to almost
# nothing; a real plot with axes, text and data does not).
#
#   scripts/check_figures.sh <folder> [minimum number of figures, default 1]
set -euo pipefail
folder=$1
minimum=${2:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=0
while IFS= read -r -d '' svg; do
  png="$work/$(basename "$svg" .svg).png"
  if ! rsvg-convert -o "$png" "$svg" 2>"$work/error"; then
    echo "figure does not render: $svg"
    cat "$work/error"
    exit 1
  fi
  bytes=$(stat -c %s "$png")
  if ((bytes < 4000)); then
    echo "figure renders empty ($bytes bytes of PNG): $svg"
    exit 1
  fi
  echo "rendered $svg ($bytes bytes of PNG)"
  count=$((count + 1))
done < <(find "$folder" -name '*.svg' -print0 | sort -z)
if ((count < minimum)); then
  echo "found $count figures under $folder; expected at least $minimum"
  exit 1
fi
echo "figures: all $count render"

# The README's snapshots in docs/figures: a warning when one differs from what the example now draws.
snapshot() {  # snapshot <docs figure> <example figure>
  if [[ -f "$folder/$2" ]] && ! cmp -s "docs/figures/$1" "$folder/$2"; then
    echo "warning: docs/figures/$1 differs from $folder/$2 (copy the new one if the change is intended)"
  fi
}
if [[ -d docs/figures ]]; then
  snapshot eels_fraction_map.svg eels_valence_map/fraction_map.svg
  snapshot nmc622_mn_ni_profile.svg gradient_nmc622/mn_ni_profile.svg
  snapshot nmc622_dqdv_peak.svg gradient_nmc622/dqdv_peak.svg
  snapshot rixs_emission_cut_531.svg rixs_oxygen/emission_cut_531.svg
  snapshot lmr_gitt_log_d.svg lmr_thermal_redox/gitt_log_d.svg
  snapshot lmr_o_spfy.svg lmr_thermal_redox/o_spfy.svg
fi
