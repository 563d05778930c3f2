// The trial model's PD and cell-kinetic parameters (after its three PK blocks): their indices and their table
// of values, units and sources, kept in one order; the populations' axis tables; its other metadata lists
// (states after the PK blocks, covariates, outputs). Internal to models/.
#pragma once
#include <vector>

#include "models/aml_mobilization.hpp"
#include "sim/engine/model.hpp"

namespace mobsim::models::aml {

enum PdParam {
    pler_ec50, gcsf_ec50, gcsf_mtt, ligand_turnover, erosion_sdf1, erosion_vcam1, erosion_cd44, sor_ic50,
    weight_cxcr4, weight_vla4, weight_cd44, marker_enrichment, receptor_density, reserve_k, gain,
    k_on0, k_egress, k_home0, k_clear, marrow_blood_ratio, blood_volume_kg, proliferation, kill_blood,
    stromal_protection, marrow_blast_odds0, n_pd_params
};

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

inline constexpr int kSignalStages = 3;  // stages of the delay from G-CSF to the niche

std::vector<ParameterInfo> pd_parameters();
std::vector<ParameterInfo> baseline_blood_parameters();  // one per population, after pd_parameters()
// Niche signal stages, ligands, then bound, free and blood cells of every population (population-major blocks).
std::vector<StateInfo> pd_states();
std::vector<CovariateInfo> covariates();
std::vector<OutputInfo> outputs();  // in the order observe() writes them

}  // namespace mobsim::models::aml
