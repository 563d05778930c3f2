#include "models/filgrastim_pk.hpp"

#include <cmath>

#include "models/model_base.hpp"

namespace mobsim::models {

std::vector<StateInfo> FilgrastimPk::state_infos() {
    std::vector<StateInfo> s = {{"filgrastim_depot", "ug", "filgrastim at the subcutaneous site (doses enter here)"},
                                {"filgrastim_total", "ug", "filgrastim in plasma, free plus receptor-bound"}};
    for (int i = 1; i <= 9; ++i)
        s.push_back({"neutrophil_marrow" + std::to_string(i), "1e3/uL", "marrow neutrophil-lineage stage " +
                                                                            std::to_string(i) + " (blood-equivalent units)"});
    s.push_back({"neutrophil_blood", "1e3/uL", "absolute neutrophil count"});
    // dopri5's error estimate understates this state's error 4-15x as G-CSF saturates its receptors after a
    // dose (docs/performance.md, "Tolerance scales"): a tenth of the tolerance keeps ANC within it
    s.back().tolerance_scale = 0.1;
    return s;
}

std::vector<ParameterInfo> FilgrastimPk::parameter_infos() {
    const char* k = "Krzyzanski 2010 J Clin Pharmacol 50(9S):101S (final estimates as coded in the CAMPSIS library)";
    return {{"filgrastim_F", 0.602, "1", "SC bioavailability", k, 0.01, 1},
            {"filgrastim_ka", 0.651, "1/h", "SC absorption rate", k, 1e-3, 100},
            {"filgrastim_kel", 0.152, "1/h", "linear elimination rate of free G-CSF", k, 1e-4, 100},
            {"filgrastim_V", 2.42, "L", "central volume (unit inferred from the model's dose and output units)", k, 0.01, 100},
            {"filgrastim_KD", 1.44, "ng/mL", "G-CSF/receptor dissociation constant", k, 1e-3, 100},
            {"filgrastim_kint", 0.105, "1/h", "internalisation of the drug-receptor complex", k, 1e-4, 100},
            {"filgrastim_receptors_per_cell", 0.181, "ng/mL per 1e3/uL", "receptor capacity per neutrophil-lineage cell", k, 0, 100},
            {"neutrophil_kmt", 0.0728, "1/h", "loss rate of blood neutrophils", k, 1e-4, 10},
            {"neutrophil_ktt", 0.00862, "1/h", "basal transit rate between marrow stages", k, 1e-5, 10},
            {"neutrophil_ANC0", 1.55, "1e3/uL", "baseline absolute neutrophil count",
             "Krzyzanski 2010 (healthy volunteers); AML patients are often lower: set per patient", 1e-3, 100},
            {"filgrastim_EC50", 3.15, "ng/mL", "G-CSF concentration for half-maximal marrow stimulation", k, 1e-3, 1e3},
            {"filgrastim_Smax_production", 34.7, "1", "maximal stimulation of marrow production", k, 0, 1e3},
            {"filgrastim_Smax_transit", 32.2, "1", "maximal acceleration of marrow transit", k, 0, 1e3},
            {"filgrastim_baseline", 0.02, "ng/mL", "endogenous G-CSF concentration", k, 1e-6, 10}};
}

void FilgrastimPk::bind(const double* p) {
    f_ = p[f_sc];
    ka_ = p[ka];
    kel_ = p[kel];
    v_ = p[volume];
    inv_v_ = 1.0 / v_;
    kd_ = p[kd];
    kint_ = p[kint];
    ksi_ = p[ksi];
    kmt_ = p[kmt];
    ktt_ = p[ktt];
    ec50_ = p[ec50];
    smax1_ = p[emax_production];
    smax2_ = p[emax_transit];
    c0_ = p[baseline_conc];
    anc0_ = p[anc0];
    // baseline steady state of the lineage and of G-CSF
    const double h1 = 1.0 + smax1_ * c0_ / (ec50_ + c0_), h2 = 1.0 + smax2_ * c0_ / (ec50_ + c0_);
    stage0_ = kmt_ * anc0_ / (ktt_ * h2);
    production_rate_ = ktt_ * h2 / h1;
    const double receptors0 = ksi_ * (9.0 * stage0_ + anc0_);
    const double bound0 = receptors0 * c0_ / (kd_ + c0_);
    total0_ = v_ * (c0_ + bound0);
    input_ = kel_ * c0_ * v_ + kint_ * bound0 * v_;
    kel_v_ = kel_ * v_;
    kint_v_ = kint_ * v_;
}

void FilgrastimPk::initial_state(double* x) const {
    x[depot] = 0.0;
    x[total] = total0_;
    for (int i = marrow1; i <= marrow9; ++i) x[i] = stage0_;
    x[anc] = anc0_;
}

void FilgrastimPk::jacobian(const double* x, double* J) const {
    forward_jacobian<n_states, n_states>([&](const auto* xs, auto* dxs) { rhs(xs, dxs); }, n_states, x, J);
}

ComponentDeclaration filgrastim_component() {
    ComponentDeclaration d{"filgrastim", component_states<FilgrastimPk>(), FilgrastimPk::parameter_infos(), {},
                           {"free_concentration", "neutrophils"}, {},
                           {{{"filgrastim", "ng/mL", "free serum G-CSF"}, "free_concentration"},
                            {{"anc", "1e3/uL", "absolute neutrophil count"}, "neutrophils"}},
                           bind_component<FilgrastimComponent>};
    d.assigns_derivatives = FilgrastimComponent::assigns_derivatives;
    using C = FilgrastimComponent;
    check_indices(d.ports, C::port_count, {{C::free_concentration_port, "free_concentration"},
                  {C::neutrophils_port, "neutrophils"}}, "filgrastim ports");
    using F = FilgrastimPk;
    check_indices(d.parameters, F::n_params, {{F::f_sc, "filgrastim_F"}, {F::ka, "filgrastim_ka"}, {F::kel, "filgrastim_kel"},
                  {F::volume, "filgrastim_V"}, {F::kd, "filgrastim_KD"}, {F::kint, "filgrastim_kint"},
                  {F::ksi, "filgrastim_receptors_per_cell"}, {F::kmt, "neutrophil_kmt"}, {F::ktt, "neutrophil_ktt"},
                  {F::anc0, "neutrophil_ANC0"}, {F::ec50, "filgrastim_EC50"}, {F::emax_production, "filgrastim_Smax_production"},
                  {F::emax_transit, "filgrastim_Smax_transit"}, {F::baseline_conc, "filgrastim_baseline"}}, "filgrastim parameters");
    check_indices(d.states, F::n_states, {{F::depot, "filgrastim_depot"}, {F::total, "filgrastim_total"},
                  {F::marrow1, "neutrophil_marrow1"}, {F::marrow9, "neutrophil_marrow9"}, {F::anc, "neutrophil_blood"}},
                  "filgrastim states");
    d.states[FilgrastimPk::depot].dosable = true;
    // the depot decays at ka alone; the plasma state reads it
    d.states[FilgrastimPk::depot].linear_block = 0;
    d.states[FilgrastimPk::depot].coupling = true;
    return d;
}

}  // namespace mobsim::models
