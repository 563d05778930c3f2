#include "sim/model_files/model_file_imports.hpp"

#include <algorithm>

#include "sim/base/text_match.hpp"

namespace mobsim::model_file {

ImportScope::ImportScope(const ModelFileSyntax& syntax, const ComponentSource* source, std::vector<Diagnostic>& errors)
    : source_(source), errors_(errors) {
    const std::vector<std::string> available = source ? source->names() : std::vector<std::string>{};
    std::map<std::string, Position> lines;
    for (const Declared& d : syntax.imports) {
        const ImportableComponent* c = source ? source->find(d.name) : nullptr;
        if (!c) {
            error(d.at, "unknown component '" + d.name + "'" + did_you_mean(d.name, available) +
                            (available.empty() ? " (" + (source ? source->none_available() : ComponentSource::kNothingImportable) + ")"
                                               : " (components: " + join(available, ", ") + ")"));
            continue;
        }
        if (!lines.emplace(d.name, d.at).second) {
            error(d.at, "component '" + d.name + "' is already imported at line " + std::to_string(lines[d.name].line));
            continue;
        }
        imported_[d.name] = c;
        const auto bring = [&](std::map<std::string, Brought>& into, const std::string& name, const std::string& kind,
                               const std::string& unit) {
            into.emplace(name, Brought{kind + " of the imported component '" + d.name + "'", unit, d.at});
        };
        for (const auto& s : c->states) bring(names_, s.name, "a state", s.unit);
        for (const auto& p : c->parameters) bring(names_, p.name, "a parameter", p.unit);
        for (const auto& o : c->outputs) bring(outputs_, o.name, "an output", o.unit);
        for (const auto& v : c->covariates) bring(covariates_, v.name, "a covariate", v.unit);
    }
    if (const auto it = imported_.find(syntax.name); it != imported_.end())
        error(syntax.name_at.line ? syntax.name_at : syntax.imports.front().at,
              "the model's name '" + syntax.name + "' is also an imported component's name; choose another (model NAME)");
}

void ImportScope::check_declared(const Declared& d, const std::string& kind, const std::string& unit) {
    const auto find = [&](const std::map<std::string, Brought>& in) {
        const auto it = in.find(d.name);
        return it == in.end() ? nullptr : &it->second;
    };
    const Brought* b = kind == "output" ? find(outputs_) : find(names_);
    bool covariate_unit = false;
    if (!b && kind != "output" && (b = find(covariates_)) != nullptr) {
        if (kind == "covariate" && b->unit == unit) return;  // one covariate, shared
        covariate_unit = kind == "covariate";
    }
    if (!b) return;
    error(d.at, "the " + kind + " '" + d.name + "' clashes with " + b->what + " (imported at line " +
                    std::to_string(b->at.line) + ")" +
                    (covariate_unit ? ", declared in [" + b->unit + "]: use that unit to share it" : "; choose another name"));
}

bool ImportScope::check_port(const std::string& qualified, Position at) {
    const std::size_t dot = qualified.find('.');
    const std::string component = qualified.substr(0, dot), port = qualified.substr(dot + 1);
    const auto it = imported_.find(component);
    if (it == imported_.end()) {
        if (source_ && source_->find(component)) {
            error(at, "component '" + component + "' is not imported: add 'import " + component + "'");
        } else {
            std::vector<std::string> known = source_ ? source_->names() : std::vector<std::string>{};
            error(at, "unknown component '" + component + "' in '" + qualified + "'" + did_you_mean(component, known));
        }
        return false;
    }
    const auto& ports = it->second->ports;
    if (std::find(ports.begin(), ports.end(), port) != ports.end()) return true;
    error(at, "component '" + component + "' has no port '" + port + "'" + did_you_mean(port, ports) + " (ports: " +
                  join(ports, ", ") + ")");
    return false;
}

}  // namespace mobsim::model_file
