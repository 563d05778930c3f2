#include "sim/engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

std::string located(const Scenario& s, const std::string& key) {
    auto it = s.positions.find(key);
    return it != s.positions.end() ? it->second.where() : s.path + ": '" + key + "'";
}

template <class Infos>
std::vector<std::string> names_of(const Infos& infos) {
    std::vector<std::string> out;
    for (const auto& info : infos) out.push_back(info.name);
    return out;
}

std::vector<double> make_grid(const OutputSpec& out) {
    std::vector<double> grid;
    if (out.step_h) {
        const auto n = static_cast<long>(std::floor((out.end_h - out.start_h) / *out.step_h + 1e-9));
        for (long k = 0; k <= n; ++k) grid.push_back(out.start_h + static_cast<double>(k) * *out.step_h);
    } else {
        for (double t : out.times_h)
            if (t >= out.start_h && t <= out.end_h) grid.push_back(t);
    }
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    return grid;
}

SolveContext context_of(const Problem& p) {
    SolveContext context;
    context.state_names = p.model->state_names();
    for (const auto& r : p.regimens) context.regimen_labels.push_back(r.label);
    return context;
}

// When a dose of `reg` administered at t reaches `state`: after the regimen's and the model's lag times.
double arrival_time(const Regimen& reg, const OdeSystem& system, int state, double t) {
    return t + reg.lag_h + system.lag_time_h(state);
}

// Converts regimen r's dose at administration time t into an event (amount after bioavailability).
DoseEvent event_for(const Problem& p, const OdeSystem& system, std::size_t r, double t) {
    const Regimen& reg = p.regimens[r];
    const int state = p.regimen_states[r];
    const std::string context = p.model->name() + " regimen '" + reg.label + "'";
    const double amount = convert_amount(reg.amount, reg.unit, p.model->states()[state].unit, p.weight_kg, context);
    DoseEvent e;
    e.state = state;
    e.regimen = static_cast<int>(r);
    e.time_h = arrival_time(reg, system, state, t);
    e.amount = amount * reg.bioavailability * system.bioavailability(state, amount);
    if (reg.duration_h) e.duration_h = *reg.duration_h;
    if (reg.rate_per_h) e.duration_h = reg.amount / *reg.rate_per_h;
    if (reg.model_infusion != InputRate::bolus) {
        const bool by_rate = reg.model_infusion == InputRate::model_rate;
        const double set = by_rate ? system.infusion_rate_per_h(state, amount) : system.infusion_duration_h(state, amount);
        if (!(set > 0.0))
            throw InputError(context + ": " + (by_rate ? "rate_per_h" : "duration_h") +
                             ": model asks the model for the infusion, but it sets no " +
                             (by_rate ? "rate" : "duration") + " for state '" + p.model->states()[state].name + "'");
        e.duration_h = by_rate ? e.amount / set : set;  // as RATE -1: bioavailability changes the duration
        if (reg.steady_state && e.duration_h > *reg.every_h)
            throw InputError(context + ": steady_state needs an infusion no longer than the dosing interval; the "
                                       "model sets " + std::to_string(e.duration_h) + " h");
    }
    return e;
}

// Runs the steady-state regimens over [-tau, 0) until the state at 0 repeats. Returns the periodic state.
void equilibrate(const Problem& p, OdeSystem& system, std::vector<double>& x);

}  // namespace

void run_to_steady_state(const Problem& p, OdeSystem& system, std::vector<double>& x,
                         const std::vector<DoseEvent>& cycle, double tau, double at) {
    const SolveContext context = context_of(p);
    const std::vector<double> no_grid;
    const StateObserver ignore = [](double, const double*) {};
    const auto& states = p.model->states();
    const std::vector<double> start = x;
    std::vector<double> previous = x;
    for (int k = 0; k < 5000; ++k) {
        integrate(system, x, at - tau, at, cycle, no_grid, p.solver, ignore, context);
        double change = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!states[i].cumulative)
                change = std::max(change, std::abs(x[i] - previous[i]) / (std::abs(x[i]) + p.solver.atol / p.solver.rtol));
        if (change < 10.0 * p.solver.rtol) {
            for (std::size_t i = 0; i < x.size(); ++i)
                if (states[i].cumulative) x[i] = start[i];
            return;
        }
        previous = x;
    }
    throw SolverError(p.model->name() + ": the steady_state regimen did not reach a periodic state within 5000 "
                      "dosing intervals (the model may have no steady state under this regimen)");
}

namespace {

void equilibrate(const Problem& p, OdeSystem& system, std::vector<double>& x) {
    std::optional<double> tau;
    std::vector<DoseEvent> cycle;
    for (std::size_t r = 0; r < p.regimens.size(); ++r) {
        const Regimen& reg = p.regimens[r];
        if (!reg.steady_state) continue;
        if (tau && std::abs(*tau - *reg.every_h) > 1e-12)
            throw InputError(p.model->name() + ": all steady_state regimens must share one dosing interval");
        tau = *reg.every_h;
        cycle.push_back(event_for(p, system, r, -*reg.every_h));
    }
    if (tau) run_to_steady_state(p, system, x, cycle, *tau, 0.0);
}

// The model's tolerance scale of each state, overridden by the scenario's; empty when every one is 1.
std::vector<double> tolerance_scales(const Model& model, const Scenario& s) {
    std::vector<double> scales;
    for (const auto& state : model.states()) scales.push_back(state.tolerance_scale);
    for (const auto& [name, value] : s.tolerance_scale)
        scales[model.require_state(name, located(s, "solver.tolerance_scale." + name))] = value;
    if (std::all_of(scales.begin(), scales.end(), [](double v) { return v == 1.0; })) scales.clear();
    return scales;
}

}  // namespace

std::vector<double> Trajectory::column(const std::string& name) const {
    for (std::size_t j = 0; j < outputs.size(); ++j) {
        if (outputs[j].name != name) continue;
        std::vector<double> out(time_h.size());
        for (std::size_t i = 0; i < time_h.size(); ++i) out[i] = at(i, j);
        return out;
    }
    throw std::out_of_range("no output named " + name);
}

void set_parameter(Problem& problem, const std::string& name, double value, const std::string& where) {
    const auto& infos = problem.model->parameters();
    const int index = problem.model->parameter_index(name);
    if (index < 0)
        throw InputError(where + ": model '" + problem.model->name() + "' has no parameter '" + name + "'" +
                         did_you_mean(name, names_of(infos)));
    const ParameterInfo& info = infos[index];
    if (!std::isfinite(value) || value < info.lower || value > info.upper) {
        std::ostringstream msg;
        msg << where << ": parameter '" << name << "' = " << value << " is outside its admissible range ["
            << info.lower << ", " << info.upper << "]" << (info.unit == "1" ? "" : " " + info.unit);
        throw InputError(msg.str());
    }
    problem.parameters[index] = value;
}

Problem build_problem(const Scenario& s, std::shared_ptr<const Model> model) {
    Problem p;
    p.model = model;
    p.parameters = model->default_parameters();
    if (!s.parameters_file.empty())
        for (const auto& [name, value] : read_parameter_file(s.parameters_file))
            set_parameter(p, name, value, s.parameters_file);
    for (const auto& [name, value] : s.parameters) set_parameter(p, name, value, located(s, "parameters." + name));

    const auto& covariates = model->covariates();
    std::vector<std::string> allowed = names_of(covariates);
    if (std::find(allowed.begin(), allowed.end(), "weight_kg") == allowed.end()) allowed.push_back("weight_kg");
    for (const auto& [name, value] : s.patient) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            throw InputError(located(s, "patient." + name) + ": model '" + model->name() +
                             "' uses no patient covariate '" + name + "'" + did_you_mean(name, allowed) +
                             " (it uses: " + join(allowed, ", ") + ")");
        if (value > 1e6) throw InputError(located(s, "patient." + name) + ": value is implausibly large");
    }
    for (const auto& c : covariates) {
        auto it = s.patient.find(c.name);
        if (it == s.patient.end())
            throw InputError(s.path + ": model '" + model->name() + "' needs the patient covariate '" + c.name +
                             "' (" + c.description + ", " + c.unit + "); add it under patient:");
        p.covariates.push_back(it->second);
    }
    if (auto it = s.patient.find("weight_kg"); it != s.patient.end()) p.weight_kg = it->second;

    for (std::size_t r = 0; r < s.regimens.size(); ++r) {
        const Regimen& reg = s.regimens[r];
        const std::string where = located(s, "regimens[" + std::to_string(r) + "]");
        const int state = model->require_state(reg.target, where + ".into");
        // converts once now so unit and weight problems surface before solving
        const double converted = convert_amount(reg.amount, reg.unit, model->states()[state].unit, p.weight_kg, where);
        if (!std::isfinite(converted) || !std::isfinite(converted * reg.bioavailability))
            throw InputError(where + ".amount: the dose overflows when converted to " + model->states()[state].unit);
        p.regimens.push_back(reg);
        p.regimen_states.push_back(state);
    }

    for (const auto& name : s.output.outputs) model->require_output(name, s.path + ": 'output.outputs'");
    p.end_h = s.output.end_h;
    p.grid = make_grid(s.output);
    p.solver = s.solver;
    p.solver.tolerance_scale = tolerance_scales(*model, s);
    if (s.output.include_dose_times) p.grid = grid_with_dose_times(p);
    return p;
}

std::vector<DoseEvent> dose_events(const Problem& p, const OdeSystem& system) {
    std::vector<DoseEvent> events;
    for (std::size_t r = 0; r < p.regimens.size(); ++r) {
        const Regimen& reg = p.regimens[r];
        const std::vector<double> times = administration_times(reg);
        if (times.empty() || times.front() > p.end_h) continue;
        // every dose of a regimen has the same amount: converted once, then placed at each time
        const DoseEvent first = event_for(p, system, r, times.front());
        for (double t : times) {
            if (t > p.end_h) break;
            DoseEvent e = first;
            e.time_h = arrival_time(reg, system, e.state, t);
            events.push_back(e);
        }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const DoseEvent& a, const DoseEvent& b) { return a.time_h < b.time_h; });
    return events;
}

std::vector<double> grid_with_dose_times(const Problem& p) {
    auto system = p.model->bind(p.parameters, p.covariates);
    std::vector<double> grid = p.grid;
    const bool history = !p.history.empty() || !p.covariate_records.empty();
    for (const auto& e : history ? history_dose_events(p, *system) : dose_events(p, *system))
        if (e.time_h <= p.end_h) grid.push_back(e.time_h);
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    return grid;
}

SolveStats simulate_states(const Problem& p, const std::vector<double>& grid, const SystemObserver& observer,
                           bool full_states) {
    if (!p.history.empty() || !p.covariate_records.empty()) {
        if (!p.regimens.empty())
            throw InputError(p.model->name() + ": a problem takes regimens or a dataset's dose records and " +
                             "covariates, not both");
        return simulate_history_states(p, grid, observer, full_states);
    }
    auto system = p.model->bind(p.parameters, p.covariates);
    std::vector<double> x(p.model->states().size());
    system->initial_state(x.data());
    equilibrate(p, *system, x);
    const auto events = dose_events(p, *system);
    const OdeSystem& bound = *system;
    SolveContext context = context_of(p);
    context.full_states_observed = full_states;
    return integrate(*system, x, 0.0, p.end_h, events, grid, p.solver,
                     [&](double t, const double* state) { observer(bound, t, state); }, context);
}

namespace {

Trajectory simulate_with(const Problem& p) {
    Trajectory out;
    out.outputs = p.model->outputs();
    const std::size_t n_out = out.outputs.size();
    out.time_h.reserve(p.grid.size());
    out.values.reserve(p.grid.size() * n_out);
    std::vector<double> y(n_out);
    out.stats = simulate_states(p, p.grid, [&](const OdeSystem& system, double t, const double* x) {
        system.observe(t, x, y.data());
        out.time_h.push_back(t);
        out.values.insert(out.values.end(), y.begin(), y.end());
    }, false);
    return out;
}

}  // namespace

std::string describe_fallback(const SolverSettings& settings, const SolveStats& stats) {
    if (stats.method == settings.method) return "";
    return settings.method + " stopped after " + std::to_string(stats.abandoned_steps) + " steps; " +
           stats.method + " (solver.stiff_fallback) finished in " + std::to_string(stats.steps) + " steps";
}

Trajectory simulate(const Problem& p) {
    const auto& fallback = p.solver.stiff_fallback;
    if (!fallback || *fallback == p.solver.method) return simulate_with(p);
    try {
        return simulate_with(p);
    } catch (const SolverError& first) {
        Problem stiff = p;
        stiff.solver.method = *fallback;
        try {
            Trajectory out = simulate_with(stiff);
            out.stats.abandoned_steps = first.steps();
            return out;
        } catch (const SolverError& second) {
            throw SolverError(std::string(first.what()) + "\nRetried with " + *fallback +
                              " (solver.stiff_fallback), which failed too: " + second.what());
        }
    }
}

}  // namespace mobsim
