// The engine against closed-form linear PK solutions (Gibaldi & Perrier, Pharmacokinetics, 2nd ed., ch. 1-4).
#include <catch2/catch.hpp>

#include <cmath>

#include "test_helpers.hpp"

using namespace mobsim;
using mobsim::test::problem_from_yaml;
using mobsim::test::relative_error;

namespace {

const char* kTight = "solver: {rtol: 1.0e-12, atol: 1.0e-14}\n";

// Largest relative error of `column` against truth(t) over rows whose truth exceeds `floor`.
template <class Truth>
double max_relative_error(const Trajectory& t, const std::string& column, Truth truth, double floor = 1e-9) {
    const auto values = t.column(column);
    double worst = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double expected = truth(t.time_h[i]);
        if (std::abs(expected) > floor) worst = std::max(worst, relative_error(values[i], expected));
        else CHECK(std::abs(values[i]) < 1e-9);
    }
    return worst;
}

}  // namespace

TEST_CASE("one-compartment IV bolus decays mono-exponentially") {
    const Problem p = problem_from_yaml(std::string(R"(
model: linear_pk
parameters: {CL: 4.0, V1: 40.0}
regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]
output: {end_h: 48, step_h: 0.25}
)") + kTight);
    const Trajectory t = simulate(p);
    const double k = 4.0 / 40.0;
    CHECK(max_relative_error(t, "conc_central", [&](double time) { return 100.0 / 40.0 * std::exp(-k * time); }) < 1e-6);
}

TEST_CASE("first-order absorption follows the Bateman function") {
    const Problem p = problem_from_yaml(std::string(R"(
model: linear_pk
parameters: {ka: 1.3, CL: 5.0, V1: 50.0}
regimens: [{into: depot, amount: 200, unit: mg, at_h: [0]}]
output: {end_h: 72, step_h: 0.1}
)") + kTight);
    const Trajectory t = simulate(p);
    const double ka = 1.3, k = 0.1, v = 50.0;
    auto bateman = [&](double time) { return 200.0 * ka / (v * (ka - k)) * (std::exp(-k * time) - std::exp(-ka * time)); };
    CHECK(max_relative_error(t, "conc_central", bateman) < 1e-6);
}

TEST_CASE("zero-order infusion: during and after, given as duration or as rate") {
    const double rate = 50.0, duration = 2.0, k = 0.2, v = 25.0;  // CL = 5
    auto truth = [&](double time) {
        if (time <= duration) return rate / (k * v) * (1.0 - std::exp(-k * time));
        return rate / (k * v) * (1.0 - std::exp(-k * duration)) * std::exp(-k * (time - duration));
    };
    for (const std::string timing : {"duration_h: 2", "rate_per_h: 50"}) {
        const Problem p = problem_from_yaml("model: linear_pk\nparameters: {CL: 5.0, V1: 25.0}\n"
                                            "regimens: [{into: central, amount: 100, unit: mg, at_h: [0], " +
                                            timing + "}]\noutput: {end_h: 24, step_h: 0.05}\n" + kTight);
        CHECK(max_relative_error(simulate(p), "conc_central", truth) < 1e-6);
    }
}

TEST_CASE("two-compartment IV bolus is bi-exponential") {
    const double cl = 3.0, v1 = 20.0, q = 6.0, v2 = 60.0, dose = 500.0;
    const Problem p = problem_from_yaml(std::string(R"(
model: linear_pk
parameters: {CL: 3.0, V1: 20.0, Q: 6.0, V2: 60.0}
regimens: [{into: central, amount: 500, unit: mg, at_h: [0]}]
output: {end_h: 96, step_h: 0.25}
)") + kTight);
    const double k10 = cl / v1, k12 = q / v1, k21 = q / v2;
    const double sum = k10 + k12 + k21, disc = std::sqrt(sum * sum - 4.0 * k10 * k21);
    const double alpha = 0.5 * (sum + disc), beta = 0.5 * (sum - disc);
    const double a = dose / v1 * (alpha - k21) / (alpha - beta), b = dose / v1 * (k21 - beta) / (alpha - beta);
    CHECK(max_relative_error(simulate(p), "conc_central",
                             [&](double time) { return a * std::exp(-alpha * time) + b * std::exp(-beta * time); }) < 1e-6);
}

namespace {

// Six oral doses of 80 mg every 8 h (ka 0.9 /h, CL 4.5 L/h, V 30 L): the concentration as the sum of six Bateman
// functions.
const char* kRepeatedOral = R"(
model: linear_pk
parameters: {ka: 0.9, CL: 4.5, V1: 30.0}
regimens: [{into: depot, amount: 80, unit: mg, start_h: 0, every_h: 8, count: 6}]
output: {end_h: 72, step_h: 0.2, include_dose_times: true}
)";
double superposed_oral(double time) {
    const double ka = 0.9, k = 0.15, v = 30.0, dose = 80.0, tau = 8.0;
    double c = 0.0;
    for (int n = 0; n < 6; ++n) {
        const double s = time - n * tau;
        if (s > 0.0) c += dose * ka / (v * (ka - k)) * (std::exp(-k * s) - std::exp(-ka * s));
    }
    return c;
}

}  // namespace

TEST_CASE("repeated oral doses equal the superposition of single doses") {
    const Problem p = problem_from_yaml(std::string(kRepeatedOral) + kTight);
    CHECK(max_relative_error(simulate(p), "conc_central", superposed_oral) < 1e-6);
}

TEST_CASE("tsit5 steps repeated oral doses onto their superposition, at its tolerance") {
    // Stepped, not propagated exactly: the pair's own steps, restarts at doses and dense output are what is tested.
    const std::string scenario =
        std::string(kRepeatedOral) + "solver: {method: tsit5, linear_blocks: stepped, ";
    const Trajectory loose = simulate(problem_from_yaml(scenario + "rtol: 1.0e-6, atol: 1.0e-9}\n"));
    const Trajectory tight = simulate(problem_from_yaml(scenario + "rtol: 1.0e-10, atol: 1.0e-13}\n"));
    CHECK(loose.stats.method == "tsit5");
    const double loose_error = max_relative_error(loose, "conc_central", superposed_oral, 1e-3);
    const double tight_error = max_relative_error(tight, "conc_central", superposed_oral, 1e-3);
    INFO("errors " << loose_error << " and " << tight_error << "; steps " << loose.stats.steps << " and "
                   << tight.stats.steps);
    CHECK(loose_error < 1e-5);
    CHECK(tight_error < 1e-8);
    // 5th order: 10^4 tighter costs about 10^(4/5) = 6.3 times the steps
    CHECK(tight.stats.steps > 3 * loose.stats.steps);
    CHECK(tight.stats.steps < 12 * loose.stats.steps);
}

TEST_CASE("lag time and bioavailability shift and scale the Bateman curve") {
    const double ka = 2.0, k = 0.25, v = 40.0, f = 0.6, lag = 1.5, dose = 100.0;
    const Problem p = problem_from_yaml(std::string(R"(
model: linear_pk
parameters: {ka: 2.0, CL: 10.0, V1: 40.0}
regimens: [{into: depot, amount: 100, unit: mg, at_h: [0], bioavailability: 0.6, lag_h: 1.5}]
output: {end_h: 36, step_h: 0.1}
)") + kTight);
    auto truth = [&](double time) {
        const double s = time - lag;
        return s <= 0.0 ? 0.0 : f * dose * ka / (v * (ka - k)) * (std::exp(-k * s) - std::exp(-ka * s));
    };
    CHECK(max_relative_error(simulate(p), "conc_central", truth) < 1e-6);
}

TEST_CASE("mass balance: dosed = eliminated + remaining") {
    const Problem p = problem_from_yaml(std::string(R"(
model: linear_pk
patient: {weight_kg: 72}
parameters: {ka: 0.7, CL: 2.0, V1: 15.0, Q: 3.0, V2: 45.0}
regimens:
  - {into: depot, amount: 1.5, unit: mg/kg, every_h: 12, count: 10}
  - {into: central, amount: 250, unit: ug/kg, days: [2, 4], clock: "08:30", duration_h: 3}
output: {end_h: 200, step_h: 1}
)") + kTight);
    const Trajectory t = simulate(p);
    const double dosed_total = 1.5 * 72 * 10 + 0.25 * 72 * 2;
    double worst = 0.0;
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        const double time = t.time_h[i];
        double dosed = 0.0;
        for (int n = 0; n < 10; ++n) dosed += time >= 12.0 * n ? 1.5 * 72 : 0.0;
        for (double start : {24.0 + 8.5, 72.0 + 8.5}) dosed += 0.25 * 72 * std::clamp((time - start) / 3.0, 0.0, 1.0);
        if (dosed == 0.0) continue;
        const double held = t.at(i, 2) + t.at(i, 3) + t.at(i, 4) + t.at(i, 5);
        worst = std::max(worst, relative_error(held, dosed));
    }
    CHECK(worst < 1e-8);
    CHECK(relative_error(t.at(t.time_h.size() - 1, 2) + t.at(t.time_h.size() - 1, 3) + t.at(t.time_h.size() - 1, 4) +
                             t.at(t.time_h.size() - 1, 5),
                         dosed_total) < 1e-8);
}

TEST_CASE("the stiff method reproduces the two-compartment solution too") {
    const Problem p = problem_from_yaml(R"(
model: linear_pk
parameters: {ka: 1.1, CL: 3.0, V1: 20.0, Q: 6.0, V2: 60.0}
regimens: [{into: depot, amount: 100, unit: mg, every_h: 24, count: 3}]
output: {end_h: 96, step_h: 0.5}
solver: {method: rosenbrock4, rtol: 1.0e-10, atol: 1.0e-12}
)");
    Problem reference = p;
    reference.solver = SolverSettings{};
    reference.solver.rtol = 1e-12;
    reference.solver.atol = 1e-14;
    const Trajectory stiff = simulate(p), explicit_rk = simulate(reference);
    for (std::size_t i = 0; i < stiff.time_h.size(); ++i)
        if (explicit_rk.at(i, 0) > 1e-6) CHECK(relative_error(stiff.at(i, 0), explicit_rk.at(i, 0)) < 1e-6);
}

TEST_CASE("a steady-state start equals the limit of long repeated dosing") {
    const Problem ss = problem_from_yaml(std::string(R"(
model: linear_pk
parameters: {ka: 1.0, CL: 5.0, V1: 50.0}
regimens: [{into: depot, amount: 100, unit: mg, every_h: 12, count: 2, steady_state: true}]
output: {end_h: 12, step_h: 1}
)") + kTight);
    // closed form: accumulation factor 1/(1-exp(-k tau)) on each exponential of the Bateman function
    const double ka = 1.0, k = 0.1, v = 50.0, tau = 12.0;
    auto css = [&](double s) {
        return 100.0 * ka / (v * (ka - k)) *
               (std::exp(-k * s) / (1 - std::exp(-k * tau)) - std::exp(-ka * s) / (1 - std::exp(-ka * tau)));
    };
    CHECK(max_relative_error(simulate(ss), "conc_central", css) < 1e-6);
}

TEST_CASE("a scenario's tolerance scale tightens one state against the Bateman function, with every method") {
    const std::string oral = R"(
model: linear_pk
parameters: {ka: 1.3, CL: 5.0, V1: 50.0}
regimens: [{into: depot, amount: 200, unit: mg, at_h: [0]}]
output: {end_h: 72, step_h: 0.1}
)";
    const double ka = 1.3, k = 0.1, v = 50.0;
    auto bateman = [&](double time) { return 200.0 * ka / (v * (ka - k)) * (std::exp(-k * time) - std::exp(-ka * time)); };
    SECTION("dopri5: the central compartment's error shrinks with its scale") {
        const std::string solver = "solver: {rtol: 1.0e-6, atol: 1.0e-9, linear_blocks: stepped";
        const Trajectory plain = simulate(problem_from_yaml(oral + solver + "}\n"));
        const Trajectory scaled = simulate(problem_from_yaml(oral + solver + ", tolerance_scale: {central: 0.01}}\n"));
        const double plain_error = max_relative_error(plain, "conc_central", bateman, 1e-3);
        const double scaled_error = max_relative_error(scaled, "conc_central", bateman, 1e-3);
        INFO("central error " << plain_error << " -> " << scaled_error);
        CHECK(scaled_error < plain_error / 10);
        CHECK(scaled.stats.steps > plain.stats.steps);
    }
    SECTION("rosenbrock4 applies the smallest scale of a stepped state to every state") {
        const std::string method = "solver: {method: rosenbrock4, linear_blocks: stepped, ";
        const Trajectory scaled = simulate(problem_from_yaml(
            oral + method + "rtol: 1.0e-6, atol: 1.0e-9, tolerance_scale: {central: 0.125, depot: 0.5}}\n"));
        const Trajectory tighter = simulate(problem_from_yaml(oral + method + "rtol: 1.25e-7, atol: 1.25e-10}\n"));
        CHECK(scaled.stats.steps == tighter.stats.steps);
        CHECK(scaled.values == tighter.values);
    }
}

TEST_CASE("a tolerance scale for a state the model lacks is an input error with a near match") {
    CHECK_THROWS_WITH(problem_from_yaml(R"(
model: linear_pk
regimens: [{into: depot, amount: 200, unit: mg, at_h: [0]}]
output: {end_h: 72, step_h: 0.1}
solver: {tolerance_scale: {centrl: 0.1}}
)"),
                      Catch::Contains("test.yaml:5") && Catch::Contains("no state 'centrl'") &&
                          Catch::Contains("did you mean 'central'"));
    CHECK_THROWS_WITH(problem_from_yaml(R"(
model: linear_pk
output: {end_h: 72, step_h: 0.1}
solver: {tolerance_scale: {central: 0}}
)"),
                      Catch::Contains("test.yaml:4") && Catch::Contains("expected a tolerance scale in [1e-6, 1e6]"));
}
