// Percentiles and Spearman correlation against numpy/scipy as a second implementation.
// Reference numbers were produced with scipy 1.10.1 / numpy; regenerate with:
//   /usr/bin/python3 -c "import scipy.stats as st, numpy as np; x=[...]; y=[...];
//       r=st.spearmanr(x, y); print(repr(r.statistic), repr(r.pvalue)); print(np.percentile(x, [5,25,50,75,95]))"
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "sim/numerics/statistics.hpp"

using namespace mobsim;

namespace {
const std::vector<double> kX = {3.1, 1.2, 5.5, 2.2, 2.2, 9.0, 4.4, 7.7, 0.5, 6.1, 3.1, 8.2};  // with ties
const std::vector<double> kY = {2.0, 1.0, 3.5, 2.5, 1.5, 6.0, 2.0, 5.0, 0.7, 4.9, 3.3, 4.0};
}  // namespace

TEST_CASE("Spearman rho and p-value match scipy.stats.spearmanr, ties included") {
    const RankCorrelation r = spearman(kX, kY);
    CHECK(r.n == 12);
    CHECK(r.rho == Approx(0.9226727781812674).epsilon(1e-13));
    CHECK(r.p_value == Approx(1.9103046456659605e-05).epsilon(1e-9));
    const RankCorrelation weak = spearman({1, 2, 3, 4, 5, 6, 7, 8}, {5, 3, 8, 1, 7, 2, 6, 4});
    CHECK(weak.rho == Approx(-0.04761904761904763).epsilon(1e-13));
    CHECK(weak.p_value == Approx(0.9108491685195836).epsilon(1e-9));
}

TEST_CASE("Spearman edge cases: perfect order, constants, non-finite pairs") {
    const RankCorrelation perfect = spearman({1, 2, 3, 4}, {10, 5, 2, 1});
    CHECK(perfect.rho == -1.0);
    CHECK(perfect.p_value == 0.0);
    CHECK(std::isnan(spearman({1, 2, 3}, {4, 4, 4}).rho));
    const RankCorrelation dropped = spearman({1, 2, NAN, 4, 5}, {1, 3, 2, 4, INFINITY});
    CHECK(dropped.n == 3);
    CHECK(dropped.rho == Approx(1.0));
}

TEST_CASE("average ranks share ties") {
    CHECK(average_ranks({3.1, 1.2, 2.2, 2.2, 3.1}) == std::vector<double>{4.5, 1, 2.5, 2.5, 4.5});
}

TEST_CASE("percentiles match numpy.percentile (linear interpolation)") {
    std::vector<double> sorted = kX;
    std::sort(sorted.begin(), sorted.end());
    CHECK(percentile_of_sorted(sorted, 5) == Approx(0.885).epsilon(1e-14));
    CHECK(percentile_of_sorted(sorted, 25) == Approx(2.2).epsilon(1e-14));
    CHECK(percentile_of_sorted(sorted, 50) == Approx(3.75).epsilon(1e-14));
    CHECK(percentile_of_sorted(sorted, 75) == Approx(6.5).epsilon(1e-14));
    CHECK(percentile_of_sorted(sorted, 95) == Approx(8.56).epsilon(1e-14));
    CHECK(percentile_of_sorted(sorted, 100) == 9.0);
    CHECK(percentile_of_sorted(sorted, 0) == 0.5);
}
