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

class SorafenibComponent : public TemplatedComponent<SorafenibComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp): states, ports (sorafenib_component()).
    static constexpr int state_count = SorafenibPk::n_states, port_count = 3;
    enum Port { central_concentration_port, gallbladder_amount_port, flt3_inhibition_port };  // checked by name
    enum Covariate { weight };  // position in sorafenib_component()'s covariates, checked by name there
    SorafenibComponent(const double* p, const double* c) {
        pk_.bind(p, c[weight]);
        ic50_amount_ = p[SorafenibPk::n_params] * pk_.volume_L();
    }
    template <class T>
    void evaluate(double t, const T* x, const T*, T* dxdt) const {
        pk_.rhs(t, clock_, x, dxdt);
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[central_concentration_port] = pk_.concentration_mg_L(x);
        out[gallbladder_amount_port] = x[SorafenibPk::gallbladder];
        // C/(IC50 + C) with C = amount/V, written as amount/(IC50 V + amount): one division
        out[flt3_inhibition_port] = x[SorafenibPk::central] / (ic50_amount_ + x[SorafenibPk::central]);
    }
    void time_derivative(double t, const double* x, double* dfdt) const override {
        pk_.time_derivative(t, clock_, x, dfdt);
    }
    DoseRule dose_rule(int) const override {
        return {1.0, [this](double amount) { return pk_.bioavailability(amount); }, 0.0, {pk_.switch_delay_h()}};
    }
    void on_dose(int, double t) override { pk_.on_dose(clock_, t); }
    void on_switch(int, double t) override { pk_.on_switch(clock_, t); }
    bool linear_block_holds(int) const override { return pk_.is_piecewise_linear(); }
    void linear_block_matrix(int, double t, double* a) const override {
        pk_.jacobian(t, clock_, a, SorafenibPk::n_states);  // the block's matrix is its Jacobian
    }

private:
    SorafenibPk pk_;
    SorafenibDoseClock clock_;
    double ic50_amount_ = 0;  // IC50 times the volume, mg
};

// The block as a component (models/component.hpp): its declaration table and binding.
ComponentDeclaration sorafenib_component();

}  // namespace mobsim::models
