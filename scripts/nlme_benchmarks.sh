#!/bin/bash
# NLME benchmarks of docs/nlme.md (figures printed, never asserted):
#   1. FOCEI fit of the theophylline data (12 subjects), wall time on --threads 2;
#   2. one simulated data set of 500 subjects of the one-compartment model (design as tests/data/sse_1cmt.yaml,
#      500 subjects) simulated and fitted, wall time on --threads 2;
#   3. the theophylline fit through a model file (tests/data/one_compartment_oral_nlme.model: ODEs with dual-number
#      sensitivities), compiled into a fresh cache first, then timed;
#   4. with --sse, the simulation-re-estimation of 200 data sets of 50 subjects (bias and 95% coverage), for
#      seeds 1 and 2 (the second an independent check of the intervals chosen on the first).
# Usage: scripts/nlme_benchmarks.sh BUILD_DIR [--sse]
set -euo pipefail
build=${1:?usage: scripts/nlme_benchmarks.sh BUILD_DIR [--sse]}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mobsim="$build/mobsim"

start=$(date +%s.%N)
"$mobsim" nlme "$root/tests/data/theoph_focei.yaml" --threads 2 --quiet --out "$work/theoph"
echo "theophylline FOCEI fit (with covariance step, table and NPDE): $(echo "$(date +%s.%N) - $start" | bc) s"
grep -E "^# OFV|^# status" "$work/theoph_estimates.csv"

/usr/bin/python3 - "$work/design_500.csv" <<'PY'
import sys
rows = ["ID,TIME,EVID,AMT,CMT,DV,MDV,WT"]
for i in range(500):
    wt = round(50 + 40 * (i % 10) / 9, 2)
    rows.append(f"{i + 1},0,1,100,1,0,1,{wt}")
    rows += [f"{i + 1},{t},0,0,2,0,0,{wt}" for t in (0.5, 1, 2, 4, 6, 8, 12, 24)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
sed 's/design_1cmt_50.csv/design_500.csv/' "$root/tests/data/sse_1cmt.yaml" > "$work/sse_500.yaml"
"$mobsim" nlme "$work/sse_500.yaml" --sse 1 --threads 2 --quiet --out "$work/fit500"
echo "500 subjects, one data set simulated and fitted (FOCEI + covariance step):"
cat "$work/fit500_sse.csv"

export XDG_CACHE_HOME="$work/cache"
"$mobsim" nlme "$root/tests/data/theoph_focei_model_file.yaml" --evaluate --quiet --npde-samples 10 --out "$work/compile"
start=$(date +%s.%N)
"$mobsim" nlme "$root/tests/data/theoph_focei_model_file.yaml" --threads 2 --quiet --out "$work/theoph_model_file"
echo "theophylline FOCEI fit through a model file (with covariance step, table and NPDE): $(echo "$(date +%s.%N) - $start" | bc) s"
grep -E "^# OFV|^# status" "$work/theoph_model_file_estimates.csv"

if [ "${2:-}" = "--sse" ]; then
    for seed in 1 2; do
        "$mobsim" nlme "$root/tests/data/sse_1cmt.yaml" --sse 200 --seed $seed --threads 2 --quiet --out "$work/sse200"
        cat "$work/sse200_sse.csv"
    done
fi
