#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/studies/benchmark.hpp"
#include "sim/studies/cohort.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/fit.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim::cli {

namespace {

// The default comparison: the registered methods that are not stiff (a stiff one on request, --methods).
std::vector<std::string> explicit_methods() {
    std::vector<std::string> names;
    for (const SolverMethod& m : solver_methods())
        if (!m.stiff) names.push_back(m.name);
    return names;
}

struct BenchOptions {
    std::string scenario, cohort, fit, output;
    std::vector<std::string> methods = explicit_methods();
    std::vector<double> rtols{1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10};
    double atol_ratio = 1e-2, reference_rtol = 1e-13, floor = 1e-4;
    int repeats = 5, cohort_size = 0, cohort_accuracy = 0;
    std::string blocks = "both";
    bool force = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void bench(const BenchOptions& o, const Context& context) {
    if (!o.output.empty()) {
        refuse_to_overwrite_inputs(o.output, {o.scenario, o.cohort, o.fit});
        check_output_paths({o.output}, o.force);
    }
    const Scenario scenario = read_scenario(o.scenario);
    const Problem problem = build_problem(scenario, context.models->create(scenario.model));
    for (const auto& m : o.methods)
        if (!find_solver_method(m))
            throw InputError("--methods: unknown method '" + m + "'" + did_you_mean(m, solver_method_names()) +
                             " (expected " + join(solver_method_names(), ", ") + ")");
    std::cout << "scenario " << o.scenario << " (" << problem.model->states().size() << " states, "
              << problem.grid.size() << " output times)\n"
              << "default solver: " << problem.solver.method << " rtol " << problem.solver.rtol
              << " atol " << problem.solver.atol << "\n\n";
    std::vector<double> rtols = o.rtols;  // always include the scenario's own (default) tolerance
    if (std::find(rtols.begin(), rtols.end(), problem.solver.rtol) == rtols.end()) {
        rtols.push_back(problem.solver.rtol);
        std::sort(rtols.begin(), rtols.end(), std::greater<>());
    }
    std::vector<bool> exact_blocks;
    if (o.blocks != "stepped") exact_blocks.push_back(true);
    if (o.blocks != "exact") exact_blocks.push_back(false);
    const auto rows =
        work_precision(problem, o.methods, rtols, o.atol_ratio, o.reference_rtol, o.repeats, o.floor, exact_blocks);
    std::cout << std::left << std::setw(16) << "method" << std::setw(9) << "blocks" << std::setw(9) << "rtol" << std::setw(12) << "ms/run"
              << std::setw(9) << "steps" << std::setw(10) << "RHS" << "max rel. error (output)\n";
    for (const auto& r : rows)
        std::cout << std::left << std::setw(16) << r.method << std::setw(9) << r.linear_blocks << std::setw(9) << r.rtol << std::setw(12)
                  << r.seconds_per_run * 1e3 << std::setw(9) << r.steps << std::setw(10) << r.rhs_evaluations
                  << r.max_relative_error << " (" << r.worst_output << ")\n";
    if (!o.output.empty()) write_file_atomically(o.output, to_csv(rows), o.force);

    if (!o.cohort.empty()) {
        CohortStudy study = read_cohort_study(o.cohort, *context.models);
        if (o.cohort_size > 0) study.cohort.size = o.cohort_size;
        std::cout << "\ncohort " << o.cohort << ", " << study.cohort.size << " patients\n";
        for (int threads : {1, 2}) {
            const auto start = std::chrono::steady_clock::now();
            const CohortResult result = run_cohort(study, threads);
            const double s = seconds_since(start);
            std::cout << "  " << threads << " thread(s): " << s << " s, " << study.cohort.size / s << " patients/s\n";
            if (threads == 1) {
                std::cout << "  " << describe(solver_work(result)) << "\n";
                if (result.failed() > 0) std::cout << "  " << result.failed() << " patients failed (solver)\n";
            }
        }
    }
    if (o.cohort_accuracy > 0) {
        if (o.cohort.empty()) throw InputError("--cohort-accuracy: give the cohort with --cohort");
        const CohortStudy study = read_cohort_study(o.cohort, *context.models);
        auto errors = cohort_errors(study.base, study.cohort, o.cohort_accuracy, o.reference_rtol, o.atol_ratio, o.floor);
        std::sort(errors.begin(), errors.end(),
                  [](const PatientError& a, const PatientError& b) { return a.max_relative_error < b.max_relative_error; });
        const auto above = std::count_if(errors.begin(), errors.end(),
                                         [](const PatientError& e) { return e.max_relative_error > 1e-6; });
        const PatientError& worst = errors.back();
        std::cout << "\naccuracy of " << errors.size() << " cohort patients at rtol " << study.base.solver.rtol
                  << " (largest relative error of each, every output):\n  median "
                  << errors[errors.size() / 2].max_relative_error << ", 90th percentile "
                  << errors[errors.size() * 9 / 10].max_relative_error << ", largest " << worst.max_relative_error
                  << " (patient " << worst.patient << ", " << worst.worst_output << "); " << above
                  << " above 1e-6\n";
    }
    if (!o.fit.empty()) {
        const FitSpec spec = read_fit_file(o.fit, *context.models);
        const FitObjective objective(spec, *context.models);
        const auto start = std::chrono::steady_clock::now();
        const FitResult result = fit(objective);
        std::cout << "\ncalibration " << o.fit << ": " << seconds_since(start) << " s, -2 log L "
                  << result.objective << "\n";
    }
}

}  // namespace

void add_bench_command(CLI::App& app, const Context& context) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* cmd = app.add_subcommand("bench", "Benchmark: work-precision table against a tight reference, "
                                                "cohort throughput on 1 and 2 threads, calibration wall time");
    cmd->add_option("scenario", o->scenario, "Scenario YAML file")->required();
    cmd->add_option("--methods", o->methods, "Methods to compare, of " + join(solver_method_names(), ", "))
        ->delimiter(',');
    cmd->add_option("--rtols", o->rtols, "Relative tolerances")->delimiter(',')->check(in_range(1e-14, 0.1));
    cmd->add_option("--atol-ratio", o->atol_ratio, "atol = rtol x this ratio")->check(in_range(1e-12, 1e6));
    cmd->add_option("--reference-rtol", o->reference_rtol, "Tolerance of the reference solution (dopri5)")
        ->check(in_range(1e-14, 1e-6));
    cmd->add_option("--floor", o->floor, "Relative-error floor as a fraction of each output's peak")
        ->check(in_range(0, 1));
    cmd->add_option("--repeats", o->repeats, "Runs per setting (median time)")->check(in_range(1, 10000));
    cmd->add_option("--blocks", o->blocks, "Linear blocks propagated exactly, stepped by the method, or both")
        ->check(CLI::IsMember({"exact", "stepped", "both"}));
    cmd->add_option("--cohort", o->cohort, "Cohort file for throughput");
    cmd->add_option("--cohort-size", o->cohort_size, "Override the cohort size")->check(in_range(1, 10000000));
    cmd->add_option("--cohort-accuracy", o->cohort_accuracy,
                    "Error of the first N patients of --cohort at the scenario's tolerance, each against its own "
                    "reference")
        ->check(in_range(1, 100000));
    cmd->add_option("--fit", o->fit, "Fit file to time");
    add_output_option(cmd, "-o,--output", o->output, "Work-precision CSV, - for standard output");
    add_force_flag(cmd, o->force);
    cmd->callback([o, context] { bench(*o, context); });
}

}  // namespace mobsim::cli
