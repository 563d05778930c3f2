// From checked dataset records to a subject's events: doses (expanded by ADDL), observations, resets, other event
// times and covariate histories. Internal to the dataset reader (sim/io/dataset.cpp): the reader checks each
// record's fields, these functions only group what it checked.
#pragma once
#include <string>
#include <vector>

#include "sim/io/dataset.hpp"

namespace mobsim::dataset_events {

// One record's values after field checks, before grouping.
struct Record {
    int evid = 0;
    double amt = 0.0, rate = 0.0, ii = 0.0, dv = 0.0, lloq = 0.0;
    long addl = 0;
    int ss = 0, state = -1;
    bool mdv = false, blq = false, has_lloq = false;
    std::string output;
};

// Adds record `r` (source line `line`) at `time` (hours from the subject's start) to subject `s`, and the
// record's covariate values to `history` (one list per covariate; NaN for a missing cell).
void add_record(Subject& s, const Record& r, double time, int line, const std::vector<double>& covariates,
                std::vector<std::vector<CovariatePoint>>& history);

// Ends subject `s`: its covariates from `history` (emptied) and its doses in time order.
void finish_subject(Subject& s, const std::vector<std::string>& names,
                    std::vector<std::vector<CovariatePoint>>& history);

}  // namespace mobsim::dataset_events
