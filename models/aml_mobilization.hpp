// The trial model: a FLT3 inhibitor (sorafenib in the trial), plerixafor and filgrastim PK driving the traffic of
// seven marker-defined leukemic populations between the marrow niche, the free marrow pool and the blood.
#pragma once
#include <array>
#include <memory>
#include <string>

#include "models/component.hpp"
#include "models/composed_model.hpp"
#include "sim/engine/model.hpp"

namespace mobsim::models {

inline constexpr int kPopulations = 7;
inline const std::array<std::string, kPopulations> kPopulationIds = {
    "cd34", "cd34_38neg", "cd34_38neg_123pos", "cd44", "vla4", "cxcr4", "blasts"};

// Adhesion axes through which cells are retained: CXCR4/SDF-1, VLA4/VCAM-1, CD44/its ligands.
inline constexpr int kAxes = 3;

// The trial's composition with `flt3_inhibitor` as its FLT3 inhibitor: the components flt3_inhibitor,
// plerixafor, filgrastim, niche and cells (models/aml_mobilization_parameters.hpp), in this order. The FLT3
// inhibitor's component must offer the ports "central_concentration" (mg/L, with a declared output on it: the
// model's first output) and "flt3_inhibition" (the fraction of FLT3-ITD signalling inhibited, 0-1, with the
// drug's own potency as its parameter), as sorafenib_component() does. A trial variant is one line, e.g.
//   registry.add("aml_mobilization_gilteritinib", [] { return make_aml_mobilization(
//       "aml_mobilization_gilteritinib", "...", gilteritinib_component()); });
// `compiled`: binds the composition with its component types known at compile time (compiled_trial<Flt3>() of
// models/aml_mobilization_compiled.hpp), the same values for fewer instructions; null: the run-time composition.
std::unique_ptr<Model> make_aml_mobilization(std::string name, std::string description,
                                             ComponentDeclaration flt3_inhibitor, ComposedSystemBinder compiled = nullptr);
// The trial as run, with sorafenib.
std::unique_ptr<Model> make_aml_mobilization_sorafenib();

}  // namespace mobsim::models
