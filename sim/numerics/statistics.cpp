#include "sim/numerics/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>

namespace mobsim {

double percentile_of_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double position = q / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    if (below + 1 >= sorted.size()) return sorted.back();
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // mean of ranks i+1 .. j+1
        for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

RankCorrelation spearman(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> a, b;
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            a.push_back(x[i]);
            b.push_back(y[i]);
        }
    RankCorrelation out;
    out.n = static_cast<int>(a.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (out.n < 3) return {out.n, nan, nan};
    const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
    const double mean = 0.5 * (static_cast<double>(out.n) + 1.0);  // mean rank, ties included
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - mean) * (rb[i] - mean);
        saa += (ra[i] - mean) * (ra[i] - mean);
        sbb += (rb[i] - mean) * (rb[i] - mean);
    }
    if (saa == 0.0 || sbb == 0.0) return {out.n, nan, nan};
    out.rho = std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
    const double df = out.n - 2;
    if (std::abs(out.rho) >= 1.0) {
        out.p_value = 0.0;
        return out;
    }
    const double t = out.rho * std::sqrt(df / (1.0 - out.rho * out.rho));
    const boost::math::students_t distribution(df);
    out.p_value = 2.0 * boost::math::cdf(boost::math::complement(distribution, std::abs(t)));
    return out;
}

}  // namespace mobsim
