#!/usr/bin/python3
"""Plot a VPop (mobsim vpop): the report's targets, or marginals and pairs against the plausible population.

  plot_vpop.py PREFIX_report.csv -o targets.png
      one row per target: z = (VPop - published) / published uncertainty, with the bootstrap interval on the
      same scale; the band |z| <= 1.96 is the published uncertainty.  800x500 px (1200x900 for > 8 targets).
  plot_vpop.py PREFIX_plausible.csv -o pairs.png [--columns A B C]
      diagonal: histograms of the plausible population and of the VPop; below it: pairwise scatter (grey:
      plausible, coloured: VPop).  At most 4 columns (default: the first 4).  1200x900 px.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402

MAX_COLUMNS = 4


def fisher(v, correlation):
    return np.arctanh(np.clip(v, -0.999999, 0.999999)) if correlation else v


def plot_targets(path, out):
    meta, header, rows = C.read_rows(path)
    names = C.text(path, header, rows, "target")
    stats = C.text(path, header, rows, "statistic")
    unc = C.numeric(path, header, rows, "uncertainty")
    cols = {k: C.numeric(path, header, rows, k) for k in
            ("published", "published_at_least", "published_at_most", "vpop", "bootstrap_low", "bootstrap_high", "z")}
    n = len(names)
    fig, ax = C.plt.subplots(figsize=C.SINGLE if n <= 8 else C.GRID, dpi=C.DPI, constrained_layout=True)
    y = np.arange(n)[::-1]
    ax.axvspan(-1.96, 1.96, color="0.9", label="published uncertainty (95%)")
    ax.axvline(0, color="0.5", lw=0.8)
    for i in range(n):
        corr = stats[i].startswith(("spearman", "pearson"))
        value = cols["published"][i]
        if math.isnan(value):  # an interval target: z is 0 inside, measured from the nearer bound
            low, high = cols["published_at_least"][i], cols["published_at_most"][i]
            value = high if math.isnan(low) or (not math.isnan(high) and cols["vpop"][i] > high) else low
        to_z = lambda v: (fisher(v, corr) - fisher(value, corr)) / unc[i]  # noqa: E731
        z = cols["z"][i]
        lo, hi = to_z(cols["bootstrap_low"][i]), to_z(cols["bootstrap_high"][i])
        ax.plot([lo, hi], [y[i], y[i]], color="C0", lw=2)
        ax.plot([z], [y[i]], "o", color="C0" if abs(z) <= 1.96 else "C3")
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("z = (VPop \u2212 published) / published uncertainty (bar: VPop bootstrap 95%)")
    ax.set_title(f"VPop vs published targets \u2014 {C.title_from(meta, path)}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    C.save(fig, out)


def plot_pairs(path, out, requested):
    meta, header, rows = C.read_rows(path)
    status = C.text(path, header, rows, "status")
    selected = C.numeric(path, header, rows, "selected") == 1
    plausible = np.array([s == "plausible" for s in status])
    available = [h for h in header if h not in ("candidate", "status", "weight", "selected")]
    chosen = C.choose_panels(path, available, requested or available[:MAX_COLUMNS], "column", "header", MAX_COLUMNS)
    data = {c: C.numeric(path, header, rows, c) for c in chosen}
    k = len(chosen)
    fig, axes = C.plt.subplots(k, k, figsize=C.GRID, dpi=C.DPI, squeeze=False, constrained_layout=True)
    for i, a in enumerate(chosen):
        for j, b in enumerate(chosen):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                values = data[a][plausible]
                bins = np.histogram_bin_edges(values[np.isfinite(values)], bins=30)
                ax.hist(values, bins=bins, density=True, color="0.7", label="plausible")
                ax.hist(data[a][selected], bins=bins, density=True, histtype="step", color="C0", lw=1.5, label="VPop")
                if i == 0:
                    ax.legend(fontsize=7)
            else:
                ax.plot(data[b][plausible], data[a][plausible], ",", color="0.7")
                ax.plot(data[b][selected], data[a][selected], ".", color="C0", ms=2)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=8)
            if j == 0:
                ax.set_ylabel(a, fontsize=8)
    fig.suptitle(f"VPop vs plausible population \u2014 {C.title_from(meta, path)}", fontsize=9)
    C.save(fig, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="PREFIX_report.csv or PREFIX_plausible.csv from mobsim vpop")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--columns", nargs="+", help=f"plausible file: columns to plot (at most {MAX_COLUMNS})")
    a = ap.parse_args()
    C.out_dir_ok(a.output)
    _, header, _ = C.read_rows(a.csv)
    if "target" in header:
        plot_targets(a.csv, a.output)
    elif "status" in header:
        plot_pairs(a.csv, a.output, a.columns)
    else:
        raise C.PlotError(f"{a.csv}: neither a VPop report (column 'target') nor a plausible population "
                          f"(column 'status')")


if __name__ == "__main__":
    C.main_wrapper(main)
