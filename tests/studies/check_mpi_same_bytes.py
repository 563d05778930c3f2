#!/usr/bin/python3
"""Under mpirun, the MPI build of mobsim (BUILD/mpi/mobsim) writes the bytes the single-process mobsim writes, and a dying rank leaves nothing.

Usage: check_mpi_same_bytes.py MOBSIM MOBSIM_MPI SOURCE_DIR

A 5,000-patient cohort (3 blocks), an 800-point sweep (4 blocks), a 7-start fit of linear_pk and its profile,
the theophylline FOCEI fit (12 subjects) and a 2,000-candidate VPop run with mobsim (1 and 2 threads) and with
`mpirun --oversubscribe -n 1, 2, 3 mpi/mobsim`; every output must be byte-identical apart from the provenance
lines naming the command and the fit's wall time. (The fit's best start is start 5: on rank 0 of 2 and rank 1
of 3, so the chosen start comes from another rank.) Then rank 1 of 2 is killed mid-cohort: the run must fail,
say so, and leave no output and no temporary.
"""
import glob
import os
import subprocess
import sys
import tempfile

MOBSIM, MOBSIM_MPI, SOURCE = sys.argv[1:4]
DATA = os.path.join(SOURCE, "tests", "studies", "data")
COHORT = [os.path.join(DATA, "cohort_bands.yaml"), "--size", "5000"]
SWEEP = [os.path.join(DATA, "sweep_blocks.yaml")]
FIT = [os.path.join(SOURCE, "scenarios", "fit_example_linear.yaml"), "--starts", "7"]
NLME = [os.path.join(SOURCE, "tests", "data", "theoph_focei.yaml"), "--npde-samples", "200", "--quiet"]
VPOP = [os.path.join(SOURCE, "scenarios", "vpop_example.yaml"), "--plausible-size", "2000", "--vpop-size", "300", "-q"]
# study, arguments, threads option, output option, output names after PREFIX_
STUDIES = (("cohort", COHORT + ["-q"], "-j", "-o", ["patients.csv", "time_summary.csv", "correlations.csv"]),
           ("sweep", SWEEP + ["-q"], "-j", "-o", None),
           ("fit", FIT + ["-q"], "--threads", "-o", ["report.yaml", "residuals.csv", "parameters.yaml", "curves.csv"]),
           ("profile", FIT + ["-q"], "--threads", "-o", ["profile.csv"]),
           ("nlme", NLME, "--threads", "--out", ["estimates.csv", "table.csv", "eta.csv"]),
           ("vpop", VPOP, "-j", "-o", ["vpop.csv", "report.csv", "plausible.csv"]))
# lines that name the program and output or time the run
VARYING = ("# command:", "command:", "  wall_time_s:", "# mobsim ")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
MPIRUN = ["mpirun", "--oversubscribe"]


def contents(paths):
    out = {}
    for path in paths:
        with open(path) as f:  # the provenance's command line names the program and the output: left out
            out[os.path.basename(path).split("_", 1)[-1]] = [l for l in f if not l.startswith(VARYING)]
    return out


def run(command, expect_ok=True):
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=600)
    if expect_ok and done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return done


def main():
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        for study, args, threads_option, output_option, outputs in STUDIES:
            results = {}
            variants = [("serial j1", [MOBSIM], 1), ("serial j2", [MOBSIM], 2)]
            variants += [(f"mpirun -n {n}", MPIRUN + ["-n", str(n), MOBSIM_MPI], 1) for n in (1, 2, 3)]
            for tag, program, threads in variants:
                prefix = os.path.join(folder, f"{study}{len(results)}")
                target = [output_option, prefix if outputs else prefix + "_sweep.csv"]
                run(program + [study] + args + [threads_option, str(threads)] + target)
                files = [f"{prefix}_{o}" for o in outputs] if outputs else [prefix + "_sweep.csv"]
                results[tag] = contents(files)
            reference = results["serial j1"]
            for tag, got in results.items():
                if got != reference:
                    failures.append(f"{study}: {tag} differs from the single-process run")
                else:
                    print(f"{study}: {tag}: same bytes")

        # a rank killed mid-run: mpirun ends the others; no output file, no temporary left behind
        prefix = os.path.join(folder, "killed")
        wrapper = ('if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then "$@" & pid=$!; sleep 1; kill -9 $pid; wait $pid; '
                   'else exec "$@"; fi')
        done = run(MPIRUN + ["-n", "2", "sh", "-c", wrapper, "sh", MOBSIM_MPI, "cohort", COHORT[0], "--size", "40000",
                             "-j", "1", "-q", "-o", prefix], expect_ok=False)
        left = glob.glob(os.path.join(folder, "killed*")) + glob.glob(os.path.join(folder, ".killed*"))
        if done.returncode == 0:
            failures.append("a killed rank did not fail the run")
        if left:
            failures.append(f"a killed rank left files: {left}")
        print(f"killed rank 1 of 2: exit {done.returncode}; mpirun said: {done.stderr.strip().splitlines()[:3]}")
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


sys.exit(main())
