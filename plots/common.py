"""Shared helpers for the mobsim plotting scripts: CSV reading, errors, labels, saving.

Every PNG has a fixed pixel size: figure size in inches times DPI (100), never
bbox_inches="tight".  SINGLE = 800x500 px, WIDE = 1200x500 px, GRID = 1200x900 px.
"""
import csv
import difflib
import math
import os
import re
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 100
SINGLE = (8, 5)   # 800 x 500 px
WIDE = (12, 5)    # 1200 x 500 px
GRID = (12, 9)    # 1200 x 900 px

POPULATIONS = {  # CSV name -> display label, longest names first when matching
    "cd34_38neg_123pos": "CD34+CD38\u2212CD123+",
    "cd34_38neg": "CD34+CD38\u2212",
    "cd34": "CD34+",
    "cd44": "CD44+",
    "vla4": "VLA-4+",
    "cxcr4": "CXCR4+",
    "blasts": "Blasts",
}
UNITS = {  # column suffix -> readable unit
    "mg_L": "mg/L", "ng_mL": "ng/mL", "ug_mL": "\u00b5g/mL", "ug_L": "\u00b5g/L", "ng_L": "ng/L",
    "per_uL": "cells/\u00b5L", "per_L": "cells/L", "cells": "cells", "pct": "%",
    "1e3_uL": "10\u00b3 cells/\u00b5L",
    "mg": "mg", "ug": "\u00b5g", "ng": "ng", "h": "h", "L": "L", "L_h": "L/h",
}
CONC_UNITS = ("mg_L", "ng_mL", "ug_mL", "ug_L", "ng_L")


class PlotError(Exception):
    """A user-facing error (missing file/column, bad data); reported with exit code 2."""


def main_wrapper(main):
    """Run main(); print PlotError messages to stderr and exit 2."""
    try:
        main()
    except PlotError as e:
        prog = os.path.basename(sys.argv[0])
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(2)


def suggest(name, choices):
    """' (did you mean ...?)' text for a misspelt name, or ''."""
    near = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""


def require_column(path, header, name):
    """Index of column `name`, or PlotError naming the file, the column and near matches."""
    if name in header:
        return header.index(name)
    raise PlotError(f"{path}: no column '{name}'{suggest(name, header)}; "
                    f"columns are: {', '.join(header)}")


def read_rows(path):
    """(provenance dict, header, rows of strings); skips '#' and blank lines."""
    if not os.path.isfile(path):
        raise PlotError(f"input file not found: {path}")
    meta, lines = {}, []
    with open(path, newline="", encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                key, sep, value = s.lstrip("#").strip().partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
                continue
            lines.append(s)
    rows = list(csv.reader(lines))
    if not rows:
        raise PlotError(f"{path}: no header row (file is empty or only comments)")
    header = [h.strip() for h in rows[0]]
    body = [[c.strip() for c in r] for r in rows[1:]]
    for i, r in enumerate(body):
        if len(r) != len(header):
            raise PlotError(f"{path}: data row {i + 1} has {len(r)} fields, header has {len(header)}")
    if not body:
        raise PlotError(f"{path}: no data rows")
    return meta, header, body


def to_float(path, column, text):
    try:
        return float(text) if text != "" else math.nan
    except ValueError:
        raise PlotError(f"{path}: column '{column}' has non-numeric value '{text}'") from None


def numeric(path, header, rows, name):
    """Column `name` as a float array (empty cells -> NaN)."""
    j = require_column(path, header, name)
    return np.array([to_float(path, name, r[j]) for r in rows])


def text(path, header, rows, name):
    j = require_column(path, header, name)
    return [r[j] for r in rows]


def unit_suffix(unit):
    """Unit string -> column suffix, as mobsim's column_name() does ('/uL' -> 'per_uL')."""
    out = ""
    for i, c in enumerate(unit):
        if c == "/":
            out += "per_" if i == 0 else "_"
        elif c == "%":
            out += "pct"
        elif c in " *.":
            out += "_"
        elif c == "\u00b5":
            out += "u"
        else:
            out += c
    return out


def read_timecourse(path):
    """(provenance, {column: array}) with 'time_h' first; accepts wide or long format."""
    meta, header, rows = read_rows(path)
    require_column(path, header, "time_h")
    if header == ["time_h", "output", "value", "unit"]:
        cols, times = {}, sorted({to_float(path, "time_h", r[0]) for r in rows})
        index = {t: i for i, t in enumerate(times)}
        for r in rows:
            name = r[1] if r[3] in ("", "1") else f"{r[1]}_{unit_suffix(r[3])}"
            arr = cols.setdefault(name, np.full(len(times), math.nan))
            arr[index[to_float(path, "time_h", r[0])]] = to_float(path, "value", r[2])
        return meta, {"time_h": np.array(times), **cols}
    return meta, {h: numeric(path, header, rows, h) for h in header}


def unit_of(column):
    """Readable unit of a column from its suffix, or ''."""
    for suf in sorted(UNITS, key=len, reverse=True):
        if column.endswith("_" + suf):
            return UNITS[suf]
    return ""


POPULATION_PREFIXES = ("blood", "marrow", "fold", "ratio", "peak_fold")


def population_of(column):
    """Population of a per-population column (blood_cd34_per_uL, fold_blasts, ...), or None.
    Other columns that merely contain a marker name (cxcr4_occupancy, cd44_ligand) have none."""
    for key in POPULATIONS:  # dict is ordered longest-first
        if re.match(rf"({'|'.join(POPULATION_PREFIXES)})_{key}(_|$)", column):
            return key
    return None


def pretty(column):
    """Display label: population label if the column has one, else the bare name."""
    pop = population_of(column)
    if pop:
        return POPULATIONS[pop]
    unit = unit_of(column)
    suf = [s for s in UNITS if UNITS[s] == unit and column.endswith("_" + s)]
    return column[: -len(suf[0]) - 1] if suf else column


def pop_color(column, fallback_index=0):
    """Stable color per population so panels agree."""
    keys = list(POPULATIONS)
    pop = population_of(column)
    i = keys.index(pop) if pop else fallback_index
    return plt.get_cmap("tab10")(i % 10)


def can_log(values):
    v = np.asarray(values, dtype=float)
    return bool(np.any(np.isfinite(v) & (v > 0)))


def log_axis(axis, values):
    """Log scale with plain-number ticks (1, 2, 5, 10 ...) when the range is under 3 decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    if axis.axis_name == "y":
        axis.axes.set_yscale("log")
    else:
        axis.axes.set_xscale("log")
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size and np.log10(v.max() / v.min()) < 3:
        axis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        axis.set_minor_formatter(NullFormatter())


def choose_panels(path, available, requested, what, column, limit):
    """The names to plot (requested or all), each checked against `available` and at most `limit` of them."""
    chosen = requested or available
    for name in chosen:
        if name not in available:
            raise PlotError(f"{path}: no {what} '{name}' in column '{column}'"
                            f"{suggest(name, available)}; {what}s are: {', '.join(available)}")
    if len(chosen) > limit:
        raise PlotError(f"{path}: {len(chosen)} {what}s; choose at most {limit} with --{what}s")
    return chosen


def panel_grid(n):
    """A figure with n panels in 1-3 columns (fixed pixel size), and its axes as a flat list."""
    ncols = 1 if n == 1 else (2 if n <= 4 else 3)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=SINGLE if n == 1 else GRID, dpi=DPI,
                             squeeze=False, constrained_layout=True)
    return fig, list(axes.flat)


def out_dir_ok(out):
    d = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(d):
        raise PlotError(f"output folder does not exist: {d}")


def save(fig, out):
    """Write the figure atomically: temp file in the same folder, then os.replace."""
    out_dir_ok(out)
    d = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png", dpi=DPI)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        plt.close(fig)


def title_from(meta, path):
    """Short figure title from provenance (model, input) or the file name."""
    parts = [meta[k] for k in ("model", "input") if meta.get(k)]
    return " \u2014 ".join(parts) if parts else os.path.basename(path)
