// Generic linear PK: depot -> central <-> peripheral, linear elimination; an accumulator of the amount
// eliminated makes mass balance checkable. With Q = 0 it is a one-compartment model.
#pragma once
#include "sim/engine/model.hpp"

namespace mobsim::models {

std::unique_ptr<Model> make_linear_pk();

}  // namespace mobsim::models
