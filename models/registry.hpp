// The models shipped with mobsim.
#pragma once
#include "sim/engine/model.hpp"

namespace mobsim::models {

ModelRegistry builtin_models();

}  // namespace mobsim::models
