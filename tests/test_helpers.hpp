// Shared helpers for tests: build problems from inline YAML.
#pragma once
#include <memory>
#include <string>

#include "models/registry.hpp"
#include "sim/config.hpp"
#include "sim/simulation.hpp"

namespace mobsim::test {

inline Problem problem_from_yaml(const std::string& yaml) {
    static const ModelRegistry registry = models::builtin_models();
    const Scenario scenario = read_scenario_node(load_config_text(yaml, "test.yaml"));
    std::shared_ptr<const Model> model = registry.create(scenario.model);
    return build_problem(scenario, model);
}

inline double relative_error(double value, double truth) {
    return std::abs(value - truth) / std::max(std::abs(truth), 1e-300);
}

}  // namespace mobsim::test
