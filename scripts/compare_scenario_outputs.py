#!/usr/bin/python3
"""Runs every single-simulation scenario in scenarios/ with two mobsim binaries and reports the largest relative
difference of their `mobsim run` CSVs (what a restructuring must leave unchanged).

usage: compare_scenario_outputs.py REFERENCE_MOBSIM CANDIDATE_MOBSIM [--tolerance 1e-12] [--floor 1e-300]
A scenario that one binary cannot `run` (a cohort, fit or sweep file) must fail in both; it is listed as skipped.
Exit 1 when a difference exceeds the tolerance: |a - b| > tol * max(|a|, |b|, floor).
"""
import argparse
import csv
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(binary, scenario, out):
    r = subprocess.run([binary, "run", "-q", "-o", str(out), str(scenario)], cwd=ROOT, capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


def read(path):
    with open(path, newline="") as f:  # provenance comments (binary, revision, time) differ by design
        return [row for row in csv.reader(f) if row and not row[0].startswith("#")]


def compare(a, b, floor):
    if len(a) != len(b) or a[0] != b[0]:
        return float("inf"), "different shape or header"
    worst, where = 0.0, ""
    for row, (ra, rb) in enumerate(zip(a[1:], b[1:]), start=2):
        if len(ra) != len(rb):
            return float("inf"), f"row {row}: different length"
        for col, (x, y) in enumerate(zip(ra, rb)):
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                if x != y:
                    return float("inf"), f"row {row} {a[0][col]}: '{x}' vs '{y}'"
                continue
            d = abs(fx - fy) / max(abs(fx), abs(fy), floor)
            if d > worst:
                worst, where = d, f"row {row} {a[0][col]}"
    return worst, where


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("candidate")
    ap.add_argument("--tolerance", type=float, default=1e-12)
    ap.add_argument("--floor", type=float, default=1e-300)
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in sorted((ROOT / "scenarios").rglob("*.yaml")):
            ra, rb = pathlib.Path(tmp) / "a.csv", pathlib.Path(tmp) / "b.csv"
            ca, ea = run(args.reference, scenario, ra)
            cb, eb = run(args.candidate, scenario, rb)
            name = scenario.name
            if ca != 0 or cb != 0:
                status = "skipped (not a run scenario)" if ca == cb else f"DIFFERENT EXIT {ca} vs {cb}: {ea or eb}"
                failed |= ca != cb
                print(f"{name:40s} {status}")
                continue
            worst, where = compare(read(ra), read(rb), args.floor)
            bad = worst > args.tolerance
            failed |= bad
            print(f"{name:40s} max rel diff {worst:.3g} {where if worst > 0 else ''}{'  FAIL' if bad else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
