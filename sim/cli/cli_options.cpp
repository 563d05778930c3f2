#include "cli_options.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/base/errors.hpp"

namespace mobsim::cli {

namespace {

std::string show(double value) {
    char text[32];
    if (value == std::floor(value) && std::abs(value) < 1e16) std::snprintf(text, sizeof text, "%.0f", value);
    else std::snprintf(text, sizeof text, "%g", value);
    return text;
}

}  // namespace

CLI::Validator in_range(double lo, double hi) {
    const std::string range = "[" + show(lo) + ", " + show(hi) + "]";
    return CLI::Validator(
        [lo, hi, range](const std::string& text) {
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size())
                return "'" + text + "' is not a number; expected a finite number in " + range;
            if (!std::isfinite(value) || value < lo || value > hi)
                return "'" + text + "' is outside the admissible range " + range;
            return std::string();
        },
        "in " + range);
}

CLI::Option* add_output_option(CLI::App* cmd, const std::string& flags, std::string& target, const std::string& help) {
    const CLI::Validator non_empty(
        [](const std::string& value) {
            return value.empty() ? std::string("an empty output name; give a file name, or - for standard output")
                                 : std::string();
        },
        "NAME|-");
    return cmd->add_option(flags, target, help)->check(non_empty);
}

void add_force_flag(CLI::App* cmd, bool& force) {
    cmd->add_flag("--force", force, "Replace read-only output files and write into read-only folders");
}

void refuse_stdout_prefix(const std::string& prefix, const std::string& files) {
    if (prefix == "-")
        throw InputError("-o -: this command writes " + files +
                         "; standard output takes one file. Give a prefix such as results/run1");
}

}  // namespace mobsim::cli
