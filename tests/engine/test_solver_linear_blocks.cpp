// Exact propagation of linear blocks inside the solver, against a second implementation: the same problem with
// every state stepped by dopri5 (solver.linear_blocks: stepped), both at tight tolerance.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "sim/studies/benchmark.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
using mobsim::test::problem_from_yaml;

namespace {

// The shipped default scenario (the 800 mg trial) at tight tolerance, its linear blocks exact or stepped.
Problem trial_problem(bool exact_blocks, double end_h = 672, double step_h = 1) {
    static const ModelRegistry registry = models::builtin_models();
    const auto file = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "trial_800mg.yaml";
    const Scenario scenario = read_scenario(file.string());
    Problem p = build_problem(scenario, registry.create(scenario.model));
    p.end_h = end_h;
    p.grid.clear();
    for (double t = 0.0; t <= end_h + 1e-9; t += step_h) p.grid.push_back(t);
    p.solver.rtol = 1e-11;
    p.solver.atol = 1e-13;
    p.solver.exact_linear_blocks = exact_blocks;
    return p;
}

// Largest |a - b| / max(|b|, 1e-4 peak|b|) over every output and row (the bench's error measure).
double max_difference(const Trajectory& a, const Trajectory& b) {
    REQUIRE(a.values.size() == b.values.size());
    return max_relative_error(a, b, 1e-4, nullptr);
}

Trajectory run(std::string yaml, const std::string& blocks, double rtol = 1e-11) {
    std::ostringstream solver;
    solver << "solver: {rtol: " << rtol << ", atol: 1.0e-13, linear_blocks: " << blocks << "}\n";
    yaml += solver.str();
    return simulate(problem_from_yaml(yaml));
}

}  // namespace

TEST_CASE("trial model: exactly propagated drug blocks agree with stepping every state on every output") {
    const Trajectory exact = simulate(trial_problem(true));
    const Trajectory stepped = simulate(trial_problem(false));
    CHECK(max_difference(exact, stepped) < 1e-8);
    // the point of it: the sorafenib absorption chain no longer sets the step size
    CHECK(exact.stats.steps * 3 < stepped.stats.steps);
}

TEST_CASE("sorafenib alone: the whole model is one block, gallbladder and plasma agree with stepping") {
    const std::string yaml =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 600, unit: mg, every_h: 12, count: 10}\n"
        "  - {label: late, into: sorafenib_depot, amount: 400, unit: mg, at_h: [125.5]}\n"
        "output: {end_h: 200, step_h: 0.25}\n";
    CHECK(max_difference(run(yaml, "exact"), run(yaml, "stepped")) < 1e-8);
}

TEST_CASE("a model that is all blocks takes no steps, under every method, and agrees with stepping") {
    const std::string yaml =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 600, unit: mg, every_h: 12, count: 10}\n"
        "output: {end_h: 150, step_h: 0.5}\n";
    const Trajectory stepped = run(yaml, "stepped");
    for (const char* method : {"dopri5", "rosenbrock4", "bulirsch_stoer"}) {
        INFO(method);
        const Trajectory exact = simulate(problem_from_yaml(
            yaml + "solver: {method: " + method + ", linear_blocks: exact, stiff_fallback: none}\n"));
        CHECK(exact.stats.steps == 0);
        CHECK(exact.stats.rhs_evaluations == 0);
        CHECK(max_difference(exact, stepped) < 1e-8);
    }
}

TEST_CASE("full states at report times: every block state, not only those the outputs read, is exact") {
    const Problem p = trial_problem(true, 100, 2.5);
    const Problem stepped = trial_problem(false, 100, 2.5);
    std::vector<double> a, b;
    simulate_states(p, p.grid, [&](const OdeSystem&, double, const double* x) { a.insert(a.end(), x, x + 10); });
    simulate_states(stepped, p.grid, [&](const OdeSystem&, double, const double* x) { b.insert(b.end(), x, x + 10); });
    REQUIRE(a.size() == b.size());
    // the first 10 states: sorafenib depot .. gallbladder and plerixafor depot .. peripheral (amounts in mg)
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    CHECK(worst < 1e-6);  // mg, against amounts of hundreds of mg
}

TEST_CASE("a block that receives an infusion, or a smooth switch, is stepped: results do not depend on the setting") {
    const std::string infused =
        "model: plerixafor_pk\npatient: {weight_kg: 70, crcl_mL_min: 90}\nregimens:\n"
        "  - {label: iv, into: plerixafor_central, amount: 10, unit: mg, at_h: [1], duration_h: 2}\n"
        "output: {end_h: 24, step_h: 0.5}\n";
    const Trajectory a = run(infused, "exact", 1e-8), b = run(infused, "stepped", 1e-8);
    CHECK(a.values == b.values);
    CHECK(a.stats.steps == b.stats.steps);

    const std::string hill =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nparameters: {sorafenib_hill_EHC: 40}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, every_h: 12, count: 4}\n"
        "output: {end_h: 48, step_h: 1}\n";
    const Trajectory c = run(hill, "exact", 1e-8), d = run(hill, "stepped", 1e-8);
    CHECK(c.values == d.values);
}

TEST_CASE("the gallbladder switch of an earlier dose, passed after a later dose, does not start the emptying") {
    // Doses 4 h apart with t' = 6.13 h: the first dose's switch time (6.13 h) falls after the second dose (4 h),
    // so nothing empties before 10.13 h. With no emptying the gallbladder only fills: it must not decrease.
    const std::string yaml =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, at_h: [0, 4]}\n"
        "output: {end_h: 10, step_h: 0.05}\n";
    for (const char* blocks : {"exact", "stepped"}) {
        const auto g = run(yaml, blocks, 1e-10).column("sorafenib_gallbladder");
        for (std::size_t i = 1; i < g.size(); ++i) CHECK(g[i] >= g[i - 1] - 1e-9);
    }
}

TEST_CASE("a steady-state start (periodic run-in before t = 0) gives the same blocks exact or stepped") {
    const std::string yaml =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, every_h: 12, count: 4, steady_state: true}\n"
        "output: {end_h: 48, step_h: 0.5}\n";
    const Trajectory exact = run(yaml, "exact", 1e-10), stepped = run(yaml, "stepped", 1e-10);
    CHECK(max_difference(exact, stepped) < 1e-8);
    CHECK(exact.column("sorafenib").front() > 7.0);  // at steady state from the first row (Cavg 8.17 mg/L)
}
