#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "sim/atomic_file.hpp"
#include "sim/csv_output.hpp"
#include "sim/dataset_problem.hpp"
#include "sim/errors.hpp"
#include "sim/simulation.hpp"

namespace mobsim::cli {

namespace {

struct RunOptions {
    std::string scenario;
    std::string output;
    std::string format;
    std::string parameters_file;
    std::string dataset;
    std::string id;
    std::vector<std::string> settings;
    bool quiet = false;
};

void apply_setting(Problem& problem, const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set '" + text + "': expected NAME=VALUE");
    const std::string name = text.substr(0, eq), value_text = text.substr(eq + 1);
    std::size_t used = 0;
    double value = 0.0;
    try {
        value = std::stod(value_text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value_text.size() || value_text.empty())
        throw InputError("--set '" + text + "': '" + value_text + "' is not a number");
    set_parameter(problem, name, value, "--set");
}

void run(const RunOptions& o, const Context& context) {
    Scenario scenario = read_scenario(o.scenario);
    if (!o.parameters_file.empty()) scenario.parameters_file = o.parameters_file;
    if (o.format == "long") scenario.output.layout = CsvLayout::long_format;
    if (o.format == "wide") scenario.output.layout = CsvLayout::wide;
    const std::shared_ptr<const Model> model = scenario_model(scenario, context);
    Problem problem;
    if (o.dataset.empty()) {
        if (!o.id.empty()) throw InputError("--id " + o.id + ": names a subject of a dataset; give --dataset too");
        problem = build_problem(scenario, model);
    } else {
        const Dataset dataset = read_dataset(o.dataset, dataset_schema(*model));
        if (o.id.empty() && dataset.subjects.size() > 1)
            throw InputError(o.dataset + ": " + std::to_string(dataset.subjects.size()) +
                             " subjects; choose one with --id (IDs " + dataset.subjects.front().id + " to " +
                             dataset.subjects.back().id + ")");
        const Subject& subject = o.id.empty() ? dataset.subjects.front() : dataset.subject(o.id);
        problem = build_subject_problem(scenario, model, dataset, subject);
    }
    for (const auto& s : o.settings) apply_setting(problem, s);

    std::string out = o.output;
    if (out.empty()) out = scenario.output.file;
    if (out.empty()) out = std::filesystem::path(o.scenario).stem().string() + ".csv";
    refuse_to_overwrite_inputs(out, {o.scenario, scenario.parameters_file, o.dataset});

    Trajectory trajectory;
    try {
        trajectory = simulate(problem);
    } catch (const SolverError& e) {  // name the scenario that failed
        throw SolverError(o.scenario + ": " + e.what());
    }
    Provenance provenance = make_provenance(o.scenario, *model, problem.solver, context.command_line);
    const std::string fallback = describe_fallback(problem.solver, trajectory.stats);
    if (!fallback.empty()) provenance.entries.emplace_back("stiff_fallback_used", fallback);
    const std::string text = scenario.output.layout == CsvLayout::wide
                                 ? to_wide_csv(trajectory, scenario.output.outputs, provenance)
                                 : to_long_csv(trajectory, scenario.output.outputs, provenance);
    write_file_atomically(out, text);
    if (!fallback.empty()) std::cerr << "note: " << fallback << "\n";
    if (!o.quiet)
        std::cerr << "wrote " << out << " (" << trajectory.time_h.size() << " rows; " << trajectory.stats.steps
                  << " steps, " << trajectory.stats.rhs_evaluations << " right-hand-side evaluations)\n";
}

}  // namespace

std::shared_ptr<const Model> scenario_model(const Scenario& scenario, const Context& context) {
    try {
        return context.models->create(scenario.model);
    } catch (const InputError& e) {  // name the file and line of 'model:'
        const auto it = scenario.positions.find("model");
        throw InputError((it != scenario.positions.end() ? it->second.where() : scenario.path) + ": " + e.what());
    }
}

void add_run_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and write its time courses as CSV");
    cmd->add_option("scenario", options->scenario, "Scenario YAML file")->required();
    cmd->add_option("-o,--output", options->output, "Output CSV (default: output.file, else SCENARIO.csv here)");
    cmd->add_option("--format", options->format, "CSV layout")->check(CLI::IsMember({"wide", "long"}));
    cmd->add_option("--parameters", options->parameters_file, "Parameter file (e.g. written by mobsim fit)");
    cmd->add_option("--dataset", options->dataset,
                    "NONMEM-format dataset whose subject's doses and covariates replace the scenario's regimens");
    cmd->add_option("--id", options->id, "The dataset subject to simulate (may be left out for a single subject)");
    cmd->add_option("--set", options->settings, "Override a parameter: NAME=VALUE (repeatable)");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
