// The driven system: the model plus the current zero-order input rates and the exactly propagated linear
// blocks, with counts. Every method steps it; its right-hand side is inline because it is the inner loop.
#pragma once
#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/engine/linear_block.hpp"
#include "sim/engine/model.hpp"
#include "sim/engine/solvers/actions.hpp"

namespace mobsim::solvers {

// The stepper sees only the `stepped` states; the blocks' states live in the propagators.
struct DrivenSystem {
    DrivenSystem(OdeSystem& system, std::size_t n) : model(system), rates(n, 0.0), full(n), full_dxdt(n) {
        for (std::size_t i = 0; i < n; ++i) stepped.push_back(static_cast<int>(i));
        stepped_runs = {{0, static_cast<int>(n)}};
    }

    OdeSystem& model;
    std::vector<double> rates;
    std::vector<int> rate_states;  // states that have received a zero-order input
    mutable std::vector<LinearBlockPropagator> blocks;
    std::vector<int> block_ids;  // the model's index of each block
    std::vector<int> coupling_states;  // of all blocks
    std::vector<int> stepped;    // model states the stepper integrates, in order: all but the blocks'
    std::vector<std::pair<int, int>> stepped_runs;  // the same as runs of consecutive states: (first, count)
    mutable std::vector<double> full, full_dxdt;  // model-sized work space
    mutable std::vector<double> coupling_values;  // of coupling_states at coupling_time
    mutable double coupling_time = std::numeric_limits<double>::quiet_NaN();
    mutable long rhs_count = 0;
    mutable long jacobian_count = 0;
    // Jacobian work space, reused across calls: the model's J, its df/dt and the coupling rates; and for
    // finite differences f(x), f(x + h) and x + h
    mutable std::tuple<std::vector<double>, std::vector<double>, std::vector<double>> jacobian_work;
    mutable std::tuple<std::vector<double>, std::vector<double>, std::vector<double>> finite_difference_work;

    std::size_t size() const { return stepped.size(); }
    bool steps_or_couples(int state) const {
        return std::binary_search(stepped.begin(), stepped.end(), state) ||
               std::find(coupling_states.begin(), coupling_states.end(), state) != coupling_states.end();
    }
    // Stepped states of the model state x into s, and back.
    void pack(const double* x, double* s) const {
        for (const auto& [first, count] : stepped_runs) s = std::copy(x + first, x + first + count, s);
    }
    void unpack(const double* s, double* x) const {
        for (const auto& [first, count] : stepped_runs) {
            std::copy(s, s + count, x + first);
            s += count;
        }
    }
    void set_stepped(std::vector<int> states);

    // Writes the blocks' coupling states at t into the model-sized state x; dopri5's last two stages share a time.
    void write_coupling(double t, double* x) const {
        if (t != coupling_time) {
            for (auto& b : blocks) b.fill_coupling(t, x);
            for (std::size_t k = 0; k < coupling_states.size(); ++k) coupling_values[k] = x[coupling_states[k]];
            coupling_time = t;
        } else {
            for (std::size_t k = 0; k < coupling_states.size(); ++k) x[coupling_states[k]] = coupling_values[k];
        }
    }

    // f on a model-sized state, whose coupling states it sets first; the other block states are ignored.
    void full_state_rhs(double t, double* x, double* dxdt) const {
        if (!blocks.empty()) write_coupling(t, x);
        evaluate(t, x, dxdt);
    }

    // f on the stepped states only (the odeint steppers' state).
    void operator()(const double* s, double* dsdt, double t) const {
        if (blocks.empty()) return evaluate(t, s, dsdt);
        unpack(s, full.data());
        write_coupling(t, full.data());
        evaluate(t, full.data(), full_dxdt.data());
        pack(full_dxdt.data(), dsdt);
    }

    void evaluate(double t, const double* x, double* dxdt) const {
        ++rhs_count;
        model.rhs(t, x, dxdt);
        for (int i : rate_states) dxdt[i] += rates[i];
    }

    // The Jacobian of f on the stepped states s (row-major, size() x size()) and df/dt: the model's analytic
    // one when it has it, else forward differences. Counted in jacobian_count.
    void jacobian(double t, const double* s, double* jac, double* dfdt) const;
    // The model's analytic Jacobian restricted to the stepped states, and their df/dt. The coupling states are
    // exact functions of t, so they enter df/dt as J[:, c] dc/dt. False if the model has no analytic Jacobian.
    bool stepped_jacobian(double t, const double* s, double* jac, double* dfdt) const;

    // Makes every block state of x (or only the coupling states) exact at t.
    void complete(double t, double* x, bool all_states = true) const {
        for (auto& b : blocks) {
            if (all_states) b.fill_all(t, x);
            else b.fill_coupling(t, x);
        }
    }
    void restart_blocks(double t, const double* x);
};

// Takes over the model's linear blocks, except those that receive a zero-order input (not of the form x' = A x).
void add_linear_blocks(DrivenSystem& driven, const std::vector<Action>& actions);

}  // namespace mobsim::solvers
