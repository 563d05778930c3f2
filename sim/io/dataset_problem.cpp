#include "sim/io/dataset_problem.hpp"

#include <algorithm>
#include <cctype>

#include "sim/base/errors.hpp"

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

Problem with_subject(const Problem& base, const Subject& subject, const std::string& /*where*/) {
    Problem p = base;
    p.regimens.clear();
    p.regimen_states.clear();
    p.history = subject.dosing;
    const auto& infos = p.model->covariates();
    std::vector<std::pair<std::size_t, std::string>> varying;  // model covariate, dataset column
    for (const auto& [column, points] : subject.covariates) {
        int index = -1;
        for (std::size_t i = 0; i < infos.size(); ++i)
            if (same_name(column, infos[i].name)) index = static_cast<int>(i);
        if (same_name(column, "weight_kg")) p.weight_kg = points.front().value;  // per-kg doses: baseline
        if (index < 0) continue;
        p.covariates[static_cast<std::size_t>(index)] = points.front().value;
        const bool changes = std::any_of(points.begin(), points.end(),
                                         [&](const CovariatePoint& c) { return c.value != points.front().value; });
        if (changes) varying.emplace_back(static_cast<std::size_t>(index), column);
    }
    if (varying.empty()) return p;
    // every time a varying covariate was recorded, with every covariate's value there (by the subject's rule)
    std::vector<double> times;
    for (const auto& entry : varying)
        for (const auto& c : subject.covariates.at(entry.second)) times.push_back(c.time_h);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    p.covariate_carry = subject.carry;
    for (double t : times) {
        CovariateRecord record{t, p.covariates};
        for (const auto& [index, column] : varying) record.values[index] = subject.covariate(column, t);
        p.covariate_records.push_back(std::move(record));
    }
    return p;
}

bool dataset_gives(const Dataset& dataset, const std::string& name) {
    return std::any_of(dataset.covariate_names.begin(), dataset.covariate_names.end(),
                       [&](const std::string& column) { return same_name(column, name); });
}

Problem build_subject_problem(const Scenario& scenario, std::shared_ptr<const Model> model, const Dataset& dataset,
                              const Subject& subject) {
    Scenario s = scenario;
    s.regimens.clear();  // validated against the subject's doses instead
    // the subject's covariates stand in for the scenario's, which then need not name them
    for (const auto& c : model->covariates()) {
        if (!dataset_gives(dataset, c.name) || s.patient.count(c.name)) continue;
        const bool given = std::any_of(subject.covariates.begin(), subject.covariates.end(),
                                       [&](const auto& entry) { return same_name(entry.first, c.name); });
        if (!given)
            throw InputError(dataset.path + ": ID " + subject.id + " has no value of covariate " + c.name +
                             " (every cell '.' or empty) and the scenario's patient gives none");
        s.patient[c.name] = 0.0;  // a placeholder that with_subject replaces
    }
    Problem p = with_subject(build_problem(s, model), subject, dataset.path);
    if (s.output.include_dose_times) p.grid = grid_with_dose_times(p);
    // NONMEM predicts at every observation and other-event record: those times join the grid
    for (const auto& o : subject.observations)
        if (o.time_h >= s.output.start_h && o.time_h <= p.end_h) p.grid.push_back(o.time_h);
    for (double t : subject.other_event_times_h)
        if (t >= s.output.start_h && t <= p.end_h) p.grid.push_back(t);
    std::sort(p.grid.begin(), p.grid.end());
    p.grid.erase(std::unique(p.grid.begin(), p.grid.end()), p.grid.end());
    return p;
}

}  // namespace mobsim
