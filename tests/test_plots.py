#!/usr/bin/python3
"""Runs each plots/ script on its fixture in tests/plots/ and checks the PNG it writes:
exit status, PNG signature, pixel size from the IHDR chunk; and that errors exit 2
without leaving any file behind.  Run by ctest (test name: plots)."""
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLOTS = os.path.join(ROOT, "plots")
FIX = os.path.join(HERE, "plots")
PYTHON = "/usr/bin/python3"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

sys.path.insert(0, PLOTS)
import common  # noqa: E402
import plot_profile  # noqa: E402


def png_size(path):
    """(width, height) from the IHDR chunk, which must directly follow the signature."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIGNATURE, f"{path}: not a PNG signature: {head[:8]!r}"
    length, kind = struct.unpack(">I4s", head[8:16])
    assert kind == b"IHDR" and length == 13, f"{path}: first chunk {kind!r} length {length}"
    return struct.unpack(">II", head[16:24])


class PlotScripts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = self.tmp.name
        self.env = dict(os.environ, MPLCONFIGDIR=os.path.join(self.out, "mpl"))

    def tearDown(self):
        self.tmp.cleanup()

    def run_script(self, script, *args):
        return subprocess.run([PYTHON, os.path.join(PLOTS, script), *args], env=self.env,
                              capture_output=True, text=True, timeout=120)

    def check_png(self, script, fixture, size, *extra):
        png = os.path.join(self.out, fixture.replace(".csv", ".png"))
        r = self.run_script(script, os.path.join(FIX, fixture), "-o", png, *extra)
        self.assertEqual(r.returncode, 0, f"{script} failed:\n{r.stderr}")
        self.assertTrue(os.path.isfile(png))
        self.assertEqual(png_size(png), size)
        self.assertEqual(self.leftovers(), [])

    def check_error(self, script, fixture, *extra, expect=()):
        png = os.path.join(self.out, "bad.png")
        r = self.run_script(script, os.path.join(FIX, fixture), "-o", png, *extra)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertFalse(os.path.exists(png))
        self.assertEqual(self.leftovers(), [])
        for word in expect:
            self.assertIn(word, r.stderr)

    def leftovers(self):
        return [f for f in os.listdir(self.out) if f.startswith(".tmp-")]

    def test_timecourse_wide(self):
        self.check_png("plot_timecourse.py", "timecourse.csv", (1200, 900))

    def test_timecourse_long_format(self):
        self.check_png("plot_timecourse.py", "timecourse_long.csv", (1200, 900))

    def test_timecourse_columns_regex(self):
        self.check_png("plot_timecourse.py", "timecourse.csv", (1200, 900), "--columns", "^fold_")

    def test_timecourse_regex_matches_nothing(self):
        self.check_error("plot_timecourse.py", "timecourse.csv", "--columns", "^fodl_cd34$",
                         expect=("timecourse.csv", "fold_cd34"))

    def test_folds(self):
        self.check_png("plot_folds.py", "folds.csv", (800, 500))

    def test_folds_missing_column(self):  # fit.csv has no 'population' column
        self.check_error("plot_folds.py", "fit.csv", expect=("fit.csv", "'population'"))

    def test_cohort(self):
        self.check_png("plot_cohort.py", "cohort.csv", (1200, 900))

    def test_cohort_one_output(self):
        self.check_png("plot_cohort.py", "cohort.csv", (800, 500), "--outputs", "fold_cd34")

    def test_cohort_unknown_output(self):
        self.check_error("plot_cohort.py", "cohort.csv", "--outputs", "fold_cd43",
                         expect=("cohort.csv", "fold_cd34"))

    def test_sweep_heatmap(self):
        self.check_png("plot_sweep.py", "sweep.csv", (800, 500), "--z", "peak_fold_cd34")

    def test_sweep_line(self):
        self.check_png("plot_sweep.py", "sweep_1d.csv", (800, 500))

    def test_sweep_line_with_where(self):
        self.check_png("plot_sweep.py", "sweep.csv", (800, 500), "--x", "plerixafor.count",
                       "--line", "--where", "sorafenib.amount=400")

    def test_sweep_missing_column(self):
        self.check_error("plot_sweep.py", "sweep.csv", "--z", "peak_fold_cd43",
                         expect=("sweep.csv", "'peak_fold_cd43'", "did you mean 'peak_fold_cd34'"))

    def test_sweep_line_holds_the_other_swept_columns(self):  # at their first value, said in the title
        self.check_png("plot_sweep.py", "sweep.csv", (800, 500), "--line")

    def test_fit(self):
        self.check_png("plot_fit.py", "fit.csv", (1200, 500))

    def test_fit_missing_column(self):
        self.check_error("plot_fit.py", "folds.csv", expect=("folds.csv", "'target'"))

    def test_vpop_targets(self):
        self.check_png("plot_vpop.py", "vpop_report.csv", (800, 500))

    def test_vpop_pairs(self):
        self.check_png("plot_vpop.py", "vpop_plausible.csv", (1200, 900), "--columns", "CL", "weight_kg", "auc")

    def test_vpop_unknown_column(self):
        self.check_error("plot_vpop.py", "vpop_plausible.csv", "--columns", "CL", "acu",
                         expect=("vpop_plausible.csv", "'acu'", "auc"))

    def test_profile(self):
        self.check_png("plot_profile.py", "profile.csv", (1200, 900))

    def test_profile_missing_column(self):
        self.check_error("plot_profile.py", "sweep.csv", expect=("sweep.csv", "'parameter'"))

    def test_gof(self):
        self.check_png("plot_gof.py", "nlme_table.csv", (1200, 900))

    def test_gof_individual(self):
        self.check_png("plot_gof.py", "nlme_table.csv", (1200, 900), "--individual")

    def test_gof_missing_column(self):
        self.check_error("plot_gof.py", "fit.csv", expect=("fit.csv", "'ID'"))

    def test_vpc(self):
        self.check_png("plot_vpc.py", "nlme_vpc.csv", (800, 500))

    def test_vpc_missing_column(self):
        self.check_error("plot_vpc.py", "nlme_table.csv", expect=("nlme_table.csv", "'time_median'"))

    def test_missing_file(self):
        for script in ("plot_timecourse.py", "plot_folds.py", "plot_cohort.py", "plot_sweep.py",
                       "plot_fit.py", "plot_profile.py"):
            with self.subTest(script=script):
                self.check_error(script, "no_such.csv", expect=("no_such.csv",))

    def test_existing_png_kept_on_error(self):
        png = os.path.join(self.out, "keep.png")
        with open(png, "wb") as f:
            f.write(b"old")
        r = self.run_script("plot_fit.py", os.path.join(FIX, "folds.csv"), "-o", png)
        self.assertEqual(r.returncode, 2)
        with open(png, "rb") as f:
            self.assertEqual(f.read(), b"old")


class RealOutput(unittest.TestCase):
    """Each plot script on what mobsim itself writes (not a fixture): the figure's axis labels carry units.

    The labels are read from the figure the script hands to common.save, run in this process."""
    MOBSIM = os.environ.get("MOBSIM")

    def setUp(self):
        if not self.MOBSIM:
            self.skipTest("MOBSIM (path of the mobsim binary) not set")
        self.tmp = tempfile.TemporaryDirectory()
        self.out = self.tmp.name
        self.saved = []

    def tearDown(self):
        self.tmp.cleanup()

    def mobsim(self, *args):
        r = subprocess.run([self.MOBSIM, *args, "-q"], cwd=self.out, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)

    def labels(self, module_name, *argv):
        """Runs plots/MODULE.py with argv in this process; returns [(title, xlabel, ylabel)] of visible axes."""
        import importlib
        module = importlib.import_module(module_name)
        original = common.save
        figures = []

        def capture(fig, out):
            self.figure = fig
            figures.append([(a.get_title(), a.get_xlabel(), a.get_ylabel()) for a in fig.axes if a.get_visible()])
            self.legends = {a.get_title(): [t.get_text() for t in a.get_legend().get_texts()] if a.get_legend() else []
                            for a in fig.axes}
            original(fig, out)

        module.C.save = capture
        old_argv = sys.argv
        sys.argv = [module_name + ".py", *argv]
        try:
            module.main()
        finally:
            sys.argv = old_argv
            module.C.save = original
        self.assertEqual(len(figures), 1)
        return figures[0]

    def test_timecourse_of_the_trial(self):
        self.mobsim("run", os.path.join(ROOT, "scenarios", "trial_800mg.yaml"), "-o", "trial.csv")
        axes = self.labels("plot_timecourse", os.path.join(self.out, "trial.csv"), "-o",
                           os.path.join(self.out, "trial.png"))
        titles = [t for t, _, _ in axes]
        # plerixafor on its own axis, ANC in its own panel with its unit
        self.assertIn("Plerixafor concentration (mg/L)", titles)
        self.assertIn("Sorafenib concentration (mg/L)", titles)
        self.assertIn("Absolute neutrophil count (10\u00b3 cells/\u00b5L)", titles)
        self.assertTrue(all(y for _, _, y in axes), axes)  # every panel says what its y axis is
        self.assertIn("Treatment day (day 1 starts at t = 0 h)", [x for _, x, _ in axes])
        self.assertIn("dose", self.legends["Plerixafor concentration (mg/L)"])  # from the dose_times_h lines
        # the trial's reported mean peak folds beside the model's, and the title says what the model line is
        self.assertIn("one typical patient", self.figure._suptitle.get_text())
        fold = next(a for a in self.figure.axes if a.get_title().startswith("Fold change"))
        marks = {c.get_label(): c.get_offsets()[:, 1] for c in fold.collections}
        trial = marks["trial mean peak, days 1\u201315 (Borthakur 2020)"]
        with open(os.path.join(ROOT, "scenarios", "trial_fold_means.csv")) as f:
            reported = [float(line.split(",")[2]) for line in f if line.startswith("fold_")]
        self.assertEqual(sorted(trial), sorted(reported))  # all seven populations, the file's values
        model = marks["model peak, days 1\u201315 (typical patient)"]
        self.assertEqual(len(model), len(reported))
        self.assertTrue(all(m > 1 for m in model))  # a mobilisation peak above baseline
        self.assertEqual(png_size(os.path.join(self.out, "trial.png")), (1200, 900))

    def test_cohort_sweep_fit_profile(self):
        scen = os.path.join(ROOT, "scenarios")
        self.mobsim("cohort", os.path.join(scen, "cohort_example.yaml"), "-o", "c")
        self.mobsim("sweep", os.path.join(scen, "sweep_example.yaml"), "-o", "s.csv")
        self.mobsim("fit", os.path.join(scen, "fit_example_linear.yaml"), "-o", "f")
        png = os.path.join(self.out, "x.png")
        cohort = self.labels("plot_cohort", os.path.join(self.out, "c_time_summary.csv"), "-o", png)
        # units from the file's output_units line (linear_pk: conc_central in mg/L, amount_eliminated in mg)
        self.assertEqual(sorted(y for _, _, y in cohort), ["amount_eliminated (mg)", "conc_central (mg/L)"])
        self.assertTrue(all(x == "Time (h)" for _, x, _ in cohort), cohort)
        # no --where: the swept columns not plotted are held at their first value, and the title says so
        sweep = self.labels("plot_sweep", os.path.join(self.out, "s.csv"), "-o", png, "--x", "oral drug.amount",
                            "--y", "parameters.CL", "--z", "cmax")
        # units from the sweep's units line: the regimen's amount unit and linear_pk's CL unit
        self.assertEqual([(x, y) for _, x, y in sweep][0], ("oral drug.amount (mg)", "parameters.CL (L/h)"))
        self.assertIn("oral drug.every_h=8", sweep[0][0])
        self.assertIn("cmax (mg/L), spread", sweep[1][2])  # the colour bar's label
        fit = self.labels("plot_fit", os.path.join(self.out, "f_residuals.csv"), "-o", png)
        self.assertIn("Observed (target units)", [x for _, x, _ in fit])
        self.assertEqual([x for _, x, _ in fit].count("Time (h)"), 2)  # time course and residuals per observation
        self.assertIn("Predicted (target units)", [y for _, _, y in fit])
        # the model curve from f_curves.csv: dense, and through the residuals' predictions at the observation times
        course = self.figure.axes[0]
        curve = next(line for line in course.get_lines() if line.get_label() == "model (fitted)")
        _, header, rows = common.read_rows(os.path.join(self.out, "f_residuals.csv"))
        first = rows[0][0].split(":")[0]
        observed = [(float(r[0].split(":t=")[1].split(":")[0]), float(r[2])) for r in rows if r[0].startswith(first + ":")]
        self.assertGreater(len(curve.get_xdata()), 5 * len(observed))
        for t, predicted in observed:
            i = list(curve.get_xdata()).index(t)
            self.assertAlmostEqual(curve.get_ydata()[i] / predicted, 1.0, places=6)


    def test_sweep_over_day_schedules(self):
        sweep = os.path.join(self.out, "days.yaml")
        with open(sweep, "w") as f:
            f.write(f"scenario: {os.path.join(ROOT, 'scenarios', 'pk_linear_example.yaml')}\n"
                    "grid:\n  oral drug.days: [[1, 2, 3, 4, 5], [1, 3, 5], [2, 4]]\n  parameters.CL: [3, 5]\n"
                    "summaries: [{name: auc, output: conc_central, kind: auc, window_h: [0, 96]}]\n")
        self.mobsim("sweep", sweep, "-o", "d.csv")
        axes = self.labels("plot_sweep", os.path.join(self.out, "d.csv"), "-o", os.path.join(self.out, "d.png"))
        self.assertEqual(axes[0][1:], ("oral drug.days (treatment days)", "parameters.CL (L/h)"))
        self.assertEqual(axes[1][2].split(",")[0], "auc (mg/L*h)")


class Helpers(unittest.TestCase):
    def test_long_format_pivots_to_mobsim_column_names(self):
        _, data = common.read_timecourse(os.path.join(FIX, "timecourse_long.csv"))
        self.assertEqual(list(data), ["time_h", "plerixafor_mg_L", "blood_cd34_per_uL",
                                      "fold_cd34", "marrow_blast_pct"])
        self.assertEqual(data["time_h"][:3].tolist(), [0.0, 2.0, 4.0])
        self.assertAlmostEqual(data["blood_cd34_per_uL"][0], 17.24)

    def test_comment_lines_become_provenance(self):
        meta, data = common.read_timecourse(os.path.join(FIX, "timecourse.csv"))
        self.assertEqual(meta["model"], "aml_mobilization")
        self.assertEqual(len(data["time_h"]), 15)

    def test_profile_interval_interpolates_threshold_crossings(self):
        x = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
        d = [12.0, 4.0, 0.5, 0.0, 1.0, 3.0, 6.0]
        lo, hi = plot_profile.interval(x, d, 3.84)
        self.assertAlmostEqual(lo, 1.0 + (4.0 - 3.84) / 3.5 * 0.5)
        self.assertAlmostEqual(hi, 3.0 + 0.84 / 3.0 * 0.5)
        self.assertEqual(plot_profile.interval([1, 2, 3], [0.0, 1.0, 2.0], 3.84), (None, None))

    def test_coinciding_lines_are_found_within_one_percent(self):
        import plot_timecourse
        data = {"a": common.np.array([1.0, 2.0]), "b": common.np.array([1.0, 2.01]), "c": common.np.array([5.0, 6.0]),
                "d": common.np.array([1.0, 2.1])}
        self.assertEqual(plot_timecourse.coinciding(data, ["a", "b", "c", "d"]), {"b": "a"})

    def test_unit_suffix_matches_mobsim(self):
        self.assertEqual(common.unit_suffix("/uL"), "per_uL")
        self.assertEqual(common.unit_suffix("mg/L"), "mg_L")
        self.assertEqual(common.unit_suffix("%"), "pct")
        self.assertEqual(common.unit_suffix("\u00b5g/mL"), "ug_mL")


if __name__ == "__main__":
    unittest.main(verbosity=2)
