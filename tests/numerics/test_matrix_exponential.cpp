// matrix_exponential against closed forms (diagonal, rotation, Jordan block, transit chain) and exp(A) exp(-A) = I.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/numerics/matrix_exponential.hpp"

using mobsim::matrix_exponential;

namespace {

double relative_error(double value, double truth) {
    return std::abs(value - truth) / std::max(std::abs(truth), 1e-300);
}

std::vector<double> scaled(std::vector<double> a, double t) {
    for (double& v : a) v *= t;
    return a;
}

}  // namespace

TEST_CASE("the exponential of a diagonal matrix is the exponential of its diagonal", "[linear_block]") {
    const std::vector<double> d = {-3.7, 0.0, 1.25, -40.0};
    std::vector<double> a(16, 0.0);
    for (int i = 0; i < 4; ++i) a[i * 4 + i] = d[i];
    const auto e = matrix_exponential(a, 4);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            if (i == j) CHECK(relative_error(e[i * 4 + j], std::exp(d[i])) < 1e-12);
            else CHECK(e[i * 4 + j] == 0.0);
        }
}

TEST_CASE("a rotation generator exponentiates to a rotation, also at large angles", "[linear_block]") {
    // cos and sin cross zero, so errors are measured against the matrix's norm 1 (absolute); the largest
    // angle (40 rad) needs 7 squarings, each adding a few ulp.
    const double w = 2.0;
    double worst = 0.0;
    for (double t : {0.01, 0.3, 1.0, 2.7, 7.9, 20.0}) {
        const auto e = matrix_exponential({0.0, -w * t, w * t, 0.0}, 2);
        const double c = std::cos(w * t), s = std::sin(w * t);
        const double expected[4] = {c, -s, s, c};
        for (int i = 0; i < 4; ++i) worst = std::max(worst, std::abs(e[i] - expected[i]));
    }
    INFO("max abs error " << worst);
    CHECK(worst < 1e-12);
}

TEST_CASE("a defective Jordan block exponentiates to e^(l t) [[1, t], [0, 1]], also when strongly decaying",
          "[linear_block]") {
    double worst = 0.0;
    for (double l : {-3.0, -0.4, 0.0, 0.9})
        for (double t : {0.05, 1.0, 10.0}) {
            const auto e = matrix_exponential({l * t, t, 0.0, l * t}, 2);
            const double g = std::exp(l * t);  // l t = -30 gives entries near 1e-13: relative to g
            worst = std::max({worst, std::abs(e[0] - g) / g, std::abs(e[1] - g * t) / g, std::abs(e[3] - g) / g});
            CHECK(e[2] == 0.0);
        }
    INFO("max error relative to e^(l t) " << worst);
    CHECK(worst < 1e-12);
}

TEST_CASE("column 0 of a transit chain's exponential is the Erlang (gamma) amounts", "[linear_block]") {
    // x0' = -k x0, xi' = k x(i-1) - k xi: a bolus into x0 leaves (k t)^i / i! e^(-k t) in xi. All entries are
    // positive and squaring adds and multiplies positives, so every entry is checked relative to itself.
    const int n = 5;
    const double k = 2.53;
    std::vector<double> a(n * n, 0.0);
    for (int i = 0; i < n; ++i) {
        a[i * n + i] = -k;
        if (i > 0) a[i * n + i - 1] = k;
    }
    double worst = 0.0;
    for (double t : {0.01, 0.4, 1.0, 3.3, 10.0}) {
        const auto e = matrix_exponential(scaled(a, t), n);
        for (int i = 0; i < n; ++i) {
            const double erlang = std::pow(k * t, i) / std::tgamma(i + 1.0) * std::exp(-k * t);
            worst = std::max(worst, relative_error(e[i * n], erlang));
        }
    }
    INFO("max relative error " << worst);
    CHECK(worst < 1e-12);
}

TEST_CASE("exp(A) exp(-A) is the identity for a nonsymmetric matrix", "[linear_block]") {
    const int n = 4;
    const std::vector<double> a = {-1.3, 0.7,  0.0, 2.1,  //
                                   0.4,  -0.2, 1.9, -0.6,  //
                                   -2.2, 0.3,  0.5, 0.8,   //
                                   1.1,  -1.7, 0.2, -0.9};
    const auto e = matrix_exponential(a, n);
    const auto f = matrix_exponential(scaled(a, -1.0), n);
    // Rounding in the product alone is of order n eps |E| |F| (about 6e-14 here), so the bound scales with it.
    double scale = 0.0, worst = 0.0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double sum = 0.0, magnitude = 0.0;
            for (int m = 0; m < n; ++m) {
                sum += e[i * n + m] * f[m * n + j];
                magnitude += std::abs(e[i * n + m] * f[m * n + j]);
            }
            scale = std::max(scale, magnitude);
            worst = std::max(worst, std::abs(sum - (i == j ? 1.0 : 0.0)));
        }
    INFO("max abs error " << worst << ", |E| |F| scale " << scale);
    CHECK(scale > 1.0);
    CHECK(worst < 1e-14 * scale);
}
