// Pieces shared by the VPop source files (sim/vpop_*.cpp); not part of the engine's interface.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "sim/base/config.hpp"
#include "sim/engine/scenario.hpp"

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

// Arms (sim/studies/vpop_arms.cpp): QUANTITY@ARM (QUANTITY for the one unnamed arm); the scenarios of `scenario:`
// or `arms:`; each arm's problem, the summaries and their times; the columns a target's or constraint's
// quantity names (a summary in its `arm:`, or, when every_arm_by_default, in every arm).
std::string arm_column(const std::string& quantity, const std::string& arm);
std::vector<Scenario> read_arm_scenarios(const MapReader& r, VpopStudy& study);
void build_arm_problems(const MapReader& r, VpopStudy& study, const std::vector<Scenario>& scenarios,
                        const std::shared_ptr<const Model>& model);
std::vector<std::string> quantity_columns(const VpopStudy& study, const MapReader& r, const ConfigNode& node,
                                          const std::string& name, bool every_arm_by_default);

}  // namespace mobsim
