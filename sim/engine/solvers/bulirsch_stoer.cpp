// bulirsch_stoer: Boost.Odeint's extrapolation method with dense output, for tight tolerances. Its error check
// is scalar.
#include "sim/engine/solvers/odeint_stepping.hpp"

namespace mobsim::solvers {

long run_bulirsch_stoer(const MethodRun& run) {
    odeint::bulirsch_stoer_dense_out<Vector> stepper(run.scalar_atol, run.scalar_rtol);
    return integrate_segments(run, OdeintStepping<decltype(stepper), Vector, RhsAdaptor>(
                                       stepper, RhsAdaptor{&run.driven}, run.driven));
}

}  // namespace mobsim::solvers
