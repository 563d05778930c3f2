#include "models/plerixafor_pk.hpp"

#include "models/model_base.hpp"
#include "models/pk_blocks.hpp"

namespace mobsim::models {

std::vector<StateInfo> PlerixaforPk::state_infos() {
    return {{"plerixafor_depot", "mg", "plerixafor at the subcutaneous site (doses enter here)"},
            {"plerixafor_central", "mg", "plerixafor in plasma"},
            {"plerixafor_peripheral", "mg", "plerixafor in the peripheral compartment"}};
}

std::vector<ParameterInfo> PlerixaforPk::parameter_infos() {
    return {
        {"plerixafor_ka", 2.0, "1/h", "SC absorption rate",
         "derived: gives Tmax 0.77 h after SC dosing, label Tmax 30-60 min", 1e-2, 100},
        {"plerixafor_F", 0.87, "1", "SC bioavailability", "Hendrix 2000 Antimicrob Agents Chemother 44:1667 (abstract)", 0.01, 1},
        {"plerixafor_CL", 0.077, "L/h/kg", "clearance at CrCl 100 mL/min",
         "derived: 80 ug/kg IV / AUC 1044 ng.h/mL, Hendrix 2000", 1e-4, 10},
        {"plerixafor_renal_fraction", 0.40, "1", "part of CL proportional to CrCl/100 mL/min",
         "derived: reproduces the label's +32% AUC at CrCl 31-50 mL/min (at 40)", 0, 1},
        {"plerixafor_V1", 0.15, "L/kg", "central volume",
         "derived: Hendrix 2000 IV Cmax 515 ng/mL after 80 ug/kg", 1e-3, 10},
        {"plerixafor_V2", 0.15, "L/kg", "peripheral volume", "derived: V1 + V2 = label Vd 0.3 L/kg", 1e-3, 10},
        {"plerixafor_Q", 0.05, "L/h/kg", "inter-compartmental clearance",
         "derived: terminal half-life 4.1 h, label 3-5 h", 0, 10}};
}

void PlerixaforPk::bind(const double* p, double weight_kg, double crcl_mL_min) {
    ka_ = p[ka];
    f_ = p[f_sc];
    cl_ = p[cl_kg] * weight_kg * ((1.0 - p[renal_fraction]) + p[renal_fraction] * crcl_mL_min / 100.0);
    v1_ = p[v1_kg] * weight_kg;
    v2_ = p[v2_kg] * weight_kg;
    q_ = p[q_kg] * weight_kg;
}

template <class T>
void PlerixaforPk::rhs(const T* x, T* dxdt) const {
    pk::absorption(x, dxdt, depot, central, ka_);
    pk::distribution(x, dxdt, central, peripheral, q_, v1_, v2_);
    pk::elimination(x, dxdt, central, cl_, v1_);
}

template void PlerixaforPk::rhs(const double*, double*) const;
template void PlerixaforPk::rhs(const JacobianDual*, JacobianDual*) const;

void PlerixaforPk::jacobian(double* J, int ld) const {
    linear_submatrix<n_states>([&](const double* x, double* dxdt) { rhs(x, dxdt); }, J, ld);
}

namespace {

// Plerixafor's CXCR4 potency, the component's parameter after the block's: its port cxcr4_occupancy is the
// fraction of CXCR4 blocked, C/(EC50 + C).
constexpr ParameterRow kCxcr4Potency = {
    "plerixafor_EC50", 0.035, "mg/L", "total plasma plerixafor for half-maximal CXCR4 occupancy",
    "derived from human data: plerixafor 240 ug/kg alone gives 15.5-fold CD34+ (Liles 2003 Blood 102:2728, "
    "healthy volunteers; model: docs/validation.md, Single-agent validation). Binding "
    "data agree in order: SDF-1 binding IC50 ~44 nM (Fricker 2006) = 0.022 mg/L unbound, 0.05 mg/L total", 1e-4, 100};
}  // namespace

ComponentDeclaration plerixafor_component() {
    ComponentDeclaration d{"plerixafor", component_states<PlerixaforPk>(), PlerixaforPk::parameter_infos(),
                           {kWeight, kCreatinineClearance}, {"central_concentration", "cxcr4_occupancy"}, {},
                           {{{"plerixafor", "mg/L", "plasma plerixafor"}, "central_concentration"}},
                           bind_component<PlerixaforComponent>};
    using P = PlerixaforPk;
    check_indices(d.parameters, P::n_params, {{P::ka, "plerixafor_ka"}, {P::f_sc, "plerixafor_F"}, {P::cl_kg, "plerixafor_CL"},
                  {P::renal_fraction, "plerixafor_renal_fraction"}, {P::v1_kg, "plerixafor_V1"}, {P::v2_kg, "plerixafor_V2"},
                  {P::q_kg, "plerixafor_Q"}}, "plerixafor parameters");
    check_indices(d.states, P::n_states, {{P::depot, "plerixafor_depot"}, {P::central, "plerixafor_central"},
                  {P::peripheral, "plerixafor_peripheral"}}, "plerixafor states");
    check_indices(d.covariates, 2, {{PlerixaforComponent::weight, "weight_kg"}, {PlerixaforComponent::crcl, "crcl_mL_min"}},
                  "plerixafor covariates");
    using C = PlerixaforComponent;
    check_indices(d.ports, C::port_count, {{C::central_concentration_port, "central_concentration"},
                  {C::cxcr4_occupancy_port, "cxcr4_occupancy"}}, "plerixafor ports");
    d.parameters.push_back(kCxcr4Potency.info());  // after the block's: p[n_params]
    d.states[PlerixaforPk::depot].dosable = true;
    for (auto& s : d.states) s.linear_block = 0;
    d.states[PlerixaforPk::central].coupling = true;
    return d;
}

}  // namespace mobsim::models
