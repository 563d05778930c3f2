#include <iostream>

#include "cli_options.hpp"
#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/sensitivity.hpp"

namespace mobsim::cli {

void add_sensitivity_command(CLI::App& app, const Context& context) {
    struct Options {
        std::string scenario, output;
        std::vector<std::string> outputs;
        double start_h = 0.0, end_h = 344.0, step = 0.01;
        bool force = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("sensitivity", "Local sensitivity of output maxima over a window to every "
                                                      "parameter: d ln(max y)/d ln(theta), central differences");
    cmd->add_option("scenario", o->scenario, "Scenario YAML file")->required();
    cmd->add_option("--outputs", o->outputs, "Outputs to maximise (e.g. fold_cd34)")->required()->delimiter(',');
    cmd->add_option("--start-h", o->start_h, "Window start (h)")->check(in_range(0, 876000));
    cmd->add_option("--end-h", o->end_h, "Window end (h); default 344 = end of day 14 with 08:00 dosing")
        ->check(in_range(0, 876000));
    cmd->add_option("--step", o->step, "Relative parameter step")->check(in_range(1e-6, 0.5));
    add_output_option(cmd, "-o,--output", o->output, "CSV file, - for standard output (the default)");
    add_force_flag(cmd, o->force);
    cmd->callback([o, context] {
        if (!(o->end_h > o->start_h))
            throw InputError("--start-h " + format_number(o->start_h) + " --end-h " + format_number(o->end_h) +
                             ": the window is empty; expected --end-h greater than --start-h");
        const std::string out = o->output.empty() ? "-" : o->output;
        refuse_to_overwrite_inputs(out, {o->scenario});
        check_output_paths({out}, o->force);
        const Scenario scenario = read_scenario(o->scenario);
        const Problem problem = build_problem(scenario, context.models->create(scenario.model));
        Provenance provenance = make_provenance(o->scenario, *problem.model, problem.solver, context.command_line);
        add_parameters_file(provenance, scenario.parameters_file);
        auto& entries = provenance.entries;  // rows are parameters, not time points
        entries.pop_back();
        entries.emplace_back("sensitivity", "d ln(max y)/d ln(theta) over [" + format_number(o->start_h) + ", " +
                                                format_number(o->end_h) + "] h, central differences, relative step " +
                                                format_number(o->step));
        const std::string csv = provenance_lines(provenance) +
                                to_csv(local_sensitivity(problem, o->outputs, o->start_h, o->end_h, o->step));
        write_file_atomically(out, csv, o->force);
    });
}

}  // namespace mobsim::cli
