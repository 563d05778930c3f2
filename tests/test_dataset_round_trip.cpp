// Round trip: every shipped run scenario's regimens written as a dataset (mobsim dataset) and simulated from
// it (mobsim run --dataset) give the YAML run's outputs bit for bit.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "sim/cohort.hpp"
#include "sim/dataset_problem.hpp"
#include "sim/dataset_writer.hpp"
#include "sim/errors.hpp"
#include "sim/fit.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

TEST_CASE("every shipped scenario round-trips through a dataset bit for bit", "[dataset][round_trip]") {
    static const ModelRegistry registry = models::builtin_models();
    const auto folder = std::filesystem::path(__FILE__).parent_path().parent_path() / "scenarios";
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.path().extension() == ".yaml") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    int count = 0, with_addl = 0;
    for (const auto& path : paths) {
        Scenario scenario;
        try {
            scenario = read_scenario(path.string());
        } catch (const InputError&) {
            continue;  // a cohort, sweep or fit file
        }
        INFO(path.filename().string());
        std::shared_ptr<const Model> model = registry.create(scenario.model);
        const Problem yaml = build_problem(scenario, model);
        const std::string text = regimens_to_dataset(yaml, scenario.patient);
        const Dataset dataset = read_dataset_text(text, path.stem().string() + ".csv", dataset_schema(*model));
        REQUIRE(dataset.subjects.size() == 1);
        const Problem from_dataset = build_subject_problem(scenario, model, dataset, dataset.subjects.front());
        // the same doses, partly as ADDL records
        const auto system = model->bind(yaml.parameters, yaml.covariates);
        CHECK(from_dataset.history.doses.size() == dose_events(yaml, *system).size());
        if (from_dataset.history.doses.size() > dataset.records) ++with_addl;
        const Trajectory a = simulate(yaml), b = simulate(from_dataset);
        CHECK(a.time_h == b.time_h);
        CHECK(a.values == b.values);
        ++count;
    }
    CHECK(count >= 15);
    CHECK(with_addl >= 10);
}

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
    test::write_temp_file("rec_scenario.yaml", "model: linear_pk\nparameters: {CL: 4.0, V1: 40.0}\n"
                                               "regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]\n"
                                               "output: {end_h: 4, step_h: 2}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
    const std::string cohort = test::write_temp_file(
        "rec_cohort.yaml", "scenario: rec_scenario.yaml\nsize: 2\nseed: 3\n"
                           "variability: {parameters: [CL], omega: [[0.09]]}\n"
                           "summaries:\n  - {name: c2, output: conc_central, kind: value_at, at_h: 2}\n");
    CohortStudy study = read_cohort_study(cohort, registry);
    study.record_outputs = {"conc_central"};
    const CohortResult r = run_cohort(study, 1);
    const std::string text = records_csv(study, r, Provenance{});
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    CHECK(line == "ID,TIME,EVID,AMT,CMT,DV,IPRED,PRED");
    int observations = 0;
    while (std::getline(in, line)) {
        int id = 0, evid = 0;
        double time = 0, amt = 0, dv = 0, ipred = 0, pred = 0;
        char cmt[32] = {};
        if (std::sscanf(line.c_str(), "%d,%lf,%d,%lf,%31[^,],%lf,%lf,%lf", &id, &time, &evid, &amt, cmt, &dv, &ipred, &pred) < 5)
            FAIL(line);
        if (evid == 1) {
            CHECK(amt == 100.0);
            continue;
        }
        const double cl = r.parameter_values[static_cast<std::size_t>(id - 1)];
        CHECK(ipred == Approx(100.0 / 40.0 * std::exp(-cl / 40.0 * time)).epsilon(1e-8));
        CHECK(pred == Approx(100.0 / 40.0 * std::exp(-0.1 * time)).epsilon(1e-8));
        ++observations;
    }
    CHECK(observations == 6);  // 2 patients x 3 grid times
}
