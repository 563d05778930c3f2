// The Stepping of mobsim's own embedded 5(4) Runge-Kutta pairs (sim/numerics/embedded_runge_kutta.hpp): on
// model-sized states, so no packing, and landing on a segment end keeps the derivative. The pair is a tableau.
#pragma once
#include <algorithm>
#include <cmath>

#include "sim/engine/solvers/stepping.hpp"
#include "sim/numerics/embedded_runge_kutta.hpp"

namespace mobsim::solvers {

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

// A method of one embedded pair: integrates the run with it.
template <class Tableau>
long integrate_embedded(const MethodRun& run) {
    return integrate_segments(run, EmbeddedStepping<Tableau>(run.driven, run.settings));
}

}  // namespace mobsim::solvers
