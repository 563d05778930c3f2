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
// The components in make_aml_mobilization's order, each with the ports its inputs read, and the outputs in its
// order: the names of the declarations restated as positions. A mismatch of type, shape, wire or output throws
// std::logic_error when a patient is bound.
template <class Flt3Component>
ComposedSystemBinder compiled_trial() {
    enum Position { flt3, plerixafor, filgrastim, niche, cells };
    using aml::niche::NicheComponent;
    using aml::cells::CellsComponent;
    using Outputs = Reports<Report<flt3, Flt3Component::central_concentration_port>,
                            Report<plerixafor, PlerixaforComponent::central_concentration_port>,
                            Report<filgrastim, 0, FilgrastimComponent::port_count>,
                            Report<cells, aml::cells::kOccupancyPort, 2>,  // the drug effects
                            Report<niche, 0, NicheComponent::port_count>,
                            Report<cells, 2, CellsComponent::port_count - 2>>;  // the populations'
    return &bind_static_composition<
            Outputs, Wired<Flt3Component>, Wired<PlerixaforComponent>, Wired<FilgrastimComponent>,
            Wired<NicheComponent, Wire<filgrastim, FilgrastimComponent::free_concentration_port>>,
            // in aml::cells' input order: the ligand of each axis, CXCR4 occupancy, FLT3 inhibition
            Wired<CellsComponent, Wire<niche, NicheComponent::ligand_port(0)>,
                  Wire<niche, NicheComponent::ligand_port(1)>, Wire<niche, NicheComponent::ligand_port(2)>,
                  Wire<plerixafor, PlerixaforComponent::cxcr4_occupancy_port>,
                  Wire<flt3, Flt3Component::flt3_inhibition_port>>>;
}

}  // namespace mobsim::models
