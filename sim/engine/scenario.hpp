// A scenario as the user wrote it: model, patient, parameter values, regimens, output and solver settings.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/base/config.hpp"
#include "sim/engine/dosing.hpp"
#include "sim/engine/solver.hpp"

namespace mobsim {

enum class CsvLayout { wide, long_format };

struct OutputSpec {
    double start_h = 0.0;
    double end_h = 0.0;
    std::optional<double> step_h;
    std::vector<double> times_h;  // explicit grid, used when step_h is absent
    bool include_dose_times = false;
    CsvLayout layout = CsvLayout::wide;
    std::vector<std::string> outputs;  // empty: all
    std::string file;                  // may be empty; resolved against the scenario's folder
};

struct Scenario {
    std::string path;   // file it came from
    std::string model;
    std::string description;
    std::map<std::string, double> patient;     // covariate name -> value
    std::map<std::string, double> parameters;  // overrides of the model's defaults
    std::string parameters_file;               // fitted values to start from (resolved path)
    std::vector<Regimen> regimens;
    OutputSpec output;
    SolverSettings solver;
    std::map<std::string, double> tolerance_scale;  // solver.tolerance_scale: state name -> factor on rtol and atol
    std::map<std::string, ConfigNode> positions;  // where each overridable item was written, for messages
};

// Reads and validates a scenario file's structure (not yet against a model).
Scenario read_scenario(const std::string& path);
Scenario read_scenario_node(const ConfigNode& root);

// Sections shared with other file kinds.
SolverSettings read_solver_settings(const ConfigNode& node);
std::map<std::string, double> read_number_map(const ConfigNode& node);
// A parameter file: a mapping with a `parameters:` mapping of name -> value (other keys are metadata).
std::map<std::string, double> read_parameter_file(const std::string& path);

}  // namespace mobsim
