// The trial composition compiled for a given FLT3 inhibitor component type: make_aml_mobilization's `compiled`
// argument. Included where a trial variant is registered; it instantiates the whole trial right-hand side there.
#pragma once
#include "models/aml_cells.hpp"
#include "models/aml_niche.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/static_composition.hpp"

namespace mobsim::models {

// Flt3Component: the bound type of the FLT3 inhibitor's declaration (SorafenibComponent for sorafenib_component()).
// The components in make_aml_mobilization's order; a mismatch throws std::logic_error when a patient is bound.
template <class Flt3Component>
ComposedSystemBinder compiled_trial() {
    return &bind_static_composition<Flt3Component, PlerixaforComponent, FilgrastimComponent, aml::niche::NicheComponent,
                                    aml::cells::CellsComponent>;
}

}  // namespace mobsim::models
