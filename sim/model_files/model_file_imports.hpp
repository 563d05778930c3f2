// Model files: `import NAME` brings a shipped component into the model (docs/model-files.md, "Imports"). The
// scope checks the imports, that the file declares none of the names they bring, and resolves NAME.PORT.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/engine/component_import.hpp"
#include "sim/model_files/model_file_syntax.hpp"

namespace mobsim::model_file {

class ImportScope {
public:
    // Checks every `import` of `syntax` against `source` (nullptr: nothing can be imported).
    ImportScope(const ModelFileSyntax& syntax, const ComponentSource* source, std::vector<Diagnostic>& errors);
    bool empty() const { return imported_.empty(); }
    // An error where the file declares a name an imported component brings: `kind` is "parameter", "state",
    // "covariate", "derived quantity" or "output" (outputs have their own namespace; a covariate of the same
    // unit is shared).
    void check_declared(const Declared& d, const std::string& kind, const std::string& unit = "");
    // An error where a qualified name is not a port of an imported component; false then.
    bool check_port(const std::string& qualified, Position at);

private:
    struct Brought {
        std::string what;  // "parameter of the imported component 'plerixafor'"
        std::string unit;
        Position at;  // of the import
    };
    void error(Position at, std::string message) { errors_.push_back({at, std::move(message)}); }
    const ComponentSource* source_;
    std::vector<Diagnostic>& errors_;
    std::map<std::string, const ImportableComponent*> imported_;
    std::map<std::string, Brought> names_, outputs_, covariates_;
};

}  // namespace mobsim::model_file
