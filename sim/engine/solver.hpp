// Integration of an OdeSystem through dose events, reporting the state on a time grid.
// In the engine only solver.cpp includes Boost.Odeint (tests/numerics/test_embedded_runge_kutta.cpp does too, to compare).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/dosing.hpp"
#include "sim/engine/model.hpp"

namespace mobsim {

enum class Method { dopri5, tsit5, rosenbrock4, bulirsch_stoer };

struct SolverSettings {
    Method method = Method::dopri5;
    // 2.3e-7 relative error on every output of the trial model at most, and 6 of 600 cohort patients above 1e-6
    // (mobsim bench, with the model's tolerance scale on ANC; docs/performance.md)
    double rtol = 7e-7;
    double atol = 7e-9;
    // Over the whole run, per attempt. 150,000 dopri5 steps take about 0.15 s; the stiffest trial-cohort patient
    // would need 3.7 million, and rosenbrock4 finishes it in 6,552 steps and 0.34 s (docs/performance.md).
    long max_steps = 150000;
    double initial_step_h = 1e-3;
    // Propagate the model's linear blocks exactly (matrix exponential) instead of stepping them, with every
    // method; a block that receives a zero-order infusion is stepped all the same.
    bool exact_linear_blocks = true;
    // When the method fails (step limit, step-size underflow), simulate() runs the problem again with this one.
    std::optional<Method> stiff_fallback = Method::rosenbrock4;
    // Per model state, a factor on rtol and atol for that state's local error (empty: 1 for every state).
    // dopri5 and tsit5 apply it state by state; rosenbrock4 and bulirsch_stoer, whose error checks are scalar,
    // apply the smallest factor to every state.
    std::vector<double> tolerance_scale;
};

struct SolveStats {
    Method method = Method::dopri5;  // the method that produced the result
    long steps = 0;
    long rhs_evaluations = 0;
    long jacobian_evaluations = 0;
    long abandoned_steps = 0;  // steps of a failed first attempt, before the fallback method took over
};

// Receives the state at each requested time. The pointer is valid only during the call.
using StateObserver = std::function<void(double t, const double* x)>;

// Names used to make solver errors self-explanatory.
struct SolveContext {
    std::vector<std::string> state_names;
    std::vector<std::string> regimen_labels;
    // false: the observer only calls observe(), so linear blocks need only their coupling states there
    bool full_states_observed = true;
};

// Integrates `system` from (t0, x) to t_end. Doses are applied exactly at their times; a grid time equal
// to a dose time reports the state after the dose. Grid times outside [t0, t_end] are ignored.
// x holds the final state on return. Throws SolverError on failure.
SolveStats integrate(OdeSystem& system, std::vector<double>& x, double t0, double t_end,
                     const std::vector<DoseEvent>& events, const std::vector<double>& grid,
                     const SolverSettings& settings, const StateObserver& observer,
                     const SolveContext& context);

std::string to_string(Method method);
// The method named `name` (as to_string() names it), or none.
std::optional<Method> method_from_string(const std::string& name);
std::vector<std::string> method_names();  // every method, by name

}  // namespace mobsim
