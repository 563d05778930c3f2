// The plausible population: Latin hypercube draws through a Gaussian copula and each varied value's
// (truncated) inverse distribution function, simulated and screened by the plausibility constraints.
#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "sim/base/errors.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/optimizer.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/numerics/sobol.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

const boost::math::normal standard_normal;

double normal_cdf(double z) { return boost::math::cdf(standard_normal, std::clamp(z, -37.0, 37.0)); }
double normal_quantile(double u) { return boost::math::quantile(standard_normal, std::clamp(u, 1e-15, 1.0 - 1e-15)); }

// The value at probability u of distribution d restricted to [lower, upper] (inverse-CDF truncation, so one
// uniform gives one value and the hypercube's stratification survives).
double inverse_distribution(const CovariateDistribution& d, double u) {
    using Kind = CovariateDistribution::Kind;
    switch (d.kind) {
        case Kind::fixed: return d.a;
        case Kind::uniform: {
            const double low = std::max(d.a, d.lower), high = std::min(d.b, d.upper);
            return low + u * (high - low);
        }
        case Kind::normal:
        case Kind::lognormal: {
            const bool log_scale = d.kind == Kind::lognormal;
            const double centre = log_scale ? std::log(d.a) : d.a;
            if (d.b == 0.0) return d.a;
            auto scaled = [&](double bound) {
                if (log_scale) bound = bound > 0.0 ? std::log(bound) : -1e300;
                return std::clamp((bound - centre) / d.b, -40.0, 40.0);
            };
            const double f_low = normal_cdf(scaled(d.lower)), f_high = normal_cdf(scaled(d.upper));
            const double z = normal_quantile(f_low + u * (f_high - f_low));
            const double value = centre + d.b * z;
            return std::clamp(log_scale ? std::exp(value) : value, d.lower, d.upper);
        }
    }
    return d.a;
}

void apply_varied(Problem& p, const CovariateDistribution& d, double value) {
    const int index = p.model->parameter_index(d.name);
    if (index >= 0) {
        p.parameters[static_cast<std::size_t>(index)] = value;
        return;
    }
    const auto& covariates = p.model->covariates();
    for (std::size_t c = 0; c < covariates.size(); ++c)
        if (covariates[c].name == d.name) p.covariates[c] = value;
    if (d.name == "weight_kg") p.weight_kg = value;
}

}  // namespace

std::vector<int> PlausiblePopulation::plausible_indices() const {
    std::vector<int> rows;
    for (int i = 0; i < candidates; ++i)
        if (plausible[static_cast<std::size_t>(i)]) rows.push_back(i);
    return rows;
}

std::vector<double> PlausiblePopulation::column(const std::string& name, const std::vector<int>& rows) const {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw InputError("no per-patient quantity named '" + name + "'");
    const auto j = static_cast<std::size_t>(it - names.begin());
    std::vector<double> out;
    out.reserve(rows.size());
    for (int row : rows) out.push_back(values[static_cast<std::size_t>(row) * names.size() + j]);
    return out;
}

void varied_from_uniforms(const VpopStudy& study, const std::vector<double>& l, std::vector<double> u, double* varied) {
    const std::size_t d = study.varied.size();
    if (!l.empty()) {  // Gaussian copula: correlate the normal scores, map back to uniforms
        std::vector<double> z(d);
        for (std::size_t j = 0; j < d; ++j) z[j] = normal_quantile(u[j]);
        for (std::size_t j = d; j-- > 0;) {
            double sum = 0.0;
            for (std::size_t k = 0; k <= j; ++k) sum += l[j * d + k] * z[k];
            u[j] = normal_cdf(sum);
        }
    }
    for (std::size_t j = 0; j < d; ++j) varied[j] = inverse_distribution(study.varied[j], u[j]);
}

std::vector<double> copula_factor(const VpopStudy& study) {
    if (study.rank_correlation.empty()) return {};
    return cholesky_lower(study.rank_correlation, study.varied.size(), study.file + ": rank_correlations");
}

std::vector<std::vector<double>> candidate_uniforms(const VpopStudy& study) {
    const std::size_t d = study.varied.size();
    auto cube = study.sampling == VpopStudy::Sampling::sobol
                    ? sobol_points(study.plausible_size, static_cast<int>(d))
                    : latin_hypercube(study.plausible_size, std::vector<double>(d, 0.0), std::vector<double>(d, 1.0), study.seed);
    for (auto& point : cube)
        for (double& u : point) u = std::clamp(u, 1e-12, 1.0 - 1e-12);
    return cube;
}

std::vector<double> draw_candidates(const VpopStudy& study) {
    const std::size_t n = static_cast<std::size_t>(study.plausible_size), d = study.varied.size();
    const auto cube = candidate_uniforms(study);
    const std::vector<double> l = copula_factor(study);
    std::vector<double> values(n * d);
    for (std::size_t i = 0; i < n; ++i) varied_from_uniforms(study, l, cube[i], &values[i * d]);
    return values;
}

int screen_candidate(const VpopStudy& study, const std::vector<std::size_t>& constraint_columns, double* row) {
    const std::size_t d = study.varied.size(), n_summaries = study.summaries.size();
    const std::size_t width = d + study.arms.size() * n_summaries;
    for (std::size_t a = 0; a < study.arms.size(); ++a) {
        Problem p = study.arms[a].base;
        for (std::size_t j = 0; j < d; ++j) apply_varied(p, study.varied[j], row[j]);
        try {
            const Trajectory trajectory = simulate(p);
            for (std::size_t k = 0; k < n_summaries; ++k)
                row[d + a * n_summaries + k] = evaluate_summary(trajectory, study.summaries[k]);
        } catch (const SolverError&) {  // not plausible; counted, not fatal
            for (std::size_t k = d; k < width; ++k) row[k] = std::nan("");
            return kSolverFailed;
        }
    }
    for (std::size_t k = 0; k < study.constraints.size(); ++k) {
        const double v = row[constraint_columns[k]];
        if (!(v >= study.constraints[k].lower && v <= study.constraints[k].upper)) return static_cast<int>(k);
    }
    for (std::size_t k = d; k < width; ++k)
        if (!std::isfinite(row[k])) return kSolverFailed;
    return kPlausible;
}

std::vector<std::size_t> constraint_columns(const VpopStudy& study) {
    const auto names = study.quantity_names();
    std::vector<std::size_t> columns;
    for (const auto& c : study.constraints)
        columns.push_back(static_cast<std::size_t>(std::find(names.begin(), names.end(), c.quantity) - names.begin()));
    return columns;
}

PlausiblePopulation generate_plausible(const VpopStudy& study, int threads, const std::function<void(int)>& progress) {
    const std::vector<double> drawn = draw_candidates(study);
    PlausiblePopulation pop;
    pop.candidates = study.plausible_size;
    pop.names = study.quantity_names();
    const std::size_t d = study.varied.size(), width = pop.names.size(), n = static_cast<std::size_t>(pop.candidates);
    pop.values.assign(n * width, std::nan(""));
    std::vector<int> verdict(n, kPlausible);
    const std::vector<std::size_t> columns = constraint_columns(study);
    // Candidate i screened on MPI rank i mod ranks; every rank gets every row and verdict.
    distributed::for_each_across_ranks(pop.candidates, threads > 0 ? threads : default_thread_count(), [&](int index) {
        const auto i = static_cast<std::size_t>(index);
        double* row = &pop.values[i * width];
        std::copy(drawn.begin() + long(i * d), drawn.begin() + long((i + 1) * d), row);
        verdict[i] = screen_candidate(study, columns, row);
    }, [&](int index) {
        const auto i = static_cast<std::size_t>(index);
        std::string bytes;
        pack(bytes, verdict[i]);
        bytes.append(reinterpret_cast<const char*>(&pop.values[i * width]), width * sizeof(double));
        return bytes;
    }, [&](int index, const std::string& bytes) {
        const auto i = static_cast<std::size_t>(index);
        ByteReader in(bytes);
        in.read(verdict[i]);
        for (std::size_t k = 0; k < width; ++k) in.read(pop.values[i * width + k]);
    }, progress);
    pop.plausible.assign(n, 0);
    pop.rejected_by.assign(study.constraints.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (verdict[i] == kPlausible) pop.plausible[i] = 1;
        else if (verdict[i] == kSolverFailed) ++pop.solver_failed;
        else ++pop.rejected_by[static_cast<std::size_t>(verdict[i])];
    }
    return pop;
}

}  // namespace mobsim
