// The solver methods by name: apart from solver.cpp, so the input readers (and their fuzz build) need no odeint.
#include "sim/engine/solver.hpp"

namespace mobsim {

std::string to_string(Method method) {
    switch (method) {
        case Method::dopri5: return "dopri5";
        case Method::tsit5: return "tsit5";
        case Method::rosenbrock4: return "rosenbrock4";
        case Method::bulirsch_stoer: return "bulirsch_stoer";
    }
    return "?";
}

namespace {
constexpr Method kMethods[] = {Method::dopri5, Method::tsit5, Method::rosenbrock4, Method::bulirsch_stoer};
}

std::vector<std::string> method_names() {
    std::vector<std::string> names;
    for (Method m : kMethods) names.push_back(to_string(m));
    return names;
}

std::optional<Method> method_from_string(const std::string& name) {
    for (Method m : kMethods)
        if (to_string(m) == name) return m;
    return std::nullopt;
}

}  // namespace mobsim
