#include "models/composed_model.hpp"

#include "models/composed_system.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace mobsim::models {

namespace {

[[noreturn]] void reject(const std::string& model, const std::string& what) {
    throw std::logic_error("composed model '" + model + "': " + what);
}

// `names` views the components' own strings, which outlive it.
void insert_unique(std::set<std::string_view>& names, std::string_view name, const std::string& kind,
                   const std::string& model) {
    if (!names.insert(name).second) reject(model, "duplicated " + kind + " name '" + std::string(name) + "'");
}

// The linear blocks a component declares, located in model state indices. `port_used[i]`: the component's
// port i is some component's input or a model output.
void place_blocks(const ComponentDeclaration& c, int component, int offset, const std::vector<bool>& port_used,
                  const std::string& model, std::vector<BlockPlacement>& blocks) {
    std::vector<int> seen;
    for (std::size_t i = 0; i < c.states.size(); ++i) {
        const int id = c.states[i].linear_block;
        if (id < 0) continue;
        const int at = offset + static_cast<int>(i);
        auto it = std::find_if(blocks.begin(), blocks.end(),
                               [&](const BlockPlacement& b) { return b.component == component && b.local_block == id; });
        if (it == blocks.end()) {
            blocks.push_back({component, id, {at, 0, {}}});
            it = std::prev(blocks.end());
        } else if (it->block.first_state + it->block.size != at) {
            reject(model, "linear block " + std::to_string(id) + " of '" + c.name + "' is not contiguous");
        }
        ++it->block.size;
        const ComponentState& state = c.states[i];
        if (state.coupling && (state.coupling_port < 0 || port_used.at(state.coupling_port))) it->block.coupling.push_back(at);
    }
}

}  // namespace

ComposedModel::ComposedModel(std::string name, std::string description, std::vector<ComponentDeclaration> components,
                             const std::vector<std::string>& outputs, ComposedSystemBinder bind_system)
    : ModelBase(name, std::move(description)), bind_system_(bind_system) {
    auto wiring = std::make_shared<ComposedWiring>();
    std::set<std::string_view> component_names, state_names, parameter_names, output_names;
    std::map<std::string, int> port_list;  // qualified name -> port-value index
    for (std::size_t k = 0; k < components.size(); ++k) {
        const ComponentDeclaration& c = components[k];
        insert_unique(component_names, c.name, "component", name);
        Placement at{static_cast<int>(states_.size()), static_cast<int>(parameters_.size()),
                     static_cast<int>(port_list.size()), {}, {}};
        for (const ComponentState& s : c.states) {
            insert_unique(state_names, s.info.name, "state", name);
            states_.push_back(s.info);
        }
        for (const ParameterInfo& p : c.parameters) {
            insert_unique(parameter_names, p.name, "parameter", name);
            parameters_.push_back(p);
        }
        for (const CovariateInfo& cov : c.covariates) {
            auto it = std::find_if(covariates_.begin(), covariates_.end(),
                                   [&](const CovariateInfo& m) { return m.name == cov.name; });
            if (it == covariates_.end()) it = covariates_.insert(covariates_.end(), cov);
            else if (it->unit != cov.unit) reject(name, "covariate '" + cov.name + "' declared in two units");
            at.covariates.push_back(static_cast<int>(it - covariates_.begin()));
        }
        for (const std::string& port : c.ports)
            if (!port_list.emplace(c.name + "." + port, static_cast<int>(port_list.size())).second)
                reject(name, "duplicated port name '" + c.name + "." + port + "'");
        wiring->placements.push_back(at);
    }
    const auto port_index = [&](const std::string& qualified, const std::string& reader) {
        const auto it = port_list.find(qualified);
        if (it == port_list.end()) reject(name, reader + " reads missing port '" + qualified + "'");
        return it->second;
    };
    std::vector<const OutputInfo*> declared;
    std::vector<int> declared_ports;
    for (std::size_t k = 0; k < components.size(); ++k) {
        const ComponentDeclaration& c = components[k];
        if (c.inputs.size() > static_cast<std::size_t>(kMaxComponentInputs)) reject(name, "'" + c.name + "' has too many inputs");
        for (const std::string& input : c.inputs) {
            const int port = port_index(input, "component '" + c.name + "'");
            std::size_t owner = 0;
            while (owner + 1 < components.size() && wiring->placements[owner + 1].port <= port) ++owner;
            if (owner >= k) reject(name, "component '" + c.name + "' reads '" + input + "' of a component not declared before it");
            wiring->placements[owner].read = true;
            wiring->placements[k].inputs.push_back(port);
        }
        wiring->has_inputs = wiring->has_inputs || !c.inputs.empty();
        for (const ComponentOutput& o : c.outputs) {
            insert_unique(output_names, o.info.name, "output", name);
            declared.push_back(&o.info);
            declared_ports.push_back(port_index(c.name + "." + o.port, "output '" + o.info.name + "'"));
        }
    }
    if (outputs.empty()) {
        for (const OutputInfo* o : declared) outputs_.push_back(*o);
        wiring->output_ports = declared_ports;
    }
    std::set<std::string_view> chosen;
    for (const std::string& output : outputs) {
        const auto it = std::find_if(declared.begin(), declared.end(), [&](const OutputInfo* o) { return o->name == output; });
        if (it == declared.end()) reject(name, "no component declares the output '" + output + "'");
        insert_unique(chosen, output, "chosen output", name);
        outputs_.push_back(**it);
        wiring->output_ports.push_back(declared_ports[it - declared.begin()]);
    }
    std::vector<bool> port_used(port_list.size(), false);
    for (const Placement& at : wiring->placements)
        for (const int port : at.inputs) port_used[port] = true;
    for (const int port : wiring->output_ports) port_used[port] = true;
    for (std::size_t k = 0; k < components.size(); ++k) {
        const int first = wiring->placements[k].port;
        const std::vector<bool> own(port_used.begin() + first, port_used.begin() + first + components[k].ports.size());
        place_blocks(components[k], static_cast<int>(k), wiring->placements[k].state, own, name, wiring->blocks);
    }
    for (std::size_t o = 0; o < wiring->output_ports.size(); ++o) {
        const int output = static_cast<int>(o), port = wiring->output_ports[o];
        auto& runs = wiring->output_runs;
        if (!runs.empty() && runs.back().output + runs.back().size == output && runs.back().port + runs.back().size == port)
            ++runs.back().size;
        else
            runs.push_back({output, port, 1});
    }
    if (states_.size() > static_cast<std::size_t>(kMaxComposedStates)) reject(name, "more states than kMaxComposedStates");
    wiring->n_states = static_cast<int>(states_.size());
    wiring->n_ports = static_cast<int>(port_list.size());
    wiring->components = std::move(components);
    wiring_ = std::move(wiring);
}

std::unique_ptr<OdeSystem> ComposedModel::bind(const std::vector<double>& params,
                                               const std::vector<double>& covariates) const {
    if (bind_system_ != nullptr) return bind_system_(wiring_, params, covariates);
    return std::make_unique<ComposedSystem>(wiring_, params, covariates);
}

}  // namespace mobsim::models
