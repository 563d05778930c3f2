// The Stepping of a Boost.Odeint dense-output stepper: on the stepped states, packed from and unpacked into
// model-sized states. Included only by the method files that use odeint (rosenbrock4.cpp, bulirsch_stoer.cpp).
#pragma once
#include <cmath>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "sim/engine/solvers/stepping.hpp"

namespace mobsim::solvers {

namespace odeint = boost::numeric::odeint;

using Vector = std::vector<double>;
using UVector = boost::numeric::ublas::vector<double>;
using UMatrix = boost::numeric::ublas::matrix<double>;

inline double* data_of(Vector& v) { return v.data(); }
inline const double* data_of(const Vector& v) { return v.data(); }
inline double* data_of(UVector& v) { return &v.data()[0]; }
inline const double* data_of(const UVector& v) { return &v.data()[0]; }

// The driven system's f on the stepped states, in odeint's calling convention.
struct RhsAdaptor {
    const DrivenSystem* system;
    template <class State>
    void operator()(const State& x, State& dxdt, double t) const {
        (*system)(data_of(x), data_of(dxdt), t);
    }
};

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

}  // namespace mobsim::solvers
