#!/usr/bin/python3
"""Bar chart of model-predicted vs trial-observed mean fold change per population (log y).

Input columns: population,observed,predicted.  800x500 px.

  plot_folds.py folds.csv -o folds.png [--title TEXT]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="fold comparison CSV (population,observed,predicted)")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--title", default="Mobilization: model vs trial mean fold change")
    a = ap.parse_args()

    _, header, rows = C.read_rows(a.csv)
    pops = C.text(a.csv, header, rows, "population")
    obs = C.numeric(a.csv, header, rows, "observed")
    pred = C.numeric(a.csv, header, rows, "predicted")
    C.out_dir_ok(a.output)

    x = np.arange(len(pops))
    w = 0.38
    fig, ax = C.plt.subplots(figsize=C.SINGLE, dpi=C.DPI, constrained_layout=True)
    ax.bar(x - w / 2, obs, w, label="Trial (observed mean)", color="0.55")
    ax.bar(x + w / 2, pred, w, label="Model (predicted)", color="tab:blue")
    if C.can_log(np.concatenate([obs, pred])):
        C.log_axis(ax.yaxis, np.concatenate([obs, pred, [1.0]]))
    ax.axhline(1.0, color="k", lw=0.8, ls=":", label="no change (fold = 1)")
    for xi, o, p in zip(x, obs, pred):  # predicted/observed ratio above each pair
        if o > 0 and p > 0:
            ax.annotate(f"\u00d7{p / o:.2g}", (xi, max(o, p)), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels([C.POPULATIONS.get(p, p) for p in pops], rotation=20, ha="right")
    ax.set_ylabel("Fold change from baseline (\u2013)")
    ax.set_xlabel("Population (label above bars: predicted / observed)")
    ax.set_title(a.title, fontsize=11)
    ax.grid(True, axis="y", which="major", alpha=0.3)
    ax.legend(fontsize=8)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
