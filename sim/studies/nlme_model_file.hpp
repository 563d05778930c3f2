// A model file (docs/model-files.md) as the structural model of an NLME fit. Its compiled code carries forward
// parameter sensitivities (generated dual-number code, sim/model_files/model_file_abi.hpp): the states are
// integrated together with d states / d parameters (the sensitivity equations J S + df/dp, formed in one dual pass
// of the right-hand side) by the adaptive Dormand-Prince 5(4) of nlme_ode.hpp, whose error control covers the
// sensitivities too; outputs, bioavailability and initial states are differentiated the same way. No finite
// differences.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/model.hpp"
#include "sim/studies/nlme_model.hpp"

namespace mobsim::nlme {

struct ModelFileFit {
    std::vector<std::string> estimated;  // the model parameters the fit estimates, in the fit's order
    std::vector<double> parameters;  // every model parameter's value (the fixed ones are used as they are)
    int output = 0;  // the output observed when an observation names none
    double rtol = 1e-10, atol = 1e-12;  // of the integration of states and sensitivities
};

// Doses go into the state numbered by the dose's compartment (1-based); the model's covariates are the first
// entries of a subject's covariates. Throws InputError when the model was not loaded from a model file, and (from
// predict) when a dose's lag time depends on an estimated parameter (its sensitivity is not carried).
std::unique_ptr<StructuralModel> model_file_structural_model(std::shared_ptr<const Model> model, ModelFileFit fit);

}  // namespace mobsim::nlme
