// Model files (docs/model-files.md): dose properties the engine applies — model-set infusions (a regimen's
// `duration_h: model` / `rate_per_h: model`, a dataset's RATE -2 / -1) — and steady-state initial values
// (`init = steady`), with their parameter sensitivities, against closed forms.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/base/config.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

Problem problem_for(const std::string& model, const std::string& rest) {
    const Scenario s = read_scenario_node(load_config_text("model: " + model + "\n" + rest, "test.yaml"));
    return build_problem(s, test::registry_with_model_files().create(s.model));
}

// One compartment, linear elimination; the model sets the infusion into `central`: a duration Tinf, and a rate
// that gives the same duration for any amount (rate = amount / Tinf), as NONMEM's D1 and R1 would.
const std::string kInfusionModel =
    "parameter CL = 4 [L/h]\nparameter V = 30 [L]\nparameter Tinf = 2.5 [h] bounds(0.01, 48)\n"
    "state central [mg] dosable\nd/dt(central) = -CL / V * central\n"
    "dose central duration = Tinf\ndose central rate = amount / Tinf\n"
    "output conc [mg/L] = central / V\n";

// Zero-order input of `dose` over `tinf` into one compartment: C = k0/CL (1 - e^(-ke t)) during, then decay.
double infusion_conc(double t, double dose, double tinf, double cl, double v) {
    const double ke = cl / v, k0 = dose / tinf;
    if (t <= tinf) return k0 / cl * (1 - std::exp(-ke * t));
    return k0 / cl * (1 - std::exp(-ke * tinf)) * std::exp(-ke * (t - tinf));
}

}  // namespace

TEST_CASE("a model file's infusion duration and rate follow the zero-order closed form during and after") {
    const std::string model = test::write_temp_file("infusion.model", kInfusionModel);
    for (const std::string ask : {"duration_h: model", "rate_per_h: model"}) {
        INFO(ask);
        const Problem p = problem_for(model, "parameters: {Tinf: 3.0}\n"
                                             "regimens: [{into: central, amount: 120, unit: mg, at_h: [1], " + ask + "}]\n"
                                             "output: {end_h: 24, step_h: 0.25}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
        const Trajectory t = simulate(p);
        const std::vector<double> conc = t.column("conc");
        double worst = 0;
        for (std::size_t i = 0; i < t.time_h.size(); ++i) {
            const double s = t.time_h[i] - 1.0;
            const double truth = s <= 0 ? 0.0 : infusion_conc(s, 120, 3.0, 4, 30);
            worst = std::max(worst, std::abs(conc[i] - truth) / std::max(truth, 1e-3));
        }
        CHECK(worst <= 1e-8);
        // the infusion's end (t = 4) is a kink the closed form places exactly: the peak is there
        CHECK(conc[16] == Approx(infusion_conc(3.0, 120, 3.0, 4, 30)).epsilon(1e-9));
    }
}

TEST_CASE("asking for a model infusion the model file does not set is an input error naming the state") {
    const std::string model = test::write_temp_file(
        "no_infusion.model", "parameter k = 0.1 [1/h]\nstate a [mg]\nd/dt(a) = -k * a\noutput x [mg] = a\n");
    const Problem p = problem_for(model, "regimens: [{into: a, amount: 10, unit: mg, at_h: [0], duration_h: model}]\n"
                                         "output: {end_h: 4, step_h: 1}\n");
    CHECK_THROWS_WITH(simulate(p), Catch::Contains("sets no duration for state 'a'"));
}

namespace {

// An indirect-response (turnover) model, R' = kin (1 - Imax C / (IC50 + C)) - kout R, starting at the untreated
// steady state kin/kout; and a Friberg-type feedback pair whose steady state is nonlinear in the states:
// P' = kp P (Q0/Q)^g - kp P, Q' = kp P - kq Q, at rest where Q = Q0 and P = kq Q0 / kp.
// (It has the trivial rest point 0 too, which Newton reaches from a start far off, e.g. 1: hence the starting points.)
const std::string kSteadyModel =
    "parameter kin = 5 [mg/h]\nparameter kout = 0.2 [1/h]\nparameter ke = 0.3 [1/h]\nparameter IC50 = 2 [mg]\n"
    "parameter kp = 0.05 [1/h]\nparameter kq = 0.4 [1/h]\nparameter Q0 = 7 [cells]\nparameter g = 0.3 [1]\n"
    "state C [mg] dosable\nstate R [mg] init = steady\nstate P [cells] init = steady(30)\nstate Q [cells] init = steady(5)\n"
    "d/dt(C) = -ke * C\nd/dt(R) = kin * (1 - C / (IC50 + C)) - kout * R\n"
    "d/dt(P) = kp * P * (Q0 / Q)^g - kp * P\nd/dt(Q) = kp * P - kq * Q\n"
    "output response [mg] = R\noutput prolif [cells] = P\noutput circ [cells] = Q\n";

}  // namespace

TEST_CASE("init = steady starts a state at the untreated steady state (linear or not)") {
    const std::string model = test::write_temp_file("steady.model", kSteadyModel);
    const Problem p = problem_for(model, "parameters: {kin: 3.0, kout: 0.15, kq: 0.5, Q0: 9.0}\n"
                                         "output: {end_h: 48, step_h: 12}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
    const Trajectory t = simulate(p);
    // untreated, the system stays where it started: at the closed-form steady state
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        CHECK(t.column("response")[i] == Approx(3.0 / 0.15).epsilon(1e-9));
        CHECK(t.column("circ")[i] == Approx(9.0).epsilon(1e-9));
        CHECK(t.column("prolif")[i] == Approx(0.5 * 9.0 / 0.05).epsilon(1e-9));
    }
    // a dose moves the response away, and it returns toward kin/kout
    const Trajectory dosed = simulate(problem_for(model, "parameters: {kin: 3.0, kout: 0.15}\n"
                                                         "regimens: [{into: C, amount: 10, unit: mg, at_h: [0]}]\n"
                                                         "output: {end_h: 200, step_h: 10}\n"));
    CHECK(dosed.column("response")[0] == Approx(20.0).epsilon(1e-12));
    CHECK(dosed.column("response")[1] < 19.0);
    CHECK(dosed.column("response")[20] == Approx(20.0).epsilon(1e-3));
}

TEST_CASE("steady-state initial values carry their parameter sensitivities (implicit function theorem)") {
    const std::string path = test::write_temp_file("steady_sens.model", kSteadyModel);
    const auto model = test::registry_with_model_files().create(path);
    const auto code = model_file::model_file_functions(*model);
    REQUIRE(code.sensitivities);
    const std::vector<double> par = model->default_parameters();
    const int np = static_cast<int>(par.size()), n = 4;
    std::vector<double> pre(64), dpre(64 * np), x(n), dx(n * np);
    code.sensitivities->prepare(par.data(), nullptr, pre.data(), dpre.data());
    code.sensitivities->initial_state(par.data(), nullptr, pre.data(), dpre.data(), x.data(), dx.data());
    const double kin = 5, kout = 0.2, kp = 0.05, kq = 0.4, q0 = 7;
    CHECK(x[1] == Approx(kin / kout).epsilon(1e-13));
    CHECK(dx[1 * np + 0] == Approx(1 / kout).epsilon(1e-12));            // dR/dkin
    CHECK(dx[1 * np + 1] == Approx(-kin / (kout * kout)).epsilon(1e-12));  // dR/dkout
    CHECK(dx[2 * np + 4] == Approx(-kq * q0 / (kp * kp)).epsilon(1e-10));  // dP/dkp
    CHECK(dx[2 * np + 6] == Approx(kq / kp).epsilon(1e-10));               // dP/dQ0
    CHECK(dx[3 * np + 6] == Approx(1.0).epsilon(1e-10));                   // dQ/dQ0
    CHECK(std::abs(dx[3 * np + 7]) < 1e-10);                               // dQ/dg: none
}

TEST_CASE("a state without a steady state, or a cumulative one, is reported") {
    const std::string path = test::write_temp_file(
        "no_steady.model", "parameter kin = 1 [mg/h]\nstate A [mg] init = steady\nd/dt(A) = kin\noutput a [mg] = A\n");
    CHECK_THROWS_WITH(simulate(problem_for(path, "output: {end_h: 1, step_h: 1}\n")),
                      Catch::Contains("no steady state found for state 'A' (init = steady)"));
    CHECK_THROWS_WITH(model_file::check_model_text("state A [mg] cumulative init = steady\nd/dt(A) = 1\n", "m.model"),
                      "m.model:1:7: state 'A' is cumulative (an accumulator), so it has no steady state");
}
