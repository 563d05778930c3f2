// The registry of solver methods (sim/engine/solvers/registry.cpp): each registered method solves a closed form
// (C(t) = D/V exp(-CL/V t), Gibaldi & Perrier ch. 1) at its tolerance, and the readers and the fuzz dictionary
// know every method by its registered name.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/base/errors.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
using mobsim::test::problem_from_yaml;
using mobsim::test::relative_error;

namespace {

std::string iv_bolus(const std::string& solver) {
    return R"(
model: linear_pk
parameters: {CL: 4.0, V1: 40.0}
regimens: [{into: central, amount: 100, unit: mg, at_h: [0, 12]}]
output: {end_h: 48, step_h: 0.25}
solver: )" + solver + "\n";
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("every registered solver method solves two IV boluses to their closed form at its tolerance", "[registry]") {
    REQUIRE(solver_methods().size() >= 4);
    const double k = 4.0 / 40.0;
    const auto truth = [&](double t) {
        return 100.0 / 40.0 * (std::exp(-k * t) + (t >= 12.0 ? std::exp(-k * (t - 12.0)) : 0.0));
    };
    for (const SolverMethod& method : solver_methods()) {
        INFO("method " << method.name);
        REQUIRE(method.run != nullptr);
        const std::string solver = std::string("{method: ") + method.name + ", linear_blocks: stepped, ";
        const Trajectory t = simulate(problem_from_yaml(iv_bolus(solver + "rtol: 1.0e-9, atol: 1.0e-12}")));
        CHECK(t.stats.method == method.name);
        CHECK(t.stats.abandoned_steps == 0);
        const auto c = t.column("conc_central");
        double worst = 0.0;
        for (std::size_t i = 0; i < c.size(); ++i)
            worst = std::max(worst, relative_error(c[i], truth(t.time_h[i])));
        CHECK(worst < 1e-6);
        CHECK((t.stats.jacobian_evaluations > 0) == method.stiff);
    }
}

TEST_CASE("the scenario reader names every registered method, and takes only stiff ones as the fallback", "[registry]") {
    for (const std::string& name : solver_method_names()) {
        const Problem p = problem_from_yaml(iv_bolus("{method: " + name + "}"));
        CHECK(p.solver.method == name);
    }
    try {
        problem_from_yaml(iv_bolus("{method: rosenbrok4}"));
        FAIL("an unknown method was accepted");
    } catch (const InputError& e) {
        const std::string message = e.what();
        CHECK(message.find("did you mean 'rosenbrock4'") != std::string::npos);
        for (const std::string& name : solver_method_names()) CHECK(message.find(name) != std::string::npos);
    }
    for (const SolverMethod& method : solver_methods()) {
        INFO("stiff_fallback " << method.name);
        const std::string yaml = iv_bolus(std::string("{stiff_fallback: ") + method.name + "}");
        if (method.stiff) CHECK(problem_from_yaml(yaml).solver.stiff_fallback == std::string(method.name));
        else CHECK_THROWS_AS(problem_from_yaml(yaml), InputError);
    }
}

TEST_CASE("the default method and stiff fallback are registered, the fallback as stiff", "[registry]") {
    const SolverSettings defaults;
    CHECK(find_solver_method(defaults.method) != nullptr);
    REQUIRE(defaults.stiff_fallback.has_value());
    const SolverMethod* fallback = find_solver_method(*defaults.stiff_fallback);
    REQUIRE(fallback != nullptr);
    CHECK(fallback->stiff);
    CHECK(find_solver_method("no_such_method") == nullptr);
}

TEST_CASE("the fuzz dictionary lists every registered solver method", "[registry]") {
    const std::string dictionary = read_text(std::filesystem::path(MOBSIM_SOURCE_DIR) / "fuzz" / "yaml.dict");
    REQUIRE(!dictionary.empty());
    for (const std::string& name : solver_method_names()) {
        INFO("add \"" << name << "\" to fuzz/yaml.dict");
        CHECK(dictionary.find("\n\"" + name + "\"\n") != std::string::npos);
    }
}
