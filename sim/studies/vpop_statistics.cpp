// Target statistics of per-patient columns, with or without weights, and their z-scores against the
// published values. With equal weights they are the usual sample statistics (percentiles: type 7 as numpy;
// Spearman: average ranks for ties).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/numerics/statistics.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

using Statistic = VpopTarget::Statistic;

double total(const std::vector<double>& w, std::size_t n) {
    return w.empty() ? static_cast<double>(n) : std::accumulate(w.begin(), w.end(), 0.0);
}
double weight(const std::vector<double>& w, std::size_t i) { return w.empty() ? 1.0 : w[i]; }

double weighted_mean(const std::vector<double>& x, const std::vector<double>& w) {
    double sum = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += weight(w, i) * x[i];
    return sum / total(w, x.size());
}

double weighted_sd(const std::vector<double>& x, const std::vector<double>& w) {
    const double mean = weighted_mean(x, w), sum_w = total(w, x.size());
    double ss = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) ss += weight(w, i) * (x[i] - mean) * (x[i] - mean);
    // equal weights: the sample SD (n - 1); weights: the weighted population SD
    return std::sqrt(ss / (w.empty() ? sum_w - 1.0 : sum_w));
}

double weighted_pearson(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w) {
    const double mx = weighted_mean(x, w), my = weighted_mean(y, w);
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double wi = weight(w, i);
        sxy += wi * (x[i] - mx) * (y[i] - my);
        sxx += wi * (x[i] - mx) * (x[i] - mx);
        syy += wi * (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0.0 || syy <= 0.0) return std::nan("");
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

// Mid-ranks by cumulative weight: tied values share the midpoint of their group's weight.
std::vector<double> weighted_ranks(const std::vector<double>& x, const std::vector<std::size_t>& order,
                                   const std::vector<double>& w) {
    std::vector<double> ranks(x.size());
    double below = 0.0;
    for (std::size_t a = 0; a < order.size();) {
        std::size_t b = a;
        double group = 0.0;
        while (b < order.size() && x[order[b]] == x[order[a]]) group += weight(w, order[b++]);
        for (std::size_t k = a; k < b; ++k) ranks[order[k]] = below + 0.5 * group;
        below += group;
        a = b;
    }
    return ranks;
}

double weighted_percentile(const std::vector<double>& x, const std::vector<std::size_t>& order,
                           const std::vector<double>& w, double q) {
    if (w.empty()) {
        std::vector<double> sorted;
        for (std::size_t i : order) sorted.push_back(x[i]);
        return percentile_of_sorted(sorted, q);
    }
    // positions at cumulative-weight midpoints, linear between them
    const double sum_w = total(w, x.size()), target = q / 100.0 * sum_w;
    double cumulative = 0.0, previous_position = 0.0, previous_value = x[order.front()];
    for (std::size_t k = 0; k < order.size(); ++k) {
        const double position = cumulative + 0.5 * w[order[k]];
        if (position >= target) {
            if (k == 0 || position <= previous_position) return x[order[k]];
            const double f = (target - previous_position) / (position - previous_position);
            return previous_value + f * (x[order[k]] - previous_value);
        }
        cumulative += w[order[k]];
        previous_position = position;
        previous_value = x[order[k]];
    }
    return x[order.back()];
}

}  // namespace

std::vector<std::size_t> sort_order(const std::vector<double>& x) {
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    return order;
}

TargetColumns target_columns(const VpopTarget&, std::vector<std::vector<double>> columns) {
    TargetColumns c;
    c.x = std::move(columns[0]);
    c.order_x = sort_order(c.x);
    if (columns.size() > 1) {
        c.y = std::move(columns[1]);
        c.order_y = sort_order(c.y);
    }
    return c;
}

double target_statistic(const VpopTarget& t, const TargetColumns& c, const std::vector<double>& w) {
    switch (t.statistic) {
        case Statistic::mean: return weighted_mean(c.x, w);
        case Statistic::sd: return weighted_sd(c.x, w);
        case Statistic::median:
        case Statistic::percentile: return weighted_percentile(c.x, c.order_x, w, t.q);
        case Statistic::proportion: {
            double share = 0.0;
            for (std::size_t i = 0; i < c.x.size(); ++i)
                if (t.above ? c.x[i] > t.threshold : c.x[i] < t.threshold) share += weight(w, i);
            return share / total(w, c.x.size());
        }
        case Statistic::pearson: return weighted_pearson(c.x, c.y, w);
        case Statistic::spearman:
            return weighted_pearson(weighted_ranks(c.x, c.order_x, w), weighted_ranks(c.y, c.order_y, w), w);
    }
    return std::nan("");
}

double target_statistic(const VpopTarget& target, const std::vector<std::vector<double>>& columns,
                        const std::vector<double>& weights) {
    return target_statistic(target, target_columns(target, columns), weights);
}

double target_z(const VpopTarget& t, double statistic) {
    if (!std::isfinite(statistic)) return 1e3;  // e.g. a correlation of a constant: as bad as can be reported
    const bool correlation = t.statistic == Statistic::spearman || t.statistic == Statistic::pearson;
    auto scale = [&](double v) { return correlation ? std::atanh(std::clamp(v, -0.999999, 0.999999)) : v; };
    const double low = t.value ? *t.value : t.at_least, high = t.value ? *t.value : t.at_most;
    if (statistic < low) return (scale(statistic) - scale(low)) / t.uncertainty;
    if (statistic > high) return (scale(statistic) - scale(high)) / t.uncertainty;
    return 0.0;
}

}  // namespace mobsim
