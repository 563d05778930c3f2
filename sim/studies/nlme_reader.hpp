// Reads an NLME run file (YAML: model, dataset, parameters with typical values, omegas and covariate effects,
// omega blocks, residual error; see docs/nlme.md) and its NONMEM-style dataset into a FOCEI problem's inputs.
#pragma once
#include <memory>
#include <string>

#include "sim/studies/nlme_focei.hpp"

namespace mobsim::nlme {

struct NlmeInput {
    std::unique_ptr<StructuralModel> model;
    std::string data_path;
    Population population;
    NlmeSpec spec;
};

// Throws InputError with file, line and key for anything malformed or unsupported.
NlmeInput read_nlme_file(const std::string& path);

}  // namespace mobsim::nlme
