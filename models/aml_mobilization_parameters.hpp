// The trial model's PD layer (models/aml_mobilization.hpp), internal to models/: its two components, the marrow
// niche (models/aml_niche.cpp) and the cell traffic (models/aml_cells.cpp); the populations' axis tables; and
// the cell traffic's parameter table, from which its parameter indices derive by name (index_of).
#pragma once
#include <string>

#include "models/aml_mobilization.hpp"
#include "models/component.hpp"

namespace mobsim::models::aml {

inline constexpr int kSignalStages = 3;  // stages of the delay from G-CSF to the niche
// The ligand of each adhesion axis (CXCR4, VLA4, CD44): the niche's state, port and output names.
inline constexpr const char* kLigands[kAxes] = {"sdf1", "vcam1", "cd44_ligand"};

// Which axes each population relies on more than typical blasts (marker_enrichment multiplies that axis'
// weight). Order: CXCR4, VLA4, CD44. See docs/model.md.
inline constexpr bool kRelies[kPopulations][kAxes] = {
    {1, 0, 0},  // cd34: CD34+ progenitors are the classic CXCR4-dependent cells
    {0, 0, 1},  // cd34_38neg: stem-like cells depend on CD44 for niche homing
    {1, 0, 1},  // cd34_38neg_123pos
    {0, 0, 1},  // cd44+
    {0, 1, 0},  // vla4+
    {1, 0, 0},  // cxcr4+
    {0, 0, 0},  // blasts: the typical profile
};
// Which receptor a population carries at marker_receptor_density times the typical blast's: the pools selected
// for being positive for that receptor (a marker-positive gate keeps the cells with more of it). The progenitor
// pools are gated on CD34/CD38/CD123, not on an adhesion receptor, so they carry typical amounts.
inline constexpr bool kCarries[kPopulations][kAxes] = {
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
    {0, 0, 1},  // cd44+
    {0, 1, 0},  // vla4+
    {1, 0, 0},  // cxcr4+
    {0, 0, 0},
};

// The cell traffic's parameters, then one baseline blood count per population (cells_component()).
inline constexpr ParameterRow kCellParameters[] = {
        {"retention_weight_cxcr4", 0.5, "1", "share of typical blast retention through CXCR4/SDF-1",
         "assumption: CXCR4 is the dominant retention axis of AML cells (Zeng 2009 Blood 113:6215)", 0, 1},
        {"retention_weight_vla4", 0.3710, "1", "weight of VLA4/VCAM-1 relative to CXCR4's 0.5 (weights are renormalised)",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/calibration.md)", 0, 1},
        {"retention_weight_cd44", 0.25, "1", "share through CD44", "assumption: second axis", 0, 1},
        {"marker_enrichment", 2.430, "1", "weight multiplier of the axis a marker-defined pool is enriched for",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/calibration.md)", 1, 20},
        {"marker_receptor_density", 1.513, "1",
         "receptor density of a pool gated positive for an adhesion receptor (CXCR4+, VLA4+, CD44+), relative to "
         "typical blasts",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/calibration.md)", 1, 20},
        {"receptor_reserve_K", 0.1, "1", "ligand x free receptor (relative to typical) for half-maximal bonding",
         "assumption: bonds of typical cells are saturated (spare receptors), so high expression resists ligand "
         "erosion and partial blockade; the structure screen (scripts/structure_screen.py) finds the trial's negative "
         "expression-mobilization association only for K <= ~0.15", 1e-4, 100},
        {"mobilization_gain", 9.889, "1", "log-fold rise of niche release per unit of typical retention lost",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/calibration.md)", 0, 50},
        {"rebinding_rate", 0.25, "1/h", "rebinding of free marrow cells to the niche at full retention",
         "derived from human data: with egress_rate it sets the lag of the blood CD34+ peak after plerixafor "
         "(Liles 2003: maximum at 9 h, sampled 6-12 h)", 1e-3, 100},
        {"egress_rate", 0.05, "1/h", "exit of free marrow cells into the blood", "derived: as rebinding_rate", 1e-3, 100},
        {"homing_rate", 0.15, "1/h", "return of blood cells to the marrow at full retention",
         "derived: blood residence half-life 4.6 h (ln2/0.15); infused CD34+ cells leave blood within 1 day (Donmez 2013) and engraft in the marrow, so the blood's exit is taken to be homing (blood_clearance 0)", 0, 100},
        {"blood_clearance", 0, "1/h", "loss of blood cells elsewhere (spleen, liver, death), besides drug kill",
         "assumption: none; G-CSF and plerixafor move leukemic cells but do not destroy them (no marrow response to mobilization alone is reported), so the blood's exit is homing (docs/validation.md, Response)", 0, 100},
        {"marrow_to_blood_ratio", 1000, "1", "marrow cells per blood cell of a population at baseline",
         "assumption: ~1e12 marrow leukemic cells vs ~1e9 circulating at modest blood counts", 1, 1e7},
        {"blood_volume", 0.07, "L/kg", "blood volume per body weight", "assumption: standard adult value", 0.01, 0.2},
        {"proliferation_rate", 0.0087, "1/h", "proliferation of niche-bound leukemic cells",
         "derived: ln2 / potential doubling time 80 h (38-120 h, Raza 1991 labelling data)", 0, 1},
        {"sorafenib_kill_blood", 0.03, "1/h", "kill rate of circulating cells at full FLT3 inhibition",
         "assumption: peripheral blasts clear within 1-2 weeks on FLT3 inhibitors (docs/literature-verified.md s6)", 0, 10},
        {"stromal_protection", 0.9545, "1", "fraction of the kill prevented in the marrow (bound and free cells)",
         "derived from human data: sorafenib alone 400 mg BID for 28 days gives the pooled composite marrow response of sorafenib monotherapy in relapsed/refractory AML, 8 of 66 = 12.1% (CR/CRp 5/50, all FLT3-ITD: Borthakur 2011 Haematologica 96:62; PR 3/16, no CR, FLT3-ITD after HSCT: Biol Blood Marrow Transplant 2011;17:1874), in the trial cohort's virtual patients; docs/validation.md, Response", 0, 1},
        {"marrow_blast_odds0", 1.5, "1", "marrow blasts per normal marrow cell before treatment (1.5 = 60% blasts)",
         "assumption: typical relapsed/refractory AML marrow (60% blasts); on the odds scale so that log-normal "
         "variability between patients keeps the percentage within 0-100% (scenarios/cohort_trial_800mg.yaml)",
         1e-3, 1e3},
};

// The niche: G-CSF signal stages and ligands; reads filgrastim's free concentration, offers "signal" and one port
// per ligand ("sdf1", "vcam1", "cd44_ligand").
ComponentDeclaration niche_component();
// The cell traffic of the seven populations; reads the niche's ligands, "plerixafor.cxcr4_occupancy" and
// "<flt3_inhibitor>.flt3_inhibition". Its outputs come first the two drug effects, then the populations'.
ComponentDeclaration cells_component(const std::string& flt3_inhibitor);

}  // namespace mobsim::models::aml
