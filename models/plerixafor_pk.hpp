// Plerixafor SC PK: first-order absorption into a two-compartment body, volumes per kg, clearance
// with a renal part that scales with creatinine clearance.
#pragma once
#include <vector>

#include "models/component.hpp"

namespace mobsim::models {

class PlerixaforPk {
public:
    enum State { depot, central, peripheral, n_states };
    enum Param { ka, f_sc, cl_kg, renal_fraction, v1_kg, v2_kg, q_kg, n_params };

    static std::vector<StateInfo> state_infos();
    static std::vector<ParameterInfo> parameter_infos();

    void bind(const double* p, double weight_kg, double crcl_mL_min);
    // Adds to dxdt (zeroed by the caller). Instantiated for double and JacobianDual.
    template <class T>
    void rhs(const T* x, T* dxdt) const;
    // d(rhs)/dx (constant) into the n_states x n_states sub-block at J (leading dimension ld).
    void jacobian(double* J, int ld) const;
    template <class T>
    T concentration_mg_L(const T* x) const {
        return x[central] / v1_;
    }
    double central_volume_L() const { return v1_; }
    double bioavailability() const { return f_; }
    double clearance_L_h() const { return cl_; }

private:
    double ka_ = 0, f_ = 0, cl_ = 0, v1_ = 0, v2_ = 0, q_ = 0;
};

class PlerixaforComponent : public TemplatedComponent<PlerixaforComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp): states, ports (plerixafor_component()).
    static constexpr int state_count = PlerixaforPk::n_states, port_count = 2;
    enum Port { central_concentration_port, cxcr4_occupancy_port };  // checked by name in plerixafor_component()
    enum Covariate { weight, crcl };  // positions in plerixafor_component()'s covariates, checked by name there
    PlerixaforComponent(const double* p, const double* c) {
        pk_.bind(p, c[weight], c[crcl]);
        ec50_amount_ = p[PlerixaforPk::n_params] * pk_.central_volume_L();
    }
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt) const {
        pk_.rhs(x, dxdt);
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[central_concentration_port] = pk_.concentration_mg_L(x);
        // C/(EC50 + C) with C = amount/V1, written as amount/(EC50 V1 + amount): one division
        out[cxcr4_occupancy_port] = x[PlerixaforPk::central] / (ec50_amount_ + x[PlerixaforPk::central]);
    }
    DoseRule dose_rule(int) const override { return constant_bioavailability(pk_.bioavailability()); }
    void linear_block_matrix(int, double, double* a) const override { pk_.jacobian(a, PlerixaforPk::n_states); }

private:
    PlerixaforPk pk_;
    double ec50_amount_ = 0;  // EC50 times the central volume, mg
};

// The block as a component (models/component.hpp): its declaration table and binding.
ComponentDeclaration plerixafor_component();

}  // namespace mobsim::models
