// rosenbrock4 on right-hand sides that depend on t: against a closed form, and on the trial with the drug blocks
// propagated exactly (so the rest of the model sees them as functions of t) against a stepped dopri5 reference.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/studies/benchmark.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

// y' = -k y + a sin(w t), y(0) = 1: y = a (k sin wt - w cos wt) / (k^2 + w^2) + C e^(-k t).
class ForcedDecay : public OdeSystem {
public:
    explicit ForcedDecay(bool analytic_jacobian) : analytic_(analytic_jacobian) {}
    void initial_state(double* x) const override { x[0] = 1.0; }
    void rhs(double t, const double* x, double* dxdt) const override { dxdt[0] = -k * x[0] + a * std::sin(w * t); }
    void observe(double, const double* x, double* y) const override { y[0] = x[0]; }
    bool jacobian(double t, const double*, double* J, double* dfdt) const override {
        J[0] = -k;
        dfdt[0] = a * w * std::cos(w * t);
        return analytic_;
    }
    static double exact(double t) {
        const double d = k * k + w * w, c = 1.0 + a * w / d;
        return a * (k * std::sin(w * t) - w * std::cos(w * t)) / d + c * std::exp(-k * t);
    }
    static constexpr double k = 2.0, a = 10.0, w = 3.0;

private:
    bool analytic_;
};

// Largest |y - exact| over an hourly-by-0.1 grid on [0, 10] h, and the steps taken.
std::pair<double, long> forced_decay_error(bool analytic, double rtol) {
    ForcedDecay system(analytic);
    std::vector<double> x(1), grid;
    system.initial_state(x.data());
    for (int i = 0; i <= 100; ++i) grid.push_back(0.1 * i);
    SolverSettings settings;
    settings.method = "rosenbrock4";
    settings.rtol = settings.atol = rtol;
    double worst = 0.0;
    const SolveStats stats = integrate(system, x, 0.0, 10.0, {}, grid, settings,
                                       [&](double t, const double* y) {
                                           worst = std::max(worst, std::abs(y[0] - ForcedDecay::exact(t)));
                                       },
                                       SolveContext{{"y"}, {}});
    return {worst, stats.steps};
}

Problem trial_weeks_1_2(const std::string& method, double rtol, bool exact_blocks) {
    static const ModelRegistry registry = models::builtin_models();
    const auto file = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "trial_800mg.yaml";
    const Scenario scenario = read_scenario(file.string());
    Problem p = build_problem(scenario, registry.create(scenario.model));
    p.end_h = 336;
    p.grid.clear();
    for (double t = 0.0; t <= p.end_h; t += 1.0) p.grid.push_back(t);
    p.solver.method = method;
    p.solver.exact_linear_blocks = exact_blocks;
    p.solver.rtol = rtol;
    p.solver.atol = rtol * 1e-2;
    return p;
}

}  // namespace

TEST_CASE("rosenbrock4 is 4th order on a forced, non-autonomous decay (closed form)", "[rosenbrock]") {
    for (bool analytic : {true, false}) {
        INFO((analytic ? "analytic" : "finite-difference") << " Jacobian and df/dt");
        const auto [coarse, coarse_steps] = forced_decay_error(analytic, 1e-6);
        const auto [fine, fine_steps] = forced_decay_error(analytic, 1e-8);
        INFO("errors " << coarse << " and " << fine << ", steps " << coarse_steps << " and " << fine_steps);
        // the error follows the tolerance; a first-order method would need 100x the steps for 100x less error
        CHECK(coarse < 1e-5);
        CHECK(fine < 1e-7);
        CHECK(fine_steps < 5 * coarse_steps);  // 4th order: 100^(1/4) = 3.2x the steps
    }
}

TEST_CASE("rosenbrock4 with exactly propagated drug blocks agrees with stepped dopri5 on the trial", "[rosenbrock]") {
    const Trajectory reference = simulate(trial_weeks_1_2("dopri5", 1e-11, false));
    const Trajectory coarse = simulate(trial_weeks_1_2("rosenbrock4", 1e-6, true));
    const Trajectory fine = simulate(trial_weeks_1_2("rosenbrock4", 1e-8, true));
    const double coarse_error = max_relative_error(coarse, reference, 1e-4, nullptr);
    const double fine_error = max_relative_error(fine, reference, 1e-4, nullptr);
    INFO("rtol 1e-6: " << coarse_error << " in " << coarse.stats.steps << " steps; rtol 1e-8: " << fine_error
                       << " in " << fine.stats.steps << " steps");
    // rosenbrock4's 3rd-order dense output: up to about 5 rtol (G-CSF three hours after its last dose)
    CHECK(coarse_error < 5e-6);
    CHECK(fine_error < 1e-7);
    CHECK(fine.stats.steps < 5 * coarse.stats.steps);
}

TEST_CASE("a stiff problem that dopri5 cannot finish is finished by the rosenbrock4 fallback (closed form)", "[rosenbrock]") {
    // two compartments exchanging at 1,333 /h: dopri5 would need about 19,000 steps for stability alone
    const double cl = 3.0, v1 = 20.0, q = 2e4, v2 = 60.0, dose = 500.0;
    const std::string scenario = R"(
model: linear_pk
parameters: {CL: 3.0, V1: 20.0, Q: 2.0e4, V2: 60.0}
regimens: [{into: central, amount: 500, unit: mg, at_h: [0]}]
output: {end_h: 48, step_h: 0.25}
solver: {rtol: 1.0e-8, atol: 1.0e-10, max_steps: 2000}
)";
    const double k10 = cl / v1, k12 = q / v1, k21 = q / v2;
    const double sum = k10 + k12 + k21, disc = std::sqrt(sum * sum - 4.0 * k10 * k21);
    const double alpha = 0.5 * (sum + disc), beta = 0.5 * (sum - disc);
    const double a = dose / v1 * (alpha - k21) / (alpha - beta), b = dose / v1 * (k21 - beta) / (alpha - beta);

    const Trajectory t = simulate(mobsim::test::problem_from_yaml(scenario));
    CHECK(t.stats.method == "rosenbrock4");
    CHECK(t.stats.abandoned_steps == 2000);  // dopri5 spent its budget first
    const auto conc = t.column("conc_central");
    double worst = 0.0;
    for (std::size_t i = 0; i < conc.size(); ++i) {
        const double truth = a * std::exp(-alpha * t.time_h[i]) + b * std::exp(-beta * t.time_h[i]);
        worst = std::max(worst, std::abs(conc[i] - truth) / truth);
    }
    INFO("largest relative error " << worst << " in " << t.stats.steps << " rosenbrock4 steps");
    CHECK(worst < 1e-6);

    // without the fallback the same run fails, and says how far dopri5 got
    Problem no_fallback = mobsim::test::problem_from_yaml(scenario);
    no_fallback.solver.stiff_fallback.reset();
    CHECK_THROWS_WITH(simulate(no_fallback), Catch::Contains("step limit of 2000 steps"));
}
