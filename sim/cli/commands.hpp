// Subcommands of the mobsim program. Each registers its options on the CLI11 app and runs when chosen.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>

#include "sim/engine/component_import.hpp"
#include "sim/engine/model.hpp"
#include "sim/engine/scenario.hpp"

namespace mobsim::cli {

struct Context {
    const ModelRegistry* models;
    std::string command_line;
};

// The scenario's model; an unknown name is an InputError at the file and line of 'model:'.
std::shared_ptr<const Model> scenario_model(const Scenario& scenario, const Context& context);

void add_run_command(CLI::App& app, const Context& context);
void add_describe_command(CLI::App& app, const Context& context);
void add_exposure_command(CLI::App& app, const Context& context);
void add_cohort_command(CLI::App& app, const Context& context);
void add_association_command(CLI::App& app, const Context& context);
void add_sweep_command(CLI::App& app, const Context& context);
void add_fit_command(CLI::App& app, const Context& context);
void add_profile_command(CLI::App& app, const Context& context);
void add_sensitivity_command(CLI::App& app, const Context& context);
void add_bench_command(CLI::App& app, const Context& context);
void add_vpop_command(CLI::App& app, const Context& context);
void add_nlme_command(CLI::App& app, const Context& context);
void add_vpc_command(CLI::App& app, const Context& context);
void add_dataset_command(CLI::App& app, const Context& context);
// `mobsim model check|show FILE`: model files (docs/model-files.md); *model_cache is --model-cache.
void add_model_command(CLI::App& app, const std::string* model_cache, const ComponentSource& components);

}  // namespace mobsim::cli
