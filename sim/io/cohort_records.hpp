// A cohort's simulated records in NONMEM layout: ID, TIME, EVID, AMT, CMT, DV, IPRED, PRED and covariates.
#pragma once
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"

namespace mobsim {

struct RecordColumns {
    std::vector<std::string> outputs;     // model outputs written as observation rows (CMT names the output)
    std::vector<std::string> covariates;  // covariate column names
};

// One patient's rows: a dose row (EVID 1, AMT in the target state's unit as administered, CMT the state) per
// dose at or before end_h, then per grid time one observation row (EVID 0) per output, dose rows first at equal
// times. IPRED is the patient's prediction, PRED the typical one (no IIV, same doses and covariates); DV equals
// IPRED, as the cohort simulates no residual error.
std::string patient_records(const std::string& id, const Problem& patient, const Trajectory& individual,
                            const Trajectory& typical, const RecordColumns& columns,
                            const std::vector<double>& covariate_values);

std::string records_header(const RecordColumns& columns);

}  // namespace mobsim
