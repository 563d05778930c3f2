// Simulation of an individual dosing history with NONMEM's event semantics: resets (EVID 3 and 4), steady-state
// doses (SS 1 and 2), model-set infusion rates and durations (RATE -1 and -2), F and lag applied by the model.
#include <algorithm>
#include <cmath>

#include "sim/base/errors.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim {

namespace {

std::string dose_where(const DoseRecord& d) {
    return d.line > 0 ? "the dose record on line " + std::to_string(d.line) : "a dose record";
}

// The dose as the model receives it, administered at `time` (its own time, or a steady-state cycle's).
DoseEvent event_of(const Problem& p, const OdeSystem& system, const DoseRecord& d, double time) {
    DoseEvent e;
    e.state = d.state;
    e.regimen = 0;
    e.time_h = time + system.lag_time_h(d.state);
    e.amount = d.amount * system.bioavailability(d.state, d.amount);
    const std::string& state = p.model->states()[d.state].name;
    switch (d.input) {
        case InputRate::bolus: break;
        case InputRate::given_rate: e.duration_h = e.amount / d.rate_per_h; break;  // F changes the duration
        case InputRate::model_rate: {
            const double rate = system.infusion_rate_per_h(d.state, d.amount);
            if (!(rate > 0.0))
                throw InputError(dose_where(d) + ": RATE -1 asks the model for the rate, but model '" +
                                 p.model->name() + "' sets none for state '" + state + "'");
            e.duration_h = e.amount / rate;
            break;
        }
        case InputRate::model_duration:
            e.duration_h = system.infusion_duration_h(d.state, d.amount);
            if (!(e.duration_h > 0.0))
                throw InputError(dose_where(d) + ": RATE -2 asks the model for the duration, but model '" +
                                 p.model->name() + "' sets none for state '" + state + "'");
            break;
    }
    if (d.steady_state > 0 && e.duration_h > d.interval_h)
        throw InputError(dose_where(d) + ": a steady-state infusion longer than its interval II is not supported");
    return e;
}

// Brings x to the steady state of the SS doses given at `at`. SS=1 doses (with x just reset) are run together
// to their joint periodic state; SS=2 alone adds the periodic state reached from the initial state, less that
// initial state, to x (superposition, exact for linear kinetics as NONMEM assumes).
void apply_steady_state(const Problem& p, OdeSystem& system, std::vector<double>& x, double at) {
    std::vector<const DoseRecord*> doses;
    for (const auto& d : p.history.doses)
        if (d.steady_state > 0 && d.time_h == at) doses.push_back(&d);
    if (doses.empty()) return;
    const double tau = doses.front()->interval_h;
    const bool reset = std::any_of(doses.begin(), doses.end(), [](const DoseRecord* d) { return d->steady_state == 1; });
    std::vector<DoseEvent> cycle;
    for (const DoseRecord* d : doses) {
        if (d->interval_h != tau)
            throw InputError(dose_where(*d) + ": steady-state doses at one time need one interval II (" +
                             dose_where(*doses.front()) + " has II " + std::to_string(tau) + ")");
        cycle.push_back(event_of(p, system, *d, at - tau));
    }
    if (reset) {
        run_to_steady_state(p, system, x, cycle, tau, at);
        return;
    }
    auto fresh = p.model->bind(p.parameters, p.covariates);
    std::vector<double> initial(x.size()), periodic(x.size());
    fresh->initial_state(initial.data());
    periodic = initial;
    run_to_steady_state(p, *fresh, periodic, cycle, tau, at);
    const auto& states = p.model->states();
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!states[i].cumulative) x[i] += periodic[i] - initial[i];
}

}  // namespace

std::vector<DoseEvent> history_dose_events(const Problem& p, const OdeSystem& system) {
    std::vector<DoseEvent> events;
    for (const auto& d : p.history.doses)
        if (d.time_h <= p.end_h) events.push_back(event_of(p, system, d, d.time_h));
    std::stable_sort(events.begin(), events.end(),
                     [](const DoseEvent& a, const DoseEvent& b) { return a.time_h < b.time_h; });
    return events;
}

SolveStats simulate_history_states(const Problem& p, const std::vector<double>& grid, const SystemObserver& observer,
                                   bool full_states) {
    const DosingHistory& h = p.history;
    // the history runs in segments that start at 0, at each reset and at each steady-state dose
    std::vector<double> starts = {0.0};
    for (double t : h.resets_h) starts.push_back(t);
    for (const auto& d : h.doses)
        if (d.steady_state > 0) starts.push_back(d.time_h);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    while (!starts.empty() && starts.back() > p.end_h) starts.pop_back();

    SolveContext context;
    context.state_names = p.model->state_names();
    context.regimen_labels = {"dataset dose"};
    context.full_states_observed = full_states;
    SolveStats total;
    total.method = p.solver.method;
    std::unique_ptr<OdeSystem> system;
    std::vector<double> x(p.model->states().size());
    for (std::size_t k = 0; k < starts.size(); ++k) {
        const double a = starts[k];
        const bool last = k + 1 == starts.size();
        const double b = last ? p.end_h : starts[k + 1];
        const bool reset = std::binary_search(h.resets_h.begin(), h.resets_h.end(), a) ||
                           std::any_of(h.doses.begin(), h.doses.end(),
                                       [&](const DoseRecord& d) { return d.steady_state == 1 && d.time_h == a; });
        if (!system || reset) {  // a fresh system also forgets the dose history the model keeps
            system = p.model->bind(p.parameters, p.covariates);
            system->initial_state(x.data());
        }
        apply_steady_state(p, *system, x, a);
        std::vector<DoseEvent> events;
        for (const auto& d : h.doses)
            if (d.time_h >= a && (last ? d.time_h <= b : d.time_h < b)) events.push_back(event_of(p, *system, d, d.time_h));
        std::stable_sort(events.begin(), events.end(),
                         [](const DoseEvent& l, const DoseEvent& r) { return l.time_h < r.time_h; });
        std::vector<double> segment_grid;
        for (double t : grid)
            if (t >= a && (last ? t <= b : t < b)) segment_grid.push_back(t);
        const OdeSystem& bound = *system;
        const SolveStats stats = integrate(*system, x, a, b, events, segment_grid, p.solver,
                                           [&](double t, const double* state) { observer(bound, t, state); }, context);
        total.steps += stats.steps;
        total.rhs_evaluations += stats.rhs_evaluations;
        total.jacobian_evaluations += stats.jacobian_evaluations;
    }
    return total;
}

}  // namespace mobsim
