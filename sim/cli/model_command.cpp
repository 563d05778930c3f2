#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "sim/model_files/model_file_generate.hpp"

namespace mobsim::cli {

void add_model_command(CLI::App& app, const std::string* model_cache, const ComponentSource& components) {
    CLI::App* model = app.add_subcommand("model", "Model files (docs/model-files.md): check one, or show its C++");
    model->require_subcommand(1);

    auto check_file = std::make_shared<std::string>();
    auto no_compile = std::make_shared<bool>(false);
    CLI::App* check = model->add_subcommand(
        "check", "Check a model file and compile it into the cache (nothing is simulated); prints its size and the "
                 "time taken, which is the compile-time and cached-load benchmark");
    check->add_option("file", *check_file, "Model file (.model)")->required();
    check->add_flag("--no-compile", *no_compile, "Only parse and check; do not call the C++ compiler");
    check->callback([check_file, no_compile, model_cache, &components] {
        const model_file::CheckedModel checked = model_file::read_model_file(*check_file, &components);
        const auto& s = checked.syntax;
        std::cout << *check_file << ": model '" << s.name << "' is valid: " << s.states.size() << " states, "
                  << s.parameters.size() << " parameters, " << s.covariates.size() << " covariates";
        for (std::size_t i = 0; i < s.imports.size(); ++i) std::cout << (i ? ", " : "; imports ") << s.imports[i].name;
        std::cout << '\n';
        if (*no_compile) return;
        model_file::LoadReport report;
        const auto model = model_file::load_model_file(*check_file, {*model_cache, true, &components}, &report);
        if (!s.imports.empty()) std::cout << model->description() << " (" << model->states().size() << " states)\n";
        std::cout << (report.compiled ? "compiled and loaded in " : "loaded from the cache in ") << std::fixed
                  << std::setprecision(1) << report.seconds * 1e3 << " ms: " << report.library_path << '\n';
    });

    auto show_file = std::make_shared<std::string>();
    CLI::App* show = model->add_subcommand("show", "Print the C++ that mobsim generates for a model file");
    show->add_option("file", *show_file, "Model file (.model)")->required();
    show->callback([show_file, &components] {
        std::cout << model_file::generate_cpp(model_file::read_model_file(*show_file, &components));
    });
}

}  // namespace mobsim::cli
