#!/usr/bin/python3
"""Every command that takes a model runs a model file as it runs the built-in model it reproduces.

usage: run_everywhere.py MOBSIM ROOT CACHE_DIR

models/files/linear_pk.model is the built-in linear_pk written as a model file. For run, cohort, sweep, fit,
profile, sensitivity, exposure and bench, the same study is run once on each, and the data (every line that is
not a '#' provenance line) must agree: text equal, numbers within 1e-9 relative (the two are compiled
separately, so the last bits may differ; a profile, re-optimised at each point, within 1e-6); describe must list the same states, parameters and outputs; bench
with rosenbrock4 must use the model file's analytic Jacobian as the built-in model uses its dual-number one (the
same right-hand-side evaluations; finite differences would add one per state at every Jacobian).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MOBSIM, ROOT, CACHE = (os.path.abspath(a) for a in sys.argv[1:4])
SCENARIOS = os.path.join(ROOT, 'scenarios')


def prepare(tmp, variant):
    """Copies of the shipped linear_pk studies, pointing at the built-in model or at its model file."""
    folder = os.path.join(tmp, variant)
    os.mkdir(folder)
    model = 'linear_pk' if variant == 'builtin' else os.path.join(ROOT, 'models', 'files', 'linear_pk.model')
    edits = {
        'pk_linear_example.yaml': [(r'(?m)^model: linear_pk$', 'model: ' + model)],
        'fit_example_linear_scenario.yaml': [(r'(?m)^model: linear_pk$', 'model: ' + model)],
        'cohort_example.yaml': [(r'size: 1000', 'size: 20')],
        'sweep_example.yaml': [(r'parameters.CL: \{from: 3, to: 7, step: 2\}', 'parameters.CL: [3, 7]')],
        'fit_example_linear.yaml': [(r'starts: 8', 'starts: 2')],
        'fit_example_linear_data.csv': [],
    }
    for name, substitutions in edits.items():
        with open(os.path.join(SCENARIOS, name)) as f:
            text = f.read()
        for pattern, replacement in substitutions:
            text, count = re.subn(pattern, replacement, text)
            assert count == 1, (name, pattern)
        with open(os.path.join(folder, name), 'w') as f:
            f.write(text)
    return folder


def run(folder, args):
    command = [MOBSIM, '--model-cache', CACHE] + [a.replace('{d}', folder) for a in args]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit('failed (%d): %s\n%s' % (done.returncode, ' '.join(command), done.stderr))
    return done.stdout


def data(path):
    folder = os.path.dirname(path)
    with open(path) as f:
        return [line.replace(folder, '{d}') for line in f if not line.startswith('#') and not line.startswith('model:')]


def agree(a_lines, b_lines, tolerance):
    """Index of the first line where the two disagree, or None."""
    for i in range(max(len(a_lines), len(b_lines))):
        if i >= len(a_lines) or i >= len(b_lines):
            return i
        a, b = (re.split(r'([,\s:\[\]]+)', line) for line in (a_lines[i], b_lines[i]))
        if len(a) != len(b):
            return i
        for x, y in zip(a, b):
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                if x != y:
                    return i
                continue
            if abs(fx - fy) > tolerance * max(abs(fx), abs(fy), 1e-3):
                return i
    return None


COMMANDS = [
    (['run', '{d}/pk_linear_example.yaml', '-o', '{d}/run.csv'], ['run.csv']),
    (['cohort', '{d}/cohort_example.yaml', '-o', '{d}/cohort'],
     ['cohort_patients.csv', 'cohort_time_summary.csv', 'cohort_correlations.csv']),
    (['sweep', '{d}/sweep_example.yaml', '-o', '{d}/sweep.csv'], ['sweep.csv']),
    (['fit', '{d}/fit_example_linear.yaml', '-o', '{d}/fit'], ['fit_parameters.yaml', 'fit_residuals.csv']),
    (['profile', '{d}/fit_example_linear.yaml', '-o', '{d}/profile'], ['profile_profile.csv']),
    (['sensitivity', '{d}/pk_linear_example.yaml', '--outputs', 'conc_central', '-o', '{d}/sensitivity.csv'],
     ['sensitivity.csv']),
    (['exposure', '{d}/pk_linear_example.yaml', '--output-name', 'conc_central', '--interval-h', '12',
      '--amounts', '50,100', '-o', '{d}/exposure.csv'], ['exposure.csv']),
]


def main():
    failures = []
    with tempfile.TemporaryDirectory(prefix='mobsim_model_files_') as tmp:
        folders = {v: prepare(tmp, v) for v in ('builtin', 'file')}
        for args, outputs in COMMANDS:
            for folder in folders.values():
                run(folder, args)
            for name in outputs:
                a, b = (data(os.path.join(folders[v], name)) for v in ('builtin', 'file'))
                # a profile re-optimises at every point: its values agree to the optimiser's tolerance only
                first = agree(a, b, 1e-6 if args[0] == 'profile' else 1e-9)
                print('%-4s %s: %s (%d lines)' % ('ok' if first is None else 'FAIL', args[0], name, len(a)))
                if first is not None:
                    failures.append(name)
                    print('     first difference, data line %d:\n     %s     %s' % (first, a[first:first + 1], b[first:first + 1]))
        bench = [run(f, ['bench', '{d}/pk_linear_example.yaml', '--methods', 'rosenbrock4', '--rtols', '1e-6',
                         '--repeats', '1']) for f in folders.values()]
        evaluations = [[int(n) for n in re.findall(r'(?m)^rosenbrock4\s+stepped\s+1e-06\s+\S+\s+\d+\s+(\d+)', b)]
                       for b in bench]
        same = all(evaluations) and evaluations[0] == evaluations[1]
        print('%-4s bench: rosenbrock4 right-hand-side evaluations, built-in %s, model file %s'
              % ('ok' if same else 'FAIL', evaluations[0], evaluations[1]))
        if not same:
            failures.append('bench')
        tables = [run(f, ['describe', 'linear_pk' if v == 'builtin' else os.path.join(ROOT, 'models', 'files', 'linear_pk.model')])
                  for v, f in folders.items()]
        rows = [[l.replace(' (dosable)', '') for l in t.splitlines() if l.startswith('| `')] for t in tables]
        print('%-4s describe: %d rows' % ('ok' if rows[0] == rows[1] else 'FAIL', len(rows[0])))
        if rows[0] != rows[1]:
            failures.append('describe')
    if failures:
        sys.exit('model file differs from the built-in model in: ' + ', '.join(failures))


if __name__ == '__main__':
    main()
