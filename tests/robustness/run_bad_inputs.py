#!/usr/bin/python3
"""Runs mobsim on every row of tests/bad_inputs/manifest.tsv and checks that it fails cleanly.

usage: run_bad_inputs.py MOBSIM [MANIFEST]

Each row runs twice in a fresh temporary directory (as the working directory):
  1. with no output file present: the exit status, stderr fragments and file/line are checked,
     and afterwards the directory must hold no new file (no output, no temporary);
  2. with a good output file already present: it must be left byte for byte unchanged.
Every run must finish within 10 s, end by exit (not by a signal) and not report an internal error.
Afterwards a few output-location checks that do not fit the manifest run (unwritable folder).
"""
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOOD_SCENARIO = os.path.join(ROOT, 'scenarios', 'pk_linear_example.yaml')
INPUTS = os.path.join(HERE, '..', 'bad_inputs')  # {dir} in manifest args: a file of this folder
TIMEOUT_S = 10
SENTINEL = b'# an earlier, good result\ntime_h,x\n0,1\n'


def generate(name, path):
    """Inputs too big or too regular to commit; all are written to `path`."""
    n = 100000
    if name == 'deep_flow_lists':
        text = 'model: ' + '[' * n + ']' * n + '\n'
    elif name == 'deep_flow_maps':
        text = 'model: ' + '{a: ' * n + '1' + '}' * n + '\n'
    elif name == 'deep_block_lists':
        text = '- ' * n + '1\n'
    elif name == 'deep_block_maps':
        # one more column of indentation per level: 1000 levels, ~0.5 MB
        text = ''.join(' ' * i + 'k%d:\n' % i for i in range(1000)) + ' ' * 1000 + 'v\n'
    elif name == 'many_items':
        text = 'model: linear_pk\nx: [' + '1,' * 300000 + '1]\n'
    elif name == 'long_key':  # yaml-cpp's limit for a plain key is 1024 characters
        text = 'model: linear_pk\n' + 'k' * (1 << 20) + ': 1\n'
    elif name == 'large_20mb':
        with open(GOOD_SCENARIO) as f:
            text = f.read() + '# padding\n' * (2 << 20)
    else:
        raise ValueError('unknown generated input ' + name)
    with open(path, 'w') as f:
        f.write(text)


def prepare_input(spec, tmp):
    """Returns the input path for a manifest `file` entry."""
    if spec == '@good':
        path = os.path.join(tmp, 'good.yaml')
        with open(GOOD_SCENARIO) as src, open(path, 'w') as dst:
            dst.write(src.read())
        return path
    if spec == '@dir':
        path = os.path.join(tmp, 'a_folder.yaml')
        os.mkdir(path)
        return path
    if spec == '@fifo':  # made for every row (see check_row); a reader must refuse it, not wait for a writer
        return os.path.join(tmp, 'a_pipe')
    if spec.startswith('@dev:'):
        return '/dev/' + spec[5:]
    if spec == '@missing':
        return os.path.join(tmp, 'no_such_scenario.yaml')
    if spec.startswith('@gen:'):
        path = os.path.join(tmp, spec[5:] + '.yaml')
        generate(spec[5:], path)
        return path
    return os.path.join(HERE, '..', 'bad_inputs', spec)


def snapshot(folder):
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, folder)] = os.path.getsize(full) if os.path.isfile(full) else -1
    return out


def run_mobsim(mobsim, args, cwd):
    """Returns (exit status, stderr) or raises on timeout."""
    proc = subprocess.run([mobsim] + args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT_S)
    return proc.returncode, proc.stderr.decode('utf-8', 'replace')


def check_common(label, code, err, expected_code):
    problems = []
    if code < 0:
        problems.append('killed by signal %d' % -code)
    elif code != expected_code:
        problems.append('exit status %d, expected %d' % (code, expected_code))
    for bad in ('internal error', 'AddressSanitizer', 'runtime error:', 'terminate called', 'Segmentation'):
        if bad in err:
            problems.append('stderr mentions %r' % bad)
    return problems


def check_row(mobsim, row):
    spec, args_text, exit_text, where, fragments_text = row
    expected_code = int(exit_text)
    fragments = [f for f in fragments_text.split(' | ') if f]
    problems = []
    for variant in ('fresh', 'existing output'):
        with tempfile.TemporaryDirectory(prefix='mobsim_bad_') as tmp:
            os.mkfifo(os.path.join(tmp, 'a_pipe'))
            path = prepare_input(spec, tmp)
            out = os.path.join(tmp, 'out.csv')
            if variant == 'existing output':
                with open(out, 'wb') as f:
                    f.write(SENTINEL)
            before = snapshot(tmp)
            args = [a.replace('{input}', path).replace('{out}', out).replace('{tmp}', tmp).replace('{dir}', INPUTS)
                    for a in shlex.split(args_text)]
            try:
                code, err = run_mobsim(mobsim, args, tmp)
            except subprocess.TimeoutExpired:
                problems.append('%s: no answer within %d s' % (variant, TIMEOUT_S))
                continue
            found = check_common(spec, code, err, expected_code)
            for fragment in fragments:
                if fragment not in err:
                    found.append('stderr lacks %r' % fragment)
            if where.startswith('file'):
                expected_where = path + where[4:]
                if where != 'file':
                    expected_where += ':'  # file:N must not match file:N0
                if expected_where not in err:
                    found.append('stderr does not name %r' % expected_where)
            after = snapshot(tmp)
            if after != before:
                found.append('files changed in the working folder: %s' %
                             sorted(set(after.items()) ^ set(before.items())))
            if variant == 'existing output':
                with open(out, 'rb') as f:
                    if f.read() != SENTINEL:
                        found.append('the existing output file was modified')
            problems += ['%s: %s' % (variant, p) for p in found]
            if found:
                problems.append('%s: stderr was:\n%s' % (variant, err.rstrip()[:2000]))
    return problems


def check_unwritable_folder(mobsim):
    """An output folder where nothing can be created gives exit 2 and leaves nothing behind."""
    problems = []
    with tempfile.TemporaryDirectory(prefix='mobsim_bad_') as tmp:
        scenario = prepare_input('@good', tmp)
        targets = ['/proc/mobsim_robustness_test.csv']  # cannot be created, even by root
        if os.geteuid() != 0:  # permission bits do not stop root
            locked = os.path.join(tmp, 'locked')
            os.mkdir(locked)
            os.chmod(locked, 0o555)
            targets.append(os.path.join(locked, 'out.csv'))
        for target in targets:
            code, err = run_mobsim(mobsim, ['run', scenario, '-o', target], tmp)
            found = check_common(target, code, err, 2)
            if target not in err:
                found.append('message does not name %s' % target)
            if os.path.exists(target) or any(n.startswith('.') for n in os.listdir(os.path.dirname(target))
                                              if 'out.csv' in n or 'mobsim_robustness' in n):
                found.append('something was created next to %s' % target)
            problems += ['-o %s: %s' % (target, p) for p in found]
            if found:
                problems.append(err)
        if os.geteuid() != 0:
            os.chmod(os.path.join(tmp, 'locked'), 0o755)
    return problems


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    mobsim = os.path.abspath(sys.argv[1])
    manifest = sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, '..', 'bad_inputs', 'manifest.tsv')
    rows = []
    with open(manifest) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#') or line.startswith('file\t'):
                continue
            fields = line.split('\t')
            if len(fields) != 5:
                sys.exit('%s: malformed row (need 5 tab-separated fields): %r' % (manifest, line))
            rows.append(fields)
    failures = 0
    for row in rows:
        problems = check_row(mobsim, row)
        label = '%s [%s]' % (row[0], row[1])
        if problems:
            failures += 1
            print('FAIL', label)
            for p in problems:
                print('   ', p)
        else:
            print('ok  ', label)
    extra = check_unwritable_folder(mobsim)
    if extra:
        failures += 1
        print('FAIL unwritable output folder')
        for p in extra:
            print('   ', p)
    else:
        print('ok   unwritable output folder')
    print('%d manifest rows, %d failures' % (len(rows), failures))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
