#include "sim/engine/model.hpp"

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {
template <class Infos>
int index_of(const Infos& infos, const std::string& name) {
    for (std::size_t i = 0; i < infos.size(); ++i)
        if (infos[i].name == name) return static_cast<int>(i);
    return -1;
}

template <class Infos>
std::vector<std::string> names_of(const Infos& infos) {
    std::vector<std::string> names;
    for (const auto& info : infos) names.push_back(info.name);
    return names;
}

// The index of `name` in `infos` (model `model`'s `kind`s); InputError naming `where`, a near match and the list.
template <class Infos>
int require_index(const std::string& model, const Infos& infos, const std::string& kind, const std::string& name,
                  const std::string& where) {
    const int index = index_of(infos, name);
    if (index < 0) {
        const std::vector<std::string> names = names_of(infos);
        throw InputError(where + ": model '" + model + "' has no " + kind + " '" + name + "'" +
                         did_you_mean(name, names) + " (" + kind + "s: " + join(names, ", ") + ")");
    }
    return index;
}
}  // namespace

int Model::state_index(const std::string& name) const { return index_of(states(), name); }
int Model::parameter_index(const std::string& name) const { return index_of(parameters(), name); }
int Model::output_index(const std::string& name) const { return index_of(outputs(), name); }

std::vector<double> Model::default_parameters() const {
    std::vector<double> values;
    for (const auto& p : parameters()) values.push_back(p.value);
    return values;
}

std::vector<std::string> Model::output_names() const { return names_of(outputs()); }
std::vector<std::string> Model::state_names() const { return names_of(states()); }

int Model::require_output(const std::string& name, const std::string& where) const {
    return require_index(this->name(), outputs(), "output", name, where);
}

int Model::require_state(const std::string& name, const std::string& where) const {
    return require_index(this->name(), states(), "state", name, where);
}

void ModelRegistry::add(const std::string& name, ModelFactory factory) {
    factories_[name] = std::move(factory);
}

std::unique_ptr<Model> ModelRegistry::create(const std::string& name) const {
    if (names_model_file(name)) {
        if (!file_loader_) throw InputError("model file '" + name + "': model files cannot be loaded here");
        return file_loader_(name);
    }
    auto it = factories_.find(name);
    if (it == factories_.end())
        throw InputError("unknown model '" + name + "'" + did_you_mean(name, names()) +
                         " (known models: " + join(names(), ", ") + ")");
    return it->second();
}

std::vector<std::string> ModelRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, factory] : factories_) out.push_back(name);
    return out;
}

}  // namespace mobsim
