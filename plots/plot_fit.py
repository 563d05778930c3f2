#!/usr/bin/python3
"""Plot fit residuals: observed vs predicted (left) and weighted residual per target (right).

Input columns: target,observed,predicted,residual,weighted_residual.  1200x500 px.

  plot_fit.py residuals.csv -o fit.png [--linear]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="fit residuals CSV")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--linear", action="store_true", help="linear axes for observed vs predicted")
    a = ap.parse_args()

    _, header, rows = C.read_rows(a.csv)
    targets = C.text(a.csv, header, rows, "target")
    obs = C.numeric(a.csv, header, rows, "observed")
    pred = C.numeric(a.csv, header, rows, "predicted")
    C.require_column(a.csv, header, "residual")
    wres = C.numeric(a.csv, header, rows, "weighted_residual")
    C.out_dir_ok(a.output)

    fig, (ax1, ax2) = C.plt.subplots(1, 2, figsize=C.WIDE, dpi=C.DPI, constrained_layout=True,
                                     gridspec_kw={"width_ratios": [1, 1.2]})
    both = np.concatenate([obs, pred])
    log = not a.linear and bool(np.all(both[np.isfinite(both)] > 0))
    lo, hi = np.nanmin(both), np.nanmax(both)
    pad = (hi / lo) ** 0.08 if log else 0.08 * (hi - lo or 1.0)
    lim = (lo / pad, hi * pad) if log else (lo - pad, hi + pad)
    ax1.plot(lim, lim, color="0.5", ls="--", lw=1, label="identity (predicted = observed)")
    ax1.scatter(obs, pred, color="tab:blue", zorder=3, label="targets")
    if log:
        C.log_axis(ax1.xaxis, both)
        C.log_axis(ax1.yaxis, both)
    ax1.set_xlim(lim)
    ax1.set_ylim(lim)
    if len(targets) <= 20:
        for t, o, p in zip(targets, obs, pred):
            ax1.annotate(t, (o, p), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax1.set_xlabel("Observed (target units)")
    ax1.set_ylabel("Predicted (target units)")
    ax1.set_title("Observed vs predicted", fontsize=11)
    ax1.grid(True, alpha=0.3)
    ax1.legend(fontsize=8, loc="upper left")

    yy = np.arange(len(targets))
    colors = ["tab:red" if abs(w) > 2 else "tab:blue" for w in wres]
    ax2.barh(yy, wres, color=colors)
    for v in (-2, 2):
        ax2.axvline(v, color="0.4", ls=":", lw=1)
    ax2.axvline(0, color="k", lw=0.8)
    ax2.set_yticks(yy)
    ax2.set_yticklabels(targets, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlabel("Weighted residual (\u2013; dotted: \u00b12, red: beyond)")
    ax2.set_title(f"Weighted residuals (sum of squares {np.nansum(wres ** 2):.3g})", fontsize=11)
    ax2.grid(True, axis="x", alpha=0.3)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
