#!/usr/bin/python3
"""Reading speed of NONMEM-format datasets: writes a dataset of N records (default 100,000: 1,000 subjects with
doses every 12 h, observations with some below the LLOQ, and two covariates, one time-varying) and times
`mobsim dataset SCENARIO --check` on it.

usage: scripts/dataset_benchmark.py MOBSIM [RECORDS] [--keep FILE]"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, '..', 'scenarios', 'pk_linear_example.yaml')


def write_dataset(path, records):
    per_subject = 100
    with open(path, 'w') as f:
        f.write('ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS,DV,MDV,BLQ,LLOQ,WT,CRCL\n')
        for n in range(records):
            subject, k = divmod(n, per_subject)
            wt = 50 + subject % 40
            crcl = 60 + (k // 25) * 5
            if k % 10 == 0:
                f.write('%d,%g,1,100,depot,0,12,1,0,.,1,0,.,%d,%d\n' % (subject + 1, 2.4 * k, wt, crcl))
            else:
                dv = 2.5 * (0.9 ** (k % 10))
                blq = 1 if dv < 1.0 else 0
                f.write('%d,%g,0,0,conc_central,0,0,0,0,%.6g,0,%d,1,%d,%d\n'
                        % (subject + 1, 2.4 * k, dv, blq, wt, crcl))


def main():
    mobsim = sys.argv[1]
    records = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith('--') else 100000
    keep = sys.argv[sys.argv.index('--keep') + 1] if '--keep' in sys.argv else None
    with tempfile.TemporaryDirectory(prefix='mobsim_dataset_bench_') as tmp:
        path = keep or os.path.join(tmp, 'bench.csv')
        write_dataset(path, records)
        print('%d records, %.1f MB' % (records, os.path.getsize(path) / 1e6))
        for _ in range(3):
            subprocess.run([mobsim, 'dataset', SCENARIO, '--check', path], check=True)


if __name__ == '__main__':
    main()
