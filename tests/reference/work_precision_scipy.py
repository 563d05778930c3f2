#!/usr/bin/python3
"""Speed at equal accuracy: mobsim against the SciPy reference model (LSODA) on the 800 mg trial scenario.

Usage: work_precision_scipy.py MOBSIM_BINARY [SOURCE_DIR] [--rtols 1e-5 1e-6 ...] [--repeats N]

Both sides are scored the way `mobsim bench` scores itself: the largest |y - y_ref| / max(|y_ref|, 1e-4 x the
output's peak) over every output and every hour, against mobsim's dopri5 at rtol 1e-12. SciPy times are the best
of --repeats runs of the integration alone (no start-up); mobsim's are the medians from `mobsim bench`, which
times one simulation in-process. A benchmark, not a test: it prints figures and always exits 0 unless a run fails.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aml_mobilization_ref as ref  # noqa: E402
import compare_reference as cmp  # noqa: E402

SCENARIO = "trial_800mg.yaml"
FLOOR = 1e-4  # as `mobsim bench --floor`


def max_error(values, truth):
    worst, where = 0.0, ""
    for c, b in truth.items():
        if c == "time_h" or c not in values:
            continue
        err = np.abs(values[c] - b) / np.maximum(np.abs(b), max(FLOOR * np.max(np.abs(b)), 1e-300))
        if np.max(err) > worst:
            worst, where = float(np.max(err)), c
    return worst, where


def mobsim_rows(binary, scenario_path, rtols, tmp):
    out = os.path.join(tmp, "wp.csv")
    cmd = [binary, "bench", scenario_path, "--methods", "dopri5", "--blocks", "exact", "--repeats", "11",
           "-o", out, "--rtols"] + ["%g" % r for r in rtols]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    with open(out) as fh:
        return list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("source", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--rtols", type=float, nargs="+", default=[1e-5, 1e-6, 1e-7, 1e-8])
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    path = os.path.join(a.source, "scenarios", SCENARIO)
    params = ref.describe_parameters(binary)
    scen = ref.load_scenario(path)
    with tempfile.TemporaryDirectory() as tmp:
        truth, _ = cmp.run_mobsim(binary, scen, params, tmp, SCENARIO)
        print("%s, scored against mobsim dopri5 rtol %g" % (SCENARIO, cmp.SOLVER["rtol"]))
        print("%-22s %8s %12s %10s %12s  %s" % ("solver", "rtol", "ms per run", "RHS evals", "max error", "worst output"))
        for r in a.rtols:
            best, stats = float("inf"), {}
            for _ in range(a.repeats):
                stats = {}
                t0 = time.perf_counter()
                _, out, _ = ref.simulate(binary, scen, rtol=r, params=params, atol_scale=r * 1e-2, stats=stats)
                best = min(best, time.perf_counter() - t0)
            err, where = max_error(out, truth)
            print("%-22s %8g %12.1f %10d %12.2e  %s" % ("SciPy LSODA", r, 1e3 * best, stats["nfev"], err, where))
        rtols = sorted(set(a.rtols) | {7e-7}, reverse=True)  # and the default
        for row in mobsim_rows(binary, path, rtols, tmp):
            print("%-22s %8g %12.3f %10s %12.2e  %s" % ("mobsim dopri5 (exact)", float(row["rtol"]),
                  float(row["ms_per_run"]), row["rhs_evaluations"], float(row["max_relative_error"]),
                  row["worst_output"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
