// Local sensitivity of output maxima over a window to each model parameter: d ln(max y) / d ln(theta).
#pragma once
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"

namespace mobsim {

struct SensitivityTable {
    std::vector<std::string> parameters;
    std::vector<std::string> outputs;
    std::vector<double> baseline;  // max of each output over the window
    std::vector<double> values;    // row-major: parameters x outputs; normalised central differences
};

// Perturbs each parameter with a non-zero value by +-relative_step; outputs are maximised over [start_h, end_h].
SensitivityTable local_sensitivity(const Problem& problem, const std::vector<std::string>& outputs, double start_h,
                                   double end_h, double relative_step = 0.01);

std::string to_csv(const SensitivityTable& table);

}  // namespace mobsim
