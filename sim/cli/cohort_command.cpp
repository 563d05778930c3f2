// mobsim cohort: simulate a virtual-patient cohort and write per-patient, time-summary and correlation CSVs.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/studies/cohort.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::cli {

namespace {

struct CohortOptions {
    std::string file;
    std::string prefix;
    std::string dataset;
    std::string time_unit = "h";
    std::string covariate_direction = "nocb";
    std::vector<std::string> record_outputs;
    int threads = 0;
    int size = 0;
    long seed = -1;
    bool progress = false;
    bool quiet = false;
    bool force = false;
};

void run(const CohortOptions& o, const Context& context) {
    CohortStudy study = read_cohort_study(o.file, *context.models);
    if (o.size > 0) study.cohort.size = o.size;
    if (!o.dataset.empty()) {
        if (o.size > 0) throw InputError("--size: with --dataset the cohort has one patient per subject");
        DatasetSchema schema = dataset_schema(*study.base.model);
        schema.hours_per_time_unit = hours_per_time_unit(o.time_unit, "--time-unit");
        schema.covariate_carry = covariate_carry_named(o.covariate_direction, "--covariate-direction");
        study.dataset = std::make_shared<const Dataset>(read_dataset(o.dataset, schema));
        study.cohort.size = static_cast<int>(study.dataset->subjects.size());
    }
    if (o.seed >= 0) study.cohort.seed = static_cast<std::uint64_t>(o.seed);
    const std::string stem = std::filesystem::path(o.file).stem().string();
    auto choose = [&](const std::string& from_file, const std::string& suffix) {
        if (!o.prefix.empty()) return o.prefix + suffix;
        return from_file.empty() ? stem + suffix : from_file;
    };
    const std::string patients = choose(study.patients_file, "_patients.csv");
    const std::string times = choose(study.time_summary_file, "_time_summary.csv");
    const std::string correlations = choose(study.correlations_file, "_correlations.csv");
    study.record_outputs = o.record_outputs;
    const std::string records = study.record_outputs.empty() ? "" : choose("", "_records.csv");
    refuse_stdout_prefix(o.prefix, "several files");
    std::vector<std::string> outputs{patients, times, correlations};
    if (!records.empty()) outputs.push_back(records);
    for (const auto& out : outputs) refuse_to_overwrite_inputs(out, {o.file, study.scenario_file, o.dataset});
    check_output_paths(outputs, o.force);

    const int threads = o.threads > 0 ? o.threads : study.threads > 0 ? study.threads : default_thread_count();
    const bool root = distributed::is_root();
    const bool show = root && !o.quiet && progress_wanted(o.progress);
    const auto start = std::chrono::steady_clock::now();
    // Per-patient rows go to disk block by block (rank 0 only), so memory does not grow with the cohort.
    std::unique_ptr<SpillFile> patient_rows, record_rows;
    if (root) patient_rows = std::make_unique<SpillFile>(patients);
    if (root && !records.empty()) record_rows = std::make_unique<SpillFile>(records);
    CohortResult result;
    try {
        result = run_cohort(study, threads, progress_reporter("cohort", study.cohort.size, show),
                            [&](const CohortResult& block) {
                                patient_rows->append(patients_csv_rows(block));
                                if (record_rows) record_rows->append(records_csv_rows(block));
                            }, true);
    } catch (...) {
        if (show) std::cerr << '\n';
        throw;
    }
    if (!root) return;  // rank 0 reports and writes
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    Provenance provenance = make_provenance(o.file, *study.base.model, study.base.solver, context.command_line);
    add_scenario_file(provenance, study.scenario_file);
    add_parameters_file(provenance, study.parameters_file);
    provenance.entries.emplace_back("patients", std::to_string(study.cohort.size));
    provenance.entries.emplace_back("seed", std::to_string(study.cohort.seed));
    std::string units;  // the time summary's rows name outputs; their units are here (plots read them)
    for (const auto& output : study.base.model->outputs())
        units += (units.empty() ? "" : ", ") + output.name + "=" + output.unit;
    provenance.entries.emplace_back("output_units", units);
    if (study.responder) provenance.entries.emplace_back("responder", study.responder->describe());
    if (result.failed() > 0)
        provenance.entries.emplace_back("solver_failed", std::to_string(result.failed()) +
                                                             " patients (status column), left out of bands, "
                                                             "correlations and responders");
    std::vector<OutputFile> files{{patients, patients_csv(result, provenance), patient_rows.get()},
                                  {times, time_summary_csv(result, provenance)},
                                  {correlations, correlations_csv(result, provenance)}};
    if (record_rows) files.push_back({records, records_csv(study, result, provenance), record_rows.get()});
    write_result_set(files, o.force);
    if (result.failed() > 0) {  // a warning even with --quiet
        std::cerr << "warning: the integration failed for " << result.failed() << " of " << study.cohort.size
                  << " patients; they are marked solver_failed in " << patients
                  << " and left out of the bands, correlations and responder count. First:\n  "
                  << result.first_failure << '\n';
    }
    if (o.quiet) return;
    std::cerr << "simulated " << study.cohort.size << " patients in " << seconds << " s on " << threads
              << " threads" << (distributed::ranks() > 1 ? " x " + std::to_string(distributed::ranks()) + " MPI ranks" : "")
              << " (" << study.cohort.size / std::max(seconds, 1e-9) << " patients/s)\n";
    const SolverWork work = solver_work(result);
    if (work.slowest_patient >= 0) std::cerr << describe(work) << '\n';
    if (study.responder)
        std::cerr << "responders (" << study.responder->describe() << "): " << result.responders() << "/"
                  << result.evaluated() << " (" << 100.0 * result.responders() / result.evaluated() << "%)\n";
    std::cerr << "wrote " << patients << ", " << times << ", " << correlations << '\n';
}

}  // namespace

void add_cohort_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<CohortOptions>();
    CLI::App* cmd = app.add_subcommand(
        "cohort", "Simulate a virtual-patient cohort (IIV, covariates) and write summaries, bands and correlations");
    cmd->add_option("cohort", options->file, "Cohort YAML file")->required();
    add_output_option(cmd, "-o,--output-prefix", options->prefix,
                    "Write PREFIX_patients.csv, PREFIX_time_summary.csv, PREFIX_correlations.csv "
                    "(default: the file's output: section, else COHORT_*.csv here)");
    cmd->add_option("-j,--threads", options->threads, "Worker threads (default: the file's threads, else all cores)")
        ->check(in_range(1, 1024));
    cmd->add_option("--size", options->size, "Override the number of patients")->check(in_range(1, 10000000));
    cmd->add_option("--records", options->record_outputs,
                    "Also write PREFIX_records.csv: per patient, NONMEM-layout rows (ID, TIME, EVID, AMT, CMT, DV, "
                    "IPRED, PRED, covariates) of these outputs on the scenario's grid (comma-separated)")
        ->delimiter(',');
    cmd->add_option("--time-unit", options->time_unit, "Unit of the dataset's TIME and II: h (default), min, d or w");
    cmd->add_option("--covariate-direction", options->covariate_direction,
                    "How a dataset covariate that changes fills the time between records: nocb (default, NONMEM: "
                    "the next record's value holds back to the previous record) or locf (last value carried forward)");
    cmd->add_option("--dataset", options->dataset,
                    "NONMEM-format dataset: one patient per subject, with its own doses and covariates");
    cmd->add_option("--seed", options->seed, "Override the random seed")->check(in_range(0, 9007199254740991.0));
    cmd->add_flag("--progress", options->progress, "Report progress on stderr even when it is not a terminal");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    add_force_flag(cmd, options->force);
    cmd->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
