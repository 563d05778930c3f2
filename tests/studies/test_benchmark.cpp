// The bench's cohort accuracy (sim/studies/benchmark.cpp): each virtual patient against its own reference, which is a
// second implementation of the same problem (every state stepped instead of the drug blocks propagated).
#include <catch2/catch.hpp>

#include <filesystem>

#include "models/registry.hpp"
#include "sim/studies/benchmark.hpp"
#include "sim/studies/cohort.hpp"

using namespace mobsim;

TEST_CASE("cohort patients with exact drug blocks agree with their stepped references at tight tolerance") {
    static const ModelRegistry registry = models::builtin_models();
    const auto file =
        std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "cohort_trial_800mg.yaml";
    CohortStudy study = read_cohort_study(file.string(), registry);
    study.base.solver.rtol = 1e-11;
    study.base.solver.atol = 1e-13;
    const auto errors = cohort_errors(study.base, study.cohort, 3, 1e-13, 1e-2, 1e-4);
    REQUIRE(errors.size() == 3);
    for (std::size_t i = 0; i < errors.size(); ++i) {
        INFO("patient " << i << ": " << errors[i].max_relative_error << " (" << errors[i].worst_output << ")");
        CHECK(errors[i].patient == static_cast<int>(i));
        CHECK(errors[i].max_relative_error < 1e-8);
    }
}
