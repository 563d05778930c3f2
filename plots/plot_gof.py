#!/usr/bin/python3
"""Goodness-of-fit panels of a `mobsim nlme` table: DV vs PRED, DV vs IPRED, CWRES vs TIME, CWRES vs PRED
(censored rows, CENS = 1, left out).  1200x900 px.  With --individual, the individual fits instead: DV points,
IPRED and PRED lines per ID (up to 16 IDs, the first ones in the table).

  plot_gof.py run_table.csv -o gof.png [--individual]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402


def identity_panel(ax, x, y, xlabel):
    finite = np.isfinite(x) & np.isfinite(y)
    hi = max(np.nanmax(x[finite]), np.nanmax(y[finite])) * 1.05
    ax.plot([0, hi], [0, hi], color="0.5", ls="--", lw=1, label="identity")
    ax.scatter(x, y, s=12, color="tab:blue", alpha=0.7, label="observations")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("DV")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")


def residual_panel(ax, x, cwres, xlabel):
    ax.scatter(x, cwres, s=12, color="tab:blue", alpha=0.7)
    ax.axhline(0, color="k", lw=0.8)
    for v in (-2, 2):
        ax.axhline(v, color="0.4", ls=":", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("CWRES")
    ax.grid(True, alpha=0.3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="table CSV of mobsim nlme (ID,TIME,DV,PRED,IPRED,...,CWRES,...,CENS)")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--individual", action="store_true", help="individual fits instead of the GOF panels")
    a = ap.parse_args()

    _, header, rows = C.read_rows(a.csv)
    ids = C.text(a.csv, header, rows, "ID")
    time = C.numeric(a.csv, header, rows, "TIME")
    dv = C.numeric(a.csv, header, rows, "DV")
    pred = C.numeric(a.csv, header, rows, "PRED")
    ipred = C.numeric(a.csv, header, rows, "IPRED")
    cwres = C.numeric(a.csv, header, rows, "CWRES")
    cens = C.numeric(a.csv, header, rows, "CENS") > 0
    C.out_dir_ok(a.output)

    if a.individual:
        order = list(dict.fromkeys(ids))[:16]
        ncols = min(4, len(order))
        nrows = -(-len(order) // ncols)
        fig, axes = C.plt.subplots(nrows, ncols, figsize=C.GRID, dpi=C.DPI, constrained_layout=True, squeeze=False)
        for ax, subject in zip(axes.flat, order):
            k = np.array([i == subject for i in ids])
            ax.scatter(time[k & ~cens], dv[k & ~cens], s=12, color="k", label="DV")
            ax.scatter(time[k & cens], dv[k & cens], s=16, marker="v", color="tab:red", label="LLOQ (censored)")
            ax.plot(time[k], ipred[k], color="tab:blue", label="IPRED")
            ax.plot(time[k], pred[k], color="tab:orange", ls="--", label="PRED")
            ax.set_title(f"ID {subject}", fontsize=9)
            ax.grid(True, alpha=0.3)
        for ax in list(axes.flat)[len(order):]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7)
        fig.supxlabel("Time (h)")
        fig.supylabel("DV")
    else:
        keep = ~cens
        fig, axes = C.plt.subplots(2, 2, figsize=C.GRID, dpi=C.DPI, constrained_layout=True)
        identity_panel(axes[0, 0], pred[keep], dv[keep], "PRED")
        identity_panel(axes[0, 1], ipred[keep], dv[keep], "IPRED")
        residual_panel(axes[1, 0], time[keep], cwres[keep], "Time (h)")
        residual_panel(axes[1, 1], pred[keep], cwres[keep], "PRED")
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
