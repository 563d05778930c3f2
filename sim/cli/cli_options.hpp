// Command-line option helpers shared by the commands: numeric ranges, -o and --force.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace mobsim::cli {

// A check that a numeric option (each element of a list option) is a finite number in [lo, hi]. --help shows
// "in [lo, hi]" and a bad value is reported with that range.
CLI::Validator in_range(double lo, double hi);

// Adds -o/--output-style option `flags`: an explicitly empty value is an error rather than the default name.
CLI::Option* add_output_option(CLI::App* cmd, const std::string& flags, std::string& target, const std::string& help);

// Adds --force: replace read-only output files and write into read-only folders.
void add_force_flag(CLI::App* cmd, bool& force);

// For commands whose -o is a prefix of several files: refuses "-" (standard output takes one file).
void refuse_stdout_prefix(const std::string& prefix, const std::string& files);

}  // namespace mobsim::cli
