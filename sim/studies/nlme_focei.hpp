// First-order conditional estimation with interaction (FOCEI) for nonlinear mixed-effects models.
//
// Individual parameter k of subject i: P_k = TV_k(theta, covariates) x exp(eta_k) when k carries a random effect,
// TV_k otherwise; eta_i ~ N(0, Omega). Covariate effects on the typical value: power TV = theta (c / ref)^beta,
// linear TV = theta (1 + beta (c - ref)). Residual variance V = a^2 + (b f)^2 (additive: b = 0, proportional:
// a = 0, combined: both). A censored observation (BLQ) contributes P(y < LLOQ) = Phi((LLOQ - f) / sqrt(V)) (M3).
//
// Per subject, with l(eta) = sum_j [(y_j - f_j)^2 / V_j + log V_j] - 2 sum_cens log Phi(z_j) + eta' Omega^-1 eta
// minimised at the EBE eta^ (the inner problem), the Laplace approximation with the FOCEI Hessian gives
//   OFV_i = l(eta^) + log det Omega + log det H_i,
//   H_i = Omega^-1 + sum_j [g_j g_j' / V_j + (1/2) dV_j dV_j' / V_j^2] + censored terms,
// g_j = d f_j / d eta (Wang 2007, J Pharmacokinet Pharmacodyn 34:575; Almquist et al. 2015, ibid. 42:191).
// OFV = sum_i OFV_i is NONMEM's objective: -2 log L minus N log(2 pi), N the number of uncensored observations.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/studies/nlme_model.hpp"

namespace mobsim::nlme {

enum class CovariateForm { power, linear };
enum class ErrorKind { additive, proportional, combined };

struct CovariateEffect {
    int parameter = 0;  // index into the structural model's parameters
    int covariate = 0;  // index into Population::covariate_names
    CovariateForm form = CovariateForm::power;
    double reference = 1.0;
    double start = 0.0;  // beta
};

struct NlmeSpec {
    std::vector<double> theta_start;  // typical values, natural scale, one per structural parameter
    std::vector<int> eta_parameter;  // structural parameter of each random effect (log-normal)
    std::vector<double> omega_start;  // q x q row-major (variances on the diagonal)
    std::vector<int> omega_block;  // block of each eta: covariances estimated between etas of one block only
    std::vector<CovariateEffect> covariates;
    ErrorKind error = ErrorKind::additive;
    double additive_start = 1.0, proportional_start = 0.1;  // standard deviations
};

struct NlmeOptions {
    int threads = 1;
    int max_iterations = 300;  // outer (quasi-Newton) iterations; 0: evaluate at the start (NONMEM's MAXEVAL=0)
    double gradient_tolerance = 1e-3;  // max |d OFV / d x| at convergence
    bool covariance = true;
    std::uint64_t seed = 1;  // NPDE simulations
    int npde_samples = 1000;
    bool diagnostics = true;  // the table, NPDE and shrinkage
};

// The estimation vector x (all unconstrained): log theta, covariate betas, Omega's Cholesky factor (log of the
// diagonal, off-diagonals within blocks), log of the residual standard deviations.
struct ParameterLayout {
    std::vector<std::string> names;  // of the reported parameters (natural scale)
    int thetas = 0, betas = 0, omega = 0, sigmas = 0;
    std::vector<std::pair<int, int>> omega_elements;  // (row, column) of each Cholesky parameter, row >= column
    int size() const { return thetas + betas + omega + sigmas; }
    // Typical values, omega variances and residual SDs are estimated on the log scale (betas and covariances not).
    bool log_scale(int k) const {
        if (k < thetas || k >= thetas + betas + omega) return true;
        return k >= thetas + betas && omega_elements[k - thetas - betas].first == omega_elements[k - thetas - betas].second;
    }
};

// The FOCEI objective of a data set under a spec; const and thread-safe.
class FoceiProblem {
public:
    FoceiProblem(const StructuralModel& model, const Population& population, NlmeSpec spec);
    const ParameterLayout& layout() const { return layout_; }
    const NlmeSpec& spec() const { return spec_; }
    const Population& population() const { return population_; }
    const StructuralModel& model() const { return model_; }
    std::vector<double> start() const;
    int observation_count() const;  // uncensored

    // Population quantities at x.
    std::vector<double> typical_values(const std::vector<double>& x, const Subject& subject) const;
    std::vector<double> omega(const std::vector<double>& x) const;  // q x q
    double additive_sd(const std::vector<double>& x) const;
    double proportional_sd(const std::vector<double>& x) const;
    std::vector<double> individual_parameters(const std::vector<double>& x, const Subject& s,
                                              const std::vector<double>& eta) const;
    // Reported values: thetas, betas, omega elements (variances, covariances within blocks), residual SDs.
    std::vector<double> reported(const std::vector<double>& x) const;

    // Predictions f, d f / d eta (observations x q) and residual variances at eta.
    void predict(const std::vector<double>& x, const Subject& s, const std::vector<double>& eta,
                 std::vector<double>& f, std::vector<double>* g, std::vector<double>& variance) const;

    struct SubjectFit {
        std::vector<double> eta;
        double ofv = 0.0;
        int iterations = 0;
        bool converged = false;
    };
    // The inner problem of subject i from `eta_start`; its OFV contribution.
    SubjectFit fit_subject(const std::vector<double>& x, int i, const std::vector<double>& eta_start) const;
    // All subjects (in parallel); `ofv` per subject, the total returned (inf when any fails).
    double objective(const std::vector<double>& x, const std::vector<std::vector<double>>& eta_start, int threads,
                     std::vector<SubjectFit>& fits) const;

private:
    const StructuralModel& model_;
    const Population& population_;
    NlmeSpec spec_;
    ParameterLayout layout_;
};

struct RowDiagnostics {
    std::string id;
    double time = 0.0, dv = 0.0, pred = 0.0, ipred = 0.0, res = 0.0, wres = 0.0, iwres = 0.0, cwres = 0.0;
    double npde = 0.0;  // NaN for censored rows
    bool censored = false;
};

struct NlmeResult {
    std::vector<double> x;
    std::vector<std::string> names;  // reported parameters
    std::vector<double> estimate, se, rse_percent;  // natural scale; se NaN when the covariance step failed
    std::vector<double> se_r;  // from the R matrix alone, 2 R^-1 (NONMEM's $COV MATRIX=R)
    // 95% intervals: on the log scale for the parameters estimated on it (exp(log estimate +- 1.96 s / estimate)),
    // Wald otherwise, with s the sandwich SE times the small-sample factor sqrt(N / (N - p)), N subjects, p
    // parameters (NaN when N <= p).
    std::vector<double> ci_lower, ci_upper;
    double small_sample_factor = 0.0;
    std::vector<double> covariance_x;  // of x (sandwich R^-1 S R^-1), row-major
    bool covariance_ok = false;
    double condition_number = 0.0;  // of the correlation matrix of x's covariance (R's when singular)
    std::vector<std::string> warnings;  // omega at a boundary, singular R, ...
    double ofv = 0.0;  // NONMEM's OFV (no constant)
    double neg2_log_likelihood = 0.0;  // OFV + N log(2 pi)
    int iterations = 0;
    long evaluations = 0;
    bool converged = false;
    std::string status;  // why the outer optimisation stopped
    std::string last_moved;  // the parameter that changed most in the last step
    std::vector<std::vector<double>> eta;  // EBEs per subject
    std::vector<double> eta_shrinkage_percent, epsilon_shrinkage_percent;
    std::vector<RowDiagnostics> table;
    double seconds = 0.0;
};

using NlmeProgress = std::function<void(int iteration, double ofv)>;

NlmeResult fit_focei(const FoceiProblem& problem, const NlmeOptions& options, const NlmeProgress& progress = {});

// Diagnostics at x with EBEs eta: the table (PRED, IPRED, RES, WRES, IWRES, CWRES, NPDE) and shrinkages.
void add_diagnostics(const FoceiProblem& problem, const NlmeOptions& options, NlmeResult& result);

// Simulates observations of every subject at its observation times from the model at x (fresh etas and residual
// errors; censoring kept where a simulated value falls below a censored row's LLOQ). Deterministic for a seed.
Population simulate_population(const FoceiProblem& problem, const std::vector<double>& x, std::uint64_t seed,
                               std::uint64_t replicate);

// Stochastic simulation and re-estimation: `replicates` data sets simulated from x_truth on the problem's design
// (its subjects' doses, times and covariates), each fitted from the problem's start. Per reported parameter: mean
// relative bias (%) and the share of 95% Wald intervals (estimate +- 1.96 SE) holding the truth, over the
// replicates that converged with a covariance step. Replicates run in parallel, each deterministic for its index.
struct SseSummary {
    std::vector<std::string> names;
    std::vector<double> truth, mean_estimate, bias_percent, coverage_percent;  // coverage: sandwich SEs
    std::vector<double> coverage_r_percent;  // with the R-based SEs
    // Intervals on the log scale, exp(log estimate +- 1.96 SE / estimate), for the positive parameters (typical
    // values, omega variances, residual SDs; the scale they are estimated on); the Wald interval for the others.
    std::vector<double> coverage_log_percent, coverage_log_r_percent;
    std::vector<double> coverage_ci_percent;  // of the reported intervals (NlmeResult::ci_lower, ci_upper)
    std::vector<double> empirical_sd, mean_se, mean_se_r;  // SD of the estimates across replicates; mean SEs
    int replicates = 0, converged = 0, with_covariance = 0;
    double seconds = 0.0;
    std::vector<NlmeResult> fits;  // per replicate, without diagnostics
};
SseSummary simulate_reestimate(const FoceiProblem& problem, const std::vector<double>& x_truth, int replicates,
                               std::uint64_t seed, int threads);

// Visual predictive check (nlme_vpc.cpp): per time bin (quantiles of the observation times), the 5th/50th/95th
// percentiles of the observations and the 2.5/50/97.5th percentiles of each over `replicates` simulated data sets.
// Censored rows are left out of both.
struct VpcSettings {
    int replicates = 500, bins = 8, threads = 1;
    bool prediction_corrected = false;
    std::uint64_t seed = 1;
};
struct VpcBin {
    double time_low = 0.0, time_high = 0.0, time_median = 0.0;
    int observations = 0;
    std::array<double, 3> observed{};  // p5, p50, p95
    std::array<std::array<double, 3>, 3> simulated{};  // [percentile][2.5%, median, 97.5%]
};
std::vector<VpcBin> visual_predictive_check(const FoceiProblem& problem, const std::vector<double>& x,
                                            const VpcSettings& settings);

// The estimation vector of reported values (inverse of FoceiProblem::reported); false when omega is not positive
// definite or a value is out of its domain.
bool x_from_reported(const FoceiProblem& problem, const std::vector<double>& reported, std::vector<double>& x);

}  // namespace mobsim::nlme
