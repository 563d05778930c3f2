// Prevalence weights by minimum-divergence tilting, prevalence-based selection of the VPop, and the
// report's statistics (bootstrap intervals, z-scores, chi-square).
#include <algorithm>
#include <cmath>
#include <sstream>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include "sim/base/errors.hpp"
#include "sim/numerics/optimizer.hpp"
#include "sim/numerics/random_stream.hpp"
#include "sim/numerics/statistics.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

using Statistic = VpopTarget::Statistic;

// Stream numbers of RandomStream(seed, index, stream), apart from the hypercube's generator.
constexpr std::uint64_t kSelectionStream = 101, kBootstrapStream = 102;
constexpr double kRidge = 1e-4;        // on lambda: keeps the tilt finite when a target cannot be reached
constexpr double kLambdaBound = 20.0;  // on standardized features
// The weights' effective size should stay above kEssFactor x the VPop size, else selection repeats a few regions
// (saturates); a shortfall by a factor e costs kEssPenalty^2 in chi-square.
constexpr double kEssFactor = 2.0, kEssPenalty = 3.0;

double effective_size(const std::vector<double>& w) {
    double sum = 0.0, sum_sq = 0.0;
    for (double v : w) sum += v, sum_sq += v * v;
    return sum * sum / sum_sq;
}

std::vector<double> standardized(std::vector<double> v) {
    double mean = 0.0, ss = 0.0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) ss += (x - mean) * (x - mean);
    const double sd = std::sqrt(ss / static_cast<double>(v.size()));
    for (double& x : v) x = sd > 0.0 ? (x - mean) / sd : 0.0;
    return v;
}

// Positive quantities are tilted on the log scale, where their spread is closer to normal.
std::vector<double> shape_scale(const std::vector<double>& x) {
    const bool positive = std::all_of(x.begin(), x.end(), [](double v) { return v > 0.0; });
    std::vector<double> h = x;
    if (positive)
        for (double& v : h) v = std::log(v);
    return standardized(h);
}

std::vector<double> normal_scores(const std::vector<double>& x) {
    const std::vector<double> ranks = average_ranks(x);
    const boost::math::normal normal;
    std::vector<double> s(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        s[i] = boost::math::quantile(normal, (ranks[i] - 0.5) / static_cast<double>(x.size()));
    return s;
}

// The features g_k whose exponential tilt can move each target's statistic.
std::vector<std::vector<double>> tilt_features(const VpopTarget& t, const TargetColumns& c) {
    switch (t.statistic) {
        case Statistic::mean: return {shape_scale(c.x)};
        case Statistic::sd:
        case Statistic::median:
        case Statistic::percentile: {
            const auto h = shape_scale(c.x);
            std::vector<double> h2(h.size());
            for (std::size_t i = 0; i < h.size(); ++i) h2[i] = h[i] * h[i];
            return {h, standardized(h2)};
        }
        case Statistic::proportion: {
            std::vector<double> g(c.x.size());
            for (std::size_t i = 0; i < g.size(); ++i) g[i] = (t.above ? c.x[i] > t.threshold : c.x[i] < t.threshold);
            return {standardized(g)};
        }
        case Statistic::spearman:
        case Statistic::pearson: {
            const auto a = t.statistic == Statistic::spearman ? normal_scores(c.x) : standardized(c.x);
            const auto b = t.statistic == Statistic::spearman ? normal_scores(c.y) : standardized(c.y);
            std::vector<double> g(a.size());
            for (std::size_t i = 0; i < g.size(); ++i) g[i] = a[i] * b[i];
            return {standardized(g), a, b};
        }
    }
    return {};
}

std::vector<double> tilt_weights(const std::vector<std::vector<double>>& features, const std::vector<double>& lambda) {
    const std::size_t n = features.front().size();
    std::vector<double> log_w(n, 0.0);
    for (std::size_t k = 0; k < features.size(); ++k)
        for (std::size_t i = 0; i < n; ++i) log_w[i] += lambda[k] * features[k][i];
    const double top = *std::max_element(log_w.begin(), log_w.end());
    double sum = 0.0;
    for (double& v : log_w) sum += (v = std::exp(v - top));
    for (double& v : log_w) v *= static_cast<double>(n) / sum;  // mean 1
    return log_w;
}

std::vector<double> fit_weights(const VpopStudy& study, const std::vector<TargetColumns>& columns, VpopResult& r) {
    std::vector<std::vector<double>> features;
    for (std::size_t k = 0; k < study.targets.size(); ++k)
        for (auto& g : tilt_features(study.targets[k], columns[k])) features.push_back(std::move(g));
    const std::size_t m = features.size();
    const ResidualFunction residuals = [&](const std::vector<double>& lambda, std::vector<double>& out) {
        const auto w = tilt_weights(features, lambda);
        out.clear();
        for (std::size_t k = 0; k < study.targets.size(); ++k)
            out.push_back(target_z(study.targets[k], target_statistic(study.targets[k], columns[k], w)));
        for (double l : lambda) out.push_back(std::sqrt(kRidge) * l);
        const double wanted = std::min(kEssFactor * study.vpop_size, 0.5 * static_cast<double>(w.size()));
        out.push_back(kEssPenalty * std::max(0.0, std::log(wanted / effective_size(w))));
        return true;
    };
    LmSettings settings;
    settings.max_iterations = 100;
    settings.differences = Differences::forward;
    settings.difference_step = 1e-4;
    const LmResult fit = levenberg_marquardt(residuals, std::vector<double>(m, 0.0), std::vector<double>(m, -kLambdaBound),
                                             std::vector<double>(m, kLambdaBound), settings);
    r.lambda = fit.x;
    return tilt_weights(features, fit.x);
}

// The VPop: the vpop_size plausible patients with the smallest u_i / w_i, i.e. u_i < c w_i for the c that
// admits exactly that many (Allen et al. 2016's acceptance test with its scale fixed by the requested size).
void select(const VpopStudy& study, VpopResult& r) {
    const std::size_t n = r.plausible_rows.size();
    std::vector<std::pair<double, std::size_t>> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        RandomStream rng(study.seed, static_cast<std::uint64_t>(r.plausible_rows[i]), kSelectionStream);
        keys[i] = {rng.uniform() / r.weights[i], i};
    }
    const auto size = static_cast<std::size_t>(study.vpop_size);
    std::nth_element(keys.begin(), keys.begin() + long(size) - 1, keys.end());
    r.scale = keys[size - 1].first;
    r.selected.clear();
    r.saturated = 0;
    for (std::size_t k = 0; k < size; ++k) {
        r.selected.push_back(r.plausible_rows[keys[k].second]);
        if (r.scale * r.weights[keys[k].second] >= 1.0) ++r.saturated;
    }
    std::sort(r.selected.begin(), r.selected.end());
}

std::vector<std::vector<double>> columns_of(const PlausiblePopulation& pop, const VpopTarget& t, const std::vector<int>& rows) {
    std::vector<std::vector<double>> out;
    for (const auto& q : t.quantities) out.push_back(pop.column(q, rows));
    return out;
}

void report_statistics(const VpopStudy& study, const std::vector<TargetColumns>& plausible, VpopResult& r) {
    const std::size_t n = r.selected.size();
    std::vector<TargetColumns> vpop;
    for (const auto& t : study.targets) vpop.push_back(target_columns(t, columns_of(r.population, t, r.selected)));
    std::vector<std::vector<double>> boot(study.targets.size());
    std::vector<int> resample(n);
    for (int b = 0; b < study.bootstrap; ++b) {
        RandomStream rng(study.seed, static_cast<std::uint64_t>(b), kBootstrapStream);
        for (int& i : resample) i = static_cast<int>(std::min<double>(double(n) - 1, rng.uniform() * double(n)));
        for (std::size_t k = 0; k < study.targets.size(); ++k) {
            std::vector<std::vector<double>> cols(study.targets[k].quantities.size());
            for (int i : resample) {
                cols[0].push_back(vpop[k].x[static_cast<std::size_t>(i)]);
                if (cols.size() > 1) cols[1].push_back(vpop[k].y[static_cast<std::size_t>(i)]);
            }
            boot[k].push_back(target_statistic(study.targets[k], cols, {}));
        }
    }
    r.chi_square = 0.0;
    for (std::size_t k = 0; k < study.targets.size(); ++k) {
        const VpopTarget& t = study.targets[k];
        TargetFit f;
        f.name = t.name;
        f.published = t.value ? *t.value : std::abs(t.at_least) < 1e299 ? t.at_least : t.at_most;
        f.weighted = target_statistic(t, plausible[k], r.weights);
        f.vpop = target_statistic(t, vpop[k], {});
        std::vector<double>& sample = boot[k];
        sample.erase(std::remove_if(sample.begin(), sample.end(), [](double v) { return !std::isfinite(v); }), sample.end());
        std::sort(sample.begin(), sample.end());
        f.boot_low = percentile_of_sorted(sample, 2.5);
        f.boot_high = percentile_of_sorted(sample, 97.5);
        f.z = target_z(t, f.vpop);
        f.within = std::abs(f.z) <= 1.959963984540054;
        r.chi_square += f.z * f.z;
        r.fits.push_back(f);
    }
    const boost::math::chi_squared chi(static_cast<double>(study.targets.size()));
    r.chi_square_p = boost::math::cdf(boost::math::complement(chi, std::min(r.chi_square, 1e6)));
}

}  // namespace

VpopResult select_vpop(const VpopStudy& study, PlausiblePopulation population) {
    VpopResult r;
    r.population = std::move(population);
    r.plausible_rows = r.population.plausible_indices();
    if (r.plausible_rows.empty()) {
        std::ostringstream msg;
        msg << study.constraints_where << ": no plausible patient: of " << r.population.candidates << " candidates, ";
        for (std::size_t k = 0; k < study.constraints.size(); ++k)
            msg << r.population.rejected_by[k] << " failed " << study.constraints[k].describe() << " ("
                << study.constraints[k].where << "), ";
        msg << r.population.solver_failed << " failed to integrate; widen the constraints or the varied ranges";
        throw InputError(msg.str());
    }
    if (r.plausible_rows.size() < static_cast<std::size_t>(study.vpop_size))
        throw InputError(study.file + ": only " + std::to_string(r.plausible_rows.size()) + " of " +
                         std::to_string(r.population.candidates) + " candidates are plausible, fewer than vpop_size " +
                         std::to_string(study.vpop_size) + "; raise plausible_size or lower vpop_size");
    std::vector<TargetColumns> plausible;
    for (const auto& t : study.targets) plausible.push_back(target_columns(t, columns_of(r.population, t, r.plausible_rows)));
    r.weights = fit_weights(study, plausible, r);
    r.effective_size = effective_size(r.weights);
    select(study, r);
    report_statistics(study, plausible, r);
    return r;
}

}  // namespace mobsim
