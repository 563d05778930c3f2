// The marrow niche of the trial model: G-CSF acts on it through a delay chain (marrow neutrophil and protease
// build-up) and erodes the adhesion ligands SDF-1, VCAM-1 and the CD44 ligands, which recover at one turnover rate.
#include "models/aml_niche.hpp"

namespace mobsim::models::aml {

using namespace niche;  // the component's tables and class (models/aml_niche.hpp)

ComponentDeclaration niche_component() {
    ComponentDeclaration d{"niche", {}, parameter_infos(kNicheParameters), {}, {"signal"},
                           {"filgrastim.free_concentration"},
                           {{{"gcsf_niche_signal", "1", "delayed G-CSF signal acting on the niche"}, "signal"}},
                           bind_component<NicheComponent>};
    d.assigns_derivatives = NicheComponent::assigns_derivatives;
    for (int s = 1; s <= kSignalStages; ++s)
        d.states.push_back({{"gcsf_niche_signal" + std::to_string(s), "1", "delayed G-CSF niche signal, stage " + std::to_string(s)}});
    for (int a = 0; a < kAxes; ++a) {
        const std::string ligand = kLigands[a];
        d.states.push_back({{ligand, "1", ligand + " availability in the marrow (1 = untreated)"}});
        d.ports.push_back(ligand);
        d.outputs.push_back({{ligand, "1", kLigandOutputs[a]}, ligand});
    }
    check_indices(d.ports, NicheComponent::port_count, {{NicheComponent::ligand_port(0), kLigands[0]},
                  {NicheComponent::ligand_port(1), kLigands[1]}, {NicheComponent::ligand_port(2), kLigands[2]}},
                  "niche ports");
    return d;
}

}  // namespace mobsim::models::aml
