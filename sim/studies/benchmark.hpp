// Work-precision and throughput measurements: what `mobsim bench` prints and writes.
#pragma once
#include <string>
#include <vector>

#include "sim/studies/population.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim {

struct WorkPrecisionRow {
    std::string method;
    std::string linear_blocks;  // "exact" (propagated by the matrix exponential) or "stepped" by the method
    double rtol = 0.0, atol = 0.0;
    double seconds_per_run = 0.0;  // median over repeats
    long steps = 0, rhs_evaluations = 0;
    double max_relative_error = 0.0;  // over every output and grid time, against the reference
    std::string worst_output;
};

// Relative error with a floor: |y - ref| / max(|ref|, floor * peak |ref| of that output). Outputs that pass
// near zero (a drug between doses) are thus compared at a scale they actually reach.
double max_relative_error(const Trajectory& run, const Trajectory& reference, double floor, std::string* worst);

// Runs `problem` at each (method, linear-block handling, tolerance) `repeats` times against a reference
// solved by dopri5 at reference_rtol with every state stepped.
std::vector<WorkPrecisionRow> work_precision(const Problem& problem, const std::vector<std::string>& methods,
                                             const std::vector<double>& rtols, double atol_ratio,
                                             double reference_rtol, int repeats, double floor,
                                             const std::vector<bool>& exact_blocks = {true, false});

std::string to_csv(const std::vector<WorkPrecisionRow>& rows);

// The largest error of one virtual patient at the scenario's own solver settings.
struct PatientError {
    int patient = 0;
    double max_relative_error = 0.0;
    std::string worst_output;
};

// Patients 0..count-1 of a cohort, each at the base problem's solver settings against its own reference
// solution, made as work_precision's (dopri5 at reference_rtol, every state stepped).
std::vector<PatientError> cohort_errors(const Problem& base, const CohortSpec& cohort, int count,
                                        double reference_rtol, double atol_ratio, double floor);

}  // namespace mobsim
