#include <iostream>

#include "commands.hpp"
#include "sim/io/csv_output.hpp"

namespace mobsim::cli {

namespace {

std::string cell(const std::string& text) { return text.empty() ? "—" : text; }

void describe(const Model& m) {
    std::cout << "# Model `" << m.name() << "`\n\n" << m.description() << "\n\n## States\n\n| state | unit | meaning |\n|---|---|---|\n";
    for (const auto& s : m.states()) {
        std::cout << "| `" << s.name << "` | " << s.unit << " | " << s.description;
        if (s.tolerance_scale != 1.0) std::cout << " (solver tolerance x" << format_number(s.tolerance_scale) << ")";
        std::cout << " |\n";
    }
    std::cout << "\n## Parameters\n\n| parameter | value | unit | meaning | source |\n|---|---|---|---|---|\n";
    for (const auto& p : m.parameters())
        std::cout << "| `" << p.name << "` | " << format_number(p.value) << " | " << cell(p.unit) << " | "
                  << p.description << " | " << p.source << " |\n";
    std::cout << "\n## Patient covariates\n\n";
    if (m.covariates().empty()) std::cout << "None.\n";
    else {
        std::cout << "| covariate | unit | meaning |\n|---|---|---|\n";
        for (const auto& c : m.covariates()) std::cout << "| `" << c.name << "` | " << c.unit << " | " << c.description << " |\n";
    }
    std::cout << "\n## Outputs\n\n| output | CSV column | meaning |\n|---|---|---|\n";
    for (const auto& o : m.outputs())
        std::cout << "| `" << o.name << "` | `" << column_name(o) << "` | " << o.description << " |\n";
}

}  // namespace

void add_describe_command(CLI::App& app, const Context& context) {
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("describe", "Print a model's states, parameters (with sources) and outputs "
                                                   "as Markdown; without a name, list the models");
    cmd->add_option("model", *name, "Model name");
    cmd->callback([name, context] {
        if (name->empty()) {
            for (const auto& n : context.models->names())
                std::cout << n << ": " << context.models->create(n)->description() << '\n';
            return;
        }
        describe(*context.models->create(*name));
    });
}

}  // namespace mobsim::cli
