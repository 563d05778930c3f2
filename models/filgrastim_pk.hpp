// Filgrastim (G-CSF) SC PK/PD after Krzyzanski et al. 2010 (J Clin Pharmacol 50(9 Suppl):101S): linear
// elimination plus receptor-mediated elimination under a quasi-equilibrium binding approximation, with the
// receptor pool proportional to the neutrophil lineage (9 marrow stages + blood ANC) that G-CSF expands.
#pragma once
#include <cmath>
#include <vector>

#include "models/component.hpp"

namespace mobsim::models {

class FilgrastimPk {
public:
    enum State { depot, total, marrow1, marrow9 = marrow1 + 8, anc, n_states };
    enum Param { f_sc, ka, kel, volume, kd, kint, ksi, kmt, ktt, anc0, ec50, emax_production, emax_transit,
                 baseline_conc, n_params };

    static std::vector<StateInfo> state_infos();
    static std::vector<ParameterInfo> parameter_infos();

    void bind(const double* p);
    void initial_state(double* x) const;
    // Writes every derivative and returns the free concentration (ng/mL) they used. T: double or a dual number.
    template <class T>
    T rhs(const T* x, T* dxdt) const;
    // d(rhs)/dx (row-major n_states x n_states) by forward-mode differentiation of rhs().
    void jacobian(const double* x, double* J) const;
    template <class T>
    T concentration_ng_mL(const T* x) const {  // free G-CSF
        return binding(x[total], ksi_ * lineage_cells(x)).free;
    }
    double neutrophils(const double* x) const { return x[anc]; }
    double bioavailability() const { return f_; }
    double baseline_ng_mL() const { return c0_; }
    double absorption_rate() const { return ka_; }  // 1/h: the depot decays at this rate alone

private:
    template <class T>
    static T lineage_cells(const T* x);  // marrow stages + blood: what carries the receptors
    template <class T>
    struct Binding {
        T free;    // ng/mL
        T plasma;  // total/V: free plus bound, ng/mL
    };
    template <class T>
    Binding<T> binding(const T& total_amount, const T& receptors) const;
    double inv_v_ = 0, kel_v_ = 0, kint_v_ = 0;  // 1/V, kel V, kint V
    double f_ = 0, ka_ = 0, kel_ = 0, v_ = 0, kd_ = 0, kint_ = 0, ksi_ = 0, kmt_ = 0, ktt_ = 0, ec50_ = 0;
    double smax1_ = 0, smax2_ = 0, c0_ = 0;
    double input_ = 0;             // endogenous G-CSF production, ug/h
    double production_rate_ = 0;   // self-renewal constant of marrow stage 1
    double stage0_ = 0, total0_ = 0, anc0_ = 0;
};

// Inline, as the rhs runs on every solver step of the models that hold this block.
template <class T>
FilgrastimPk::Binding<T> FilgrastimPk::binding(const T& total_amount, const T& receptors) const {
    // quasi-equilibrium: T = total/V = C + R*C/(KD + C), i.e. C^2 + b C - q = 0 with q = KD T, solved for
    // C >= 0 in the form that does not cancel (b > 0 when the receptors exceed the drug, as at baseline)
    using std::sqrt;
    const T plasma = total_amount * inv_v_;
    const T b = kd_ + receptors - plasma, q = kd_ * plasma;
    const T root = sqrt(b * b + 4.0 * q);
    return {b > 0.0 ? 2.0 * q / (b + root) : 0.5 * (root - b), plasma};
}

template <class T>
T FilgrastimPk::lineage_cells(const T* x) {
    T lineage = x[anc];
    for (int i = marrow1; i <= marrow9; ++i) lineage += x[i];
    return lineage;
}

template <class T>
T FilgrastimPk::rhs(const T* x, T* dxdt) const {
    const Binding<T> binding_state = binding(x[total], ksi_ * lineage_cells(x));
    const T c = binding_state.free;
    const T bound = binding_state.plasma - c;  // R C/(KD + C), by the binding equation
    const T absorbed = ka_ * x[depot];
    dxdt[depot] = -absorbed;
    dxdt[total] = absorbed + input_ - kel_v_ * c - kint_v_ * bound;
    const T stimulus = c / (ec50_ + c);
    const T h1 = 1.0 + smax1_ * stimulus, h2 = 1.0 + smax2_ * stimulus;
    const T transit = ktt_ * h2;
    dxdt[marrow1] = production_rate_ * h1 * x[marrow1] - transit * x[marrow1];
    for (int i = marrow1 + 1; i <= marrow9; ++i) dxdt[i] = transit * (x[i - 1] - x[i]);
    dxdt[anc] = transit * x[marrow9] - kmt_ * x[anc];
    return c;
}

class FilgrastimComponent : public TemplatedComponent<FilgrastimComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp): states, ports (filgrastim_component()).
    static constexpr int state_count = FilgrastimPk::n_states, port_count = 2;
    static constexpr bool assigns_derivatives = true;  // its rhs writes every derivative
    enum Port { free_concentration_port, neutrophils_port };  // checked by name in filgrastim_component()
    FilgrastimComponent(const double* p, const double*) { pk_.bind(p); }
    void initial_state(double* x, int) const override { pk_.initial_state(x); }
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt) const {
        pk_.rhs(x, dxdt);
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[free_concentration_port] = pk_.concentration_ng_mL(x);
        out[neutrophils_port] = x[FilgrastimPk::anc];
    }
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt, T* out) const {
        out[free_concentration_port] = pk_.rhs(x, dxdt);  // the free concentration the derivatives used
        out[neutrophils_port] = x[FilgrastimPk::anc];
    }
    DoseRule dose_rule(int) const override { return constant_bioavailability(pk_.bioavailability()); }
    void linear_block_matrix(int, double, double* a) const override { a[0] = -pk_.absorption_rate(); }

private:
    FilgrastimPk pk_;
};

// The block as a component (models/component.hpp): its declaration table and binding.
ComponentDeclaration filgrastim_component();

}  // namespace mobsim::models
