#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "sim/atomic_file.hpp"
#include "sim/dataset_writer.hpp"
#include "sim/errors.hpp"
#include "sim/simulation.hpp"

namespace mobsim::cli {

namespace {

struct DatasetOptions {
    std::string scenario;
    std::string output;
    std::string id = "1";
    bool quiet = false;
};

void write_dataset(const DatasetOptions& o, const Context& context) {
    const Scenario scenario = read_scenario(o.scenario);
    std::shared_ptr<const Model> model;
    try {
        model = context.models->create(scenario.model);
    } catch (const InputError& e) {  // name the file and line of 'model:'
        const auto it = scenario.positions.find("model");
        throw InputError((it != scenario.positions.end() ? it->second.where() : o.scenario) + ": " + e.what());
    }
    const Problem problem = build_problem(scenario, model);
    std::string out = o.output;
    if (out.empty()) out = std::filesystem::path(o.scenario).stem().string() + "_dataset.csv";
    refuse_to_overwrite_inputs(out, {o.scenario, scenario.parameters_file});
    const std::string text = regimens_to_dataset(problem, scenario.patient, o.id);
    write_file_atomically(out, text);
    if (!o.quiet) std::cerr << "wrote " << out << "\n";
}

}  // namespace

void add_dataset_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<DatasetOptions>();
    CLI::App* cmd = app.add_subcommand(
        "dataset", "Write a scenario's regimens as a NONMEM-format dataset (run it back with mobsim run --dataset)");
    cmd->add_option("scenario", options->scenario, "Scenario YAML file")->required();
    cmd->add_option("-o,--output", options->output, "Output CSV (default: SCENARIO_dataset.csv here)");
    cmd->add_option("--id", options->id, "The subject's ID in the dataset (default 1)");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { write_dataset(*options, context); });
}

}  // namespace mobsim::cli
