// Jacobians (forward-mode dual numbers through the templated rhs) and df/dt of the models against an independent truth: Richardson-extrapolated central
// differences of rhs() at real states of the trial scenario (and of the standalone drug models); and rosenbrock4
// with the analytic Jacobian against dopri5 over the trial's dosing weeks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <sstream>

#include "sim/studies/benchmark.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
using mobsim::test::problem_from_yaml;

namespace {

Problem trial_problem() {
    static const ModelRegistry registry = models::builtin_models();
    const auto file = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "trial_800mg.yaml";
    const Scenario scenario = read_scenario(file.string());
    return build_problem(scenario, registry.create(scenario.model));
}

double parameter(const Problem& p, const std::string& name) {
    return p.parameters.at(static_cast<std::size_t>(p.model->parameter_index(name)));
}

// Largest |x_j| of each state over the run (hourly): sets the perturbation scale of states that are near zero.
std::vector<double> state_peaks(const Problem& p) {
    std::vector<double> peaks(p.model->states().size(), 0.0), grid;
    for (double t = 0.0; t <= p.end_h; t += 1.0) grid.push_back(t);
    simulate_states(p, grid, [&](const OdeSystem&, double, const double* x) {
        for (std::size_t j = 0; j < peaks.size(); ++j) peaks[j] = std::max(peaks[j], std::abs(x[j]));
    });
    return peaks;
}

// Richardson-extrapolated central difference of g(h) (a vector) at h = 0, steps h and h/2: error O(h^4).
template <class Eval>
void richardson_derivative(const Eval& g, double h, int n, double* out) {
    std::vector<double> plus(n), minus(n), plus2(n), minus2(n);
    g(h, plus.data());
    g(-h, minus.data());
    g(h / 2, plus2.data());
    g(-h / 2, minus2.data());
    for (int i = 0; i < n; ++i) {
        const double coarse = (plus[i] - minus[i]) / (2 * h), fine = (plus2[i] - minus2[i]) / h;
        out[i] = (4 * fine - coarse) / 3;
    }
}

// Largest error / allowance over the entries of J and of df/dt (an entry passes below 1), and where;
// and the largest |df/dt| entry.
struct Mismatch {
    double jacobian = 0.0, time = 0.0;
    std::string jacobian_where, time_where;
    double largest_dfdt = 0.0;
};

// Compares the analytic J and df/dt with differences at (t, x). Column j is perturbed by 1e-3 s_j, where
// s_j = max(|x_j|, 1e-3 peak_j) is the state's scale; t by 1e-4 h. An entry passes when
//   |J_ij - FD_ij| <= 1e-7 |FD_ij| + 1e-8 row_i / s_j,   row_i = max_k |FD_ik| s_k  (the row's largest term),
// so an entry carrying 1e-6 of its row must be right to 1%; df/dt likewise with a 1 h scale. The 1e-8 is set by
// rounding in the differences of the G-CSF row (free G-CSF is a difference of nearly equal numbers at baseline).
Mismatch compare_with_differences(const Model& model, const OdeSystem& system, double t, const double* x0,
                                  const std::vector<double>& peaks) {
    const int n = static_cast<int>(peaks.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> J(n * n, nan), dfdt(n, nan);
    REQUIRE(system.jacobian(t, x0, J.data(), dfdt.data()));
    for (double v : J) REQUIRE(std::isfinite(v));  // every entry written, zeros too
    for (double v : dfdt) REQUIRE(std::isfinite(v));

    std::vector<double> scale(n), fd(n * n), fd_t(n), column(n), xp(x0, x0 + n);
    for (int j = 0; j < n; ++j) {
        scale[j] = std::max(std::abs(x0[j]), 1e-3 * peaks[j]);
        REQUIRE(scale[j] > 0.0);
        richardson_derivative(
            [&](double h, double* f) {
                xp[j] = x0[j] + h;
                system.rhs(t, xp.data(), f);
                xp[j] = x0[j];
            },
            1e-3 * scale[j], n, column.data());
        for (int i = 0; i < n; ++i) fd[i * n + j] = column[i];
    }
    richardson_derivative([&](double h, double* f) { system.rhs(t + h, x0, f); }, 1e-4, n, fd_t.data());

    Mismatch m;
    auto check = [&](double analytic, double truth, double allowance, double& worst, std::string& where,
                     const std::string& what) {
        double ratio = std::abs(analytic - truth) / allowance;
        if (std::isnan(ratio)) ratio = std::numeric_limits<double>::infinity();
        if (ratio < worst) return;
        worst = ratio;
        std::ostringstream s;
        s.precision(10);
        s << what << " at t = " << t << ": analytic " << analytic << ", differences " << truth;
        where = s.str();
    };
    const auto& states = model.states();
    for (int i = 0; i < n; ++i) {
        double row = std::numeric_limits<double>::min();
        for (int k = 0; k < n; ++k) row = std::max(row, std::abs(fd[i * n + k]) * scale[k]);
        for (int j = 0; j < n; ++j)
            check(J[i * n + j], fd[i * n + j], 1e-7 * std::abs(fd[i * n + j]) + 1e-8 * row / scale[j], m.jacobian,
                  m.jacobian_where, "d " + states[i].name + " / d " + states[j].name);
        check(dfdt[i], fd_t[i], 1e-7 * std::abs(fd_t[i]) + 1e-8 * row, m.time, m.time_where,
              "d " + states[i].name + " / dt");
        m.largest_dfdt = std::max(m.largest_dfdt, std::abs(dfdt[i]));
    }
    return m;
}

// Checks J and df/dt at each of `times` (sorted report times: after any dose given then) of problem p; returns
// the largest |df/dt| entry found. Every state is stepped: the states only need to be real ones.
double check_at_times(Problem p, const std::vector<double>& times) {
    p.end_h = times.back() + 1;
    p.solver.exact_linear_blocks = false;
    const auto peaks = state_peaks(p);
    std::vector<Mismatch> found;
    simulate_states(p, times, [&](const OdeSystem& system, double t, const double* x) {
        found.push_back(compare_with_differences(*p.model, system, t, x, peaks));
    });
    REQUIRE(found.size() == times.size());
    double largest_dfdt = 0.0;
    for (const auto& m : found) {
        INFO(m.jacobian_where);
        CHECK(m.jacobian < 1.0);
        INFO(m.time_where);
        CHECK(m.time < 1.0);
        largest_dfdt = std::max(largest_dfdt, m.largest_dfdt);
    }
    return largest_dfdt;
}

// The trial at tight tolerance over its first 14 days (all plerixafor/G-CSF doses), hourly outputs.
Problem tight_trial(const std::string& method, double rtol) {
    Problem p = trial_problem();
    p.end_h = 336;
    p.grid.clear();
    for (double t = 0.0; t <= p.end_h; t += 1.0) p.grid.push_back(t);
    p.solver.method = method;
    p.solver.exact_linear_blocks = false;  // every state stepped: the whole analytic Jacobian is used
    p.solver.rtol = rtol;
    p.solver.atol = rtol * 1e-2;
    return p;
}

}  // namespace

TEST_CASE("trial model: the analytic Jacobian is the derivative of rhs() at real states", "[jacobian]") {
    // before dosing, 3 h after the day-1 plerixafor/G-CSF doses, 1 h after the first gallbladder switch (emptying),
    // 3 h after the day-5 doses and on a quiet day (gallbladder closed)
    const double t_switch = parameter(trial_problem(), "sorafenib_tEHC");
    const double largest_dfdt = check_at_times(trial_problem(), {0, 8 + 3, 8 + t_switch + 1, 104 + 3, 480});
    CHECK(largest_dfdt == 0.0);  // instantaneous gallbladder switch: rhs does not depend on t
}

// Sorted random report times in (0, end_h): states the scenario really passes through, not chosen by hand.
std::vector<double> random_times(unsigned seed, int count, double end_h) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, end_h);
    std::vector<double> times(count);
    for (double& t : times) t = uniform(rng);
    std::sort(times.begin(), times.end());
    return times;
}

TEST_CASE("trial model: the dual-number Jacobian matches central differences at random real states", "[jacobian]") {
    check_at_times(trial_problem(), random_times(21, 4, 672.0));
}

TEST_CASE("trial model: the dual-number Jacobian matches central differences at random states off the trajectory", "[jacobian]") {
    // real states of the run, each state scaled by a random log-normal factor (SD 0.3): every component (the drug
    // blocks, the niche, the cell traffic) away from the path the solver takes, where a wrong cross term shows
    Problem p = trial_problem();
    p.solver.exact_linear_blocks = false;
    const auto peaks = state_peaks(p);
    const auto times = random_times(22, 3, 672.0);
    std::mt19937_64 rng(23);
    std::normal_distribution<double> normal(0.0, 0.3);
    std::vector<Mismatch> found;
    simulate_states(p, times, [&](const OdeSystem& system, double t, const double* x) {
        std::vector<double> moved(x, x + peaks.size());
        for (double& v : moved) v *= std::exp(normal(rng));
        found.push_back(compare_with_differences(*p.model, system, t, moved.data(), peaks));
    });
    REQUIRE(found.size() == times.size());
    for (const auto& m : found) {
        INFO(m.jacobian_where);
        CHECK(m.jacobian < 1.0);
    }
}

TEST_CASE("trial model, a very stiff patient (mobilization gain 31): Jacobian", "[jacobian]") {
    Problem p = trial_problem();
    set_parameter(p, "mobilization_gain", 31, "test");
    p.solver.method = "rosenbrock4";  // dopri5 runs out of steps here
    p.solver.rtol = 1e-5;
    p.solver.atol = 1e-7;
    check_at_times(p, {0, 8 + 3, 104 + 3, 480});
}

TEST_CASE("trial model, a patient of atypical receptor expression: Jacobian", "[jacobian]") {
    // expression enters the bonds and the pool gains; typical expression would hide a wrong derivative there
    Problem p = trial_problem();
    const auto& covariates = p.model->covariates();
    for (std::size_t c = 0; c < covariates.size(); ++c) {
        if (covariates[c].name == "cxcr4_expression") p.covariates[c] = 1.8;
        if (covariates[c].name == "vla4_expression") p.covariates[c] = 0.6;
        if (covariates[c].name == "cd44_expression") p.covariates[c] = 1.3;
    }
    check_at_times(p, {0, 8 + 3, 104 + 3, 480});
}

TEST_CASE("trial model with a Hill gallbladder switch (n = 40): Jacobian and df/dt around t'", "[jacobian]") {
    Problem p = trial_problem();
    set_parameter(p, "sorafenib_hill_EHC", 40, "test");
    const double t_switch = parameter(p, "sorafenib_tEHC");  // after the first dose at 8 h and the day-5 one
    const double largest_dfdt = check_at_times(p, {8 + t_switch - 0.1, 8 + t_switch, 8 + t_switch + 0.05, 104 + t_switch});
    CHECK(largest_dfdt > 1.0);  // mg/h^2: the switch makes the bile flow depend on t
}

TEST_CASE("standalone composed models: dual-number Jacobians", "[jacobian]") {
    const std::string sorafenib =
        "model: sorafenib_pk\npatient: {weight_kg: 80}\nparameters: {sorafenib_hill_EHC: 40}\nregimens:\n"
        "  - {label: sorafenib, into: sorafenib_depot, amount: 600, unit: mg, every_h: 12, count: 4}\n"
        "output: {end_h: 48, step_h: 1}\n";
    CHECK(check_at_times(problem_from_yaml(sorafenib), {2, 6.13, 12 + 6.2, 40}) > 0.0);
    const std::string plerixafor =
        "model: plerixafor_pk\npatient: {weight_kg: 70, crcl_mL_min: 90}\nregimens:\n"
        "  - {label: plerixafor, into: plerixafor_depot, amount: 240, unit: ug/kg, at_h: [0]}\n"
        "output: {end_h: 24, step_h: 1}\n";
    check_at_times(problem_from_yaml(plerixafor), {0, 1, 12});
    const std::string filgrastim =
        "model: filgrastim_pk\nregimens:\n"
        "  - {label: filgrastim, into: filgrastim_depot, amount: 700, unit: ug, every_h: 48, count: 4}\n"
        "output: {end_h: 240, step_h: 1}\n";
    check_at_times(problem_from_yaml(filgrastim), {0, 3, 50, 230});
    // and at random real states of each
    check_at_times(problem_from_yaml(sorafenib), random_times(1, 3, 47.0));
    check_at_times(problem_from_yaml(plerixafor), random_times(2, 3, 23.0));
    check_at_times(problem_from_yaml(filgrastim), random_times(3, 3, 239.0));
    const std::string gilteritinib =
        "model: gilteritinib_pk\nregimens:\n"
        "  - {label: gilteritinib, into: gilteritinib_depot, amount: 120, unit: mg, every_h: 24, count: 3}\n"
        "output: {end_h: 96, step_h: 1}\n";
    check_at_times(problem_from_yaml(gilteritinib), random_times(5, 3, 95.0));
    const std::string linear =
        "model: linear_pk\nparameters: {Q: 4}\nregimens:\n"
        "  - {label: dose, into: depot, amount: 100, unit: mg, every_h: 12, count: 3}\n"
        "output: {end_h: 48, step_h: 1}\n";
    check_at_times(problem_from_yaml(linear), random_times(4, 3, 47.0));
}

TEST_CASE("rosenbrock4 with the analytic Jacobian agrees with dopri5 on the trial", "[jacobian]") {
    const Trajectory reference = simulate(tight_trial("dopri5", 1e-11));
    const Trajectory stiff = simulate(tight_trial("rosenbrock4", 1e-7));
    CHECK(max_relative_error(stiff, reference, 1e-4, nullptr) < 1e-6);
    // the analytic Jacobian is used: differences would cost 51 right-hand sides per Jacobian
    CHECK(stiff.stats.jacobian_evaluations > 0);
    CHECK(stiff.stats.rhs_evaluations < 20 * stiff.stats.jacobian_evaluations);
}
