#include "models/gilteritinib_pk.hpp"

#include <utility>
#include <vector>

#include "models/pk_blocks.hpp"

namespace mobsim::models {

namespace {

using G = GilteritinibPk;

std::vector<StateInfo> state_infos() {
    return {{"gilteritinib_depot", "mg", "gilteritinib in the gut (oral doses enter here after the lag)"},
            {"gilteritinib_central", "mg", "gilteritinib in the central compartment"},
            {"gilteritinib_peripheral", "mg", "gilteritinib in the peripheral compartment"}};
}

std::vector<ParameterInfo> parameter_infos() {
    const char* both = "XOSPATA US label 12.3 and EU SmPC 5.2 (population PK)";
    return {
        {"gilteritinib_ka", 0.43, "1/h", "first-order absorption rate", "XOSPATA EU SmPC 5.2 (population PK)", 1e-3, 100},
        {"gilteritinib_tlag", 0.34, "h", "absorption lag time after an oral dose", "XOSPATA EU SmPC 5.2 (population PK)",
         0, 24},
        {"gilteritinib_CL", 14.85, "L/h", "apparent clearance CL/F", both, 1e-3, 1e4},
        {"gilteritinib_Vc", 1092, "L", "apparent central volume Vc/F", both, 1, 1e6},
        {"gilteritinib_Vp", 1100, "L", "apparent peripheral volume Vp/F", both, 1, 1e6},
        {"gilteritinib_Q", 39.17, "L/h", "apparent intercompartmental clearance Q/F",
         "derived: the label reports no Q; 39.17 L/h makes the terminal half-life the label's mean 113 h (US label "
         "12.3; James 2020 Clin Pharmacokinet 59:1273) with the label's CL, Vc and Vp",
         1e-3, 1e4},
        {"gilteritinib_flt3_IC50", 0.0131, "mg/L", "total plasma gilteritinib for half-maximal FLT3-ITD inhibition",
         "derived: FLT3-ITD phosphorylation IC50 in human plasma 17-33 nM (Lee 2017 Blood 129:257), geometric mean "
         "23.7 nM x 552.7 g/mol = 13.1 ng/mL; total plasma, Imax 100%, Hill 1, as sorafenib_IC50 (docs/model.md)",
         1e-5, 10}};
}
}  // namespace

ComponentDeclaration gilteritinib_component() {
    std::vector<ComponentState> states;
    for (const StateInfo& s : state_infos()) states.push_back({s, false, 0});  // all in linear block 0
    ComponentDeclaration d{"gilteritinib", std::move(states), parameter_infos(), {},
                           {"central_concentration", "flt3_inhibition"}, {},
                           {{{"gilteritinib", "mg/L", "total plasma gilteritinib"}, "central_concentration"}},
                           bind_component<GilteritinibComponent>};
    check_indices(d.parameters, G::n_params, {{G::ka, "gilteritinib_ka"}, {G::lag, "gilteritinib_tlag"},
                  {G::cl, "gilteritinib_CL"}, {G::vc, "gilteritinib_Vc"}, {G::vp, "gilteritinib_Vp"},
                  {G::q, "gilteritinib_Q"}, {G::flt3_ic50, "gilteritinib_flt3_IC50"}}, "gilteritinib parameters");
    check_indices(d.states, G::n_states, {{G::depot, "gilteritinib_depot"}, {G::central, "gilteritinib_central"},
                  {G::peripheral, "gilteritinib_peripheral"}}, "gilteritinib states");
    using C = GilteritinibComponent;
    check_indices(d.ports, C::port_count, {{C::central_concentration_port, "central_concentration"},
                  {C::flt3_inhibition_port, "flt3_inhibition"}}, "gilteritinib ports");
    d.states[G::depot].dosable = true;
    d.states[G::central].coupling = true;  // read by the ports
    return d;
}

}  // namespace mobsim::models
