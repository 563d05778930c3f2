// Filgrastim (G-CSF) SC PK/PD after Krzyzanski et al. 2010 (J Clin Pharmacol 50(9 Suppl):101S): linear
// elimination plus receptor-mediated elimination under a quasi-equilibrium binding approximation, with the
// receptor pool proportional to the neutrophil lineage (9 marrow stages + blood ANC) that G-CSF expands.
#pragma once
#include <cmath>
#include <vector>

#include "models/drug_block.hpp"

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
    // Returns the free concentration (ng/mL) the derivatives used.
    double rhs(const double* x, double* dxdt) const;
    // d(rhs)/dx into the n_states x n_states sub-block at J (leading dimension ld).
    void jacobian(const double* x, double* J, int ld) const;
    double concentration_ng_mL(const double* x) const;  // free G-CSF
    // The same, and its gradient d(free G-CSF)/dx over the block's states into dc_dx[0, n_states).
    double concentration_ng_mL(const double* x, double* dc_dx) const;
    double neutrophils(const double* x) const { return x[anc]; }
    double bioavailability() const { return f_; }
    double baseline_ng_mL() const { return c0_; }
    double absorption_rate() const { return ka_; }  // 1/h: the depot decays at this rate alone

private:
    static double lineage_cells(const double* x);  // marrow stages + blood: what carries the receptors
    struct Binding {
        double free;    // ng/mL
        double root;    // sqrt(b^2 + 4 q) of the quadratic, = 2 C + b: its derivative in C
        double plasma;  // total/V: free plus bound, ng/mL
    };
    Binding binding(double total_amount, double receptors) const;
    double inv_v_ = 0, kel_v_ = 0, kint_v_ = 0;  // 1/V, kel V, kint V
    double f_ = 0, ka_ = 0, kel_ = 0, v_ = 0, kd_ = 0, kint_ = 0, ksi_ = 0, kmt_ = 0, ktt_ = 0, ec50_ = 0;
    double smax1_ = 0, smax2_ = 0, c0_ = 0;
    double input_ = 0;             // endogenous G-CSF production, ug/h
    double production_rate_ = 0;   // self-renewal constant of marrow stage 1
    double stage0_ = 0, total0_ = 0, anc0_ = 0;
};

// Inline, as the rhs runs on every solver step of the models that hold this block.
inline FilgrastimPk::Binding FilgrastimPk::binding(double total_amount, double receptors) const {
    // quasi-equilibrium: T = total/V = C + R*C/(KD + C), i.e. C^2 + b C - q = 0 with q = KD T, solved for
    // C >= 0 in the form that does not cancel (b > 0 when the receptors exceed the drug, as at baseline)
    const double plasma = total_amount * inv_v_;
    const double b = kd_ + receptors - plasma, q = kd_ * plasma;
    const double root = std::sqrt(b * b + 4.0 * q);
    return {b > 0.0 ? 2.0 * q / (b + root) : 0.5 * (root - b), root, plasma};
}

inline double FilgrastimPk::lineage_cells(const double* x) {
    double lineage = x[anc];
    for (int i = marrow1; i <= marrow9; ++i) lineage += x[i];
    return lineage;
}

inline double FilgrastimPk::rhs(const double* x, double* dxdt) const {
    const Binding binding_state = binding(x[total], ksi_ * lineage_cells(x));
    const double c = binding_state.free;
    const double bound = binding_state.plasma - c;  // R C/(KD + C), by the binding equation
    const double absorbed = ka_ * x[depot];
    dxdt[depot] = -absorbed;
    dxdt[total] = absorbed + input_ - kel_v_ * c - kint_v_ * bound;
    const double stimulus = c / (ec50_ + c);
    const double h1 = 1.0 + smax1_ * stimulus, h2 = 1.0 + smax2_ * stimulus;
    const double transit = ktt_ * h2;
    dxdt[marrow1] = production_rate_ * h1 * x[marrow1] - transit * x[marrow1];
    for (int i = marrow1 + 1; i <= marrow9; ++i) dxdt[i] = transit * (x[i - 1] - x[i]);
    dxdt[anc] = transit * x[marrow9] - kmt_ * x[anc];
    return c;
}

}  // namespace mobsim::models
