// The system a ComposedModel binds (models/composed_model.hpp): its components bound to one patient's values,
// their states laid out in declaration order, their inputs read from the port values of the others. Its rhs
// dispatches each component through BoundComponent; models/static_composition.hpp derives from it a system whose
// component types are known at compile time, for compositions on the hot path.
#pragma once
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "models/component.hpp"

namespace mobsim::models {

// The largest composition whose Jacobian is taken with dual numbers on the stack.
inline constexpr int kMaxComposedStates = 64;
inline constexpr int kMaxComponentInputs = 8;

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

class ComposedSystem : public OdeSystem {
public:
    ComposedSystem(std::shared_ptr<const ComposedWiring> wiring, const std::vector<double>& p,
                   const std::vector<double>& c);

    void initial_state(double* x) const override;
    void rhs(double t, const double* x, double* dxdt) const override;
    void observe(double t, const double* x, double* y) const override;
    double bioavailability(int state, double amount) const override;
    double lag_time_h(int state) const override { return rules_[state].lag_h; }
    std::vector<double> switch_delays_h(int state) const override { return rules_[state].switch_delays_h; }
    void on_dose(int state, double t) override;
    void on_switch(int state, double t) override;
    std::vector<LinearBlock> linear_blocks() const override;
    // A component all of whose states the solver propagates needs no right-hand side: its ports still read them.
    void set_propagated_blocks(const std::vector<int>& blocks) override;
    void linear_block_matrix(int block, double t, double* a) const override;
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override;

protected:
    struct Slot {  // a bound component and where it reads and writes
        BoundComponent* part;
        int state, n_states, port, n_inputs;
        const int* inputs;        // port-value indices, owned by the wiring
        bool read;                // its ports are some component's inputs
        bool assigns;             // its rhs writes every derivative
        bool propagated = false;  // the solver propagates all its states
    };
    // The k-th block linear_blocks() last reported.
    const BlockPlacement& held_block(int k) const { return *held_.at(k); }
    // Moves the system onto copies of its bound components (one per slot, in order, owned by the caller, who
    // outlives it): a static composition keeps them inside itself. The dose rules are taken anew from them.
    void adopt_parts(const std::vector<BoundComponent*>& parts);

    std::shared_ptr<const ComposedWiring> w_;
    std::vector<Slot> slots_;  // in declaration order
    mutable std::vector<double> ports_;

private:
    // The model outputs from the port values observe() has just written.
    void copy_outputs(double* y) const {
        const double* ports = ports_.data();
        for (const ComposedWiring::Run& r : w_->output_runs) {  // single ports without a library call
            if (r.size == 1) y[r.output] = ports[r.port];
            else std::copy(ports + r.port, ports + r.port + r.size, y + r.output);
        }
    }
    // The solver-stage order: the ports of the propagated components read by others (they read no inputs), then
    // the stepped components in declaration order.
    void plan();
    void step(double t, const double* x, double* dxdt) const;
    // Every derivative, components in declaration order, each reading its inputs from the port values of x
    // (those of components declared before it): the Jacobian's pass, in dual numbers.
    template <class T>
    void evaluate(double t, const T* x, T* dxdt, T* ports) const {
        T inputs[kMaxComponentInputs];
        for (const Slot& s : slots_) {
            for (int i = 0; i < s.n_inputs; ++i) inputs[i] = ports[s.inputs[i]];
            if (!s.assigns) std::fill(dxdt + s.state, dxdt + s.state + s.n_states, T(0.0));
            if (s.read) s.part->rhs_and_ports(t, x + s.state, inputs, dxdt + s.state, ports + s.port);
            else s.part->rhs(t, x + s.state, inputs, dxdt + s.state);
        }
    }

    std::vector<std::unique_ptr<BoundComponent>> parts_;
    std::vector<Slot> ports_only_, stepped_;  // plan()
    BoundComponent* alone_ = nullptr;  // the only component, when it reads no input
    bool alone_assigns_ = false;
    int n_ = 0;
    mutable std::vector<JacobianDual> dual_ports_;
    std::vector<DoseRule> rules_;                      // per model state; default for states without a rule
    std::vector<std::pair<int, int>> dosed_by_;        // per model state: (component, local state), or -1s
    mutable std::vector<const BlockPlacement*> held_;  // the blocks linear_blocks() last reported, in its order
};

}  // namespace mobsim::models
