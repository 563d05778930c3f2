#include "sim/studies/association.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/statistics.hpp"

namespace mobsim {

namespace {

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return percentile_of_sorted(values, 50.0);
}

}  // namespace

std::vector<AssociationRow> repeated_associations(const CohortStudy& study, const AssociationOptions& options,
                                                  const std::function<void(int done)>& progress) {
    if (study.correlations.empty())
        throw InputError(study.file + ": the cohort declares no correlations (add a 'correlations:' list of "
                                      "variable/summary pairs)");
    if (options.seeds < 1) throw InputError("association: --seeds must be at least 1");
    if (!(options.alpha > 0.0 && options.alpha < 1.0)) throw InputError("association: --alpha must be in (0, 1)");
    CohortStudy cohort = study;
    if (options.size > 0) cohort.cohort.size = options.size;
    cohort.percentile_outputs.clear();  // bands are not needed: keep the per-cohort memory to the summaries
    cohort.percentile_times_h.clear();

    const std::size_t pairs = study.correlations.size();
    std::vector<std::vector<double>> rho(pairs), p(pairs);
    for (int k = 0; k < options.seeds; ++k) {
        cohort.cohort.seed = study.cohort.seed + static_cast<std::uint64_t>(k);
        const CohortResult result = run_cohort(cohort, options.threads);
        for (std::size_t c = 0; c < pairs; ++c) {
            const CorrelationRow& row = result.correlations[c];
            if (std::isnan(row.rho) || std::isnan(row.p_value)) continue;
            rho[c].push_back(row.rho);
            p[c].push_back(row.p_value);
        }
        if (progress) progress(k + 1);
    }
    std::vector<AssociationRow> rows;
    for (std::size_t c = 0; c < pairs; ++c) {
        AssociationRow row{study.correlations[c].variable, study.correlations[c].summary,
                           static_cast<int>(rho[c].size()), std::nan(""), std::nan(""), std::nan("")};
        if (!rho[c].empty()) {
            row.median_rho = median(rho[c]);
            row.median_p = median(p[c]);
            const auto hits = std::count_if(p[c].begin(), p[c].end(), [&](double v) { return v <= options.alpha; });
            row.share_significant = static_cast<double>(hits) / static_cast<double>(rho[c].size());
        }
        rows.push_back(row);
    }
    return rows;
}

std::string association_table(const std::vector<AssociationRow>& rows, const AssociationOptions& options) {
    std::ostringstream out;
    out << "| variable | summary | cohorts | median rho | median p | share p <= " << options.alpha << " |\n";
    out << "|---|---|---:|---:|---:|---:|\n";
    for (const auto& r : rows)
        out << "| " << r.variable << " | " << r.summary << " | " << r.cohorts << " | " << std::fixed
            << std::setprecision(3) << r.median_rho << " | " << std::defaultfloat << std::setprecision(3)
            << r.median_p << " | " << std::fixed << std::setprecision(2) << r.share_significant << std::defaultfloat
            << " |\n";
    return out.str();
}

std::string association_csv(const std::vector<AssociationRow>& rows, const AssociationOptions& options,
                            const Provenance& provenance) {
    std::ostringstream out;
    for (const auto& [key, value] : provenance.entries) out << "# " << key << ": " << value << '\n';
    out << "# method: Spearman rank correlation per cohort (as the cohort command), then over cohorts the median "
           "rho, the median p and the share with p <= alpha\n";
    out << "# seeds: " << options.seeds << "\n# alpha: " << options.alpha << '\n';
    out << "variable,summary,cohorts,median_rho,median_p,share_p_le_alpha\n";
    for (const auto& r : rows)
        out << r.variable << ',' << r.summary << ',' << r.cohorts << ',' << format_number(r.median_rho) << ',' << format_number(r.median_p) << ','
            << format_number(r.share_significant) << '\n';
    return out.str();
}

}  // namespace mobsim
