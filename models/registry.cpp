#include "registry.hpp"

#include "linear_pk.hpp"

namespace mobsim::models {

ModelRegistry builtin_models() {
    ModelRegistry registry;
    registry.add("linear_pk", make_linear_pk);
    return registry;
}

}  // namespace mobsim::models
