// Shared helpers for tests: build problems from inline YAML.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "models/component_imports.hpp"
#include "models/registry.hpp"
#include "sim/base/config.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim::test {

inline Problem problem_from_yaml(const std::string& yaml) {
    static const ModelRegistry registry = models::builtin_models();
    const Scenario scenario = read_scenario_node(load_config_text(yaml, "test.yaml"));
    std::shared_ptr<const Model> model = registry.create(scenario.model);
    return build_problem(scenario, model);
}

// The compiled model-file examples live in a cache beside the test binary, shared by every test process of a run.
inline std::string model_file_cache() {
    return (std::filesystem::canonical("/proc/self/exe").parent_path() / "model_file_cache").string();
}

// The built-in models, and model files by path (as the mobsim program resolves them).
inline const ModelRegistry& registry_with_model_files() {
    static const ModelRegistry registry = [] {
        ModelRegistry out = models::builtin_models();
        out.set_file_loader(model_file::file_loader({model_file_cache(), true, &models::builtin_components()}));
        return out;
    }();
    return registry;
}

// A folder of this test process's own, so tests run in parallel do not collide; removed when the process exits.
inline const std::filesystem::path& test_process_folder() {
    struct Folder {
        std::filesystem::path path =
            std::filesystem::temp_directory_path() / ("mobsim_test_" + std::to_string(::getpid()));
        ~Folder() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    };
    static const Folder folder;
    return folder.path;
}

// Writes `text` to a file in the test process's folder.
inline std::string write_temp_file(const std::string& name, const std::string& text) {
    const auto& dir = test_process_folder();
    std::filesystem::create_directories(dir);
    const std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

inline double relative_error(double value, double truth) {
    return std::abs(value - truth) / std::max(std::abs(truth), 1e-300);
}

}  // namespace mobsim::test
