// Descriptive statistics for cohort outputs: percentiles and Spearman rank correlation.
#pragma once
#include <vector>

namespace mobsim {

// Percentile q in [0, 100] of sorted values by linear interpolation between order statistics
// (Hyndman & Fan type 7, the default of R and numpy). NaN for an empty input.
double percentile_of_sorted(const std::vector<double>& sorted, double q);

// Ranks 1..n; tied values share the mean of their ranks.
std::vector<double> average_ranks(const std::vector<double>& values);

struct RankCorrelation {
    int n = 0;
    double rho = 0.0;
    double p_value = 1.0;
};

// Spearman's rho (Pearson correlation of average ranks) over pairs where both values are finite, with a
// two-sided p-value from the t approximation t = rho sqrt((n - 2) / (1 - rho^2)) on n - 2 degrees of
// freedom (as scipy.stats.spearmanr). rho and p are NaN when n < 3 or either variable is constant;
// p = 0 when |rho| = 1.
RankCorrelation spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace mobsim
