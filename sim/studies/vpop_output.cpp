// The VPop's files: the VPop (one row per virtual patient, readable by cohort files' `vpop:`), the plausible
// population with prevalence weights, and the report.
#include <cmath>
#include <sstream>

#include "sim/base/text_match.hpp"
#include "sim/studies/vpop.hpp"

namespace mobsim {

namespace {

const char* statistic_name(VpopTarget::Statistic s) {
    static const char* names[] = {"mean", "sd", "median", "percentile", "proportion", "spearman", "pearson"};
    return names[static_cast<int>(s)];
}

void write_provenance(std::ostringstream& out, const Provenance& p) {
    for (const auto& [key, value] : p.entries) out << "# " << key << ": " << value << '\n';
}

void write_row_values(std::ostringstream& out, const PlausiblePopulation& pop, int row) {
    const std::size_t width = pop.names.size();
    for (std::size_t j = 0; j < width; ++j) out << ',' << format_number(pop.values[static_cast<std::size_t>(row) * width + j]);
}

std::string text_or_none(double v) { return std::abs(v) < 1e299 ? format_number(v) : ""; }

}  // namespace

std::string vpop_csv(const VpopStudy&, const VpopResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << "# columns: the varied parameters and covariates (a cohort file's vpop: applies these), then the quantities\n";
    out << "patient,candidate";
    for (const auto& name : r.population.names) out << ',' << name;
    out << '\n';
    for (std::size_t k = 0; k < r.selected.size(); ++k) {
        out << k << ',' << r.selected[k];
        write_row_values(out, r.population, r.selected[k]);
        out << '\n';
    }
    return out.str();
}

std::string plausible_csv(const VpopStudy&, const VpopResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    out << "# status: plausible, or the constraint (or solver) that rejected the candidate; weight: prevalence "
           "weight (mean 1 over the plausible); selected: in the VPop\n";
    out << "candidate";
    for (const auto& name : r.population.names) out << ',' << name;
    out << ",status,weight,selected\n";
    std::vector<double> weight(static_cast<std::size_t>(r.population.candidates), std::nan(""));
    std::vector<char> selected(weight.size(), 0);
    for (std::size_t i = 0; i < r.plausible_rows.size(); ++i) weight[static_cast<std::size_t>(r.plausible_rows[i])] = r.weights[i];
    for (int row : r.selected) selected[static_cast<std::size_t>(row)] = 1;
    for (int i = 0; i < r.population.candidates; ++i) {
        const auto u = static_cast<std::size_t>(i);
        out << i;
        write_row_values(out, r.population, i);
        out << ',' << (r.population.plausible[u] ? "plausible" : "rejected") << ',' << format_number(weight[u]) << ','
            << int(selected[u]) << '\n';
    }
    return out.str();
}

std::string vpop_report_csv(const VpopStudy& study, const VpopResult& r, const Provenance& provenance) {
    std::ostringstream out;
    write_provenance(out, provenance);
    const auto plausible = r.plausible_rows.size();
    out << "# candidates: " << r.population.candidates << '\n';
    out << "# plausible: " << plausible << " (" << format_number(100.0 * double(plausible) / r.population.candidates)
        << "% of candidates)\n";
    for (std::size_t k = 0; k < study.constraints.size(); ++k)
        out << "# rejected_by: " << study.constraints[k].describe() << ": " << r.population.rejected_by[k] << '\n';
    out << "# solver_failed: " << r.population.solver_failed << '\n';
    if (r.population.from_chains > 0)
        out << "# from_mh_chains: " << r.population.from_chains << " (the last candidates; " << study.refine_chains
            << " chains of " << study.refine_steps << " steps, every " << study.refine_thin << "th state kept)\n";
    out << "# vpop_size: " << r.selected.size() << '\n';
    out << "# acceptance_rate: " << format_number(double(r.selected.size()) / double(plausible))
        << " (VPop patients per plausible patient)\n";
    out << "# effective_size: " << format_number(r.effective_size)
        << " (Kish effective sample size of the prevalence weights; a VPop larger than it repeats the same regions)\n";
    out << "# saturated: " << r.saturated << " (selected with c w >= 1: the plausible population is too thin there)\n";
    out << "# bootstrap: " << study.bootstrap << " resamples of the VPop\n";
    out << "# chi_square: " << format_number(r.chi_square) << " on " << study.targets.size()
        << " targets, p = " << format_number(r.chi_square_p) << '\n';
    out << "# z: (VPop - published) / published uncertainty (Fisher z scale for correlations; 0 inside a bound); "
           "vpop_inside_bound: for a bound target, whether the VPop's own statistic satisfies it\n";
    out << "target,statistic,quantities,published,published_at_least,published_at_most,uncertainty,uncertainty_source,"
           "weighted,vpop,bootstrap_low,bootstrap_high,z,within_uncertainty,vpop_inside_bound\n";
    for (std::size_t k = 0; k < study.targets.size(); ++k) {
        const VpopTarget& t = study.targets[k];
        const TargetFit& f = r.fits[k];
        std::string statistic = statistic_name(t.statistic);
        if (t.statistic == VpopTarget::Statistic::percentile) statistic += " " + format_number(t.q);
        if (t.statistic == VpopTarget::Statistic::proportion)
            statistic += std::string(t.above ? " above " : " below ") + format_number(t.threshold);
        out << t.name << ',' << statistic << ',' << join(t.quantities, " ") << ','
            << (t.value ? format_number(*t.value) : "") << ',' << text_or_none(t.at_least) << ','
            << text_or_none(t.at_most) << ',' << format_number(t.uncertainty) << ',' << t.uncertainty_source << ','
            << format_number(f.weighted) << ',' << format_number(f.vpop) << ',' << format_number(f.boot_low) << ','
            << format_number(f.boot_high) << ',' << format_number(f.z) << ',' << (f.within ? "yes" : "no") << ','
            << (t.value ? "" : f.vpop >= t.at_least && f.vpop <= t.at_most ? "yes" : "no") << '\n';
    }
    return out.str();
}

}  // namespace mobsim
