// mobsim: the command-line program. Parsing and error reporting only; the work is in the engine.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include "commands.hpp"
#include "models/component_imports.hpp"
#include "models/registry.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/base/text_match.hpp"
#include "sim/engine/solver.hpp"
#include "sim/numerics/distributed.hpp"

namespace {

// The exit code, after the message; under mpirun with several ranks one failing rank ends them all, so that
// rank 0 never waits for it and writes no output.
int failed(int code, const std::string& message) {
    namespace d = mobsim::distributed;
    if (d::ranks() == 1) {
        std::cerr << message << '\n';
        return code;
    }
    std::cerr << "mobsim (MPI rank " << d::rank() << " of " << d::ranks() << "): " << message.substr(8)
              << "\nmobsim: ending every rank; no output was written\n";
    d::abort_all(code);
}

}  // namespace


int main(int argc, char** argv) {
    mobsim::distributed::Session mpi(argc, argv);  // MPI when built with it; nothing otherwise
    // after MPI's start, which may install handlers of its own: temporaries must go when mpirun ends a rank
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(s, mobsim::mobsim_on_termination_signal);
    mobsim::ModelRegistry models = mobsim::models::builtin_models();
    const auto model_cache = std::make_shared<std::string>();  // set by --model-cache before any command runs
    models.set_file_loader([model_cache](const std::string& path) {
        return mobsim::model_file::load_model_file(path, {*model_cache, true, &mobsim::models::builtin_components()});
    });
    mobsim::cli::Context context{&models, ""};
    for (int i = 0; i < argc; ++i) context.command_line += (i ? " " : "") + std::string(argv[i]);

    CLI::App app{"mobsim: pharmacokinetic/pharmacodynamic simulation of leukemic-cell mobilization"};
    app.set_version_flag("--version", "mobsim " + mobsim::program_version() + " (" + mobsim::git_revision() + ")");
    app.require_subcommand(1);
    app.footer([] {  // built only when help is printed
        std::string methods = "\nSolver methods (a scenario's solver.method):\n";
        for (const mobsim::SolverMethod& m : mobsim::solver_methods())
            methods += "  " + std::string(m.name) +
                       std::string(16 - std::min<std::size_t>(15, std::strlen(m.name)), ' ') + m.summary + "\n";
        return methods;
    });
    app.fallthrough();  // --model-cache may follow the command's name
    app.add_option("--model-cache", *model_cache, "Folder of compiled model files (default: $XDG_CACHE_HOME/mobsim "
                                                   "or ~/.cache/mobsim)");
    mobsim::cli::add_run_command(app, context);
    mobsim::cli::add_describe_command(app, context);
    mobsim::cli::add_exposure_command(app, context);
    mobsim::cli::add_cohort_command(app, context);
    mobsim::cli::add_association_command(app, context);
    mobsim::cli::add_sweep_command(app, context);
    mobsim::cli::add_fit_command(app, context);
    mobsim::cli::add_profile_command(app, context);
    mobsim::cli::add_sensitivity_command(app, context);
    mobsim::cli::add_bench_command(app, context);
    mobsim::cli::add_vpop_command(app, context);
    mobsim::cli::add_nlme_command(app, context);
    mobsim::cli::add_vpc_command(app, context);
    mobsim::cli::add_dataset_command(app, context);
    mobsim::cli::add_model_command(app, model_cache.get(), mobsim::models::builtin_components());

    // an unknown first word gets a near match instead of CLI11's "a subcommand is required"
    if (argc > 1 && argv[1][0] != '-') {
        std::vector<std::string> known;
        for (const CLI::App* sub : app.get_subcommands({})) known.push_back(sub->get_name());
        if (std::find(known.begin(), known.end(), argv[1]) == known.end()) {
            std::cerr << "mobsim: unknown command '" << argv[1] << "'" << mobsim::did_you_mean(argv[1], known)
                      << " (commands: " << mobsim::join(known, ", ") << ")\n";
            return mobsim::kExitInputError;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "mobsim: " << e.what() << "\nRun 'mobsim --help' for usage.\n";
        return mobsim::kExitInputError;
    } catch (const mobsim::InputError& e) {
        return failed(mobsim::kExitInputError, std::string("mobsim: error: ") + e.what());
    } catch (const mobsim::SolverError& e) {
        return failed(mobsim::kExitSolverError, std::string("mobsim: solver error: ") + e.what());
    } catch (const std::exception& e) {
        return failed(1, std::string("mobsim: internal error: ") + e.what());
    }
    return 0;
}
