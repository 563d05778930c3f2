// The VPop study file (paths relative to it; method in sim/studies/vpop.hpp and docs/vpop.md):
//   scenario: trial.yaml           # a scenario file or an inline scenario mapping (one arm), or instead:
//   arms:                          # every candidate simulated in every arm; a summary's column is QUANTITY@ARM
//     - {name: low, scenario: low_dose.yaml}
//     - {name: nm, scenario: template.yaml, dataset: doses.csv, id: 12, time_unit: h}   # a subject's doses
//   sampling: latin_hypercube      # or sobol (Joe & Kuo 2008 direction numbers, up to 20 varied values; unscrambled)
//   seed: 1                        # every draw depends only on (seed, candidate index)
//   plausible_size: 100000         # candidates drawn (Latin hypercube) and simulated
//   vpop_size: 1000                # patients selected
//   bootstrap: 500                 # resamples for the VPop statistics' intervals (0: none)
//   threads: 2
//   vary:                          # model parameters and covariates, distributions as in cohort files
//     CL: {distribution: lognormal, median: 5, sd_log: 0.4, lower: 0.5, upper: 50}
//     weight_kg: {distribution: uniform, low: 50, high: 110}
//   rank_correlations:             # optional, Gaussian copula between varied values
//     - {between: [CL, weight_kg], rho: 0.3}
//   quantities: [...]              # per-patient summaries of outputs (sim/studies/summary_reader.cpp)
//   constraints:                   # plausibility: a candidate outside any bound is not plausible
//     - {quantity: auc, lower: 1, upper: 1000}               # with arms: in every arm, or in `arm: low`
//   targets:                       # statistic: mean | sd | median | percentile | proportion | spearman | pearson
//     - {statistic: mean, quantity: auc, value: 20, sd: 6, n: 28}       # uncertainty: se, ci, sd + n, or n
//     - {statistic: mean, quantity: auc, arm: low, value: 10, se: 1}    # with arms, a summary's target names its arm
//     - {statistic: percentile, q: 90, quantity: auc, value: 35, se: 2}
//     - {statistic: proportion, quantity: auc, above: 30, value: 0.2, n: 50}
//     - {statistic: spearman, quantities: [CL, auc], sign: negative, p_value_at_most: 0.002, n: 28}
//   refine: {chains: 100, steps: 200, step_size: 0.3, thin: 5}   # optional Metropolis-Hastings refinement
//   output: {vpop: v.csv, report: r.csv, plausible: p.csv}
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <boost/math/distributions/students_t.hpp>

#include "sim/studies/cohort.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"
#include "sim/numerics/sobol.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

int bounded_integer(const MapReader& r, const std::string& key, long fallback, long low, long high) {
    const long value = r.optional_integer(key).value_or(fallback);
    if (value < low || value > high)
        fail_at(r.require(key), "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high));
    return static_cast<int>(value);
}

// The support of a varied value must lie inside the parameter's admissible range.
void check_support(const ConfigNode& node, const CovariateDistribution& d, const Model& model) {
    const int index = model.parameter_index(d.name);
    if (index < 0) return;
    const ParameterInfo& info = model.parameters()[static_cast<std::size_t>(index)];
    using Kind = CovariateDistribution::Kind;
    double low = d.lower, high = d.upper;
    if (d.kind == Kind::fixed) low = high = d.a;
    if (d.kind == Kind::uniform) low = std::max(low, d.a), high = std::min(high, d.b);
    if (d.kind == Kind::normal || d.kind == Kind::lognormal) {  // an open side reaches 8 SD (probability 1e-15)
        const double centre = d.kind == Kind::normal ? d.a : std::log(d.a);
        auto value = [&](double z) { return d.kind == Kind::normal ? centre + z * d.b : std::exp(centre + z * d.b); };
        low = std::max(low, value(-8.0));
        high = std::min(high, value(8.0));
    }
    if (low < info.lower || high > info.upper)
        fail_at(node, "'" + d.name + "' may be drawn outside its admissible range [" + format_number(info.lower) + ", " +
                          format_number(info.upper) + "] " + info.unit + "; truncate it with lower/upper");
}

void read_varied(const ConfigNode& list, VpopStudy& study, std::vector<Scenario>& scenarios, const Model& model) {
    expect_kind(list, ConfigNode::Kind::map);
    if (list.entries.empty()) fail_at(list, "expected at least one varied parameter or covariate");
    std::vector<std::string> names;
    for (const auto& p : model.parameters()) names.push_back(p.name);
    for (const auto& c : model.covariates()) names.push_back(c.name);
    names.push_back("weight_kg");
    for (const auto& [name, value] : list.entries) {
        if (std::find(names.begin(), names.end(), name) == names.end())
            fail_at(value, "model '" + model.name() + "' has no parameter or covariate '" + name + "'" +
                               did_you_mean(name, names));
        study.varied.push_back(read_distribution(name, value));
        check_support(value, study.varied.back(), model);
        if (model.parameter_index(name) < 0)
            for (auto& scenario : scenarios) scenario.patient.emplace(name, 1.0);  // placeholder; each draw replaces it
    }
}

void read_rank_correlations(const ConfigNode& list, VpopStudy& study) {
    expect_kind(list, ConfigNode::Kind::sequence);
    const std::size_t n = study.varied.size();
    study.rank_correlation.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) study.rank_correlation[i * n + i] = 1.0;
    std::vector<std::string> names;
    for (const auto& v : study.varied) names.push_back(v.name);
    for (const auto& item : list.items) {
        MapReader r(item, {"between", "rho"});
        const auto pair = r.texts("between");
        if (pair.size() != 2 || pair[0] == pair[1]) fail_at(r.require("between"), "expected two different varied names");
        std::size_t index[2];
        for (int k = 0; k < 2; ++k) {
            const auto it = std::find(names.begin(), names.end(), pair[k]);
            if (it == names.end())
                fail_at(r.require("between").items[k], "'" + pair[k] + "' is not varied" + did_you_mean(pair[k], names));
            index[k] = static_cast<std::size_t>(it - names.begin());
        }
        const double rho = r.number("rho");
        if (!(rho > -1.0 && rho < 1.0)) fail_at(r.require("rho"), "expected a correlation strictly between -1 and 1");
        // the normal copula's correlation that gives Spearman's rho (Kruskal 1958): r = 2 sin(pi rho / 6)
        const double r_normal = 2.0 * std::sin(3.14159265358979323846 * rho / 6.0);
        study.rank_correlation[index[0] * n + index[1]] = study.rank_correlation[index[1] * n + index[0]] = r_normal;
    }
    cholesky_lower(study.rank_correlation, n, list.where());
}

// A constraint on a summary without `arm` holds in every arm.
void read_constraints(const ConfigNode& list, VpopStudy& study) {
    expect_kind(list, ConfigNode::Kind::sequence);
    for (const auto& item : list.items) {
        MapReader r(item, {"quantity", "arm", "lower", "upper"});
        PlausibilityConstraint c;
        if (!r.has("lower") && !r.has("upper")) fail_at(item, "give lower, upper or both");
        c.lower = r.number_or("lower", c.lower);
        c.upper = r.number_or("upper", c.upper);
        if (c.lower > c.upper) fail_at(r.require("upper"), "expected lower <= upper");
        c.where = item.where();
        for (const auto& column : quantity_columns(study, r, r.require("quantity"), r.text("quantity"), true)) {
            c.quantity = column;
            study.constraints.push_back(c);
        }
    }
}

using Statistic = VpopTarget::Statistic;

bool is_correlation(Statistic s) { return s == Statistic::spearman || s == Statistic::pearson; }

// |rho| at which a two-sided t-test on n - 2 degrees of freedom gives p (as scipy.stats.spearmanr/pearsonr).
double critical_correlation(double p, int n) {
    const boost::math::students_t t_distribution(n - 2);
    const double t = boost::math::quantile(boost::math::complement(t_distribution, p / 2.0));
    return t / std::sqrt(static_cast<double>(n - 2) + t * t);
}

void read_published_value(const MapReader& r, VpopTarget& t) {
    const bool correlation = is_correlation(t.statistic);
    const int sign = r.has("sign") ? (r.text("sign") == "negative" ? -1 : r.text("sign") == "positive" ? 1 : 0) : 0;
    if (r.has("sign") && sign == 0) fail_at(r.require("sign"), "expected negative or positive");
    const int given = r.has("value") + r.has("p_value") + r.has("p_value_at_most") + r.has("at_least") + r.has("at_most");
    if (given == 0) fail_at(r.node(), "give the published value (value, or for a correlation p_value / p_value_at_most)");
    if (r.has("value") && given > 1) fail_at(r.require("value"), "give value alone, or a bound (at_least/at_most)");
    if (r.has("p_value") || r.has("p_value_at_most")) {
        const std::string key = r.has("p_value") ? "p_value" : "p_value_at_most";
        if (!correlation) fail_at(r.require(key), key + " applies to correlations only");
        if (sign == 0) fail_at(r.node(), key + " needs sign: negative or positive");
        if (!r.has("n")) fail_at(r.node(), key + " needs n, the number of patients it was computed on");
        const double p = r.number(key);
        if (!(p > 0.0 && p < 1.0)) fail_at(r.require(key), "expected a p-value strictly between 0 and 1");
        const double rho = sign * critical_correlation(p, static_cast<int>(*r.optional_integer("n")));
        if (key == "p_value") t.value = rho;
        else if (sign < 0) t.at_most = rho;
        else t.at_least = rho;
        return;
    }
    if (r.has("value")) t.value = r.number("value");
    t.at_least = r.number_or("at_least", t.at_least);
    t.at_most = r.number_or("at_most", t.at_most);
    if (t.at_least > t.at_most) fail_at(r.require("at_most"), "expected at_least <= at_most");
    for (const char* key : {"value", "at_least", "at_most"}) {
        if (!r.has(key)) continue;
        const double v = r.number(key);
        if (t.statistic == Statistic::proportion && (v < 0.0 || v > 1.0))
            fail_at(r.require(key), "a proportion lies in [0, 1] (give 36% as 0.36)");
        if (correlation && (v < -1.0 || v > 1.0)) fail_at(r.require(key), "a correlation lies in [-1, 1]");
        if (t.statistic == Statistic::sd && v < 0.0) fail_at(r.require(key), "a standard deviation is >= 0");
    }
}

void read_uncertainty(const MapReader& r, VpopTarget& t) {
    const bool correlation = is_correlation(t.statistic);
    const int n = r.has("n") ? static_cast<int>(*r.optional_integer("n")) : 0;
    if (r.has("n") && (n < (correlation ? 4 : 1) || n > 100000000))
        fail_at(r.require("n"), correlation ? "a correlation's n must be at least 4" : "expected n >= 1");
    const double centre = t.value ? *t.value : std::clamp(0.0, t.at_least, t.at_most);
    if (r.has("se")) {
        t.uncertainty = require_positive(r.require("se"), r.number("se"));
        t.uncertainty_source = "se";
    } else if (r.has("ci")) {
        const auto ci = r.numbers("ci");
        if (ci.size() != 2 || !(ci[0] < ci[1])) fail_at(r.require("ci"), "expected a 95% interval [lower, upper] with lower < upper");
        if (correlation && (ci[0] <= -1.0 || ci[1] >= 1.0)) fail_at(r.require("ci"), "a correlation's interval lies in (-1, 1)");
        t.uncertainty = correlation ? (std::atanh(ci[1]) - std::atanh(ci[0])) / 3.92 : (ci[1] - ci[0]) / 3.92;
        t.uncertainty_source = "95% CI";
    } else if (t.statistic == Statistic::mean && r.has("sd") && n > 0) {
        t.uncertainty = require_positive(r.require("sd"), r.number("sd")) / std::sqrt(double(n));
        t.uncertainty_source = "sd/sqrt(n)";
    } else if (correlation && n > 0) {
        t.uncertainty = 1.0 / std::sqrt(double(n - 3));
        t.uncertainty_source = "Fisher z at n";
    } else if (t.statistic == Statistic::proportion && n > 0) {
        const double p = std::clamp(centre, 0.5 / n, 1.0 - 0.5 / n);
        t.uncertainty = std::sqrt(p * (1.0 - p) / n);
        t.uncertainty_source = "binomial n";
    } else if (t.statistic == Statistic::sd && n > 1) {
        t.uncertainty = std::max(centre, 1e-12) / std::sqrt(2.0 * (n - 1));
        t.uncertainty_source = "sd/sqrt(2(n-1))";
    } else {
        fail_at(r.node(), "give the published uncertainty: se, ci, or n (with sd for a mean)");
    }
    if (r.has("sd") && t.uncertainty_source != "sd/sqrt(n)") fail_at(r.require("sd"), "sd (with n) applies to a mean");
}

VpopTarget read_target(const ConfigNode& node, const VpopStudy& study) {
    MapReader r(node, {"name", "statistic", "quantity", "quantities", "arm", "q", "above", "below", "value", "p_value",
                       "p_value_at_most", "sign", "at_least", "at_most", "se", "ci", "sd", "n"});
    VpopTarget t;
    t.where = node.where();
    const std::vector<std::string> kinds = {"mean", "sd", "median", "percentile", "proportion", "spearman", "pearson"};
    const std::string kind = r.text("statistic");
    const auto it = std::find(kinds.begin(), kinds.end(), kind);
    if (it == kinds.end())
        fail_at(r.require("statistic"), "unknown statistic '" + kind + "'" + did_you_mean(kind, kinds) + " (expected " +
                                            join(kinds, ", ") + ")");
    t.statistic = static_cast<Statistic>(it - kinds.begin());
    const bool correlation = is_correlation(t.statistic);
    const std::string quantity_key = correlation ? "quantities" : "quantity";
    if (r.has(correlation ? "quantity" : "quantities"))
        fail_at(r.require(correlation ? "quantity" : "quantities"),
                "a " + kind + " target names its " + (correlation ? "two quantities with 'quantities'" : "quantity with 'quantity'"));
    t.quantities = correlation ? r.texts("quantities") : std::vector<std::string>{r.text("quantity")};
    if (correlation && (t.quantities.size() != 2 || t.quantities[0] == t.quantities[1]))
        fail_at(r.require("quantities"), "expected two different quantities");
    for (std::size_t k = 0; k < t.quantities.size(); ++k)
        t.quantities[k] = quantity_columns(study, r, correlation ? r.require(quantity_key).items[k] : r.require(quantity_key),
                                           t.quantities[k], false).front();
    if (r.has("q") != (t.statistic == Statistic::percentile)) fail_at(node, "q (0-100) goes with statistic percentile");
    if (t.statistic == Statistic::median) t.q = 50.0;
    if (r.has("q")) {
        t.q = r.number("q");
        if (!(t.q > 0.0 && t.q < 100.0)) fail_at(r.require("q"), "expected a percentile strictly between 0 and 100");
    }
    if ((r.has("above") || r.has("below")) != (t.statistic == Statistic::proportion) || (r.has("above") && r.has("below")))
        fail_at(node, "a proportion target needs exactly one threshold, above or below (and only it does)");
    if (r.has("above") || r.has("below")) {
        t.above = r.has("above");
        t.threshold = r.number(t.above ? "above" : "below");
    }
    read_published_value(r, t);
    read_uncertainty(r, t);
    t.name = r.optional_text("name").value_or(kind + (t.statistic == Statistic::percentile ? format_number(t.q) : "") + "_" +
                                              join(t.quantities, "_"));
    return t;
}

// The VPop file's columns must stay unambiguous for cohort files that read it.
void check_quantity_names(const ConfigNode& list, const std::vector<SummarySpec>& summaries, const Model& model) {
    for (std::size_t k = 0; k < summaries.size(); ++k) {
        const std::string& name = summaries[k].name;
        const bool covariate = std::any_of(model.covariates().begin(), model.covariates().end(),
                                           [&](const auto& c) { return c.name == name; });
        if (model.parameter_index(name) >= 0 || covariate || name == "weight_kg")
            fail_at(list.items[k], "'" + name + "' names a model parameter or covariate; rename the quantity");
        if (name.find('@') != std::string::npos) fail_at(list.items[k], "'@' is kept for QUANTITY@ARM; rename the quantity");
    }
}

void read_sampling(const ConfigNode& node, VpopStudy& study) {
    const std::string text = as_text(node);
    const std::vector<std::string> kinds = {"latin_hypercube", "sobol"};
    if (text == "sobol") study.sampling = VpopStudy::Sampling::sobol;
    else if (text != "latin_hypercube")
        fail_at(node, "unknown sampling '" + text + "'" + did_you_mean(text, kinds) + " (expected latin_hypercube or sobol)");
    if (study.sampling == VpopStudy::Sampling::sobol && study.varied.size() > kSobolMaxDimensions)
        fail_at(node, "sobol sampling supports up to " + std::to_string(kSobolMaxDimensions) + " varied values (" +
                          std::to_string(study.varied.size()) + " given); use latin_hypercube");
}

}  // namespace

std::string PlausibilityConstraint::describe() const {
    if (upper >= 1e300) return quantity + " >= " + format_number(lower);
    if (lower <= -1e300) return quantity + " <= " + format_number(upper);
    return format_number(lower) + " <= " + quantity + " <= " + format_number(upper);
}

std::vector<std::string> VpopStudy::quantity_names() const {
    std::vector<std::string> names;
    for (const auto& v : varied) names.push_back(v.name);
    for (const auto& arm : arms)
        for (const auto& s : summaries) names.push_back(arm_column(s.name, arm.name));
    return names;
}

VpopStudy read_vpop_study(const std::string& path, const ModelRegistry& models) {
    const ConfigNode root = load_config_file(path);
    MapReader r(root, {"description", "scenario", "arms", "sampling", "seed", "plausible_size", "vpop_size", "bootstrap", "threads",
                       "vary", "rank_correlations", "quantities", "constraints", "targets", "output", "refine"});
    VpopStudy study;
    study.file = path;
    if (r.has("scenario") == r.has("arms")) fail_at(root, "give either scenario (one arm) or arms (a list of named arms)");
    std::vector<Scenario> scenarios = read_arm_scenarios(r, study);
    const long seed = r.optional_integer("seed").value_or(1);
    if (seed < 0) fail_at(r.require("seed"), "expected a seed >= 0");
    study.seed = static_cast<std::uint64_t>(seed);
    study.plausible_size = bounded_integer(r, "plausible_size", 10000, 10, 10000000);
    study.vpop_size = bounded_integer(r, "vpop_size", 1000, 3, 10000000);
    study.bootstrap = bounded_integer(r, "bootstrap", 500, 0, 100000);
    study.threads = bounded_integer(r, "threads", 0, 0, 1024);
    if (study.vpop_size > study.plausible_size)
        fail_at(r.require("vpop_size"), "the VPop cannot be larger than the plausible_size candidates");

    std::shared_ptr<const Model> model = models.create(scenarios.front().model);
    read_varied(r.require("vary"), study, scenarios, *model);
    if (r.has("rank_correlations")) read_rank_correlations(r.require("rank_correlations"), study);
    if (r.has("sampling")) read_sampling(r.require("sampling"), study);
    build_arm_problems(r, study, scenarios, model);
    if (r.has("quantities")) check_quantity_names(r.require("quantities"), study.summaries, *model);
    study.constraints_where = r.has("constraints") ? r.require("constraints").where() : root.where();
    if (r.has("constraints")) read_constraints(r.require("constraints"), study);
    const ConfigNode& targets = r.require("targets");
    expect_kind(targets, ConfigNode::Kind::sequence);
    if (targets.items.empty()) fail_at(targets, "expected at least one target");
    for (const auto& item : targets.items) {
        study.targets.push_back(read_target(item, study));
        for (std::size_t k = 0; k + 1 < study.targets.size(); ++k)
            if (study.targets[k].name == study.targets.back().name)
                fail_at(item, "target name '" + study.targets.back().name + "' is used twice; give each a name");
    }
    if (r.has("refine")) {
        const MapReader m(r.require("refine"), {"chains", "steps", "step_size", "thin"});
        study.refine_chains = bounded_integer(m, "chains", 100, 1, 1000000);
        study.refine_steps = bounded_integer(m, "steps", 200, 1, 1000000);
        study.refine_thin = bounded_integer(m, "thin", 5, 1, study.refine_steps);
        if (m.has("step_size")) study.refine_step_size = require_positive(m.require("step_size"), m.number("step_size"));
        if (double(study.refine_chains) * (study.refine_steps / study.refine_thin) > 1e7)
            fail_at(r.require("refine"), "the chains would add more than 1e7 patients; use fewer chains or steps, or thin more");
    }
    if (r.has("output"))
        read_file_names(r.require("output"), path, {{"vpop", &study.vpop_file}, {"report", &study.report_file},
                                                    {"plausible", &study.plausible_file}});
    return study;
}

}  // namespace mobsim
