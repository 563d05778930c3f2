#!/usr/bin/python3
"""How many steps the trial's cell block needs with stiff or exponential integrators of its own.

Usage: cell_block_integrators.py MOBSIM_BINARY [SCENARIO.yaml] [--rtol 7e-7]

The 21 cell states (seven populations: niche-bound, free marrow, blood) obey y' = A(t) y, with A block-diagonal
(one 3x3 block per population) and set by the drug and ligand states, which the cells do not feed back into. This
script takes those driving states from a tight SciPy solution of the whole model (aml_mobilization_ref.py, DOP853 at
rtol 1e-12 with dense output), so the upstream costs nothing, and integrates only the cells with two methods:
- Magnus 6 on the three Gauss-Legendre nodes (Blanes, Casas & Ros 2000), its error estimated against the 4th-order
  Magnus formula from the same nodes; steps end at every output time and action time;
- Radau IIA of order 5 (three stages), with the error estimate and its second form after a rejection of Hairer &
  Wanner's RADAU5 (Solving ODE II, IV.8) and the collocation polynomial as dense output.
It prints the steps per day, the steps in all, and the largest relative error of the blood and marrow counts at the
output times. docs/performance.md (appendix) compares them with dopri5's steps on the whole model. A benchmark,
not a test.
"""
import argparse
import os
import sys

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import expm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aml_mobilization_ref as R  # noqa: E402

N_POP = len(R.POOLS)


def tight_segments(binary, scen):
    """The model, its parameters, the segments between actions and the output grid. A segment is (t0, t1, dense
    solution, state at t0 after its doses, the right-hand side's extra arguments there)."""
    R.use_layout(R.describe_model(binary)["states"])
    p = R.describe_parameters(binary)
    p.update({k: float(v) for k, v in (scen.get("parameters") or {}).items()})
    m = R.Model(p, scen["patient"])
    doses = []
    for reg in scen.get("regimens", []):
        idx, unit = R.TARGETS[reg["into"]]
        amount = R.dose_amount(reg, m.W, unit)
        if reg["into"] == "sorafenib_depot":
            mg = R.dose_amount(reg, m.W, "mg")
            f = (mg / 400.0) ** (-p["sorafenib_dose_exponent"]) if mg > 400.0 else 1.0
        elif reg["into"] == "plerixafor_depot":
            f = p["plerixafor_F"]
        else:
            f = p["filgrastim_F"]
        doses += [(t, idx, amount * f) for t in R.dose_times(reg)]
    t_end = float(scen["output"]["end_h"])
    grid = np.arange(0.0, t_end + 1e-9, float(scen["output"]["step_h"]))
    sorafenib = sorted(t for t, i, _ in doses if i == R.I_SOR)
    cuts = {t for t, _, _ in doses} | {t + p["sorafenib_tEHC"] for t in sorafenib} | {0.0, t_end}
    cuts = sorted(c for c in cuts if 0.0 <= c <= t_end)
    atol = np.maximum(np.abs(m.y0), 1.0) * 1e-14
    atol[R.I_SOR:R.I_GA + 1] = 1e-14
    segments, y = [], m.y0.copy()
    for k, t0 in enumerate(cuts[:-1]):
        for (td, idx, a) in doses:
            if td == t0:
                y[idx] += a
        t1 = cuts[k + 1]
        last = [s for s in sorafenib if s <= t0]
        tl = last[-1] if last else None
        step = 1.0 if tl is not None and 0.5 * (t0 + t1) - tl >= p["sorafenib_tEHC"] else 0.0
        sol = solve_ivp(m.rhs, (t0, t1), y, method="DOP853", rtol=1e-12, atol=atol, dense_output=True,
                        args=(tl, step))
        segments.append((t0, t1, sol.sol, y.copy(), (tl, step)))
        y = sol.y[:, -1].copy()
    return m, p, segments, grid


def cell_matrices(m, p, y):
    """The seven 3x3 blocks of A at the full state y (bound, free, blood), as docs/model.md writes them."""
    cs = y[R.I_SOR + 5] / m.s_V
    cp = y[R.I_PLX + 1] / m.p_V1
    occupancy = cp / (cp + p["plerixafor_EC50"])
    inhibition = cs / (cs + p["sorafenib_IC50"])
    r = m.retention(y[R.I_LIG:R.I_LIG + 3], occupancy) / m.R_ref
    k_off = m.koff0 * np.exp(p["mobilization_gain"] * (1 - r))
    k_on, k_home = p["rebinding_rate"] * r, p["homing_rate"] * r
    kill = p["sorafenib_kill_blood"] * inhibition
    a = np.zeros((N_POP, 3, 3))
    a[:, 0, 0] = p["proliferation_rate"] - m.dj - (1 - p["stromal_protection"]) * kill - k_off
    a[:, 0, 1] = k_on
    a[:, 1, 0] = k_off
    a[:, 1, 1] = -(k_on + p["egress_rate"] + (1 - p["stromal_protection"]) * kill)
    a[:, 1, 2] = k_home
    a[:, 2, 1] = p["egress_rate"]
    a[:, 2, 2] = -(k_home + p["blood_clearance"] + kill)
    return a


def commutator(x, y):
    return x @ y - y @ x


GAUSS = np.sqrt(15) / 10


def magnus_step(matrices, t, h, cells):
    """Magnus 6 and 4 on the Gauss nodes (Blanes, Casas & Ros 2000): new cells, and Magnus 4's at the same step."""
    a1, a2, a3 = (matrices(t + c * h) for c in (0.5 - GAUSS, 0.5, 0.5 + GAUSS))
    alpha1 = h * a2
    alpha2 = np.sqrt(15) * h / 3 * (a3 - a1)
    alpha3 = 10 * h / 3 * (a3 - 2 * a2 + a1)
    c1 = commutator(alpha1, alpha2)
    c2 = -commutator(alpha1, 2 * alpha3 + c1) / 60
    omega6 = alpha1 + alpha3 / 12 + commutator(-20 * alpha1 - alpha3 + c1, alpha2 + c2) / 240
    omega4 = alpha1 + alpha3 / 12 - c1 / 12
    new6 = np.einsum('pij,pj->pi', np.array([expm(o) for o in omega6]), cells)
    new4 = np.einsum('pij,pj->pi', np.array([expm(o) for o in omega4]), cells)
    return new6, new6 - new4, None


S6 = np.sqrt(6)
RADAU_C = np.array([(4 - S6) / 10, (4 + S6) / 10, 1.0])
RADAU_A = np.array([[(88 - 7 * S6) / 360, (296 - 169 * S6) / 1800, (-2 + 3 * S6) / 225],
                    [(296 + 169 * S6) / 1800, (88 + 7 * S6) / 360, (-2 - 3 * S6) / 225],
                    [(16 - S6) / 36, (16 + S6) / 36, 1 / 9]])
RADAU_E = np.array([-(13 + 7 * S6) / 3, (-13 + 7 * S6) / 3, -1 / 3])
GAMMA0 = 1.0 / np.max(np.real(np.linalg.eigvals(RADAU_A)))  # the real eigenvalue of RADAU_A's inverse


def radau_step(matrices, t, h, cells, second_estimate):
    """Radau IIA (order 5) on y' = A(t) y: new cells, RADAU5's error estimate, and the stage increments."""
    stage_a = [matrices(t + c * h) for c in RADAU_C]
    a0 = matrices(t)
    z = np.zeros((N_POP, 3, 3))
    for q in range(N_POP):
        system = np.eye(9)
        for i in range(3):
            for j in range(3):
                system[3 * i:3 * i + 3, 3 * j:3 * j + 3] -= h * RADAU_A[i, j] * stage_a[j][q]
        z[q] = np.linalg.solve(system, np.tile(cells[q], 3)).reshape(3, 3) - cells[q]
    new = cells + z[:, 2, :]
    combination = np.einsum('s,psj->pj', RADAU_E, z) / h
    solve = lambda rhs: np.array([np.linalg.solve(GAMMA0 / h * np.eye(3) - a0[q], rhs[q]) for q in range(N_POP)])
    err = solve(np.einsum('pij,pj->pi', a0, cells) + combination)
    if second_estimate:
        err = solve(np.einsum('pij,pj->pi', a0, cells + err) + combination)
    return new, err, z


def collocation(cells, z, theta):
    """The Radau IIA collocation polynomial through (0, 0) and (c_i, z_i), at theta."""
    nodes = np.concatenate([[0.0], RADAU_C])
    values = [np.zeros_like(cells)] + [z[:, i, :] for i in range(3)]
    out = cells.copy()
    for i in range(4):
        weight = np.prod([(theta - nodes[j]) / (nodes[i] - nodes[j]) for j in range(4) if j != i])
        out = out + weight * values[i]
    return out


def run(method, m, p, segments, grid, rtol):
    cells = R.cells(m.y0).copy()
    steps = rejected = 0
    per_day = {}
    truth, ours = [], []
    h, gi = 0.5, 0
    for t0, t1, sol, y0, _ in segments:
        matrices = lambda t, sol=sol: cell_matrices(m, p, sol(t))
        while gi < len(grid) and abs(grid[gi] - t0) < 1e-12:
            truth.append(R.cells(y0))
            ours.append(cells.copy())
            gi += 1
        # Magnus steps end at output times (no dense output); Radau's only at the segment end
        ends = ([g for g in grid if t0 < g < t1] if method == "magnus" else []) + [t1]
        t, first, after_reject = t0, True, False
        for end in ends:
            while end - t > 1e-12:
                hh = min(h, end - t)
                if method == "magnus":
                    new, err, z = magnus_step(matrices, t, hh, cells)
                else:
                    new, err, z = radau_step(matrices, t, hh, cells, False)
                scale = rtol * 1e-2 + rtol * np.maximum(np.abs(cells), np.abs(new))
                if method == "radau" and np.max(np.abs(err) / scale) > 1 and (first or after_reject):
                    new, err, z = radau_step(matrices, t, hh, cells, True)
                e = np.max(np.abs(err) / scale)
                if e > 1.0:
                    rejected += 1
                    after_reject = True
                    h = hh * max(0.2, 0.9 * e ** -0.25)
                    continue
                if method == "radau":
                    while gi < len(grid) and grid[gi] < t + hh - 1e-12:
                        truth.append(R.cells(sol(grid[gi])))
                        ours.append(collocation(cells, z, (grid[gi] - t) / hh))
                        gi += 1
                t += hh
                cells = new
                steps += 1
                first = after_reject = False
                day = int(t // 24.0001)
                per_day[day] = per_day.get(day, 0) + 1
                grow = min(4.0, max(0.2, 0.9 * max(e, 1e-10) ** -0.2))
                if hh == h or grow < 1:
                    h = hh * grow
            if method == "magnus" and end < t1:
                truth.append(R.cells(sol(end)))
                ours.append(cells.copy())
                gi += 1
    if gi < len(grid) and abs(grid[gi] - segments[-1][1]) < 1e-12:
        truth.append(R.cells(segments[-1][2](grid[gi])))
        ours.append(cells.copy())
    truth, ours = np.array(truth), np.array(ours)
    blood = np.max(np.abs(ours[:, :, 2] - truth[:, :, 2]) / np.abs(truth[:, :, 2]))
    marrow = lambda y: y[:, :, 0] + y[:, :, 1]
    marrow_error = np.max(np.abs(marrow(ours) - marrow(truth)) / np.abs(marrow(truth)))
    return steps, rejected, blood, marrow_error, per_day


def trial_from_command_line(description):
    """Parses BINARY [SCENARIO] [--rtol]; returns rtol and tight_segments() of the scenario."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("scenario", nargs="?",
                    default=os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "trial_800mg.yaml"))
    ap.add_argument("--rtol", type=float, default=7e-7)
    a = ap.parse_args()
    return a.rtol, tight_segments(a.binary, R.load_scenario(a.scenario))


def main():
    rtol, (m, p, segments, grid) = trial_from_command_line(__doc__)
    for method in ("magnus", "radau"):
        steps, rejected, blood, marrow, per_day = run(method, m, p, segments, grid, rtol)
        print("%s: %d steps (%d rejected), largest error %.2g (blood) and %.2g (marrow) at the %d output times"
              % (method, steps, rejected, blood, marrow, len(grid)))
        print("  steps per day: " + " ".join("%d" % per_day.get(d, 0) for d in range(max(per_day) + 1)))


if __name__ == "__main__":
    main()
