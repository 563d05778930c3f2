// The likelihood of a fit file: simulate each scenario (or the fixed cohort), compare with the data.
#include <algorithm>
#include <map>
#include <cmath>

#include "sim/io/dataset_problem.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/fit.hpp"

namespace mobsim {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;
constexpr double kSigmaFloor = 1e-12;  // sigma is clamped here; also the reference of the log-sigma residuals

double apply(Transformation t, double value) {
    switch (t) {
        case Transformation::lin: return value;
        case Transformation::log: return std::log(std::max(value, 1e-300));
        case Transformation::log10: return std::log10(std::max(value, 1e-300));
    }
    return value;
}

double noise_value(const NoiseTerm& term, const std::vector<double>& natural_values) {
    return term.parameter >= 0 ? natural_values[term.parameter] : term.value;
}

}  // namespace

double to_scale(ParameterScale scale, double natural) {
    switch (scale) {
        case ParameterScale::lin: return natural;
        case ParameterScale::log: return std::log(natural);
        case ParameterScale::log10: return std::log10(natural);
    }
    return natural;
}

double from_scale(ParameterScale scale, double scaled) {
    switch (scale) {
        case ParameterScale::lin: return scaled;
        case ParameterScale::log: return std::exp(scaled);
        case ParameterScale::log10: return std::pow(10.0, scaled);
    }
    return scaled;
}

std::string to_string(ParameterScale scale) {
    switch (scale) {
        case ParameterScale::lin: return "lin";
        case ParameterScale::log: return "log";
        case ParameterScale::log10: return "log10";
    }
    return "?";
}

FitObjective::FitObjective(const FitSpec& spec, const ModelRegistry& models) : spec_(spec) {
    model_ = models.create(spec_.scenarios.front().scenario.model);
    for (std::size_t i = 0; i < spec_.parameters.size(); ++i)
        if (spec_.parameters[i].estimate) free_.push_back(static_cast<int>(i));
    if (spec_.cohort) cohort_ = draw_cohort(*spec_.cohort);
    for (const DataRow& d : spec_.data)
        observable_of_.push_back(static_cast<std::size_t>(
            std::find_if(spec_.observables.begin(), spec_.observables.end(),
                         [&](const Observable& x) { return x.id == d.observable; }) - spec_.observables.begin()));

    for (const FitScenario& s : spec_.scenarios) {
        Condition c;
        c.base = s.dataset ? build_subject_problem(s.scenario, model_, *s.dataset, s.dataset->subjects[s.subject])
                           : build_problem(s.scenario, model_);
        for (const FitParameter& p : spec_.parameters)
            if (p.model_index >= 0) set_parameter(c.base, p.id, p.nominal, p.where);
        std::vector<double> grid;
        std::vector<SummarySpec> summaries;
        bool continuous = false;
        for (std::size_t row = 0; row < spec_.data.size(); ++row) {
            const DataRow& d = spec_.data[row];
            if (d.condition != s.id) continue;
            c.rows.push_back(row);
            const Observable& o = observable(row);
            if (o.summary) {
                summaries.push_back(*o.summary);
                continuous = continuous || o.summary->sample_times_h.empty();
                if (o.summary->end_h > c.base.end_h)
                    throw InputError(o.where + ": the summary window ends at " + std::to_string(o.summary->end_h) +
                                     " h, after the end of scenario '" + s.id + "' (" + std::to_string(c.base.end_h) + " h)");
            } else {
                if (d.time_h > c.base.end_h)
                    throw InputError(d.where() + ": time " + std::to_string(d.time_h) + " h is after the end of scenario '" +
                                     s.id + "' (" + std::to_string(c.base.end_h) + " h)");
                grid.push_back(d.time_h);
            }
        }
        if (continuous) grid.insert(grid.end(), c.base.grid.begin(), c.base.grid.end());
        const std::vector<double> required = required_times(summaries);
        grid.insert(grid.end(), required.begin(), required.end());
        std::sort(grid.begin(), grid.end());
        grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
        c.base.grid = grid;
        c.grid_row.assign(spec_.data.size(), 0);
        for (std::size_t row : c.rows)
            c.grid_row[row] = static_cast<std::size_t>(std::lower_bound(grid.begin(), grid.end(), spec_.data[row].time_h) -
                                                       grid.begin());
        conditions_.push_back(std::move(c));
    }
}

std::string FitObjective::model_name() const { return model_->name(); }

std::vector<double> FitObjective::start() const {
    std::vector<double> x;
    for (int i : free_) x.push_back(to_scale(spec_.parameters[i].scale, spec_.parameters[i].nominal));
    return x;
}

std::vector<double> FitObjective::lower() const {
    std::vector<double> x;
    for (int i : free_) x.push_back(to_scale(spec_.parameters[i].scale, spec_.parameters[i].lower));
    return x;
}

std::vector<double> FitObjective::upper() const {
    std::vector<double> x;
    for (int i : free_) x.push_back(to_scale(spec_.parameters[i].scale, spec_.parameters[i].upper));
    return x;
}

std::vector<double> FitObjective::natural(const std::vector<double>& x) const {
    std::vector<double> values;
    for (const FitParameter& p : spec_.parameters) values.push_back(p.nominal);
    for (std::size_t k = 0; k < free_.size(); ++k) {
        const FitParameter& p = spec_.parameters[free_[k]];
        values[free_[k]] = std::clamp(from_scale(p.scale, x[k]), p.lower, p.upper);
    }
    return values;
}

double FitObjective::transformed(std::size_t row, double value) const {
    return apply(observable(row).transformation, value);
}

bool FitObjective::predict(const std::vector<double>& values, std::vector<double>& prediction, int threads) const {
    prediction.assign(spec_.data.size(), 0.0);
    const std::size_t n_outputs = model_->outputs().size();
    std::vector<std::size_t> column(spec_.observables.size());
    for (std::size_t k = 0; k < spec_.observables.size(); ++k)
        column[k] = static_cast<std::size_t>(model_->output_index(spec_.observables[k].output));
    try {
        for (const Condition& c : conditions_) {
            Problem problem = c.base;
            for (std::size_t i = 0; i < spec_.parameters.size(); ++i)
                if (spec_.parameters[i].model_index >= 0) problem.parameters[spec_.parameters[i].model_index] = values[i];
            const int patients = spec_.cohort ? static_cast<int>(cohort_.size()) : 1;
            const std::size_t rows = c.rows.size();
            std::vector<double> value(static_cast<std::size_t>(patients) * rows);  // per patient, per row
            std::vector<char> complete(static_cast<std::size_t>(patients), 1);
            const auto simulate_patient = [&](int patient) {
                const Trajectory t = spec_.cohort ? simulate(patient_problem(problem, *spec_.cohort, cohort_[patient]))
                                                  : simulate(problem);
                if (t.time_h.size() != problem.grid.size() || t.outputs.size() != n_outputs) {
                    complete[patient] = 0;
                    return;
                }
                for (std::size_t k = 0; k < rows; ++k) {
                    const std::size_t row = c.rows[k];
                    const Observable& o = observable(row);
                    value[patient * rows + k] = o.summary ? evaluate_summary(t, *o.summary)
                                                          : t.at(c.grid_row[row], column[observable_of_[row]]);
                }
            };
            if (threads > 1 && patients > 1) parallel_for(patients, threads, simulate_patient);
            else for (int patient = 0; patient < patients; ++patient) simulate_patient(patient);
            // summed in patient order, whatever the threads
            for (int patient = 0; patient < patients; ++patient) {
                if (!complete[patient]) return false;
                for (std::size_t k = 0; k < rows; ++k) prediction[c.rows[k]] += value[patient * rows + k] / patients;
            }
        }
    } catch (const SolverError&) {
        return false;
    }
    return std::all_of(prediction.begin(), prediction.end(), [](double v) { return std::isfinite(v); });
}

std::vector<FitObjective::CurvePoint> FitObjective::curves(const std::vector<double>& x, int points) const {
    const std::vector<double> values = natural(x);
    std::vector<CurvePoint> out;
    for (const Condition& c : conditions_) {
        std::map<std::pair<std::size_t, std::string>, double> last;  // (observable, subject) -> last time
        for (std::size_t row : c.rows)
            if (!observable(row).summary) {
                double& t = last[{observable_of_[row], spec_.data[row].subject}];
                t = std::max(t, spec_.data[row].time_h);
            }
        if (last.empty()) continue;
        Problem problem = c.base;
        for (std::size_t i = 0; i < spec_.parameters.size(); ++i)
            if (spec_.parameters[i].model_index >= 0) problem.parameters[spec_.parameters[i].model_index] = values[i];
        double end = 0.0;
        for (const auto& entry : last) end = std::max(end, entry.second);
        std::vector<double> grid = c.base.grid;
        for (int k = 0; k <= points; ++k) grid.push_back(end * k / points);
        std::sort(grid.begin(), grid.end());
        grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
        problem.grid = grid;
        const int patients = spec_.cohort ? static_cast<int>(cohort_.size()) : 1;
        std::vector<double> mean(grid.size() * model_->outputs().size(), 0.0);
        for (int patient = 0; patient < patients; ++patient) {
            const Trajectory t = spec_.cohort ? simulate(patient_problem(problem, *spec_.cohort, cohort_[patient]))
                                              : simulate(problem);
            for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += t.values[i] / patients;
        }
        const std::size_t n_out = model_->outputs().size();
        for (const auto& [key, until] : last) {
            const Observable& o = spec_.observables[key.first];
            const auto column = static_cast<std::size_t>(model_->output_index(o.output));
            const std::string series = o.id + "@" + spec_.data[c.rows.front()].condition +
                                       (key.second.empty() ? "" : ":subject=" + key.second);
            for (std::size_t i = 0; i < grid.size() && grid[i] <= until; ++i)
                out.push_back({series, grid[i], mean[i * n_out + column]});
        }
    }
    return out;
}

double FitObjective::sigma(std::size_t row, const std::vector<double>& values, double prediction) const {
    const DataRow& d = spec_.data[row];
    if (d.sd > 0.0) return d.sd;
    const Observable& o = observable(row);
    const double a = o.error == ErrorModel::proportional ? 0.0 : noise_value(o.additive, values);
    const double b = o.error == ErrorModel::additive ? 0.0 : noise_value(o.proportional, values);
    const double f = apply(o.transformation, prediction);
    return std::max(std::sqrt(a * a + b * b * f * f), kSigmaFloor);
}

bool FitObjective::sigma_varies(std::size_t row) const {
    const DataRow& d = spec_.data[row];
    if (d.sd > 0.0 || d.censored) return false;
    const Observable& o = observable(row);
    return o.error != ErrorModel::additive || o.additive.parameter >= 0;
}

bool FitObjective::evaluate(const std::vector<double>& x, Evaluation& out, int threads) const {
    const std::vector<double> values = natural(x);
    if (!predict(values, out.prediction, threads)) return false;
    out.sigma.resize(out.prediction.size());
    for (std::size_t row = 0; row < out.prediction.size(); ++row)
        out.sigma[row] = sigma(row, values, out.prediction[row]);
    return true;
}

void FitObjective::residuals_of(const std::vector<double>& x, const Evaluation& e, std::vector<double>& r) const {
    r.clear();
    for (std::size_t row = 0; row < spec_.data.size(); ++row) {
        const DataRow& d = spec_.data[row];
        const double z = (transformed(row, d.measurement) - transformed(row, e.prediction[row])) / e.sigma[row];
        r.push_back(d.censored ? std::sqrt(std::max(0.0, -2.0 * log_normal_cdf(z))) : z);
    }
    for (std::size_t row = 0; row < spec_.data.size(); ++row)
        if (sigma_varies(row)) r.push_back(std::sqrt(2.0 * std::log(e.sigma[row] / kSigmaFloor)));
    const std::vector<double> values = natural(x);
    for (int i : free_) {
        const FitParameter& p = spec_.parameters[i];
        if (p.prior.kind == Prior::Kind::none) continue;
        const double u = p.prior.kind == Prior::Kind::normal ? values[i] : std::log(values[i]);
        r.push_back((u - p.prior.mean) / p.prior.sd);
    }
}

bool FitObjective::residuals(const std::vector<double>& x, std::vector<double>& r, int threads) const {
    Evaluation e;
    if (!evaluate(x, e, threads)) return false;
    residuals_of(x, e, r);
    return true;
}

double FitObjective::neg2_log_likelihood(const std::vector<double>& x, const Evaluation& e) const {
    double total = 0.0;
    for (std::size_t row = 0; row < spec_.data.size(); ++row) {
        const DataRow& d = spec_.data[row];
        const double z = (transformed(row, d.measurement) - transformed(row, e.prediction[row])) / e.sigma[row];
        total += d.censored ? -2.0 * log_normal_cdf(z) : z * z + 2.0 * std::log(e.sigma[row]) + kLog2Pi;
    }
    const std::vector<double> values = natural(x);
    for (int i : free_) {
        const FitParameter& p = spec_.parameters[i];
        if (p.prior.kind == Prior::Kind::none) continue;
        const double u = p.prior.kind == Prior::Kind::normal ? values[i] : std::log(values[i]);
        const double z = (u - p.prior.mean) / p.prior.sd;
        total += z * z + 2.0 * std::log(p.prior.sd) + kLog2Pi;
    }
    return total;
}

}  // namespace mobsim
