// Every shipped PK scenario (scenarios/pk_*.yaml; built-in models and model files) reads, validates against its
// model and simulates, and its outputs obey properties that hold whatever the parameter values: without doses the
// untreated state is a steady state; every output responds to the doses; and for the linear models doses only add
// (no output falls below its untreated value) and doubling every dose doubles every output's excursion from baseline (superposition).
// Filgrastim is excluded from the last two: its receptor pool grows after a dose, so free G-CSF falls below its
// endogenous level (Krzyzanski 2010). Sorafenib's dose-dependent bioavailability is switched off for them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "test_helpers.hpp"

using namespace mobsim;

namespace {

double largest_magnitude(const std::vector<double>& values) {
    double m = 0.0;
    for (double v : values) m = std::max(m, std::abs(v));
    return m;
}

}  // namespace

TEST_CASE("every scenarios/pk_*.yaml: untreated steady state, doses only add, linear models superpose") {
    const ModelRegistry& registry = test::registry_with_model_files();  // built-in models and model files
    const auto folder = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios";
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("pk_", 0) != 0 || entry.path().extension() != ".yaml") continue;
        INFO(name);
        const Scenario scenario = read_scenario(entry.path().string());
        Problem problem = build_problem(scenario, registry.create(scenario.model));
        problem.solver.rtol = 1e-10;
        problem.solver.atol = 1e-14;
        const Trajectory dosed = simulate(problem);
        REQUIRE(dosed.time_h.size() == problem.grid.size());

        Problem untreated_problem = problem;
        untreated_problem.regimens.clear();
        untreated_problem.regimen_states.clear();
        const Trajectory untreated = simulate(untreated_problem);

        const bool linear = scenario.model != "filgrastim_pk";
        Problem single_problem = problem, doubled_problem = problem;
        if (scenario.model == "sorafenib_pk") {
            set_parameter(single_problem, "sorafenib_dose_exponent", 0.0, "test");
            set_parameter(doubled_problem, "sorafenib_dose_exponent", 0.0, "test");
        }
        for (auto& regimen : doubled_problem.regimens) regimen.amount *= 2.0;
        const Trajectory single = simulate(single_problem), doubled = simulate(doubled_problem);

        for (std::size_t j = 0; j < dosed.outputs.size(); ++j) {
            INFO(dosed.outputs[j].name);
            std::vector<double> d, u, d1, d2;
            for (std::size_t i = 0; i < dosed.time_h.size(); ++i) {
                d.push_back(dosed.at(i, j));
                u.push_back(untreated.at(i, j));
                d1.push_back(single.at(i, j));
                d2.push_back(doubled.at(i, j));
            }
            const double scale = largest_magnitude(d);
            REQUIRE(scale > 0.0);
            for (std::size_t i = 0; i < d.size(); ++i) {
                CHECK(std::abs(u[i] - u[0]) <= 1e-7 * scale);  // untreated: stays where it starts
                if (!linear) continue;
                CHECK(d[i] >= u[i] - 1e-7 * scale);  // a dose never lowers an output
                CHECK(std::abs((d2[i] - u[i]) - 2.0 * (d1[i] - u[i])) <= 1e-6 * scale);
            }
            CHECK(*std::max_element(d.begin(), d.end()) > u[0] + 1e-3 * scale);  // and every output responds
        }
        ++count;
    }
    CHECK(count >= 7);  // pk_linear_example plus two per drug
}
