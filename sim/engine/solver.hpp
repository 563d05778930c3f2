// Integration of an OdeSystem through dose events, reporting the state on a time grid, by a method chosen by
// name from the registry of solver methods (sim/engine/solvers/registry.cpp, the one list of them).
// The methods and their machinery are in sim/engine/solvers/; only the method files there include Boost.Odeint
// (tests/numerics/test_embedded_runge_kutta.cpp does too, to compare).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/dosing.hpp"
#include "sim/engine/model.hpp"

namespace mobsim {

struct SolverSettings {
    std::string method = "dopri5";  // a registered method's name (solver_method_names())
    // The accuracy this default gives the trial model is measured by `mobsim bench` (docs/performance.md).
    double rtol = 7e-7;
    double atol = 7e-9;
    // Over the whole run, per attempt: a stiff patient that would need millions of explicit steps fails fast
    // and goes to stiff_fallback (docs/performance.md).
    long max_steps = 150000;
    double initial_step_h = 1e-3;
    // Propagate the model's linear blocks exactly (matrix exponential) instead of stepping them, with every
    // method; a block that receives a zero-order infusion is stepped all the same.
    bool exact_linear_blocks = true;
    // When the method fails (step limit, step-size underflow), simulate() runs the problem again with this one,
    // a method the registry marks as stiff.
    std::optional<std::string> stiff_fallback = std::string("rosenbrock4");
    // Per model state, a factor on rtol and atol for that state's local error (empty: 1 for every state).
    // Methods with per-state error checks apply it state by state; those whose error checks are scalar apply
    // the smallest factor of a stepped state to every state (SolverMethod::per_state_tolerance).
    std::vector<double> tolerance_scale;
};

struct SolveStats {
    std::string method = "dopri5";  // the method that produced the result
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
// x holds the final state on return. Throws SolverError on failure, std::invalid_argument for a method name
// the registry does not know.
SolveStats integrate(OdeSystem& system, std::vector<double>& x, double t0, double t_end,
                     const std::vector<DoseEvent>& events, const std::vector<double>& grid,
                     const SolverSettings& settings, const StateObserver& observer,
                     const SolveContext& context);

namespace solvers {
struct MethodRun;  // one integration, as a method receives it (sim/engine/solvers/stepping.hpp)
}

// A registered solver method: what the readers, --help and the fuzz dictionary show, and how to run it.
struct SolverMethod {
    const char* name;
    const char* summary;  // one line, for --help
    bool stiff;  // uses the Jacobian and is stable on stiff problems: may be solver.stiff_fallback
    bool per_state_tolerance;  // its error check applies tolerance_scale state by state
    // Integrates the run and returns the steps taken. Null only in the readers-only build (the fuzzers').
    long (*run)(const solvers::MethodRun& run);
};

// Every registered method, in the registry's order.
const std::vector<SolverMethod>& solver_methods();
// The method named `name`, or null.
const SolverMethod* find_solver_method(const std::string& name);
std::vector<std::string> solver_method_names();
std::vector<std::string> stiff_solver_method_names();

}  // namespace mobsim
