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
[ "$mode" = test ] && packages+=(clang libclang-rt-14-dev)   # libFuzzer for the fuzzing step
[ "$mode" = test ] && packages+=(libopenmpi-dev openmpi-bin)  # the MPI variant (build/mpi/mobsim) and its test
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
mpi=OFF; [ "$mode" = test ] && mpi=ON   # test also builds build/mpi/mobsim (one more compile) and its ctest
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMOBSIM_MPI="$mpi" >/dev/null
if [ "$mode" = main ]; then
  cmake --build build -j "$jobs" --target mobsim   # the program only; the tests are built by 'test'
else
  cmake --build build -j "$jobs"
fi

if [ "$mode" = main ]; then
  mkdir -p results
  ./build/mobsim run scenarios/trial_800mg.yaml -o results/trial_800mg.csv
  /usr/bin/python3 plots/plot_timecourse.py results/trial_800mg.csv -o results/trial_800mg.png
  echo "time courses: results/trial_800mg.csv; plot: results/trial_800mg.png"
else
  # OpenMPI refuses to run as root unless told (CI runs as root); the MPI test oversubscribes 2 cores
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ctest --test-dir build --output-on-failure -j "$jobs"
  # the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer; any report fails the test
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBSIM_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
  # libFuzzer on the input readers for 60 s, when clang is installed; new inputs stay in build-fuzz/corpus-*
  if command -v clang++ >/dev/null 2>&1; then
    cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBSIM_FUZZ=ON \
      -DMOBSIM_BUILD_TESTS=OFF >/dev/null
    cmake --build build-fuzz -j "$jobs" --target fuzz_config fuzz_dataset fuzz_data_table
    fuzz_pids=()
    for target in config data_table dataset; do
      [ -x "build-fuzz/fuzz/fuzz_$target" ] || continue
      mkdir -p "build-fuzz/corpus-$target"
      dict=(); [ "$target" = config ] && dict=(-dict=fuzz/yaml.dict)
      "build-fuzz/fuzz/fuzz_$target" "${dict[@]}" -max_total_time=60 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build-fuzz/crash-$target-" "build-fuzz/corpus-$target" "fuzz/corpus/$target" \
        > "build-fuzz/fuzz_$target.log" 2>&1 &
      fuzz_pids+=($!)
    done
    for pid in "${fuzz_pids[@]}"; do
      wait "$pid" || { echo "fuzzing found a crash: see build-fuzz/fuzz_*.log and build-fuzz/crash-*" >&2; exit 1; }
    done
    echo "fuzzing: $(grep -h -o 'Done [0-9]* runs' build-fuzz/fuzz_*.log | tr '\n' ' ')"
  else
    echo "clang++ not found: fuzzing skipped"
  fi
fi
