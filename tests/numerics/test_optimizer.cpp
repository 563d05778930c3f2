// Levenberg-Marquardt and its helpers against closed-form optima and tabulated values.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "sim/numerics/optimizer.hpp"
#include "sim/numerics/small_linear_algebra.hpp"

using namespace mobsim;

TEST_CASE("LM solves a linear least-squares problem to its normal-equation solution") {
    // Fit y = a + b t to (0,1), (1,3), (2,4), (3,8): normal equations give b = 2.2, a = 0.7.
    const std::vector<double> t = {0, 1, 2, 3}, y = {1, 3, 4, 8};
    ResidualFunction f = [&](const std::vector<double>& x, std::vector<double>& r) {
        r.resize(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) r[i] = x[0] + x[1] * t[i] - y[i];
        return true;
    };
    const LmResult result = levenberg_marquardt(f, {10.0, -5.0}, {-100, -100}, {100, 100}, LmSettings{});
    CHECK(converged(result.status));
    CHECK(result.x[0] == Approx(0.7).margin(1e-6));
    CHECK(result.x[1] == Approx(2.2).margin(1e-6));
    CHECK(result.sum_of_squares == Approx(1.8).margin(1e-9));  // 0.3^2 + 0.1^2 + 1.1^2 + 0.7^2
}

TEST_CASE("LM finds the Rosenbrock minimum at (1, 1)") {
    ResidualFunction f = [](const std::vector<double>& x, std::vector<double>& r) {
        r = {10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]};
        return true;
    };
    const LmResult result = levenberg_marquardt(f, {-1.2, 1.0}, {-5, -5}, {5, 5}, LmSettings{});
    CHECK(converged(result.status));
    CHECK(result.x[0] == Approx(1.0).margin(1e-6));
    CHECK(result.x[1] == Approx(1.0).margin(1e-6));
}

TEST_CASE("LM respects box bounds and holds fixed coordinates") {
    ResidualFunction f = [](const std::vector<double>& x, std::vector<double>& r) {
        r = {x[0] - 3.0, x[1] - 1.0};
        return true;
    };
    const LmResult bounded = levenberg_marquardt(f, {0.5, 0.0}, {0, -10}, {2, 10}, LmSettings{});
    CHECK(bounded.x[0] == 2.0);  // the constrained optimum sits on the bound
    CHECK(bounded.x[1] == Approx(1.0).margin(1e-8));
    const LmResult held = levenberg_marquardt(f, {0.5, 0.0}, {0, -10}, {2, 10}, LmSettings{}, {true, false});
    CHECK(held.x[0] == 0.5);
    CHECK(held.x[1] == Approx(1.0).margin(1e-8));
}

TEST_CASE("LM treats points it cannot evaluate as bad and reports a failing start") {
    ResidualFunction f = [](const std::vector<double>& x, std::vector<double>& r) {
        if (x[0] > 1.5) return false;  // e.g. the ODE solver failed there
        r = {x[0] - 2.0};
        return true;
    };
    const LmResult result = levenberg_marquardt(f, {0.0}, {-10}, {10}, LmSettings{});
    CHECK(result.x[0] <= 1.5);
    CHECK(result.x[0] > 1.4);
    const LmResult failed = levenberg_marquardt(f, {3.0}, {-10}, {10}, LmSettings{});
    CHECK(failed.status == LmStatus::failed);
}

TEST_CASE("log Phi matches tabulated values and stays accurate in the far tail") {
    CHECK(log_normal_cdf(0.0) == Approx(std::log(0.5)).epsilon(1e-14));
    CHECK(std::exp(log_normal_cdf(-1.0)) == Approx(0.15865525393145707).epsilon(1e-12));  // Phi(-1)
    CHECK(std::exp(log_normal_cdf(1.959963984540054)) == Approx(0.975).epsilon(1e-12));
    // The asymptotic branch (z <= -30) against the direct erfc form, still representable at z = -35.
    const double direct = std::log(0.5 * std::erfc(35.0 / std::sqrt(2.0)));
    CHECK(log_normal_cdf(-35.0) == Approx(direct).epsilon(1e-9));
    CHECK(std::isfinite(log_normal_cdf(-1e3)));
}

TEST_CASE("Latin hypercube: one point per stratum in every coordinate, reproducible for a seed") {
    const int count = 16;
    const auto points = latin_hypercube(count, {0.0, -2.0}, {1.0, 2.0}, 42);
    for (int j = 0; j < 2; ++j) {
        std::set<int> strata;
        for (const auto& p : points) {
            const double u = j == 0 ? p[0] : (p[1] + 2.0) / 4.0;
            strata.insert(static_cast<int>(u * count));
        }
        CHECK(strata.size() == static_cast<std::size_t>(count));
    }
    CHECK(latin_hypercube(count, {0.0, -2.0}, {1.0, 2.0}, 42) == points);
    CHECK(latin_hypercube(count, {0.0, -2.0}, {1.0, 2.0}, 43) != points);
}

TEST_CASE("symmetric inverse and Cholesky solve on small matrices") {
    const std::vector<double> a = {4, 2, 2, 3};  // inverse = [3 -2; -2 4] / 8
    const SymmetricInverse inv = symmetric_inverse(a, 2);
    CHECK(inv.rank == 2);
    CHECK(inv.inverse[0] == Approx(3.0 / 8));
    CHECK(inv.inverse[1] == Approx(-2.0 / 8));
    CHECK(inv.inverse[3] == Approx(4.0 / 8));
    std::vector<double> b = {2, 1};
    REQUIRE(cholesky_solve(a, 2, b));
    CHECK(b[0] == Approx(0.5));
    CHECK(b[1] == Approx(0.0).margin(1e-15));
    // A parameter with no information: its variance is unbounded, the other one is unaffected.
    const SymmetricInverse singular = symmetric_inverse({2, 0, 0, 0}, 2);
    CHECK(singular.rank == 1);
    CHECK_FALSE(singular.singular[0]);
    CHECK(singular.singular[1]);
    CHECK(singular.inverse[0] == Approx(0.5));
    // A non-finite information matrix bounds no variance: every coordinate is singular, none gets SE 0.
    const SymmetricInverse broken = symmetric_inverse({2, 0, 0, std::nan("")}, 2);
    CHECK(broken.rank == 0);
    CHECK(broken.singular[0]);
    CHECK(broken.singular[1]);
}
