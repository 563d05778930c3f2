#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   bash scripts/bootstrap.sh main   install what is missing, build, run the default scenario (CSV + PNG)
#   bash scripts/bootstrap.sh test   install what is missing, build, run the whole test suite with ctest
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in main|test) ;; *) echo "usage: bash scripts/bootstrap.sh main|test" >&2; exit 2;; esac

packages=(build-essential cmake git libboost-dev libeigen3-dev libyaml-cpp-dev catch2 libcli11-dev
          python3 python3-numpy python3-matplotlib python3-scipy python3-yaml)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"

if [ "$mode" = main ]; then
  mkdir -p results
  ./build/mobsim run scenarios/trial_800mg.yaml -o results/trial_800mg.csv
  /usr/bin/python3 plots/plot_timecourse.py results/trial_800mg.csv -o results/trial_800mg.png
  echo "time courses: results/trial_800mg.csv; plot: results/trial_800mg.png"
else
  ctest --test-dir build --output-on-failure -j "$jobs"
fi
