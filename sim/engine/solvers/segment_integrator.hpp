// Segment integration: walks the segments between action times with any Stepping (stepping.hpp), stepping
// exactly onto each action time, applying the actions, and reporting the state at the grid times.
#pragma once
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"
#include "sim/engine/solver.hpp"
#include "sim/engine/solvers/driven_system.hpp"

namespace mobsim::solvers {

template <class Stepping>
class SegmentIntegrator {
public:
    SegmentIntegrator(Stepping stepping, const DrivenSystem& driven, const SolverSettings& settings,
                      const std::vector<double>& grid, const StateObserver& observer, const SolveContext& context)
        : stepping_(std::move(stepping)), driven_(driven), settings_(settings), grid_(grid), observer_(observer),
          context_(context), dt_(settings.initial_step_h) {}

    std::size_t next_grid = 0;
    long steps = 0;
    // Set when a dose or rate change at the segment start changed a stepped state or a coupling state (a value
    // the stepped states read): the first grid time after it becomes a step end. The 4th-order dense output is
    // least accurate in the steps right after such a jump; a step end there is 5th-order accurate
    // (docs/performance.md).
    bool land_on_next_grid = false;
    // Set when the actions at the segment start changed only exactly propagated block states that no stepped
    // state reads: the stepped states' derivative is then continuous there (the LinearBlock contract), and a
    // stepper may keep the one it has instead of evaluating it again.
    bool derivative_continuous = false;
    const Action* last_dose = nullptr;  // named only in an error message

    // Advances x from ta to tb. Grid points g with ta <= g < tb are reported (g == tb too if `inclusive`).
    void advance(std::vector<double>& x, double ta, double tb, bool inclusive) {
        while (next_grid < grid_.size() && grid_[next_grid] <= ta &&
               (grid_[next_grid] < tb || inclusive)) {
            if (grid_[next_grid] >= ta) observer_(grid_[next_grid], x.data());
            ++next_grid;
        }
        if (!(tb > ta)) return;
        if (driven_.size() == 0) {  // every state is in an exact block: nothing to step
            while (next_grid < grid_.size() && (grid_[next_grid] < tb || (inclusive && grid_[next_grid] <= tb))) {
                if (observed_.size() != x.size()) observed_ = x;
                driven_.complete(grid_[next_grid], observed_.data(), context_.full_states_observed);
                observer_(grid_[next_grid], observed_.data());
                ++next_grid;
            }
            driven_.complete(tb, x.data());
            return;
        }
        stepping_.start(x.data(), ta, std::min(dt_, tb - ta), derivative_continuous);
        derivative_continuous = false;
        const double end_tolerance = 1e-12 * std::max(1.0, std::abs(tb));
        const double land_at = take_landing_time(ta, tb);
        bool clamped = false;
        while (tb - stepping_.time() > end_tolerance) {
            const double remaining = tb - stepping_.time();
            if (stepping_.step_size() > remaining) {
                // land exactly on tb, remembering the natural step
                dt_ = stepping_.step_size();
                clamped = true;
                stepping_.limit_step(remaining);
            } else if (land_at - stepping_.time() > end_tolerance &&
                       stepping_.time() + stepping_.step_size() > land_at) {
                stepping_.limit_step(land_at - stepping_.time());
            }
            if (steps >= settings_.max_steps)  // the budget is spent and tb is not reached
                fail("step limit of " + std::to_string(settings_.max_steps) + " steps reached", stepping_.time(), -1,
                     0.0);
            if (!stepping_.step()) fail("step size underflow", stepping_.time(), -1, 0.0);
            ++steps;
            check_finite();
            report_until(stepping_.time(), tb, inclusive, x);
        }
        dt_ = clamped ? std::max(dt_, stepping_.step_size()) : stepping_.step_size();
        stepping_.state_into(x.data());
        driven_.complete(tb, x.data());
        while (next_grid < grid_.size() && (grid_[next_grid] < tb || (inclusive && grid_[next_grid] <= tb))) {
            observer_(grid_[next_grid], x.data());
            ++next_grid;
        }
    }

    [[noreturn]] void fail(const std::string& what, double t, int state, double value) const {
        std::ostringstream msg;
        msg.precision(10);
        msg << "integration failed: " << what << " at t = " << t << " h";
        if (state >= 0) msg << "; state '" << context_.state_names.at(state) << "' = " << value;
        msg << "; last dose given: ";
        if (last_dose) msg << context_.regimen_labels.at(last_dose->regimen) << " at t = " << last_dose->time_h << " h";
        else msg << "none";
        msg << ". Try more steps (solver.max_steps), a different tolerance (solver.rtol / solver.atol), or "
               "another method (solver.method: "
            << join(stiff_solver_method_names(), ", ") << " for stiff problems; mobsim --help lists them all).";
        throw SolverError(msg.str(), steps);
    }

private:
    // The grid time to make a step end in the segment (ta, tb), if land_on_next_grid asks for one; else infinity.
    double take_landing_time(double ta, double tb) {
        if (!land_on_next_grid) return std::numeric_limits<double>::infinity();
        land_on_next_grid = false;
        std::size_t g = next_grid;
        while (g < grid_.size() && grid_[g] <= ta) ++g;
        return g < grid_.size() && grid_[g] < tb ? grid_[g] : std::numeric_limits<double>::infinity();
    }

    // `x` (the state at the segment start) supplies the model-sized buffer for the interpolated states.
    void report_until(double t_new, double tb, bool inclusive, const std::vector<double>& x) {
        while (next_grid < grid_.size() && grid_[next_grid] <= t_new &&
               (grid_[next_grid] < tb || inclusive)) {
            if (observed_.size() != stepping_.state_capacity()) {  // the model state, with room for padding
                observed_ = x;
                observed_.resize(stepping_.state_capacity(), 0.0);
            }
            stepping_.interpolate_into(grid_[next_grid], observed_.data());
            driven_.complete(grid_[next_grid], observed_.data(), context_.full_states_observed);
            observer_(grid_[next_grid], observed_.data());
            ++next_grid;
        }
    }

    void check_finite() const {
        double value = 0.0;
        const int bad = stepping_.non_finite_state(value);
        if (bad >= 0) fail("non-finite state", stepping_.time(), bad, value);
    }

    Stepping stepping_;
    const DrivenSystem& driven_;
    std::vector<double> observed_;  // the model state at a grid point
    const SolverSettings& settings_;
    const std::vector<double>& grid_;
    const StateObserver& observer_;
    const SolveContext& context_;
    double dt_;
};

// Runs the integrator from t0 to t_end through the actions, applying each at its time.
template <class Integrator>
void run_actions(Integrator& integrator, DrivenSystem& driven, std::vector<double>& x, double t0, double t_end,
                 const std::vector<Action>& actions) {
    double t = t0;
    std::size_t i = 0;
    while (i < actions.size() && actions[i].time_h < t0) ++i;  // inputs before t0 are ignored
    driven.restart_blocks(t0, x.data());
    while (i < actions.size() && actions[i].time_h <= t_end) {
        const double ta = actions[i].time_h;
        integrator.advance(x, t, ta, false);
        t = ta;
        integrator.derivative_continuous = true;
        for (; i < actions.size() && actions[i].time_h == ta; ++i) {
            const Action& a = actions[i];
            if (driven.steps_or_couples(a.state)) {
                integrator.derivative_continuous = false;
                if (a.bolus != 0.0 || a.rate_change != 0.0) integrator.land_on_next_grid = true;
            }
            x[a.state] += a.bolus;
            driven.rates[a.state] += a.rate_change;
            if (a.rate_change != 0.0 && std::find(driven.rate_states.begin(), driven.rate_states.end(), a.state) ==
                                             driven.rate_states.end())
                driven.rate_states.push_back(a.state);
            if (a.is_switch) driven.model.on_switch(a.state, ta);
            if (a.is_start) {
                driven.model.on_dose(a.state, ta);
                integrator.last_dose = &a;
            }
        }
        // rounding of summed rates must not leave a tiny spurious input
        for (double& r : driven.rates)
            if (std::abs(r) < 1e-12 * (1.0 + std::abs(r))) r = 0.0;
        driven.restart_blocks(ta, x.data());
    }
    integrator.advance(x, t, t_end, true);
}

}  // namespace mobsim::solvers
