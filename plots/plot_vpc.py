#!/usr/bin/python3
"""Visual predictive check from `mobsim vpc`: per time bin the observed 5th, 50th and 95th percentiles (lines)
over the simulated 95% intervals of the same percentiles (shaded).  800x500 px.

  plot_vpc.py run_vpc.csv -o vpc.png [--log]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="VPC CSV of mobsim vpc")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--log", action="store_true", help="logarithmic y axis")
    a = ap.parse_args()

    meta, header, rows = C.read_rows(a.csv)
    t = C.numeric(a.csv, header, rows, "time_median")
    C.out_dir_ok(a.output)
    fig, ax = C.plt.subplots(figsize=C.SINGLE, dpi=C.DPI, constrained_layout=True)
    styles = {"p05": ("tab:blue", "--"), "p50": ("tab:red", "-"), "p95": ("tab:blue", "--")}
    for p, (color, ls) in styles.items():
        lo = C.numeric(a.csv, header, rows, f"sim_{p}_lo")
        hi = C.numeric(a.csv, header, rows, f"sim_{p}_hi")
        obs = C.numeric(a.csv, header, rows, f"obs_{p}")
        ax.fill_between(t, lo, hi, color=color, alpha=0.15 if p != "p50" else 0.25, lw=0,
                        label=f"simulated {p[1:]}th percentile, 95% interval")
        ax.plot(t, obs, color=color, ls=ls, marker="o", ms=3, label=f"observed {p[1:]}th percentile")
    if a.log:
        ax.set_yscale("log")
    ax.set_xlabel("Time (h), bin median")
    ax.set_ylabel("Observation" + (" (prediction-corrected)" if "corrected" in " ".join(meta) else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
