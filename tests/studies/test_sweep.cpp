// Sweeps over regimen fields, parameters and covariates against closed-form linear PK and superposition.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/registry.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/sweep.hpp"

#include "test_helpers.hpp"

using namespace mobsim;

namespace {

// One-compartment IV bolus: V = 10 L, k = CL / V; regimen "drug" every 12 h.
const char* kScenario = R"(
scenario:
  model: linear_pk
  parameters: {CL: 2.0, V1: 10.0}
  patient: {weight_kg: 70}
  regimens:
    - {label: drug, into: central, amount: 100, unit: mg, every_h: 12, count: 1}
  output: {end_h: 120, step_h: 0.1}
  solver: {rtol: 1.0e-11, atol: 1.0e-13}
summaries:
  - {name: auc, output: conc_central, kind: auc}
  - {name: c36, output: conc_central, kind: value_at, at_h: 36}
)";

SweepStudy sweep_from(const std::string& grid) {
    static const ModelRegistry registry = models::builtin_models();
    return read_sweep_study(test::write_temp_file("sweep.yaml", kScenario + std::string("grid:\n") + grid), registry);
}

double superposition(double dose, double cl, double t, double every, int count, double shift = 0.0) {
    double c = 0.0;
    for (int j = 0; j < count; ++j)
        if (t >= shift + j * every) c += dose / 10.0 * std::exp(-cl / 10.0 * (t - shift - j * every));
    return c;
}

}  // namespace

TEST_CASE("sweeping the dose scales AUC exactly in proportion (linear PK)") {
    const SweepStudy s = sweep_from("  drug.amount: [50, 100, 400]\n");
    const SweepResult r = run_sweep(s, 2);
    REQUIRE(r.summary_values.size() == 6);
    CHECK(r.axis_values == std::vector<double>{50, 100, 400});
    CHECK(r.summary_values[2] / r.summary_values[0] == Approx(2.0).epsilon(1e-9));
    CHECK(r.summary_values[4] / r.summary_values[0] == Approx(8.0).epsilon(1e-9));
    // and each AUC against the exact integral D/CL (1 - exp(-k T)), up to the trapezoid's (k h)^2/12
    CHECK(r.summary_values[2] == Approx(100.0 / 2.0 * (1 - std::exp(-0.2 * 120))).epsilon(1e-4));
}

TEST_CASE("count, interval, clearance and day shift follow superposition, first axis varies slowest") {
    const SweepStudy s = sweep_from(
        "  drug.count: [1, 3]\n  drug.every_h: [8, 12]\n  drug.start_day_offset: [0, 0.5]\n"
        "  parameters.CL: {from: 1, to: 3, step: 2}\n");
    REQUIRE(s.points() == 16);
    const SweepResult r = run_sweep(s, 3);
    for (std::size_t i = 0; i < 16; ++i) {
        const double count = r.axis_values[i * 4], every = r.axis_values[i * 4 + 1];
        const double shift_days = r.axis_values[i * 4 + 2], cl = r.axis_values[i * 4 + 3];
        CHECK(count == (i < 8 ? 1 : 3));
        CHECK(cl == (i % 2 ? 3 : 1));
        const double expected = superposition(100, cl, 36.0, every, static_cast<int>(count), 24.0 * shift_days);
        CHECK(r.summary_values[i * 2 + 1] == Approx(expected).epsilon(1e-8));
    }
}

TEST_CASE("lag and per-kg doses with a swept weight") {
    std::string grid = "  drug.lag_h: [0, 6]\n  patient.weight_kg: [50, 80]\n";
    SweepStudy s = sweep_from(grid);
    for (auto& reg : s.scenario.regimens) {
        reg.amount = 2.0;
        reg.unit = AmountUnit::mg_per_kg;
    }
    const SweepResult r = run_sweep(s, 2);
    for (std::size_t i = 0; i < 4; ++i) {
        const double lag = r.axis_values[i * 2], weight = r.axis_values[i * 2 + 1];
        CHECK(r.summary_values[i * 2 + 1] == Approx(superposition(2.0 * weight, 2.0, 36.0 - lag, 12, 1)).epsilon(1e-8));
    }
}

TEST_CASE("sweep CSV is identical for 1 and 3 threads and names columns by key") {
    const SweepStudy s = sweep_from("  drug.amount: [50, 100]\n  parameters.CL: [1, 2, 3]\n");
    Provenance p;
    const std::string one = sweep_csv(run_sweep(s, 1), p), three = sweep_csv(run_sweep(s, 3), p);
    CHECK(one == three);
    CHECK(one.rfind("drug.amount,parameters.CL,auc,c36\n50,1,", 0) == 0);
}

TEST_CASE("sweep values that cannot apply are reported before running") {
    CHECK_THROWS_WITH(sweep_from("  drgu.amount: [1]\n"), Catch::Contains("did you mean 'drug'"));
    CHECK_THROWS_WITH(sweep_from("  drug.ammount: [1]\n"), Catch::Contains("did you mean 'amount'"));
    CHECK_THROWS_WITH(sweep_from("  drug.start_day_offset: [-1]\n"), Catch::Contains("before t = 0"));
    CHECK_THROWS_WITH(sweep_from("  drug.count: [1.5]\n"), Catch::Contains("whole count"));
    CHECK_THROWS_WITH(sweep_from("  parameters.CLL: [1]\n"), Catch::Contains("did you mean 'CL'"));
    CHECK_THROWS_WITH(sweep_from("  parameters.CL: [-1]\n"), Catch::Contains("admissible range"));
    CHECK_THROWS_WITH(sweep_from("  patient.height: [1]\n"), Catch::Contains("height"));
    CHECK_THROWS_AS(sweep_from("  drug.amount: []\n"), InputError);
}

TEST_CASE("a zero-dose arm gives zero concentrations") {
    const SweepStudy s = sweep_from("  drug.amount: [0, 100]\n");
    const SweepResult r = run_sweep(s, 1);
    REQUIRE(r.summary_values.size() == 4);
    CHECK(r.summary_values[0] == 0.0);  // no drug, no exposure
    CHECK(r.summary_values[1] == 0.0);
    CHECK(r.summary_values[3] == Approx(superposition(100, 2.0, 36, 12, 1)).epsilon(1e-8));
}

TEST_CASE("overrides: days and clock lists give the doses of a daily schedule, the value check stays") {
    SweepStudy s = sweep_from("  drug.amount: [100]\n");
    Scenario scenario = s.scenario;
    apply_override(scenario, "drug.days", "1,2,4");
    apply_override(scenario, "drug.clock", "08:00,20:30");
    CHECK(administration_times(scenario.regimens[0]) == std::vector<double>{8, 20.5, 32, 44.5, 80, 92.5});
    apply_override(scenario, "drug.amount", "0");
    CHECK(scenario.regimens[0].amount == 0.0);
    apply_override(scenario, "patient.weight_kg", "95");
    CHECK(scenario.patient.at("weight_kg") == 95.0);
    CHECK_THROWS_WITH(apply_override(scenario, "drug.days", "0,1"), Catch::Contains("from 1 to 100000"));
    CHECK_THROWS_WITH(apply_override(scenario, "drug.clock", "25:00"), Catch::Contains("HH:MM"));
    CHECK_THROWS_WITH(apply_override(scenario, "drgu.amount", "5"), Catch::Contains("did you mean 'drug'"));
}
