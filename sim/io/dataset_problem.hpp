// Problems from a scenario and one dataset subject: the subject's doses and covariates, the scenario's model,
// parameters, output grid and solver settings.
#pragma once
#include <memory>

#include "sim/io/dataset.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim {

// The model's states (numbered as CMT numbers them) and outputs.
DatasetSchema dataset_schema(const Model& model);

// The scenario's problem with the subject's dose records instead of the scenario's regimens. A dataset column
// named as a model covariate (or weight_kg), case-insensitively, gives that covariate, over the scenario's
// patient value; one that changes within the subject becomes the problem's covariate_records (by the dataset's
// direction, Subject::carry), its first value the problem's covariate.
// The output grid is the scenario's plus the subject's observation and EVID 2 times within it.
// The dataset must have been read against dataset_schema(*model).
// `base` with the subject's dose records in place of its regimens and the subject's covariates (as above) in
// place of its own (`where`, the dataset's name, is kept for callers; nothing here can fail).
Problem with_subject(const Problem& base, const Subject& subject, const std::string& where);

// True when a dataset column of that name (case-insensitive) gives the covariate `name`.
bool dataset_gives(const Dataset& dataset, const std::string& name);

Problem build_subject_problem(const Scenario& scenario, std::shared_ptr<const Model> model, const Dataset& dataset,
                              const Subject& subject);

}  // namespace mobsim
