#include "sim/studies/cohort.hpp"

#include <algorithm>
#include <sstream>

#include "sim/io/cohort_records.hpp"
#include "sim/base/errors.hpp"

namespace mobsim {

namespace {

void write_provenance(std::ostringstream& out, const Provenance& p) {
    for (const auto& [key, value] : p.entries) out << "# " << key << ": " << value << '\n';
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

namespace {
std::string patients_csv_header(const CohortResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << (!r.has_ids ? "index" : "index,ID");
    for (const auto& names : {r.parameter_names, r.covariate_names, r.summary_names})
        for (const auto& name : names) out << ',' << name;
    if (r.has_responder) out << ",responder";
    out << ",solver_steps,status\n";
    return out.str();
}
}  // namespace

std::string patients_csv_rows(const CohortResult& r) {
    std::ostringstream out;
    const std::size_t n_par = r.parameter_names.size(), n_cov = r.covariate_names.size(), n_sum = r.summary_names.size();
    for (std::size_t i = 0; i < r.failures.size(); ++i) {
        out << r.first_patient + static_cast<int>(i);
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

std::string patients_csv(const CohortResult& r, const Provenance& provenance) {
    return patients_csv_header(r, provenance) + patients_csv_rows(r);
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
    return out.str() + records_csv_rows(r);
}

std::string records_csv_rows(const CohortResult& block) {
    std::string rows;
    for (const auto& patient : block.records) rows += patient;  // failed patients have none
    return rows;
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
