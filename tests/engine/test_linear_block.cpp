// LinearBlockPropagator against closed forms (Erlang transit chain, Bateman, piecewise Bateman) and its write contract.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/engine/linear_block.hpp"

using mobsim::LinearBlock;
using mobsim::LinearBlockPropagator;

namespace {

constexpr int kFull = 10;        // the full state vector
constexpr double kOther = -7.0;  // sentinel in slots the propagator must not read or write
const LinearBlock kChain{2, 5, {4, 6}};  // 5 compartments in slots 2..6; couplings are compartments 2 and 4
const LinearBlock kOral{3, 2, {4}};      // depot in slot 3, central in slot 4

// Transit chain x0' = -k x0, xi' = k x(i-1) - k xi of n compartments (defective: one eigenvalue of multiplicity
// n), row-major.
std::vector<double> transit_matrix(double k, int n = 5) {
    std::vector<double> a(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i) {
        a[i * n + i] = -k;
        if (i > 0) a[i * n + i - 1] = k;
    }
    return a;
}

// Full state with sentinels outside the block, `value` in every block state and `first` in the first one.
std::vector<double> full_state(const LinearBlock& b, double value, double first, int size = kFull) {
    std::vector<double> x(size, kOther);
    std::fill(x.begin() + b.first_state, x.begin() + b.first_state + b.size, value);
    x[b.first_state] = first;
    return x;
}

double erlang(double dose, double k, int i, double tau) {
    return dose * std::pow(k * tau, i) / std::tgamma(i + 1.0) * std::exp(-k * tau);
}

double bateman(double dose, double ka, double ke, double tau) {
    return dose * ka / (ka - ke) * (std::exp(-ke * tau) - std::exp(-ka * tau));
}

}  // namespace

TEST_CASE("a defective transit chain inside a larger state follows the Erlang amounts for 60 h", "[linear_block]") {
    const double k = 2.53, t0 = 8.0, dose = 800.0;
    LinearBlockPropagator p(kChain);
    p.restart(t0, full_state(kChain, 0.0, dose).data(), transit_matrix(k));
    double worst_all = 0.0, worst_coupling = 0.0;
    for (int i = 0; i <= 600; ++i)
        for (double tau : {0.1 * i + 0.0137, 0.1 * i}) {  // off and on a round grid
            double truth[5], largest = 0.0;
            for (int c = 0; c < 5; ++c) largest = std::max(largest, truth[c] = erlang(dose, k, c, tau));
            std::vector<double> y(kFull, kOther);
            p.fill_coupling(t0 + tau, y.data());
            for (int c : {2, 4}) worst_coupling = std::max(worst_coupling, std::abs(y[2 + c] - truth[c]) / largest);
            p.fill_all(t0 + tau, y.data());
            for (int c = 0; c < 5; ++c) worst_all = std::max(worst_all, std::abs(y[2 + c] - truth[c]) / largest);
        }
    INFO("max error relative to the largest amount: fill_all " << worst_all << ", fill_coupling " << worst_coupling);
    CHECK(worst_all < 1e-10);
    CHECK(worst_coupling < 1e-10);
}

TEST_CASE("first-order absorption into a central compartment follows the Bateman function", "[linear_block]") {
    const double ka = 1.1, ke = 0.23, dose = 350.0, t0 = 1.5;
    LinearBlockPropagator p(kOral);
    p.restart(t0, full_state(kOral, 0.0, dose).data(), {-ka, 0.0, ka, -ke});
    double worst = 0.0;
    for (int i = 0; i <= 400; ++i) {
        const double tau = 0.173 * i + 0.0011, depot = dose * std::exp(-ka * tau), central = bateman(dose, ka, ke, tau);
        std::vector<double> y(kFull, kOther);
        p.fill_coupling(t0 + tau, y.data());
        const double coupled = y[4];
        p.fill_all(t0 + tau, y.data());
        const double scale = std::max(depot, central);
        worst = std::max({worst, std::abs(y[3] - depot) / scale, std::abs(y[4] - central) / scale,
                          std::abs(coupled - central) / scale});
    }
    INFO("max error relative to the largest amount " << worst);
    CHECK(worst < 1e-10);
}

TEST_CASE("the coupling rate is the derivative of the Bateman function, and adds to what is there", "[linear_block]") {
    const double ka = 1.1, ke = 0.23, dose = 350.0, t0 = 1.5;
    LinearBlockPropagator p(kOral);
    p.restart(t0, full_state(kOral, 0.0, dose).data(), {-ka, 0.0, ka, -ke});
    double worst = 0.0;
    for (int i = 0; i <= 400; ++i) {
        const double tau = 0.173 * i + 0.0011;
        const double rate = dose * ka / (ka - ke) * (ka * std::exp(-ka * tau) - ke * std::exp(-ke * tau));
        std::vector<double> dxdt(kFull, kOther);
        p.fill_coupling_rate(t0 + tau, dxdt.data());
        for (int j = 0; j < kFull; ++j)
            if (j != 4) CHECK(dxdt[j] == kOther);
        worst = std::max(worst, std::abs(dxdt[4] - kOther - rate) / (dose * ka));
    }
    INFO("max error relative to the initial rate dose x ka: " << worst);
    CHECK(worst < 1e-10);
}

TEST_CASE("a restart with a new elimination rate continues the piecewise closed form", "[linear_block]") {
    const double ka = 1.1, ke1 = 0.23, ke2 = 0.71, dose = 350.0, t1 = 6.13, t2 = 14.9;
    // After a switch at `since`, the depot keeps decaying; the central amount c1 decays with the new ke
    // while the depot feeds it a new Bateman term.
    const auto central = [&](double t, double c1, double ke, double since) {
        return c1 * std::exp(-ke * (t - since)) + bateman(dose * std::exp(-ka * since), ka, ke, t - since);
    };
    LinearBlockPropagator p(kOral);
    std::vector<double> x = full_state(kOral, 0.0, dose), y(kFull, kOther);
    p.restart(0.0, x.data(), {-ka, 0.0, ka, -ke1});
    p.fill_all(t1, x.data());
    const double central_t1 = bateman(dose, ka, ke1, t1);
    CHECK(std::abs(x[4] - central_t1) < 1e-12 * dose);
    p.restart(t1, x.data(), {-ka, 0.0, ka, -ke2});
    p.fill_all(t1, y.data());
    CHECK(std::abs(y[4] - central_t1) < 1e-12 * dose);  // continuity
    double worst = 0.0;
    for (double t = t1; t < t2; t += 0.0917) {
        p.fill_all(t, y.data());
        worst = std::max({worst, std::abs(y[3] - dose * std::exp(-ka * t)),
                          std::abs(y[4] - central(t, central_t1, ke2, t1))});
    }
    // Back to the first rate at t2 (a matrix the propagator has seen before).
    p.fill_all(t2, x.data());
    const double central_t2 = central(t2, central_t1, ke2, t1);
    p.restart(t2, x.data(), {-ka, 0.0, ka, -ke1});
    for (double t = t2; t < t2 + 30.0; t += 0.377) {
        p.fill_coupling(t, y.data());
        worst = std::max(worst, std::abs(y[4] - central(t, central_t2, ke1, t2)));
    }
    INFO("max abs error " << worst << " (dose " << dose << ")");
    CHECK(worst < 1e-10 * dose);
}

TEST_CASE("the propagator writes only block states, and fill_coupling only coupling states", "[linear_block]") {
    LinearBlockPropagator p(kChain);
    p.restart(8.0, full_state(kChain, 1.0, 1.0).data(), transit_matrix(2.53));
    for (double t : {8.0, 8.31, 20.7, 67.9}) {
        std::vector<double> y(kFull, kOther);
        p.fill_coupling(t, y.data());
        for (int i = 0; i < kFull; ++i) CHECK((y[i] == kOther) == (i != 4 && i != 6));
        std::fill(y.begin(), y.end(), kOther);
        p.fill_all(t, y.data());
        for (int i = 0; i < kFull; ++i) CHECK(((i >= 2 && i < 7) ? y[i] > 0.0 : y[i] == kOther));
    }
}

TEST_CASE("a zero initial state stays exactly zero", "[linear_block]") {
    LinearBlockPropagator p(kChain);
    p.restart(8.0, full_state(kChain, 0.0, 0.0).data(), transit_matrix(2.53));
    for (double t : {8.0, 9.37, 68.0}) {
        std::vector<double> y(kFull, kOther);
        p.fill_coupling(t, y.data());
        for (int i = 0; i < kFull; ++i) CHECK(y[i] == (i == 4 || i == 6 ? 0.0 : kOther));
        p.fill_all(t, y.data());
        for (int i = 0; i < kFull; ++i) CHECK(y[i] == (i >= 2 && i < 7 ? 0.0 : kOther));
    }
}

TEST_CASE("values do not depend on the order of queries within a segment", "[linear_block]") {
    const std::vector<double> x = full_state(kChain, 0.0, 800.0);
    std::vector<double> times;
    for (int i = 0; i < 300; ++i) times.push_back(8.0 + 0.1 * i + 0.0137);
    // Restarts p, queries the times in the given order; returns fill_coupling then fill_all results, in time order.
    const auto query = [&](LinearBlockPropagator& p, const std::vector<std::size_t>& order) {
        p.restart(8.0, x.data(), transit_matrix(2.53));
        std::vector<std::vector<double>> result(2 * times.size(), std::vector<double>(kFull, kOther));
        for (std::size_t i : order) {
            p.fill_coupling(times[i], result[2 * i].data());
            p.fill_all(times[i], result[2 * i + 1].data());
        }
        return result;
    };
    std::vector<std::size_t> increasing, decreasing, scattered;
    for (std::size_t i = 0; i < times.size(); ++i) {
        increasing.push_back(i);
        decreasing.push_back(times.size() - 1 - i);
        scattered.push_back((i * 7) % times.size());  // 7 and 300 are coprime
    }
    LinearBlockPropagator forward(kChain), other(kChain);
    const auto reference = query(forward, increasing);
    // Backward first (its first query builds all knots at once), then scattered and backward again on the same
    // propagator after restarts, as the solver revisits stage times after a rejected step.
    double worst = 0.0;
    for (const auto* order : {&decreasing, &scattered, &decreasing}) {
        const auto result = query(other, *order);
        for (std::size_t r = 0; r < result.size(); ++r)
            for (int s = 2; s < 7; ++s)
                worst = std::max(worst, std::abs(result[r][s] - reference[r][s]) / std::abs(reference[r | 1][s]));
    }
    INFO("max relative difference " << worst);
    CHECK(worst <= 1e-14);
}

TEST_CASE("a 10-compartment transit chain (a block wider than 8) follows the Erlang amounts", "[linear_block]") {
    // Slots 1..10 of a 13-state vector: wider than the kernels sized at compile time (up to 8), and knot
    // states of 12 rows; 80 h need several hundred knots, past the initial capacity.
    const int n = 10, first = 1;
    const double k = 1.7, t0 = 2.0, dose = 600.0;
    const LinearBlock chain{first, n, {first + 4, first + 9}};
    LinearBlockPropagator p(chain);
    p.restart(t0, full_state(chain, 0.0, dose, 13).data(), transit_matrix(k, n));
    double worst_all = 0.0, worst_coupling = 0.0;
    for (int i = 0; i <= 400; ++i) {
        const double tau = 0.2 * i + 0.0731;
        double truth[n], largest = 0.0;
        for (int c = 0; c < n; ++c) largest = std::max(largest, truth[c] = erlang(dose, k, c, tau));
        std::vector<double> y(13, kOther);
        p.fill_coupling(t0 + tau, y.data());
        for (int c = 0; c < 13; ++c)
            if (c != first + 4 && c != first + 9) CHECK(y[c] == kOther);
        for (int c : {4, 9}) worst_coupling = std::max(worst_coupling, std::abs(y[first + c] - truth[c]) / largest);
        p.fill_all(t0 + tau, y.data());
        CHECK(y[0] == kOther);
        CHECK(y[11] == kOther);
        for (int c = 0; c < n; ++c) worst_all = std::max(worst_all, std::abs(y[first + c] - truth[c]) / largest);
    }
    INFO("max error relative to the largest amount: fill_all " << worst_all << ", fill_coupling " << worst_coupling);
    CHECK(worst_all < 1e-13);
    CHECK(worst_coupling < 1e-13);
}

TEST_CASE("a nilpotent matrix (A^2 = 0) gives the straight line from one knot at any distance", "[linear_block]") {
    // Depot without loss feeding the central amount: depot(t) = d, central(t) = c + k d (t - t0).
    const double k = 0.8, d = 40.0, c = 3.0, t0 = 5.0;
    LinearBlockPropagator p(kOral);
    std::vector<double> x = full_state(kOral, c, d);
    p.restart(t0, x.data(), {0.0, 0.0, k, 0.0});
    double worst = 0.0;
    for (double tau : {0.0, 0.37, 9.5, 120.0, 4000.0}) {
        const double central = c + k * d * tau;
        std::vector<double> y(kFull, kOther), rate(kFull, 0.0);
        p.fill_coupling(t0 + tau, y.data());
        worst = std::max(worst, std::abs(y[4] - central) / central);
        p.fill_coupling_rate(t0 + tau, rate.data());
        worst = std::max(worst, std::abs(rate[4] - k * d) / (k * d));
        p.fill_all(t0 + tau, y.data());
        worst = std::max({worst, std::abs(y[3] - d) / d, std::abs(y[4] - central) / central});
    }
    // The zero matrix: everything stays where it started.
    p.restart(t0, x.data(), {0.0, 0.0, 0.0, 0.0});
    std::vector<double> y(kFull, kOther);
    p.fill_all(t0 + 77.0, y.data());
    CHECK(y[3] == d);
    CHECK(y[4] == c);
    INFO("max relative error " << worst);
    CHECK(worst < 1e-15);
}

TEST_CASE("matrices that differ only in the sign of zero entries give the same Bateman values", "[linear_block]") {
    // The propagator caches a matrix by its bits, so -0.0 makes a second entry; both must follow the closed form.
    const double ka = 1.1, ke = 0.23, dose = 350.0;
    LinearBlockPropagator p(kOral);
    const std::vector<double> x = full_state(kOral, 0.0, dose);
    double worst = 0.0;
    for (int round = 0; round < 4; ++round) {
        p.restart(0.0, x.data(), {-ka, round % 2 ? -0.0 : 0.0, ka, -ke});
        for (double tau : {0.3, 2.9, 17.0}) {
            std::vector<double> y(kFull, kOther);
            p.fill_all(tau, y.data());
            worst = std::max({worst, std::abs(y[3] - dose * std::exp(-ka * tau)) / dose,
                              std::abs(y[4] - bateman(dose, ka, ke, tau)) / dose});
        }
    }
    INFO("max error relative to the dose " << worst);
    CHECK(worst < 1e-14);
}
