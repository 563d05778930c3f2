// Every shipped PK scenario (scenarios/pk_*.yaml) reads, validates against its model and simulates.
#include <catch2/catch.hpp>

#include <filesystem>

#include "test_helpers.hpp"

using namespace mobsim;

TEST_CASE("every scenarios/pk_*.yaml builds and simulates") {
    static const ModelRegistry registry = models::builtin_models();
    const auto folder = std::filesystem::path(__FILE__).parent_path().parent_path() / "scenarios";
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("pk_", 0) != 0 || entry.path().extension() != ".yaml") continue;
        INFO(name);
        const Scenario scenario = read_scenario(entry.path().string());
        const Problem problem = build_problem(scenario, registry.create(scenario.model));
        const Trajectory t = simulate(problem);
        CHECK(t.time_h.size() == problem.grid.size());
        for (double v : t.values) CHECK(std::isfinite(v));
        ++count;
    }
    CHECK(count >= 7);  // pk_linear_example plus two per drug
}
