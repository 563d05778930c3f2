#!/usr/bin/python3
"""Regenerate (or check) the trial VPop figures docs/vpop.md quotes, between marker comments.

Usage: vpop_figures.py MOBSIM_BINARY [--check] [--plausible-size N] [--vpop-size M] [SOURCE_DIR]
Runs, in a temporary folder:
  mobsim vpop scenarios/vpop_trial.yaml --plausible-size N --vpop-size M     (default N 2000, M 200)
  mobsim cohort scenarios/cohort_vpop_trial.yaml on that VPop                 (the trial regimen)
  mobsim sweep scenarios/sweep_vpop_trial.yaml on that VPop                   (alternative schedules)
and writes the blocks vpop-trial and vpop-sweep of docs/vpop.md. With --check nothing is written and the exit
status is 1 when a quoted figure differs from what the program gives now (ctest `vpop_figures`). The docs quote
the default (reduced) sizes so that the check stays a few minutes; the sizes are printed in the block.
The response definition is read from vpop_trial.yaml's response_rate target (its quantity and threshold), so it
is stated in one place.
"""
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

import yaml

import marked_blocks


def read_csv(path):
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(ln for ln in fh if not ln.startswith("#")))
    return rows[0], rows[1:]


def read_comments(path):
    with open(path, encoding="utf-8") as fh:
        return {m.group(1): m.group(2) for m in (re.match(r"# (\w+): (.*)", ln) for ln in fh) if m}


def response_definition(source):
    """(quantity spec, threshold) of the response_rate target of vpop_trial.yaml"""
    with open(os.path.join(source, "scenarios", "vpop_trial.yaml"), encoding="utf-8") as fh:
        study = yaml.safe_load(fh)
    target = next(t for t in study["targets"] if t.get("name") == "response_rate")
    quantity = next(q for q in study["quantities"] if q["name"] == target["quantity"])
    return quantity, float(target["below"])


def with_vpop(source, name, vpop, tmp):
    """A copy of scenarios/NAME in tmp that reads `vpop`, its scenario path made absolute."""
    path = os.path.join(source, "scenarios", name)
    with open(path, encoding="utf-8") as fh:
        study = yaml.safe_load(fh)
    study["vpop"] = vpop
    if isinstance(study["scenario"], str):
        study["scenario"] = os.path.join(source, "scenarios", study["scenario"])
    out = os.path.join(tmp, name)
    with open(out, "w", encoding="utf-8") as fh:
        yaml.safe_dump(study, fh, sort_keys=False)
    return out


def fmt(value, digits=3):
    text = ("%." + str(digits) + "g") % value
    return text.replace("-", "−")


def trial_block(binary, source, tmp, sizes, response):
    prefix = os.path.join(tmp, "vpop")
    subprocess.run([binary, "vpop", os.path.join(source, "scenarios", "vpop_trial.yaml"), "-o", prefix, "-q",
                    "--plausible-size", str(sizes[0]), "--vpop-size", str(sizes[1])], check=True)
    info = read_comments(prefix + "_report.csv")
    header, rows = read_csv(prefix + "_report.csv")
    col = {n: i for i, n in enumerate(header)}
    text = ["`mobsim vpop scenarios/vpop_trial.yaml --plausible-size %d --vpop-size %d` (%s plausible, VPop of %s, "
            "effective size of the weights %s, %s saturated; χ² %s):" % (
                sizes[0], sizes[1], info["plausible"].split()[0], info["vpop_size"],
                fmt(float(info["effective_size"].split()[0])), info["saturated"].split()[0],
                fmt(float(info["chi_square"].split()[0])) + " on " + info["chi_square"].split()[2] + " targets"), "",
            "| target | published | VPop [95% bootstrap] | z | within |", "|---|---:|---:|---:|---|"]
    for r in rows:
        published = fmt(float(r[col["published"]])) if r[col["published"]] else ("≤ " + fmt(float(r[col["published_at_most"]]))
                                            if r[col["published_at_most"]] else "≥ " + fmt(float(r[col["published_at_least"]])))
        text.append("| %s | %s | %s [%s, %s] | %s | %s |" % (
            r[col["target"]], published.replace("-", "−"), fmt(float(r[col["vpop"]])), fmt(float(r[col["bootstrap_low"]])),
            fmt(float(r[col["bootstrap_high"]])), fmt(float(r[col["z"]]), 2), r[col["within_uncertainty"]]))
    # the response share over the plausible population: what the model gives before selection
    header, rows = read_csv(prefix + "_plausible.csv")
    col = {n: i for i, n in enumerate(header)}
    plausible = [r for r in rows if r[col["status"]] == "plausible"]
    responders = sum(float(r[col[response[0]["name"]]]) < response[1] for r in plausible)
    text += ["", "Responders (%s < %s) among the plausible patients, before selection: %d of %d (%.1f%%)." % (
        response[0]["name"], fmt(response[1]), responders, len(plausible), 100.0 * responders / len(plausible))]
    return "\n".join(text), prefix + "_vpop.csv"


def sweep_block(binary, source, tmp, vpop, response):
    cohort = with_vpop(source, "cohort_vpop_trial.yaml", vpop, tmp)
    subprocess.run([binary, "cohort", cohort, "-o", os.path.join(tmp, "cohort"), "-q"], check=True)
    header, rows = read_csv(os.path.join(tmp, "cohort_patients.csv"))
    col = {n: i for i, n in enumerate(header)}
    cohort_share = sum(float(r[col[response[0]["name"]]]) < response[1] for r in rows) / len(rows)

    sweep = with_vpop(source, "sweep_vpop_trial.yaml", vpop, tmp)
    out = os.path.join(tmp, "sweep.csv")
    subprocess.run([binary, "sweep", sweep, "-o", out, "-q", "--yes"], check=True)
    header, rows = read_csv(out)
    col = {n: i for i, n in enumerate(header)}
    axes = header[:col["patient"]]
    points = {}
    for r in rows:
        points.setdefault(tuple(r[col[a]] for a in axes), []).append(r)
    trial = points[tuple(rows[0][col[a]] for a in axes)]
    names = {"plerixafor_even.amount": {"0": "odd days", "240": "daily"}, "filgrastim.amount": {"10": "10", "5": "5"},
             "sorafenib.start_day_offset": {"0": "day 1", "2": "day 3"}}
    text = ["`mobsim cohort scenarios/cohort_vpop_trial.yaml` on that VPop: %.1f%% responders on the trial regimen." %
            (100.0 * cohort_share), "",
            "`mobsim sweep scenarios/sweep_vpop_trial.yaml` on that VPop (means over its %d patients; Δ: mean "
            "paired difference from the trial regimen, the first row):" % len(trial), "",
            "| plerixafor | G-CSF µg/kg | sorafenib from | peak fold CD34+ | peak fold CD34+/38− | peak fold blasts "
            "| Δ log peak fold CD34+/38− | responders |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    for key, group in points.items():
        def mean(name):
            return sum(float(r[col[name]]) for r in group) / len(group)
        delta = sum(math.log(float(a[col["peak_fold_cd34_38neg"]]) / float(b[col["peak_fold_cd34_38neg"]]))
                    for a, b in zip(group, trial)) / len(group)
        share = sum(float(r[col[response[0]["name"]]]) < response[1] for r in group) / len(group)
        text.append("| %s | %s | %s | %s | %s | %s | %s | %.1f%% |" % (
            names[axes[0]][key[0]], names[axes[1]][key[1]], names[axes[2]][key[2]], fmt(mean("peak_fold_cd34")),
            fmt(mean("peak_fold_cd34_38neg")), fmt(mean("peak_fold_blasts")), fmt(delta, 2), 100.0 * share))
    return "\n".join(text)


def main():
    argv = sys.argv[1:]
    check = "--check" in argv
    sizes = [2000, 200]
    args = []
    i = 0
    while i < len(argv):
        if argv[i] in ("--plausible-size", "--vpop-size"):
            sizes[0 if argv[i] == "--plausible-size" else 1] = int(argv[i + 1])
            i += 2
            continue
        if argv[i] != "--check":
            args.append(argv[i])
        i += 1
    binary = os.path.abspath(args[0])
    source = os.path.abspath(args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    response = response_definition(source)
    with tempfile.TemporaryDirectory() as tmp:
        trial, vpop = trial_block(binary, source, tmp, sizes, response)
        blocks = {"vpop-trial": trial, "vpop-sweep": sweep_block(binary, source, tmp, vpop, response)}
    doc = os.path.join(source, "docs", "vpop.md")
    return marked_blocks.update(doc, blocks, check, "vpop_figures")


if __name__ == "__main__":
    sys.exit(main())
