// Per-patient values from a VPop file, for cohorts run on a VPop instead of drawn from distributions.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim/base/errors.hpp"
#include "sim/studies/population.hpp"

namespace mobsim {

namespace {

std::vector<std::string> split_commas(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) {
        field.erase(0, field.find_first_not_of(" \t"));
        field.erase(field.find_last_not_of(" \t\r") + 1);
        fields.push_back(field);
    }
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

}  // namespace

ListedValues read_listed_values(const std::string& path, const Model& model) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open the VPop file");
    ListedValues listed;
    listed.file = path;
    std::vector<std::string> header;
    std::vector<std::size_t> kept;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#' || line == "\r") continue;
        const auto fields = split_commas(line);
        const std::string where = path + ":" + std::to_string(number);
        if (header.empty()) {
            header = fields;
            for (std::size_t j = 0; j < header.size(); ++j) {
                const bool covariate = header[j] == "weight_kg" ||
                    std::any_of(model.covariates().begin(), model.covariates().end(), [&](const auto& c) { return c.name == header[j]; });
                if (model.parameter_index(header[j]) >= 0 || covariate) {
                    listed.names.push_back(header[j]);
                    kept.push_back(j);
                }
            }
            if (kept.empty())
                throw InputError(where + ": no column names a parameter or covariate of model '" + model.name() + "'");
            continue;
        }
        if (fields.size() != header.size())
            throw InputError(where + ": expected " + std::to_string(header.size()) + " fields as in the header, found " +
                             std::to_string(fields.size()));
        for (std::size_t j : kept) {
            char* end = nullptr;
            const double value = std::strtod(fields[j].c_str(), &end);
            if (fields[j].empty() || *end != '\0' || !std::isfinite(value))
                throw InputError(where + ": column '" + header[j] + "': expected a finite number, found '" + fields[j] + "'");
            listed.values.push_back(value);
        }
    }
    if (header.empty() || listed.values.empty()) throw InputError(path + ": the VPop file holds no patients");
    return listed;
}

}  // namespace mobsim
