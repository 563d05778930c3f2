#include "dataset_problem.hpp"

#include <cctype>

#include "errors.hpp"

namespace mobsim {

namespace {

bool same_name(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

}  // namespace

DatasetSchema dataset_schema(const Model& model) { return {model.state_names(), model.output_names()}; }

Problem build_subject_problem(const Scenario& scenario, std::shared_ptr<const Model> model, const Dataset& dataset,
                              const Subject& subject) {
    Scenario s = scenario;
    s.regimens.clear();
    std::vector<std::string> names;
    for (const auto& c : model->covariates()) names.push_back(c.name);
    names.push_back("weight_kg");
    for (const auto& [column, points] : subject.covariates) {
        for (const auto& name : names) {
            if (!same_name(column, name)) continue;
            if (points.size() > 1)
                throw InputError(dataset.path + ": covariate " + column + " changes over time for ID " + subject.id +
                                 " (lines " + std::to_string(subject.first_line) + "-" + std::to_string(subject.last_line) +
                                 "); mobsim holds a subject's covariates fixed during a simulation");
            s.patient[name] = points.front().value;
        }
    }
    Problem p = build_problem(s, model);
    p.history = subject.dosing;
    if (s.output.include_dose_times) p.grid = grid_with_dose_times(p);
    return p;
}

}  // namespace mobsim
