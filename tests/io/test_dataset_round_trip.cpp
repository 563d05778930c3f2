// Round trip: every shipped run scenario's regimens written as a dataset (mobsim dataset) and simulated from
// it (mobsim run --dataset) give the YAML run's outputs bit for bit.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/io/dataset_problem.hpp"
#include "sim/io/dataset_writer.hpp"
#include "sim/base/errors.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

TEST_CASE("every shipped scenario round-trips through a dataset bit for bit", "[dataset][round_trip]") {
    const ModelRegistry& registry = test::registry_with_model_files();
    const auto folder = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios";
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

TEST_CASE("a dataset subject's observation and other-event times join the output grid", "[dataset]") {
    static const ModelRegistry registry = models::builtin_models();
    const Scenario scenario = read_scenario_node(load_config_text(
        "model: linear_pk\noutput: {end_h: 10, step_h: 5}\n", "grid.yaml"));
    std::shared_ptr<const Model> model = registry.create("linear_pk");
    const Dataset d = read_dataset_text("ID,TIME,EVID,AMT,CMT,DV\n1,0,1,10,central,.\n1,2.5,0,0,1,1\n1,7,2,0,.,.\n"
                                        "1,12,0,0,1,1\n", "grid.csv", dataset_schema(*model));
    const Problem p = build_subject_problem(scenario, model, d, d.subjects.front());
    CHECK(p.grid == std::vector<double>{0.0, 2.5, 5.0, 7.0, 10.0});  // 12 h lies after output.end_h
}
