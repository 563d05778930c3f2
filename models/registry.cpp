#include "models/registry.hpp"

#include "models/aml_mobilization.hpp"
#include "models/composed_model.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/linear_pk.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

// A model composed of the given components (one for a standalone drug's PK).
ModelFactory composition(const std::string& name, const std::string& description,
                         std::vector<ComponentDeclaration> (*components)()) {
    return [=] { return std::make_unique<ComposedModel>(name, description, components()); };
}

}  // namespace

ModelRegistry builtin_models() {
    ModelRegistry registry;
    registry.add("aml_mobilization", make_aml_mobilization);
    registry.add("linear_pk", make_linear_pk);
    registry.add("sorafenib_pk", composition("sorafenib_pk", "Sorafenib oral PK with transit absorption and "
                                             "enterohepatic recirculation (Jain 2011)",
                                             [] { return std::vector{sorafenib_component()}; }));
    registry.add("plerixafor_pk", composition("plerixafor_pk", "Plerixafor SC PK: two compartments, weight-scaled, "
                                              "CrCl-dependent clearance",
                                              [] { return std::vector{plerixafor_component()}; }));
    registry.add("filgrastim_pk", composition("filgrastim_pk", "Filgrastim SC PK with receptor-mediated clearance "
                                              "and the neutrophil response that carries the receptors "
                                              "(Krzyzanski 2010)",
                                              [] { return std::vector{filgrastim_component()}; }));
    return registry;
}

}  // namespace mobsim::models
