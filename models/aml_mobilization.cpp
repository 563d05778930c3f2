#include "models/aml_mobilization.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "models/aml_mobilization_compiled.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

std::vector<std::string> output_names(const ComponentDeclaration& c) {
    std::vector<std::string> names;
    for (const ComponentOutput& o : c.outputs) names.push_back(o.info.name);
    return names;
}

// The output a component declares on `port`.
std::string output_on(const ComponentDeclaration& c, const std::string& port) {
    for (const ComponentOutput& o : c.outputs)
        if (o.port == port) return o.info.name;
    throw std::logic_error("component '" + c.name + "' declares no output on its port '" + port + "'");
}

}  // namespace

std::unique_ptr<Model> make_aml_mobilization(std::string name, std::string description,
                                             ComponentDeclaration flt3_inhibitor, ComposedSystemBinder compiled) {
    ComponentDeclaration plerixafor = plerixafor_component(), filgrastim = filgrastim_component();
    ComponentDeclaration niche = aml::niche_component(), cells = aml::cells_component(flt3_inhibitor.name);
    // The outputs: the drugs' concentrations and ANC, the drug effects (the cells' first two), the niche's, then
    // the populations'. The FLT3 inhibitor's other outputs (sorafenib's gallbladder) stay out.
    std::vector<std::string> outputs = {output_on(flt3_inhibitor, "central_concentration")};
    for (const ComponentDeclaration* c : {&plerixafor, &filgrastim}) {
        const auto more = output_names(*c);
        outputs.insert(outputs.end(), more.begin(), more.end());
    }
    const auto effects = output_names(cells), ligands = output_names(niche);
    outputs.insert(outputs.end(), effects.begin(), effects.begin() + 2);
    outputs.insert(outputs.end(), ligands.begin(), ligands.end());
    outputs.insert(outputs.end(), effects.begin() + 2, effects.end());
    std::vector<ComponentDeclaration> components;  // moved in, not copied from an initializer list
    components.reserve(5);
    for (ComponentDeclaration* c : {&flt3_inhibitor, &plerixafor, &filgrastim, &niche, &cells}) components.push_back(std::move(*c));
    return std::make_unique<ComposedModel>(std::move(name), std::move(description), std::move(components), outputs,
                                           compiled);
}

std::unique_ptr<Model> make_aml_mobilization_sorafenib() {
    return make_aml_mobilization("aml_mobilization", "Sorafenib + G-CSF + plerixafor PK driving marrow-blood traffic "
                                 "of seven leukemic populations (Borthakur 2020 trial)", sorafenib_component(),
                                 compiled_trial<SorafenibComponent>());
}

}  // namespace mobsim::models
