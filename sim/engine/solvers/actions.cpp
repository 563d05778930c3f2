#include "sim/engine/solvers/actions.hpp"

#include <algorithm>

namespace mobsim::solvers {

std::vector<Action> actions_from(const std::vector<DoseEvent>& events, const OdeSystem& system) {
    std::vector<Action> actions;
    for (const auto& e : events) {
        for (double delay : system.switch_delays_h(e.state))  // a restart, nothing given
            actions.push_back({e.time_h + delay, e.state, 0.0, 0.0, e.regimen, false, true});
        if (e.duration_h > 0.0) {
            const double rate = e.amount / e.duration_h;
            actions.push_back({e.time_h, e.state, 0.0, rate, e.regimen, true});
            actions.push_back({e.time_h + e.duration_h, e.state, 0.0, -rate, e.regimen, false});
        } else {
            actions.push_back({e.time_h, e.state, e.amount, 0.0, e.regimen, true});
        }
    }
    std::stable_sort(actions.begin(), actions.end(),
                     [](const Action& a, const Action& b) { return a.time_h < b.time_h; });
    return actions;
}

}  // namespace mobsim::solvers
