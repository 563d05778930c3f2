// Dataset event semantics (NONMEM users guide VI, "PREDPP": ADDL/II, SS=1 and 2, EVID 3/4, RATE -2, record
// order at equal times, lag) against closed-form one-compartment solutions (Gibaldi & Perrier, ch. 1 and 3).
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/io/dataset_problem.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

constexpr double CL = 4.0, V = 40.0, k = CL / V, ka = 1.5;

// linear_pk with a lag on the depot, F 0.5 on the central compartment and a model-set infusion duration of
// 2 h (RATE -2) into it: the hooks a dataset's doses use.
class HookedSystem : public OdeSystem {
public:
    explicit HookedSystem(std::unique_ptr<OdeSystem> inner) : inner_(std::move(inner)) {}
    void initial_state(double* x) const override { inner_->initial_state(x); }
    void rhs(double t, const double* x, double* dxdt) const override { inner_->rhs(t, x, dxdt); }
    void observe(double t, const double* x, double* y) const override { inner_->observe(t, x, y); }
    double lag_time_h(int state) const override { return state == 0 ? 3.0 : 0.0; }
    double bioavailability(int state, double) const override { return state == 1 ? f_central : 1.0; }
    double infusion_duration_h(int state, double) const override { return state == 1 ? 2.0 : 0.0; }
    double f_central = 1.0;

private:
    std::unique_ptr<OdeSystem> inner_;
};

class HookedModel : public Model {
public:
    HookedModel(std::shared_ptr<const Model> inner, double f_central) : inner_(std::move(inner)), f_(f_central) {}
    std::string name() const override { return "hooked_linear_pk"; }
    std::string description() const override { return "test"; }
    const std::vector<StateInfo>& states() const override { return inner_->states(); }
    const std::vector<ParameterInfo>& parameters() const override { return inner_->parameters(); }
    const std::vector<CovariateInfo>& covariates() const override { return inner_->covariates(); }
    const std::vector<OutputInfo>& outputs() const override { return inner_->outputs(); }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        auto s = std::make_unique<HookedSystem>(inner_->bind(p, c));
        s->f_central = f_;
        return s;
    }

private:
    std::shared_ptr<const Model> inner_;
    double f_;
};

// Simulates the dataset's subject 1 on a 0.25 h grid to end_h with linear_pk (or its hooked variant).
Trajectory run(const std::string& records, double end_h, bool hooked = false, double f_central = 1.0) {
    Problem p = test::problem_from_yaml(
        "model: linear_pk\nparameters: {CL: 4.0, V1: 40.0, ka: 1.5}\noutput: {end_h: " + std::to_string(end_h) +
        ", step_h: 0.25}\nsolver: {rtol: 1.0e-11, atol: 1.0e-13}\n");
    if (hooked) p.model = std::make_shared<HookedModel>(p.model, f_central);
    const Dataset d = read_dataset_text(records, "nm.csv", dataset_schema(*p.model));
    p.history = d.subject("1").dosing;
    return simulate(p);
}

double at(const Trajectory& t, double time) {
    for (std::size_t i = 0; i < t.time_h.size(); ++i)
        if (std::abs(t.time_h[i] - time) < 1e-9) return t.at(i, 0);  // conc_central
    FAIL("no grid time " << time);
    return 0.0;
}

// Largest relative error of conc_central against truth(t) where the truth exceeds 1e-8 mg/L.
template <class Truth>
double worst(const Trajectory& t, Truth truth) {
    double w = 0.0;
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        const double c = truth(t.time_h[i]);
        if (c > 1e-8) w = std::max(w, test::relative_error(t.at(i, 0), c));
        else CHECK(std::abs(t.at(i, 0)) < 1e-10);
    }
    return w;
}

}  // namespace

TEST_CASE("ADDL and II repeat a bolus and a dose precedes an observation at its time", "[dataset][events]") {
    const Trajectory t = run("ID,TIME,AMT,CMT,II,ADDL\n1,0,100,central,12,3\n", 60);
    CHECK(worst(t, [](double s) {
        double c = 0.0;
        for (int n = 0; n <= 3; ++n)
            if (s >= 12.0 * n) c += 100.0 / V * std::exp(-k * (s - 12.0 * n));
        return c;
    }) < 1e-8);
    CHECK(at(t, 12.0) == Approx(100.0 / V * (1.0 + std::exp(-12.0 * k))).epsilon(1e-9));  // after the dose at 12
}

TEST_CASE("SS=1 bolus starts at the periodic state and SS=2 adds to what is there", "[dataset][events]") {
    const double r = 1.0 / (1.0 - std::exp(-12.0 * k));
    // an earlier dose is wiped out by the SS=1 reset at 30
    const Trajectory ss1 = run("ID,TIME,AMT,CMT,II,SS,ADDL\n1,0,500,central,0,0,0\n1,30,100,central,12,1,2\n", 90);
    CHECK(worst(ss1, [&](double s) {
        if (s < 30.0) return 500.0 / V * std::exp(-k * s);
        const double last = 30.0 + 12.0 * std::min(2.0, std::floor((s - 30.0) / 12.0));
        return 100.0 / V * r * std::exp(-k * (s - last));
    }) < 1e-7);
    const Trajectory ss2 = run("ID,TIME,AMT,CMT,II,SS\n1,0,500,central,0,0\n1,30,100,central,12,2\n", 40);
    CHECK(worst(ss2, [&](double s) {
        double c = 500.0 / V * std::exp(-k * s);
        if (s >= 30.0) c += 100.0 / V * r * std::exp(-k * (s - 30.0));
        return c;
    }) < 1e-7);
}

TEST_CASE("SS=1 infusion starts at the periodic infusion state", "[dataset][events]") {
    // 100 mg over 2 h (RATE 50) every 12 h: trough R/CL (1 - e^-kT) e^-k(tau-T) / (1 - e^-k tau)
    const double R = 50.0, T = 2.0, tau = 12.0;
    const double trough = R / CL * (1 - std::exp(-k * T)) * std::exp(-k * (tau - T)) / (1 - std::exp(-k * tau));
    const double peak = R / CL * (1 - std::exp(-k * T)) / (1 - std::exp(-k * tau));
    const Trajectory t = run("ID,TIME,AMT,CMT,RATE,II,SS\n1,0,100,central,50,12,1\n", 12);
    CHECK(worst(t, [&](double s) {
        return s <= T ? R / CL * (1 - std::exp(-k * s)) + trough * std::exp(-k * s) : peak * std::exp(-k * (s - T));
    }) < 1e-7);
}

TEST_CASE("EVID 3 resets every state and EVID 4 resets then doses", "[dataset][events]") {
    const Trajectory t = run("ID,TIME,EVID,AMT,CMT\n1,0,1,100,central\n1,10,3,0,.\n1,20,1,50,central\n"
                             "1,30,4,80,central\n", 40);
    CHECK(worst(t, [&](double s) {
        if (s < 10.0) return 100.0 / V * std::exp(-k * s);
        if (s < 20.0) return 0.0;
        if (s < 30.0) return 50.0 / V * std::exp(-k * (s - 20.0));
        return 80.0 / V * std::exp(-k * (s - 30.0));
    }) < 1e-8);
}

TEST_CASE("RATE -2 takes the model's duration and F shortens a given-rate infusion", "[dataset][events]") {
    const Trajectory modelled = run("ID,TIME,AMT,CMT,RATE\n1,0,100,central,-2\n", 12, true, 0.5);
    const double R = 0.5 * 100.0 / 2.0;  // F 0.5 of 100 mg over the model's 2 h
    const auto infusion = [&](double rate, double T) {
        return [=](double s) {
            return s <= T ? rate / CL * (1 - std::exp(-k * s)) : rate / CL * (1 - std::exp(-k * T)) * std::exp(-k * (s - T));
        };
    };
    CHECK(worst(modelled, infusion(R, 2.0)) < 1e-8);
    // RATE 50 of 100 mg with F 0.5: NONMEM keeps the rate, so the infusion lasts F * AMT / RATE = 1 h
    const Trajectory given = run("ID,TIME,AMT,CMT,RATE\n1,0,100,central,50\n", 12, true, 0.5);
    CHECK(worst(given, infusion(50.0, 1.0)) < 1e-8);
    CHECK_THROWS_WITH(run("ID,TIME,AMT,CMT,RATE\n1,0,100,central,-2\n", 12, false),
                      Catch::Contains("line 2: RATE -2 asks the model for the duration"));
}

TEST_CASE("a lag time makes an earlier dose arrive after a later one", "[dataset][events]") {
    // 100 mg into the depot at 0 (lag 3 h: arrives at 3) and 40 mg into central at 1
    const Trajectory t = run("ID,TIME,AMT,CMT\n1,0,100,depot\n1,1,40,central\n", 24, true);
    CHECK(worst(t, [&](double s) {
        double c = s >= 1.0 ? 40.0 / V * std::exp(-k * (s - 1.0)) : 0.0;
        if (s > 3.0) c += 100.0 * ka / (V * (ka - k)) * (std::exp(-k * (s - 3.0)) - std::exp(-ka * (s - 3.0)));
        return c;
    }) < 1e-7);
}
