#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/studies/sweep.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim::cli {

namespace {

struct RunOptions {
    std::string scenario;
    std::string output;
    std::string format;
    std::string parameters_file;
    std::string dataset;
    std::string id;
    std::string time_unit = "h";
    std::string covariate_direction = "nocb";
    std::vector<std::string> settings;
    bool quiet = false;
    bool force = false;
};

std::pair<std::string, std::string> split_setting(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set '" + text + "': expected NAME=VALUE");
    return {text.substr(0, eq), text.substr(eq + 1)};
}

// A parameter name (CL, or parameters.CL) is set on the built problem, so that its range is checked with "--set";
// covariates (weight_kg, patient.weight_kg) and regimen fields (plerixafor.amount, filgrastim.days) change the
// scenario before it is built.
bool is_parameter_setting(const std::string& name, const Model& model) {
    return name.rfind("parameters.", 0) == 0 || model.parameter_index(name) >= 0;
}

void apply_scenario_setting(Scenario& scenario, const Model& model, const std::string& text) {
    const auto [name, value_text] = split_setting(text);
    if (is_parameter_setting(name, model)) return;
    if (name.find('.') != std::string::npos) return apply_override(scenario, name, value_text);
    std::vector<std::string> known;
    for (const auto& p : model.parameters()) known.push_back(p.name);
    for (const auto& c : model.covariates()) known.push_back(c.name);
    known.push_back("weight_kg");
    if (std::find(known.begin(), known.end(), name) == known.end())
        throw InputError("--set " + text + ": '" + name + "' is neither a parameter nor a covariate of model '" +
                         model.name() + "'" + did_you_mean(name, known) +
                         "; regimen fields are LABEL.FIELD, e.g. plerixafor.amount");
    apply_override(scenario, "patient." + name, value_text);
}

void apply_setting(Problem& problem, const std::string& text) {
    auto [name, value_text] = split_setting(text);
    if (!is_parameter_setting(name, *problem.model)) return;
    if (name.rfind("parameters.", 0) == 0) name = name.substr(11);
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
    std::string extension = std::filesystem::path(o.scenario).extension().string();
    for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (extension == ".csv")  // the first thing a NONMEM user tries
        throw InputError(o.scenario + ": a scenario is a YAML file (model, parameters, output); to simulate a dataset "
                         "subject give both: mobsim run SCENARIO.yaml --dataset " + o.scenario + " --id ID");
    Scenario scenario = read_scenario(o.scenario);
    if (!o.parameters_file.empty()) scenario.parameters_file = o.parameters_file;
    if (o.format == "long") scenario.output.layout = CsvLayout::long_format;
    if (o.format == "wide") scenario.output.layout = CsvLayout::wide;
    const std::shared_ptr<const Model> model = scenario_model(scenario, context);
    for (const auto& s : o.settings) apply_scenario_setting(scenario, *model, s);
    Problem problem;
    if (o.dataset.empty()) {
        if (!o.id.empty()) throw InputError("--id " + o.id + ": names a subject of a dataset; give --dataset too");
        problem = build_problem(scenario, model);
    } else {
        DatasetSchema schema = dataset_schema(*model);
        schema.hours_per_time_unit = hours_per_time_unit(o.time_unit, "--time-unit");
        schema.covariate_carry = covariate_carry_named(o.covariate_direction, "--covariate-direction");
        const Dataset dataset = read_dataset(o.dataset, schema);
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
    check_output_paths({out}, o.force);

    Trajectory trajectory;
    try {
        trajectory = simulate(problem);
    } catch (const SolverError& e) {  // name the scenario that failed
        throw SolverError(o.scenario + ": " + e.what());
    }
    Provenance provenance = make_provenance(o.scenario, *model, problem.solver, context.command_line);
    add_parameters_file(provenance, scenario.parameters_file);
    for (const auto& reg : problem.regimens) {  // when each drug was given (plots mark the doses)
        std::string times;
        for (double t : administration_times(reg)) times += (times.empty() ? "" : " ") + format_number(t + reg.lag_h);
        provenance.entries.emplace_back("dose_times_h." + reg.label, times);
    }
    const std::string fallback = describe_fallback(problem.solver, trajectory.stats);
    if (!fallback.empty()) provenance.entries.emplace_back("stiff_fallback_used", fallback);
    const std::string text = scenario.output.layout == CsvLayout::wide
                                 ? to_wide_csv(trajectory, scenario.output.outputs, provenance)
                                 : to_long_csv(trajectory, scenario.output.outputs, provenance);
    write_file_atomically(out, text, o.force);
    if (!fallback.empty()) std::cerr << "note: " << fallback << "\n";
    if (!o.quiet)
        std::cerr << "wrote " << (out == "-" ? "standard output" : out) << " (" << trajectory.time_h.size() << " rows; " << trajectory.stats.steps
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
    add_output_option(cmd, "-o,--output", options->output,
                      "Output CSV, - for standard output (default: output.file, else SCENARIO.csv here)");
    add_force_flag(cmd, options->force);
    cmd->add_option("--format", options->format, "CSV layout")->check(CLI::IsMember({"wide", "long"}));
    cmd->add_option("--parameters", options->parameters_file, "Parameter file (e.g. written by mobsim fit)");
    cmd->add_option("--dataset", options->dataset,
                    "NONMEM-format dataset whose subject's doses and covariates replace the scenario's regimens");
    cmd->add_option("--time-unit", options->time_unit, "Unit of the dataset's TIME and II: h (default), min, d or w");
    cmd->add_option("--covariate-direction", options->covariate_direction,
                    "How a dataset covariate that changes fills the time between records: nocb (default, NONMEM: "
                    "the next record's value holds back to the previous record) or locf (last value carried forward)");
    cmd->add_option("--id", options->id, "The dataset subject to simulate (may be left out for a single subject)");
    cmd->add_option("--set", options->settings,
                    "Override NAME=VALUE (repeatable): a parameter (CL=5), a covariate (weight_kg=95) or a regimen "
                    "field (plerixafor.amount=320, filgrastim.days=1,2,3,4,5, sorafenib.clock=08:00,20:00)");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
