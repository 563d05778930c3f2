#include "models/registry.hpp"

#include "models/aml_mobilization.hpp"
#include "models/drug_models.hpp"
#include "models/linear_pk.hpp"

namespace mobsim::models {

ModelRegistry builtin_models() {
    ModelRegistry registry;
    registry.add("aml_mobilization", make_aml_mobilization);
    registry.add("linear_pk", make_linear_pk);
    registry.add("sorafenib_pk", make_sorafenib_pk);
    registry.add("plerixafor_pk", make_plerixafor_pk);
    registry.add("filgrastim_pk", make_filgrastim_pk);
    return registry;
}

}  // namespace mobsim::models
