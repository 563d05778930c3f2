// Standalone PK models of the trial's three drugs.
#pragma once
#include <memory>

#include "sim/engine/model.hpp"

namespace mobsim::models {

std::unique_ptr<Model> make_sorafenib_pk();
std::unique_ptr<Model> make_plerixafor_pk();
std::unique_ptr<Model> make_filgrastim_pk();

}  // namespace mobsim::models
