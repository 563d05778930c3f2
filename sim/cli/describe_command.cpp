#include <iostream>

#include "commands.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/io/json_output.hpp"

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

// The same as one JSON object, for scripts: every state with its index in the state vector (the layout a
// reference implementation or a dataset's CMT column needs), parameters with bounds, covariates, outputs.
void describe_json(const Model& m) {
    const auto field = [](const char* key, const std::string& json) { return json_string(key) + ": " + json; };
    const auto list = [](const auto& items, const auto& object) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\n    {" : "\n    {") + object(i, items[i]) + "}";
        return out + (items.empty() ? "]" : "\n  ]");
    };
    std::cout << "{\n  " << field("name", json_string(m.name())) << ",\n  "
              << field("description", json_string(m.description())) << ",\n  "
              << field("states", list(m.states(), [&](std::size_t i, const StateInfo& s) {
                     return field("index", std::to_string(i)) + ", " + field("name", json_string(s.name)) + ", " +
                            field("unit", json_string(s.unit)) + ", " +
                            field("cumulative", s.cumulative ? "true" : "false") + ", " +
                            field("tolerance_scale", json_number(s.tolerance_scale)) + ", " +
                            field("description", json_string(s.description));
                 }))
              << ",\n  " << field("parameters", list(m.parameters(), [&](std::size_t i, const ParameterInfo& p) {
                     return field("index", std::to_string(i)) + ", " + field("name", json_string(p.name)) + ", " +
                            field("value", json_number(p.value)) + ", " + field("unit", json_string(p.unit)) + ", " +
                            field("lower", json_number(p.lower)) + ", " + field("upper", json_number(p.upper)) + ", " +
                            field("description", json_string(p.description)) + ", " +
                            field("source", json_string(p.source));
                 }))
              << ",\n  " << field("covariates", list(m.covariates(), [&](std::size_t i, const CovariateInfo& c) {
                     return field("index", std::to_string(i)) + ", " + field("name", json_string(c.name)) + ", " +
                            field("unit", json_string(c.unit)) + ", " + field("description", json_string(c.description));
                 }))
              << ",\n  " << field("outputs", list(m.outputs(), [&](std::size_t i, const OutputInfo& o) {
                     return field("index", std::to_string(i)) + ", " + field("name", json_string(o.name)) + ", " +
                            field("unit", json_string(o.unit)) + ", " + field("column", json_string(column_name(o))) +
                            ", " + field("description", json_string(o.description));
                 }))
              << "\n}\n";
}

}  // namespace

void add_describe_command(CLI::App& app, const Context& context) {
    auto name = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("markdown");
    CLI::App* cmd = app.add_subcommand("describe", "Print a model's states, parameters (with sources) and outputs "
                                                   "as Markdown or JSON; without a name, list the models");
    cmd->add_option("model", *name, "Model name");
    cmd->add_option("--format", *format, "markdown (default) or json (with each state's index in the state vector)")
        ->check(CLI::IsMember({"markdown", "json"}));
    cmd->callback([name, format, context] {
        if (name->empty()) {
            for (const auto& n : context.models->names())
                std::cout << n << ": " << context.models->create(n)->description() << '\n';
            return;
        }
        const auto model = context.models->create(*name);
        if (*format == "json") describe_json(*model);
        else describe(*model);
    });
}

}  // namespace mobsim::cli
