// libFuzzer target: arbitrary bytes through the YAML front end and the scenario reader.
// Bad input must end in InputError; anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/base/config.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const mobsim::ConfigNode root = mobsim::load_config_text(text, "fuzz.yaml");
        const mobsim::Scenario scenario = mobsim::read_scenario_node(root);
        (void)scenario;
    } catch (const mobsim::InputError&) {
    }
    return 0;
}
