#!/usr/bin/python3
"""A second, independent implementation of the FOCEI objective (docs/nlme.md) in NumPy/SciPy: EBEs by SciPy's
BFGS, eta-sensitivities by central differences, the Laplace/FOCEI formula written out anew; compared with
`mobsim nlme --evaluate` (NONMEM's MAXEVAL=0) on the theophylline data for additive, proportional and combined
error and a power weight effect on CL. Run by ctest as nlme_reference.

  nlme_focei_reference.py MOBSIM ROOT"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import minimize

mobsim, root = sys.argv[1], os.path.abspath(sys.argv[2])
data_path = os.path.join(root, "tests", "data", "theoph.csv")


def read_theoph(path):
    raw = np.genfromtxt(path, delimiter=",", names=True)
    subjects = []
    for sid in np.unique(raw["ID"]):
        rows = raw[raw["ID"] == sid]
        dose = rows[rows["EVID"] == 1][0]
        obs = rows[rows["EVID"] == 0]
        subjects.append((dose["AMT"], obs["TIME"], obs["DV"], dose["WT"]))
    return subjects


def concentration(ka, cl, v, amount, t):
    k = cl / v
    return amount * ka / (v * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))


def subject_ofv(case, subject):
    amount, t, y, wt = subject
    omega = np.array(case["omega"])
    omega_inv = np.linalg.inv(omega)
    a, b = case["additive"], case["proportional"]
    tv = np.array(case["theta"], dtype=float)
    tv[1] *= (wt / 70.0) ** case["beta"]

    def predict(eta):
        ka, cl, v = tv * np.exp(eta)
        f = concentration(ka, cl, v, amount, t)
        return f, a * a + (b * f) ** 2

    def conditional(eta):
        f, var = predict(eta)
        return np.sum((y - f) ** 2 / var + np.log(var)) + eta @ omega_inv @ eta

    eta = minimize(conditional, np.zeros(3), method="BFGS", options={"gtol": 1e-10, "xrtol": 1e-12}).x
    f, var = predict(eta)
    g = np.zeros((len(t), 3))
    for m in range(3):
        step = np.zeros(3)
        step[m] = 1e-6
        g[:, m] = (predict(eta + step)[0] - predict(eta - step)[0]) / 2e-6
    dvar = 2 * b * b * f[:, None] * g
    h = omega_inv + (g / var[:, None]).T @ g + 0.5 * (dvar / var[:, None] ** 2).T @ dvar
    return conditional(eta) + np.linalg.slogdet(omega)[1] + np.linalg.slogdet(h)[1]


def run_file(case, path):
    om = case["omega"]
    lines = ["model: one_compartment_oral", f"data: {path}", "parameters:",
             f"  ka: {{typical: {case['theta'][0]}, omega: {om[0][0]}}}",
             f"  CL: {{typical: {case['theta'][1]}, omega: {om[1][1]}, covariates: "
             f"[{{name: WT, form: power, reference: 70, start: {case['beta']}}}]}}",
             f"  V: {{typical: {case['theta'][2]}, omega: {om[2][2]}}}"]
    errors = []
    if case["additive"] > 0:
        errors.append(f"additive: {case['additive']}")
    if case["proportional"] > 0:
        errors.append(f"proportional: {case['proportional']}")
    lines.append("error: {" + ", ".join(errors) + "}")
    return "\n".join(lines) + "\n"


CASES = {
    "additive": dict(theta=[1.6, 2.7, 32.0], omega=np.diag([0.4, 0.07, 0.02]), beta=0.0, additive=0.7, proportional=0.0),
    "proportional": dict(theta=[1.5, 2.8, 31.0], omega=np.diag([0.5, 0.1, 0.03]), beta=0.75, additive=0.0,
                         proportional=0.12),
    "combined": dict(theta=[1.7, 2.6, 33.0], omega=np.diag([0.3, 0.08, 0.02]), beta=0.5, additive=0.4,
                     proportional=0.08),
}
failures = []
with tempfile.TemporaryDirectory() as tmp:
    # a purely proportional error cannot weigh the 0 h samples (prediction 0): that case drops them
    positive_times = os.path.join(tmp, "theoph_after_0h.csv")
    with open(data_path) as src, open(positive_times, "w") as dst:
        for i, line in enumerate(src):
            fields = line.split(",")
            if i == 0 or fields[2] == "1" or float(fields[1]) > 0:
                dst.write(line)
    for name, case in CASES.items():
        path = positive_times if case["additive"] == 0 else data_path
        subjects = read_theoph(path)
        yaml = os.path.join(tmp, name + ".yaml")
        with open(yaml, "w") as f:
            f.write(run_file(case, path))
        r = subprocess.run([mobsim, "nlme", yaml, "--evaluate", "--quiet", "--npde-samples", "10",
                            "--out", os.path.join(tmp, name)], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            failures.append(f"{name}: mobsim exited {r.returncode}: {r.stderr}")
            continue
        line = [s for s in open(os.path.join(tmp, name + "_estimates.csv")) if s.startswith("# OFV")][0]
        ours = float(line.rsplit(":", 1)[1])
        reference = sum(subject_ofv(case, s) for s in subjects)
        print(f"{name}: mobsim OFV {ours:.6f}, reference {reference:.6f}, difference {ours - reference:.2e}")
        if abs(ours - reference) > 1e-3:
            failures.append(f"{name}: OFV {ours} against the reference {reference}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
