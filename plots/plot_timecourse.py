#!/usr/bin/python3
"""Plot a `mobsim run` time-course CSV (wide or long format) as a panel figure.

Panels (only those with data): one per drug concentration (so plerixafor is not a
blip under sorafenib), the ANC in 10^3 cells/uL, blood counts, marrow counts, fold
changes, ratios (log y), percentages such as marrow blast %, then any other columns
grouped by unit. Time in treatment days (day 1 starts at t = 0 h); legends beside
the panels, not over the data.  1200x900 px.

The lines are one typical patient (a `mobsim run`: population parameters, no between-patient
variability), as the title says. Where the trial reported a mean (the fold changes of
scenarios/trial_fold_means.csv, Borthakur 2020: mean peak fold in the first two weeks), the
fold panel shows it as a diamond beside the model's own peak over days 1-15 (a circle).

  plot_timecourse.py run.csv -o run.png [--columns REGEX] [--trial-means CSV | --trial-means none]
"""
import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
from matplotlib.ticker import FixedLocator, MultipleLocator  # noqa: E402


def classify(col):
    """(panel key, panel title, log y) for one output column."""
    unit = C.unit_of(col)
    for suf in C.CONC_UNITS:
        if col.endswith("_" + suf):
            drug = col[:-len(suf) - 1]
            return f"conc:{drug}", f"{drug.capitalize()} concentration ({C.UNITS[suf]})", False
    if col.startswith("anc_"):
        return "anc", f"Absolute neutrophil count ({unit or 'count'})", False
    if col.endswith("_pct"):
        name = "Marrow blast percentage" if col.startswith("marrow_blast") else "Percentage"
        return "pct", f"{name} (%)", False
    # a count panel takes only counts: a unitless index such as marrow_response_index goes with the other outputs
    if col.startswith("blood_") and unit:
        return "blood", f"Blood counts ({unit or 'count'})", True
    if col.startswith("marrow_") and unit:
        return "marrow", f"Marrow counts ({unit or 'count'})", True
    if col.startswith("fold_"):
        return "fold", "Fold change from baseline (\u2013)", True
    if col.startswith("ratio_"):
        return "ratio", "Ratio (\u2013)", True
    if unit in ("mg", "\u00b5g", "ng"):
        return f"other:{unit}", f"Amounts ({unit})", False
    return f"other:{unit}", f"Other outputs ({unit or 'no unit'})", False


TRIAL_MEANS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scenarios",
                           "trial_fold_means.csv")
TRIAL_WINDOW_H = 344.0  # the trial's means are of the peak fold over its first two weeks (fit_trial_typical.yaml)


def trial_means(path):
    """{observable: reported mean} from a PEtab-style measurement table (observableId, measurement)."""
    if path == "none" or not os.path.isfile(path):
        if path not in ("none", TRIAL_MEANS):
            raise C.PlotError(f"--trial-means: no such file: {path}")
        return {}
    _, header, rows = C.read_rows(path)
    ids = C.text(path, header, rows, "observableId")
    return dict(zip(ids, C.numeric(path, header, rows, "measurement")))


def draw_trial_means(ax, data, cols, means):
    """The model's peak fold over the trial's window (circles) and the trial's reported mean (diamonds)."""
    shown = [c for c in cols if c in means]
    if not shown:
        return
    window = data["time_h"] <= TRIAL_WINDOW_H
    xs, model, trial = [], [], []
    for c in shown:
        i = int(C.np.argmax(C.np.where(window, data[c], -C.np.inf)))
        xs.append(data["time_h"][i] / 24.0 + 1.0)
        model.append(data[c][i])
        trial.append(means[c])
    colors = [C.pop_color(c, cols.index(c)) for c in shown]
    ax.scatter(xs, model, marker="o", facecolors="none", edgecolors=colors, s=36, zorder=4,
               label="model peak, days 1\u201315 (typical patient)")
    ax.scatter(xs, trial, marker="D", color=colors, s=30, zorder=4, edgecolors="k", linewidths=0.5,
               label="trial mean peak, days 1\u201315 (Borthakur 2020)")


ORDER = ["conc", "anc", "blood", "marrow", "fold", "ratio", "pct", "other"]


def group_panels(columns):
    """Ordered list of (title, log, [columns])."""
    panels = {}
    for col in columns:
        key, title, log = classify(col)
        panels.setdefault(key, (title, log, []))[2].append(col)
    keys = sorted(panels, key=lambda k: (ORDER.index(k.split(":")[0]), k))
    return [panels[k] for k in keys]


def coinciding(data, cols):
    """{column: earlier column it coincides with (within 1% at every time)}: a line hidden under another says so."""
    same = {}
    for i, col in enumerate(cols):
        for other in cols[:i]:
            a, b = data[col], data[other]
            if other not in same and C.np.allclose(a, b, rtol=1e-2, atol=1e-9 * max(1.0, C.np.abs(b).max())):
                same[col] = other
                break
    return same


def dose_days(meta, drug):
    """Treatment days of the doses of the regimen labelled `drug` (from the `# dose_times_h.LABEL:` lines)."""
    text = meta.get("dose_times_h." + drug, "")
    return [float(v) / 24.0 + 1.0 for v in text.split()]


def draw_panel(ax, t, data, title, log, cols, meta, means):
    same = coinciding(data, cols)
    drug = next((cols[0][: -len(suf) - 1] for suf in C.CONC_UNITS if cols[0].endswith("_" + suf)), None)
    if drug and dose_days(meta, drug):  # dose markers along the top of the drug's own panel
        ax.plot(dose_days(meta, drug), [1.0] * len(dose_days(meta, drug)), "v", color="k", ms=4, clip_on=False,
                transform=ax.get_xaxis_transform(), label="dose")
    for i, col in enumerate(cols):
        label = C.pretty(col) + (f" (within 1% of {C.pretty(same[col])})" if col in same else "")
        ax.plot(t, data[col], label=label, color=C.pop_color(col, i), lw=1.6, ls="--" if col in same else "-")
    if title.startswith("Fold change"):
        draw_trial_means(ax, data, cols, means)
    values = C.np.concatenate([data[c] for c in cols] + [C.np.array([means[c] for c in cols if c in means])])
    if log and C.can_log(values):
        C.log_axis(ax.yaxis, values)
        if "fold" in title.lower() or "ratio" in title.lower():
            ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
    ax.set_title(title, fontsize=10)
    unit = title.split(" (")[-1].rstrip(")")
    ax.set_ylabel(f"{title.split()[0].lower()} ({unit})" if unit == "\u2013" else unit)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="time-course CSV from `mobsim run`")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--columns", help="regular expression; plot only matching columns")
    ap.add_argument("--trial-means", default=TRIAL_MEANS,
                    help="reported means to show beside the model (default: the trial's fold changes; none: off)")
    a = ap.parse_args()
    means = trial_means(a.trial_means)

    meta, data = C.read_timecourse(a.csv)
    columns = [c for c in data if c != "time_h"]
    if a.columns:
        try:
            rx = re.compile(a.columns)
        except re.error as e:
            raise C.PlotError(f"bad --columns regex '{a.columns}': {e}")
        chosen = [c for c in columns if rx.search(c)]
        if not chosen:
            raise C.PlotError(f"{a.csv}: no column matches --columns '{a.columns}'"
                              f"{C.suggest(a.columns, columns)}; columns are: {', '.join(columns)}")
        columns = chosen
    if not columns:
        raise C.PlotError(f"{a.csv}: no output columns besides time_h")
    C.out_dir_ok(a.output)

    panels = group_panels(columns)
    n = len(panels)
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    fig, axes = C.plt.subplots(nrows, ncols, figsize=C.GRID, dpi=C.DPI, squeeze=False,
                               sharex=True, constrained_layout=True)
    t = data["time_h"] / 24.0 + 1.0  # treatment day; day 1 starts at t = 0 h
    for ax, (title, log, cols) in zip(axes.flat, panels):
        draw_panel(ax, t, data, title, log, cols, meta, means)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    days = float(t[-1]) - 1.0 if len(t) else 0.0
    for k, ax in enumerate(axes.flat):
        if days > 2:  # labelled ticks on days 1, 3, 5, ... (spaced out beyond four weeks), a tick every day
            step = 2 * max(1, math.ceil(days / 28))
            ax.xaxis.set_major_locator(FixedLocator(range(1, int(days) + 2, step)))
            ax.xaxis.set_minor_locator(MultipleLocator(1))
        ax.set_xlim(1.0, float(t[-1]) if len(t) else 2.0)
        if k >= n - ncols:
            ax.set_xlabel("Treatment day (day 1 starts at t = 0 h)")
            ax.tick_params(labelbottom=True)
    fig.suptitle(C.title_from(meta, a.csv) + " \u2014 model: one typical patient (no between-patient variability)",
                 fontsize=11)
    C.save(fig, a.output)


if __name__ == "__main__":
    C.main_wrapper(main)
