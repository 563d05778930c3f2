// Dose scheduling: the dose events of a run as the instants at which something happens to a state.
#pragma once
#include <vector>

#include "sim/engine/dosing.hpp"
#include "sim/engine/model.hpp"

namespace mobsim::solvers {

// What happens at one instant: a bolus, or a change in a zero-order input rate.
struct Action {
    double time_h;
    int state;
    double bolus;
    double rate_change;
    int regimen;
    bool is_start;
    bool is_switch = false;
};

// Every action of `events`, in time order (stable: actions at the same time keep their events' order). An
// infusion is a rate change at its start and its end; the model's switch delays add restarts with no input.
std::vector<Action> actions_from(const std::vector<DoseEvent>& events, const OdeSystem& system);

}  // namespace mobsim::solvers
