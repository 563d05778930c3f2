#!/usr/bin/python3
"""Plot a parameter sweep: heat map over two swept columns, or a line plot over one.

Swept columns default to those whose names contain '.' (e.g. sorafenib.amount); a
schedule column (filgrastim.days: 1,2,3,4,5) is categorical, in the sweep's order. Axes,
colour bar and y label carry the units of the file's `# units:` line. Swept columns not
plotted and not fixed with --where COL=VALUE are held at their first value (the title says so). The colour scale spans at least 10% of the mean, so that a 1%
spread does not look like a large effect; the colour bar states the relative spread.
800x500 px.

  plot_sweep.py sweep.csv -o sweep.png --z peak_fold_cd34 [--x COL] [--y COL] [--where COL=V ...]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import numpy as np  # noqa: E402


def is_schedule(header, rows, name):
    """A column of schedules (days or clock lists), not numbers."""
    j = C.require_column("", header, name)
    return any("," in r[j] or ":" in r[j] for r in rows)


def values(path, header, rows, name):
    """(numbers, tick labels or None): a schedule column becomes 0, 1, 2... in the order of first appearance."""
    if not is_schedule(header, rows, name):
        return C.numeric(path, header, rows, name), None
    cells = C.text(path, header, rows, name)
    order = list(dict.fromkeys(cells))
    return np.array([float(order.index(c)) for c in cells]), order


def select(path, header, rows, wheres):
    """Rows matching every COL=VALUE filter (numeric comparison; text for a schedule column)."""
    for w in wheres:
        col, sep, val = w.partition("=")
        if not sep:
            raise C.PlotError(f"--where wants COL=VALUE, got '{w}'")
        if is_schedule(header, rows, col):
            rows = [r for r, c in zip(rows, C.text(path, header, rows, col)) if c == val]
        else:
            v = C.to_float(path, col, val)
            x = C.numeric(path, header, rows, col)
            rows = [r for r, xi in zip(rows, x) if np.isclose(xi, v)]
        if not rows:
            raise C.PlotError(f"{path}: no row has {col} = {val}")
    return rows


def labelled(name, units):
    unit = units.get(name, "")
    return f"{name} ({unit})" if unit and unit != "1" else name


def check_unique(path, keys, names):
    seen = set()
    for k in keys:
        if k in seen:
            raise C.PlotError(f"{path}: several rows share {dict(zip(names, k))}; "
                              f"fix the other swept columns with --where COL=VALUE")
        seen.add(k)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="sweep CSV, one row per grid point")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--z", help="summary column to plot (default: first non-swept column)")
    ap.add_argument("--x", help="swept column on the x axis")
    ap.add_argument("--y", help="swept column on the y axis (heat map)")
    ap.add_argument("--line", action="store_true", help="line plot over --x even if more columns are swept")
    ap.add_argument("--where", action="append", default=[], metavar="COL=VALUE", help="keep matching rows")
    a = ap.parse_args()

    meta, header, rows = C.read_rows(a.csv)
    units = dict(item.split("=", 1) for item in meta.get("units", "").split(", ") if "=" in item)
    swept = [h for h in header if "." in h] or header[:1]
    xname = a.x or swept[0]
    yname = a.y or (None if a.line or len(swept) < 2 else [s for s in swept if s != xname][0])
    zname = a.z or next((h for h in header if h not in swept), None)
    if zname is None:
        raise C.PlotError(f"{a.csv}: no summary column besides the swept ones")
    for name in filter(None, (xname, yname, zname)):
        C.require_column(a.csv, header, name)
    fixed = [w.partition("=")[0] for w in a.where]
    held = []
    for other in swept:  # hold unplotted swept columns at their first value instead of refusing
        if other not in (xname, yname) and other not in fixed and other in header:
            first = C.text(a.csv, header, rows, other)[0]
            held.append(f"{other}={first if is_schedule(header, rows, other) else f'{float(first):g}'}")
    rows = select(a.csv, header, rows, a.where + held)
    x, xticks = values(a.csv, header, rows, xname)
    z = C.numeric(a.csv, header, rows, zname)
    C.out_dir_ok(a.output)

    fig, ax = C.plt.subplots(figsize=C.SINGLE, dpi=C.DPI, constrained_layout=True)
    if yname is None:
        check_unique(a.csv, [(xi,) for xi in x], [xname])
        order = np.argsort(x)
        ax.plot(x[order], z[order], "o-" if xticks is None else "o", color="tab:blue")
        if xticks is not None:
            ax.set_xticks(range(len(xticks)))
            ax.set_xticklabels(xticks, fontsize=8)
        ax.set_xlabel(labelled(xname, units))
        ax.set_ylabel(labelled(zname, units))
        ax.grid(True, alpha=0.3)
    else:
        y, yticks = values(a.csv, header, rows, yname)
        check_unique(a.csv, list(zip(x, y)), [xname, yname])
        xs, ys = np.unique(x), np.unique(y)
        grid = np.full((len(ys), len(xs)), np.nan)
        for xi, yi, zi in zip(x, y, z):
            grid[np.searchsorted(ys, yi), np.searchsorted(xs, xi)] = zi
        lo, hi = np.nanmin(grid), np.nanmax(grid)
        mid, span = (lo + hi) / 2, max(hi - lo, 0.1 * abs(np.nanmean(grid)))
        im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap="viridis",
                       vmin=mid - span / 2, vmax=mid + span / 2)
        spread = (hi - lo) / abs(np.nanmean(grid)) * 100 if np.nanmean(grid) else float("nan")
        fig.colorbar(im, ax=ax, label=f"{labelled(zname, units)}, spread {spread:.3g}% of the mean")
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([xticks[int(v)] for v in xs] if xticks else [f"{v:g}" for v in xs], fontsize=8)
        ax.set_yticks(range(len(ys)))
        ax.set_yticklabels([yticks[int(v)] for v in ys] if yticks else [f"{v:g}" for v in ys], fontsize=8)
        ax.set_xlabel(labelled(xname, units))
        ax.set_ylabel(labelled(yname, units))
        if grid.size <= 144:  # label cells when they are big enough to read
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    dark = (v - (mid - span / 2)) / span < 0.5
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                            color="w" if dark else "k")
    where = f" ({', '.join(a.where + held)})" if a.where or held else ""
    ax.set_title(f"Sweep: {zname}{where}", fontsize=11)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
