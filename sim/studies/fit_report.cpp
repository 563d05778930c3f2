#include "sim/studies/fit_report.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "sim/io/csv_output.hpp"
#include "sim/base/sha256.hpp"

namespace mobsim {

namespace {

std::string yaml_number(double v) {
    if (std::isnan(v)) return ".nan";
    if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
    return format_number(v);
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string short_number(double v, int digits = 4) {
    if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    std::ostringstream s;
    s << std::setprecision(digits) << v;
    return s.str();
}

}  // namespace

std::string target_label(const DataRow& row, bool summary) {
    std::string label = row.observable + "@" + row.condition;
    if (!summary) label += ":t=" + format_number(row.time_h);
    if (!row.subject.empty()) label += ":subject=" + row.subject;
    if (row.censored) label += ":censored";
    return label;
}

std::string fit_report_yaml(const FitObjective& objective, const FitResult& r, const FitRunInfo& info) {
    const FitSpec& spec = objective.spec();
    std::ostringstream y;
    y << "# mobsim fit report\n";
    y << "program: " << quoted("mobsim " + program_version()) << "\ngit_revision: " << quoted(git_revision()) << '\n';
    y << "fit_file: " << quoted(info.fit_path) << "\nfit_file_sha256: " << quoted(sha256_of_file(info.fit_path)) << '\n';
    y << "data_files:\n";
    for (const auto& f : spec.data_files) y << "  - {path: " << quoted(f) << ", sha256: " << quoted(sha256_of_file(f)) << "}\n";
    y << "model: " << quoted(objective.model_name()) << "\ncommand: " << quoted(info.command) << '\n';
    y << "cohort: " << (spec.cohort ? "{size: " + std::to_string(spec.cohort->size) + ", seed: " +
                                          std::to_string(spec.cohort->seed) + ", predictions: cohort mean}"
                                    : std::string("null")) << '\n';
    y << "objective:\n  neg2_log_likelihood: " << yaml_number(r.objective) << "\n  data_rows: " << spec.data.size()
      << "\n  estimated_parameters: " << r.x.size() << "\n  wall_time_s: " << yaml_number(r.seconds) << '\n';
    y << "statistics: " << quoted("se_scaled from the inverse Fisher information on the parameter scale (expected "
                                  "information for measured rows, Gauss-Newton for censored rows and priors); se by the "
                                  "delta method on the natural scale; ci95 = Wald interval on the parameter scale, "
                                  "back-transformed; .inf: not identifiable from the Fisher information") << '\n';
    y << "fisher_information_rank: " << r.fisher_rank << "\n";
    y << "parameters:\n";
    std::size_t k = 0;
    for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        const FitParameter& p = spec.parameters[i];
        y << "  - {id: " << p.id << ", kind: " << (p.model_index >= 0 ? "model" : "noise")
          << ", scale: " << to_string(p.scale) << ", estimate: " << (p.estimate ? "true" : "false")
          << ", value: " << yaml_number(r.natural.empty() ? p.nominal : r.natural[i]);
        if (p.estimate && !r.x.empty()) {
            const bool at_bound = r.natural[i] <= p.lower * (1 + 1e-9) || r.natural[i] >= p.upper * (1 - 1e-9);
            y << ", se_scaled: " << yaml_number(r.se_scaled[k]) << ", se: " << yaml_number(r.se_natural[k])
              << ", ci95: [" << yaml_number(r.ci_lower[k]) << ", " << yaml_number(r.ci_upper[k]) << "]"
              << ", lowerBound: " << yaml_number(p.lower) << ", upperBound: " << yaml_number(p.upper)
              << ", at_bound: " << (at_bound ? "true" : "false");
            ++k;
        }
        y << "}\n";
    }
    y << "correlation:\n  parameters: [";
    for (std::size_t j = 0; j < objective.free().size(); ++j)
        y << (j ? ", " : "") << spec.parameters[objective.free()[j]].id;
    y << "]\n  matrix:\n";
    const std::size_t n = r.x.size();
    for (std::size_t j = 0; j < n; ++j) {
        y << "    - [";
        for (std::size_t c = 0; c < n; ++c) y << (c ? ", " : "") << yaml_number(r.correlation[j * n + c]);
        y << "]\n";
    }
    y << "targets:  # weighted_residual: (h(observed) - h(predicted)) / sigma; censored rows: sqrt(-2 log Phi)\n";
    std::vector<double> residuals;
    if (!r.x.empty()) objective.residuals_of(r.x, r.evaluation, residuals);
    for (std::size_t row = 0; row < spec.data.size() && !r.x.empty(); ++row) {
        const DataRow& d = spec.data[row];
        const double predicted = r.evaluation.prediction[row];
        const double weighted = residuals[row];
        y << "  - {observable: " << d.observable << ", condition: " << d.condition;
        if (!d.subject.empty()) y << ", subject: " << quoted(d.subject);
        y << ", time_h: " << yaml_number(d.time_h) << ", observed: " << yaml_number(d.measurement)
          << ", predicted: " << yaml_number(predicted) << ", residual: " << yaml_number(d.measurement - predicted)
          << ", sigma: " << yaml_number(r.evaluation.sigma[row]) << ", weighted_residual: " << yaml_number(weighted)
          << ", censored: " << (d.censored ? "true" : "false") << ", source: " << quoted(d.where()) << "}\n";
    }
    y << "starts:\n";
    for (std::size_t i = 0; i < r.starts.size(); ++i) {
        const StartOutcome& s = r.starts[i];
        y << "  - {start: " << i + 1 << ", status: " << quoted(to_string(s.lm.status)) << ", iterations: " << s.lm.iterations
          << ", evaluations: " << s.lm.evaluations << ", objective: " << yaml_number(s.objective)
          << ", best: " << (static_cast<int>(i) == r.best ? "true" : "false") << "}\n";
    }
    return y.str();
}

std::string residuals_csv(const FitObjective& objective, const FitResult& r) {
    std::ostringstream out;
    out << "target,observed,predicted,residual,weighted_residual\n";
    std::vector<double> residuals;
    objective.residuals_of(r.x, r.evaluation, residuals);
    for (std::size_t row = 0; row < objective.spec().data.size(); ++row) {
        const DataRow& d = objective.spec().data[row];
        const bool summary = objective.spec().observables.size() > 0 &&
                             std::any_of(objective.spec().observables.begin(), objective.spec().observables.end(),
                                         [&](const Observable& o) { return o.id == d.observable && o.summary; });
        const double predicted = r.evaluation.prediction[row];
        out << target_label(d, summary) << ',' << format_number(d.measurement) << ',' << format_number(predicted) << ','
            << format_number(d.measurement - predicted) << ',' << format_number(residuals[row]) << '\n';
    }
    return out.str();
}

std::string curves_csv(const FitObjective& objective, const FitResult& r) {
    std::ostringstream out;
    out << "series,time_h,predicted\n";
    for (const auto& point : objective.curves(r.x, 200))
        out << point.series << ',' << format_number(point.time_h) << ',' << format_number(point.predicted) << '\n';
    return out.str();
}

std::string fitted_parameter_file(const FitObjective& objective, const FitResult& r, const FitRunInfo& info) {
    const FitSpec& spec = objective.spec();
    std::ostringstream y;
    y << "# Fitted by mobsim fit; usable as `mobsim run --parameters`, a scenario's parameters_file, or a fit's start:\n";
    y << "model: " << quoted(objective.model_name()) << "\nfit_file: " << quoted(info.fit_path)
      << "\nprogram: " << quoted("mobsim " + program_version() + " (" + git_revision() + ")")
      << "\nneg2_log_likelihood: " << yaml_number(r.objective) << "\nparameters:\n";
    for (std::size_t i = 0; i < spec.parameters.size(); ++i)
        if (spec.parameters[i].model_index >= 0)
            y << "  " << spec.parameters[i].id << ": " << format_number(r.natural[i]) << '\n';
    bool noise_header = false;
    for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
        if (spec.parameters[i].model_index >= 0) continue;
        if (!noise_header) y << "noise_parameters:\n";
        noise_header = true;
        y << "  " << spec.parameters[i].id << ": " << format_number(r.natural[i]) << '\n';
    }
    y << "standard_errors:  # delta method, natural scale\n";
    for (std::size_t j = 0; j < objective.free().size(); ++j)
        y << "  " << spec.parameters[objective.free()[j]].id << ": " << yaml_number(r.se_natural[j]) << '\n';
    return y.str();
}

std::string fit_summary(const FitObjective& objective, const FitResult& r) {
    const FitSpec& spec = objective.spec();
    std::ostringstream s;
    int converged_starts = 0;
    for (const auto& start : r.starts) converged_starts += converged(start.lm.status) ? 1 : 0;
    s << "fit of model " << objective.model_name() << " to " << spec.data.size() << " data rows"
      << (spec.cohort ? " (cohort mean of " + std::to_string(spec.cohort->size) + " virtual patients)" : "") << '\n';
    s << "-2 log L = " << short_number(r.objective, 8) << " (best of " << r.starts.size() << " starts: start "
      << r.best + 1 << "; " << converged_starts << " converged) in " << short_number(r.seconds, 3) << " s\n";
    s << std::left << std::setw(16) << "parameter" << std::setw(13) << "estimate" << std::setw(13) << "SE"
      << "95% CI (Wald, parameter scale)\n";
    for (std::size_t j = 0; j < objective.free().size(); ++j) {
        const FitParameter& p = spec.parameters[objective.free()[j]];
        const double value = r.natural[objective.free()[j]];
        const bool at_bound = value <= p.lower * (1 + 1e-9) || value >= p.upper * (1 - 1e-9);
        s << std::setw(16) << p.id + " " << std::setw(13) << short_number(value) << std::setw(13)
          << short_number(r.se_natural[j]) << "[" << short_number(r.ci_lower[j]) << ", " << short_number(r.ci_upper[j])
          << "]" << (std::isfinite(r.se_scaled[j]) ? "" : "  not identifiable") << (at_bound ? "  AT BOUND" : "") << '\n';
    }
    if (r.fisher_rank < static_cast<int>(r.x.size()))
        s << "warning: the Fisher information has rank " << r.fisher_rank << " of " << r.x.size()
          << "; run mobsim profile to see which parameters the data determine\n";
    return s.str();
}

std::string profile_csv(const std::vector<Profile>& profiles, double optimum) {
    std::ostringstream out;
    out << "parameter,value,objective,delta_objective\n";
    for (const Profile& p : profiles)
        for (const ProfilePoint& point : p.points)
            out << p.parameter << ',' << format_number(point.value) << ',' << format_number(point.objective) << ','
                << format_number(point.objective - optimum) << '\n';
    return out.str();
}

std::string profile_summary(const std::vector<Profile>& profiles, const FitObjective& objective, const FitResult& r,
                            double threshold) {
    std::ostringstream s;
    s << "profile likelihood (delta -2 log L threshold " << short_number(threshold) << "), optimum -2 log L = "
      << short_number(r.objective, 8) << '\n';
    for (std::size_t j = 0; j < profiles.size(); ++j) {
        const Profile& p = profiles[j];
        double lowest = r.objective;
        for (const auto& point : p.points) lowest = std::min(lowest, point.objective);
        auto side = [](const std::optional<double>& crossing, bool at_bound) {
            if (crossing) return short_number(*crossing);
            return std::string(at_bound ? "bound" : "open");
        };
        s << std::left << std::setw(16) << p.parameter + " " << std::setw(13) << short_number(r.natural[objective.free()[j]])
          << "[" << side(p.lower, p.lower_at_bound) << ", " << side(p.upper, p.upper_at_bound) << "]  "
          << (p.identifiable() ? "identifiable"
                               : std::string("NOT IDENTIFIABLE (profile stays below the threshold ") +
                                     (!p.lower && !p.upper ? "on both sides" : !p.lower ? "below" : "above") + ")");
        if (lowest < r.objective - 1e-3) s << "  note: the profile found a lower objective " << short_number(lowest, 8);
        s << '\n';
    }
    return s.str();
}

}  // namespace mobsim
