// Sorafenib oral PK (Jain et al., Br J Clin Pharmacol 2011;72:294): depot + 4 transit compartments with one
// shared ka, one central compartment, and enterohepatic recirculation through a gallbladder that empties
// from t' after each sorafenib dose (instantaneous by default, or a Hill switch on time after dose).
#pragma once
#include <cmath>
#include <limits>
#include <vector>

#include "models/component.hpp"

namespace mobsim::models {

// The latest sorafenib dose and whether the solver has passed its gallbladder switch time.
struct SorafenibDoseClock {
    double last_dose_h = -std::numeric_limits<double>::infinity();  // no dose yet
    bool switched = false;
};

class SorafenibPk {
public:
    enum State { depot, transit1, transit2, transit3, transit4, central, gallbladder, n_states };
    enum Param { ka, cl, v_ref, fent, kehc, t_empty, hill, dose_exponent, n_params };

    static std::vector<StateInfo> state_infos();
    static std::vector<ParameterInfo> parameter_infos();

    void bind(const double* p, double weight_kg);
    // x, dxdt point at this block's states. The clock's last dose may be negative (steady-state run-in).
    // Adds to dxdt (zeroed by the caller). Instantiated for double and JacobianDual.
    template <class T>
    void rhs(double t, const SorafenibDoseClock& clock, const T* x, T* dxdt) const;
    // d(rhs)/dx into the n_states x n_states sub-block at J (leading dimension ld); rhs is linear in x.
    void jacobian(double t, const SorafenibDoseClock& clock, double* J, int ld) const;
    // d(rhs)/dt into dfdt[0, n_states): nonzero only through a Hill switch (hill > 0).
    void time_derivative(double t, const SorafenibDoseClock& clock, const double* x, double* dfdt) const;
    void on_dose(SorafenibDoseClock& clock, double t) const {
        clock.last_dose_h = t;
        clock.switched = false;
    }
    // A switch time of an earlier dose, passed after a later dose, does not count.
    void on_switch(SorafenibDoseClock& clock, double t) const {
        if (t - clock.last_dose_h >= t_empty_ * (1.0 - 1e-12)) clock.switched = true;
    }
    template <class T>
    T concentration_mg_L(const T* x) const {
        return x[central] / volume_;
    }
    // Relative bioavailability (D/400 mg)^-theta above 400 mg: less than dose-proportional exposure.
    double bioavailability(double amount_mg) const;
    double volume_L() const { return volume_; }
    // With an instantaneous switch the block is linear with constant coefficients between doses and switches.
    bool is_piecewise_linear() const { return hill_ == 0.0; }
    // The gallbladder switch time after each dose (a solver breakpoint).
    double switch_delay_h() const { return t_empty_; }

private:
    double emptying_switch(double t, const SorafenibDoseClock& clock) const;       // 0 (closed) .. 1 (emptying)
    double emptying_switch_rate(double t, const SorafenibDoseClock& clock) const;  // its time derivative
    double ka_ = 0, kel_ = 0, fent_ = 0, kehc_ = 0, t_empty_ = 0, hill_ = 0, exponent_ = 0, volume_ = 0;
    // With an instantaneous switch, the two matrices of the block (row-major): gallbladder closed, emptying.
    // The solver asks for one at every dose and switch.
    double matrix_[2][n_states * n_states] = {};
};

// The block as a component (models/component.hpp): its declaration table and binding.
ComponentDeclaration sorafenib_component();

}  // namespace mobsim::models
