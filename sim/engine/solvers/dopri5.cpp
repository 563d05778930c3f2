// dopri5: Dormand and Prince's explicit 5(4) pair with 4th-order dense output, the default method.
#include "sim/engine/solvers/embedded_stepping.hpp"

namespace mobsim::solvers {

long run_dopri5(const MethodRun& run) { return integrate_embedded<DormandPrince5Tableau>(run); }

}  // namespace mobsim::solvers
