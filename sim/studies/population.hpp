// Virtual patients: log-normal inter-individual variability on named parameters and covariates drawn from
// stated distributions. Draws depend only on (seed, patient index), so results do not depend on threads,
// and a fixed cohort gives common random numbers for a smooth, deterministic cohort-mean objective.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"

namespace mobsim {

struct CovariateDistribution {
    enum class Kind { fixed, normal, lognormal, uniform };
    std::string name;  // a model covariate, e.g. "weight_kg"
    Kind kind = Kind::fixed;
    double a = 0.0;    // fixed: value; normal: mean; lognormal: median; uniform: low
    double b = 0.0;    // normal: sd; lognormal: sd of log; uniform: high
    double lower = -1e300, upper = 1e300;  // truncation (redrawn until inside, bounded tries)
    std::string where{};  // "file:line: 'covariates.weight_kg'" when read from a file, for messages
};

struct VariabilitySpec {
    std::vector<std::string> parameters;  // names of model parameters with IIV
    std::vector<double> omega;            // covariance of log-scale effects, row-major n x n (n = parameters.size())
};

// Values given per patient instead of drawn, e.g. from a VPop file: patient i takes row i (absolute values of
// model parameters, or covariates).
struct ListedValues {
    std::string file;
    std::vector<std::string> names;
    std::vector<double> values;  // row-major rows x names
    int rows() const { return names.empty() ? 0 : static_cast<int>(values.size() / names.size()); }
};

// Covariates that vary together: their standard-normal draws share one common factor, so every pair has
// correlation r (0 <= r < 1) on the normal (log-normal: log) scale. Only untruncated normal/log-normal ones.
struct CovariateCorrelation {
    std::vector<std::string> covariates;
    double r = 0.0;
};

struct CohortSpec {
    int size = 0;
    std::uint64_t seed = 1;
    VariabilitySpec variability;
    std::vector<CovariateDistribution> covariates;
    ListedValues listed;
    CovariateCorrelation covariate_correlation;
};

// Reads a VPop CSV (sim/studies/vpop.hpp): '#' lines are provenance; the columns naming a parameter or covariate of
// `model` are kept, the others (indices, quantities) ignored. Throws InputError naming file, line and column.
ListedValues read_listed_values(const std::string& path, const Model& model);

// One patient's random draws: standard-normal z for the IIV (eta = L z, L the Cholesky factor of omega)
// and the covariate values.
struct VirtualPatient {
    int index = 0;
    std::vector<double> z;
    std::vector<double> covariates;  // aligned with CohortSpec::covariates
};

// Throws InputError when omega is not symmetric positive definite or names are unknown to the model.
void validate_cohort(const CohortSpec& spec, const Model& model);

VirtualPatient draw_patient(const CohortSpec& spec, int index);
std::vector<VirtualPatient> draw_cohort(const CohortSpec& spec);

// The problem for one patient: parameters multiplied by exp(eta), covariates (and weight) replaced.
Problem patient_problem(const Problem& base, const CohortSpec& spec, const VirtualPatient& patient);

// Row `row` of a VPop file's values into the problem (parameters, covariates, weight).
void apply_listed_row(Problem& p, const ListedValues& listed, int row);

// eta = L z for a given omega (used by fits that estimate omega).
std::vector<double> etas(const VariabilitySpec& variability, const std::vector<double>& z);

// Lower Cholesky factor L (row-major n x n, L L^T = matrix), by Eigen's LLT through cholesky_factor
// (sim/numerics/small_linear_algebra.hpp). Throws InputError naming `what` when the matrix is not symmetric positive definite
// (a pivot L(j,j)^2 at or below 1e-14 x max(1, |matrix(j,j)|), e.g. a zero variance, counts as not).
std::vector<double> cholesky_lower(const std::vector<double>& matrix, std::size_t n, const std::string& what);

}  // namespace mobsim
