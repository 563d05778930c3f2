#include "sim/engine/solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <boost/numeric/odeint.hpp>

#include "sim/numerics/embedded_runge_kutta.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/linear_block.hpp"

namespace mobsim {

namespace odeint = boost::numeric::odeint;

namespace {

// What happens at one instant: a bolus, or a change in a zero-order input rate.
struct Action {
    double time_h;
    int state;
    double bolus;
    double rate_change;
    int regimen;
    bool is_start;
    bool is_switch = false;
};

std::vector<Action> actions_from(const std::vector<DoseEvent>& events, const OdeSystem& system) {
    std::vector<Action> actions;
    for (const auto& e : events) {
        for (double delay : system.switch_delays_h(e.state))  // a restart, nothing given
            actions.push_back({e.time_h + delay, e.state, 0.0, 0.0, e.regimen, false, true});
        if (e.duration_h > 0.0) {
            const double rate = e.amount / e.duration_h;
            actions.push_back({e.time_h, e.state, 0.0, rate, e.regimen, true});
            actions.push_back({e.time_h + e.duration_h, e.state, 0.0, -rate, e.regimen, false});
        } else {
            actions.push_back({e.time_h, e.state, e.amount, 0.0, e.regimen, true});
        }
    }
    std::stable_sort(actions.begin(), actions.end(),
                     [](const Action& a, const Action& b) { return a.time_h < b.time_h; });
    return actions;
}

// The model plus the current zero-order input rates and the exactly propagated linear blocks, with counts.
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
    // rosenbrock4's Jacobian, the dense stepped J, f(x), f(x + h) and x + h
    mutable std::tuple<std::vector<double>, std::vector<double>, std::vector<double>> jacobian_work;
    mutable std::tuple<std::vector<double>, std::vector<double>, std::vector<double>, std::vector<double>>
        finite_difference_work;

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
    void set_stepped(std::vector<int> states) {
        stepped = std::move(states);
        stepped_runs.clear();
        for (std::size_t k = 0; k < stepped.size(); ++k) {
            if (k > 0 && stepped[k] == stepped[k - 1] + 1) ++stepped_runs.back().second;
            else stepped_runs.push_back({stepped[k], 1});
        }
    }

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

    // The model's analytic Jacobian restricted to the stepped states s (row-major, size() x size()), and their
    // df/dt. The coupling states are exact functions of t, so they enter df/dt as J[:, c] dc/dt.
    // False if the model has no analytic Jacobian.
    bool stepped_jacobian(double t, const double* s, double* jac, double* dfdt) const {
        const std::size_t n = full.size(), m = stepped.size();
        auto& [model_jac, model_dfdt, rate] = jacobian_work;
        model_jac.resize(n * n);
        model_dfdt.resize(n);
        rate.assign(n, 0.0);
        unpack(s, full.data());
        write_coupling(t, full.data());
        for (auto& b : blocks) b.fill_coupling_rate(t, rate.data());
        if (!model.jacobian(t, full.data(), model_jac.data(), model_dfdt.data())) return false;
        for (std::size_t k = 0; k < m; ++k) {
            const double* row = &model_jac[static_cast<std::size_t>(stepped[k]) * n];
            dfdt[k] = model_dfdt[stepped[k]];
            for (int c : coupling_states) dfdt[k] += row[c] * rate[c];
            for (std::size_t l = 0; l < m; ++l) jac[k * m + l] = row[stepped[l]];
        }
        return true;
    }

    // Makes every block state of x (or only the coupling states) exact at t.
    void complete(double t, double* x, bool all_states = true) const {
        for (auto& b : blocks) {
            if (all_states) b.fill_all(t, x);
            else b.fill_coupling(t, x);
        }
    }
    void restart_blocks(double t, const double* x) {
        coupling_time = std::numeric_limits<double>::quiet_NaN();
        std::vector<double> a;
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            const int n = blocks[b].block().size;
            a.assign(static_cast<std::size_t>(n) * n, 0.0);
            model.linear_block_matrix(block_ids[b], t, a.data());
            blocks[b].restart(t, x, a);
        }
    }
};

// Boost 1.74's rosenbrock4 weights df/dt in its fourth stage by +0.0362; Hairer & Wanner's RODAS4, whose
// coefficients it uses, has -0.0362 (rodas.f, METH = 1). With the wrong sign the method converges at first order
// on any problem whose right-hand side depends on t (tests/engine/test_solver_rosenbrock.cpp).
struct RodasCoefficients : odeint::default_rosenbrock_coefficients<double> {
    const double d4 = -0.3620000000000023e-01;  // hides the base's d4 in rosenbrock4's m_coef.d4
};
using Rosenbrock4 = odeint::rosenbrock4<double, RodasCoefficients>;

using Vector = std::vector<double>;
using UVector = boost::numeric::ublas::vector<double>;
using UMatrix = boost::numeric::ublas::matrix<double>;

double* data_of(Vector& v) { return v.data(); }
const double* data_of(const Vector& v) { return v.data(); }
double* data_of(UVector& v) { return &v.data()[0]; }
const double* data_of(const UVector& v) { return &v.data()[0]; }

struct RhsAdaptor {
    const DrivenSystem* system;
    template <class State>
    void operator()(const State& x, State& dxdt, double t) const {
        (*system)(data_of(x), data_of(dxdt), t);
    }
};

// Jacobian for rosenbrock4: the model's analytic one when it has it, else forward differences.
struct JacobianAdaptor {
    const DrivenSystem* system;  // odeint copies the adaptor each step, so work space lives in the system

    void operator()(const UVector& x, UMatrix& jac, double t, UVector& dfdt) const {
        const std::size_t n = x.size();  // the stepped states
        auto& [dense, f0, f1, xp] = system->finite_difference_work;
        ++system->jacobian_count;
        dense.resize(n * n);
        if (system->stepped_jacobian(t, data_of(x), dense.data(), data_of(dfdt))) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < n; ++j) jac(i, j) = dense[i * n + j];
            return;
        }
        f0.resize(n);
        f1.resize(n);
        xp.assign(data_of(x), data_of(x) + n);
        (*system)(xp.data(), f0.data(), t);
        for (std::size_t j = 0; j < n; ++j) {
            const double h = 1.49e-8 * std::max(std::abs(xp[j]), 1e-6);
            const double saved = xp[j];
            xp[j] = saved + h;
            (*system)(xp.data(), f1.data(), t);
            for (std::size_t i = 0; i < n; ++i) jac(i, j) = (f1[i] - f0[i]) / h;
            xp[j] = saved;
        }
        const double ht = 1.49e-8 * std::max(std::abs(t), 1.0);
        (*system)(xp.data(), f1.data(), t + ht);
        for (std::size_t i = 0; i < n; ++i) dfdt[i] = (f1[i] - f0[i]) / ht;
    }
};

// An odeint dense-output stepper on the stepped states, packed from and unpacked into model-sized states.
template <class Stepper, class State, class System>
class OdeintStepping {
public:
    OdeintStepping(Stepper stepper, System system, const DrivenSystem& driven)
        : stepper_(std::move(stepper)), system_(system), driven_(driven) {}

    void start(const double* x, double t, double dt, bool /*derivative_continuous*/) {
        State state(driven_.size());
        driven_.pack(x, data_of(state));
        stepper_.initialize(state, t, dt);
    }
    void limit_step(double dt) {  // odeint has no such call: restart from here (one more evaluation)
        State here = stepper_.current_state();
        stepper_.initialize(here, stepper_.current_time(), dt);
    }
    bool step() {
        try {
            stepper_.do_step(system_);
        } catch (const odeint::step_adjustment_error&) {
            return false;
        }
        return true;
    }
    double time() const { return stepper_.current_time(); }
    double step_size() const { return stepper_.current_time_step(); }
    void state_into(double* x) const { driven_.unpack(data_of(stepper_.current_state()), x); }
    std::size_t state_capacity() const { return driven_.full.size(); }
    void interpolate_into(double t, double* x) {
        if (interpolated_.size() != driven_.size()) interpolated_.resize(driven_.size());
        stepper_.calc_state(t, interpolated_);
        driven_.unpack(data_of(interpolated_), x);
    }
    int non_finite_state(double& value) const {  // a model state index, or -1
        const double* s = data_of(stepper_.current_state());
        for (std::size_t k = 0; k < driven_.size(); ++k)
            if (!std::isfinite(value = s[k])) return driven_.stepped[k];
        return -1;
    }

private:
    Stepper stepper_;
    System system_;
    const DrivenSystem& driven_;
    State interpolated_;  // stepped states at a grid point, reused
};

// mobsim's own 5(4) pairs on model-sized states: no packing, and landing on a segment end keeps the derivative.
template <class Tableau>
class EmbeddedStepping {
public:
    EmbeddedStepping(const DrivenSystem& driven, const SolverSettings& settings)
        : rhs_{&driven},
          stepper_(driven.full.size(), driven.stepped_runs, settings.atol, settings.rtol,
                   settings.tolerance_scale.empty() ? nullptr : settings.tolerance_scale.data()) {}

    void start(const double* x, double t, double dt, bool derivative_continuous) {
        if (derivative_continuous && started_) return stepper_.resume(t, dt);
        stepper_.initialize(x, t, dt);
        started_ = true;
    }
    void limit_step(double dt) { stepper_.limit_step(dt); }
    bool step() { return stepper_.step(rhs_); }
    double time() const { return stepper_.time(); }
    double step_size() const { return stepper_.step_size(); }
    void state_into(double* x) const {
        const double* s = stepper_.state();
        for (const auto& [first, count] : rhs_.system->stepped_runs)
            std::copy(s + first, s + first + count, x + first);
    }
    void interpolate_into(double t, double* x) const { stepper_.interpolate(t, x); }  // x: state_capacity()
    std::size_t state_capacity() const { return stepper_.padded_size(); }
    int non_finite_state(double& value) const {
        if (stepper_.state_finite()) return -1;
        for (const auto& [first, count] : rhs_.system->stepped_runs)
            for (int i = first; i < first + count; ++i)
                if (!std::isfinite(value = stepper_.state()[i])) return i;
        return -1;
    }

private:
    struct FullStateRhs {
        const DrivenSystem* system;
        void operator()(double t, double* x, double* dxdt) const { system->full_state_rhs(t, x, dxdt); }
    };
    FullStateRhs rhs_;
    EmbeddedRungeKutta<Tableau, FullStateRhs> stepper_;
    bool started_ = false;
};

// Walks segments between action times, stepping exactly onto each action time.
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
    // least accurate in the steps right after such a jump (ANC one hour after a G-CSF dose,
    // docs/performance.md); a step end there is 5th-order accurate.
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
               "another method (solver.method: rosenbrock4 for stiff problems, bulirsch_stoer for tight tolerances).";
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

// Takes over the model's linear blocks, except those that receive a zero-order input (not of the form x' = A x).
void add_linear_blocks(DrivenSystem& driven, const std::vector<Action>& actions) {
    const auto blocks = driven.model.linear_blocks();
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const LinearBlock& block = blocks[b];
        const bool infused = std::any_of(actions.begin(), actions.end(), [&](const Action& a) {
            return a.rate_change != 0.0 && a.state >= block.first_state && a.state < block.first_state + block.size;
        });
        if (infused) continue;
        driven.blocks.emplace_back(block);
        driven.block_ids.push_back(static_cast<int>(b));
        driven.coupling_states.insert(driven.coupling_states.end(), block.coupling.begin(), block.coupling.end());
        driven.coupling_values.resize(driven.coupling_states.size());
        const auto in_block = [&](int i) { return i >= block.first_state && i < block.first_state + block.size; };
        std::vector<int> stepped = driven.stepped;
        stepped.erase(std::remove_if(stepped.begin(), stepped.end(), in_block), stepped.end());
        driven.set_stepped(std::move(stepped));
    }
}

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

}  // namespace

SolveStats integrate(OdeSystem& system, std::vector<double>& x, double t0, double t_end,
                     const std::vector<DoseEvent>& events, const std::vector<double>& grid,
                     const SolverSettings& settings, const StateObserver& observer,
                     const SolveContext& context) {
    const auto actions = actions_from(events, system);
    DrivenSystem driven(system, x.size());
    if (settings.exact_linear_blocks) add_linear_blocks(driven, actions);
    system.set_propagated_blocks(driven.block_ids);
    if (!settings.tolerance_scale.empty() && settings.tolerance_scale.size() != x.size())
        throw std::invalid_argument("integrate: tolerance_scale needs one factor per state");
    SolveStats stats;
    stats.method = settings.method;
    // odeint's steppers check errors with scalar tolerances: the smallest factor of any stepped state, for all
    double scale = 1.0;
    if (!settings.tolerance_scale.empty() && !driven.stepped.empty()) {
        scale = std::numeric_limits<double>::infinity();
        for (int i : driven.stepped) scale = std::min(scale, settings.tolerance_scale[i]);
    }
    const double atol = settings.atol * scale, rtol = settings.rtol * scale;
    const auto run = [&](auto stepping) {
        SegmentIntegrator<decltype(stepping)> integrator(std::move(stepping), driven, settings, grid, observer,
                                                         context);
        run_actions(integrator, driven, x, t0, t_end, actions);
        stats.steps = integrator.steps;
    };
    if (settings.method == Method::dopri5) {
        run(EmbeddedStepping<DormandPrince5Tableau>(driven, settings));
    } else if (settings.method == Method::tsit5) {
        run(EmbeddedStepping<Tsitouras5Tableau>(driven, settings));
    } else if (settings.method == Method::bulirsch_stoer) {
        odeint::bulirsch_stoer_dense_out<Vector> stepper(atol, rtol);
        run(OdeintStepping<decltype(stepper), Vector, RhsAdaptor>(stepper, RhsAdaptor{&driven}, driven));
    } else {
        auto stepper = odeint::make_dense_output(atol, rtol, Rosenbrock4());
        auto sys = std::make_pair(RhsAdaptor{&driven}, JacobianAdaptor{&driven});
        run(OdeintStepping<decltype(stepper), UVector, decltype(sys)>(stepper, sys, driven));
    }
    stats.rhs_evaluations = driven.rhs_count;
    stats.jacobian_evaluations = driven.jacobian_count;
    return stats;
}

}  // namespace mobsim
