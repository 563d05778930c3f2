#include "models/registry.hpp"

#include "models/aml_mobilization.hpp"
#include "models/aml_mobilization_compiled.hpp"
#include "models/composed_model.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/gilteritinib_pk.hpp"
#include "models/linear_pk.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

// Each standalone drug model is its component composed alone (plain functions: the registry stores no captures).
std::unique_ptr<Model> sorafenib_pk() {
    return std::make_unique<ComposedModel>("sorafenib_pk", "Sorafenib oral PK with transit absorption and "
                                           "enterohepatic recirculation (Jain 2011)", std::vector{sorafenib_component()});
}
std::unique_ptr<Model> plerixafor_pk() {
    return std::make_unique<ComposedModel>("plerixafor_pk", "Plerixafor SC PK: two compartments, weight-scaled, "
                                           "CrCl-dependent clearance", std::vector{plerixafor_component()});
}
std::unique_ptr<Model> filgrastim_pk() {
    return std::make_unique<ComposedModel>("filgrastim_pk", "Filgrastim SC PK with receptor-mediated clearance and "
                                           "the neutrophil response that carries the receptors (Krzyzanski 2010)",
                                           std::vector{filgrastim_component()});
}
std::unique_ptr<Model> gilteritinib_pk() {
    return std::make_unique<ComposedModel>("gilteritinib_pk", "Gilteritinib oral PK: lagged first-order absorption, two "
                                           "compartments (XOSPATA label population PK)", std::vector{gilteritinib_component()});
}

// The trial with gilteritinib as its FLT3 inhibitor, in sorafenib's place.
std::unique_ptr<Model> aml_mobilization_gilteritinib() {
    return make_aml_mobilization("aml_mobilization_gilteritinib", "Gilteritinib (in sorafenib's place) + G-CSF + "
                                 "plerixafor PK driving marrow-blood traffic of seven leukemic populations",
                                 gilteritinib_component(), compiled_trial<GilteritinibComponent>());
}

}  // namespace

ModelRegistry builtin_models() {
    ModelRegistry registry;
    registry.add("aml_mobilization", make_aml_mobilization_sorafenib);
    registry.add("aml_mobilization_gilteritinib", aml_mobilization_gilteritinib);
    registry.add("linear_pk", make_linear_pk);
    registry.add("sorafenib_pk", sorafenib_pk);
    registry.add("plerixafor_pk", plerixafor_pk);
    registry.add("filgrastim_pk", filgrastim_pk);
    registry.add("gilteritinib_pk", gilteritinib_pk);
    return registry;
}

}  // namespace mobsim::models
