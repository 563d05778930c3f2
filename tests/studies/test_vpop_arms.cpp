// VPop arms against closed forms: one-compartment IV bolus, so AUC(0-inf) = dose / CL. Every candidate is simulated
// in every arm (two dose levels in mg/kg, and a dataset subject's 140 mg dose), and a target names its arm.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/registry.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/vpop.hpp"

#include "test_helpers.hpp"

using namespace mobsim;

namespace {

const ModelRegistry& registry() { return test::registry_with_model_files(); }

// k = CL / V at most 20 / 10 per h: by 60 h exp(-k t) < 1e-5 for every candidate
std::string arm_scenario(double mg_per_kg) {
    return "{model: linear_pk, parameters: {CL: 5.0, V1: 10.0}, patient: {weight_kg: 70}, "
           "regimens: [{into: central, amount: " + std::to_string(mg_per_kg) +
           ", unit: mg/kg, at_h: [0]}], output: {end_h: 60, step_h: 0.02}}";
}

const std::string kVary = R"(
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4, lower: 1, upper: 20}
  weight_kg: {distribution: uniform, low: 50, high: 90}
quantities:
  - {name: auc, output: conc_central, kind: auc}
)";

double mean_of(const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

}  // namespace

TEST_CASE("VPop arms at two doses give AUC in proportion to the dose, and a target names its arm", "[vpop][arms]") {
    test::write_temp_file("arm_doses.csv", "ID,TIME,AMT,CMT,EVID\n7,0,140,1,1\n7,60,0,1,2\n");
    const std::string file = test::write_temp_file("vpop_arms.yaml", "seed: 3\nplausible_size: 3000\nvpop_size: 500\n"
        "bootstrap: 20\narms:\n  - {name: low, scenario: " + arm_scenario(1) + "}\n  - {name: high, scenario: " +
        arm_scenario(3) + "}\n  - {name: nm, scenario: " + arm_scenario(1) + ", dataset: arm_doses.csv, id: 7}\n" + kVary +
        "constraints:\n  - {quantity: auc, upper: 90}\n"  // in every arm: high's AUC = 3 weight / CL <= 90
        "targets:\n  - {statistic: mean, quantity: auc, arm: high, value: 54, se: 0.2}\n");
    const VpopStudy study = read_vpop_study(file, registry());
    REQUIRE(study.arms.size() == 3);
    REQUIRE(study.quantity_names() == std::vector<std::string>{"CL", "weight_kg", "auc@low", "auc@high", "auc@nm"});
    REQUIRE(study.constraints.size() == 3);  // one per arm
    REQUIRE(study.targets[0].quantities == std::vector<std::string>{"auc@high"});
    const VpopResult r = select_vpop(study, generate_plausible(study, 2));
    const auto rows = r.plausible_rows;
    const auto cl = r.population.column("CL", rows), weight = r.population.column("weight_kg", rows);
    const auto low = r.population.column("auc@low", rows), high = r.population.column("auc@high", rows),
               nm = r.population.column("auc@nm", rows);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        REQUIRE(low[i] == Approx(weight[i] / cl[i]).epsilon(5e-3));
        REQUIRE(high[i] == Approx(3.0 * low[i]).epsilon(1e-6));  // the same patient: linear kinetics
        REQUIRE(nm[i] == Approx(140.0 / cl[i]).epsilon(5e-3));   // the dataset's dose, not the scenario's mg/kg
        REQUIRE(high[i] <= 90.0);
    }
    // the constraints hold in every arm; only the high arm's binds (low's AUC <= 30 whenever high's <= 90, and a
    // dataset AUC 140 / CL above 90 needs CL < 1.56 L/h, where high's AUC is already above 3 x 50 / 1.56 = 96)
    CHECK(r.population.rejected_by[0] == 0);
    CHECK(r.population.rejected_by[1] > 0);
    CHECK(r.population.rejected_by[2] == 0);
    // the VPop meets the high arm's target, so the low arm's mean is a third of it
    const auto vpop_high = r.population.column("auc@high", r.selected), vpop_low = r.population.column("auc@low", r.selected);
    CHECK(mean_of(vpop_high) == Approx(54.0).margin(1.5));
    CHECK(mean_of(vpop_low) == Approx(mean_of(vpop_high) / 3.0).epsilon(1e-3));
}

TEST_CASE("VPop arms refuse an unnamed arm, an unknown arm and a summary without its arm", "[vpop][arms]") {
    const std::string arms = "arms:\n  - {name: low, scenario: " + arm_scenario(1) + "}\n  - {name: high, scenario: " +
                             arm_scenario(3) + "}\n" + kVary;
    auto message = [](const std::string& name, const std::string& text) {
        try {
            read_vpop_study(test::write_temp_file(name, text), registry());
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message("arms_no_arm.yaml", arms + "targets: [{statistic: mean, quantity: auc, value: 1, se: 1}]\n"),
               Catch::Contains("'auc' is computed in every arm; give arm: (one of low, high)"));
    CHECK_THAT(message("arms_bad_arm.yaml", arms + "targets: [{statistic: mean, quantity: auc, arm: hihg, value: 1, se: 1}]\n"),
               Catch::Contains("no arm named 'hihg'") && Catch::Contains("did you mean 'high'?"));
    CHECK_THAT(message("arms_twice.yaml", "arms:\n  - {name: a, scenario: " + arm_scenario(1) + "}\n  - {name: a, scenario: " +
                                              arm_scenario(1) + "}\n" + kVary + "targets: []\n"),
               Catch::Contains("arm 'a' is named twice"));
    CHECK_THAT(message("arms_and_scenario.yaml", "scenario: " + arm_scenario(1) + "\n" + arms + "targets: []\n"),
               Catch::Contains("give either scenario (one arm) or arms"));
}

TEST_CASE("VPop sampling sobol maps Sobol points through the priors", "[vpop][sobol]") {
    const std::string file = test::write_temp_file("vpop_sobol.yaml", "sampling: sobol\nplausible_size: 1023\nvpop_size: 100\n"
        "bootstrap: 0\nscenario: " + arm_scenario(1) + R"(
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4}
  weight_kg: {distribution: uniform, low: 50, high: 90}
quantities:
  - {name: auc, output: conc_central, kind: auc}
)" + "targets:\n  - {statistic: mean, quantity: auc, value: 16, se: 0.2}\n");
    const VpopStudy study = read_vpop_study(file, registry());
    const std::vector<double> values = draw_candidates(study);  // CL, weight_kg per candidate
    // the first Sobol points are (0.5, 0.5), (0.75, 0.25), (0.25, 0.75): CL = 5 exp(0.4 z(u)), weight = 50 + 40 u
    const double z75 = 0.6744897501960817;
    CHECK(values[0] == Approx(5.0).epsilon(1e-9));
    CHECK(values[1] == Approx(70.0).epsilon(1e-12));
    CHECK(values[2] == Approx(5.0 * std::exp(0.4 * z75)).epsilon(1e-9));
    CHECK(values[3] == Approx(60.0).epsilon(1e-12));
    CHECK(values[4] == Approx(5.0 * std::exp(-0.4 * z75)).epsilon(1e-9));
    const VpopResult r = select_vpop(study, generate_plausible(study, 2));
    CHECK(mean_of(r.population.column("auc", r.selected)) == Approx(16.0).margin(0.8));
    CHECK_THROWS_WITH(read_vpop_study(test::write_temp_file("vpop_sobol_bad.yaml", "sampling: sobl\nscenario: " +
                                                                arm_scenario(1) + "\n" + kVary + "targets: []\n"),
                                      registry()),
                      Catch::Contains("unknown sampling 'sobl'") && Catch::Contains("did you mean 'sobol'?"));
}
