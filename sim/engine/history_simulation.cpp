// Simulation of an individual dosing history with NONMEM's event semantics: resets (EVID 3 and 4), steady-state
// doses (SS 1 and 2), model-set infusion rates and durations (RATE -1 and -2), F and lag applied by the model.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

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
    auto fresh = p.model->bind(p.parameters, covariates_at(p, at));
    std::vector<double> initial(x.size()), periodic(x.size());
    fresh->initial_state(initial.data());
    periodic = initial;
    run_to_steady_state(p, *fresh, periodic, cycle, tau, at);
    const auto& states = p.model->states();
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!states[i].cumulative) x[i] += periodic[i] - initial[i];
}

// Systems bound at the covariates in force at each dose's time: a dose's F, lag and model-set rate or duration
// come from its own record's covariates, as NONMEM evaluates them at the dose record.
class DoseSystems {
public:
    explicit DoseSystems(const Problem& p) : p_(p) {}
    const OdeSystem& at(double t) {
        const std::vector<double>& values = covariates_at(p_, t);
        auto& system = bound_[&values];
        if (!system) system = p_.model->bind(p_.parameters, values);
        return *system;
    }

private:
    const Problem& p_;
    std::map<const std::vector<double>*, std::unique_ptr<OdeSystem>> bound_;
};

// The times in `segment` at which the covariates in force change, and which side of such a time a time falls
// on: next_backward puts a change time with the values before it (the record's own), last_forward after.
class CovariatePieces {
public:
    CovariatePieces(const Problem& p, double a, double b, bool last) : backward_(p.covariate_carry == CovariateCarry::next_backward) {
        const auto& r = p.covariate_records;
        for (std::size_t i = 0; i + 1 < r.size(); ++i) {
            if (r[i].values == r[i + 1].values) continue;
            const double c = backward_ ? r[i].time_h : r[i + 1].time_h;
            const bool inside = backward_ ? c >= a && c < b : c > a && (last ? c <= b : c < b);
            if (inside && (changes_.empty() || changes_.back() != c)) {
                changes_.push_back(c);
                values_.push_back(&r[i + 1].values);
            }
        }
    }
    std::size_t size() const { return changes_.size() + 1; }
    std::size_t piece_of(double t) const {
        const auto it = backward_ ? std::lower_bound(changes_.begin(), changes_.end(), t)
                                  : std::upper_bound(changes_.begin(), changes_.end(), t);
        return static_cast<std::size_t>(it - changes_.begin());
    }
    double start(std::size_t k, double a) const { return k == 0 ? a : changes_[k - 1]; }
    double end(std::size_t k, double b) const { return k + 1 == size() ? b : changes_[k]; }
    // values of piece k > 0 (piece 0 has the values in force at the segment's start)
    const std::vector<double>& values(std::size_t k) const { return *values_[k - 1]; }

private:
    bool backward_;
    std::vector<double> changes_;
    std::vector<const std::vector<double>*> values_;
};

// A system bound at new covariate values mid-history learns the doses and switch times already passed
// (the model's record of past doses, e.g. time after dose), in the order the solver gave them.
void replay_doses(OdeSystem& system, const std::vector<DoseEvent>& given, double before) {
    struct Passed { double t; int state; bool is_switch; };
    std::vector<Passed> passed;
    for (const auto& e : given) {
        for (double delay : system.switch_delays_h(e.state))
            if (e.time_h + delay < before) passed.push_back({e.time_h + delay, e.state, true});
        passed.push_back({e.time_h, e.state, false});
    }
    std::stable_sort(passed.begin(), passed.end(), [](const Passed& l, const Passed& r) { return l.t < r.t; });
    for (const auto& p : passed) {
        if (p.is_switch) system.on_switch(p.state, p.t);
        else system.on_dose(p.state, p.t);
    }
}

// The events a piece starting at `start` is given besides its own: the earlier ones as empty boluses (their
// switch times still to come) and what remains of infusions still running, from `start` at the same rate.
// (A continued infusion counts as a dose at `start` for a model that records dose times.)
std::vector<DoseEvent> carried_events(const std::vector<DoseEvent>& given, double start) {
    std::vector<DoseEvent> out;
    for (const auto& e : given) {
        DoseEvent empty = e;
        empty.amount = 0.0;
        empty.duration_h = 0.0;
        out.push_back(empty);
        const double stop = e.time_h + e.duration_h;
        if (e.duration_h > 0.0 && stop > start) {
            DoseEvent rest = e;
            rest.time_h = start;
            rest.duration_h = stop - start;
            rest.amount = e.amount * (rest.duration_h / e.duration_h);
            out.push_back(rest);
        }
    }
    return out;
}

void sort_by_time(std::vector<DoseEvent>& events) {
    std::stable_sort(events.begin(), events.end(),
                     [](const DoseEvent& l, const DoseEvent& r) { return l.time_h < r.time_h; });
}


}  // namespace

const std::vector<double>& covariates_at(const Problem& p, double t) {
    const auto& r = p.covariate_records;
    if (r.empty()) return p.covariates;
    if (p.covariate_carry == CovariateCarry::next_backward) {
        const auto next = std::lower_bound(r.begin(), r.end(), t,
                                           [](const CovariateRecord& c, double time) { return c.time_h < time; });
        return next == r.end() ? r.back().values : next->values;
    }
    const auto after = std::upper_bound(r.begin(), r.end(), t,
                                        [](double time, const CovariateRecord& c) { return time < c.time_h; });
    return after == r.begin() ? r.front().values : std::prev(after)->values;
}

void set_covariate(Problem& p, std::size_t index, double value) {
    p.covariates.at(index) = value;
    for (auto& record : p.covariate_records) record.values.at(index) = value;
}

std::vector<DoseEvent> history_dose_events(const Problem& p, const OdeSystem& system) {
    DoseSystems systems(p);
    std::vector<DoseEvent> events;
    for (const auto& d : p.history.doses)
        if (d.time_h <= p.end_h)
            events.push_back(event_of(p, p.covariate_records.empty() ? system : systems.at(d.time_h), d, d.time_h));
    sort_by_time(events);
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
    DoseSystems dose_systems(p);
    std::unique_ptr<OdeSystem> system;
    const std::vector<double>* bound_values = nullptr;
    std::vector<DoseEvent> since_reset;  // doses the current system has been given (replayed to a new one)
    std::vector<double> x(p.model->states().size());
    for (std::size_t k = 0; k < starts.size(); ++k) {
        const double a = starts[k];
        const bool last = k + 1 == starts.size();
        const double b = last ? p.end_h : starts[k + 1];
        const bool reset = std::binary_search(h.resets_h.begin(), h.resets_h.end(), a) ||
                           std::any_of(h.doses.begin(), h.doses.end(),
                                       [&](const DoseRecord& d) { return d.steady_state == 1 && d.time_h == a; });
        const CovariatePieces pieces(p, a, b, last);
        if (!system || reset) {  // a fresh system also forgets the dose history the model keeps
            bound_values = &covariates_at(p, a);
            system = p.model->bind(p.parameters, *bound_values);
            system->initial_state(x.data());
            since_reset.clear();
        } else if (bound_values != &covariates_at(p, a)) {  // the covariates change where the segment starts
            bound_values = &covariates_at(p, a);
            system = p.model->bind(p.parameters, *bound_values);
            replay_doses(*system, since_reset, a);
        }
        std::vector<DoseEvent> given;  // this segment's, before the current piece
        apply_steady_state(p, *system, x, a);
        std::vector<std::vector<DoseEvent>> events(pieces.size());
        for (const auto& d : h.doses)
            if (d.time_h >= a && (last ? d.time_h <= b : d.time_h < b)) {
                const DoseEvent e = event_of(p, dose_systems.at(d.time_h), d, d.time_h);
                events[pieces.piece_of(e.time_h)].push_back(e);
            }
        std::vector<std::vector<double>> piece_grids(pieces.size());
        for (double t : grid)
            if (t >= a && (last ? t <= b : t < b)) piece_grids[pieces.piece_of(t)].push_back(t);
        for (std::size_t j = 0; j < pieces.size(); ++j) {
            const double from = pieces.start(j, a), to = pieces.end(j, b);
            std::vector<DoseEvent> piece_events = events[j];
            if (j > 0) {
                bound_values = &pieces.values(j);
                system = p.model->bind(p.parameters, *bound_values);
                replay_doses(*system, since_reset, from);
                const auto carried = carried_events(given, from);
                piece_events.insert(piece_events.end(), carried.begin(), carried.end());
            }
            sort_by_time(piece_events);
            const OdeSystem& bound = *system;
            const SolveStats stats =
                integrate(*system, x, from, to, piece_events, piece_grids[j], p.solver,
                          [&](double t, const double* state) { observer(bound, t, state); }, context);
            given.insert(given.end(), events[j].begin(), events[j].end());
            since_reset.insert(since_reset.end(), events[j].begin(), events[j].end());
            total.steps += stats.steps;
            total.rhs_evaluations += stats.rhs_evaluations;
            total.jacobian_evaluations += stats.jacobian_evaluations;
        }
    }
    return total;
}

}  // namespace mobsim
