#!/usr/bin/python3
"""Process-level checks of `mobsim run`: determinism and interruption.

usage: run_process_checks.py MOBSIM determinism|interrupt

determinism  the same scenario run twice (dopri5 and rosenbrock4, wide and long) gives identical bytes
interrupt    SIGINT/SIGTERM during a long run (while solving, and while the output is being written)
             ends the process with 128+signal, leaves no temporary or partial file and keeps the earlier
             output file byte for byte
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOOD_SCENARIO = os.path.join(ROOT, 'scenarios', 'pk_linear_example.yaml')
SENTINEL = b'# an earlier, good result\ntime_h,x\n0,1\n'

# ~1e6 doses and 1e6 output rows (about 120 MB of CSV): several seconds even in a Release build
LONG_SCENARIO = """model: linear_pk
parameters: {ka: 1.2, CL: 5.0, V1: 40.0, Q: 8.0, V2: 120.0}
regimens:
  - into: depot
    amount: 100
    unit: mg
    every_h: 0.1
    until_h: 99999
output:
  end_h: 100000
  step_h: 0.1
solver: {max_steps: 100000000}
"""

failures = []


def fail(message):
    failures.append(message)
    print('FAIL', message)


def run(mobsim, args, cwd, timeout=120):
    return subprocess.run([mobsim] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def determinism(mobsim):
    with tempfile.TemporaryDirectory(prefix='mobsim_det_') as tmp:
        with open(GOOD_SCENARIO) as f:
            base = f.read()
        stiff = os.path.join(tmp, 'stiff.yaml')
        with open(stiff, 'w') as f:
            f.write(base + 'solver: {method: rosenbrock4, rtol: 1e-6, atol: 1e-9}\n')
        out = os.path.join(tmp, 'out.csv')
        for scenario in (GOOD_SCENARIO, stiff):
            for extra in ([], ['--format', 'long']):
                results = []
                for _ in range(2):
                    proc = run(mobsim, ['run', scenario, '-o', out, '-q'] + extra, tmp)
                    if proc.returncode != 0:
                        fail('determinism: %s exited %d: %s' % (scenario, proc.returncode, proc.stderr.decode()))
                        return
                    with open(out, 'rb') as f:
                        results.append(f.read())
                    os.remove(out)
                label = '%s %s' % (os.path.basename(scenario), ' '.join(extra) or '(wide)')
                if results[0] != results[1]:
                    fail('determinism: two runs of %s differ' % label)
                elif len(results[0].splitlines()) < 100:
                    fail('determinism: %s gave only %d lines' % (label, len(results[0].splitlines())))
                else:
                    print('ok   determinism:', label, '(%d bytes)' % len(results[0]))


def temporaries(folder):
    return [n for n in os.listdir(folder) if '.tmp.' in n]


def interrupt_once(mobsim, sig, when):
    """Starts the long run over an existing output, signals it at `when`; returns False if it finished first."""
    with tempfile.TemporaryDirectory(prefix='mobsim_int_') as tmp:
        scenario = os.path.join(tmp, 'long.yaml')
        with open(scenario, 'w') as f:
            f.write(LONG_SCENARIO)
        out = os.path.join(tmp, 'out.csv')
        with open(out, 'wb') as f:
            f.write(SENTINEL)
        proc = subprocess.Popen([mobsim, 'run', scenario, '-o', out], cwd=tmp, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        started = time.monotonic()
        label = '%s %s' % (signal.Signals(sig).name, when if isinstance(when, str) else 'after %.1f s' % when)
        try:
            if when == 'while writing':
                # wait for the temporary output file, then interrupt the write
                while proc.poll() is None and not temporaries(tmp) and time.monotonic() - started < 120:
                    time.sleep(0.0005)
                if not temporaries(tmp):
                    print('note %s: no temporary file seen before the run ended' % label)
            else:
                while proc.poll() is None and time.monotonic() - started < when:
                    time.sleep(0.01)
            if proc.poll() is not None:
                if proc.returncode != 0:
                    fail('%s: the long run failed by itself (exit %d): %s'
                         % (label, proc.returncode, proc.stderr.read().decode()))
                print('note %s: the run ended before the signal (exit %d)' % (label, proc.returncode))
                return False
            proc.send_signal(sig)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                fail('%s: still running 10 s after the signal' % label)
        err = proc.stderr.read().decode('utf-8', 'replace')
        ok = True
        if proc.returncode != 128 + sig:
            fail('%s: exit status %d, expected %d; stderr: %s' % (label, proc.returncode, 128 + sig, err))
            ok = False
        left = temporaries(tmp)
        if left:
            fail('%s: temporary files left behind: %s' % (label, left))
            ok = False
        if sorted(os.listdir(tmp)) != ['long.yaml', 'out.csv']:
            fail('%s: unexpected files: %s' % (label, sorted(os.listdir(tmp))))
            ok = False
        with open(out, 'rb') as f:
            if f.read() != SENTINEL:
                fail('%s: the earlier output file was changed' % label)
                ok = False
        if ok:
            print('ok   interrupt: %s (exit %d)' % (label, proc.returncode))
        return True


def interrupt(mobsim):
    signalled = 0
    for sig, when in ((signal.SIGINT, 0.3), (signal.SIGINT, 1.0), (signal.SIGTERM, 0.5),
                      (signal.SIGINT, 'while writing'), (signal.SIGTERM, 'while writing')):
        signalled += interrupt_once(mobsim, sig, when)
    if signalled == 0:
        fail('interrupt: every run ended before it could be signalled; the long scenario is too short')


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ('determinism', 'interrupt'):
        sys.exit(__doc__)
    mobsim = os.path.abspath(sys.argv[1])
    {'determinism': determinism, 'interrupt': interrupt}[sys.argv[2]](mobsim)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
