// A problem (model + values + doses + grid + solver settings) and its solution as output time courses.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/dosing.hpp"
#include "sim/engine/model.hpp"
#include "sim/engine/scenario.hpp"
#include "sim/engine/solver.hpp"

namespace mobsim {

// Every model covariate's value as a record gives it at one time.
struct CovariateRecord {
    double time_h = 0.0;
    std::vector<double> values;  // one per model covariate
};

struct Problem {
    std::shared_ptr<const Model> model;
    std::vector<double> parameters;  // one per model parameter
    std::vector<double> covariates;  // one per model covariate
    std::optional<double> weight_kg;
    std::vector<Regimen> regimens;
    std::vector<int> regimen_states;  // target state of each regimen
    DosingHistory history;            // an individual's dose records (from a dataset); used instead of regimens
    // Time-varying covariates (a dataset's), sorted by time and applied by `covariate_carry`: the system is bound
    // anew where the values in force change. Empty: `covariates` hold throughout. Not with regimens.
    std::vector<CovariateRecord> covariate_records;
    CovariateCarry covariate_carry = CovariateCarry::next_backward;
    double end_h = 0.0;
    std::vector<double> grid;  // sorted output times
    SolverSettings solver;
};

struct Trajectory {
    std::vector<double> time_h;
    std::vector<OutputInfo> outputs;
    std::vector<double> values;  // row-major: time_h.size() x outputs.size()
    SolveStats stats;
    double at(std::size_t row, std::size_t column) const { return values[row * outputs.size() + column]; }
    std::vector<double> column(const std::string& name) const;  // throws std::out_of_range
};

// Validates a scenario against its model and builds the problem. Throws InputError with positions.
Problem build_problem(const Scenario& scenario, std::shared_ptr<const Model> model);

// The covariate values in force at t: from covariate_records by covariate_carry (before the first record its
// values, after the last the last's), or `covariates` when there are none.
const std::vector<double>& covariates_at(const Problem& problem, double t);

// Sets covariate `index` to one value throughout (also in every covariate record).
void set_covariate(Problem& problem, std::size_t index, double value);

// Sets one parameter by name, checking that it exists and lies in its admissible range.
void set_parameter(Problem& problem, const std::string& name, double value, const std::string& where);

// Runs the doses of `cycle`, given over [at - tau, at), until the state at `at` repeats: x holds the periodic
// state on return (cumulative states as they were). Throws SolverError when it does not settle.
void run_to_steady_state(const Problem& problem, OdeSystem& system, std::vector<double>& x,
                         const std::vector<DoseEvent>& cycle, double tau, double at);

// Dose events of the problem's regimens at or after t = 0, for the given bound system.
std::vector<DoseEvent> dose_events(const Problem& problem, const OdeSystem& system);

// Receives the bound system (for observe()) and the state at each requested time.
using SystemObserver = std::function<void(const OdeSystem& system, double t, const double* x)>;

// Integrates the problem and reports model states at each time of `grid` (sorted). With full_states false the
// observer may only pass the state to observe(): states of exactly propagated linear blocks that observe()
// does not read are then not brought up to date (see LinearBlock).
SolveStats simulate_states(const Problem& problem, const std::vector<double>& grid, const SystemObserver& observer,
                           bool full_states = true);

// simulate_states() for a problem with a dosing history (dataset semantics: segments between resets, SS=1/2
// doses, RATE -1/-2) or time-varying covariates; sim/engine/history_simulation.cpp.
SolveStats simulate_history_states(const Problem& problem, const std::vector<double>& grid,
                                   const SystemObserver& observer, bool full_states);
// The history's doses as the bound system receives them (F, lag, infusion durations), at or before end_h.
std::vector<DoseEvent> history_dose_events(const Problem& problem, const OdeSystem& system);

// Integrates the problem and evaluates every model output on problem.grid. If the method fails and
// problem.solver.stiff_fallback names another, the problem is run again with that one (stats.abandoned_steps
// then counts the first attempt's steps); if both fail, the SolverError gives both messages.
Trajectory simulate(const Problem& problem);

// "dopri5 stopped after N steps; rosenbrock4 (solver.stiff_fallback) finished in M steps", or "" if no fallback ran.
std::string describe_fallback(const SolverSettings& settings, const SolveStats& stats);

// The sorted union of the grid and the dose times (after lag) within [0, end].
std::vector<double> grid_with_dose_times(const Problem& problem);

}  // namespace mobsim
