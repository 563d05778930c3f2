// Sobol' points (sim/numerics/sobol.hpp) against the sequence's published first points, its net property and a
// closed-form integral.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

#include "sim/numerics/sobol.hpp"

using mobsim::sobol_points;

TEST_CASE("Sobol first points of dimensions 1 to 3 are the published ones", "[sobol]") {
    // Points 1-7 after the origin, Gray-code order: dimension 1 is van der Corput's sequence, dimensions 2 and 3 use
    // Joe & Kuo's rows (s 1, a 0, m 1) and (s 2, a 1, m 1 3); see Joe & Kuo, "Notes on generating Sobol'
    // sequences" (2008), and Bratley & Fox, ACM TOMS 1988;14:88 (algorithm 659), whose first dimensions agree.
    const double dim1[] = {0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125};
    const double dim2[] = {0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625};
    const double dim3[] = {0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375};
    const auto points = sobol_points(7, 3);
    for (int i = 0; i < 7; ++i) {
        CHECK(points[i][0] == dim1[i]);
        CHECK(points[i][1] == dim2[i]);
        CHECK(points[i][2] == dim3[i]);
    }
}

TEST_CASE("Sobol points form nets: each dimension stratified, dimensions 1-2 a (0, m, 2)-net", "[sobol]") {
    const int m = 10, n = 1 << m;
    auto points = sobol_points(n - 1, 20);
    points.insert(points.begin(), std::vector<double>(20, 0.0));  // the skipped origin completes the net
    for (int j = 0; j < 20; ++j) {  // the first 2^m values of every dimension are exactly k / 2^m
        std::set<long> cells;
        for (const auto& p : points) {
            REQUIRE(p[j] * n == std::floor(p[j] * n));
            cells.insert(static_cast<long>(p[j] * n));
        }
        CHECK(cells.size() == static_cast<std::size_t>(n));
    }
    for (int k = 0; k <= m; ++k) {  // every box of 2^-k x 2^-(m-k) holds exactly one of the 2^m points
        std::set<long> boxes;
        for (const auto& p : points)
            boxes.insert(static_cast<long>(std::floor(p[0] * (1 << k))) * (1L << (m - k)) +
                         static_cast<long>(std::floor(p[1] * (1 << (m - k)))));
        CHECK(boxes.size() == static_cast<std::size_t>(n));
    }
}

TEST_CASE("Sobol points integrate Sobol's g-function to its closed form", "[sobol]") {
    // g(x) = prod_j (|4 x_j - 2| + a_j) / (1 + a_j) integrates to exactly 1 over [0, 1]^d for any a_j >= 0.
    const int d = 12;
    double sum = 0.0;
    const auto points = sobol_points(4095, d);
    for (const auto& p : points) {
        double g = 1.0;
        for (int j = 0; j < d; ++j) g *= (std::abs(4.0 * p[j] - 2.0) + j) / (1.0 + j);
        sum += g;
    }
    sum += [&] {  // the origin
        double g = 1.0;
        for (int j = 0; j < d; ++j) g *= (2.0 + j) / (1.0 + j);
        return g;
    }();
    // plain Monte Carlo with 4096 points has a standard error of about 0.02 here
    CHECK(sum / 4096.0 == Approx(1.0).margin(3e-3));
    CHECK_THROWS_AS(sobol_points(10, 21), std::invalid_argument);
}
