// A virtual-patient cohort: one scenario simulated for N patients with drawn parameters and covariates,
// reduced to per-patient summaries, a responder flag, percentile bands over time and rank correlations.
//
// Memory: patients are simulated in fixed blocks of kCohortBlockSize (threads share a block's patients, MPI
// ranks take whole blocks); each block is reduced as it completes, in block order, so the results do not depend
// on the number of threads or ranks. Band means are exact sums; band percentiles come from a QuantileSketch
// per time and output (exact up to 2048 patients, else within 0.5% relative error). What remains per patient:
// the caller's block sink (the CLI streams rows to disk) and 8 bytes per variable that correlations name.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/csv_output.hpp"
#include "sim/io/dataset.hpp"
#include "sim/studies/population.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/studies/summary.hpp"

namespace mobsim {

inline constexpr int kCohortBlockSize = 2048;  // fixed: outputs depend on it, never on threads or ranks

struct ResponderCriterion {
    enum class Comparison { less, less_equal, greater, greater_equal };
    std::string summary;
    Comparison comparison = Comparison::less;
    double threshold = 0.0;
    bool holds(double value) const;  // false for NaN
    std::string describe() const;    // e.g. "blast_d28 < 5"
};

struct CorrelationSpec {
    std::string variable;  // a drawn parameter, a covariate or a summary
    std::string summary;
};

struct CohortStudy {
    std::string file;  // the cohort file
    std::string scenario_file;
    std::string parameters_file;  // the scenario's parameters_file (resolved), if any
    Problem base;      // the scenario's problem; its grid includes the summary and percentile times
    CohortSpec cohort;
    int threads = 0;   // 0: all cores
    std::vector<SummarySpec> summaries;
    std::optional<ResponderCriterion> responder;
    std::vector<std::string> percentile_outputs;
    std::vector<double> percentile_times_h;
    std::vector<CorrelationSpec> correlations;
    std::string patients_file, time_summary_file, correlations_file;  // empty: chosen by the caller
    // One virtual patient per subject, with its own doses and covariates (variability drawn on top); the
    // cohort's size is then the number of subjects. Null: every patient takes the scenario's regimens.
    std::shared_ptr<const Dataset> dataset;
    // Outputs written per patient as NONMEM-layout records (ID, TIME, EVID, AMT, CMT, DV, IPRED, PRED and the
    // drawn covariates) on the scenario's grid; empty: none. Each patient is then also simulated without IIV.
    std::vector<std::string> record_outputs;
};

// One row of the time summary: mean and percentiles of one output at one time over the cohort.
struct TimeSummaryRow {
    double time_h = 0.0;
    std::string output;
    double mean = 0.0, p05 = 0.0, p25 = 0.0, p50 = 0.0, p75 = 0.0, p95 = 0.0;
};

struct CorrelationRow {
    std::string variable, summary;
    int n = 0;
    double rho = 0.0, p_value = 1.0;
};

// Where a cohort's solver work went: steps per successful patient, and the share taken by the slowest 1%.
struct SolverWork {
    long median_steps = 0, p99_steps = 0, max_steps = 0;
    int slowest_patient = -1;
    double slowest_percent_share = 0.0;  // fraction of all steps taken by the slowest 1% of patients
    int fallbacks = 0;                   // patients finished by the stiff fallback method (steps counted are its)
};
// A whole cohort's result, or (first_patient > 0 or a sink's argument) one block's patients.
struct CohortResult {
    int patients = 0;
    int first_patient = 0;  // index of the first patient of the per-patient vectors
    bool has_responder = false, has_ids = false;
    std::vector<std::string> parameter_names;  // the parameters with IIV (individual values are reported)
    std::vector<std::string> covariate_names;
    std::vector<std::string> summary_names;
    std::vector<std::string> ids;  // the dataset subject of each patient; empty without a dataset
    std::vector<std::string> records;  // per patient, with study.record_outputs: its rows (records_csv)
    // per patient, row-major by patient index
    std::vector<double> parameter_values, covariate_values, summary_values;
    std::vector<char> responder;  // empty without a criterion
    // per patient: empty, or why its integration failed; such patients have NaN summaries and are left out
    // of the bands, the correlations and the responder count
    std::vector<std::string> failures;
    std::vector<long> solver_steps;  // per patient: steps its integration took (0 when it failed)
    std::vector<char> fell_back;     // per patient: 1 if the stiff fallback method produced its result
    std::vector<TimeSummaryRow> time_summary;
    std::vector<CorrelationRow> correlations;
    // reductions over every patient (also when a sink took the per-patient vectors)
    int responder_count = 0, failed_count = 0;
    std::string first_failure;
    SolverWork work;
    int responders() const { return responder_count; }
    int failed() const { return failed_count; }
    int evaluated() const { return patients - failed(); }
};

inline SolverWork solver_work(const CohortResult& result) { return result.work; }
std::string describe(const SolverWork& work);  // one line, for the terminal

// Reads one distribution mapping (distribution: fixed|normal|lognormal|uniform, its keys, lower, upper), as in
// a cohort file's covariates; also used by VPop study files.
CovariateDistribution read_distribution(const std::string& name, const ConfigNode& node);

// A study file's `scenario:`: an inline mapping, or a file relative to the study file (then named in scenario_file).
Scenario read_study_scenario(const ConfigNode& node, const std::string& study_file, std::string& scenario_file);

// Reads a cohort file (format in sim/studies/cohort_reader.cpp), its scenario and model.
CohortStudy read_cohort_study(const std::string& path, const ModelRegistry& models);

// Simulates every patient on `threads` threads (0: study.threads, else all cores). A patient whose
// integration fails is recorded in `failures`, naming its drawn values; only when every patient fails does it
// throw that SolverError. progress(done) as in parallel_for.
CohortResult run_cohort(const CohortStudy& study, int threads = 0,
                        const std::function<void(int done)>& progress = {});

// The same without keeping per-patient results: `sink` receives each block's patients, in patient order, and
// the result's per-patient vectors stay empty. With `across_ranks`, MPI ranks share the blocks and only rank 0
// returns the result (and calls the sink); the other ranks return one with only the names.
using CohortBlockSink = std::function<void(const CohortResult& block)>;
CohortResult run_cohort(const CohortStudy& study, int threads, const std::function<void(int done)>& progress,
                        const CohortBlockSink& sink, bool across_ranks);

// The rows of patients_csv and records_csv for one block. With a sink, patients_csv and records_csv of the
// result give the headers alone.
std::string patients_csv_rows(const CohortResult& block);
std::string records_csv_rows(const CohortResult& block);

std::string patients_csv(const CohortResult& result, const Provenance& provenance);
std::string time_summary_csv(const CohortResult& result, const Provenance& provenance);
std::string correlations_csv(const CohortResult& result, const Provenance& provenance);
std::string records_csv(const CohortStudy& study, const CohortResult& result, const Provenance& provenance);

}  // namespace mobsim
