#include "models/aml_mobilization_parameters.hpp"

#include "models/aml_mobilization.hpp"
#include "models/model_base.hpp"

namespace mobsim::models::aml {

std::vector<ParameterInfo> pd_parameters() {
    return {
        {"plerixafor_EC50", 0.035, "mg/L", "total plasma plerixafor for half-maximal CXCR4 occupancy",
         "derived from human data: plerixafor 240 ug/kg alone gives 15.5-fold CD34+ (Liles 2003 Blood 102:2728, "
         "healthy volunteers; model: docs/model.md, Single-agent validation). Binding "
         "data agree in order: SDF-1 binding IC50 ~44 nM (Fricker 2006) = 0.022 mg/L unbound, 0.05 mg/L total", 1e-4, 100},
        {"gcsf_niche_EC50", 3.15, "ng/mL", "G-CSF for half-maximal drive of the niche signal",
         "Krzyzanski 2010 (SC1, the EC50 of G-CSF marrow effects)", 1e-3, 1e3},
        {"gcsf_niche_delay", 40, "h", "mean transit time of the 3-stage delay from G-CSF to niche erosion",
         "derived from human data: daily G-CSF 7.5-10 ug/kg raises CD34+ to 61/uL before the 4th dose and 128/uL "
         "before the 5th (Stroncek 1997 Transfus Med 7:19), peak on day 5 or 6 (Ann Hematol 1996;72:269); model: "
         "docs/model.md, Single-agent validation", 1, 1000},
        {"ligand_turnover", 0.03, "1/h", "recovery rate of SDF-1, VCAM-1 and CD44 ligands",
         "assumption: marrow SDF-1 falls over days under G-CSF (Petit 2002); the onset is set by gcsf_niche_delay", 1e-4, 10},
        {"erosion_sdf1", 0.8, "1", "maximal fractional loss of marrow SDF-1 under G-CSF",
         "assumption: Petit 2002 Nat Immunol 3:687 (marked, gradual fall of marrow SDF-1)", 0, 0.99},
        {"erosion_vcam1", 0.93, "1", "maximal fractional loss of marrow VCAM-1 under G-CSF",
         "derived from human data: the same protease cleavage (neutrophil elastase, cathepsin G; Levesque 2001 Blood "
         "98:1289) for VCAM-1 and CD44 ligands, the one extent that gives daily G-CSF alone its day-5 CD34+ rise "
         "(20.8-40-fold: Blood 2008;112:2092 with Liles 2003 baselines)", 0, 0.99},
        {"erosion_cd44", 0.93, "1", "maximal fractional loss of CD44 ligands under G-CSF",
         "derived: as erosion_vcam1 (the trial abstract names G-CSF cleavage of CD44 ligands; the same proteases)", 0, 0.99},
        {"sorafenib_IC50", 0.0693, "mg/L", "total plasma sorafenib for half-maximal FLT3-ITD inhibition",
         "Liu 2018 Clin Transl Sci (AML patients, plasma inhibitory activity; Imax 100%)", 1e-5, 10},
        {"retention_weight_cxcr4", 0.5, "1", "share of typical blast retention through CXCR4/SDF-1",
         "assumption: CXCR4 is the dominant retention axis of AML cells (Zeng 2009 Blood 113:6215)", 0, 1},
        {"retention_weight_vla4", 0.3710, "1", "weight of VLA4/VCAM-1 relative to CXCR4's 0.5 (weights are renormalised)",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 0, 1},
        {"retention_weight_cd44", 0.25, "1", "share through CD44", "assumption: second axis", 0, 1},
        {"marker_enrichment", 2.430, "1", "weight multiplier of the axis a marker-defined pool is enriched for",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 1, 20},
        {"marker_receptor_density", 1.513, "1",
         "receptor density of a pool gated positive for an adhesion receptor (CXCR4+, VLA4+, CD44+), relative to "
         "typical blasts",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 1, 20},
        {"receptor_reserve_K", 0.1, "1", "ligand x free receptor (relative to typical) for half-maximal bonding",
         "assumption: bonds of typical cells are saturated (spare receptors), so high expression resists ligand "
         "erosion and partial blockade; the structure screen (scripts/structure_screen.py) finds the trial's negative "
         "expression-mobilization association only for K <= ~0.15", 1e-4, 100},
        {"mobilization_gain", 9.889, "1", "log-fold rise of niche release per unit of typical retention lost",
         "calibrated: cohort-mean fit to the seven trial means, scenarios/fit_trial_cohort.yaml (docs/model.md)", 0, 50},
        {"rebinding_rate", 0.25, "1/h", "rebinding of free marrow cells to the niche at full retention",
         "derived from human data: with egress_rate it sets the lag of the blood CD34+ peak after plerixafor "
         "(Liles 2003: maximum at 9 h, sampled 6-12 h)", 1e-3, 100},
        {"egress_rate", 0.05, "1/h", "exit of free marrow cells into the blood", "derived: as rebinding_rate", 1e-3, 100},
        {"homing_rate", 0.15, "1/h", "return of blood cells to the marrow at full retention",
         "derived: blood residence half-life 4.6 h (ln2/0.15); infused CD34+ cells leave blood within 1 day (Donmez 2013) and engraft in the marrow, so the blood's exit is taken to be homing (blood_clearance 0)", 0, 100},
        {"blood_clearance", 0, "1/h", "loss of blood cells elsewhere (spleen, liver, death), besides drug kill",
         "assumption: none; G-CSF and plerixafor move leukemic cells but do not destroy them (no marrow response to mobilization alone is reported), so the blood's exit is homing (docs/model.md, Response)", 0, 100},
        {"marrow_to_blood_ratio", 1000, "1", "marrow cells per blood cell of a population at baseline",
         "assumption: ~1e12 marrow leukemic cells vs ~1e9 circulating at modest blood counts", 1, 1e7},
        {"blood_volume", 0.07, "L/kg", "blood volume per body weight", "assumption: standard adult value", 0.01, 0.2},
        {"proliferation_rate", 0.0087, "1/h", "proliferation of niche-bound leukemic cells",
         "derived: ln2 / potential doubling time 80 h (38-120 h, Raza 1991 labelling data)", 0, 1},
        {"sorafenib_kill_blood", 0.03, "1/h", "kill rate of circulating cells at full FLT3 inhibition",
         "assumption: peripheral blasts clear within 1-2 weeks on FLT3 inhibitors (docs/literature-verified.md s6)", 0, 10},
        {"stromal_protection", 0.9545, "1", "fraction of the kill prevented in the marrow (bound and free cells)",
         "derived from human data: sorafenib alone 400 mg BID for 28 days gives the pooled composite marrow response of sorafenib monotherapy in relapsed/refractory AML, 8 of 66 = 12.1% (CR/CRp 5/50, all FLT3-ITD: Borthakur 2011 Haematologica 96:62; PR 3/16, no CR, FLT3-ITD after HSCT: Biol Blood Marrow Transplant 2011;17:1874), in the trial cohort's virtual patients; docs/model.md, Response", 0, 1},
        {"marrow_blast_odds0", 1.5, "1", "marrow blasts per normal marrow cell before treatment (1.5 = 60% blasts)",
         "assumption: typical relapsed/refractory AML marrow (60% blasts); on the odds scale so that log-normal "
         "variability between patients keeps the percentage within 0-100% (scenarios/cohort_trial_800mg.yaml)",
         1e-3, 1e3}};
}

namespace {
// Cell states: the folds are exponential in retention (gain ~15), so the default error control understates their
// relative error; this tighter tolerance keeps the trial's outputs within 1e-6 of a tight solution (0.1 did not).
constexpr double kCellTolerance = 0.02;
constexpr double kBaselineBlood[kPopulations] = {300, 50, 30, 400, 300, 200, 500};  // cells/uL, assumption
}  // namespace

std::vector<ParameterInfo> baseline_blood_parameters() {
    std::vector<ParameterInfo> parameters;
    for (int j = 0; j < kPopulations; ++j)
        parameters.push_back({"blood0_" + kPopulationIds[j], kBaselineBlood[j], "cells/uL",
                              "pre-treatment blood count of " + kPopulationIds[j],
                              "assumption: scales counts only; fold changes do not depend on it", 1e-6, 1e7});
    return parameters;
}

std::vector<StateInfo> pd_states() {
    std::vector<StateInfo> states;
    for (int s = 1; s <= kSignalStages; ++s)
        states.push_back({"gcsf_niche_signal" + std::to_string(s), "1", "delayed G-CSF niche signal, stage " + std::to_string(s)});
    for (const char* l : {"sdf1", "vcam1", "cd44_ligand"})
        states.push_back({l, "1", std::string(l) + " availability in the marrow (1 = untreated)"});
    for (const auto& id : kPopulationIds) {
        states.push_back({id + "_bound", "cells", id + " cells held in the marrow niche"});
        states.back().tolerance_scale = kCellTolerance;
    }
    for (const auto& id : kPopulationIds) {
        states.push_back({id + "_free", "cells", id + " cells free in the marrow, not held"});
        states.back().tolerance_scale = kCellTolerance;
    }
    for (const auto& id : kPopulationIds) {
        states.push_back({id + "_blood", "cells", id + " cells in the blood"});
        states.back().tolerance_scale = kCellTolerance;
    }
    return states;
}

std::vector<CovariateInfo> covariates() {
    return {kWeight, kCreatinineClearance,
            {"cxcr4_expression", "1", "CXCR4 expression on the patient's leukemic cells (1 = typical)"},
            {"vla4_expression", "1", "VLA4 expression (1 = typical)"},
            {"cd44_expression", "1", "CD44 expression (1 = typical)"}};
}

std::vector<OutputInfo> outputs() {
    std::vector<OutputInfo> list = {
        {"sorafenib", "mg/L", "total plasma sorafenib"},
        {"plerixafor", "mg/L", "plasma plerixafor"},
        {"filgrastim", "ng/mL", "free serum G-CSF"},
        {"anc", "1e3/uL", "absolute neutrophil count"},
        {"cxcr4_occupancy", "1", "fraction of CXCR4 blocked by plerixafor"},
        {"flt3_inhibition", "1", "fraction of FLT3-ITD signalling inhibited by sorafenib"},
        {"gcsf_niche_signal", "1", "delayed G-CSF signal acting on the niche"},
        {"sdf1", "1", "marrow SDF-1 availability"},
        {"vcam1", "1", "marrow VCAM-1 availability"},
        {"cd44_ligand", "1", "marrow CD44-ligand availability"}};
    for (const auto& id : kPopulationIds) {
        list.push_back({"blood_" + id, "/uL", id + " cells per uL of blood"});
        list.push_back({"marrow_" + id, "cells", id + " cells in the marrow (bound + free)"});
        list.push_back({"fold_" + id, "1", "blood count relative to pre-treatment"});
        list.push_back({"ratio_" + id, "1", "blood/marrow ratio relative to pre-treatment"});
    }
    list.push_back({"marrow_blast_pct", "%", "blasts as a percentage of marrow cells"});
    list.push_back({"marrow_response_index", "1",
                        "below 1 when the marrow meets CR/CRp/CRi (blasts < 5%) or PR (5-25% and halved from entry)"});
    return list;
}

}  // namespace mobsim::models::aml
