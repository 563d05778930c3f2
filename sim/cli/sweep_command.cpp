// mobsim sweep: simulate a full-factorial grid of scenario variants and write one row of summaries each.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/studies/sweep.hpp"

namespace mobsim::cli {

namespace {

struct SweepOptions {
    std::string file;
    std::string output;
    int threads = 0;
    std::vector<std::string> record_outputs;
    bool progress = false;
    bool quiet = false;
    bool force = false;
    bool yes = false;
};

constexpr double kConfirmAboveSeconds = 600.0;

// Times one grid point and refuses (without --yes) a sweep whose estimated wall time exceeds ten minutes.
void estimate_work(const SweepStudy& study, int threads, const SweepOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    try {
        simulate(sweep_point_problem(study, 0));
    } catch (const SolverError&) {  // run_sweep reports it with the point's values
        return;
    }
    const double one = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double total = one * static_cast<double>(study.runs()) / (threads * distributed::ranks());
    std::ostringstream text;
    text.precision(3);
    text << study.points() << " grid points";
    if (study.vpop.rows() > 0) text << " x " << study.vpop.rows() << " VPop patients";
    text << "; the first took " << one << " s, so about " << total / 60.0
         << " min on " << threads << (threads == 1 ? " thread" : " threads");
    if (distributed::ranks() > 1) text << " x " << distributed::ranks() << " MPI ranks";
    if (total > kConfirmAboveSeconds && !o.yes)
        throw InputError(o.file + ": " + text.str() + "; give --yes to run a sweep of more than " +
                         std::to_string(static_cast<int>(kConfirmAboveSeconds / 60)) + " min");
    if (!o.quiet && distributed::is_root()) std::cerr << "sweep: " << text.str() << '\n';
}

void run(const SweepOptions& o, const Context& context) {
    SweepStudy study = read_sweep_study(o.file, *context.models);
    study.record_outputs = o.record_outputs;
    std::string out = o.output;
    if (out.empty()) out = study.output_file;
    if (out.empty()) out = std::filesystem::path(o.file).stem().string() + ".csv";
    const std::filesystem::path out_path(out);
    const std::string records =
        o.record_outputs.empty() ? "" : (out_path.parent_path() / (out_path.stem().string() + "_records.csv")).string();
    std::vector<std::string> outputs{out};
    if (!records.empty()) outputs.push_back(records);
    for (const auto& file : outputs) refuse_to_overwrite_inputs(file, {o.file, study.scenario_file, study.vpop.file});
    check_output_paths(outputs, o.force);
    const int threads = o.threads > 0 ? o.threads : study.threads > 0 ? study.threads : default_thread_count();
    estimate_work(study, threads, o);
    const bool show = distributed::is_root() && !o.quiet && progress_wanted(o.progress);
    SweepResult result;
    try {
        result = run_sweep(study, threads, progress_reporter("sweep", static_cast<int>(study.runs()), show), true);
    } catch (...) {
        if (show) std::cerr << '\n';
        throw;
    }
    if (!distributed::is_root()) return;  // rank 0 writes
    Provenance provenance = make_provenance(o.file, *study.model, build_problem(study.scenario, study.model).solver,
                                            context.command_line);
    add_scenario_file(provenance, study.scenario_file);
    add_parameters_file(provenance, study.scenario.parameters_file);
    if (!study.vpop.file.empty()) provenance.entries.emplace_back("vpop", study.vpop.file);
    provenance.entries.emplace_back("units", sweep_units(study));
    std::vector<OutputFile> files{{out, sweep_csv(result, provenance)}};
    if (!records.empty()) files.push_back({records, sweep_records_csv(study, result, provenance)});
    write_result_set(files, o.force);
    if (!o.quiet) std::cerr << "wrote " << out << " (" << study.points() << " grid points)\n";
}

}  // namespace

void add_sweep_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<SweepOptions>();
    CLI::App* cmd = app.add_subcommand(
        "sweep", "Simulate a full-factorial grid over regimen fields, parameters and covariates; one CSV row each");
    cmd->add_option("sweep", options->file, "Sweep YAML file")->required();
    add_output_option(cmd, "-o,--output", options->output,
                      "Output CSV, - for standard output (default: output.file, else SWEEP.csv here)");
    cmd->add_option("--records", options->record_outputs,
                    "Also write OUTPUT_records.csv: NONMEM-layout rows (ID = grid point + 1, TIME, EVID, AMT, CMT, DV, "
                    "IPRED, PRED, swept values) of these outputs on the scenario's grid (comma-separated)")
        ->delimiter(',');
    add_force_flag(cmd, options->force);
    cmd->add_flag("--yes", options->yes, "Run even when the estimated wall time exceeds 10 minutes");
    cmd->add_option("-j,--threads", options->threads, "Worker threads (default: the file's threads, else all cores)")
        ->check(in_range(1, 1024));
    cmd->add_flag("--progress", options->progress, "Report progress on stderr even when it is not a terminal");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
