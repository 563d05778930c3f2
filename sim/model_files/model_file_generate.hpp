// Model files: translation of a checked model into one self-contained C++ source (only <cmath>), which
// implements the C interface of sim/model_files/model_file_abi.hpp. The Jacobian comes from forward-mode dual numbers
// pushed through the same templated right-hand side (see docs/model-files.md for why).
#pragma once
#include <string>

#include "sim/model_files/model_file_check.hpp"

namespace mobsim::model_file {

std::string generate_cpp(const CheckedModel& model);

}  // namespace mobsim::model_file
