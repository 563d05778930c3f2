#!/usr/bin/python3
"""Independent SciPy reference of the mobsim trial model `aml_mobilization`.

Written from docs/model.md and docs/pk.md only (not from models/*.cpp).
Parameter defaults and the state layout come from `mobsim describe aml_mobilization --format json`;
patient covariates, regimens, parameter overrides and the output grid come from the scenario YAML.

Usage: aml_mobilization_ref.py MOBSIM_BINARY SCENARIO.yaml [-o OUT.csv]
"""
import json
import subprocess
import sys
import time

import numpy as np
import yaml
from scipy.integrate import solve_ivp

POOLS = ["cd34", "cd34_38neg", "cd34_38neg_123pos", "cd44", "vla4", "cxcr4", "blasts"]
AXES = ["cxcr4", "vla4", "cd44"]          # ligands: SDF-1, VCAM-1, CD44 ligand (same order)
ENRICHED = {"cd34": ["cxcr4"], "cd34_38neg": ["cd44"], "cd34_38neg_123pos": ["cxcr4", "cd44"],
            "cd44": ["cd44"], "vla4": ["vla4"], "cxcr4": ["cxcr4"], "blasts": []}
# the receptor a marker-positive pool carries at marker_receptor_density times the typical density
CARRIES = {"cd44": ["cd44"], "vla4": ["vla4"], "cxcr4": ["cxcr4"]}

# State layout: mobsim's own, read by name from `mobsim describe aml_mobilization --format json` (use_layout).
# The names and block orders below are what docs/model.md documents; use_layout checks each block is contiguous.
I_SOR = I_PLX = I_GD = I_GA = I_BM = I_ANC = I_SIG = I_LIG = NSTATE = None
I_BOUND = I_FREE = I_BLOOD = None  # index arrays over POOLS
I_CELLS = None  # the first cell state: every state from it on is a cell count
TARGETS = {}
SORAFENIB = ["sorafenib_depot"] + ["sorafenib_transit%d" % i for i in range(1, 5)] + \
    ["sorafenib_central", "sorafenib_gallbladder"]
PLERIXAFOR = ["plerixafor_depot", "plerixafor_central", "plerixafor_peripheral"]
FILGRASTIM = ["filgrastim_depot", "filgrastim_total"] + ["neutrophil_marrow%d" % i for i in range(1, 10)] + \
    ["neutrophil_blood"]


def describe_model(binary):
    """`mobsim describe aml_mobilization --format json`: states with their indices, parameters, outputs."""
    text = subprocess.run([binary, "describe", "aml_mobilization", "--format", "json"], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(text)


def use_layout(states):
    """Set the state indices from describe's state list; fail if a block is not where its slices expect."""
    global I_SOR, I_PLX, I_GD, I_GA, I_BM, I_ANC, I_SIG, I_LIG, NSTATE, I_BOUND, I_FREE, I_BLOOD, I_CELLS, TARGETS
    index = {s["name"]: s["index"] for s in states}

    def block(names):
        first = index[names[0]]
        if [index[n] for n in names] != list(range(first, first + len(names))):
            raise RuntimeError("mobsim's states %s are not contiguous in this order" % names)
        return first

    NSTATE = len(states)
    I_SOR, I_PLX, I_GD = block(SORAFENIB), block(PLERIXAFOR), block(FILGRASTIM)
    I_GA, I_BM, I_ANC = I_GD + 1, I_GD + 2, I_GD + 11
    I_SIG = block(["gcsf_niche_signal1", "gcsf_niche_signal2", "gcsf_niche_signal3"])
    I_LIG = block(["sdf1", "vcam1", "cd44_ligand"])
    I_BOUND, I_FREE, I_BLOOD = (np.array([index[p + suffix] for p in POOLS]) for suffix in ("_bound", "_free", "_blood"))
    I_CELLS = int(min(I_BOUND.min(), I_FREE.min(), I_BLOOD.min()))
    if sorted(np.concatenate([I_BOUND, I_FREE, I_BLOOD])) != list(range(I_CELLS, NSTATE)):
        raise RuntimeError("mobsim's cell states are not the last block")
    TARGETS = {"sorafenib_depot": (I_SOR, "mg"), "plerixafor_depot": (I_PLX, "mg"), "filgrastim_depot": (I_GD, "ug")}


def cells(y):
    """The cell states of a state vector as (pools, 3): bound, free, blood."""
    return np.stack([y[I_BOUND], y[I_FREE], y[I_BLOOD]], axis=1)


def describe_parameters(binary):
    """Parameter defaults of `mobsim describe aml_mobilization --format json` (exact: shortest round-trip text)."""
    params = {p["name"]: float(p["value"]) for p in describe_model(binary)["parameters"]}
    if not params:
        raise RuntimeError("no parameters in `mobsim describe --format json` output")
    return params


def dose_times(reg):
    """Dose times (h) of one regimen; only the forms the trial scenarios use."""
    if "at_h" in reg:
        at = reg["at_h"]
        return [float(x) for x in (at if isinstance(at, list) else [at])]
    if "days" in reg:
        hh, mm = (str(reg.get("clock", "00:00")).split(":") + ["0"])[:2]
        c = float(hh) + float(mm) / 60.0
        return [24.0 * (d - 1) + c for d in reg["days"]]
    if "every_h" in reg:
        start, every = float(reg.get("start_h", 0.0)), float(reg["every_h"])
        if "count" in reg:
            return [start + k * every for k in range(int(reg["count"]))]
        out, t = [], start
        while t <= float(reg["until_h"]) + 1e-9:
            out.append(t)
            t += every
        return out
    raise ValueError("unsupported regimen form: %r" % reg)


def dose_amount(reg, weight, target_unit):
    """Amount in the target state's unit (mg or ug), before bioavailability."""
    a, unit = float(reg["amount"]), reg.get("unit", target_unit)
    if unit.endswith("/kg"):
        a *= weight
        unit = unit[:-3]
    to_mg = {"mg": 1.0, "ug": 1e-3}
    return a * to_mg[unit] / to_mg[target_unit]


class Model:
    def __init__(self, p, patient):
        self.p = p
        W = float(patient["weight_kg"])
        crcl = float(patient.get("crcl_mL_min", 100.0))
        self.W = W
        self.x = np.array([float(patient.get(a + "_expression", 1.0)) for a in AXES])
        # sorafenib
        self.s_ka, self.s_V = p["sorafenib_ka"], p["sorafenib_V"] * W / 80.0
        self.s_kel = p["sorafenib_CL"] / self.s_V
        # plerixafor
        self.p_ka = p["plerixafor_ka"]
        fr = p["plerixafor_renal_fraction"]
        self.p_CL = p["plerixafor_CL"] * W * ((1 - fr) + fr * crcl / 100.0)
        self.p_V1, self.p_V2, self.p_Q = p["plerixafor_V1"] * W, p["plerixafor_V2"] * W, p["plerixafor_Q"] * W
        # filgrastim + neutrophil lineage, baseline steady state
        C0, EC = p["filgrastim_baseline"], p["filgrastim_EC50"]
        H1 = 1 + p["filgrastim_Smax_production"] * C0 / (EC + C0)
        H2 = 1 + p["filgrastim_Smax_transit"] * C0 / (EC + C0)
        self.kp = p["neutrophil_ktt"] * H2 / H1
        bm0 = p["neutrophil_kmt"] * p["neutrophil_ANC0"] / (p["neutrophil_ktt"] * H2)
        R0 = p["filgrastim_receptors_per_cell"] * (9 * bm0 + p["neutrophil_ANC0"])
        bound0 = R0 * C0 / (p["filgrastim_KD"] + C0)
        V = p["filgrastim_V"]
        self.kin = p["filgrastim_kel"] * C0 * V + p["filgrastim_kint"] * bound0 * V
        # niche signal and ligands
        self.ks = 3.0 / p["gcsf_niche_delay"]
        self.q = np.array([p["erosion_" + a] / (1 - p["erosion_" + a]) for a in ("sdf1", "vcam1", "cd44")])
        S0 = C0 / (C0 + p["gcsf_niche_EC50"])
        L0 = 1.0 / (1.0 + self.q * S0)   # ligand steady state under the endogenous G-CSF signal
        # retention weights (pools x axes)
        w0 = np.array([p["retention_weight_" + a] for a in AXES])
        w = np.array([[w0[i] * (p["marker_enrichment"] if a in ENRICHED[j] else 1.0)
                       for i, a in enumerate(AXES)] for j in POOLS])
        self.w = w / w.sum(axis=1, keepdims=True)
        self.density = np.array([[p["marker_receptor_density"] if a in CARRIES.get(j, []) else 1.0 for a in AXES]
                                 for j in POOLS])
        self.R_ref = self.retention(L0, 0.0)  # untreated retention (baseline ligands, no plerixafor)
        self.R_typ = self.retention(L0, 0.0, np.ones(3))  # the same for a patient of typical expression
        # traffic rates and steady state by construction
        nP = len(POOLS)
        self.Vb_uL = p["blood_volume"] * W * 1e6
        B0 = np.array([p["blood0_" + j] for j in POOLS]) * self.Vb_uL
        M0 = p["marrow_to_blood_ratio"] * B0
        kon, keg, kh, kcl = p["rebinding_rate"], p["egress_rate"], p["homing_rate"], p["blood_clearance"]
        F0 = (kh + kcl) * B0 / keg
        self.koff0 = ((kon + keg) * F0 - kh * B0) / M0
        self.dj = p["proliferation_rate"] - kcl * B0 / M0
        self.B0, self.MF0 = B0, M0 + F0
        y0 = np.zeros(NSTATE)
        y0[I_GA] = (C0 + bound0) * V
        y0[I_BM:I_BM + 9] = bm0
        y0[I_ANC] = p["neutrophil_ANC0"]
        y0[I_SIG:I_SIG + 3] = S0
        y0[I_LIG:I_LIG + 3] = L0
        y0[I_BOUND], y0[I_FREE], y0[I_BLOOD] = M0, F0, B0
        self.y0 = y0
        self.normal_marrow = self.MF0[-1] / p["marrow_blast_odds0"]
        self.pct0 = 100.0 * p["marrow_blast_odds0"] / (1.0 + p["marrow_blast_odds0"])

    def retention(self, L, occ, expression=None):
        # bonds saturate in ligand x free receptor
        u = self.density * (L * (self.x if expression is None else expression) * np.array([1.0 - occ, 1.0, 1.0]))
        bond = u / (self.p["receptor_reserve_K"] + u)  # pools x axes
        return (self.w * bond).sum(axis=1)

    def gcsf_free(self, A, NT):
        p = self.p
        R = p["filgrastim_receptors_per_cell"] * NT
        a = A / p["filgrastim_V"]
        b = p["filgrastim_KD"] + R - a
        disc = np.sqrt(b * b + 4 * p["filgrastim_KD"] * a)
        # cancellation-free root of C^2 + b C - KD a = 0
        return 2 * p["filgrastim_KD"] * a / (b + disc) if b > 0 else 0.5 * (-b + disc), R

    def rhs(self, t, y, t_last_sor, e_step):
        p, dy = self.p, np.empty_like(y)
        # sorafenib (Jain 2011)
        s = y[I_SOR:I_SOR + 7]
        tad = t - t_last_sor if t_last_sor is not None else 0.0
        n = p["sorafenib_hill_EHC"]
        if n == 0:
            # hill 0 = instantaneous switch at t' (describe text); constant on each segment
            E = e_step
        else:
            # E = tad^n / (tad^n + t'^n), written to avoid overflow
            E = 0.0 if tad <= 0 else 1.0 / (1.0 + np.exp(min(n * np.log(p["sorafenib_tEHC"] / tad), 700.0)))
        bile = E * p["sorafenib_kEHC"] * s[6]
        ka = self.s_ka
        dy[I_SOR] = -ka * s[0]
        dy[I_SOR + 1:I_SOR + 5] = ka * (s[0:4] - s[1:5])
        dy[I_SOR + 4] += bile
        dy[I_SOR + 5] = ka * s[4] - self.s_kel * s[5]
        dy[I_SOR + 6] = p["sorafenib_Fent"] * self.s_kel * s[5] - bile
        Cs = s[5] / self.s_V
        # plerixafor
        ad, a1, a2 = y[I_PLX:I_PLX + 3]
        flow = self.p_Q * (a1 / self.p_V1 - a2 / self.p_V2)
        dy[I_PLX] = -self.p_ka * ad
        dy[I_PLX + 1] = self.p_ka * ad - self.p_CL / self.p_V1 * a1 - flow
        dy[I_PLX + 2] = flow
        Cp = a1 / self.p_V1
        # filgrastim QE-TMDD and neutrophil lineage
        bm, anc = y[I_BM:I_BM + 9], y[I_ANC]
        Cg, R = self.gcsf_free(y[I_GA], bm.sum() + anc)
        V = p["filgrastim_V"]
        dy[I_GD] = -p["filgrastim_ka"] * y[I_GD]
        dy[I_GA] = (p["filgrastim_ka"] * y[I_GD] + self.kin - p["filgrastim_kel"] * Cg * V
                    - p["filgrastim_kint"] * R * Cg / (p["filgrastim_KD"] + Cg) * V)
        EC = p["filgrastim_EC50"]
        H1 = 1 + p["filgrastim_Smax_production"] * Cg / (EC + Cg)
        ktt = p["neutrophil_ktt"] * (1 + p["filgrastim_Smax_transit"] * Cg / (EC + Cg))
        dy[I_BM] = self.kp * H1 * bm[0] - ktt * bm[0]
        dy[I_BM + 1:I_BM + 9] = ktt * (bm[0:8] - bm[1:9])
        dy[I_ANC] = ktt * bm[8] - p["neutrophil_kmt"] * anc
        # niche signal chain and ligands
        sig = y[I_SIG:I_SIG + 3]
        S0 = Cg / (Cg + p["gcsf_niche_EC50"])
        dy[I_SIG] = self.ks * (S0 - sig[0])
        dy[I_SIG + 1:I_SIG + 3] = self.ks * (sig[0:2] - sig[1:3])
        L = y[I_LIG:I_LIG + 3]
        kL = p["ligand_turnover"]
        dy[I_LIG:I_LIG + 3] = kL * (1 - L) - kL * self.q * sig[2] * L
        # populations
        occ = Cp / (Cp + p["plerixafor_EC50"])
        inh = Cs / (Cs + p["sorafenib_IC50"])
        R = self.retention(L, occ)
        r = R / self.R_ref
        koff = self.koff0 * np.exp(p["mobilization_gain"] * (self.R_ref - R) / self.R_typ)
        kon, khome = p["rebinding_rate"] * r, p["homing_rate"] * r
        keg, kcl = p["egress_rate"], p["blood_clearance"]
        kill = p["sorafenib_kill_blood"] * inh
        M, F, B = y[I_BOUND], y[I_FREE], y[I_BLOOD]
        marrow_kill = (1 - p["stromal_protection"]) * kill  # every marrow cell, bound or free, is protected
        dy[I_BOUND] = (p["proliferation_rate"] - self.dj - marrow_kill) * M - koff * M + kon * F
        dy[I_FREE] = koff * M - (kon + keg + marrow_kill) * F + khome * B
        dy[I_BLOOD] = keg * F - (khome + kcl + kill) * B
        return dy

    def outputs(self, Y):
        """Output columns (CSV names) for states Y of shape (n, NSTATE)."""
        p, out = self.p, {}
        out["sorafenib_mg_L"] = Y[:, I_SOR + 5] / self.s_V
        cp = Y[:, I_PLX + 1] / self.p_V1
        out["plerixafor_mg_L"] = cp
        cg = np.array([self.gcsf_free(yy[I_GA], yy[I_BM:I_ANC + 1].sum())[0] for yy in Y])
        out["filgrastim_ng_mL"] = cg
        out["anc_1e3_uL"] = Y[:, I_ANC]
        out["cxcr4_occupancy"] = cp / (cp + p["plerixafor_EC50"])
        cs = out["sorafenib_mg_L"]
        out["flt3_inhibition"] = cs / (cs + p["sorafenib_IC50"])
        out["gcsf_niche_signal"] = Y[:, I_SIG + 2]
        for k, name in enumerate(("sdf1", "vcam1", "cd44_ligand")):
            out[name] = Y[:, I_LIG + k]
        for j, pool in enumerate(POOLS):
            M, F, B = Y[:, I_BOUND[j]], Y[:, I_FREE[j]], Y[:, I_BLOOD[j]]
            out["blood_%s_per_uL" % pool] = B / self.Vb_uL
            out["marrow_%s_cells" % pool] = M + F
            out["fold_%s" % pool] = B / self.B0[j]
            out["ratio_%s" % pool] = (B / (M + F)) / (self.B0[j] / self.MF0[j])
        blasts = POOLS.index("blasts")
        mfb = Y[:, I_BOUND[blasts]] + Y[:, I_FREE[blasts]]
        out["marrow_blast_pct_pct"] = pct = 100 * mfb / (mfb + self.normal_marrow)
        out["marrow_response_index"] = np.minimum(pct / 5.0, np.maximum(pct / 25.0, 2.0 * pct / self.pct0))
        return out


def load_scenario(path):
    with open(path) as fh:
        return yaml.safe_load(fh)


def simulate(binary, scen, rtol=1e-10, params=None, atol_scale=1e-14, stats=None):
    """Return (times, outputs dict, parameter dict) for a parsed scenario.

    atol is atol_scale x max(|initial state|, 1) per state (atol_scale alone for the drug amounts); the
    right-hand-side evaluation count is added to stats["nfev"] when stats is a dict."""
    use_layout(describe_model(binary)["states"])
    p = dict(params) if params is not None else describe_parameters(binary)
    p.update({k: float(v) for k, v in (scen.get("parameters") or {}).items()})
    m = Model(p, scen["patient"])
    # doses: (time, state index, amount after bioavailability)
    doses = []
    for reg in scen.get("regimens", []):
        idx, unit = TARGETS[reg["into"]]
        D = dose_amount(reg, m.W, unit)
        if reg["into"] == "sorafenib_depot":
            D0 = dose_amount(reg, m.W, "mg")
            F = (D0 / 400.0) ** (-p["sorafenib_dose_exponent"]) if D0 > 400.0 else 1.0
        elif reg["into"] == "plerixafor_depot":
            F = p["plerixafor_F"]
        else:
            F = p["filgrastim_F"]
        F *= float(reg.get("bioavailability", 1.0))
        doses += [(t, idx, D * F) for t in dose_times(reg)]
    out = scen["output"]
    t_end = float(out["end_h"])
    grid = np.array(out["times_h"], float) if "times_h" in out else \
        np.arange(0.0, t_end + 1e-9, float(out["step_h"]))
    sor_times = sorted(t for t, i, _ in doses if i == I_SOR)
    # breakpoints: doses and the gallbladder switch t' after each sorafenib dose
    brk = {t for t, _, _ in doses} | {t + p["sorafenib_tEHC"] for t in sor_times} | {0.0, t_end}
    brk = sorted(b for b in brk if 0.0 <= b <= t_end)
    atol = np.maximum(np.abs(m.y0), 1.0) * atol_scale
    atol[I_SOR:I_GA + 1] = atol_scale  # drug amounts (mg, ug)
    Y = np.empty((len(grid), NSTATE))
    y, gi = m.y0.copy(), 0
    for k, t0 in enumerate(brk):
        for (td, idx, a) in doses:
            if td == t0:
                y[idx] += a
        # grid rows at t0 hold the state just after the doses at t0
        while gi < len(grid) and abs(grid[gi] - t0) < 1e-12:
            Y[gi] = y
            gi += 1
        if k + 1 == len(brk):
            break
        t1 = brk[k + 1]
        last = [s for s in sor_times if s <= t0]
        tl = last[-1] if last else None
        # step switch: segments are split at dose + t', so decide on the midpoint
        e_step = 1.0 if tl is not None and 0.5 * (t0 + t1) - tl >= p["sorafenib_tEHC"] else 0.0
        sel = grid[(grid > t0) & (grid < t1)]
        # t_eval ends at t1: LSODA's interpolant at a step end is the step's own value
        sol = solve_ivp(m.rhs, (t0, t1), y, method="LSODA", rtol=rtol, atol=atol,
                        t_eval=np.append(sel, t1), args=(tl, e_step))
        if not sol.success:
            raise RuntimeError("solve_ivp failed at %g h: %s" % (t0, sol.message))
        if stats is not None:
            stats["nfev"] = stats.get("nfev", 0) + sol.nfev
        Y[gi:gi + len(sel)] = sol.y[:, :len(sel)].T
        gi += len(sel)
        y = sol.y[:, -1].copy()
    assert gi == len(grid), (gi, len(grid))
    return grid, m.outputs(Y), p


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("binary")
    ap.add_argument("scenario")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    t0 = time.perf_counter()
    grid, out, _ = simulate(a.binary, load_scenario(a.scenario))
    dt = time.perf_counter() - t0
    cols = list(out)
    fh = open(a.output, "w") if a.output else sys.stdout
    fh.write("time_h," + ",".join(cols) + "\n")
    for i, t in enumerate(grid):
        fh.write("%.17g," % t + ",".join("%.17g" % out[c][i] for c in cols) + "\n")
    if a.output:
        fh.close()
    print("reference: %.2f s" % dt, file=sys.stderr)


if __name__ == "__main__":
    main()
