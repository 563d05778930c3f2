// A VPop file (mobsim vpop) as the population of a sweep and of a cohort-mean fit, against closed forms of a
// one-compartment IV bolus in mg/kg: AUC(0-inf) = dose x weight / CL and peak = dose x weight / V1.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "models/registry.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/fit.hpp"
#include "sim/studies/sweep.hpp"

#include "test_helpers.hpp"

using namespace mobsim;
using Catch::Matchers::Contains;

namespace {

const ModelRegistry& registry() { return test::registry_with_model_files(); }

// three virtual patients as mobsim vpop writes them: index columns, varied values, then a quantity (ignored)
const char* kVpop = "# provenance\npatient,candidate,CL,weight_kg,auc\n0,4,2.5,60,24\n1,9,10,80,8\n2,12,5,100,20\n";

const char* kBolus = R"(model: linear_pk
parameters: {CL: 5.0, V1: 10.0, Q: 0}
patient: {weight_kg: 70}
regimens: [{label: dose, into: central, amount: 1, unit: mg/kg, at_h: [0]}]
output: {end_h: 80, step_h: 0.02}
)";

}  // namespace

TEST_CASE("Sweep across a VPop runs every grid point on every patient", "[vpop][sweep]") {
    test::write_temp_file("consumer_vpop.csv", kVpop);
    test::write_temp_file("consumer_bolus.yaml", kBolus);
    const std::string file = test::write_temp_file("consumer_sweep.yaml", R"(scenario: consumer_bolus.yaml
vpop: consumer_vpop.csv
grid: {dose.amount: [1, 2]}
summaries: [{name: auc, output: conc_central, kind: auc}]
)");
    const SweepStudy study = read_sweep_study(file, registry());
    REQUIRE(study.runs() == 6);
    const SweepResult r = run_sweep(study, 2);
    REQUIRE(r.axis_names == std::vector<std::string>{"dose.amount", "patient"});
    const double cl[] = {2.5, 10, 5}, weight[] = {60, 80, 100};
    for (std::size_t i = 0; i < 6; ++i) {
        const double amount = i < 3 ? 1.0 : 2.0;  // the grid point varies slowest, the patient fastest
        CHECK(r.axis_values[2 * i] == amount);
        CHECK(r.axis_values[2 * i + 1] == static_cast<double>(i % 3));
        // k = CL / V1 >= 0.25 per h: exp(-0.25 x 80) = 2e-9 of the AUC is beyond the end
        CHECK(r.summary_values[i] == Approx(amount * weight[i % 3] / cl[i % 3]).epsilon(2e-3));
    }
    const std::string bad = test::write_temp_file("consumer_sweep_bad.yaml", R"(scenario: consumer_bolus.yaml
vpop: consumer_vpop.csv
grid: {parameters.CL: [1, 2]}
summaries: [{name: auc, output: conc_central, kind: auc}]
)");
    CHECK_THROWS_WITH(read_sweep_study(bad, registry()), Contains("'CL' is a column of the VPop file"));
}

TEST_CASE("Cohort-mean fit on a VPop uses its patients", "[vpop][fit]") {
    test::write_temp_file("consumer_vpop.csv", kVpop);
    test::write_temp_file("consumer_bolus.yaml", kBolus);
    // mean peak over the VPop = 1 mg/kg x mean(60, 80, 100) kg / V1 = 80 / V1; a target of 4 mg/L gives V1 = 20 L
    // (the scenario's 70 kg alone would give 17.5 L)
    test::write_temp_file("consumer_targets.csv", "observableId,measurement,sd,source\npeak,4,0.001,analytic\n");
    const std::string fit_file = test::write_temp_file("consumer_fit.yaml", R"(scenarios: {bolus: consumer_bolus.yaml}
parameters:
  - {parameterId: V1, parameterScale: log10, lowerBound: 1, upperBound: 1000, nominalValue: 50}
observables:
  peak: {output: conc_central, summary: {kind: maximum, start_h: 0, end_h: 80}}
data: {summaries: [consumer_targets.csv]}
cohort: {vpop: consumer_vpop.csv}
optimizer: {starts: 1}
)");
    const FitSpec spec = read_fit_file(fit_file, registry());
    REQUIRE(spec.cohort);
    REQUIRE(spec.cohort->size == 3);
    const FitResult result = fit(FitObjective(spec, registry()));
    CHECK(result.natural[0] == Approx(20.0).epsilon(1e-6));
    std::ifstream in(fit_file);  // the same fit estimating CL, which the VPop sets per patient
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("parameterId: V1"), 15, "parameterId: CL");
    const std::string bad = test::write_temp_file("consumer_fit_bad.yaml", text);
    CHECK_THROWS_WITH(read_fit_file(bad, registry()), Contains("'CL' is a fit parameter and a column of the VPop file"));
}
