#include "models/sorafenib_pk.hpp"

#include <algorithm>

#include "models/model_base.hpp"
#include "models/pk_blocks.hpp"

namespace mobsim::models {

std::vector<StateInfo> SorafenibPk::state_infos() {
    return {{"sorafenib_depot", "mg", "sorafenib in the gut (oral doses enter here)"},
            {"sorafenib_transit1", "mg", "absorption transit 1"},
            {"sorafenib_transit2", "mg", "absorption transit 2"},
            {"sorafenib_transit3", "mg", "absorption transit 3"},
            {"sorafenib_transit4", "mg", "absorption transit 4 (bile returns here)"},
            {"sorafenib_central", "mg", "sorafenib in the central compartment"},
            {"sorafenib_gallbladder", "mg", "sorafenib stored in the gallbladder"}};
}

std::vector<ParameterInfo> SorafenibPk::parameter_infos() {
    const char* jain = "Jain 2011 Br J Clin Pharmacol 72:294, Table 3 (via nlmixr2lib Jain_2011_sorafenib)";
    return {
        {"sorafenib_ka", 2.53, "1/h", "absorption/transit rate, shared by depot and 4 transits (5/MAT, MAT 1.98 h)", jain, 1e-3, 100},
        {"sorafenib_CL", 8.13, "L/h", "apparent clearance CL/F out of the central compartment", jain, 1e-3, 1e3},
        {"sorafenib_V", 213, "L", "apparent central volume V/F at 80 kg, scaled by (weight/80)^1", jain, 1, 1e5},
        {"sorafenib_Fent", 0.498, "1", "fraction of central outflow sent to the gallbladder", jain, 0, 0.99},
        {"sorafenib_kEHC", 0.857, "1/h", "gallbladder emptying rate", jain, 1e-3, 100},
        {"sorafenib_tEHC", 6.13, "h", "time after a dose at which the gallbladder empties (t')", jain, 0.1, 24},
        {"sorafenib_hill_EHC", 0, "1", "steepness of the emptying switch; 0 = instantaneous at t'",
         "assumption: instantaneous switch at t' (Jain 2011's emptying time); nlmixr2lib smooths it with a Hill "
         "exponent of 40, which changes plasma sorafenib by at most 0.18% and cell outputs by 2e-6 on the trial "
         "regimen, and would forbid exact propagation of the block (docs/performance.md)",
         0, 100},
        {"sorafenib_dose_exponent", 0.6, "1", "theta in F_rel = (D/400 mg)^-theta above 400 mg",
         "assumption: label says exposure rises less than proportionally above 400 mg BID, size not published; "
         "theta 0.6 gives AUC x1.18 at 600 and x1.32 at 800 mg",
         0, 1}};
}

void SorafenibPk::bind(const double* p, double weight_kg) {
    volume_ = p[v_ref] * weight_kg / 80.0;
    ka_ = p[ka];
    kel_ = p[cl] / volume_;
    fent_ = p[fent];
    kehc_ = p[kehc];
    t_empty_ = p[t_empty];
    hill_ = p[hill];
    exponent_ = p[dose_exponent];
    if (hill_ == 0.0)
        for (const bool switched : {false, true}) {
            const SorafenibDoseClock clock{0.0, switched};
            linear_submatrix<n_states>([&](const double* x, double* dxdt) { rhs(0.0, clock, x, dxdt); },
                                       matrix_[switched], n_states);
        }
}

double SorafenibPk::bioavailability(double amount_mg) const {
    return amount_mg > 400.0 ? std::pow(amount_mg / 400.0, -exponent_) : 1.0;
}

double SorafenibPk::emptying_switch(double t, const SorafenibDoseClock& clock) const {
    if (hill_ == 0.0) return clock.switched ? 1.0 : 0.0;  // the solver stops exactly at t' and reports it
    if (!std::isfinite(clock.last_dose_h)) return 0.0;
    // tad^n / (tad^n + t'^n), written to stay finite for any time after dose
    const double ratio = (t - clock.last_dose_h) / t_empty_;
    return ratio > 0.0 ? 1.0 / (1.0 + std::pow(ratio, -hill_)) : 0.0;
}

double SorafenibPk::emptying_switch_rate(double t, const SorafenibDoseClock& clock) const {
    if (hill_ == 0.0 || !std::isfinite(clock.last_dose_h)) return 0.0;
    const double tad = t - clock.last_dose_h, ratio = tad / t_empty_;
    if (!(ratio > 0.0)) return 0.0;
    // d/dt 1/(1 + ratio^-n) = (n / tad) E (1 - E) with 1 - E = 1/(1 + ratio^n): finite for any n
    const double on = 1.0 / (1.0 + std::pow(ratio, -hill_)), off = 1.0 / (1.0 + std::pow(ratio, hill_));
    return hill_ / tad * on * off;
}

template <class T>
void SorafenibPk::rhs(double t, const SorafenibDoseClock& clock, const T* x, T* dxdt) const {
    pk::transit_chain(x, dxdt, depot, 5, central, ka_);
    const T out = kel_ * x[central];
    dxdt[central] -= out;
    dxdt[gallbladder] += fent_ * out;  // the remaining (1 - Fent) is the irreversible loss
    const T emptying = kehc_ * emptying_switch(t, clock) * x[gallbladder];
    dxdt[gallbladder] -= emptying;
    dxdt[transit4] += emptying;
}

template void SorafenibPk::rhs(double, const SorafenibDoseClock&, const double*, double*) const;
template void SorafenibPk::rhs(double, const SorafenibDoseClock&, const JacobianDual*, JacobianDual*) const;

void SorafenibPk::jacobian(double t, const SorafenibDoseClock& clock, double* J, int ld) const {
    if (hill_ == 0.0) {
        const double* a = matrix_[clock.switched];
        for (int i = 0; i < n_states; ++i) std::copy(a + i * n_states, a + (i + 1) * n_states, J + i * ld);
        return;
    }
    linear_submatrix<n_states>([&](const double* x, double* dxdt) { rhs(t, clock, x, dxdt); }, J, ld);
}

void SorafenibPk::time_derivative(double t, const SorafenibDoseClock& clock, const double* x, double* dfdt) const {
    std::fill(dfdt, dfdt + n_states, 0.0);
    const double emptying_rate = kehc_ * emptying_switch_rate(t, clock) * x[gallbladder];
    dfdt[gallbladder] = -emptying_rate;
    dfdt[transit4] = emptying_rate;
}

namespace {

// Sorafenib's FLT3-ITD potency, the component's parameter after the block's: its port flt3_inhibition is the
// fraction of FLT3-ITD signalling inhibited, C/(IC50 + C) (Imax 100%).
constexpr ParameterRow kFlt3Potency = {
    "sorafenib_IC50", 0.0693, "mg/L", "total plasma sorafenib for half-maximal FLT3-ITD inhibition",
    "Liu 2018 Clin Transl Sci (AML patients, plasma inhibitory activity; Imax 100%)", 1e-5, 10};
}  // namespace

ComponentDeclaration sorafenib_component() {
    ComponentDeclaration d{"sorafenib", component_states<SorafenibPk>(), SorafenibPk::parameter_infos(), {kWeight},
                           {"central_concentration", "gallbladder_amount", "flt3_inhibition"}, {},
                           {{{"sorafenib", "mg/L", "total plasma sorafenib"}, "central_concentration"},
                            {{"sorafenib_gallbladder", "mg", "amount stored in the gallbladder"}, "gallbladder_amount"}},
                           bind_component<SorafenibComponent>};
    using S = SorafenibPk;
    check_indices(d.parameters, S::n_params, {{S::ka, "sorafenib_ka"}, {S::cl, "sorafenib_CL"}, {S::v_ref, "sorafenib_V"},
                  {S::fent, "sorafenib_Fent"}, {S::kehc, "sorafenib_kEHC"}, {S::t_empty, "sorafenib_tEHC"},
                  {S::hill, "sorafenib_hill_EHC"}, {S::dose_exponent, "sorafenib_dose_exponent"}}, "sorafenib parameters");
    check_indices(d.states, S::n_states, {{S::depot, "sorafenib_depot"}, {S::transit4, "sorafenib_transit4"},
                  {S::central, "sorafenib_central"}, {S::gallbladder, "sorafenib_gallbladder"}}, "sorafenib states");
    check_indices(d.covariates, 1, {{SorafenibComponent::weight, "weight_kg"}}, "sorafenib covariates");
    using C = SorafenibComponent;
    check_indices(d.ports, C::port_count, {{C::central_concentration_port, "central_concentration"},
                  {C::gallbladder_amount_port, "gallbladder_amount"}, {C::flt3_inhibition_port, "flt3_inhibition"}},
                  "sorafenib ports");
    d.parameters.push_back(kFlt3Potency.info());  // after the block's: p[n_params]
    d.states[SorafenibPk::depot].dosable = true;
    for (auto& s : d.states) s.linear_block = 0;  // while the gallbladder switch is instantaneous
    d.states[SorafenibPk::central].coupling = d.states[SorafenibPk::gallbladder].coupling = true;  // the ports
    d.states[SorafenibPk::gallbladder].coupling_port = C::gallbladder_amount_port;
    return d;
}

}  // namespace mobsim::models
