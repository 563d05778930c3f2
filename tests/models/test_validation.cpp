// Single-agent validation: scenarios/validation/*.yaml against the human figures they cite, within each study's
// own spread (docs/validation.md, "Single-agent validation").
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "models/registry.hpp"
#include "sim/studies/cohort.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

Trajectory run_validation(const std::string& file) {
    static const ModelRegistry registry = models::builtin_models();
    const auto path = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "validation" / file;
    const Scenario scenario = read_scenario(path.string());
    return simulate(build_problem(scenario, registry.create(scenario.model)));
}

// (peak value, its time) of an output over [from_h, to_h]
std::pair<double, double> peak_in(const Trajectory& t, const std::string& output, double from_h, double to_h) {
    const auto v = t.column(output);
    std::pair<double, double> best{0.0, 0.0};
    for (std::size_t i = 0; i < v.size(); ++i)
        if (t.time_h[i] >= from_h && t.time_h[i] <= to_h && v[i] > best.first) best = {v[i], t.time_h[i]};
    return best;
}

}  // namespace

TEST_CASE("plerixafor 240 ug/kg alone: CD34+ peak fold and time as in Liles 2003", "[validation]") {
    // Liles 2003 Blood 102:2728: 2.6 +/- 0.3 -> 40.4 +/- 3.4 CD34+/uL (SEM) at 9 h. Two SEM either side of both
    // means bound the fold: (40.4 - 6.8)/(2.6 + 0.6) = 10.5 to (40.4 + 6.8)/(2.6 - 0.6) = 23.6. The study sampled
    // at a few times; a peak between 6 and 12 h is "at 9 h" for it.
    const auto [fold, time] = peak_in(run_validation("plerixafor_liles2003.yaml"), "fold_cd34", 0, 48);
    CHECK(fold >= 10.5);
    CHECK(fold <= 23.6);
    CHECK(time >= 6.0);
    CHECK(time <= 12.0);
}

TEST_CASE("filgrastim 10 ug/kg/day alone: CD34+ day-5 fold and peak day as in healthy donors", "[validation]") {
    // Blood 2008;112:2092: day-5 CD34+ 79-104/uL by donor group; baseline 2.6-3.8/uL (Liles 2003): fold 20.8-40.
    // Ann Hematol 1996;72:269: the peak on day 5 or 6 in every donor. Doses at 08:00 of days 1-5 (t = 8 + 24 (d-1)).
    const Trajectory t = run_validation("filgrastim_daily_donors.yaml");
    const double day5 = peak_in(t, "fold_cd34", 96, 120).first;
    CHECK(day5 >= 20.8);
    CHECK(day5 <= 40.0);
    const double peak_time = peak_in(t, "fold_cd34", 0, 240).second;
    CHECK(peak_time >= 96.0);   // day 5 begins
    CHECK(peak_time <= 144.0);  // day 6 ends
}

TEST_CASE("sorafenib 400 mg BID alone: composite marrow response as in sorafenib monotherapy", "[validation]") {
    // Relapsed/refractory AML on sorafenib alone: CR/CRp 5 of 50, all FLT3-ITD (Borthakur 2011 Haematologica
    // 96:62); PR 3 of 16, no CR (FLT3-ITD relapsing after HSCT, Biol Blood Marrow Transplant 2011;17:1874).
    // Pooled 8 of 66 = 12.1%, Wilson 95% interval 6.3-22.1%. The trial's virtual population, 200 patients here
    // (the documented 1000-patient figure is in docs/validation.md).
    static const ModelRegistry registry = models::builtin_models();
    const auto file = std::filesystem::path(MOBSIM_SOURCE_DIR) / "scenarios" / "validation" /
                      "cohort_sorafenib_alone_400mg.yaml";
    CohortStudy study = read_cohort_study(file.string(), registry);
    study.cohort.size = 200;
    const CohortResult r = run_cohort(study, 2);
    REQUIRE(r.failed() == 0);
    const double share = static_cast<double>(r.responders()) / r.evaluated();
    INFO("responders " << r.responders() << " of " << r.evaluated());
    CHECK(share >= 0.063);
    CHECK(share <= 0.221);
}
