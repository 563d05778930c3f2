#!/usr/bin/python3
"""Cohort memory does not grow with the number of patients, and multi-block output bytes do not depend on threads.

Usage: check_cohort_memory.py MOBSIM SOURCE_DIR

Peak resident memory (os.wait4's ru_maxrss of the child) of a 2,500- and a 10,000-patient run of
tests/studies/data/cohort_bands.yaml must differ by less than 4 MB; keeping each patient's band values, as mobsim
did before the bands were sketched, would add 7,500 x 386 x 8 bytes = 23 MB.
"""
import os
import subprocess
import sys
import tempfile

MOBSIM, SOURCE = sys.argv[1], sys.argv[2]
COHORT = os.path.join(SOURCE, "tests", "studies", "data", "cohort_bands.yaml")
FILES = ("patients", "time_summary", "correlations")


def run(folder, name, size, threads):
    prefix = os.path.join(folder, name)
    child = subprocess.Popen([MOBSIM, "cohort", COHORT, "--size", str(size), "-j", str(threads), "-q", "-o", prefix])
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"mobsim cohort --size {size} failed")
    data = {}
    for f in FILES:
        with open(f"{prefix}_{f}.csv") as handle:  # the provenance names the command (and its prefix): left out
            data[f] = [line for line in handle if not line.startswith("# command:")]
    return usage.ru_maxrss / 1024.0, data


def main():
    with tempfile.TemporaryDirectory() as folder:
        small, _ = run(folder, "small", 2500, 2)
        large, data = run(folder, "large", 10000, 2)
        print(f"peak RSS: {small:.1f} MB at 2,500 patients, {large:.1f} MB at 10,000")
        ok = large - small < 4.0
        if not ok:
            print("FAIL: memory grows with the number of patients")
        if len(data["patients"]) < 10000:
            ok = False
            print("FAIL: the patients file lacks rows")
        _, one = run(folder, "one", 4500, 1)
        _, two = run(folder, "two", 4500, 2)
        for f in FILES:
            if one[f] != two[f]:
                ok = False
                print(f"FAIL: {f} differs between 1 and 2 threads over 3 blocks")
        return 0 if ok else 1


sys.exit(main())
