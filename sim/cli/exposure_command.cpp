#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/exposure.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim::cli {

namespace {

struct ExposureOptions {
    std::string scenario;
    std::string output;
    std::string parameters_file;
    ExposureRequest request;
    bool quiet = false;
    bool force = false;
};

void run_exposure(const ExposureOptions& o, const Context& context) {
    Scenario scenario = read_scenario(o.scenario);
    if (!o.parameters_file.empty()) scenario.parameters_file = o.parameters_file;
    std::shared_ptr<const Model> model;
    try {
        model = context.models->create(scenario.model);
    } catch (const InputError& e) {
        const auto it = scenario.positions.find("model");
        throw InputError((it != scenario.positions.end() ? it->second.where() : o.scenario) + ": " + e.what());
    }
    const Problem problem = build_problem(scenario, model);
    std::string out = o.output;
    if (out.empty()) out = std::filesystem::path(o.scenario).stem().string() + "_exposure.csv";
    refuse_to_overwrite_inputs(out, {o.scenario, scenario.parameters_file});
    check_output_paths({out}, o.force);

    const ExposureTable table = steady_state_exposure(problem, o.request);
    Provenance provenance = make_provenance(o.scenario, *model, problem.solver, context.command_line);
    add_parameters_file(provenance, scenario.parameters_file);
    auto& entries = provenance.entries;  // rows here are summaries, not time points
    entries.erase(std::remove_if(entries.begin(), entries.end(), [](const auto& e) { return e.first == "dose_time_rows"; }),
                  entries.end());
    provenance.entries.emplace_back(
        "exposure", "steady state of regimen '" + (o.request.regimen.empty() ? problem.regimens.front().label
                                                                            : o.request.regimen) +
                        "' every " + format_number(o.request.interval_h) + " h; AUC by Simpson's rule on " +
                        std::to_string(o.request.intervals) + " intervals; ctrough = value at the end of the interval");
    write_file_atomically(out, to_exposure_csv(table, provenance), o.force);
    if (!o.quiet) std::cerr << "wrote " << out << " (" << table.rows.size() << " dose amounts)\n";
}

}  // namespace

void add_exposure_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<ExposureOptions>();
    CLI::App* cmd = app.add_subcommand(
        "exposure", "Steady-state AUC over a dosing interval, Cmax, Cmin and Cavg of one output for several doses");
    cmd->add_option("scenario", options->scenario, "Scenario YAML file")->required();
    cmd->add_option("--output-name", options->request.output, "Model output to summarise (e.g. sorafenib)")
        ->required();
    cmd->add_option("--interval-h", options->request.interval_h, "Dosing interval tau in hours")
        ->required()
        ->check(in_range(0.01, 8760));
    cmd->add_option("--amounts", options->request.amounts, "Dose amounts in the regimen's unit, e.g. 400,600,800")
        ->required()
        ->delimiter(',')
        ->check(in_range(0, 1e6));
    cmd->add_option("--regimen", options->request.regimen, "Label of the regimen to vary (default: the only one)");
    cmd->add_option("--grid-intervals", options->request.intervals, "Even number of grid intervals over tau")
        ->check(in_range(2, 100000))
        ->capture_default_str();
    cmd->add_option("--parameters", options->parameters_file, "Parameter file (e.g. written by mobsim fit)");
    add_output_option(cmd, "-o,--output", options->output,
                      "Output CSV, - for standard output (default: SCENARIO_exposure.csv here)");
    add_force_flag(cmd, options->force);
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { run_exposure(*options, context); });
}

}  // namespace mobsim::cli
