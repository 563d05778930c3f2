// The stepping interface every solver method implements, and the run a method receives.
//
// A Stepping advances the stepped states of a DrivenSystem one adaptive step at a time. It is a concept (checked
// by is_stepping below), not a virtual class: SegmentIntegrator<Stepping> calls it inside the step loop, where
// a virtual call per step would cost instructions, so each method instantiates the loop with its own Stepping.
// The members, with x a model-sized state (DrivenSystem::full.size() values, or state_capacity()):
//   void start(const double* x, double t, double dt, bool derivative_continuous)
//       begin a segment at (t, x) with a first step dt; derivative_continuous: f is unchanged since the last
//       step, so a stepper may keep the derivative it has
//   void limit_step(double dt)           make the next step exactly dt (to land on a segment end or grid time)
//   bool step()                          one step; false on step-size underflow
//   double time() const, double step_size() const   where the stepper is, and its next step
//   void state_into(double* x) const     the stepped states into x (the others untouched)
//   void interpolate_into(double t, double* x)      dense output at t within the last step, into x
//   std::size_t state_capacity() const   the size interpolate_into may write (>= the model's, for padding)
//   int non_finite_state(double& value) const       a model state index holding a non-finite value, or -1
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/engine/solver.hpp"
#include "sim/engine/solvers/actions.hpp"
#include "sim/engine/solvers/driven_system.hpp"
#include "sim/engine/solvers/segment_integrator.hpp"

namespace mobsim::solvers {

template <class S, class = void>
struct is_stepping : std::false_type {};
template <class S>
struct is_stepping<
    S, std::void_t<decltype(std::declval<S&>().start(std::declval<const double*>(), 0.0, 0.0, false)),
                   decltype(std::declval<S&>().limit_step(0.0)),
                   std::enable_if_t<std::is_same_v<decltype(std::declval<S&>().step()), bool>>,
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const S&>().time()), double>>,
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const S&>().step_size()), double>>,
                   decltype(std::declval<const S&>().state_into(std::declval<double*>())),
                   decltype(std::declval<S&>().interpolate_into(0.0, std::declval<double*>())),
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const S&>().state_capacity()), std::size_t>>,
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const S&>().non_finite_state(
                                                       std::declval<double&>())),
                                                   int>>>> : std::true_type {};

// One integration as a method receives it (integrate() in sim/engine/solver.cpp prepares it).
struct MethodRun {
    DrivenSystem& driven;
    std::vector<double>& x;  // the model state at t0; the final state on return
    double t0, t_end;
    const std::vector<Action>& actions;
    const std::vector<double>& grid;
    const SolverSettings& settings;
    const StateObserver& observer;
    const SolveContext& context;
    // For methods whose error check is scalar (not SolverMethod::per_state_tolerance): settings' tolerances
    // times the smallest tolerance_scale factor of any stepped state; for the others, settings' tolerances
    double scalar_atol, scalar_rtol;
};

// Integrates `run` with `stepping`; returns the steps taken.
template <class Stepping>
long integrate_segments(const MethodRun& run, Stepping stepping) {
    static_assert(is_stepping<Stepping>::value, "a solver method's stepper must implement the Stepping members");
    SegmentIntegrator<Stepping> integrator(std::move(stepping), run.driven, run.settings, run.grid, run.observer,
                                           run.context);
    run_actions(integrator, run.driven, run.x, run.t0, run.t_end, run.actions);
    return integrator.steps;
}

}  // namespace mobsim::solvers
