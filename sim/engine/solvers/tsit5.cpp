// tsit5: Tsitouras' explicit 5(4) pair (2011), same stepper as dopri5 with other coefficients.
#include "sim/engine/solvers/embedded_stepping.hpp"

namespace mobsim::solvers {

long run_tsit5(const MethodRun& run) { return integrate_embedded<Tsitouras5Tableau>(run); }

}  // namespace mobsim::solvers
