// Time courses as CSV text: wide (one column per output, unit in the name) or long/tidy.
#pragma once
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"

namespace mobsim {

// Shortest text that reads back to exactly the same double.
std::string format_number(double value);

// "plerixafor" + "mg/L" -> "plerixafor_mg_L"; "/uL" -> "per_uL"; "1" -> no suffix.
std::string column_name(const OutputInfo& output);

// Provenance written as leading "# key: value" lines.
struct Provenance {
    std::vector<std::pair<std::string, std::string>> entries;
};
Provenance make_provenance(const std::string& input_path, const Model& model, const SolverSettings& solver,
                           const std::string& command);

// The provenance as "# key: value" lines.
std::string provenance_lines(const Provenance& provenance);

// Records a parameter file (scenario parameters_file or --parameters) and its SHA-256; nothing when `path` is empty.
void add_parameters_file(Provenance& provenance, const std::string& path);
// "scenario" and "scenario_sha256" of a study's scenario file (nothing for an empty path: an inline scenario).
void add_scenario_file(Provenance& provenance, const std::string& path);

// `selected`: output names to write (empty: all).
std::string to_wide_csv(const Trajectory& t, const std::vector<std::string>& selected, const Provenance& provenance);
std::string to_long_csv(const Trajectory& t, const std::vector<std::string>& selected, const Provenance& provenance);

std::string program_version();
std::string git_revision();

}  // namespace mobsim
