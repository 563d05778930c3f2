// Pieces shared by the VPop source files (sim/vpop_*.cpp); not part of the engine's interface.
#pragma once
#include <cstddef>
#include <vector>

#include "sim/studies/vpop.hpp"

namespace mobsim {

// A target's one or two per-patient columns with their sort orders (computed once, reused for every weighting).
struct TargetColumns {
    std::vector<double> x, y;
    std::vector<std::size_t> order_x, order_y;
};

std::vector<std::size_t> sort_order(const std::vector<double>& x);
TargetColumns target_columns(const VpopTarget& target, std::vector<std::vector<double>> columns);
double target_statistic(const VpopTarget& target, const TargetColumns& columns, const std::vector<double>& weights);

// (statistic - published) / uncertainty, on Fisher's z scale for correlations; 0 inside an interval target.
double target_z(const VpopTarget& target, double statistic);

// Candidate generation and screening (sim/studies/vpop_population.cpp), shared with the MH refinement.
constexpr int kSolverFailed = -2, kPlausible = -1;
std::vector<std::vector<double>> candidate_uniforms(const VpopStudy& study);  // the hypercube, clamped into (0, 1)
std::vector<double> copula_factor(const VpopStudy& study);                    // empty without rank correlations
void varied_from_uniforms(const VpopStudy& study, const std::vector<double>& copula, std::vector<double> u, double* varied);
std::vector<std::size_t> constraint_columns(const VpopStudy& study);
// Simulates the candidate whose varied values lead `row` and fills its summaries; kPlausible, kSolverFailed or
// the index of the first constraint it fails.
int screen_candidate(const VpopStudy& study, const std::vector<std::size_t>& constraint_columns, double* row);

}  // namespace mobsim
