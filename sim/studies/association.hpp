// How typical a rank association is at a given study size: the cohort's correlation pairs are computed on
// many independent cohorts (seeds first_seed, first_seed + 1, ...) of the same size, and each pair is
// reduced to its median Spearman rho, median p-value and the share of cohorts reaching p <= alpha. A single
// cohort answers "what did this draw give"; this answers "what would a trial of this size usually see".
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sim/studies/cohort.hpp"

namespace mobsim {

struct AssociationOptions {
    int seeds = 100;
    int size = 0;          // patients per cohort; 0: the cohort file's size
    double alpha = 0.002;  // significance level for the share column
    int threads = 0;       // 0: the study's, else all cores
};

struct AssociationRow {
    std::string variable, summary;
    int cohorts = 0;  // cohorts where rho was defined (enough finite, non-constant values)
    double median_rho = 0.0, median_p = 1.0, share_significant = 0.0;
};

// Throws InputError when the study declares no correlation pairs or the options are out of range.
// progress(done) counts finished cohorts.
std::vector<AssociationRow> repeated_associations(const CohortStudy& study, const AssociationOptions& options,
                                                  const std::function<void(int done)>& progress = {});

std::string association_table(const std::vector<AssociationRow>& rows, const AssociationOptions& options);
std::string association_csv(const std::vector<AssociationRow>& rows, const AssociationOptions& options,
                            const Provenance& provenance);

}  // namespace mobsim
