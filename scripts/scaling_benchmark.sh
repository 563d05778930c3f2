#!/usr/bin/env bash
# Scaling figures of docs/scaling.md: peak memory of trial cohorts of two sizes (and its slope per patient),
# and the speed-up of 2 threads, and of 2 MPI ranks when build/mpi/mobsim exists, over one (interleaved runs);
# then strong and weak scaling over 1-4 oversubscribed MPI ranks on a cheap linear-PK cohort.
#   bash scripts/scaling_benchmark.sh [SMALL LARGE SPEED_SIZE REPEATS]   (default 20000 100000 2000 3;
#   SMALL=0 skips the memory runs)
set -euo pipefail
cd "$(dirname "$0")/.."
small="${1:-20000}" large="${2:-100000}" speed="${3:-2000}" repeats="${4:-3}"
cohort=scenarios/cohort_trial_800mg.yaml
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI and containers run as root

peak_mb() {  # peak RSS in MB of the command (its ru_maxrss, from python's os.wait4)
  /usr/bin/python3 - "$@" <<'PY'
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
if os.waitstatus_to_exitcode(status): sys.exit("failed: " + " ".join(sys.argv[1:]))
print(f"{usage.ru_maxrss / 1024:.1f}")
PY
}
seconds() {
  local start end
  start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

declare -A mb
[ "$small" = 0 ] || echo "memory: trial cohort ($cohort), 2 threads"
for n in $([ "$small" = 0 ] || echo "$small $large"); do
  start=$(date +%s)
  mb[$n]=$(peak_mb build/mobsim cohort "$cohort" --size "$n" -j2 -q -o "$work/m$n" --force)
  echo "  $n patients: peak RSS ${mb[$n]} MB, $(( $(date +%s) - start )) s, patients file $(du -m "$work/m${n}_patients.csv" | cut -f1) MB"
  rm -f "$work"/m"$n"_*
done
[ "$small" = 0 ] || echo "  slope: $(echo "(${mb[$large]} - ${mb[$small]}) * 1048576 / ($large - $small)" | bc -l | xargs printf '%.1f') bytes per patient"

one=0 two=0 rank_two=0
for r in $(seq "$repeats"); do  # interleaved, so drifting load on the machine hits both alike
  one=$(echo "$one + $(seconds build/mobsim cohort "$cohort" --size "$speed" -j1 -q -o "$work/s" --force)" | bc -l)
  two=$(echo "$two + $(seconds build/mobsim cohort "$cohort" --size "$speed" -j2 -q -o "$work/s" --force)" | bc -l)
  if [ -x build/mpi/mobsim ]; then
    rank_two=$(echo "$rank_two + $(seconds mpirun --oversubscribe -n 2 build/mpi/mobsim cohort "$cohort" --size "$speed" -j1 -q -o "$work/s" --force)" | bc -l)
  fi
done
printf 'threads: %d patients, %d interleaved runs: 1 thread %.1f s, 2 threads %.1f s: speed-up %.2fx\n' \
  "$speed" "$repeats" "$(echo "$one / $repeats" | bc -l)" "$(echo "$two / $repeats" | bc -l)" "$(echo "$one / $two" | bc -l)"
if [ -x build/mpi/mobsim ]; then
  printf 'MPI: 2 ranks x 1 thread %.1f s: speed-up %.2fx over 1 thread without MPI\n' \
    "$(echo "$rank_two / $repeats" | bc -l)" "$(echo "$one / $rank_two" | bc -l)"
fi

[ -x build/mpi/mobsim ] || exit 0
bands=tests/studies/data/cohort_bands.yaml
echo "MPI ranks x 1 thread, --oversubscribe, $bands (linear PK; blocks of 2048 patients)"
for n in 1 2 3 4; do
  strong=$(seconds mpirun --oversubscribe -n "$n" build/mpi/mobsim cohort "$bands" --size 16384 -j1 -q -o "$work/r" --force)
  weak=$(seconds mpirun --oversubscribe -n "$n" build/mpi/mobsim cohort "$bands" --size $((8192 * n)) -j1 -q -o "$work/r" --force)
  printf '  %d ranks: strong (16384 patients) %.2f s; weak (%d patients) %.2f s\n' "$n" "$strong" $((8192 * n)) "$weak"
done
