#include "models/composed_model.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace mobsim::models {

// Where each component landed and how its inputs and outputs connect, derived once from the names.
struct Placement {
    int state = 0, parameter = 0, port = 0;  // offsets into the model's states, parameters and port values
    std::vector<int> covariates;             // model covariate index of each declared covariate
    std::vector<int> inputs;                 // port-value index of each declared input
    bool read = false;                       // some component reads one of its ports
};

struct BlockPlacement {
    int component = 0, local_block = 0;
    LinearBlock block;  // in model state indices
};

struct ComposedWiring {
    std::vector<ComponentDeclaration> components;
    std::vector<Placement> placements;
    std::vector<BlockPlacement> blocks;
    std::vector<int> output_ports;  // port-value index of each model output
    struct Run {
        int output, port, size;
    };
    std::vector<Run> output_runs;  // the same, as runs of consecutive outputs on consecutive ports
    int n_states = 0, n_ports = 0;
    bool has_inputs = false;  // false: rhs needs no port values
};

namespace {

constexpr int kMaxInputs = 8;  // per component

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

class ComposedSystem : public OdeSystem {
public:
    ComposedSystem(std::shared_ptr<const ComposedWiring> wiring, const std::vector<double>& p,
                   const std::vector<double>& c)
        : w_(std::move(wiring)), ports_(w_->n_ports), dual_ports_(w_->has_inputs ? w_->n_ports : 0),
          rules_(w_->n_states) {
        n_ = w_->n_states;
        std::vector<double> x0(n_);  // the initial state, whose port values are the baseline of the readers
        for (std::size_t k = 0; k < w_->components.size(); ++k) {
            const ComponentDeclaration& decl = w_->components[k];
            const Placement& at = w_->placements[k];
            std::vector<double> covariates;
            for (const int i : at.covariates) covariates.push_back(c.at(i));
            parts_.push_back(decl.bind(p.data() + at.parameter, covariates.data()));
            const int n_states = static_cast<int>(decl.states.size()), n_inputs = static_cast<int>(at.inputs.size());
            slots_.push_back({parts_.back().get(), at.state, n_states, at.port, n_inputs, at.inputs.data(), at.read,
                              decl.assigns_derivatives});
            if (n_inputs > 0) {
                double baseline[kMaxInputs];
                for (int i = 0; i < n_inputs; ++i) baseline[i] = ports_[at.inputs[i]];
                parts_.back()->set_baseline_inputs(baseline);
            }
            if (at.read) {
                parts_.back()->initial_state(x0.data() + at.state, n_states);
                parts_.back()->ports(x0.data() + at.state, ports_.data() + at.port);
            }
            for (std::size_t s = 0; s < decl.states.size(); ++s)
                if (decl.states[s].dosable) {
                    const int state = at.state + static_cast<int>(s);
                    rules_[state] = parts_.back()->dose_rule(static_cast<int>(s));
                    dosed_by_[state] = {static_cast<int>(k), static_cast<int>(s)};
                }
        }
        if (parts_.size() == 1 && !w_->has_inputs) alone_ = parts_[0].get();
        alone_assigns_ = alone_ != nullptr && slots_[0].assigns;
        plan();
    }

    void initial_state(double* x) const override {
        double inputs[kMaxInputs];
        for (const Slot& s : slots_) {  // in order: each reads the ports of those before it
            for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports_[s.inputs[i]];
            s.part->initial_state_from_inputs(x + s.state, s.n_states, inputs);
            if (s.read) s.part->ports(x + s.state, ports_.data() + s.port);
        }
    }
    void rhs(double t, const double* x, double* dxdt) const override {
        if (alone_ == nullptr) return step(t, x, dxdt);
        if (!alone_assigns_)  // one component that reads no input: the common case
            for (int i = 0; i < n_; ++i) dxdt[i] = 0.0;
        alone_->rhs(t, x, nullptr, dxdt);
    }
    void observe(double t, const double* x, double* y) const override {
        double inputs[kMaxInputs];
        for (const Slot& s : slots_) {  // in declaration order, so the inputs of a component that reads them are set
            for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports_[s.inputs[i]];
            s.part->observe(t, x + s.state, inputs, ports_.data() + s.port);
        }
        const double* ports = ports_.data();
        for (const ComposedWiring::Run& r : w_->output_runs) {  // single ports without a library call
            if (r.size == 1) y[r.output] = ports[r.port];
            else std::copy(ports + r.port, ports + r.port + r.size, y + r.output);
        }
    }
    double bioavailability(int state, double amount) const override {
        const DoseRule& rule = rules_[state];
        return rule.amount_bioavailability ? rule.amount_bioavailability(amount) : rule.bioavailability;
    }
    double lag_time_h(int state) const override { return rules_[state].lag_h; }
    std::vector<double> switch_delays_h(int state) const override { return rules_[state].switch_delays_h; }
    void on_dose(int state, double t) override {
        if (const auto it = dosed_by_.find(state); it != dosed_by_.end()) parts_[it->second.first]->on_dose(it->second.second, t);
    }
    void on_switch(int state, double t) override {
        if (const auto it = dosed_by_.find(state); it != dosed_by_.end())
            parts_[it->second.first]->on_switch(it->second.second, t);
    }
    std::vector<LinearBlock> linear_blocks() const override {
        std::vector<LinearBlock> blocks;
        held_.clear();
        for (const BlockPlacement& b : w_->blocks)
            if (parts_[b.component]->linear_block_holds(b.local_block)) {
                blocks.push_back(b.block);
                held_.push_back(&b);
            }
        return blocks;
    }
    // A component all of whose states the solver propagates needs no right-hand side: its ports still read them.
    void set_propagated_blocks(const std::vector<int>& blocks) override {
        std::vector<int> propagated(slots_.size(), 0);
        for (const int b : blocks) propagated.at(held_.at(b)->component) += held_[b]->block.size;
        for (std::size_t k = 0; k < slots_.size(); ++k)
            slots_[k].propagated = slots_[k].n_states > 0 && propagated[k] == slots_[k].n_states;
        plan();
    }
    void linear_block_matrix(int block, double t, double* a) const override {
        const BlockPlacement& b = *held_.at(block);
        parts_[b.component]->linear_block_matrix(b.local_block, t, a);
    }
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override {
        forward_jacobian<JacobianDual::directions, kMaxComposedStates>(
            [&](const auto* xs, auto* dxs) { evaluate(t, xs, dxs, dual_ports_.data()); }, w_->n_states, x, J);
        std::fill(dfdt, dfdt + w_->n_states, 0.0);
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            const int at = w_->placements[k].state;
            parts_[k]->time_derivative(t, x + at, dfdt + at);
        }
        return true;
    }

private:
    // The solver-stage order: the ports of the propagated components read by others (they read no inputs), then
    // the stepped components in declaration order.
    void plan() {
        ports_only_.clear();
        stepped_.clear();
        for (const Slot& s : slots_) {
            if (!s.propagated) stepped_.push_back(s);
            else if (s.read) ports_only_.push_back(s);
        }
    }
    // rhs() as evaluate(), with the plan: no per-component tests of what the solver propagates.
    void step(double t, const double* x, double* dxdt) const {
        double* ports = ports_.data();
        for (const Slot& s : ports_only_) s.part->ports(x + s.state, ports + s.port);
        double inputs[kMaxInputs];
        for (const Slot& s : stepped_) {
            for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports[s.inputs[i]];
            if (!s.assigns) std::fill(dxdt + s.state, dxdt + s.state + s.n_states, 0.0);
            if (s.read) s.part->rhs_and_ports(t, x + s.state, inputs, dxdt + s.state, ports + s.port);
            else s.part->rhs(t, x + s.state, inputs, dxdt + s.state);
        }
    }
    // Every derivative, components in declaration order, each reading its inputs from the port values of x
    // (those of components declared before it): the Jacobian's pass, in dual numbers.
    template <class T>
    void evaluate(double t, const T* x, T* dxdt, T* ports) const {
        T inputs[kMaxInputs];
        for (const Slot& s : slots_) {
            for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports[s.inputs[i]];
            if (!s.assigns) std::fill(dxdt + s.state, dxdt + s.state + s.n_states, T(0.0));
            if (s.read) s.part->rhs_and_ports(t, x + s.state, inputs, dxdt + s.state, ports + s.port);
            else s.part->rhs(t, x + s.state, inputs, dxdt + s.state);
        }
    }

    struct Slot {  // a bound component and where it reads and writes
        BoundComponent* part;
        int state, n_states, port, n_inputs;
        const int* inputs;  // port-value indices, owned by the wiring
        bool read;               // its ports are some component's inputs
        bool assigns;            // its rhs writes every derivative
        bool propagated = false;  // the solver propagates all its states
    };
    std::shared_ptr<const ComposedWiring> w_;
    std::vector<std::unique_ptr<BoundComponent>> parts_;
    std::vector<Slot> slots_, ports_only_, stepped_;  // stepped_, ports_only_: plan()
    BoundComponent* alone_ = nullptr;  // the only component, when it reads no input
    bool alone_assigns_ = false;
    int n_ = 0;
    mutable std::vector<double> ports_;
    mutable std::vector<JacobianDual> dual_ports_;
    std::vector<DoseRule> rules_;                      // per model state; default for states without a rule
    std::map<int, std::pair<int, int>> dosed_by_;      // dosable state -> (component, local state)
    mutable std::vector<const BlockPlacement*> held_;  // the blocks linear_blocks() last reported, in its order
};

}  // namespace

ComposedModel::ComposedModel(std::string name, std::string description, std::vector<ComponentDeclaration> components,
                             const std::vector<std::string>& outputs)
    : ModelBase(name, std::move(description)) {
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
        if (c.inputs.size() > static_cast<std::size_t>(kMaxInputs)) reject(name, "'" + c.name + "' has too many inputs");
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
    return std::make_unique<ComposedSystem>(wiring_, params, covariates);
}

}  // namespace mobsim::models
