#include "models/composed_system.hpp"

#include <algorithm>

namespace mobsim::models {

ComposedSystem::ComposedSystem(std::shared_ptr<const ComposedWiring> wiring, const std::vector<double>& p,
                               const std::vector<double>& c)
    : w_(std::move(wiring)), ports_(w_->n_ports), rules_(w_->n_states), dosed_by_(w_->n_states, {-1, -1}) {
    n_ = w_->n_states;
    std::vector<double> x0(n_);  // the initial state, whose port values are the baseline of the readers
    std::vector<double> covariates;
    parts_.reserve(w_->components.size());
    slots_.reserve(w_->components.size());
    for (std::size_t k = 0; k < w_->components.size(); ++k) {
        const ComponentDeclaration& decl = w_->components[k];
        const Placement& at = w_->placements[k];
        covariates.clear();
        for (const int i : at.covariates) covariates.push_back(c.at(i));
        parts_.push_back(decl.bind(p.data() + at.parameter, covariates.data()));
        const int n_states = static_cast<int>(decl.states.size()), n_inputs = static_cast<int>(at.inputs.size());
        slots_.push_back({parts_.back().get(), at.state, n_states, at.port, n_inputs, at.inputs.data(), at.read,
                          decl.assigns_derivatives});
        if (n_inputs > 0) {
            double baseline[kMaxComponentInputs];
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

void ComposedSystem::initial_state(double* x) const {
    double inputs[kMaxComponentInputs];
    for (const Slot& s : slots_) {  // in order: each reads the ports of those before it
        for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports_[s.inputs[i]];
        s.part->initial_state_from_inputs(x + s.state, s.n_states, inputs);
        if (s.read) s.part->ports(x + s.state, ports_.data() + s.port);
    }
}

void ComposedSystem::rhs(double t, const double* x, double* dxdt) const {
    if (alone_ == nullptr) return step(t, x, dxdt);
    if (!alone_assigns_)  // one component that reads no input: the common case
        for (int i = 0; i < n_; ++i) dxdt[i] = 0.0;
    alone_->rhs(t, x, nullptr, dxdt);
}

void ComposedSystem::observe(double t, const double* x, double* y) const {
    double inputs[kMaxComponentInputs];
    for (const Slot& s : slots_) {  // in declaration order, so the inputs of a component that reads them are set
        for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports_[s.inputs[i]];
        s.part->observe(t, x + s.state, inputs, ports_.data() + s.port);
    }
    copy_outputs(y);
}

double ComposedSystem::bioavailability(int state, double amount) const {
    const DoseRule& rule = rules_[state];
    return rule.amount_bioavailability ? rule.amount_bioavailability(amount) : rule.bioavailability;
}

void ComposedSystem::on_dose(int state, double t) {
    if (const auto [k, local] = dosed_by_[state]; k >= 0) slots_[k].part->on_dose(local, t);
}

void ComposedSystem::on_switch(int state, double t) {
    if (const auto [k, local] = dosed_by_[state]; k >= 0) slots_[k].part->on_switch(local, t);
}

std::vector<LinearBlock> ComposedSystem::linear_blocks() const {
    std::vector<LinearBlock> blocks;
    held_.clear();
    for (const BlockPlacement& b : w_->blocks)
        if (slots_[b.component].part->linear_block_holds(b.local_block)) {
            blocks.push_back(b.block);
            held_.push_back(&b);
        }
    return blocks;
}

void ComposedSystem::set_propagated_blocks(const std::vector<int>& blocks) {
    std::vector<int> propagated(slots_.size(), 0);
    for (const int b : blocks) propagated.at(held_.at(b)->component) += held_[b]->block.size;
    for (std::size_t k = 0; k < slots_.size(); ++k)
        slots_[k].propagated = slots_[k].n_states > 0 && propagated[k] == slots_[k].n_states;
    plan();
}

void ComposedSystem::linear_block_matrix(int block, double t, double* a) const {
    const BlockPlacement& b = held_block(block);
    slots_[b.component].part->linear_block_matrix(b.local_block, t, a);
}

bool ComposedSystem::jacobian(double t, const double* x, double* J, double* dfdt) const {
    if (w_->has_inputs) dual_ports_.resize(w_->n_ports);  // on first use: most runs never need a Jacobian
    forward_jacobian<JacobianDual::directions, kMaxComposedStates>(
        [&](const auto* xs, auto* dxs) { evaluate(t, xs, dxs, dual_ports_.data()); }, w_->n_states, x, J);
    std::fill(dfdt, dfdt + w_->n_states, 0.0);
    for (const Slot& s : slots_) s.part->time_derivative(t, x + s.state, dfdt + s.state);
    return true;
}

void ComposedSystem::adopt_parts(const std::vector<BoundComponent*>& parts) {
    for (std::size_t k = 0; k < slots_.size(); ++k) slots_[k].part = parts.at(k);
    for (std::size_t state = 0; state < dosed_by_.size(); ++state)
        if (const auto [k, local] = dosed_by_[state]; k >= 0) rules_[state] = slots_[k].part->dose_rule(local);
    if (alone_ != nullptr) alone_ = slots_[0].part;
    parts_.clear();  // the copies replace them everywhere
    plan();
}

void ComposedSystem::plan() {
    ports_only_.clear();
    stepped_.clear();
    for (const Slot& s : slots_) {
        if (!s.propagated) stepped_.push_back(s);
        else if (s.read) ports_only_.push_back(s);
    }
}

// rhs() as evaluate(), with the plan: no per-component tests of what the solver propagates.
void ComposedSystem::step(double t, const double* x, double* dxdt) const {
    double* ports = ports_.data();
    for (const Slot& s : ports_only_) s.part->ports(x + s.state, ports + s.port);
    double inputs[kMaxComponentInputs];
    for (const Slot& s : stepped_) {
        for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports[s.inputs[i]];
        if (!s.assigns) std::fill(dxdt + s.state, dxdt + s.state + s.n_states, 0.0);
        if (s.read) s.part->rhs_and_ports(t, x + s.state, inputs, dxdt + s.state, ports + s.port);
        else s.part->rhs(t, x + s.state, inputs, dxdt + s.state);
    }
}

}  // namespace mobsim::models
