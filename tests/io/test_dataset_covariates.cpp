// Time-varying dataset covariates: a clearance that follows a covariate changes at a known time, so the
// concentration declines piecewise exponentially (one compartment: C(t) = sum over doses of D/V exp(-(K(t) -
// K(t_dose))), K the integral of CL(s)/V). NONMEM's rule (next observation carried backward) puts the change at
// the record before the new value, last observation carried forward at the record that gives it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "sim/io/dataset_problem.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

constexpr double V = 40.0, CL_REF = 4.0;  // CL = CL_REF * CRCL / 100

// linear_pk whose clearance scales with the covariate CRCL (mL/min, 100 = the reference), and which records the
// time of the last dose into the central compartment as a model with a dose clock does.
class CovariateSystem : public OdeSystem {
public:
    CovariateSystem(std::unique_ptr<OdeSystem> inner, std::vector<double>* dose_log) : inner_(std::move(inner)), log_(dose_log) {}
    void initial_state(double* x) const override { inner_->initial_state(x); }
    void rhs(double t, const double* x, double* dxdt) const override { inner_->rhs(t, x, dxdt); }
    void observe(double t, const double* x, double* y) const override { inner_->observe(t, x, y); }
    void on_dose(int state, double t) override {
        if (state == 1 && log_) log_->push_back(t);
    }

private:
    std::unique_ptr<OdeSystem> inner_;
    std::vector<double>* log_;
};

class CovariateModel : public Model {
public:
    explicit CovariateModel(std::shared_ptr<const Model> inner) : inner_(std::move(inner)) {}
    std::string name() const override { return "crcl_linear_pk"; }
    std::string description() const override { return "test"; }
    const std::vector<StateInfo>& states() const override { return inner_->states(); }
    const std::vector<ParameterInfo>& parameters() const override { return inner_->parameters(); }
    const std::vector<CovariateInfo>& covariates() const override {
        static const std::vector<CovariateInfo> c = {{"CRCL", "mL/min", "creatinine clearance"}};
        return c;
    }
    const std::vector<OutputInfo>& outputs() const override { return inner_->outputs(); }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        std::vector<double> scaled = p;
        scaled[1] *= c.at(0) / 100.0;  // CL
        return std::make_unique<CovariateSystem>(inner_->bind(scaled, {}), dose_log);
    }
    mutable std::vector<double>* dose_log = nullptr;  // every system's on_dose times, when set

private:
    std::shared_ptr<const Model> inner_;
};

Trajectory run(const std::string& records, double end_h, CovariateCarry carry, std::vector<double>* dose_log = nullptr) {
    Problem base = test::problem_from_yaml("model: linear_pk\nparameters: {CL: 4.0, V1: 40.0}\noutput: {end_h: " +
                                           std::to_string(end_h) + ", step_h: 0.5}\nsolver: {rtol: 1.0e-11, atol: 1.0e-13}\n");
    auto model = std::make_shared<CovariateModel>(base.model);
    model->dose_log = dose_log;
    base.model = model;
    base.covariates = {100.0};
    DatasetSchema schema = dataset_schema(*model);
    schema.covariate_carry = carry;
    const Dataset d = read_dataset_text(records, "nm.csv", schema);
    return simulate(with_subject(base, d.subject("1"), "nm.csv"));
}

// Largest relative error of conc_central against truth(t).
template <class Truth>
double worst(const Trajectory& t, Truth truth) {
    double w = 0.0;
    for (std::size_t i = 0; i < t.time_h.size(); ++i) w = std::max(w, test::relative_error(t.at(i, 0), truth(t.time_h[i])));
    return w;
}

// K(t) for a clearance of CL_REF up to `change` and CL_REF / 2 after it.
double elimination_integral(double t, double change) {
    const double k1 = CL_REF / V, k2 = 0.5 * CL_REF / V;
    return k1 * std::min(t, change) + k2 * std::max(0.0, t - change);
}

// 100 mg at 0, 12 and 24 h (ADDL); CRCL 100 recorded at 0 and 12, 50 at 24 and 48.
const std::string kRecords =
    "ID,TIME,EVID,AMT,CMT,II,ADDL,DV,CRCL\n1,0,1,100,central,12,2,.,100\n1,12,0,.,conc_central,.,.,1,100\n"
    "1,24,0,.,conc_central,.,.,1,50\n1,48,0,.,conc_central,.,.,1,50\n";

double superposed(double t, double change) {
    double c = 0.0;
    for (double dose : {0.0, 12.0, 24.0})
        if (t >= dose) c += 100.0 / V * std::exp(-(elimination_integral(t, change) - elimination_integral(dose, change)));
    return c;
}

}  // namespace

TEST_CASE("a covariate that changes carries backward from its record by default as in NONMEM", "[dataset][covariates]") {
    // next observation carried backward: CRCL 50 recorded at 24 holds over (12, 24], so clearance halves at 12
    const Trajectory t = run(kRecords, 60, CovariateCarry::next_backward);
    CHECK(worst(t, [](double s) { return superposed(s, 12.0); }) < 1e-8);
}

TEST_CASE("a covariate carried forward changes at the record that gives it", "[dataset][covariates]") {
    const Trajectory t = run(kRecords, 60, CovariateCarry::last_forward);
    CHECK(worst(t, [](double s) { return superposed(s, 24.0); }) < 1e-8);
}

TEST_CASE("an infusion running across a covariate change keeps its rate", "[dataset][covariates]") {
    // 100 mg at 10 mg/h (0-10 h); CRCL 100 at 0 and 4, 50 at 8: clearance halves at 4 (nocb)
    const double R = 10.0, k1 = CL_REF / V, k2 = 0.5 * k1, CL2 = 0.5 * CL_REF;
    const double c4 = R / CL_REF * (1 - std::exp(-k1 * 4.0));
    const double c10 = R / CL2 + (c4 - R / CL2) * std::exp(-k2 * 6.0);
    std::vector<double> doses;
    const Trajectory t = run("ID,TIME,EVID,AMT,CMT,RATE,DV,CRCL\n1,0,1,100,central,10,.,100\n"
                             "1,4,0,.,conc_central,.,1,100\n1,8,0,.,conc_central,.,1,50\n",
                             30, CovariateCarry::next_backward, &doses);
    CHECK(worst(t, [&](double s) {
        if (s <= 4.0) return R / CL_REF * (1 - std::exp(-k1 * s));
        if (s <= 10.0) return R / CL2 + (c4 - R / CL2) * std::exp(-k2 * (s - 4.0));
        return c10 * std::exp(-k2 * (s - 10.0));
    }) < 1e-8);
    // the system bound at 4 h learns the dose given at 0 (replayed), then continues the infusion from 4 h
    CHECK(std::count(doses.begin(), doses.end(), 0.0) == 2);
}

TEST_CASE("a subject's covariate values between records follow the chosen direction", "[dataset][covariates]") {
    const std::string records = "ID,TIME,AMT,CMT,DV,WT\n1,0,100,1,.,70\n1,10,.,.,1,70\n1,20,.,.,1,80\n1,30,.,.,1,.\n";
    DatasetSchema schema{{"central"}, {}};
    const Subject nocb = read_dataset_text(records, "nm.csv", schema).subject("1");
    CHECK(nocb.covariate("WT", 15.0) == 80.0);
    CHECK(nocb.covariate("WT", 10.0) == 70.0);
    schema.covariate_carry = CovariateCarry::last_forward;
    const Subject locf = read_dataset_text(records, "nm.csv", schema).subject("1");
    CHECK(locf.covariate("WT", 15.0) == 70.0);
    CHECK(locf.covariate("WT", 20.0) == 80.0);
    CHECK(locf.covariate("WT", 100.0) == 80.0);
    CHECK(locf.has_time_varying_covariates());
    CHECK_THROWS_WITH(covariate_carry_named("lcof", "--covariate-direction"), Catch::Contains("did you mean 'locf'"));
}
