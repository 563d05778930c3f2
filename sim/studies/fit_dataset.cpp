// A NONMEM-style dataset read into a fit (docs/fitting.md, docs/datasets.md).
#include "sim/studies/fit_dataset.hpp"

#include <algorithm>
#include <memory>

#include "sim/base/errors.hpp"
#include "sim/io/dataset_problem.hpp"

namespace mobsim {

void check_row(const DataRow& row, const Observable& o) {
    if (o.additive.value < 0.0 && row.sd <= 0.0)
        throw InputError(row.where() + ": observable '" + o.id + "' has no error model, so every row needs an sd");
    if (o.transformation != Transformation::lin && !(row.measurement > 0.0))
        throw InputError(row.where() + ": observable '" + o.id + "' is log-transformed; measurements must be positive");
}

// Each observation becomes a time-course row of the observable of its output.
void add_dataset_subjects(FitSpec& spec, const std::string& path, const Model& model, double hours_per_unit,
                          CovariateCarry carry) {
    DatasetSchema schema = dataset_schema(model);
    schema.hours_per_time_unit = hours_per_unit;
    schema.covariate_carry = carry;
    auto dataset = std::make_shared<const Dataset>(read_dataset(path, schema));
    spec.data_files.push_back(path);
    const Scenario scenario = spec.scenarios.front().scenario;
    spec.scenarios.clear();
    std::vector<const Observable*> courses;
    for (const auto& o : spec.observables)
        if (!o.summary) courses.push_back(&o);
    for (std::size_t i = 0; i < dataset->subjects.size(); ++i) {
        const Subject& subject = dataset->subjects[i];
        if (subject.observations.empty()) continue;
        FitScenario fs{"ID " + subject.id, scenario, dataset, i};
        for (const auto& obs : subject.observations) {
            DataRow row;
            row.file = path;
            row.line = obs.line;
            const auto match = std::find_if(courses.begin(), courses.end(), [&](const Observable* o) {
                return obs.output.empty() ? courses.size() == 1 : o->output == obs.output;
            });
            if (match == courses.end())
                throw InputError(row.where() + ": " + (obs.output.empty()
                                     ? "the fit has " + std::to_string(courses.size()) + " time-course observables; "
                                       "give CMT to name the output this observation measures"
                                     : "no time-course observable of the fit measures output '" + obs.output + "'"));
            row.observable = (*match)->id;
            row.condition = fs.id;
            row.subject = subject.id;
            row.time_h = obs.time_h;
            row.censored = obs.censoring != Censoring::none;
            row.measurement = row.censored ? obs.lloq : obs.value;
            check_row(row, **match);
            spec.data.push_back(row);
        }
        spec.scenarios.push_back(std::move(fs));
    }
    if (spec.scenarios.empty()) throw InputError(path + ": no subject has observations to fit");
}

}  // namespace mobsim
