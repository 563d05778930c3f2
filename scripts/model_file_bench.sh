#!/bin/bash
# Model-file benchmark figures (docs/model-files.md): first compilation and cached load of each shipped
# example, and callgrind instructions of the same scenario with a built-in model and with a model file: linear_pk
# written as a file, sorafenib_pk as a file that imports the sorafenib component, and aml_mobilization as its
# cell layer in a file that imports the three drugs. Prints figures; asserts nothing.
# usage: bash scripts/model_file_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mobsim=$(cd "${1:-$root/build}" && pwd)/mobsim
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

echo "== first compilation, then cached load (fresh cache $cache)"
for model in "$root"/models/files/*.model; do
    "$mobsim" --model-cache "$cache" model check "$model" | tail -1
    "$mobsim" --model-cache "$cache" model check "$model" | tail -1
done

if ! command -v valgrind > /dev/null; then
    echo "valgrind not found (Debian package valgrind): no instruction counts"
    exit 0
fi
# pairs: built-in scenario, the same through a model file (linear_pk written out; sorafenib imported)
declare -A counts
for pair in "pk_linear_example model_file_linear_pk 200" "pk_sorafenib_trial_800 model_file_sorafenib_reexport 20" \
            "trial_800mg model_file_trial_800mg 5"; do
    read -r builtin file repeats <<< "$pair"
    echo "== callgrind: mobsim::simulate instructions, $builtin vs $file ($repeats repeats of dopri5)"
    for scenario in "$builtin" "$file"; do
        out="$cache/$scenario.callgrind"
        valgrind --tool=callgrind --callgrind-out-file="$out" "$mobsim" --model-cache "$cache" bench \
            "$root/scenarios/$scenario.yaml" --methods dopri5 --rtols 1e-6 --repeats "$repeats" --blocks stepped > /dev/null 2>&1
        counts[$scenario]=$(callgrind_annotate --inclusive=yes "$out" | grep -m1 'mobsim::simulate(' | awk '{gsub(",", "", $1); print $1}')
        echo "$scenario: ${counts[$scenario]} instructions in mobsim::simulate"
    done
    awk -v a="${counts[$file]}" -v b="${counts[$builtin]}" 'BEGIN { printf "ratio model file / built-in: %.3f\n", a / b }'
done
