#!/usr/bin/python3
"""Compare `mobsim run` with the SciPy reference (aml_mobilization_ref.py) on the trial scenarios.

Usage: compare_reference.py MOBSIM_BINARY [SOURCE_DIR]

mobsim runs a temp copy of each scenario with a tight solver. Both sides use the parameter values
parsed from `mobsim describe aml_mobilization --format json`; they are also written into the temp scenario, so the
check stays valid if `describe` rounds a value. Every output column must agree to REL_TOL relative,
with an absolute floor of FLOOR_REL x (max |column| over the run) for values near zero
(plerixafor and sorafenib long after their doses). Exit 0 on agreement, 1 otherwise.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aml_mobilization_ref as ref  # noqa: E402

# (file, patient overrides): the atypical patient checks that expression enters the retention law the same way
SCENARIOS = [("trial_800mg.yaml", {}), ("control_plerixafor_only.yaml", {}), ("control_filgrastim_only.yaml", {}),
             ("trial_800mg.yaml", {"cxcr4_expression": 1.8, "vla4_expression": 0.6, "cd44_expression": 1.3})]
REL_TOL = 1e-5
FLOOR_REL = 1e-7  # near-zero values: solver atol noise (mobsim even gives -1e-15 mg/L plerixafor)
ABS_FLOOR = 1e-12  # a drug never given: mobsim gives exactly 0, SciPy up to ~1e-22 of noise (run to run)
SOLVER = {"method": "dopri5", "rtol": 1e-12, "atol": 1e-14}
GROUPS = [("PK", ("sorafenib_", "plerixafor_", "filgrastim_", "anc_")),
          ("effects", ("cxcr4_occ", "flt3_", "gcsf_", "sdf1", "vcam1", "cd44_ligand")),
          ("blood", ("blood_",)), ("marrow", ("marrow_",)), ("fold", ("fold_",)), ("ratio", ("ratio_",))]


def read_csv(path):
    with open(path) as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    cols = lines[0].strip().split(",")
    data = np.array([[float(v) for v in ln.strip().split(",")] for ln in lines[1:]])
    return {c: data[:, i] for i, c in enumerate(cols)}


def run_mobsim(binary, scen, params, tmp, name):
    s = dict(scen)
    s["solver"] = SOLVER
    s["parameters"] = {**params, **(scen.get("parameters") or {})}
    ypath, cpath = os.path.join(tmp, name), os.path.join(tmp, name + ".csv")
    with open(ypath, "w") as fh:
        yaml.safe_dump(s, fh)
    t0 = time.perf_counter()
    r = subprocess.run([binary, "run", ypath, "-o", cpath, "-q"], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError("mobsim failed (%d): %s" % (r.returncode, r.stderr))
    return read_csv(cpath), dt


def check_describe_precision(binary, scen, params, tmp, ms_with):
    """Warn if mobsim's own defaults differ from the values `describe` prints (rounding)."""
    s = dict(scen)
    s["solver"] = SOLVER
    ypath, cpath = os.path.join(tmp, "defaults.yaml"), os.path.join(tmp, "defaults.csv")
    with open(ypath, "w") as fh:
        yaml.safe_dump(s, fh)
    subprocess.run([binary, "run", ypath, "-o", cpath, "-q"], check=True)
    ms = read_csv(cpath)
    d = max(float(np.max(np.abs(ms[c] - ms_with[c]) / np.maximum(np.abs(ms_with[c]), 1e-7 * np.max(np.abs(ms_with[c])) + 1e-300)))
            for c in ms if c != "time_h")
    print("  describe values vs mobsim built-in defaults: max rel diff %.2e%s"
          % (d, "  WARNING: `describe` rounds a parameter value" if d > 1e-9 else ""))


def compare(name, ms, grid, out):
    ok = True
    if not np.allclose(ms["time_h"], grid, rtol=0, atol=1e-9):
        print("  %s: time grids differ" % name)
        return False
    missing = set(ms) - set(out) - {"time_h"}
    extra = set(out) - set(ms)
    if missing or extra:
        print("  columns only in mobsim: %s; only in reference: %s" % (sorted(missing), sorted(extra)))
        ok = False
    worst = {}
    for c in out:
        if c not in ms:
            continue
        a, b = ms[c], out[c]
        floor = max(FLOOR_REL * np.max(np.abs(b)), ABS_FLOOR)
        err = np.abs(a - b) / np.maximum(np.abs(b), floor)
        i = int(np.argmax(err))
        worst[c] = (err[i], grid[i], a[i], b[i])
        if err[i] > REL_TOL:
            ok = False
    for g, prefixes in GROUPS:
        cols = [c for c in worst if c.startswith(prefixes)]
        if cols:
            c = max(cols, key=lambda k: worst[k][0])
            print("  %-8s max rel err %.2e (%s)" % (g, worst[c][0], c))
    for c, (e, t, a, b) in worst.items():
        flag = "FAIL" if e > REL_TOL else "ok"
        print("    %-34s %.2e at t=%6.1f h  mobsim %.10g  ref %.10g  %s" % (c, e, t, a, b, flag))
    return ok


def main():
    binary = os.path.abspath(sys.argv[1])
    src = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..")
    params = ref.describe_parameters(binary)
    all_ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for file, overrides in SCENARIOS:
            scen = ref.load_scenario(os.path.join(src, "scenarios", file))
            scen["patient"] = {**scen["patient"], **overrides}
            name = file if not overrides else file.replace(".yaml", "_atypical_expression.yaml")
            ms, t_ms = run_mobsim(binary, scen, params, tmp, name)
            t0 = time.perf_counter()
            grid, out, _ = ref.simulate(binary, scen, params=params)
            t_ref = time.perf_counter() - t0
            print("%s: reference %.2f s, mobsim %.3f s (solver %s rtol %g atol %g)"
                  % (name, t_ref, t_ms, SOLVER["method"], SOLVER["rtol"], SOLVER["atol"]))
            if name == SCENARIOS[0][0]:
                check_describe_precision(binary, scen, params, tmp, ms)
            ok = compare(name, ms, grid, out)
            print("  -> %s" % ("agree" if ok else "DISAGREE"))
            all_ok &= ok
    print("reference_scipy: %s (rel tol %g, floor %g x column max)"
          % ("PASS" if all_ok else "FAIL", REL_TOL, FLOOR_REL))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
