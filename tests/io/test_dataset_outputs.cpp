// Datasets in the other commands: a cohort with one patient per subject, a fit to individual dosing, and the
// NONMEM-layout records of cohorts and sweeps, against closed-form one-compartment IV solutions.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sim/studies/cohort.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/studies/fit.hpp"
#include "sim/studies/sweep.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

// 100 mg IV at 0 h into a one-compartment model (CL 4 L/h, V 40 L), outputs at 0, 2 and 4 h
const char* kIvScenario = "model: linear_pk\nparameters: {CL: 4.0, V1: 40.0}\n"
                          "regimens: [{label: iv, into: central, amount: 100, unit: mg, at_h: [0]}]\n"
                          "output: {end_h: 4, step_h: 2}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n";

struct RecordRow {
    int id = 0, evid = 0;
    double time = 0, amt = 0, dv = 0, ipred = 0, pred = 0;
};

// The rows of a records CSV after its header (which is checked).
std::vector<RecordRow> parse_records(const std::string& text, const std::string& header) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    CHECK(line == header);
    std::vector<RecordRow> rows;
    while (std::getline(in, line)) {
        RecordRow r;
        char cmt[32] = {};
        if (std::sscanf(line.c_str(), "%d,%lf,%d,%lf,%31[^,],%lf,%lf,%lf", &r.id, &r.time, &r.evid, &r.amt, cmt, &r.dv,
                        &r.ipred, &r.pred) < 5)
            FAIL(line);
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

TEST_CASE("a cohort from a dataset gives each subject its own doses", "[dataset][cohort]") {
    static const ModelRegistry registry = models::builtin_models();
    test::write_temp_file("ds_scenario.yaml", "model: linear_pk\nparameters: {CL: 4.0, V1: 40.0}\n"
                                              "output: {end_h: 24, step_h: 1}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
    const std::string cohort = test::write_temp_file(
        "ds_cohort.yaml", "scenario: ds_scenario.yaml\nsize: 1\nseed: 1\n"
                          "summaries:\n  - {name: c1, output: conc_central, kind: value_at, at_h: 1}\n");
    // bolus doses into central: 100 mg; 50 mg at 0 and 50 mg at 1
    const std::string data = test::write_temp_file(
        "ds_cohort.csv", "ID,TIME,AMT,CMT,WEIGHT_KG\n1,0,100,central,70\n2,0,50,central,80\n2,1,50,central,80\n");
    CohortStudy study = read_cohort_study(cohort, registry);
    study.dataset = std::make_shared<const Dataset>(read_dataset(data, dataset_schema(*study.base.model)));
    study.cohort.size = 2;
    const CohortResult r = run_cohort(study, 1);
    const double k = 0.1;
    REQUIRE(r.ids == std::vector<std::string>{"1", "2"});
    CHECK(r.summary_values[0] == Approx(100.0 / 40.0 * std::exp(-k)).epsilon(1e-8));
    CHECK(r.summary_values[1] == Approx(50.0 / 40.0 * (1.0 + std::exp(-k))).epsilon(1e-8));
    study.cohort.size = 3;
    CHECK_THROWS_WITH(run_cohort(study, 1), Catch::Contains("3 patients but the dataset"));
}

TEST_CASE("a fit to a dataset simulates each subject with its own doses", "[dataset][fit]") {
    static const ModelRegistry registry = models::builtin_models();
    // noise-free one-compartment IV data from CL 4, V 40 (k 0.1): 100 mg at 0 for ID 1; 50 mg at 0 and 6 for ID 2
    const double k = 0.1;
    std::string records = "ID,TIME,AMT,CMT,DV,MDV\n1,0,100,central,.,1\n";
    for (double t : {1.0, 4.0, 10.0})
        records += "1," + std::to_string(t) + ",0,conc_central," + std::to_string(100.0 / 40.0 * std::exp(-k * t)) + ",0\n";
    records += "2,0,50,central,.,1\n2,6,50,central,.,1\n";
    for (double t : {8.0, 12.0})
        records += "2," + std::to_string(t) + ",0,1," + std::to_string(50.0 / 40.0 * (std::exp(-k * t) + std::exp(-k * (t - 6.0)))) + ",0\n";
    test::write_temp_file("fit_ds.csv", records);
    test::write_temp_file("fit_ds_scenario.yaml", "model: linear_pk\nparameters: {V1: 40.0}\noutput: {end_h: 12, step_h: 1}\n"
                                                  "solver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
    const std::string fit_file = test::write_temp_file("fit_ds.yaml", R"(
scenarios: {template: fit_ds_scenario.yaml}
parameters:
  - {parameterId: CL, parameterScale: log10, lowerBound: 0.1, upperBound: 100, nominalValue: 1.0}
observables:
  conc: {output: conc_central, error: {model: additive, additive: 0.01}}
data: {dataset: fit_ds.csv}
optimizer: {starts: 1, seed: 1, max_iterations: 100}
)");
    const FitSpec spec = read_fit_file(fit_file, registry);
    REQUIRE(spec.scenarios.size() == 2);
    CHECK(spec.scenarios[1].id == "ID 2");
    REQUIRE(spec.data.size() == 5);
    CHECK(spec.data[3].condition == "ID 2");
    const FitObjective objective(spec, registry);
    const FitResult result = fit(objective);
    // std::to_string keeps 6 decimals, so the data are exact to about 1e-6 relative
    CHECK(result.natural[0] == Approx(4.0).epsilon(1e-4));
}

TEST_CASE("cohort records give IPRED of each patient and PRED of the typical one", "[dataset][cohort]") {
    static const ModelRegistry registry = models::builtin_models();
    test::write_temp_file("rec_scenario.yaml", kIvScenario);
    const std::string cohort = test::write_temp_file(
        "rec_cohort.yaml", "scenario: rec_scenario.yaml\nsize: 2\nseed: 3\n"
                           "variability: {parameters: [CL], omega: [[0.09]]}\n"
                           "summaries:\n  - {name: c2, output: conc_central, kind: value_at, at_h: 2}\n");
    CohortStudy study = read_cohort_study(cohort, registry);
    study.record_outputs = {"conc_central"};
    const CohortResult r = run_cohort(study, 1);
    int observations = 0;
    for (const RecordRow& row : parse_records(records_csv(study, r, Provenance{}), "ID,TIME,EVID,AMT,CMT,DV,IPRED,PRED")) {
        if (row.evid == 1) {
            CHECK(row.amt == 100.0);
            continue;
        }
        const double cl = r.parameter_values[static_cast<std::size_t>(row.id - 1)];
        CHECK(row.ipred == Approx(100.0 / 40.0 * std::exp(-cl / 40.0 * row.time)).epsilon(1e-8));
        CHECK(row.pred == Approx(100.0 / 40.0 * std::exp(-0.1 * row.time)).epsilon(1e-8));
        ++observations;
    }
    CHECK(observations == 6);  // 2 patients x 3 grid times
}

TEST_CASE("sweep records give each grid point as one ID with its swept values", "[dataset][sweep]") {
    static const ModelRegistry registry = models::builtin_models();
    test::write_temp_file("swr_scenario.yaml", kIvScenario);
    const std::string file = test::write_temp_file(
        "swr.yaml", "scenario: swr_scenario.yaml\ngrid: {parameters.CL: [2, 8]}\n"
                    "summaries:\n  - {name: cmax, output: conc_central, kind: max}\n");
    SweepStudy study = read_sweep_study(file, registry);
    study.record_outputs = {"conc_central"};
    const SweepResult r = run_sweep(study, 1);
    int observations = 0;
    for (const RecordRow& row :
         parse_records(sweep_records_csv(study, r, Provenance{}), "ID,TIME,EVID,AMT,CMT,DV,IPRED,PRED,parameters.CL")) {
        if (row.evid == 1) continue;
        const double cl = row.id == 1 ? 2.0 : 8.0;
        CHECK(row.ipred == Approx(100.0 / 40.0 * std::exp(-cl / 40.0 * row.time)).epsilon(1e-8));
        CHECK(row.pred == row.ipred);
        ++observations;
    }
    CHECK(observations == 6);
}
