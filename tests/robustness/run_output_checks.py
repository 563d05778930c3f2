#!/usr/bin/python3
"""Output-path and result-set checks of mobsim that need files prepared beforehand (not manifest rows).

usage: run_output_checks.py MOBSIM

Each check runs in a fresh temporary folder and asserts the exit status, a fragment of the message and
which files exist afterwards with what content:
  result sets   cohort/fit/vpop whose last file cannot be written change none of the set; SIGTERM/SIGINT sent as
                soon as the first temporary appears leaves the set all old or all new (never mixed)
  output paths  -o '' is an error; -o - writes standard output; a symlink's target is replaced and the link
                kept; a read-only file is refused, and replaced with --force; /dev/null and a FIFO are
                written, not replaced; a multi-file prefix of - is refused; the same file twice is refused
  provenance    cohort and sweep name their scenario and parameters_file with SHA-256 sums (checked here
                with hashlib)
  days sweep    a sweep over filgrastim-style day lists gives each schedule's closed-form concentration
"""
import csv
import hashlib
import io
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCEN = os.path.join(ROOT, 'scenarios')
RUN = ['run', os.path.join(SCEN, 'pk_linear_example.yaml')]
COHORT = ['cohort', os.path.join(SCEN, 'cohort_example.yaml')]
FIT = ['fit', os.path.join(SCEN, 'fit_example_linear.yaml')]
VPOP = ['vpop', os.path.join(SCEN, 'vpop_example.yaml'), '--plausible-size', '200', '--vpop-size', '50']
SENTINEL = b'# an earlier, good result\n'
failures = []


def mobsim(args, cwd, timeout=60, stdout=subprocess.PIPE):
    proc = subprocess.run([MOBSIM] + args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout or b'', proc.stderr.decode('utf-8', 'replace')


def check(label, condition, detail=''):
    print(('ok   ' if condition else 'FAIL ') + label + ('' if condition else ': ' + detail))
    if not condition:
        failures.append(label)


def content(path):
    with open(path, 'rb') as f:
        return f.read()


def expect_error(label, args, cwd, fragment, unchanged):
    """Exit 2, `fragment` on stderr, every file of `unchanged` still SENTINEL, no temporaries left."""
    code, _, err = mobsim(args, cwd)
    check(label + ': exit 2', code == 2, 'exit %d, stderr %r' % (code, err[-400:]))
    check(label + ': message', fragment in err, repr(err[-400:]))
    for name in unchanged:
        path = os.path.join(cwd, name)
        check(label + ': ' + name + ' untouched', not os.path.isfile(path) or content(path) == SENTINEL)
    stray = [n for n in os.listdir(cwd) if '.tmp.' in n]
    check(label + ': no temporaries', not stray, str(stray))


def result_sets(tmp):
    for args, names, broken in (
            (COHORT, ['out_patients.csv', 'out_correlations.csv'], 'out_time_summary.csv'),
            (FIT, ['out_report.yaml', 'out_parameters.yaml'], 'out_residuals.csv'),
            (VPOP, ['out_vpop.csv', 'out_report.csv'], 'out_plausible.csv')):
        folder = tempfile.mkdtemp(dir=tmp)
        for name in names:
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(SENTINEL)
        os.mkdir(os.path.join(folder, broken))
        expect_error('%s with %s a folder' % (args[0], broken), args + ['-o', 'out', '-q'], folder,
                     broken + ': is a directory', names)


def interrupted_sets(tmp):
    """Signals as soon as the first temporary of a cohort's result set appears: all old or all new."""
    names = ['c_patients.csv', 'c_time_summary.csv', 'c_correlations.csv']
    signalled = 0
    for attempt in range(8):
        folder = tempfile.mkdtemp(dir=tmp)
        mobsim(COHORT + ['-o', 'c', '-q', '--seed', '1'], folder)
        old = [content(os.path.join(folder, n)) for n in names]
        proc = subprocess.Popen([MOBSIM] + COHORT + ['-o', 'c', '-q', '--seed', '2', '--size', '3000'], cwd=folder,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while proc.poll() is None and time.time() < deadline:
            if any('.tmp.' in n for n in os.listdir(folder)):
                proc.send_signal(signal.SIGTERM if attempt % 2 else signal.SIGINT)
                signalled += 1
                break
        proc.wait(timeout=60)
        now = [content(os.path.join(folder, n)) for n in names]
        mixed = [n for n, a, b in zip(names, old, now) if a != b]
        check('signal during the commit (attempt %d, exit %d): set all old or all new' % (attempt, proc.returncode),
              len(mixed) in (0, len(names)), 'changed: %s' % mixed)
        stray = [n for n in os.listdir(folder) if '.tmp.' in n]
        check('signal during the commit (attempt %d): no temporaries' % attempt, not stray, str(stray))
    check('at least one run signalled while writing its set', signalled > 0)


def output_paths(tmp):
    folder = tempfile.mkdtemp(dir=tmp)
    code, _, err = mobsim(RUN + ['-o', ''], folder)
    check("-o '': exit 2 and message", code == 2 and 'an empty output name' in err, err)
    check("-o '': nothing written", os.listdir(folder) == [])

    code, out, err = mobsim(RUN + ['-o', '-', '-q'], folder)
    check('-o -: CSV on standard output', code == 0 and out.startswith(b'# program: mobsim'), err)
    check('-o -: no file', os.listdir(folder) == [])

    for args in (COHORT, FIT):
        code, _, err = mobsim(args + ['-o', '-'], folder)
        check('%s -o -: refused' % args[0], code == 2 and 'standard output takes one file' in err, err)
    check('multi-file -o -: nothing written', os.listdir(folder) == [])

    target = os.path.join(folder, 'target.csv')
    with open(target, 'wb') as f:
        f.write(SENTINEL)
    os.symlink('target.csv', os.path.join(folder, 'link.csv'))
    code, _, err = mobsim(RUN + ['-o', 'link.csv', '-q'], folder)
    check('symlink: target replaced, link kept', code == 0 and os.path.islink(os.path.join(folder, 'link.csv'))
          and content(target).startswith(b'# program: mobsim'), err)

    os.chmod(target, 0o444)
    before = content(target)
    code, _, err = mobsim(RUN + ['-o', 'link.csv', '-q', '--set', 'CL=2'], folder)
    check('read-only target: refused', code == 2 and 'is read-only' in err and '--force' in err, err)
    check('read-only target: unchanged', content(target) == before)
    code, _, err = mobsim(RUN + ['-o', 'link.csv', '-q', '--set', 'CL=2', '--force'], folder)
    check('read-only target with --force: replaced', code == 0 and content(target) != before, err)
    check('read-only target with --force: mode kept', stat.S_IMODE(os.stat(target).st_mode) == 0o444)

    if os.access('/dev/null', os.W_OK):
        code, _, err = mobsim(RUN + ['-o', '/dev/null', '-q'], folder)
        check('/dev/null: written, still a device', code == 0 and stat.S_ISCHR(os.stat('/dev/null').st_mode), err)

    fifo = os.path.join(folder, 'pipe')
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(content(fifo)))
    reader.start()
    code, _, err = mobsim(RUN + ['-o', 'pipe', '-q'], folder)
    reader.join(timeout=30)
    check('FIFO: written through, still a FIFO', code == 0 and received and received[0].startswith(b'# program')
          and stat.S_ISFIFO(os.stat(fifo).st_mode), err)

    code, _, err = mobsim(RUN + ['-o', 'dir/', '-q'], folder)
    check('-o into a missing folder: refused', code == 2 and 'does not exist' in err, err)


ONE_CMT = """model: linear_pk
patient: {weight_kg: 70}
parameters_file: fitted.yaml
parameters: {ka: 1.0, Q: 0.0}
regimens:
  - {label: drug, into: central, amount: 100, unit: mg, days: [1, 2, 3]}
output: {end_h: 96, step_h: 4}
"""


def provenance_of(path):
    with open(path) as f:
        return dict(line[2:].rstrip('\n').split(': ', 1) for line in f if line.startswith('# '))


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def provenance_and_days(tmp):
    """Cohort and sweep provenance hash the scenario and its parameters_file; a days axis sweeps schedules."""
    with open(os.path.join(tmp, 'fitted.yaml'), 'w') as f:
        f.write('parameters: {CL: 4.0, V1: 40.0}\n')
    with open(os.path.join(tmp, 'one_cmt.yaml'), 'w') as f:
        f.write(ONE_CMT)
    with open(os.path.join(tmp, 'cohort.yaml'), 'w') as f:
        f.write('scenario: one_cmt.yaml\nsize: 3\nseed: 1\nvariability: {parameters: [CL], omega: [[0.04]]}\n'
                'summaries: [{name: c72, output: conc_central, kind: value_at, at_h: 72}]\n')
    with open(os.path.join(tmp, 'sweep.yaml'), 'w') as f:
        f.write('scenario: one_cmt.yaml\ngrid:\n  drug.days: [[1], [1, 2], [1, 3], [2, 3, 4]]\n'
                'summaries: [{name: c72, output: conc_central, kind: value_at, at_h: 72}]\n')
    code, _, err = mobsim(['cohort', 'cohort.yaml', '-o', 'c', '-q'], tmp)
    check('cohort provenance: exit 0', code == 0, err[-400:])
    code, _, err = mobsim(['sweep', 'sweep.yaml', '-o', 's.csv', '-q'], tmp)
    check('days sweep: exit 0', code == 0, err[-400:])
    for label, path in (('cohort', 'c_patients.csv'), ('sweep', 's.csv')):
        path = os.path.join(tmp, path)
        if not os.path.isfile(path):
            check(label + ' provenance: file written', False, path)
            continue
        p = provenance_of(path)
        check(label + ' provenance: parameters_file hashed',
              p.get('parameters_file_sha256') == sha256(os.path.join(tmp, 'fitted.yaml')), str(p))
        check(label + ' provenance: scenario hashed',
              p.get('scenario_sha256') == sha256(os.path.join(tmp, 'one_cmt.yaml')), str(p))
    if not os.path.isfile(os.path.join(tmp, 's.csv')):
        return
    with open(os.path.join(tmp, 's.csv')) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith('#')))
    k = 4.0 / 40.0  # CL / V1 from fitted.yaml: one compartment, 100 mg boluses at 00:00 of each day
    for row, days in zip(rows, ([1], [1, 2], [1, 3], [2, 3, 4])):
        truth = sum(100.0 / 40.0 * math.exp(-k * (72.0 - 24.0 * (d - 1))) for d in days if 24.0 * (d - 1) <= 72.0)
        check('days sweep: schedule %s named' % days, row['drug.days'] == ','.join(map(str, days)), str(row))
        check('days sweep: c72 for days %s' % days, abs(float(row['c72']) / truth - 1) < 1e-5,
              '%s vs %g' % (row['c72'], truth))
    check('days sweep: four rows', len(rows) == 4, str(rows))


def main():
    global MOBSIM
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    MOBSIM = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='mobsim_out_')
    try:
        result_sets(tmp)
        output_paths(tmp)
        interrupted_sets(tmp)
        provenance_and_days(tmp)
    finally:
        for dirpath, dirnames, filenames in os.walk(tmp):
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644, follow_symlinks=False) \
                    if not os.path.islink(os.path.join(dirpath, name)) else None
        shutil.rmtree(tmp)
    print('%d failed' % len(failures) if failures else 'all output checks passed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
