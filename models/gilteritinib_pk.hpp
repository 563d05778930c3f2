// Gilteritinib oral PK (XOSPATA label population PK): first-order absorption after a lag into a two-compartment
// body with linear elimination, and the drug's FLT3-ITD inhibition in plasma, the value a FLT3 coupling reads.
#pragma once
#include "models/component.hpp"

namespace mobsim::models {

// Positions in the component's declaration table.
struct GilteritinibPk {
    enum State { depot, central, peripheral, n_states };
    enum Param { ka, lag, cl, vc, vp, q, flt3_ic50, n_params };
};

// The component (models/component.hpp). Ports: "central_concentration" (mg/L, as sorafenib's) and
// "flt3_inhibition" (1: C / (C + IC50), Imax 1 and Hill 1, the trial model's sorafenib effect with gilteritinib's
// own potency).
ComponentDeclaration gilteritinib_component();

}  // namespace mobsim::models
