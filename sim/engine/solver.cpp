// integrate(): prepares a run (dose actions, the driven system with its exact linear blocks, tolerances) and
// hands it to the method the registry names (sim/engine/solvers/).
#include "sim/engine/solver.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/engine/solvers/stepping.hpp"

namespace mobsim {

SolveStats integrate(OdeSystem& system, std::vector<double>& x, double t0, double t_end,
                     const std::vector<DoseEvent>& events, const std::vector<double>& grid,
                     const SolverSettings& settings, const StateObserver& observer,
                     const SolveContext& context) {
    const SolverMethod* method = find_solver_method(settings.method);
    if (!method || !method->run)
        throw std::invalid_argument("integrate: unknown solver method '" + settings.method + "'");
    const auto actions = solvers::actions_from(events, system);
    solvers::DrivenSystem driven(system, x.size());
    if (settings.exact_linear_blocks) add_linear_blocks(driven, actions);
    system.set_propagated_blocks(driven.block_ids);
    if (!settings.tolerance_scale.empty() && settings.tolerance_scale.size() != x.size())
        throw std::invalid_argument("integrate: tolerance_scale needs one factor per state");
    // a scalar error check applies the smallest factor of any stepped state to all
    double scale = 1.0;
    if (!method->per_state_tolerance && !settings.tolerance_scale.empty() && !driven.stepped.empty()) {
        scale = std::numeric_limits<double>::infinity();
        for (int i : driven.stepped) scale = std::min(scale, settings.tolerance_scale[i]);
    }
    const solvers::MethodRun run{driven, x, t0, t_end, actions, grid, settings, observer, context,
                                 settings.atol * scale, settings.rtol * scale};
    SolveStats stats;
    stats.method = settings.method;
    stats.steps = method->run(run);
    stats.rhs_evaluations = driven.rhs_count;
    stats.jacobian_evaluations = driven.jacobian_count;
    return stats;
}

}  // namespace mobsim
