// libFuzzer target: arbitrary bytes through the NONMEM-format dataset reader. Bad input must end in InputError;
// anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/io/dataset.hpp"
#include "sim/base/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const mobsim::DatasetSchema schema{{"depot", "central", "peripheral"}, {"conc_central", "anc"}};
    try {
        const mobsim::Dataset d = mobsim::read_dataset_text(text, "fuzz.csv", schema);
        for (const auto& s : d.subjects)
            for (const auto& [name, points] : s.covariates) (void)s.covariate(name, s.end_time_h());
    } catch (const mobsim::InputError&) {
    }
    return 0;
}
