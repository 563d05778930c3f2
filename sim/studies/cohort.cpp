#include "sim/studies/cohort.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/io/cohort_records.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/numerics/statistics.hpp"

namespace mobsim {

namespace {

std::size_t row_of(const std::vector<double>& grid, double t) {
    const auto it = std::lower_bound(grid.begin(), grid.end(), t - 1e-9 * std::max(1.0, std::abs(t)));
    if (it == grid.end() || std::abs(*it - t) > 1e-9 * std::max(1.0, std::abs(t)))
        throw InputError("cohort: time " + format_number(t) + " h is not on the simulation grid");
    return static_cast<std::size_t>(it - grid.begin());
}

// "patient 17 (CL=4.2, weight_kg=71.3)"
std::string describe_patient(const CohortStudy& study, const Problem& p, const VirtualPatient& patient) {
    std::ostringstream out;
    out << "patient " << patient.index << " (seed " << study.cohort.seed;
    for (const auto& name : study.cohort.variability.parameters)
        out << ", " << name << "=" << format_number(p.parameters[static_cast<std::size_t>(p.model->parameter_index(name))]);
    for (std::size_t k = 0; k < study.cohort.covariates.size(); ++k)
        out << ", " << study.cohort.covariates[k].name << "=" << format_number(patient.covariates[k]);
    return out.str() + ")";
}

// Values of column j of a row-major table with `width` columns.
std::vector<double> column(const std::vector<double>& table, std::size_t width, std::size_t j) {
    std::vector<double> out;
    for (std::size_t i = j; i < table.size(); i += width) out.push_back(table[i]);
    return out;
}

std::vector<double> per_patient_variable(const CohortResult& r, const std::string& name) {
    auto find = [&](const std::vector<std::string>& names, const std::vector<double>& table) -> std::vector<double> {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) return {};
        return column(table, names.size(), static_cast<std::size_t>(it - names.begin()));
    };
    for (auto values : {find(r.parameter_names, r.parameter_values), find(r.covariate_names, r.covariate_values),
                        find(r.summary_names, r.summary_values)})
        if (!values.empty()) return values;
    throw InputError("cohort: no drawn parameter, covariate or summary named '" + name + "'");
}

void write_provenance(std::ostringstream& out, const Provenance& p) {
    for (const auto& [key, value] : p.entries) out << "# " << key << ": " << value << '\n';
}

std::vector<TimeSummaryRow> summarize_over_time(const CohortStudy& study, const std::vector<double>& samples,
                                                int patients, const std::vector<std::string>& failures) {
    const std::size_t n_out = study.percentile_outputs.size(), width = study.percentile_times_h.size() * n_out;
    std::vector<TimeSummaryRow> rows;
    std::vector<double> values;
    for (std::size_t t = 0; t < study.percentile_times_h.size(); ++t)
        for (std::size_t k = 0; k < n_out; ++k) {
            double sum = 0.0;
            values.clear();
            for (std::size_t p = 0; p < static_cast<std::size_t>(patients); ++p) {
                if (!failures[p].empty()) continue;  // patients whose integration failed are left out
                values.push_back(samples[p * width + t * n_out + k]);
                sum += values.back();  // in patient order, so the mean does not depend on threads
            }
            std::sort(values.begin(), values.end());
            rows.push_back({study.percentile_times_h[t], study.percentile_outputs[k], sum / static_cast<double>(values.size()),
                            percentile_of_sorted(values, 5), percentile_of_sorted(values, 25),
                            percentile_of_sorted(values, 50), percentile_of_sorted(values, 75),
                            percentile_of_sorted(values, 95)});
        }
    return rows;
}

}  // namespace

bool ResponderCriterion::holds(double value) const {
    switch (comparison) {
        case Comparison::less: return value < threshold;
        case Comparison::less_equal: return value <= threshold;
        case Comparison::greater: return value > threshold;
        case Comparison::greater_equal: return value >= threshold;
    }
    return false;
}

std::string ResponderCriterion::describe() const {
    const char* symbols[] = {"<", "<=", ">", ">="};
    return summary + " " + symbols[static_cast<int>(comparison)] + " " + format_number(threshold);
}

int CohortResult::responders() const { return static_cast<int>(std::count(responder.begin(), responder.end(), 1)); }

int CohortResult::failed() const {
    return static_cast<int>(std::count_if(failures.begin(), failures.end(), [](const auto& f) { return !f.empty(); }));
}

CohortResult run_cohort(const CohortStudy& study, int threads, const std::function<void(int done)>& progress) {
    const CohortSpec& spec = study.cohort;
    validate_cohort(spec, *study.base.model);
    if (study.dataset) {
        if (static_cast<std::size_t>(spec.size) != study.dataset->subjects.size())
            throw InputError("cohort: " + std::to_string(spec.size) + " patients but the dataset " + study.dataset->path +
                             " has " + std::to_string(study.dataset->subjects.size()) + " subjects; one patient per subject");
        for (const auto& c : spec.covariates)
            if (dataset_gives(*study.dataset, c.name))
                throw InputError("cohort: covariate " + c.name + " is both drawn and given by the dataset " +
                                 study.dataset->path + "; remove one");
    }
    const auto n = static_cast<std::size_t>(spec.size);
    CohortResult r;
    r.patients = spec.size;
    r.parameter_names = spec.variability.parameters;
    for (const auto& c : spec.covariates) r.covariate_names.push_back(c.name);
    for (const auto& name : spec.listed.names) r.covariate_names.push_back(name);  // listed values are reported as covariates
    for (const auto& s : study.summaries) r.summary_names.push_back(s.name);
    if (study.dataset)
        for (const auto& subject : study.dataset->subjects) r.ids.push_back(subject.id);
    const std::size_t n_par = r.parameter_names.size(), n_cov = r.covariate_names.size(),
                      n_sum = r.summary_names.size(), n_out = study.percentile_outputs.size(),
                      width = study.percentile_times_h.size() * n_out;
    if (static_cast<double>(n) * static_cast<double>(width) > kMaxStoredValues)
        throw InputError("cohort: percentile bands would store " + format_number(double(n) * double(width)) +
                         " values (limit " + format_number(kMaxStoredValues) +
                         "); use fewer percentile times or outputs");
    r.parameter_values.resize(n * n_par);
    r.covariate_values.resize(n * n_cov);
    r.summary_values.resize(n * n_sum);
    std::vector<double> samples(n * width, std::nan(""));
    r.failures.assign(n, std::string());
    r.solver_steps.assign(n, 0);
    r.fell_back.assign(n, 0);
    if (!study.record_outputs.empty()) r.records.assign(n, std::string());
    for (const auto& name : study.record_outputs) study.base.model->require_output(name, "cohort records");

    std::vector<std::size_t> rows, columns;
    for (double t : study.percentile_times_h) rows.push_back(row_of(study.base.grid, t));
    for (const auto& name : study.percentile_outputs)
        columns.push_back(static_cast<std::size_t>(study.base.model->output_index(name)));

    const int workers = threads > 0 ? threads : study.threads > 0 ? study.threads : default_thread_count();
    parallel_for(spec.size, workers, [&](int index) {
        const VirtualPatient patient = draw_patient(spec, index);
        const auto problem_of = [&](const VirtualPatient& v) {
            return study.dataset ? patient_problem(with_subject(study.base, study.dataset->subjects[static_cast<std::size_t>(index)],
                                                                study.dataset->path), spec, v)
                                 : patient_problem(study.base, spec, v);
        };
        const Problem p = problem_of(patient);
        const auto i = static_cast<std::size_t>(index);
        for (std::size_t k = 0; k < n_par; ++k)
            r.parameter_values[i * n_par + k] = p.parameters[static_cast<std::size_t>(p.model->parameter_index(r.parameter_names[k]))];
        const std::size_t n_drawn = patient.covariates.size();
        for (std::size_t k = 0; k < n_cov; ++k)
            r.covariate_values[i * n_cov + k] =
                k < n_drawn ? patient.covariates[k] : spec.listed.values[i * spec.listed.names.size() + k - n_drawn];
        Trajectory trajectory;
        try {
            trajectory = simulate(p);
        } catch (const SolverError& e) {  // kept with the patient; the others' results stand
            r.failures[i] = describe_patient(study, p, patient) + ": " + e.what();
            for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = std::nan("");
            return;
        }
        if (!study.record_outputs.empty()) {
            VirtualPatient typical = patient;  // eta = L z = 0: the typical parameters, the same covariates
            std::fill(typical.z.begin(), typical.z.end(), 0.0);
            try {
                const Trajectory pred = simulate(problem_of(typical));
                const std::vector<double> covariates(r.covariate_values.begin() + static_cast<long>(i * n_cov),
                                                     r.covariate_values.begin() + static_cast<long>((i + 1) * n_cov));
                r.records[i] = patient_records(r.ids.empty() ? std::to_string(i + 1) : r.ids[i], p, trajectory, pred,
                                               {study.record_outputs, r.covariate_names}, covariates);
            } catch (const SolverError& e) {
                r.failures[i] = describe_patient(study, p, patient) + " (typical parameters): " + e.what();
                for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = std::nan("");
                return;
            }
        }
        r.solver_steps[i] = trajectory.stats.steps;
        r.fell_back[i] = trajectory.stats.method != p.solver.method;
        for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = evaluate_summary(trajectory, study.summaries[k]);
        for (std::size_t t = 0; t < rows.size(); ++t)
            for (std::size_t k = 0; k < n_out; ++k) samples[i * width + t * n_out + k] = trajectory.at(rows[t], columns[k]);
    }, progress);

    const auto first_failure = std::find_if(r.failures.begin(), r.failures.end(), [](const auto& f) { return !f.empty(); });
    if (r.failed() == r.patients) throw SolverError(*first_failure);
    if (study.responder) {
        const auto values = per_patient_variable(r, study.responder->summary);
        for (double v : values) r.responder.push_back(study.responder->holds(v) ? 1 : 0);
    }
    r.time_summary = summarize_over_time(study, samples, spec.size, r.failures);
    for (const auto& c : study.correlations) {
        const RankCorrelation rc = spearman(per_patient_variable(r, c.variable), per_patient_variable(r, c.summary));
        r.correlations.push_back({c.variable, c.summary, rc.n, rc.rho, rc.p_value});
    }
    return r;
}

SolverWork solver_work(const CohortResult& r) {
    std::vector<std::pair<long, int>> steps;  // (steps, patient) of the patients that succeeded
    for (std::size_t i = 0; i < r.solver_steps.size(); ++i)
        if (r.failures[i].empty()) steps.emplace_back(r.solver_steps[i], static_cast<int>(i));
    SolverWork w;
    w.fallbacks = static_cast<int>(std::count(r.fell_back.begin(), r.fell_back.end(), 1));
    if (steps.empty()) return w;
    std::sort(steps.begin(), steps.end());
    const auto at = [&](double q) { return steps[static_cast<std::size_t>(q * double(steps.size() - 1) + 0.5)].first; };
    w.median_steps = at(0.5);
    w.p99_steps = at(0.99);
    w.max_steps = steps.back().first;
    w.slowest_patient = steps.back().second;
    const std::size_t slowest = std::max<std::size_t>(1, steps.size() / 100);
    double total = 0.0, tail = 0.0;
    for (std::size_t k = 0; k < steps.size(); ++k) {
        total += double(steps[k].first);
        if (k >= steps.size() - slowest) tail += double(steps[k].first);
    }
    w.slowest_percent_share = total > 0.0 ? tail / total : 0.0;
    return w;
}

std::string describe(const SolverWork& w) {
    std::ostringstream out;
    out << "solver steps per patient: median " << w.median_steps << ", 99th percentile " << w.p99_steps << ", most "
        << w.max_steps << " (patient " << w.slowest_patient << "); the slowest 1% took "
        << 100.0 * w.slowest_percent_share << "% of all steps";
    if (w.fallbacks > 0)
        out << "; " << w.fallbacks << (w.fallbacks == 1 ? " patient" : " patients")
            << " finished with the stiff fallback (status stiff_fallback; their steps are its)";
    return out.str();
}

std::string patients_csv(const CohortResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << (r.ids.empty() ? "index" : "index,ID");
    for (const auto& names : {r.parameter_names, r.covariate_names, r.summary_names})
        for (const auto& name : names) out << ',' << name;
    if (!r.responder.empty()) out << ",responder";
    out << ",solver_steps,status\n";
    const std::size_t n_par = r.parameter_names.size(), n_cov = r.covariate_names.size(), n_sum = r.summary_names.size();
    for (std::size_t i = 0; i < static_cast<std::size_t>(r.patients); ++i) {
        out << i;
        if (!r.ids.empty()) out << ',' << r.ids[i];
        for (std::size_t k = 0; k < n_par; ++k) out << ',' << format_number(r.parameter_values[i * n_par + k]);
        for (std::size_t k = 0; k < n_cov; ++k) out << ',' << format_number(r.covariate_values[i * n_cov + k]);
        for (std::size_t k = 0; k < n_sum; ++k) out << ',' << format_number(r.summary_values[i * n_sum + k]);
        const bool failed = !r.failures[i].empty();
        if (!r.responder.empty()) out << ',' << (failed ? "nan" : std::to_string(int(r.responder[i])));
        out << ',' << (failed ? "nan" : std::to_string(r.solver_steps[i]));
        out << ',' << (failed ? "solver_failed" : r.fell_back[i] ? "stiff_fallback" : "ok") << '\n';
    }
    return out.str();
}

std::string time_summary_csv(const CohortResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << "time_h,output,mean,p05,p25,p50,p75,p95\n";
    for (const auto& row : r.time_summary)
        out << format_number(row.time_h) << ',' << row.output << ',' << format_number(row.mean) << ','
            << format_number(row.p05) << ',' << format_number(row.p25) << ',' << format_number(row.p50) << ','
            << format_number(row.p75) << ',' << format_number(row.p95) << '\n';
    return out.str();
}

std::string records_csv(const CohortStudy& study, const CohortResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << records_header({study.record_outputs, r.covariate_names});
    for (const auto& rows : r.records) out << rows;  // failed patients have none
    return out.str();
}

std::string correlations_csv(const CohortResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << "# method: Spearman rank correlation (average ranks for ties); two-sided p from t = rho sqrt((n-2)/(1-rho^2)) "
           "on n-2 degrees of freedom\n";
    out << "variable,summary,n,spearman_rho,p_value\n";
    for (const auto& c : r.correlations)
        out << c.variable << ',' << c.summary << ',' << c.n << ',' << format_number(c.rho) << ','
            << format_number(c.p_value) << '\n';
    return out.str();
}

}  // namespace mobsim
