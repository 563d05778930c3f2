// Model files: the checker. Resolves every name, orders derived quantities, checks that each state has one
// equation, and checks dimensions where units are declared. Its result is what the generator translates.
#pragma once
#include <map>

#include "sim/engine/component_import.hpp"
#include "sim/model_files/model_file_syntax.hpp"

namespace mobsim::model_file {

struct Symbol {
    enum class Kind { parameter, covariate, state, derived, time, amount, input };
    Kind kind = Kind::parameter;
    int index = 0;         // into parameters, covariates, states, inputs; for derived: into `statements`
    bool dynamic = false;  // depends on the states or on time (derived only); else computed once per binding
    int precomputed = -1;  // slot of a derived quantity computed once per binding
    bool from_ports = false;  // derived once per binding from imported ports' initial values (initial(NAME.PORT))
};

struct CheckedModel {
    ModelFileSyntax syntax;
    std::string source_sha256;  // of the file's text
    std::map<std::string, Symbol> symbols;
    std::vector<int> derivative_of_state;  // statement index of each state's equation
    int precomputed_count = 0;
    std::vector<std::string> inputs;  // the imported ports read ("plerixafor.central_concentration"), in x after the states
    std::map<std::string, int> initial_slots;  // port read by initial(NAME.PORT) -> its precomputed slot
};

// Reads, parses and checks a model file. Throws InputError listing every problem as FILE:LINE:COL: message.
// `components`: what `import` may name (nullptr: nothing).
CheckedModel read_model_file(const std::string& path, const ComponentSource* components = nullptr);
// The same on text already read (`file` names it in messages).
CheckedModel check_model_text(const std::string& text, const std::string& file,
                              const ComponentSource* components = nullptr);

}  // namespace mobsim::model_file
