// rosenbrock4: Boost.Odeint's 4th-order Rosenbrock method (RODAS4's coefficients) with 3rd-order dense
// output, for stiff problems. It uses the model's analytic Jacobian, else forward differences; its error check
// is scalar.
#include "sim/engine/solvers/odeint_stepping.hpp"

namespace mobsim::solvers {

namespace {

// Boost 1.74's rosenbrock4 weights df/dt in its fourth stage by +0.0362; Hairer & Wanner's RODAS4, whose
// coefficients it uses, has -0.0362 (rodas.f, METH = 1). With the wrong sign the method converges at first order
// on any problem whose right-hand side depends on t (tests/engine/test_solver_rosenbrock.cpp).
struct RodasCoefficients : odeint::default_rosenbrock_coefficients<double> {
    const double d4 = -0.3620000000000023e-01;  // hides the base's d4 in rosenbrock4's m_coef.d4
};
using Rosenbrock4 = odeint::rosenbrock4<double, RodasCoefficients>;

struct JacobianAdaptor {
    const DrivenSystem* system;
    std::vector<double>* dense;  // odeint copies the adaptor each step, so work space lives outside it

    void operator()(const UVector& x, UMatrix& jac, double t, UVector& dfdt) const {
        const std::size_t n = x.size();  // the stepped states
        dense->resize(n * n);
        system->jacobian(t, data_of(x), dense->data(), data_of(dfdt));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) jac(i, j) = (*dense)[i * n + j];
    }
};

}  // namespace

long run_rosenbrock4(const MethodRun& run) {
    std::vector<double> dense;  // the Jacobian, row-major
    auto stepper = odeint::make_dense_output(run.scalar_atol, run.scalar_rtol, Rosenbrock4());
    auto system = std::make_pair(RhsAdaptor{&run.driven}, JacobianAdaptor{&run.driven, &dense});
    return integrate_segments(run, OdeintStepping<decltype(stepper), UVector, decltype(system)>(
                                       stepper, system, run.driven));
}

}  // namespace mobsim::solvers
