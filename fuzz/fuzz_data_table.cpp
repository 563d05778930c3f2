// libFuzzer target: arbitrary bytes through the CSV data-table reader, as time courses and as summaries.
// Bad input must end in InputError; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/data_table.hpp"
#include "sim/base/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> observables = {"conc_central", "conc_peripheral", "anc"};
    for (auto kind : {mobsim::DataKind::time_course, mobsim::DataKind::summary}) {
        try {
            (void)mobsim::read_data_text(text, "fuzz.csv", kind, observables);
        } catch (const mobsim::InputError&) {
        }
    }
    return 0;
}
