#include <chrono>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/dataset.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/io/dataset_writer.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim::cli {

namespace {

struct DatasetOptions {
    std::string scenario;
    std::string output;
    std::string id = "1";
    std::string check;
    bool quiet = false;
};

void write_dataset(const DatasetOptions& o, const Context& context) {
    const Scenario scenario = read_scenario(o.scenario);
    const std::shared_ptr<const Model> model = scenario_model(scenario, context);
    if (!o.check.empty()) {  // read and validate a dataset against the scenario's model; say what it holds
        const auto start = std::chrono::steady_clock::now();
        const Dataset dataset = read_dataset(o.check, dataset_schema(*model));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::size_t doses = 0, observations = 0, censored = 0;
        for (const auto& s : dataset.subjects) {
            doses += s.dosing.doses.size();
            observations += s.observations.size();
            for (const auto& obs : s.observations) censored += obs.censoring != Censoring::none;
        }
        std::cout << o.check << ": " << dataset.records << " records, " << dataset.subjects.size() << " subjects, "
                  << doses << " doses (ADDL expanded), " << observations << " observations (" << censored
                  << " censored), covariates: " << (dataset.covariate_names.empty() ? "none" : join(dataset.covariate_names, ", "))
                  << "\nread and checked in " << seconds << " s\n";
        return;
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
    cmd->add_option("--check", options->check,
                    "Instead: read DATASET against the scenario's model, report what it holds and the time taken");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    cmd->callback([options, context] { write_dataset(*options, context); });
}

}  // namespace mobsim::cli
