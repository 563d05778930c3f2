#!/usr/bin/python3
"""Plot fit residuals. Time-course targets (labels with :t=): observed and predicted against time,
observed vs predicted, and the weighted residual of each observation against time, censored
observations marked. Summary targets: observed vs predicted and one residual bar per target.

Input columns: target,observed,predicted,residual,weighted_residual.  1200x500 px. The model
curve between observations comes from the fit's PREFIX_curves.csv (series,time_h,predicted),
read from beside PREFIX_residuals.csv or given with --curves; without it the predictions at
the observation times are joined by lines (the title says so).

  plot_fit.py residuals.csv -o fit.png [--linear] [--curves curves.csv]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402


def time_of(target):
    """The time of a time-course target label (OBS@COND:t=T[:subject=S][:censored]), else nan."""
    for part in target.split(":")[1:]:
        if part.startswith("t="):
            return float(part[2:])
    return float("nan")


def read_curves(a):
    """{series: (times, predicted)} from the curves file, or {} when there is none."""
    path = a.curves or (a.csv[: -len("_residuals.csv")] + "_curves.csv" if a.csv.endswith("_residuals.csv") else "")
    if not path or (not a.curves and not os.path.isfile(path)):
        return {}
    _, header, rows = C.read_rows(path)
    series = C.text(path, header, rows, "series")
    t, p = C.numeric(path, header, rows, "time_h"), C.numeric(path, header, rows, "predicted")
    out = {}
    for name in dict.fromkeys(series):
        m = np.array([s == name for s in series])
        out[name] = (t[m], p[m])
    return out


def time_course_figure(a, targets, times, censored, obs, pred, wres):
    """Observed and predicted against time, observed vs predicted, weighted residual per observation against
    time; censored observations (below the LLOQ, M3) as open triangles at the LLOQ."""
    fig, (ax0, ax1, ax2) = C.plt.subplots(1, 3, figsize=C.WIDE, dpi=C.DPI, constrained_layout=True)
    series = [t.split(":")[0] + "".join(":" + p for p in t.split(":")[1:] if p.startswith("subject="))
              for t in targets]
    curves = read_curves(a)
    for k, name in enumerate(dict.fromkeys(series)):
        m = np.array([s == name for s in series])
        order = np.argsort(times[m])
        if name in curves:
            ax0.plot(*curves[name], color=f"C{k % 10}", lw=1.2, label="model (fitted)" if k == 0 else None)
        else:
            ax0.plot(times[m][order], pred[m][order], color=f"C{k % 10}", lw=1.2,
                     label="predicted at the observation times (no curves file)" if k == 0 else None)
    seen = ~censored
    ax0.scatter(times[seen], obs[seen], color="k", s=14, zorder=3, label="observed")
    if censored.any():
        for ax, x in ((ax0, times), (ax1, obs)):
            ax.scatter(x[censored], (obs if ax is ax0 else pred)[censored], marker="v", facecolors="none",
                       edgecolors="tab:red", s=30, zorder=4, label="censored (below LLOQ; shown at LLOQ)")
    ax0.set_xlabel("Time (h)")
    ax0.set_ylabel("Observed and predicted (target units)")
    ax0.set_title(f"Time course ({len(targets)} observations)", fontsize=11)
    ax0.legend(fontsize=7, loc="best")
    ax1.scatter(obs[seen], pred[seen], color="tab:blue", s=14, label="observations")
    lim = (min(np.nanmin(obs), np.nanmin(pred)), max(np.nanmax(obs), np.nanmax(pred)))
    ax1.plot(lim, lim, color="0.5", ls="--", lw=1, label="identity")
    ax1.set_xlabel("Observed (target units)")
    ax1.set_ylabel("Predicted (target units)")
    ax1.set_title("Observed vs predicted", fontsize=11)
    ax1.legend(fontsize=7, loc="upper left")
    ax2.scatter(times[seen], wres[seen], color=["tab:red" if abs(w) > 2 else "tab:blue" for w in wres[seen]], s=14)
    ax2.scatter(times[censored], wres[censored], marker="v", facecolors="none", edgecolors="tab:red", s=30)
    for v in (-2, 2):
        ax2.axhline(v, color="0.4", ls=":", lw=1)
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set_xlabel("Time (h)")
    ax2.set_ylabel("Weighted residual (\u2013; dotted: \u00b12)")
    ax2.set_title(f"Weighted residuals (sum of squares {np.nansum(wres ** 2):.3g})", fontsize=11)
    for ax in (ax0, ax1, ax2):
        ax.grid(True, alpha=0.3)
    C.save(fig, a.output)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="fit residuals CSV")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--linear", action="store_true", help="linear axes for observed vs predicted")
    ap.add_argument("--curves", help="the fit's PREFIX_curves.csv (default: beside the residuals, if there)")
    a = ap.parse_args()

    _, header, rows = C.read_rows(a.csv)
    targets = C.text(a.csv, header, rows, "target")
    obs = C.numeric(a.csv, header, rows, "observed")
    pred = C.numeric(a.csv, header, rows, "predicted")
    C.require_column(a.csv, header, "residual")
    wres = C.numeric(a.csv, header, rows, "weighted_residual")
    C.out_dir_ok(a.output)

    times = np.array([time_of(t) for t in targets])
    censored = np.array([t.endswith(":censored") for t in targets])
    if np.all(np.isfinite(times)):  # time courses: per-observation panels against time
        return time_course_figure(a, targets, times, censored, obs, pred, wres)
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
