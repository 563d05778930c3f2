// The cohort file format (paths are relative to the cohort file):
//   scenario: trial.yaml          # a scenario file, or an inline scenario mapping
//   size: 1000                    # patients (optional with vpop: default its row count)
//   vpop: trial_vpop.csv          # optional: patient i takes row i's parameters and covariates (mobsim vpop)
//   seed: 20240601                # draws depend only on (seed, patient index)
//   threads: 4                    # optional; default all cores
//   variability:                  # log-normal IIV: P_i = P * exp(eta_i), eta ~ N(0, omega)
//     parameters: [CL, V1]
//     omega: [0.09, 0.04]         # variances (diagonal) or a full covariance matrix [[..], [..]]
//     # cv_pct: [30, 20]          # or CV% per parameter: omega_ii = ln(1 + CV^2)
//   covariates:                   # model covariates (and weight_kg), in draw order
//     weight_kg: {distribution: lognormal, median: 70, sd_log: 0.2, lower: 40, upper: 150}
//     crcl_mL_min: {distribution: normal, mean: 90, sd: 20, lower: 15}
//     marker: {distribution: uniform, low: 0.5, high: 2}
//     age: {distribution: fixed, value: 50}
//   covariate_correlation: {covariates: [marker_a, marker_b], r: 0.6}   # shared factor; normal/lognormal only
//   summaries: [...]              # see sim/studies/summary_reader.cpp
//   responder: {summary: blast_d28, comparison: "<", threshold: 5}
//   percentiles: {outputs: [conc_central], step_h: 6}   # or times_h; default: the scenario's grid/outputs
//                                 # with step_h, also at each dose and 0.25-12 h after it (around_doses: false: not)
//   correlations:                 # Spearman; variable and summary may each be a list (all pairs)
//     - {variable: [CL, weight_kg], summary: auc}
//   output: {patients: p.csv, time_summary: t.csv, correlations: c.csv}
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/studies/cohort.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

VariabilitySpec read_variability(const ConfigNode& node) {
    MapReader r(node, {"parameters", "omega", "cv_pct"});
    VariabilitySpec v;
    v.parameters = r.texts("parameters");
    const std::size_t n = v.parameters.size();
    if (n == 0) fail_at(r.require("parameters"), "expected at least one parameter");
    if (r.has("omega") == r.has("cv_pct")) fail_at(node, "give exactly one of omega or cv_pct");
    v.omega.assign(n * n, 0.0);
    if (r.has("cv_pct")) {
        const ConfigNode& list = r.require("cv_pct");
        const auto cv = r.numbers("cv_pct");
        if (cv.size() != n) fail_at(list, "expected one CV% per parameter (" + std::to_string(n) + ")");
        for (std::size_t i = 0; i < n; ++i) {
            require_positive(list.items[i], cv[i]);
            v.omega[i * n + i] = std::log1p(cv[i] * cv[i] / 1e4);
        }
        return v;
    }
    const ConfigNode& omega = r.require("omega");
    expect_kind(omega, ConfigNode::Kind::sequence);
    if (omega.items.size() != n) fail_at(omega, "expected " + std::to_string(n) + " entries, one per parameter");
    const bool matrix = omega.items[0].kind == ConfigNode::Kind::sequence;
    for (std::size_t i = 0; i < n; ++i) {
        const ConfigNode& item = omega.items[i];
        if (!matrix) {
            v.omega[i * n + i] = require_positive(item, as_number(item));
            continue;
        }
        expect_kind(item, ConfigNode::Kind::sequence);
        if (item.items.size() != n) fail_at(item, "expected a row of " + std::to_string(n) + " numbers");
        for (std::size_t j = 0; j < n; ++j) v.omega[i * n + j] = as_number(item.items[j]);
    }
    cholesky_lower(v.omega, n, omega.where());
    return v;
}

ResponderCriterion read_responder(const ConfigNode& node) {
    MapReader r(node, {"summary", "comparison", "threshold"});
    ResponderCriterion c;
    c.summary = r.text("summary");
    const std::string op = r.text("comparison");
    using C = ResponderCriterion::Comparison;
    if (op == "<") c.comparison = C::less;
    else if (op == "<=") c.comparison = C::less_equal;
    else if (op == ">") c.comparison = C::greater;
    else if (op == ">=") c.comparison = C::greater_equal;
    else fail_at(r.require("comparison"), "expected one of \"<\", \"<=\", \">\", \">=\" (quoted), found '" + op + "'");
    c.threshold = r.number("threshold");
    return c;
}

std::vector<std::string> one_or_many(const ConfigNode& node) {
    if (node.kind == ConfigNode::Kind::sequence) {
        std::vector<std::string> out;
        for (const auto& item : node.items) out.push_back(as_text(item));
        return out;
    }
    return {as_text(node)};
}

// A coarse band grid misses the peaks after doses (a 4-hour grid put plerixafor's median Cmax at a third of its
// value): the bands are also sampled at each dose's arrival and at these delays after it, those shorter than
// the band step (beyond it the step grid samples).
void add_times_around_doses(CohortStudy& study, double step_h) {
    static const double kDelays_h[] = {0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12};
    const Problem& p = study.base;
    const auto system = p.model->bind(p.parameters, p.covariates);
    for (const DoseEvent& event : p.history.empty() ? dose_events(p, *system) : history_dose_events(p, *system)) {
        study.percentile_times_h.push_back(event.time_h);
        for (double delay : kDelays_h)
            if (delay < step_h && event.time_h + delay <= p.end_h) study.percentile_times_h.push_back(event.time_h + delay);
    }
}

void read_percentiles(const ConfigNode* node, CohortStudy& study, const Scenario& scenario) {
    const Model& model = *study.base.model;
    study.percentile_outputs = scenario.output.outputs;
    if (study.percentile_outputs.empty())
        for (const auto& o : model.outputs()) study.percentile_outputs.push_back(o.name);
    study.percentile_times_h = study.base.grid;
    if (!node) return;
    MapReader r(*node, {"outputs", "step_h", "times_h", "around_doses"});
    if (r.has("outputs")) {
        study.percentile_outputs = r.texts("outputs");
        for (std::size_t k = 0; k < study.percentile_outputs.size(); ++k)
            model.require_output(study.percentile_outputs[k], r.require("outputs").items[k].where());
    }
    if (r.has("step_h") && r.has("times_h")) fail_at(*node, "give step_h or times_h, not both");
    if (r.has("step_h")) {
        const double step = require_positive(r.require("step_h"), r.number("step_h"));
        if (study.base.end_h / step > 1e6) fail_at(r.require("step_h"), "more than 1e6 percentile times");
        study.percentile_times_h.clear();
        for (long k = 0; static_cast<double>(k) * step <= study.base.end_h * (1 + 1e-12); ++k)
            study.percentile_times_h.push_back(std::min(static_cast<double>(k) * step, study.base.end_h));
    } else if (r.has("times_h")) {
        study.percentile_times_h.clear();
        for (const auto& item : r.require("times_h").items) {
            const double t = as_number(item);
            if (t < 0.0 || t > study.base.end_h) fail_at(item, "time outside the simulated span");
            study.percentile_times_h.push_back(t);
        }
    }
    if (r.has("step_h") && r.flag_or("around_doses", true)) add_times_around_doses(study, r.number("step_h"));
    std::sort(study.percentile_times_h.begin(), study.percentile_times_h.end());
    study.percentile_times_h.erase(std::unique(study.percentile_times_h.begin(), study.percentile_times_h.end()),
                                   study.percentile_times_h.end());
}

// Per-patient column names must be unique so correlations and the responder can refer to them.
std::vector<std::string> patient_columns(const CohortStudy& study, const ConfigNode& root) {
    std::vector<std::string> names = study.cohort.variability.parameters;
    for (const auto& c : study.cohort.covariates) names.push_back(c.name);
    for (const auto& s : study.summaries) names.push_back(s.name);
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j])
                fail_at(root, "'" + names[i] + "' names both a parameter/covariate and a summary; rename the summary");
    return names;
}

void require_column(const ConfigNode& node, const std::string& name, const std::vector<std::string>& columns) {
    if (std::find(columns.begin(), columns.end(), name) == columns.end())
        fail_at(node, "no drawn parameter, covariate or summary named '" + name + "'" + did_you_mean(name, columns) +
                          " (available: " + join(columns, ", ") + ")");
}

}  // namespace

CovariateDistribution read_distribution(const std::string& name, const ConfigNode& node) {
    using Kind = CovariateDistribution::Kind;
    MapReader r(node, {"distribution", "value", "mean", "sd", "median", "sd_log", "cv_pct", "low", "high", "lower",
                       "upper"});
    CovariateDistribution d;
    d.name = name;
    d.where = node.where();
    const std::string kind = r.text("distribution");
    std::vector<std::string> allowed;
    if (kind == "fixed") {
        d.kind = Kind::fixed;
        allowed = {"value"};
        d.a = r.number("value");
    } else if (kind == "normal") {
        d.kind = Kind::normal;
        allowed = {"mean", "sd"};
        d.a = r.number("mean");
        d.b = require_non_negative(r.require("sd"), r.number("sd"));
    } else if (kind == "lognormal") {
        d.kind = Kind::lognormal;
        allowed = {"median", "sd_log", "cv_pct"};
        d.a = require_positive(r.require("median"), r.number("median"));
        if (r.has("sd_log") == r.has("cv_pct")) fail_at(node, "a lognormal needs exactly one of sd_log or cv_pct");
        if (r.has("sd_log")) d.b = require_non_negative(r.require("sd_log"), r.number("sd_log"));
        else d.b = std::sqrt(std::log1p(std::pow(require_non_negative(r.require("cv_pct"), r.number("cv_pct")) / 100.0, 2)));
    } else if (kind == "uniform") {
        d.kind = Kind::uniform;
        allowed = {"low", "high"};
        d.a = r.number("low");
        d.b = r.number("high");
        if (!(d.b > d.a)) fail_at(r.require("high"), "expected high > low");
    } else {
        fail_at(r.require("distribution"), "unknown distribution '" + kind + "'" +
                                               did_you_mean(kind, {"fixed", "normal", "lognormal", "uniform"}) +
                                               " (expected fixed, normal, lognormal or uniform)");
    }
    allowed.insert(allowed.end(), {"distribution", "lower", "upper"});
    for (const auto& [key, value] : node.entries)
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            fail_at(value, "'" + key + "' does not apply to a " + kind + " distribution (use: " + join(allowed, ", ") + ")");
    d.lower = r.number_or("lower", d.lower);
    d.upper = r.number_or("upper", d.upper);
    if (!(d.lower < d.upper)) fail_at(node, "expected lower < upper");
    return d;
}

Scenario read_study_scenario(const ConfigNode& node, const std::string& study_file, std::string& scenario_file) {
    if (node.kind == ConfigNode::Kind::map) return read_scenario_node(node);
    scenario_file = resolve_relative(study_file, as_text(node));
    return read_scenario(scenario_file);
}

CohortStudy read_cohort_study(const std::string& path, const ModelRegistry& models) {
    const ConfigNode root = load_config_file(path);
    MapReader r(root, {"description", "scenario", "size", "seed", "threads", "variability", "covariates",
                       "covariate_correlation", "summaries", "responder", "percentiles", "correlations", "output",
                       "vpop"});
    CohortStudy study;
    study.file = path;
    Scenario scenario = read_study_scenario(r.require("scenario"), path, study.scenario_file);

    std::shared_ptr<const Model> model = models.create(scenario.model);
    if (r.has("vpop")) {
        study.cohort.listed = read_listed_values(resolve_relative(path, r.text("vpop")), *model);
        for (const auto& name : study.cohort.listed.names)
            if (model->parameter_index(name) < 0) scenario.patient.emplace(name, 1.0);  // placeholder: each row replaces it
    }
    // without a VPop, size is required (require() names the missing key)
    const long size = r.has("vpop") && !r.has("size") ? study.cohort.listed.rows() : as_integer(r.require("size"));
    if (size < 1 || size > 10000000) fail_at(r.require("size"), "expected a cohort size from 1 to 10000000");
    study.cohort.size = static_cast<int>(size);
    const long seed = r.optional_integer("seed").value_or(1);
    if (seed < 0) fail_at(r.require("seed"), "expected a seed >= 0");
    study.cohort.seed = static_cast<std::uint64_t>(seed);
    if (auto threads = r.optional_integer("threads")) {
        if (*threads < 1 || *threads > 1024) fail_at(r.require("threads"), "expected 1 to 1024 threads");
        study.threads = static_cast<int>(*threads);
    }
    if (r.has("variability")) study.cohort.variability = read_variability(r.require("variability"));
    if (r.has("covariates")) {
        const ConfigNode& list = r.require("covariates");
        expect_kind(list, ConfigNode::Kind::map);
        for (const auto& [name, value] : list.entries) {
            study.cohort.covariates.push_back(read_distribution(name, value));
            // every patient gets a drawn value; the scenario only needs a placeholder to build its problem
            scenario.patient.emplace(name, std::max(study.cohort.covariates.back().a, 1e-9));
        }
    }

    if (r.has("covariate_correlation")) {
        MapReader c(r.require("covariate_correlation"), {"covariates", "r"});
        study.cohort.covariate_correlation.covariates = c.texts("covariates");
        study.cohort.covariate_correlation.r = c.number("r");
    }

    try {
        validate_cohort(study.cohort, *model);
    } catch (const InputError& e) {
        throw InputError(root.where() + ": " + e.what());
    }
    study.base = build_problem(scenario, model);
    study.parameters_file = scenario.parameters_file;

    if (r.has("summaries")) study.summaries = read_summaries(r.require("summaries"), *model, study.base.end_h);
    read_percentiles(root.find("percentiles"), study, scenario);
    std::vector<double>& grid = study.base.grid;
    for (const auto& extra : {required_times(study.summaries), study.percentile_times_h})
        grid.insert(grid.end(), extra.begin(), extra.end());
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());

    const auto columns = patient_columns(study, root);
    if (r.has("responder")) {
        study.responder = read_responder(r.require("responder"));
        require_column(*r.require("responder").find("summary"), study.responder->summary, columns);
    }
    if (r.has("correlations")) {
        const ConfigNode& list = r.require("correlations");
        expect_kind(list, ConfigNode::Kind::sequence);
        for (const auto& item : list.items) {
            MapReader c(item, {"variable", "summary"});
            const auto variables = one_or_many(c.require("variable")), summaries = one_or_many(c.require("summary"));
            for (const auto& v : variables) require_column(c.require("variable"), v, columns);
            for (const auto& s : summaries) require_column(c.require("summary"), s, columns);
            for (const auto& v : variables)
                for (const auto& s : summaries) study.correlations.push_back({v, s});
        }
    }
    if (r.has("output"))
        read_file_names(r.require("output"), path, {{"patients", &study.patients_file},
                                                    {"time_summary", &study.time_summary_file},
                                                    {"correlations", &study.correlations_file}});
    return study;
}

}  // namespace mobsim
