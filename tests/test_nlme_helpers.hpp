// Test glue: the theophylline data of tests/data/theoph.csv as an NLME population. A plain split of its fixed
// columns, not a dataset reader (the NONMEM-style reader is sim/dataset.*).
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/studies/nlme_model.hpp"

namespace mobsim::test {

inline nlme::Population theophylline() {
    const auto path = std::filesystem::path(MOBSIM_SOURCE_DIR) / "tests" / "data" / "theoph.csv";
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // ID,TIME,EVID,AMT,CMT,DV,MDV,WT,DOSE_MG_KG
    nlme::Population population;
    population.covariate_names = {"WT"};
    std::map<int, std::size_t> index;
    while (std::getline(in, line)) {
        std::vector<double> v;
        std::stringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) v.push_back(std::stod(cell));
        const int id = static_cast<int>(v[0]);
        if (!index.count(id)) {
            index[id] = population.subjects.size();
            population.subjects.push_back({std::to_string(id), {}, {}, {v[7]}});
        }
        nlme::Subject& s = population.subjects[index[id]];
        if (v[2] == 1.0) s.doses.push_back({v[1], v[3], static_cast<int>(v[4])});
        else s.observations.push_back({v[1], v[5], false});
    }
    return population;
}

}  // namespace mobsim::test
