// Forward-mode dual numbers against closed-form derivatives, and the chunked Jacobian against a hand-derived one.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/numerics/dual.hpp"

using mobsim::Dual;

namespace {

// f'(x) of f written on Dual<1> with the direction seeded at x
template <class F>
double derivative(const F& f, double x) {
    Dual<1> a(x);
    a.d[0] = 1.0;
    return f(a).d[0];
}

}  // namespace

TEST_CASE("dual numbers give the closed-form derivatives of the functions models use", "[dual]") {
    const double x = 0.7;
    using std::exp;
    using std::log;
    using std::pow;
    using std::sqrt;
    CHECK(derivative([](auto a) { return exp(a); }, x) == Approx(std::exp(x)).epsilon(1e-15));
    CHECK(derivative([](auto a) { return log(a); }, x) == Approx(1.0 / x).epsilon(1e-15));
    CHECK(derivative([](auto a) { return sqrt(a); }, x) == Approx(0.5 / std::sqrt(x)).epsilon(1e-15));
    CHECK(derivative([](auto a) { return pow(a, 2.5); }, x) == Approx(2.5 * std::pow(x, 1.5)).epsilon(1e-15));
    CHECK(derivative([](auto a) { return pow(3.0, a); }, x) == Approx(std::log(3.0) * std::pow(3.0, x)).epsilon(1e-15));
    CHECK(derivative([](auto a) { return pow(a, a); }, x) == Approx(std::pow(x, x) * (std::log(x) + 1.0)).epsilon(1e-14));
    CHECK(derivative([](auto a) { return tanh(a); }, x) == Approx(1.0 / (std::cosh(x) * std::cosh(x))).epsilon(1e-15));
    // quotient and product rules, and mixed double/dual operands: d/dx (2 - x) x / (1 + 3x) = (2 - 2x - 3x^2)/(1 + 3x)^2
    CHECK(derivative([](auto a) { return (2.0 - a) * a / (1.0 + 3.0 * a); }, x) ==
          Approx((2 - 2 * x - 3 * x * x) / ((1 + 3 * x) * (1 + 3 * x))).epsilon(1e-15));
    CHECK(derivative([](auto a) { return 1.0 / a - a / 4.0 + (-a); }, x) == Approx(-1.0 / (x * x) - 0.25 - 1.0).epsilon(1e-15));
    CHECK(derivative([](auto a) { return abs(a - 1.0); }, x) == -1.0);
    CHECK(derivative([](auto a) { return max(a, Dual<1>(0.5)); }, x) == 1.0);
    CHECK(derivative([](auto a) { return min(a, Dual<1>(0.5)); }, x) == 0.0);
    // compound assignment keeps value and derivative
    Dual<2> a(2.0), b(3.0);
    a.d = {1.0, 0.0};
    b.d = {0.0, 1.0};
    Dual<2> c = a;
    c *= b;
    c /= a + b;  // ab/(a+b): d/da = b^2/(a+b)^2, d/db = a^2/(a+b)^2
    CHECK(c.value == Approx(6.0 / 5.0));
    CHECK(c.d[0] == Approx(9.0 / 25.0).epsilon(1e-15));
    CHECK(c.d[1] == Approx(4.0 / 25.0).epsilon(1e-15));
    CHECK((a < b) == true);
    CHECK(mobsim::value_of(c) == c.value);
}

TEST_CASE("chunked forward Jacobian matches the hand-derived one whatever the chunk width", "[dual]") {
    // f0 = x0 x1, f1 = exp(x2) - x0, f2 = sqrt(x1) / x2, f3 = x3^2 + x0
    const auto f = [](const auto* x, auto* y) {
        using std::exp;
        using std::sqrt;
        y[0] = x[0] * x[1];
        y[1] = exp(x[2]) - x[0];
        y[2] = sqrt(x[1]) / x[2];
        y[3] = x[3] * x[3] + x[0];
    };
    const double x[4] = {1.5, 4.0, 0.5, -2.0};
    const double expected[16] = {4.0, 1.5, 0, 0,                      //
                                 -1.0, 0, std::exp(0.5), 0,           //
                                 0, 0.25 / 0.5, -2.0 / 0.25, 0,       //
                                 1.0, 0, 0, -4.0};
    double J1[16], J3[16], J8[16];
    mobsim::forward_jacobian<1, 4>(f, 4, x, J1);
    mobsim::forward_jacobian<3, 4>(f, 4, x, J3);
    mobsim::forward_jacobian<8, 8>(f, 4, x, J8);
    for (int i = 0; i < 16; ++i) {
        CHECK(J1[i] == Approx(expected[i]).epsilon(1e-15));
        CHECK(J3[i] == J1[i]);
        CHECK(J8[i] == J1[i]);
    }
    CHECK_THROWS_AS((mobsim::forward_jacobian<2, 3>(f, 4, x, J1)), std::logic_error);
}
