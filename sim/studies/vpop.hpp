// Virtual populations calibrated to published summary statistics (docs/vpop.md).
//
// 1. A plausible population: a Latin hypercube over the varied parameters and covariates, mapped through each
//    one's (truncated) distribution, with a Gaussian copula for stated rank correlations; every candidate is
//    simulated and kept when its per-patient quantities satisfy the plausibility constraints.
// 2. Prevalence weights: the distribution closest to the plausible population (minimum Kullback-Leibler
//    divergence, an exponential tilt w_i = exp(sum_k lambda_k g_k(x_i))) whose statistics match the targets,
//    lambda fitted by Levenberg-Marquardt on the targets' z-scores.
// 3. Prevalence-based selection (Allen, Rieger & Musante 2016): patient i enters the VPop when u_i < c w_i, u_i a
//    fixed uniform draw per patient, c the scale that makes the VPop exactly the requested size.
// Every random number depends only on (seed, patient index), so results do not depend on the thread count.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/csv_output.hpp"
#include "sim/studies/population.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/studies/summary.hpp"

namespace mobsim {

// A per-patient quantity: a varied value or a summary of the patient's simulated outputs.
struct PlausibilityConstraint {
    std::string quantity;
    double lower = -1e300, upper = 1e300;
    std::string where;
    std::string describe() const;  // "auc <= 25", "1 <= peak_fold <= 2000"
};

struct VpopTarget {
    enum class Statistic { mean, sd, median, percentile, proportion, spearman, pearson };
    std::string name;
    Statistic statistic = Statistic::mean;
    std::vector<std::string> quantities;  // one, or two for a correlation
    double q = 50.0;                      // percentile
    bool above = true;                    // proportion: share above (else below) the threshold
    double threshold = 0.0;
    // The published statistic: a value, or an interval [at_least, at_most] (e.g. rho <= -0.57 from P <= .002)
    std::optional<double> value;
    double at_least = -1e300, at_most = 1e300;
    double uncertainty = 0.0;  // standard error of the statistic (Fisher z scale for correlations)
    std::string uncertainty_source;  // "se", "sd/sqrt(n)", "95% CI", "binomial n", "Fisher z at n"
    std::string where;
};

// One arm of a study: every candidate is simulated in every arm (dose levels, schedules), with its own varied values.
struct VpopArm {
    std::string name;           // empty for a study with one `scenario:`; else a quantity's column is QUANTITY@NAME
    std::string scenario_file;  // empty for an inline scenario
    std::string dataset_file;   // set when the arm's doses and covariates are a dataset subject's (docs/datasets.md)
    std::string subject;        // that subject's ID
    Problem base;               // its grid includes the summaries' times
};

struct VpopStudy {
    std::string file;
    std::vector<VpopArm> arms;  // at least one; all of one model
    std::vector<CovariateDistribution> varied;  // parameters and covariates, in file order
    // Gaussian copula correlation (converted from the file's Spearman rho), row-major; empty: independent
    std::vector<double> rank_correlation;
    std::string constraints_where;  // position of the constraints list, for "no plausible candidate"
    std::vector<SummarySpec> summaries;  // evaluated in every arm
    std::vector<PlausibilityConstraint> constraints;
    std::vector<VpopTarget> targets;
    enum class Sampling { latin_hypercube, sobol };  // the candidates' points in the unit cube
    Sampling sampling = Sampling::latin_hypercube;
    int plausible_size = 10000;
    int vpop_size = 1000;
    int bootstrap = 500;
    int refine_chains = 0, refine_steps = 0, refine_thin = 5;  // Metropolis-Hastings refinement (0 chains: none)
    double refine_step_size = 0.3;                               // random-walk SD in normal-score units
    std::uint64_t seed = 1;
    int threads = 0;
    std::string vpop_file, report_file, plausible_file;  // empty: chosen by the caller
    // varied names, then each arm's summary names (arm by arm; QUANTITY@ARM when the arms are named)
    std::vector<std::string> quantity_names() const;
    const Model& model() const { return *arms.front().base.model; }
};

// The plausible population: every candidate drawn, its quantities, and whether it passed the constraints.
struct PlausiblePopulation {
    int candidates = 0;
    std::vector<std::string> names;  // = study.quantity_names()
    std::vector<double> values;      // row-major candidates x names; NaN summaries where the solver failed
    std::vector<char> plausible;
    int solver_failed = 0;         // candidates whose integration failed (not plausible)
    int from_chains = 0;           // the last rows: added by the MH refinement (all plausible)
    std::vector<int> rejected_by;  // per constraint: candidates it rejected (the first failed constraint counts)
    std::vector<int> plausible_indices() const;
    std::vector<double> column(const std::string& name, const std::vector<int>& rows) const;
};

struct TargetFit {
    std::string name;
    double published = 0.0;  // value, or the nearest bound of an interval (NaN when unbounded)
    double weighted = 0.0;   // under the prevalence weights
    double vpop = 0.0;       // in the selected VPop
    double boot_low = 0.0, boot_high = 0.0;  // 95% bootstrap interval of the VPop statistic
    double z = 0.0;          // (VPop - published) / uncertainty, 0 inside an interval target
    bool within = false;     // |z| <= 1.96
};

struct VpopResult {
    PlausiblePopulation population;
    std::vector<int> plausible_rows;  // rows of population.values that passed
    std::vector<double> weights;      // per plausible patient, mean 1
    std::vector<double> lambda;
    double effective_size = 0.0;      // Kish's (sum w)^2 / sum w^2
    double scale = 0.0;               // c
    int saturated = 0;                // selected patients with c w_i >= 1 (the pool is too thin there)
    std::vector<int> selected;        // rows of population.values in the VPop, ascending
    std::vector<TargetFit> fits;
    double chi_square = 0.0;          // sum of z^2
    double chi_square_p = 1.0;        // on as many degrees of freedom as targets
};

// Reads and validates a study file (format in sim/studies/vpop_reader.cpp) with its scenario and model.
VpopStudy read_vpop_study(const std::string& path, const ModelRegistry& models);

// Draws and simulates the candidates (progress(done) as in parallel_for).
PlausiblePopulation generate_plausible(const VpopStudy& study, int threads,
                                       const std::function<void(int)>& progress = {});
// Adds refine_chains x (refine_steps / refine_thin) plausible patients from Metropolis-Hastings chains started at
// plausible candidates (sim/studies/vpop_refine.cpp); progress(done chains).
void refine_plausible(const VpopStudy& study, PlausiblePopulation& population, int threads,
                      const std::function<void(int)>& progress = {});
// The candidates' varied values (row-major candidates x varied), without simulating.
std::vector<double> draw_candidates(const VpopStudy& study);

// Weights, selection, target statistics and bootstrap; throws InputError (naming the file) when no
// candidate is plausible or the VPop is larger than the plausible population.
VpopResult select_vpop(const VpopStudy& study, PlausiblePopulation population);

// A statistic of the given per-patient columns under weights (empty: equal).
double target_statistic(const VpopTarget& target, const std::vector<std::vector<double>>& columns,
                        const std::vector<double>& weights);

std::string vpop_csv(const VpopStudy& study, const VpopResult& result, const Provenance& provenance);
std::string plausible_csv(const VpopStudy& study, const VpopResult& result, const Provenance& provenance);
std::string vpop_report_csv(const VpopStudy& study, const VpopResult& result, const Provenance& provenance);

}  // namespace mobsim
