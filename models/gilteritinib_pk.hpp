// Gilteritinib oral PK (XOSPATA label population PK): first-order absorption after a lag into a two-compartment
// body with linear elimination, and the drug's FLT3-ITD inhibition in plasma, the value a FLT3 coupling reads.
#pragma once
#include "models/component.hpp"
#include "models/pk_blocks.hpp"

namespace mobsim::models {

// Positions in the component's declaration table.
struct GilteritinibPk {
    enum State { depot, central, peripheral, n_states };
    enum Param { ka, lag, cl, vc, vp, q, flt3_ic50, n_params };
};

// Linear with constant coefficients: the whole component is one linear block, propagated exactly between doses.
class GilteritinibComponent : public TemplatedComponent<GilteritinibComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp): states, ports (gilteritinib_component()).
    static constexpr int state_count = GilteritinibPk::n_states, port_count = 2;
    enum Port { central_concentration_port, flt3_inhibition_port };  // checked by name
    GilteritinibComponent(const double* p, const double*)
        : ka_(p[GilteritinibPk::ka]), lag_(p[GilteritinibPk::lag]), cl_(p[GilteritinibPk::cl]), vc_(p[GilteritinibPk::vc]), vp_(p[GilteritinibPk::vp]), q_(p[GilteritinibPk::q]),
          ic50_(p[GilteritinibPk::flt3_ic50]) {}
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt) const {
        pk::absorption(x, dxdt, GilteritinibPk::depot, GilteritinibPk::central, ka_);
        pk::distribution(x, dxdt, GilteritinibPk::central, GilteritinibPk::peripheral, q_, vc_, vp_);
        pk::elimination(x, dxdt, GilteritinibPk::central, cl_, vc_);
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        const T c = x[GilteritinibPk::central] / vc_;
        out[central_concentration_port] = c;
        out[flt3_inhibition_port] = c / (c + ic50_);
    }
    DoseRule dose_rule(int) const override {
        DoseRule rule;
        rule.lag_h = lag_;
        return rule;
    }
    void linear_block_matrix(int, double, double* a) const override {
        const auto rhs = [&](const double* x, double* dxdt) { evaluate<double>(0.0, x, nullptr, dxdt); };
        linear_submatrix<GilteritinibPk::n_states>(rhs, a, GilteritinibPk::n_states);
    }

private:
    double ka_, lag_, cl_, vc_, vp_, q_, ic50_;
};

// The component (models/component.hpp). Ports: "central_concentration" (mg/L, as sorafenib's) and
// "flt3_inhibition" (1: C / (C + IC50), Imax 1 and Hill 1, the trial model's sorafenib effect with gilteritinib's
// own potency).
ComponentDeclaration gilteritinib_component();

}  // namespace mobsim::models
