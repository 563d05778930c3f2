// The registry of solver methods: the one place a method is named. The scenario reader, `mobsim --help`,
// `mobsim bench` and the fuzz dictionary's test (tests/engine/test_solver_registry.cpp) take the list from here.
// Adding a method: a file sim/engine/solvers/<name>.cpp defining run_<name> (a Stepping, stepping.hpp, given to
// integrate_segments), and its two lines here. As libRoadRunner's IntegratorFactory::Register lists its
// integrators in one function, the list is explicit: a static library would drop self-registering objects.
#include "sim/engine/solver.hpp"

namespace mobsim {

namespace solvers {
long run_dopri5(const MethodRun& run);
long run_tsit5(const MethodRun& run);
long run_rosenbrock4(const MethodRun& run);
long run_bulirsch_stoer(const MethodRun& run);
}  // namespace solvers

// The fuzzers compile the input readers alone (fuzz/CMakeLists.txt): they need the names, not the integrators.
#ifdef MOBSIM_READERS_ONLY
#define MOBSIM_METHOD_RUN(function) nullptr
#else
#define MOBSIM_METHOD_RUN(function) &solvers::function
#endif

const std::vector<SolverMethod>& solver_methods() {
    static const std::vector<SolverMethod> methods{
        // name, summary, stiff, per_state_tolerance, run
        {"dopri5", "Dormand-Prince explicit 5(4) pair, 4th-order dense output (the default)", false, true,
         MOBSIM_METHOD_RUN(run_dopri5)},
        {"tsit5", "Tsitouras explicit 5(4) pair, 4th-order dense output", false, true, MOBSIM_METHOD_RUN(run_tsit5)},
        {"rosenbrock4", "Rosenbrock 4(3) (RODAS4 coefficients) with the Jacobian, for stiff problems", true, false,
         MOBSIM_METHOD_RUN(run_rosenbrock4)},
        {"bulirsch_stoer", "Bulirsch-Stoer extrapolation, for tight tolerances", false, false,
         MOBSIM_METHOD_RUN(run_bulirsch_stoer)},
    };
    return methods;
}

const SolverMethod* find_solver_method(const std::string& name) {
    for (const SolverMethod& m : solver_methods())
        if (name == m.name) return &m;
    return nullptr;
}

std::vector<std::string> solver_method_names() {
    std::vector<std::string> names;
    for (const SolverMethod& m : solver_methods()) names.push_back(m.name);
    return names;
}

std::vector<std::string> stiff_solver_method_names() {
    std::vector<std::string> names;
    for (const SolverMethod& m : solver_methods())
        if (m.stiff) names.push_back(m.name);
    return names;
}

}  // namespace mobsim
