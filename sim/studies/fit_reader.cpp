// Reads a fit file (see docs/fitting.md) into a FitSpec, checking every name against the model.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "sim/io/dataset_problem.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/fit.hpp"
#include "sim/studies/fit_dataset.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

template <class T>
T choose(const ConfigNode& node, const std::vector<std::pair<std::string, T>>& choices) {
    const std::string text = as_text(node);
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
        if (name == text) return value;
        names.push_back(name);
    }
    fail_at(node, "unknown value '" + text + "'" + did_you_mean(text, names) + " (expected " + join(names, ", ") + ")");
}

Prior read_prior(const ConfigNode& node) {
    MapReader r(node, {"distribution", "mean", "sd", "median", "sd_log"});
    Prior prior;
    prior.kind = choose<Prior::Kind>(r.require("distribution"),
                                     {{"normal", Prior::Kind::normal}, {"lognormal", Prior::Kind::lognormal}});
    if (prior.kind == Prior::Kind::normal) {
        prior.mean = r.number("mean");
        prior.sd = require_positive(r.require("sd"), r.number("sd"));
    } else {
        prior.mean = std::log(require_positive(r.require("median"), r.number("median")));
        prior.sd = require_positive(r.require("sd_log"), r.number("sd_log"));
    }
    return prior;
}

FitParameter read_parameter(const ConfigNode& node, const Model& model, const std::vector<std::string>& noise_names) {
    MapReader r(node, {"parameterId", "parameterScale", "lowerBound", "upperBound", "nominalValue", "estimate",
                       "prior", "parameterName", "unit"});
    FitParameter p;
    p.id = r.text("parameterId");
    p.where = r.require("parameterId").where();
    p.model_index = model.parameter_index(p.id);
    if (p.model_index < 0 && std::find(noise_names.begin(), noise_names.end(), p.id) == noise_names.end()) {
        std::vector<std::string> names = noise_names;
        for (const auto& info : model.parameters()) names.push_back(info.name);
        const std::string used = noise_names.empty() ? " (the error models name no parameter)"
                                                     : " (the error models name: " + join(noise_names, ", ") + ")";
        fail_at(r.require("parameterId"), "'" + p.id + "' is neither a parameter of model '" + model.name() +
                                              "' nor used by an error model" + did_you_mean(p.id, names) + used);
    }
    if (r.has("parameterScale"))
        p.scale = choose<ParameterScale>(r.require("parameterScale"), {{"lin", ParameterScale::lin},
                                                                        {"log", ParameterScale::log},
                                                                        {"log10", ParameterScale::log10}});
    p.lower = r.number("lowerBound");
    p.upper = r.number("upperBound");
    if (!(p.lower < p.upper)) fail_at(r.require("upperBound"), "upperBound must exceed lowerBound");
    if (p.scale != ParameterScale::lin && !(p.lower > 0.0))
        fail_at(r.require("lowerBound"), "a log-scaled parameter needs lowerBound > 0");
    if (p.model_index >= 0) {
        const ParameterInfo& info = model.parameters()[p.model_index];
        if (p.lower < info.lower || p.upper > info.upper)
            fail_at(node, "bounds [" + std::to_string(p.lower) + ", " + std::to_string(p.upper) +
                              "] leave the model's admissible range [" + std::to_string(info.lower) + ", " +
                              std::to_string(info.upper) + "] of '" + p.id + "'");
        p.nominal = r.number_or("nominalValue", info.value);
    } else {
        p.nominal = r.number("nominalValue");
    }
    if (p.nominal < p.lower || p.nominal > p.upper)
        fail_at(r.has("nominalValue") ? r.require("nominalValue") : node,
                "nominalValue " + std::to_string(p.nominal) + " lies outside [lowerBound, upperBound]");
    if (r.has("estimate")) {
        const ConfigNode& e = r.require("estimate");
        p.estimate = e.scalar == "1" || (e.scalar != "0" && as_flag(e));
    }
    if (r.has("prior")) p.prior = read_prior(r.require("prior"));
    if (p.prior.kind == Prior::Kind::lognormal && !(p.lower > 0.0))
        fail_at(r.require("prior"), "a lognormal prior needs lowerBound > 0");
    return p;
}

SummarySpec read_summary(const ConfigNode& node, const std::string& id, const std::string& output) {
    MapReader r(node, {"kind", "start_h", "end_h", "baseline_h", "sample_times_h"});
    SummarySpec s;
    s.name = id;
    s.output = output;
    s.kind = parse_summary_kind(r.text("kind"), r.require("kind").where());
    s.start_h = require_non_negative(r.require("start_h"), r.number("start_h"));
    s.end_h = r.number_or("end_h", s.start_h);
    if (s.kind != SummaryKind::value_at && !(s.end_h > s.start_h))
        fail_at(r.has("end_h") ? r.require("end_h") : node, "the summary window needs end_h > start_h");
    s.baseline_h = require_non_negative(r.has("baseline_h") ? r.require("baseline_h") : r.require("start_h"),
                                        r.number_or("baseline_h", s.start_h));
    if (r.has("sample_times_h")) s.sample_times_h = r.numbers("sample_times_h");
    return s;
}

NoiseTerm read_noise_term(const ConfigNode& node, std::vector<std::pair<std::string, const ConfigNode*>>& refs) {
    NoiseTerm term;
    const std::string& text = as_text(node);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) {
        term.value = require_non_negative(node, value);
    } else {
        term.parameter = -2;  // resolved once the parameter table is read
        term.parameter_id = text;
        refs.emplace_back(text, &node);
    }
    return term;
}

Observable read_observable(const std::string& id, const ConfigNode& node, const Model& model,
                           std::vector<std::pair<std::string, const ConfigNode*>>& refs) {
    MapReader r(node, {"output", "summary", "transformation", "error"});
    Observable o;
    o.id = id;
    o.where = node.where();
    o.output = r.text("output");
    model.require_output(o.output, r.require("output").where());
    if (r.has("summary")) o.summary = read_summary(r.require("summary"), id, o.output);
    if (r.has("transformation"))
        o.transformation = choose<Transformation>(
            r.require("transformation"),
            {{"lin", Transformation::lin}, {"log", Transformation::log}, {"log10", Transformation::log10}});
    if (r.has("error")) {
        MapReader e(r.require("error"), {"model", "additive", "proportional"});
        o.error = choose<ErrorModel>(e.require("model"), {{"additive", ErrorModel::additive},
                                                           {"proportional", ErrorModel::proportional},
                                                           {"combined", ErrorModel::combined}});
        const bool needs_a = o.error != ErrorModel::proportional, needs_b = o.error != ErrorModel::additive;
        if (needs_a) o.additive = read_noise_term(e.require("additive"), refs);
        else if (e.has("additive")) fail_at(e.require("additive"), "a proportional error model has no additive term");
        if (needs_b) o.proportional = read_noise_term(e.require("proportional"), refs);
        else if (e.has("proportional")) fail_at(e.require("proportional"), "an additive error model has no proportional term");
    } else {
        o.additive.value = -1.0;  // no error model: every data row must give its sd
    }
    return o;
}

CovariateDistribution read_covariate(const ConfigNode& node) {
    MapReader r(node, {"name", "distribution", "value", "mean", "sd", "median", "sd_log", "low", "high", "lower",
                       "upper"});
    CovariateDistribution d;
    d.name = r.text("name");
    d.kind = choose<CovariateDistribution::Kind>(r.require("distribution"),
                                                 {{"fixed", CovariateDistribution::Kind::fixed},
                                                  {"normal", CovariateDistribution::Kind::normal},
                                                  {"lognormal", CovariateDistribution::Kind::lognormal},
                                                  {"uniform", CovariateDistribution::Kind::uniform}});
    switch (d.kind) {
        case CovariateDistribution::Kind::fixed: d.a = r.number("value"); break;
        case CovariateDistribution::Kind::normal: d.a = r.number("mean"), d.b = r.number("sd"); break;
        case CovariateDistribution::Kind::lognormal: d.a = r.number("median"), d.b = r.number("sd_log"); break;
        case CovariateDistribution::Kind::uniform: d.a = r.number("low"), d.b = r.number("high"); break;
    }
    d.lower = r.number_or("lower", d.lower);
    d.upper = r.number_or("upper", d.upper);
    return d;
}

CohortSpec read_cohort(const ConfigNode& node, const Model& model) {
    MapReader r(node, {"size", "seed", "variability", "covariates", "covariate_correlation", "vpop"});
    CohortSpec c;
    if (r.has("vpop")) c.listed = read_listed_values(resolve_relative(node.file, r.text("vpop")), model);
    // with a VPop, the size defaults to its rows; without one it is required (require() names the missing key)
    const long size = r.has("vpop") && !r.has("size") ? c.listed.rows() : as_integer(r.require("size"));
    if (size < 1 || size > 100000) fail_at(r.require("size"), "expected a cohort size from 1 to 100000");
    c.size = static_cast<int>(size);
    if (auto seed = r.optional_integer("seed")) {
        if (*seed < 0) fail_at(r.require("seed"), "expected a seed >= 0");
        c.seed = static_cast<std::uint64_t>(*seed);
    }
    if (r.has("variability")) {
        MapReader v(r.require("variability"), {"parameters", "omega"});
        c.variability.parameters = v.texts("parameters");
        c.variability.omega = v.numbers("omega");
        const std::size_t n = c.variability.parameters.size();
        if (c.variability.omega.size() != n * n)
            fail_at(v.require("omega"), "omega needs " + std::to_string(n * n) + " numbers (" + std::to_string(n) +
                                            " x " + std::to_string(n) + ", row-major)");
    }
    if (r.has("covariates")) {
        expect_kind(r.require("covariates"), ConfigNode::Kind::sequence);
        for (const auto& item : r.require("covariates").items) c.covariates.push_back(read_covariate(item));
    }
    if (r.has("covariate_correlation")) {  // as in cohort files (sim/studies/population.hpp)
        MapReader k(r.require("covariate_correlation"), {"covariates", "r"});
        c.covariate_correlation = {k.texts("covariates"), k.number("r")};
    }
    try {
        validate_cohort(c, model);
    } catch (const InputError& e) {
        fail_at(node, e.what());
    }
    return c;
}

// A VPop's row sets its values last (patient_problem), so it would silently undo a fitted parameter's value.
void check_listed_against_fit(const ConfigNode& node, FitSpec& spec, const Model& model) {
    for (const auto& name : spec.cohort->listed.names) {
        for (const auto& p : spec.parameters)
            if (p.id == name)
                fail_at(node, "'" + name + "' is a fit parameter and a column of the VPop file " + spec.cohort->listed.file +
                                  ", which sets it per patient; drop one of them");
        if (model.parameter_index(name) < 0)  // a covariate's placeholder; each row replaces it
            for (auto& s : spec.scenarios) s.scenario.patient.emplace(name, 1.0);
    }
}

FitOptions read_options(const ConfigNode& node) {
    MapReader r(node, {"starts", "seed", "threads", "max_iterations", "objective_tolerance", "step_tolerance",
                       "gradient_tolerance", "differences", "difference_step"});
    FitOptions o;
    auto integer_in = [&r](const std::string& key, long low, long high, long fallback) {
        const auto value = r.optional_integer(key);
        if (value && (*value < low || *value > high))
            fail_at(r.require(key), "expected " + key + " from " + std::to_string(low) + " to " + std::to_string(high));
        return value.value_or(fallback);
    };
    o.starts = static_cast<int>(integer_in("starts", 1, 100000, 1));
    o.seed = static_cast<std::uint64_t>(integer_in("seed", 0, 1L << 62, 1));
    o.threads = static_cast<int>(integer_in("threads", 0, 1024, 0));
    o.lm.max_iterations = static_cast<int>(integer_in("max_iterations", 1, 1000000, o.lm.max_iterations));
    for (auto [key, slot] : {std::pair<const char*, double*>{"objective_tolerance", &o.lm.objective_tolerance},
                             {"step_tolerance", &o.lm.step_tolerance},
                             {"gradient_tolerance", &o.lm.gradient_tolerance},
                             {"difference_step", &o.lm.difference_step}})
        if (r.has(key)) *slot = require_positive(r.require(key), r.number(key));
    if (r.has("differences"))
        o.lm.differences = choose<Differences>(r.require("differences"),
                                               {{"central", Differences::central}, {"forward", Differences::forward}});
    return o;
}

}  // namespace

FitSpec read_fit_node(const ConfigNode& root, const ModelRegistry& models) {
    MapReader r(root, {"description", "scenarios", "parameters", "observables", "data", "cohort", "optimizer",
                       "start"});
    FitSpec spec;
    spec.path = root.file;
    spec.description = r.optional_text("description").value_or("");

    const ConfigNode& scenarios = r.require("scenarios");
    expect_kind(scenarios, ConfigNode::Kind::map);
    if (scenarios.entries.empty()) fail_at(scenarios, "expected at least one scenario (id: path)");
    for (const auto& [id, value] : scenarios.entries) {
        FitScenario s;
        s.id = id;
        s.scenario = read_scenario(resolve_relative(root.file, as_text(value)));
        if (!spec.scenarios.empty() && s.scenario.model != spec.scenarios.front().scenario.model)
            fail_at(value, "all scenarios of a fit must use one model; this one uses '" + s.scenario.model +
                               "', the first '" + spec.scenarios.front().scenario.model + "'");
        spec.scenarios.push_back(std::move(s));
    }
    const std::unique_ptr<Model> model = models.create(spec.scenarios.front().scenario.model);

    std::vector<std::pair<std::string, const ConfigNode*>> noise_refs;
    const ConfigNode& observables = r.require("observables");
    expect_kind(observables, ConfigNode::Kind::map);
    for (const auto& [id, value] : observables.entries)
        spec.observables.push_back(read_observable(id, value, *model, noise_refs));

    const ConfigNode& parameters = r.require("parameters");
    expect_kind(parameters, ConfigNode::Kind::sequence);
    std::vector<std::string> ids, noise_names;
    for (const auto& ref : noise_refs) noise_names.push_back(ref.first);
    for (const auto& item : parameters.items) {
        FitParameter p = read_parameter(item, *model, noise_names);
        if (std::find(ids.begin(), ids.end(), p.id) != ids.end()) fail_at(item, "parameter '" + p.id + "' listed twice");
        ids.push_back(p.id);
        spec.parameters.push_back(p);
    }
    for (auto& o : spec.observables)
        for (NoiseTerm* term : {&o.additive, &o.proportional}) {
            if (term->parameter != -2) continue;
            const auto found = std::find(ids.begin(), ids.end(), term->parameter_id);
            if (found == ids.end()) {
                const auto ref = std::find_if(noise_refs.begin(), noise_refs.end(),
                                              [&](const auto& x) { return x.first == term->parameter_id; });
                fail_at(*ref->second, "'" + term->parameter_id + "' is neither a number nor a parameter in 'parameters'" +
                                          did_you_mean(term->parameter_id, ids));
            }
            term->parameter = static_cast<int>(found - ids.begin());
        }
    if (std::none_of(spec.parameters.begin(), spec.parameters.end(), [](const FitParameter& p) { return p.estimate; }))
        fail_at(parameters, "no parameter has estimate: true; nothing to fit");

    std::vector<std::string> observable_ids;
    for (const auto& o : spec.observables) observable_ids.push_back(o.id);
    MapReader d(r.require("data"), {"time_courses", "summaries", "dataset", "time_unit", "covariate_direction"});
    if (d.has("dataset")) {
        if (d.has("time_courses") || d.has("summaries"))
            fail_at(d.node(), "give a dataset, or time_courses and/or summaries, not both");
        if (spec.scenarios.size() != 1)
            fail_at(scenarios, "with data.dataset give one scenario: the template each subject's doses go into");
        const double hours = d.has("time_unit") ? hours_per_time_unit(*d.optional_text("time_unit"), d.require("time_unit").where())
                                                : 1.0;
        const CovariateCarry carry =
            d.has("covariate_direction")
                ? covariate_carry_named(*d.optional_text("covariate_direction"), d.require("covariate_direction").where())
                : CovariateCarry::next_backward;
        add_dataset_subjects(spec, resolve_relative(root.file, *d.optional_text("dataset")), *model, hours, carry);
    } else if (d.has("time_unit") || d.has("covariate_direction")) {
        const char* key = d.has("time_unit") ? "time_unit" : "covariate_direction";
        fail_at(d.require(key), std::string(key) + " applies to a dataset (data.dataset)");
    } else if (!d.has("time_courses") && !d.has("summaries")) {
        fail_at(d.node(), "give time_courses and/or summaries (CSV files), or a NONMEM-format dataset");
    }
    for (const auto& [key, kind] : {std::pair<std::string, DataKind>{"time_courses", DataKind::time_course},
                                    {"summaries", DataKind::summary}}) {
        if (!d.has(key)) continue;
        for (const auto& file : d.texts(key)) {
            const std::string path = resolve_relative(root.file, file);
            spec.data_files.push_back(path);
            for (DataRow& row : read_data_table(path, kind, observable_ids)) {
                const Observable& o = spec.observables[std::find(observable_ids.begin(), observable_ids.end(),
                                                                 row.observable) - observable_ids.begin()];
                if (o.summary.has_value() != (kind == DataKind::summary))
                    throw InputError(row.where() + ": observable '" + o.id + "' is " +
                                     (o.summary ? "a summary; list its table under data.summaries"
                                                : "a time course; list its table under data.time_courses"));
                check_row(row, o);
                if (row.condition.empty()) {
                    if (spec.scenarios.size() > 1)
                        throw InputError(row.where() + ": simulationConditionId is needed when the fit has several scenarios");
                    row.condition = spec.scenarios.front().id;
                }
                std::vector<std::string> scenario_ids;
                for (const auto& s : spec.scenarios) scenario_ids.push_back(s.id);
                if (std::find(scenario_ids.begin(), scenario_ids.end(), row.condition) == scenario_ids.end())
                    throw InputError(row.where() + ": unknown simulationConditionId '" + row.condition + "'" +
                                     did_you_mean(row.condition, scenario_ids) + " (scenarios: " +
                                     join(scenario_ids, ", ") + ")");
                spec.data.push_back(row);
            }
        }
    }
    if (r.has("cohort")) {
        spec.cohort = read_cohort(r.require("cohort"), *model);
        check_listed_against_fit(r.require("cohort"), spec, *model);
    }
    if (r.has("optimizer")) spec.options = read_options(r.require("optimizer"));
    if (auto start = r.optional_text("start")) {
        spec.start_file = resolve_relative(root.file, *start);
        apply_start_file(spec, spec.start_file);
    }
    return spec;
}

FitSpec read_fit_file(const std::string& path, const ModelRegistry& models) {
    return read_fit_node(load_config_file(path), models);
}

std::vector<std::string> apply_start_file(FitSpec& spec, const std::string& path) {
    const ConfigNode root = load_config_file(path);
    std::map<std::string, double> values = read_parameter_file(path);
    if (const ConfigNode* noise = root.find("noise_parameters"))
        for (const auto& [name, value] : read_number_map(*noise)) values[name] = value;
    std::vector<std::string> ignored;
    for (const auto& [name, value] : values) {
        const std::string& id = name;  // structured bindings cannot be captured before C++20
        auto p = std::find_if(spec.parameters.begin(), spec.parameters.end(), [&](const FitParameter& x) { return x.id == id; });
        if (p == spec.parameters.end()) {
            ignored.push_back(name);
            continue;
        }
        if (value < p->lower || value > p->upper)
            throw InputError(path + ": start value " + std::to_string(value) + " of '" + name +
                             "' lies outside its bounds in " + spec.path);
        p->nominal = value;
    }
    return ignored;
}

}  // namespace mobsim
