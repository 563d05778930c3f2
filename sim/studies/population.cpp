#include "sim/studies/population.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/base/errors.hpp"
#include "sim/numerics/random_stream.hpp"
#include "sim/numerics/small_linear_algebra.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

// Stream numbers: 0 for the IIV draws, 1 + k for covariate k (adding a covariate leaves the others unchanged).
constexpr std::uint64_t kIivStream = 0;
constexpr int kMaxTruncationTries = 10000;
constexpr std::uint64_t kCommonFactorStream = 1u << 20;  // far above the covariate streams

bool is_correlated(const CohortSpec& spec, const std::string& name) {
    const auto& list = spec.covariate_correlation.covariates;
    return std::find(list.begin(), list.end(), name) != list.end();
}

void validate_correlation(const CohortSpec& spec) {
    const CovariateCorrelation& c = spec.covariate_correlation;
    if (c.covariates.empty()) return;
    if (!(c.r >= 0.0 && c.r < 1.0)) throw InputError("covariate_correlation: r must be in [0, 1)");
    for (const auto& name : c.covariates) {
        const auto d = std::find_if(spec.covariates.begin(), spec.covariates.end(),
                                    [&](const CovariateDistribution& x) { return x.name == name; });
        if (d == spec.covariates.end())
            throw InputError("covariate_correlation: '" + name + "' is not among the drawn covariates");
        using Kind = CovariateDistribution::Kind;
        if (d->kind != Kind::normal && d->kind != Kind::lognormal)
            throw InputError("covariate_correlation: '" + name + "' must be normal or lognormal");
        if (d->lower > -1e300 || d->upper < 1e300)
            throw InputError("covariate_correlation: '" + name + "' must not be truncated (a redraw would break "
                             "the correlation)");
    }
}

double from_standard_normal(const CovariateDistribution& d, double z) {
    return d.kind == CovariateDistribution::Kind::lognormal ? d.a * std::exp(d.b * z) : d.a + d.b * z;
}

std::vector<std::string> covariate_names(const Model& model) {
    std::vector<std::string> names;
    for (const auto& c : model.covariates()) names.push_back(c.name);
    if (std::find(names.begin(), names.end(), "weight_kg") == names.end()) names.push_back("weight_kg");
    return names;
}

void validate_distribution(const CovariateDistribution& d) {
    const std::string where = d.where.empty() ? "covariate '" + d.name + "'" : d.where;
    using Kind = CovariateDistribution::Kind;
    if (!std::isfinite(d.a) || !std::isfinite(d.b)) throw InputError(where + ": distribution values must be finite");
    if ((d.kind == Kind::normal || d.kind == Kind::lognormal) && !(d.b >= 0.0))
        throw InputError(where + ": the standard deviation must be >= 0");
    if (d.kind == Kind::lognormal && !(d.a > 0.0)) throw InputError(where + ": a log-normal median must be > 0");
    if (d.kind == Kind::uniform && !(d.b > d.a)) throw InputError(where + ": a uniform range needs high > low");
    if (!(d.lower < d.upper)) throw InputError(where + ": truncation needs lower < upper");
}

double draw_once(const CovariateDistribution& d, RandomStream& rng) {
    switch (d.kind) {
        case CovariateDistribution::Kind::fixed: return d.a;
        case CovariateDistribution::Kind::normal: return d.a + d.b * rng.normal();
        case CovariateDistribution::Kind::lognormal: return d.a * std::exp(d.b * rng.normal());
        case CovariateDistribution::Kind::uniform: return d.a + (d.b - d.a) * rng.uniform();
    }
    return d.a;
}

double draw_covariate(const CovariateDistribution& d, RandomStream& rng, int index) {
    for (int k = 0; k < kMaxTruncationTries; ++k) {
        const double value = draw_once(d, rng);
        if (value >= d.lower && value <= d.upper) return value;
    }
    std::ostringstream msg;
    msg << (d.where.empty() ? "covariate '" + d.name + "'" : d.where) << ": no draw for patient " << index << " fell inside the truncation ["
        << d.lower << ", " << d.upper << "] in " << kMaxTruncationTries
        << " tries; the bounds exclude almost all of the distribution";
    throw InputError(msg.str());
}

void validate_listed(const CohortSpec& spec, const Model& model) {
    const ListedValues& listed = spec.listed;
    if (listed.names.empty()) return;
    if (spec.size > listed.rows())
        throw InputError(listed.file + ": " + std::to_string(listed.rows()) + " patients listed, fewer than the cohort size " +
                         std::to_string(spec.size));
    const auto covariates = covariate_names(model);
    for (const auto& name : listed.names) {
        const bool drawn = std::find(spec.variability.parameters.begin(), spec.variability.parameters.end(), name) !=
                               spec.variability.parameters.end() ||
                           std::any_of(spec.covariates.begin(), spec.covariates.end(), [&](const auto& d) { return d.name == name; });
        if (drawn) throw InputError(listed.file + ": '" + name + "' is listed there and also drawn by the cohort file");
        if (model.parameter_index(name) < 0 && std::find(covariates.begin(), covariates.end(), name) == covariates.end())
            throw InputError(listed.file + ": model '" + model.name() + "' has no parameter or covariate '" + name + "'");
    }
}

}  // namespace

std::vector<double> cholesky_lower(const std::vector<double>& matrix, std::size_t n, const std::string& what) {
    if (matrix.size() != n * n)
        throw InputError(what + ": expected " + std::to_string(n * n) + " entries (" + std::to_string(n) + " x " +
                         std::to_string(n) + "), found " + std::to_string(matrix.size()));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) {
            const double a = matrix[i * n + j], b = matrix[j * n + i];
            if (!std::isfinite(a) || std::abs(a - b) > 1e-12 * std::max({1.0, std::abs(a), std::abs(b)}))
                throw InputError(what + ": the matrix is not symmetric (entries [" + std::to_string(i + 1) + "," +
                                 std::to_string(j + 1) + "] and [" + std::to_string(j + 1) + "," +
                                 std::to_string(i + 1) + "] differ)");
        }
    std::vector<double> l;
    const int row = cholesky_factor(matrix, static_cast<int>(n), l, 1e-14);
    if (row >= 0)
        throw InputError(what + ": the matrix is not positive definite (it fails at row " + std::to_string(row + 1) +
                         "; variances must be > 0 and correlations strictly between -1 and 1)");
    return l;
}

void validate_cohort(const CohortSpec& spec, const Model& model) {
    if (spec.size < 1) throw InputError("cohort size must be at least 1");
    const auto& params = spec.variability.parameters;
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (model.parameter_index(params[i]) < 0) {
            std::vector<std::string> names;
            for (const auto& p : model.parameters()) names.push_back(p.name);
            throw InputError("variability: model '" + model.name() + "' has no parameter '" + params[i] + "'" +
                             did_you_mean(params[i], names));
        }
        if (std::find(params.begin(), params.begin() + static_cast<long>(i), params[i]) != params.begin() + static_cast<long>(i))
            throw InputError("variability: parameter '" + params[i] + "' is listed twice");
    }
    cholesky_lower(spec.variability.omega, params.size(), "variability omega");
    validate_listed(spec, model);
    const auto allowed = covariate_names(model);
    for (std::size_t i = 0; i < spec.covariates.size(); ++i) {
        const auto& d = spec.covariates[i];
        if (std::find(allowed.begin(), allowed.end(), d.name) == allowed.end())
            throw InputError("covariates: model '" + model.name() + "' uses no covariate '" + d.name + "'" +
                             did_you_mean(d.name, allowed) + " (it uses: " + join(allowed, ", ") + ")");
        for (std::size_t k = 0; k < i; ++k)
            if (spec.covariates[k].name == d.name) throw InputError("covariates: '" + d.name + "' is listed twice");
        validate_distribution(d);
    }
    validate_correlation(spec);
}

VirtualPatient draw_patient(const CohortSpec& spec, int index) {
    VirtualPatient patient;
    patient.index = index;
    RandomStream iiv(spec.seed, static_cast<std::uint64_t>(index), kIivStream);
    patient.z.resize(spec.variability.parameters.size());
    for (double& z : patient.z) z = iiv.normal();
    const double r = spec.covariate_correlation.r;
    RandomStream common_stream(spec.seed, static_cast<std::uint64_t>(index), kCommonFactorStream);
    const double common = common_stream.normal();
    for (std::size_t k = 0; k < spec.covariates.size(); ++k) {
        RandomStream rng(spec.seed, static_cast<std::uint64_t>(index), kIivStream + 1 + k);
        const CovariateDistribution& d = spec.covariates[k];
        if (is_correlated(spec, d.name))
            patient.covariates.push_back(from_standard_normal(d, std::sqrt(r) * common + std::sqrt(1.0 - r) * rng.normal()));
        else
            patient.covariates.push_back(draw_covariate(d, rng, index));
    }
    return patient;
}

std::vector<VirtualPatient> draw_cohort(const CohortSpec& spec) {
    std::vector<VirtualPatient> out;
    out.reserve(static_cast<std::size_t>(std::max(spec.size, 0)));
    for (int i = 0; i < spec.size; ++i) out.push_back(draw_patient(spec, i));
    return out;
}

std::vector<double> etas(const VariabilitySpec& variability, const std::vector<double>& z) {
    const std::size_t n = variability.parameters.size();
    if (z.size() != n) throw InputError("etas: expected " + std::to_string(n) + " standard-normal draws");
    const std::vector<double> l = cholesky_lower(variability.omega, n, "variability omega");
    std::vector<double> eta(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k <= i; ++k) eta[i] += l[i * n + k] * z[k];
    return eta;
}

Problem patient_problem(const Problem& base, const CohortSpec& spec, const VirtualPatient& patient) {
    Problem p = base;
    const std::vector<double> eta = etas(spec.variability, patient.z);
    for (std::size_t i = 0; i < eta.size(); ++i) {
        const int index = p.model->parameter_index(spec.variability.parameters[i]);
        p.parameters[static_cast<std::size_t>(index)] *= std::exp(eta[i]);
    }
    const auto& model_covariates = p.model->covariates();
    for (std::size_t k = 0; k < spec.covariates.size(); ++k) {
        const std::string& name = spec.covariates[k].name;
        for (std::size_t c = 0; c < model_covariates.size(); ++c)
            if (model_covariates[c].name == name) set_covariate(p, c, patient.covariates[k]);
        if (name == "weight_kg") p.weight_kg = patient.covariates[k];
    }
    apply_listed_row(p, spec.listed, patient.index);
    return p;
}

void apply_listed_row(Problem& p, const ListedValues& listed, int row) {
    const auto& model_covariates = p.model->covariates();
    for (std::size_t k = 0; k < listed.names.size(); ++k) {
        const double value = listed.values[static_cast<std::size_t>(row) * listed.names.size() + k];
        const int index = p.model->parameter_index(listed.names[k]);
        if (index >= 0) p.parameters[static_cast<std::size_t>(index)] = value;
        for (std::size_t c = 0; c < model_covariates.size(); ++c)
            if (model_covariates[c].name == listed.names[k]) set_covariate(p, c, value);
        if (listed.names[k] == "weight_kg") p.weight_kg = value;
    }
}

}  // namespace mobsim
