// The fit reader's dataset side: a NONMEM-style dataset's subjects as the fit's conditions and data rows.
#pragma once
#include <string>

#include "sim/studies/fit.hpp"

namespace mobsim {

// Throws InputError when `row` cannot be fitted by `o` (no sd without an error model, a non-positive value on a
// log scale).
void check_row(const DataRow& row, const Observable& o);

// Replaces the fit's one template scenario by one scenario per subject of the dataset at `path` that has
// observations, each with the subject's own doses and covariates, and adds its observations as data rows.
void add_dataset_subjects(FitSpec& spec, const std::string& path, const Model& model, double hours_per_unit,
                          CovariateCarry carry);

}  // namespace mobsim
