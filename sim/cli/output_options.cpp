#include "output_options.hpp"

#include "sim/errors.hpp"

namespace mobsim::cli {

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
