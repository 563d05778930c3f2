#!/usr/bin/python3
"""End-to-end checks of `mobsim nlme` and `mobsim vpc` on the theophylline data (run by ctest as nlme_cli):
the files written, the OFV against nlmixr2's published 116.8036 (docs/nlme.md), row counts, a VPC from the
estimates, identical files for 1 and 2 threads, a mismatched estimates file refused with exit 2, a fit stopped by
its iteration limit written apart from the good result, and the model-file form's OFV equal to the closed form's.

  check_cli.py MOBSIM ROOT"""
import csv
import os
import subprocess
import sys
import tempfile

mobsim, root = sys.argv[1], sys.argv[2]
run_file = os.path.join(root, "tests", "data", "theoph_focei.yaml")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def rows(path):
    with open(path) as f:
        return list(csv.reader(line for line in f if not line.startswith("#")))


with tempfile.TemporaryDirectory() as tmp:
    outputs = {}
    for threads in ("1", "2"):
        prefix = os.path.join(tmp, "t" + threads)
        r = subprocess.run([mobsim, "nlme", run_file, "--out", prefix, "--threads", threads, "--quiet",
                            "--npde-samples", "200"], capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"nlme --threads {threads} exited {r.returncode}: {r.stderr}")
        outputs[threads] = [open(prefix + s).read().split("\n", 1)[1] for s in ("_estimates.csv", "_table.csv")]
    check(outputs["1"] == outputs["2"], "nlme results differ between 1 and 2 threads")
    estimates = os.path.join(tmp, "t2_estimates.csv")
    ofv = [line for line in open(estimates) if line.startswith("# OFV")]
    check(ofv and abs(float(ofv[0].rsplit(":", 1)[1]) - 116.8036) < 0.05, f"OFV line {ofv}")
    check(len(rows(os.path.join(tmp, "t2_table.csv"))) == 133, "table must have 132 rows and a header")
    check(len(rows(os.path.join(tmp, "t2_eta.csv"))) == 13, "eta file must have 12 subjects and a header")
    vpc = os.path.join(tmp, "v")
    r = subprocess.run([mobsim, "vpc", run_file, "--estimates", estimates, "--replicates", "50", "--out", vpc],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and len(rows(vpc + "_vpc.csv")) == 9, f"vpc: {r.returncode} {r.stderr}")
    bad = os.path.join(tmp, "bad_estimates.csv")
    with open(bad, "w") as f:
        f.write("parameter,estimate\nKa,1.5\n")
    r = subprocess.run([mobsim, "vpc", run_file, "--estimates", bad, "--out", os.path.join(tmp, "b")],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 2 and "did you mean 'ka'" in r.stderr and not os.path.exists(os.path.join(tmp, "b_vpc.csv")),
          f"mismatched estimates: exit {r.returncode}, {r.stderr}")

    # not converged: exit 4, partial results under PREFIX_not_converged_*, the good t2 files untouched
    good = open(estimates).read()
    # (by -o and -j, the short forms every other command takes)
    r = subprocess.run([mobsim, "nlme", run_file, "-o", os.path.join(tmp, "t2"), "-j", "1", "--max-iterations", "2",
                        "--quiet", "--npde-samples", "10"], capture_output=True, text=True, timeout=120)
    partial = os.path.join(tmp, "t2_not_converged_estimates.csv")
    check(r.returncode == 4 and "did not converge" in r.stderr and "iteration 2" in r.stderr
          and "parameter moved last: " in r.stderr, f"iteration limit: exit {r.returncode}, {r.stderr}")
    check(os.path.exists(partial) and "NOT CONVERGED" in open(partial).read(), "partial results file")
    check(open(estimates).read() == good, "a non-converged fit changed the converged result")

    # the model file tests/data/one_compartment_oral_nlme.model: the same OFV as the closed form at the same values
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    # (and with the weight covariate inside the model file, against the closed form's power effect)
    for pair in (("theoph_focei.yaml", "theoph_focei_model_file.yaml"),
                 ("theoph_focei_weight.yaml", "theoph_focei_weight_model_file.yaml")):
        ofvs = []
        for name in pair:
            prefix = os.path.join(tmp, "e_" + name)
            r = subprocess.run([mobsim, "nlme", os.path.join(root, "tests", "data", name), "--evaluate", "--quiet",
                                "--npde-samples", "10", "--out", prefix], capture_output=True, text=True,
                               timeout=300, env=env)
            check(r.returncode == 0, f"{name} --evaluate: exit {r.returncode}, {r.stderr}")
            ofvs += [float(line.rsplit(":", 1)[1]) for line in open(prefix + "_estimates.csv")
                     if line.startswith("# OFV")]
        check(len(ofvs) == 2 and abs(ofvs[0] - ofvs[1]) < 1e-6, f"{pair}: OFVs {ofvs}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
