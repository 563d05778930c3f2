// `mobsim fit` and `mobsim profile`: calibrate model parameters against data (see docs/fitting.md).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "cli_options.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/studies/fit.hpp"
#include "sim/studies/fit_report.hpp"
#include "sim/base/sha256.hpp"

namespace mobsim::cli {

namespace {

struct FitOptionsCli {
    std::string fit_file;
    std::string prefix;
    std::string start_file;
    int starts = 0, threads = -1;
    long seed = -1;
    double threshold = 3.84;
    bool progress = false, quiet = false, force = false;
};

// Prints "label i of N ... elapsed" on stderr: in place on a terminal, one line per update otherwise.
class ProgressLine {
public:
    explicit ProgressLine(bool enabled) : enabled_(enabled), terminal_(::isatty(STDERR_FILENO) == 1) {}
    void show(const std::string& text) {
        if (!enabled_) return;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
        std::ostringstream line;
        line.precision(3);
        line << text << ", elapsed " << std::fixed << elapsed << " s";
        std::cerr << (terminal_ ? "\r\033[K" : "") << line.str() << (terminal_ ? "" : "\n") << std::flush;
    }
    void finish() {
        if (enabled_ && terminal_) std::cerr << '\n';
    }

private:
    bool enabled_, terminal_;
    std::chrono::steady_clock::time_point begin_ = std::chrono::steady_clock::now();
};

std::string output_prefix(const FitOptionsCli& o) {
    return o.prefix.empty() ? std::filesystem::path(o.fit_file).stem().string() : o.prefix;
}

FitSpec load(const FitOptionsCli& o, const Context& context) {
    FitSpec spec = read_fit_file(o.fit_file, *context.models);
    if (!o.start_file.empty()) {
        const auto ignored = apply_start_file(spec, o.start_file);
        if (!ignored.empty() && !o.quiet) {
            std::cerr << "note: --start: values not estimated or listed in the fit are ignored:";
            for (const auto& name : ignored) std::cerr << ' ' << name;
            std::cerr << '\n';
        }
    }
    if (o.starts > 0) spec.options.starts = o.starts;
    if (o.threads >= 0) spec.options.threads = o.threads;
    if (o.seed >= 0) spec.options.seed = static_cast<std::uint64_t>(o.seed);
    return spec;
}

FitResult run_fit(const FitObjective& objective, const FitOptionsCli& o) {
    ProgressLine line(!o.quiet && progress_wanted(o.progress) && distributed::is_root());
    FitResult result = fit(objective, [&line](int done, int total, double best) {
        std::ostringstream text;
        text << "start " << done << " of " << total << " finished, best -2 log L " << best;
        line.show(text.str());
    });
    line.finish();
    if (result.best < 0)
        throw SolverError("no start produced a computable objective (every start failed in the ODE solver)");
    return result;
}

// The residual table's "# key: value" lines: program, fit file and data files with their SHA-256, command.
std::string residuals_provenance(const FitOptionsCli& o, const FitSpec& spec, const Context& context) {
    Provenance p;
    p.entries.emplace_back("program", "mobsim " + program_version());
    p.entries.emplace_back("git_revision", git_revision());
    p.entries.emplace_back("input", o.fit_file);
    p.entries.emplace_back("input_sha256", sha256_of_file(o.fit_file));
    for (const auto& f : spec.data_files) p.entries.emplace_back("data_file", f + " sha256=" + sha256_of_file(f));
    add_parameters_file(p, o.start_file);
    p.entries.emplace_back("command", context.command_line);
    return provenance_lines(p);
}

void fit_main(const FitOptionsCli& o, const Context& context) {
    const FitSpec spec = load(o, context);
    const std::string prefix = output_prefix(o);
    const std::string report = prefix + "_report.yaml", residuals = prefix + "_residuals.csv",
                      parameters = prefix + "_parameters.yaml", curves = prefix + "_curves.csv";
    std::vector<std::string> inputs = spec.data_files;
    inputs.push_back(o.fit_file);
    for (const auto& s : spec.scenarios) inputs.push_back(s.scenario.path);
    if (!o.start_file.empty()) inputs.push_back(o.start_file);
    if (!spec.start_file.empty()) inputs.push_back(spec.start_file);
    refuse_stdout_prefix(o.prefix, "four files");
    for (const auto& out : {report, residuals, parameters, curves}) refuse_to_overwrite_inputs(out, inputs);
    check_output_paths({report, residuals, parameters, curves}, o.force);

    const FitObjective objective(spec, *context.models);
    const FitResult result = run_fit(objective, o);
    if (!distributed::is_root()) return;  // every rank holds the result; rank 0 writes
    const FitRunInfo info{o.fit_file, context.command_line};
    write_result_set({{report, fit_report_yaml(objective, result, info)},
                      {residuals, residuals_provenance(o, spec, context) + residuals_csv(objective, result)},
                      {parameters, fitted_parameter_file(objective, result, info)},
                      {curves, residuals_provenance(o, spec, context) + curves_csv(objective, result)}},
                     o.force);
    if (!o.quiet) {
        std::cout << fit_summary(objective, result);
        std::cout << "wrote " << report << ", " << residuals << ", " << parameters << ", " << curves << '\n';
    }
}

void profile_main(const FitOptionsCli& o, const Context& context) {
    const FitSpec spec = load(o, context);
    const std::string table = output_prefix(o) + "_profile.csv";
    std::vector<std::string> inputs = spec.data_files;
    inputs.push_back(o.fit_file);
    refuse_stdout_prefix(o.prefix, "PREFIX_profile.csv");
    refuse_to_overwrite_inputs(table, inputs);
    check_output_paths({table}, o.force);

    const FitObjective objective(spec, *context.models);
    const FitResult optimum = run_fit(objective, o);
    ProgressLine line(!o.quiet && progress_wanted(o.progress) && distributed::is_root());
    ProfileSettings settings;
    settings.threshold = o.threshold;
    const auto profiles = profile(objective, optimum, settings, [&line](int done, int total) {
        line.show("profile side " + std::to_string(done) + " of " + std::to_string(total) + " finished");
    });
    line.finish();
    if (!distributed::is_root()) return;  // every rank holds the profiles; rank 0 writes
    write_file_atomically(table, profile_csv(profiles, optimum.objective), o.force);
    if (!o.quiet) {
        std::cout << profile_summary(profiles, objective, optimum, settings.threshold);
        std::cout << "wrote " << table << '\n';
    }
}

void add_common(CLI::App* cmd, FitOptionsCli& o) {
    cmd->add_option("fit", o.fit_file, "Fit file (YAML)")->required();
    add_output_option(cmd, "-o,--output-prefix", o.prefix, "Prefix of the files written (default: the fit file's name, here)");
    cmd->add_option("--start", o.start_file, "Parameter file whose values are the start (e.g. an earlier fit)");
    cmd->add_option("--starts", o.starts, "Number of starts (overrides optimizer.starts)")->check(in_range(1, 100000));
    cmd->add_option("-j,--threads", o.threads, "Threads (0: all; overrides optimizer.threads)")->check(in_range(0, 1024));
    cmd->add_option("--seed", o.seed, "Seed of the start design (overrides optimizer.seed)")->check(in_range(0, 9007199254740991.0));
    cmd->add_flag("--progress", o.progress, "Report progress on stderr even when it is not a terminal");
    cmd->add_flag("-q,--quiet", o.quiet, "Print nothing on success");
    add_force_flag(cmd, o.force);
}

}  // namespace

void add_fit_command(CLI::App& app, const Context& context) {
    auto o = std::make_shared<FitOptionsCli>();
    CLI::App* cmd = app.add_subcommand("fit", "Estimate parameters from data (multi-start Levenberg-Marquardt); write "
                                              "PREFIX_report.yaml, PREFIX_residuals.csv and PREFIX_parameters.yaml");
    add_common(cmd, *o);
    cmd->callback([o, context] { fit_main(*o, context); });
}

void add_profile_command(CLI::App& app, const Context& context) {
    auto o = std::make_shared<FitOptionsCli>();
    CLI::App* cmd = app.add_subcommand("profile", "Fit, then profile the likelihood of each estimated parameter; "
                                                  "write PREFIX_profile.csv and flag non-identifiable parameters");
    add_common(cmd, *o);
    cmd->add_option("--threshold", o->threshold, "Delta -2 log L of the interval (3.84: 95%)")
        ->check(in_range(0.01, 100));
    cmd->callback([o, context] { profile_main(*o, context); });
}

}  // namespace mobsim::cli
