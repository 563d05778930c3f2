#!/usr/bin/python3
"""Dormand-Prince against Tsitouras on the trial model: where each pair's error arises.

Usage: explicit_pairs.py MOBSIM_BINARY [SCENARIO.yaml] [--rtol 7e-7]

Both 5(4) pairs step the SciPy reference model (aml_mobilization_ref.py) with mobsim's step control (max norm,
atol + rtol (|x| + h |k1|), ANC's tolerance at a tenth, Boost.Odeint's step adjuster). The drug states are taken
from a tight solution at every stage, as mobsim's exact blocks would give them. Printed per pair: steps,
evaluations, the largest relative error of the cell states at step ends, and at the hourly outputs from the
pair's continuous extension, both over the stepped states and over what the outputs read (blood counts, marrow
counts, the other stepped states). docs/performance.md (appendix) quotes it. A benchmark, not a test.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aml_mobilization_ref as R  # noqa: E402
from cell_block_integrators import trial_from_command_line  # noqa: E402
import stiff_step_limit as DP  # noqa: E402  (Dormand-Prince's tableau)


def dopri5_dense(theta):
    t1, t2 = theta - 1.0, theta * theta
    p, q, r, d = t2 * (3 - 2 * theta), t2 * t1, t2 * t1 * t1, theta * t1 * t1
    x1 = 5 * (2558722523 - 31403016 * theta) / 11282082432
    x3 = 100 * (882725551 - 15701508 * theta) / 32700410799
    x4 = 25 * (443332067 - 31403016 * theta) / 1880347072
    x5 = 32805 * (23143187 - 3489224 * theta) / 199316789632
    x6 = 55 * (29972135 - 7076736 * theta) / 822651844
    x7 = 10 * (7414447 - 829305 * theta) / 29380423
    b = DP.A[6]
    return [p * b[0] - r * x1 + d, 0.0, p * b[2] + r * x3, p * b[3] - r * x4, p * b[4] + r * x5, p * b[5] - r * x6,
            q + r * x7]


TSIT5_DENSE = [[1.0, -2.763706197274826, 2.9132554618219126, -1.0530884977290216],
               [0.0, 0.1317, -0.2234, 0.1017],
               [0.0, 3.9302962368947516, -5.941033872131505, 2.490627285651253],
               [0.0, -12.411077166933676, 30.33818863028232, -16.548102889244902],
               [0.0, 37.50931341651104, -88.1789048947664, 47.37952196281928],
               [0.0, -27.896526289197286, 65.09189467479366, -34.87065786149661],
               [0.0, 1.5, -4.0, 2.5]]

DOPRI5 = dict(c=DP.C, a=DP.A, e=list(DP.B - DP.B_EMBEDDED), dense=dopri5_dense)
TSIT5 = dict(
    c=[0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1],
    a=[[], [0.161], [-0.008480655492356989, 0.335480655492357],
       [2.897153057105493, -6.359448489975075, 4.3622954328695815],
       [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525],
       [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383],
       [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774]],
    e=[-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995, -0.1447110071732629,
       0.5823571654525552, -0.45808210592918697, 1 / 66],
    dense=lambda th: [th * (r[0] + th * (r[1] + th * (r[2] + th * r[3]))) for r in TSIT5_DENSE])


def drugs():
    """Sorafenib, plerixafor and the G-CSF depot: mobsim's exact blocks (once the layout is read)."""
    return slice(0, R.I_GA)


def read_outputs(y):
    """The stepped quantities the outputs read: G-CSF, neutrophils, signal and ligands, blood and marrow counts."""
    pools = R.cells(y)
    return np.concatenate([y[R.I_GA:R.I_CELLS], pools[:, 2], pools[:, 0] + pools[:, 1]])


def run(pair, m, segments, grid, rtol):
    scale = np.ones(R.NSTATE)
    scale[R.I_ANC] = 0.1
    a, c, e = pair["a"], pair["c"], np.array(pair["e"])
    steps = evals = 0
    worst_ends = worst_dense = worst_read = 0.0
    h = 1e-3
    y = segments[0][3].copy()
    for t0, t1, sol, y0, args in segments:
        y[drugs()] = y0[drugs()]  # the doses; the stepped states go on from where the pair left them
        f = lambda t, x, sol=sol, args=args: rhs_with_drugs(m, sol, args, t, x)
        t = t0
        k1 = f(t, y)
        evals += 1
        while t1 - t > 1e-12:
            hh = min(h, t1 - t)
            k = [k1]
            for i in range(1, 7):
                k.append(f(t + c[i] * hh, y + hh * sum(a[i][j] * k[j] for j in range(i))))
                evals += 1
            new = y + hh * sum(a[6][j] * k[j] for j in range(6))
            new[drugs()] = sol(t + hh)[drugs()]
            err = hh * sum(e[j] * k[j] for j in range(7))
            norm = np.max((np.abs(err) / scale / (rtol * 1e-2 + rtol * (np.abs(y) + hh * np.abs(k1))))[R.I_GA:])
            if norm > 1:
                h = hh * max(0.9 * norm ** (-1 / 3), 0.2)
                continue
            for g in grid[(grid > t + 1e-12) & (grid < t + hh - 1e-12)]:
                w = pair["dense"]((g - t) / hh)
                yg = y + hh * sum(w[j] * k[j] for j in range(7))
                ref = sol(g)
                worst_dense = max(worst_dense, np.max(np.abs(yg[R.I_GA:] - ref[R.I_GA:]) / np.abs(ref[R.I_GA:])))
                worst_read = max(worst_read, np.max(np.abs(read_outputs(yg) - read_outputs(ref)) /
                                                    np.abs(read_outputs(ref))))
            t += hh
            y, k1 = new, k[6]
            steps += 1
            if norm < 0.5:
                h = hh * 0.9 * max(norm, 3.2e-4) ** -0.2
            ref = sol(t)
            worst_ends = max(worst_ends, np.max(np.abs(y[R.I_CELLS:] - ref[R.I_CELLS:]) / np.abs(ref[R.I_CELLS:])))
    return steps, evals, worst_ends, worst_dense, worst_read


def rhs_with_drugs(m, sol, args, t, x):
    """The model's derivative at x, with the drug states from the tight solution."""
    x = x.copy()
    x[drugs()] = sol(t)[drugs()]
    return m.rhs(t, x, *args)


def main():
    rtol, (m, _, segments, grid) = trial_from_command_line(__doc__)
    for name, pair in (("dopri5", DOPRI5), ("tsit5", TSIT5)):
        steps, evals, ends, dense, read = run(pair, m, segments, grid, rtol)
        print("%s: %d steps, %d evaluations; largest error of the cells at step ends %.2g; at the hourly outputs %.2g"
              " over the stepped states, %.2g over what the outputs read" % (name, steps, evals, ends, dense, read))


if __name__ == "__main__":
    main()
