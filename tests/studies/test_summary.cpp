// Trial summaries against exact integrals and closed-form curves.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "sim/studies/summary.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
using mobsim::test::problem_from_yaml;
using mobsim::test::relative_error;

namespace {

// IV bolus of 100 mg, CL 4 L/h, V 40 L: C(t) = 2.5 exp(-0.1 t) mg/L (Gibaldi & Perrier, ch. 1).
const double kC0 = 2.5, kK = 0.1;
double bolus(double t) { return kC0 * std::exp(-kK * t); }

Trajectory bolus_trajectory(double step) {
    return simulate(problem_from_yaml(R"(
model: linear_pk
parameters: {CL: 4.0, V1: 40.0}
regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]
output: {end_h: 48, step_h: )" + std::to_string(step) + R"(}
solver: {rtol: 1.0e-12, atol: 1.0e-14}
)"));
}

SummarySpec spec(SummaryKind kind, double start, double end) {
    SummarySpec s;
    s.name = "s";
    s.output = "conc_central";
    s.kind = kind;
    s.start_h = start;
    s.end_h = end;
    return s;
}

// A hand-made trajectory y(t) = f(t) on the given times, for exact checks independent of the solver.
template <class F>
Trajectory tabulated(const std::vector<double>& times, F f) {
    Trajectory t;
    t.outputs = {{"y", "1", ""}};
    t.time_h = times;
    for (double time : times) t.values.push_back(f(time));
    return t;
}

}  // namespace

TEST_CASE("AUC of a mono-exponential matches the exact integral") {
    const Trajectory t = bolus_trajectory(0.01);
    const double exact = kC0 / kK * (1.0 - std::exp(-kK * 24.0));
    // trapezoid error ~ (k h)^2 / 12 = 8e-8 relative
    CHECK(relative_error(evaluate_summary(t, spec(SummaryKind::auc, 0.0, 24.0)), exact) < 2e-7);
    const double late = kC0 / kK * (std::exp(-kK * 12.0) - std::exp(-kK * 36.0));
    CHECK(relative_error(evaluate_summary(t, spec(SummaryKind::auc, 12.0, 36.0)), late) < 2e-7);
}

TEST_CASE("trapezoidal AUC is exact for a piecewise-linear curve") {
    const Trajectory t = tabulated({0, 1, 3, 4, 10}, [](double x) { return x < 3 ? 2 * x : 6 - (x - 3); });
    // area: 0..3 under 2x = 9; 3..10 under 6-(x-3): (6 + (-1)) / 2 * 7 = 17.5
    CHECK(evaluate_summary(t, [] {
              SummarySpec s;
              s.output = "y";
              s.kind = SummaryKind::auc;
              s.end_h = 10;
              return s;
          }()) == Approx(26.5).epsilon(1e-14));
}

TEST_CASE("value, maximum, minimum and peak ratio of a closed-form curve") {
    const Trajectory t = bolus_trajectory(0.5);
    CHECK(relative_error(evaluate_summary(t, spec(SummaryKind::value_at, 12.0, 12.0)), bolus(12.0)) < 1e-9);
    CHECK(relative_error(evaluate_summary(t, spec(SummaryKind::maximum, 6.0, 30.0)), bolus(6.0)) < 1e-9);
    CHECK(relative_error(evaluate_summary(t, spec(SummaryKind::minimum, 6.0, 30.0)), bolus(30.0)) < 1e-9);
    SummarySpec ratio = spec(SummaryKind::peak_ratio, 0.0, 48.0);
    ratio.baseline_h = 24.0;
    CHECK(relative_error(evaluate_summary(t, ratio), std::exp(kK * 24.0)) < 1e-9);
}

TEST_CASE("sample-time subsets use only the sampled rows") {
    const Trajectory t = bolus_trajectory(0.5);
    SummarySpec draws = spec(SummaryKind::maximum, 0.0, 48.0);
    draws.sample_times_h = {32.0, 8.0, 44.5};  // order does not matter
    CHECK(relative_error(evaluate_summary(t, draws), bolus(8.0)) < 1e-9);
    draws.kind = SummaryKind::minimum;
    CHECK(relative_error(evaluate_summary(t, draws), bolus(44.5)) < 1e-9);
    draws.kind = SummaryKind::auc;
    const double trapezoid = 0.5 * 24.0 * (bolus(8.0) + bolus(32.0)) + 0.5 * 12.5 * (bolus(32.0) + bolus(44.5));
    CHECK(relative_error(evaluate_summary(t, draws), trapezoid) < 1e-9);
}

TEST_CASE("required times cover windows, baselines and samples, missing rows are reported") {
    SummarySpec a = spec(SummaryKind::auc, 2.0, 7.0);
    SummarySpec b = spec(SummaryKind::peak_ratio, 1.0, 3.0);
    b.baseline_h = 0.5;
    SummarySpec c = spec(SummaryKind::maximum, 0.0, 9.0);
    c.sample_times_h = {8.25, 4.0};
    CHECK(required_times({a, b, c}) == std::vector<double>{0.5, 1.0, 2.0, 3.0, 4.0, 7.0, 8.25});

    const Trajectory t = bolus_trajectory(0.5);
    CHECK_THROWS_AS(evaluate_summary(t, c), std::invalid_argument);  // 8.25 is not on the 0.5 h grid
    SummarySpec unknown = a;
    unknown.output = "nonexistent";
    CHECK_THROWS_AS(evaluate_summary(t, unknown), std::invalid_argument);
}
