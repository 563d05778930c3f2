#include "aml_mobilization_parameters.hpp"

namespace mobsim::models::aml {

std::vector<ParameterInfo> pd_parameters() {
    return {
        {"plerixafor_EC50", 0.04, "mg/L", "total plasma plerixafor for half-maximal CXCR4 occupancy",
         "derived: SDF-1 binding IC50 ~44 nM (Fricker 2006, recalled, not verified) = 0.022 mg/L unbound, / unbound "
         "fraction 0.42 (label: up to 58% bound); the 480-vs-240 ug/kg study's near-saturation agrees", 1e-4, 100},
        {"gcsf_niche_EC50", 3.15, "ng/mL", "G-CSF for half-maximal drive of the niche signal",
         "Krzyzanski 2010 (SC1, the EC50 of G-CSF marrow effects)", 1e-3, 1e3},
        {"gcsf_niche_delay", 96, "h", "mean transit time of the 3-stage delay from G-CSF to niche erosion",
         "derived: chosen so daily G-CSF alone starts to mobilize on day 3-4 (model: 2.5x by day 3, 13x by day 4, peak early day 7) against Stroncek 1997 (rise from day 4, peak day 6)", 1, 1000},
        {"ligand_turnover", 0.03, "1/h", "recovery rate of SDF-1, VCAM-1 and CD44 ligands",
         "assumption: tuned with gcsf_niche_delay to the Stroncek 1997 onset; marrow SDF-1 falls over days (Petit 2002)", 1e-4, 10},
        {"erosion_sdf1", 0.8, "1", "maximal fractional loss of marrow SDF-1 under G-CSF",
         "assumption: Petit 2002 Nat Immunol 3:687 (marked, gradual fall of marrow SDF-1)", 0, 0.99},
        {"erosion_vcam1", 0.7, "1", "maximal fractional loss of marrow VCAM-1 under G-CSF",
         "assumption: Levesque 2001 Blood 98:1289 (VCAM-1 strongly reduced)", 0, 0.99},
        {"erosion_cd44", 0.5, "1", "maximal fractional loss of CD44 ligands under G-CSF",
         "assumption: trial abstract says G-CSF cleaves CD44 ligands; size unreported, set below SDF-1/VCAM-1", 0, 0.99},
        {"sorafenib_IC50", 0.0693, "mg/L", "total plasma sorafenib for half-maximal FLT3-ITD inhibition",
         "Liu 2018 Clin Transl Sci (AML patients, plasma inhibitory activity; Imax 100%)", 1e-5, 10},
        {"retention_weight_cxcr4", 0.5, "1", "share of typical blast retention through CXCR4/SDF-1",
         "assumption: CXCR4 is the dominant retention axis of AML cells (Zeng 2009 Blood 113:6215)", 0, 1},
        {"retention_weight_vla4", 0.25, "1", "share through VLA4/VCAM-1", "assumption: second axis", 0, 1},
        {"retention_weight_cd44", 0.25, "1", "share through CD44", "assumption: second axis", 0, 1},
        {"marker_enrichment", 1.383, "1", "weight multiplier of the axis a marker-defined pool is enriched for",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 1, 20},
        {"receptor_reserve_K", 0.1, "1", "ligand x free receptor (relative to typical) for half-maximal bonding",
         "assumption: bonds of typical cells are saturated (spare receptors), so high expression resists ligand "
         "erosion and partial blockade; the structure screen (scripts/structure_screen.py) finds the trial's negative "
         "expression-mobilization association only for K <= ~0.15", 1e-4, 100},
        {"mobilization_gain", 14.45, "1", "log-fold rise of niche release per unit of typical retention lost",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 0, 50},
        {"rebinding_rate", 1.0, "1/h", "rebinding of free marrow cells to the niche at full retention",
         "assumption: sets, with egress_rate, the lag of the plerixafor peak (model: 5 h after each dose; Liles 2003: 6-9 h in healthy donors)", 1e-3, 100},
        {"egress_rate", 0.2, "1/h", "exit of free marrow cells into the blood", "assumption: as rebinding_rate", 1e-3, 100},
        {"homing_rate", 0.1, "1/h", "return of blood cells to the marrow at full retention",
         "derived: blood residence half-life ~4.6 h with blood_clearance; infused CD34+ cells leave blood within 1 day (Donmez 2013)", 0, 100},
        {"blood_clearance", 0.05, "1/h", "loss of blood cells elsewhere (spleen, liver, death)", "derived: as homing_rate", 0, 100},
        {"marrow_to_blood_ratio", 1000, "1", "marrow cells per blood cell of a population at baseline",
         "assumption: ~1e12 marrow leukemic cells vs ~1e9 circulating at modest blood counts", 1, 1e7},
        {"blood_volume", 0.07, "L/kg", "blood volume per body weight", "assumption: standard adult value", 0.01, 0.2},
        {"proliferation_rate", 0.0087, "1/h", "proliferation of niche-bound leukemic cells",
         "derived: ln2 / potential doubling time 80 h (38-120 h, Raza 1991 labelling data)", 0, 1},
        {"sorafenib_kill_blood", 0.03, "1/h", "kill rate of circulating cells at full FLT3 inhibition",
         "assumption: peripheral blasts clear within 1-2 weeks on FLT3 inhibitors (docs/literature-verified.md s6)", 0, 10},
        {"stromal_protection", 0.9, "1", "fraction of the kill prevented inside the niche",
         "assumption: stroma protects FLT3-ITD blasts, peripheral blasts clear faster (PMC4076672); sorafenib alone leaves ~17% marrow blasts at day 28 in the typical patient", 0, 1},
        {"marrow_blast_pct0", 60, "%", "marrow blast percentage before treatment",
         "assumption: typical relapsed/refractory AML", 1, 99}};
}

}  // namespace mobsim::models::aml
