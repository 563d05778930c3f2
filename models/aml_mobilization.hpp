// The trial model: sorafenib, plerixafor and filgrastim PK driving the traffic of seven marker-defined
// leukemic populations between the marrow niche, the free marrow pool and the blood.
#pragma once
#include <array>
#include <memory>
#include <string>

#include "sim/engine/model.hpp"

namespace mobsim::models {

inline constexpr int kPopulations = 7;
inline const std::array<std::string, kPopulations> kPopulationIds = {
    "cd34", "cd34_38neg", "cd34_38neg_123pos", "cd44", "vla4", "cxcr4", "blasts"};

// Adhesion axes through which cells are retained: CXCR4/SDF-1, VLA4/VCAM-1, CD44/its ligands.
inline constexpr int kAxes = 3;

std::unique_ptr<Model> make_aml_mobilization();

}  // namespace mobsim::models
