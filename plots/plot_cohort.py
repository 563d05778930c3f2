#!/usr/bin/python3
"""Plot a cohort time summary: p05-p95 and p25-p75 bands with the median, one panel per output.

Input columns: time_h,output,mean,p05,p25,p50,p75,p95.  1200x900 px (800x500 for one output).

  plot_cohort.py cohort.csv -o cohort.png [--outputs NAME ...] [--log | --linear]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402

STATS = ["mean", "p05", "p25", "p50", "p75", "p95"]
MAX_PANELS = 9


def wants_log(name, values, mode):
    if mode == "linear" or not C.can_log(values):
        return False
    if mode == "log":
        return True
    return name.startswith(("blood_", "fold_", "ratio_")) or (
        name.startswith("marrow_") and not name.endswith("_pct"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="cohort time summary CSV")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--outputs", nargs="+", help=f"outputs to plot (default: all, at most {MAX_PANELS})")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--log", dest="mode", action="store_const", const="log", help="log y on all panels")
    g.add_argument("--linear", dest="mode", action="store_const", const="linear", help="linear y")
    a = ap.parse_args()

    meta, header, rows = C.read_rows(a.csv)
    t = C.numeric(a.csv, header, rows, "time_h")
    names = C.text(a.csv, header, rows, "output")
    stats = {s: C.numeric(a.csv, header, rows, s) for s in STATS}
    chosen = C.choose_panels(a.csv, list(dict.fromkeys(names)), a.outputs, "output", "output", MAX_PANELS)
    C.out_dir_ok(a.output)

    units = dict(item.split("=", 1) for item in meta.get("output_units", "").split(", ") if "=" in item)
    failed = meta.get("solver_failed", "0").split()[0]
    n = meta.get("patients")
    n_text = f"N = {int(n) - int(failed)} patients" if n and failed.isdigit() else "N not recorded"
    fig, axes = C.panel_grid(len(chosen))
    names = np.array(names)
    for ax, name in zip(axes, chosen):
        m = names == name
        order = np.argsort(t[m])
        tt = t[m][order]
        s = {k: v[m][order] for k, v in stats.items()}
        col = C.pop_color(name)
        ax.fill_between(tt, s["p05"], s["p95"], color=col, alpha=0.18, lw=0, label="5th\u201395th pct")
        ax.fill_between(tt, s["p25"], s["p75"], color=col, alpha=0.38, lw=0, label="25th\u201375th pct")
        ax.plot(tt, s["p50"], color=col, lw=1.8, label="median")
        ax.plot(tt, s["mean"], color="k", lw=1, ls="--", label="mean")
        if wants_log(name, s["p05"].tolist() + s["p95"].tolist(), a.mode):
            C.log_axis(ax.yaxis, np.concatenate([s["p05"], s["p95"]]))
        unit = units.get(name) or C.unit_of(name) or ("\u2013" if name.startswith(("fold_", "ratio_")) else "")
        unit = {"1": "\u2013", "/uL": "cells/\u00b5L", "1e3/uL": "10\u00b3 cells/\u00b5L"}.get(unit, unit)
        ax.set_title(f"{C.pretty(name)}  [{name}]", fontsize=10)
        ax.set_ylabel(f"{name} ({unit})" if unit else f"{name} (unit not recorded)")
        ax.set_xlabel("Time (h)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    fig.suptitle(f"Cohort summary, {n_text}: median and mean of the cohort with percentile bands, sampled on the "
                 f"band grid and around each dose \u2014 {C.title_from(meta, a.csv)}", fontsize=9)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
