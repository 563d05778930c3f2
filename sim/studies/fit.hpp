// Calibration: a fit file's content, the likelihood it defines, and the results of fitting and profiling.
//
// Objective (-2 log L), summed over data rows i, with h the observable's transformation (lin, log, log10),
// f_i the prediction and sigma_i the error model evaluated on the transformed scale:
//   measured row:  ((h(y_i) - h(f_i)) / sigma_i)^2 + 2 log sigma_i + log 2 pi
//   censored row (M3, y_i = LLOQ):  -2 log Phi((h(LLOQ) - h(f_i)) / sigma_i)
//   prior on a parameter: ((u - mean) / sd)^2 + 2 log sd + log 2 pi, u the natural value (normal) or its log (lognormal)
// Levenberg-Marquardt sees this as a sum of squares: (h(y)-h(f))/sigma, sqrt(-2 log Phi) for censored rows,
// sqrt(2 log(sigma / sigma_floor)) when sigma depends on the parameters, and the prior terms.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/data_table.hpp"
#include "sim/io/dataset.hpp"
#include "sim/numerics/optimizer.hpp"
#include "sim/studies/population.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/studies/summary.hpp"

namespace mobsim {

enum class ParameterScale { lin, log, log10 };
double to_scale(ParameterScale scale, double natural);
double from_scale(ParameterScale scale, double scaled);
std::string to_string(ParameterScale scale);

struct Prior {
    enum class Kind { none, normal, lognormal };
    Kind kind = Kind::none;
    double mean = 0.0;  // normal: of the value; lognormal: of its natural log (log of the median)
    double sd = 1.0;
};

// One row of the PEtab-style parameter table: a model parameter or a noise parameter of an error model.
struct FitParameter {
    std::string id;
    ParameterScale scale = ParameterScale::log10;
    double lower = 0.0, upper = 0.0;  // natural scale
    double nominal = 0.0;             // start (estimated) or value (fixed)
    bool estimate = true;
    Prior prior;
    int model_index = -1;  // index into the model's parameters; -1: a noise parameter
    std::string where;
};

// Error-model coefficient: a fixed number or a fit parameter.
struct NoiseTerm {
    double value = 0.0;
    int parameter = -1;  // index into FitSpec::parameters, or -1
    std::string parameter_id;
};

enum class ErrorModel { additive, proportional, combined };
enum class Transformation { lin, log, log10 };

struct Observable {
    std::string id;
    std::string output;                  // model output
    std::optional<SummarySpec> summary;  // set: a summary target; unset: a time course
    Transformation transformation = Transformation::lin;
    ErrorModel error = ErrorModel::additive;
    NoiseTerm additive, proportional;  // sigma = sqrt(a^2 + (b h(f))^2) on the transformed scale
    std::string where;
};

struct FitScenario {
    std::string id;
    Scenario scenario;
    // set: the scenario is a template for this dataset subject, whose own doses and covariates it takes
    std::shared_ptr<const Dataset> dataset;
    std::size_t subject = 0;  // index into dataset->subjects
};

struct FitOptions {
    int starts = 1;  // start 1 is the nominal values; the rest a Latin hypercube in the scaled box
    std::uint64_t seed = 1;
    int threads = 0;  // 0: all hardware threads
    LmSettings lm;
};

struct FitSpec {
    std::string path;
    std::string description;
    std::vector<FitScenario> scenarios;
    std::vector<FitParameter> parameters;
    std::vector<Observable> observables;
    std::vector<DataRow> data;
    std::vector<std::string> data_files;
    std::optional<CohortSpec> cohort;
    FitOptions options;
    std::string start_file;  // parameter file whose values become the start (nominal) values
};

// Reads a fit file with its scenarios and data tables; validates names against the model.
FitSpec read_fit_file(const std::string& path, const ModelRegistry& models);
FitSpec read_fit_node(const ConfigNode& root, const ModelRegistry& models);
// Sets nominal values from a parameter file (`parameters:` and `noise_parameters:`); returns names it ignored.
std::vector<std::string> apply_start_file(FitSpec& spec, const std::string& path);

// Predictions and standard deviations for every data row at one parameter vector.
struct Evaluation {
    std::vector<double> prediction;  // natural scale, per data row
    std::vector<double> sigma;       // transformed scale, per data row
};

// The likelihood of a fit: simulations of each scenario (mean over the fixed cohort in cohort mode).
// Const and thread-safe. x is the vector of estimated parameters on their scales.
class FitObjective {
public:
    FitObjective(const FitSpec& spec, const ModelRegistry& models);
    const FitSpec& spec() const { return spec_; }
    const std::vector<int>& free() const { return free_; }  // indices into spec().parameters
    std::vector<double> start() const;                       // nominal values, scaled
    std::vector<double> lower() const;
    std::vector<double> upper() const;
    std::vector<double> natural(const std::vector<double>& x) const;  // all fit parameters, natural scale
    std::string model_name() const;

    // false: the solver failed. `threads` > 1 simulates a cohort's patients in parallel; the result is the same.
    bool evaluate(const std::vector<double>& x, Evaluation& out, int threads = 1) const;
    bool residuals(const std::vector<double>& x, std::vector<double>& r, int threads = 1) const;
    bool simulates_cohort() const { return spec_.cohort.has_value(); }
    void residuals_of(const std::vector<double>& x, const Evaluation& e, std::vector<double>& r) const;
    double neg2_log_likelihood(const std::vector<double>& x, const Evaluation& e) const;
    double transformed(std::size_t row, double value) const;  // h(value) for a data row's observable

    // The model curve of each time-course series (observable, condition and subject) at x: `points` even times
    // from 0 to the series' last observation, with the observation times. Series as in the residuals' labels.
    struct CurvePoint {
        std::string series;  // OBSERVABLE@CONDITION[:subject=S]
        double time_h;
        double predicted;
    };
    std::vector<CurvePoint> curves(const std::vector<double>& x, int points) const;  // throws SolverError

private:
    struct Condition {
        Problem base;
        std::vector<std::size_t> rows;      // data rows of this condition
        std::vector<std::size_t> grid_row;  // per data row (time courses): index into base.grid
    };
    bool predict(const std::vector<double>& natural_values, std::vector<double>& prediction, int threads) const;
    double sigma(std::size_t row, const std::vector<double>& natural_values, double prediction) const;
    bool sigma_varies(std::size_t row) const;
    const Observable& observable(std::size_t row) const { return spec_.observables[observable_of_[row]]; }

    FitSpec spec_;
    std::shared_ptr<const Model> model_;
    std::vector<int> free_;
    std::vector<Condition> conditions_;
    std::vector<VirtualPatient> cohort_;
    std::vector<std::size_t> observable_of_;  // per data row
};

struct StartOutcome {
    std::vector<double> start;  // scaled
    LmResult lm;
    double objective = 0.0;  // -2 log L; +inf when failed
};

struct FitResult {
    std::vector<StartOutcome> starts;  // in start order
    int best = -1;
    std::vector<double> x;        // best, scaled, estimated parameters only
    std::vector<double> natural;  // all fit parameters
    Evaluation evaluation;
    double objective = 0.0;
    // Statistics of the estimated parameters from the Fisher information at the optimum.
    std::vector<double> se_scaled;  // inf when not identifiable from the Fisher information
    std::vector<double> se_natural;  // delta method
    std::vector<double> ci_lower, ci_upper;  // Wald on the parameter scale, back-transformed
    std::vector<double> correlation;         // row-major
    int fisher_rank = 0;
    double seconds = 0.0;
};

// Progress callback: (starts finished, starts total, best objective so far).
using FitProgress = std::function<void(int, int, double)>;

FitResult fit(const FitObjective& objective, const FitProgress& progress = {});

// Fisher information of the estimated parameters (scaled) at x: sum over measured rows of
// (df df' + 2 dsigma dsigma') / sigma^2 plus Gauss-Newton terms of censored rows and priors.
std::vector<double> fisher_information(const FitObjective& objective, const std::vector<double>& x, int threads = 1);

struct ProfilePoint {
    double value = 0.0;  // natural scale
    double objective = 0.0;
    bool converged = true;
};

struct Profile {
    std::string parameter;
    std::vector<ProfilePoint> points;  // sorted by value, including the optimum
    std::optional<double> lower, upper;  // where delta objective crosses the threshold (natural scale)
    bool lower_at_bound = false, upper_at_bound = false;  // the side ended at the bound below the threshold
    bool identifiable() const { return lower && upper; }
};

struct ProfileSettings {
    double threshold = 3.84;  // chi-square(1) 95% quantile
    int max_points_per_side = 30;
};

using ProfileProgress = std::function<void(int, int)>;  // (sides finished, sides total)

// Profiles every estimated parameter around the fit's optimum, re-optimizing the others at each point.
std::vector<Profile> profile(const FitObjective& objective, const FitResult& optimum, const ProfileSettings& settings,
                             const ProfileProgress& progress = {});

}  // namespace mobsim
