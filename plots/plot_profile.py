#!/usr/bin/python3
"""Plot likelihood profiles: delta objective vs parameter value, one panel per parameter.

Input columns: parameter,value,objective,delta_objective.  The dashed line is the
threshold (default chi2(1, 0.95) = 3.84 for -2 log L); the shaded span is the 95%
interval found by linear interpolation.  800x500 px for one parameter, else 1200x900 px.

  plot_profile.py profile.csv -o profile.png [--threshold 3.84] [--parameters NAME ...]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402

MAX_PANELS = 12


def crossing(x0, d0, x1, d1, level):
    return x0 + (level - d0) * (x1 - x0) / (d1 - d0)


def interval(values, delta, level, log=False):
    """(lower, upper) where the profile crosses `level` either side of its minimum; None if open.
    Interpolates linearly in log(value) when log is True (matching a log x axis)."""
    order = np.argsort(values)
    x, d = np.asarray(values, float)[order], np.asarray(delta, float)[order]
    if log:
        lo, hi = interval(np.log(x), d, level)
        return tuple(None if v is None else float(np.exp(v)) for v in (lo, hi))
    k = int(np.nanargmin(d))
    lower = upper = None
    for i in range(k, 0, -1):
        if d[i - 1] >= level > d[i]:
            lower = crossing(x[i], d[i], x[i - 1], d[i - 1], level)
            break
    for i in range(k, len(x) - 1):
        if d[i + 1] >= level > d[i]:
            upper = crossing(x[i], d[i], x[i + 1], d[i + 1], level)
            break
    return lower, upper


def fmt(v):
    return "open" if v is None else f"{v:.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="profile CSV")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--threshold", type=float, default=3.84, help="delta objective threshold (default 3.84)")
    ap.add_argument("--parameters", nargs="+", help="parameters to plot (default: all)")
    a = ap.parse_args()

    _, header, rows = C.read_rows(a.csv)
    names = np.array(C.text(a.csv, header, rows, "parameter"))
    value = C.numeric(a.csv, header, rows, "value")
    C.require_column(a.csv, header, "objective")
    delta = C.numeric(a.csv, header, rows, "delta_objective")
    chosen = C.choose_panels(a.csv, list(dict.fromkeys(names.tolist())), a.parameters, "parameter", "parameter",
                             MAX_PANELS)
    C.out_dir_ok(a.output)

    fig, axes = C.panel_grid(len(chosen))
    for ax, p in zip(axes, chosen):
        m = names == p
        order = np.argsort(value[m])
        x, d = value[m][order], delta[m][order]
        ax.plot(x, d, "o-", ms=3, color="tab:blue", label="profile")
        ax.axhline(a.threshold, color="tab:red", ls="--", lw=1, label=f"threshold {a.threshold:g}")
        logx = bool(np.all(x > 0) and x[-1] / x[0] > 50)
        lo, hi = interval(x, d, a.threshold, logx)
        best = x[int(np.nanargmin(d))]
        ax.axvline(best, color="0.4", ls=":", lw=1, label=f"best {best:.3g}")
        span = (lo if lo is not None else x[0], hi if hi is not None else x[-1])
        ax.axvspan(*span, color="tab:blue", alpha=0.1, label="95% interval")
        ax.set_title(f"{p}: 95% interval [{fmt(lo)}, {fmt(hi)}]", fontsize=10)
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(f"{p} (parameter units)")
        ax.set_ylabel("\u0394 objective (\u22122 log L)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper center")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    fig.suptitle("Profile likelihood", fontsize=11)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
