#!/usr/bin/python3
"""Regenerate (or check) the figures the trial model's pages quote from the program, between marker comments.

Usage: model_figures.py MOBSIM_BINARY [--check] [--profile] [SOURCE_DIR]
Without --check the marked blocks are rewritten from fresh runs; with --check nothing is written and the exit status
is 1 when a quoted figure differs from what the program gives now (ctest `model_figures`). Blocks, by page:
- docs/model.md: describe (mobsim describe aml_mobilization);
- docs/validation.md: validation (mobsim run scenarios/validation/*.yaml), response (mobsim cohort: the trial cohort
  at 28 and 1000 patients, sorafenib alone, G-CSF + plerixafor alone) and doses (mobsim run
  scenarios/trial_{400,600,800}mg.yaml);
- docs/calibration.md: fit (mobsim fit scenarios/fit_trial_cohort.yaml --starts 1, and the 1000-patient trial
  cohort's means), association (mobsim association scenarios/association_trial_800mg.yaml --seeds 100 --size 28),
  sensitivity (mobsim sensitivity scenarios/trial_800mg.yaml --outputs fold_cd34,...,fold_blasts) and profile.
--profile also rewrites the profile block (mobsim profile, slow); --check never looks at it.
"""
import csv
import functools
import os
import re
import subprocess
import sys
import tempfile

import marked_blocks

# the page of docs/ that holds each block
PAGES = {"model.md": ("describe",), "validation.md": ("validation", "response", "doses"),
         "calibration.md": ("fit", "profile", "association", "sensitivity")}

LABELS = {"cxcr4_expression": "CXCR4", "cd44_expression": "CD44", "vla4_expression": "VLA4",
          "peak_fold_cd34_38neg": "CD34+/38−", "peak_fold_cd34_38neg_123pos": "CD34+/38−/123+"}


def association_block(binary, source):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "association.csv")
        subprocess.run([binary, "association", os.path.join(source, "scenarios", "association_trial_800mg.yaml"),
                        "--seeds", "100", "--size", "28", "-o", out], check=True, capture_output=True)
        with open(out) as fh:
            lines = [ln.strip().split(",") for ln in fh if not ln.startswith("#")]
    header, rows = lines[0], lines[1:]
    col = {name: i for i, name in enumerate(header)}
    text = ["| expression | peak fold of | median ρ | median p | share of cohorts with p ≤ .002 |",
            "|---|---|---:|---:|---:|"]
    for r in rows:
        rho = float(r[col["median_rho"]])
        text.append("| %s | %s | %s | %.1e | %.2f |" % (
            LABELS[r[col["variable"]]], LABELS[r[col["summary"]]], ("%.3f" % rho).replace("-", "−"),
            float(r[col["median_p"]]), float(r[col["share_p_le_alpha"]])))
    return "\n".join(text)


def sensitivity_block(binary, source):
    outputs = ["fold_cd34", "fold_cd34_38neg", "fold_cd34_38neg_123pos", "fold_cd44", "fold_vla4", "fold_cxcr4",
               "fold_blasts"]
    run = subprocess.run([binary, "sensitivity", os.path.join(source, "scenarios", "trial_800mg.yaml"),
                          "--outputs", ",".join(outputs)], check=True, capture_output=True, text=True)
    lines = [ln.split(",") for ln in run.stdout.splitlines() if ln and not ln.startswith("#")]
    text = ["| parameter | " + " | ".join(o[len("fold_"):] for o in outputs) + " |",
            "|---" * (len(outputs) + 1) + "|"]
    for row in lines[1:]:
        values = [float(v) for v in row[1:]]
        if all(abs(v) < 0.005 for v in values):  # omitted: no effect worth a row
            continue
        text.append("| `%s` | %s |" % (row[0], " | ".join("%.3f" % v for v in values)))
    return "\n".join(text)


def trajectory(binary, scenario, column):
    """(time_h, value) rows of one output of `mobsim run scenario`"""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.csv")
        subprocess.run([binary, "run", scenario, "-o", out], check=True, capture_output=True)
        with open(out) as fh:
            rows = [ln.strip().split(",") for ln in fh if not ln.startswith("#")]
    i = rows[0].index(column)
    return [(float(r[0]), float(r[i])) for r in rows[1:]]


def validation_block(binary, source):
    folder = os.path.join(source, "scenarios", "validation")
    pler = trajectory(binary, os.path.join(folder, "plerixafor_liles2003.yaml"), "fold_cd34")
    gcsf = trajectory(binary, os.path.join(folder, "filgrastim_daily_donors.yaml"), "fold_cd34")
    p_time, p_fold = max(pler, key=lambda r: r[1])
    g_time, g_fold = max(gcsf, key=lambda r: r[1])
    day5 = max(v for t, v in gcsf if 96 <= t <= 120)
    day4 = [v for t, v in gcsf if t == 80][0]  # before the 4th dose (08:00 of day 4)
    return "\n".join([
        "| scenario | source | source figure (spread) | model |",
        "|---|---|---|---|",
        "| `plerixafor_liles2003.yaml`: 240 µg/kg SC once | Liles 2003 Blood 102:2728, healthy volunteers | "
        "CD34+ 2.6 ± 0.3 → 40.4 ± 3.4 /µL (SEM) at 9 h: 15.5-fold, 10.5–23.6 at ± 2 SEM; peak 6–12 h | "
        "%.1f-fold at %.2f h |" % (p_fold, p_time),
        "| `filgrastim_daily_donors.yaml`: 10 µg/kg/day SC × 5 | Blood 2008;112:2092 (639 donor collections); "
        "Ann Hematol 1996;72:269 (20 donors); Stroncek 1997 Transfus Med 7:19 (22 donors) | day-5 CD34+ 79–104 /µL on a "
        "2.6–3.8 /µL baseline: 20.8–40-fold; peak on day 5 or 6; 61 /µL (about 20-fold) before the 4th dose | "
        "%.1f-fold on day 5, peak %.1f-fold at %.0f h (day %d); %.1f-fold before the 4th dose |"
        % (day5, g_fold, g_time, int((g_time - 8) // 24) + 1, day4)])


@functools.lru_cache(maxsize=None)
def run_cohort(binary, cohort_file, size):
    """('n/N' responders, per-patient rows as dicts) of `mobsim cohort cohort_file --size size`"""
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([binary, "cohort", cohort_file, "--size", str(size), "-o", os.path.join(tmp, "c")],
                             check=True, capture_output=True, text=True)
        with open(os.path.join(tmp, "c_patients.csv")) as fh:
            rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    line = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("responders")]
    return (line[0].split(":")[1].split("(")[0].strip() if line else ""), rows


def cohort_responders(binary, cohort_file, size):
    return run_cohort(binary, cohort_file, size)[0]


def response_block(binary, source):
    trial = os.path.join(source, "scenarios", "cohort_trial_800mg.yaml")
    alone = os.path.join(source, "scenarios", "validation", "cohort_sorafenib_alone_400mg.yaml")
    with open(trial) as fh:
        trial_text = fh.read()
    with tempfile.TemporaryDirectory() as tmp:
        # the trial's cohort file with the control scenario G-CSF + plerixafor, no sorafenib
        control = os.path.join(tmp, "control.yaml")
        with open(control, "w") as fh:
            fh.write(re.sub(r"(?m)^scenario: .*$", "scenario: " + os.path.join(
                source, "scenarios", "control_filgrastim_plerixafor.yaml"), trial_text))
        control_count = cohort_responders(binary, control, 1000)
    rows = [("trial regimen, 800 mg BID + G-CSF + plerixafor (`cohort_trial_800mg.yaml`)", 28,
             cohort_responders(binary, trial, 28), "10/28 (36%; CR 4, CRp 4, CRi 1, PR 1)"),
            ("trial regimen (`cohort_trial_800mg.yaml --size 1000`)", 1000, cohort_responders(binary, trial, 1000),
             "36% ± 10 points (requirement)"),
            ("sorafenib 400 mg BID alone (`validation/cohort_sorafenib_alone_400mg.yaml`)", 1000,
             cohort_responders(binary, alone, 1000),
             "8/66 (12.1%, 95% CI 6.3–22.1%): Borthakur 2011; BBMT 2011;17:1874"),
            ("G-CSF + plerixafor, no sorafenib (the trial cohort with `control_filgrastim_plerixafor.yaml`)", 1000,
             control_count, "none reported for mobilization alone")]
    text = ["| regimen (virtual patients, seed 20200716) | patients | responders (composite, day 28) | human figure |",
            "|---|---:|---:|---|"]
    text += ["| %s | %d | %s | %s |" % row for row in rows]
    return "\n".join(text)


def doses_block(binary, source):
    """typical patient at the three sorafenib dose levels: nothing is tuned on them (issue 19, requirement 7)"""
    text = ["| sorafenib (BID) | peak fold CD34+ | peak fold blasts | marrow blasts day 28 (%) |", "|---|---:|---:|---:|"]
    for dose in (400, 600, 800):
        scenario = os.path.join(source, "scenarios", "trial_%dmg.yaml" % dose)
        cd34 = max(v for t, v in trajectory(binary, scenario, "fold_cd34") if t <= 344)
        blasts = max(v for t, v in trajectory(binary, scenario, "fold_blasts") if t <= 344)
        marrow = [v for t, v in trajectory(binary, scenario, "marrow_blast_pct_pct") if t == 672][0]
        text.append("| %d mg | %.1f | %.1f | %.1f |" % (dose, cd34, blasts, marrow))
    return "\n".join(text)


POOLS = ["cd34", "cd34_38neg", "cd34_38neg_123pos", "cd44", "vla4", "cxcr4", "blasts"]


def significant(x, digits=4):
    return "%#.*g" % (digits, x)


def fit_block(binary, source):
    """the default fit (scenarios/fit_trial_cohort.yaml, one start from its nominal values = the model's defaults)
    and the seven means on the 1000-patient trial cohort at the defaults"""
    import yaml
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "fit", os.path.join(source, "scenarios", "fit_trial_cohort.yaml"), "--starts", "1",
                        "-o", os.path.join(tmp, "fit")], check=True, capture_output=True)
        with open(os.path.join(tmp, "fit_report.yaml")) as fh:
            report = yaml.safe_load(fh)
    text = ["| parameter | estimate | SE | 95% CI (Wald) |", "|---|---:|---:|---|"]
    for p in report["parameters"]:
        if p["estimate"]:
            text.append("| `%s` | %s | %s | %s–%s |" % (p["id"], significant(p["value"]), significant(p["se"], 2),
                                                        significant(p["ci95"][0], 3), significant(p["ci95"][1], 3)))
    text.append("| −2 log L | %.2f | | |" % report["objective"]["neg2_log_likelihood"])
    rows = run_cohort(binary, os.path.join(source, "scenarios", "cohort_trial_800mg.yaml"), 1000)[1]
    text += ["", "| target | observed | predicted (fit's %d-patient cohort mean) | miss | 1000-patient trial cohort | miss |"
             % report["cohort"]["size"], "|---|---:|---:|---:|---:|---:|"]
    for t in report["targets"]:
        pool = t["observable"][len("fold_"):]
        mean = sum(float(r["peak_fold_" + pool]) for r in rows) / len(rows)
        text.append("| %s | %s | %.1f | %+.1f%% | %.1f | %+.1f%% |" % (
            pool, "%g" % t["observed"], t["predicted"], 100 * (t["predicted"] / t["observed"] - 1), mean,
            100 * (mean / t["observed"] - 1)))
    return "\n".join(text).replace("+-", "−").replace("| -", "| −").replace(" -", " −")


def profile_block(binary, source):
    """profile-likelihood intervals of the default fit (slow: run with --profile; ctest leaves this block alone)"""
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([binary, "profile", os.path.join(source, "scenarios", "fit_trial_cohort.yaml"),
                              "--starts", "1", "-o", os.path.join(tmp, "p")], check=True, capture_output=True, text=True)
    lines = [ln for ln in run.stdout.splitlines() if ln.strip() and not ln.startswith("wrote")]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("profile likelihood"))
    return "```\n" + "\n".join(lines[start:]) + "\n```"


def describe_block(binary, source):
    """the model's states, parameters (value, unit, source), covariates and outputs from `mobsim describe`"""
    run = subprocess.run([binary, "describe", "aml_mobilization"], check=True, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("## "))
    return "\n".join(("#" + ln if ln.startswith("## ") else ln) for ln in lines[start:]).rstrip("\n")


def main():
    args = [a for a in sys.argv[1:] if a not in ("--check", "--profile")]
    check = "--check" in sys.argv[1:]
    binary = os.path.abspath(args[0])
    source = os.path.abspath(args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    blocks = {"association": association_block(binary, source), "sensitivity": sensitivity_block(binary, source),
              "validation": validation_block(binary, source), "response": response_block(binary, source),
              "doses": doses_block(binary, source), "fit": fit_block(binary, source),
              "describe": describe_block(binary, source)}
    if "--profile" in sys.argv[1:]:
        blocks["profile"] = profile_block(binary, source)
    status = 0
    for page, names in PAGES.items():
        page_blocks = {name: blocks[name] for name in names if name in blocks}
        status = max(status, marked_blocks.update(os.path.join(source, "docs", page), page_blocks, check,
                                                  "model_figures"))
    return status


if __name__ == "__main__":
    sys.exit(main())
