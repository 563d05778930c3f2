// VPop selection against closed forms: one-compartment IV bolus, dose in mg/kg, so AUC(0-inf) = weight x dose / CL.
// A VPop selected to a target mean and SD of AUC, to a rank correlation between CL and AUC, and to a proportion
// of a known mixture must reproduce them; results must not depend on the thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/registry.hpp"
#include "sim/studies/cohort.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/statistics.hpp"
#include "sim/studies/vpop.hpp"

#include "test_helpers.hpp"

using namespace mobsim;

namespace {

// k = CL / V at most 20 / 10 per h: by 60 h exp(-k t) < 1e-5 for every candidate below
const char* kScenario = R"(
scenario:
  model: linear_pk
  parameters: {CL: 5.0, V1: 10.0}
  patient: {weight_kg: 70}
  regimens: [{into: central, amount: 1, unit: mg/kg, at_h: [0]}]
  output: {end_h: 60, step_h: 0.02}
quantities:
  - {name: auc, output: conc_central, kind: auc}
)";

VpopStudy study_from(const std::string& body, const std::string& name) {
    static const ModelRegistry registry = models::builtin_models();
    return read_vpop_study(test::write_temp_file(name, std::string(kScenario) + body), registry);
}

std::vector<double> vpop_column(const VpopResult& r, const std::string& name) { return r.population.column(name, r.selected); }

double mean_of(const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

double sd_of(const std::vector<double>& x) {
    const double m = mean_of(x);
    double ss = 0.0;
    for (double v : x) ss += (v - m) * (v - m);
    return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

// Every selected patient's simulated AUC is the closed form weight x 1 mg/kg / CL (trapezoid error only).
void check_closed_form(const VpopResult& r) {
    const auto auc = vpop_column(r, "auc"), cl = vpop_column(r, "CL"), weight = vpop_column(r, "weight_kg");
    for (std::size_t i = 0; i < auc.size(); ++i) REQUIRE(auc[i] == Approx(weight[i] / cl[i]).epsilon(5e-3));
}

}  // namespace

TEST_CASE("VPop selected to a target mean and SD of AUC reproduces them", "[vpop]") {
    // Plausible: CL log-normal (median 5 L/h, sd_log 0.4), weight uniform 50-90 kg: mean AUC about 15 mg h/L.
    // Target: mean 18, SD 4 (a population shifted to lower clearance, with less spread).
    const VpopStudy study = study_from(R"(
seed: 7
plausible_size: 6000
vpop_size: 800
bootstrap: 100
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4, lower: 1, upper: 20}
  weight_kg: {distribution: uniform, low: 50, high: 90}
targets:
  - {statistic: mean, quantity: auc, value: 18, se: 0.1}
  - {statistic: sd, quantity: auc, value: 4, se: 0.1}
)", "vpop_mean_sd.yaml");
    const VpopResult r = select_vpop(study, generate_plausible(study, 2));
    REQUIRE(r.selected.size() == 800);
    check_closed_form(r);
    const auto auc = vpop_column(r, "auc");
    // sampling error of 800 patients: SE(mean) = 4 / sqrt(800) = 0.14, SE(SD) ~ 4 / sqrt(1600) = 0.1
    CHECK(mean_of(auc) == Approx(18.0).margin(0.5));
    CHECK(sd_of(auc) == Approx(4.0).margin(0.4));
    CHECK(r.fits[0].vpop == Approx(mean_of(auc)).epsilon(1e-12));
    CHECK(r.fits[0].boot_low < r.fits[0].vpop);
    CHECK(r.fits[0].boot_high > r.fits[0].vpop);
    // the weights alone (before selection) match to the optimizer's precision
    CHECK(r.fits[0].weighted == Approx(18.0).margin(0.05));
    CHECK(r.fits[1].weighted == Approx(4.0).margin(0.05));
}

TEST_CASE("VPop selected to a rank correlation between CL and AUC reproduces it", "[vpop]") {
    // Independent CL and weight give Spearman(CL, AUC) near -0.8; the target -0.6 needs a different joint distribution.
    const VpopStudy study = study_from(R"(
seed: 11
plausible_size: 6000
vpop_size: 800
bootstrap: 50
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4, lower: 1, upper: 20}
  weight_kg: {distribution: uniform, low: 40, high: 120}
targets:
  - {statistic: spearman, quantities: [CL, auc], value: -0.6, se: 0.01}
)", "vpop_correlation.yaml");
    const VpopResult r = select_vpop(study, generate_plausible(study, 2));
    check_closed_form(r);
    const double plausible_rho =
        spearman(r.population.column("CL", r.plausible_rows), r.population.column("auc", r.plausible_rows)).rho;
    CHECK(plausible_rho < -0.75);
    // SE of Spearman's rho at n = 800 is about (1 - rho^2) / sqrt(n) = 0.023
    CHECK(spearman(vpop_column(r, "CL"), vpop_column(r, "auc")).rho == Approx(-0.6).margin(0.07));
}

TEST_CASE("VPop selection on a known mixture recovers its proportion", "[vpop]") {
    // Plausible CL log-uniform-like over 1-16 L/h at 70 kg. The published population is a mixture: 30% poor
    // metabolizers (CL < 4 L/h, AUC > 17.5) and 70% extensive. The target is the share with AUC above 17.5;
    // the VPop's share with CL < 4 is then 0.3, because AUC = 70 / CL exactly.
    const VpopStudy study = study_from(R"(
seed: 3
plausible_size: 5000
vpop_size: 1000
bootstrap: 0
vary:
  CL: {distribution: lognormal, median: 4, sd_log: 0.7, lower: 1, upper: 16}
targets:
  - {statistic: proportion, quantity: auc, above: 17.5, value: 0.3, n: 100000}
)", "vpop_mixture.yaml");
    const VpopResult r = select_vpop(study, generate_plausible(study, 2));
    const auto cl = vpop_column(r, "CL");
    const double share = static_cast<double>(std::count_if(cl.begin(), cl.end(), [](double c) { return c < 4.0; })) /
                         static_cast<double>(cl.size());
    CHECK(share == Approx(0.3).margin(0.045));  // binomial SE at n = 1000: 0.0145
    const auto plausible_cl = r.population.column("CL", r.plausible_rows);
    const double plausible_share =
        static_cast<double>(std::count_if(plausible_cl.begin(), plausible_cl.end(), [](double c) { return c < 4.0; })) /
        static_cast<double>(plausible_cl.size());
    CHECK(plausible_share == Approx(0.5).margin(0.02));  // the median of the plausible CL is 4
}

TEST_CASE("VPop is identical for any thread count and constraints screen candidates", "[vpop]") {
    const VpopStudy study = study_from(R"(
seed: 5
plausible_size: 600
vpop_size: 100
bootstrap: 20
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.5, lower: 1, upper: 20}
  weight_kg: {distribution: normal, mean: 70, sd: 15, lower: 40, upper: 120}
rank_correlations:
  - {between: [CL, weight_kg], rho: 0.5}
constraints:
  - {quantity: auc, upper: 25}
targets:
  - {statistic: median, quantity: auc, value: 12, se: 0.5}
)", "vpop_threads.yaml");
    const VpopResult one = select_vpop(study, generate_plausible(study, 1));
    const VpopResult two = select_vpop(study, generate_plausible(study, 2));
    CHECK(one.selected == two.selected);
    CHECK(one.population.values == two.population.values);
    CHECK(one.weights == two.weights);
    const auto auc = one.population.column("auc", one.plausible_rows);
    CHECK(*std::max_element(auc.begin(), auc.end()) <= 25.0);
    CHECK(one.population.rejected_by[0] == one.population.candidates - static_cast<int>(one.plausible_rows.size()));
    // the copula gives the stated Spearman rho between the drawn values (SE about 0.03 at n = 600)
    const auto all = [&](const std::string& n) {
        std::vector<int> rows(static_cast<std::size_t>(one.population.candidates));
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int>(i);
        return one.population.column(n, rows);
    };
    CHECK(spearman(all("CL"), all("weight_kg")).rho == Approx(0.5).margin(0.1));
}

TEST_CASE("VPop target p-value bound becomes the critical correlation", "[vpop]") {
    // two-sided P = 0.002 at n = 28: t(26) = 3.435, |rho| = t / sqrt(26 + t^2) = 0.5589 (scipy.stats.t.isf(0.001, 26))
    const VpopStudy study = study_from(R"(
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4}
targets:
  - {statistic: spearman, quantities: [CL, auc], sign: negative, p_value_at_most: 0.002, n: 28}
)", "vpop_pvalue.yaml");
    CHECK(study.targets[0].at_most == Approx(-0.5589).margin(2e-4));
    CHECK(study.targets[0].uncertainty == Approx(0.2).epsilon(1e-12));  // 1 / sqrt(28 - 3)
}

TEST_CASE("Cohort from a VPop file applies each row's values", "[vpop]") {
    const std::string vpop = test::write_temp_file("listed_vpop.csv", "# provenance\npatient,candidate,CL,weight_kg,auc\n"
                                                                      "0,4,2.5,60,24\n1,9,10,80,8\n");
    const std::string cohort = test::write_temp_file("listed_cohort.yaml", std::string(R"(
scenario:
  model: linear_pk
  parameters: {CL: 5.0, V1: 10.0}
  regimens: [{into: central, amount: 1, unit: mg/kg, at_h: [0]}]
  output: {end_h: 60, step_h: 0.02}
vpop: listed_vpop.csv
summaries:
  - {name: auc, output: conc_central, kind: auc}
)"));
    static const ModelRegistry registry = models::builtin_models();
    const CohortStudy study = read_cohort_study(cohort, registry);
    REQUIRE(study.cohort.size == 2);
    const CohortResult r = run_cohort(study, 1);
    REQUIRE(r.covariate_names == std::vector<std::string>{"CL", "weight_kg"});
    CHECK(r.summary_values[0] == Approx(60.0 / 2.5).epsilon(5e-3));
    CHECK(r.summary_values[1] == Approx(80.0 / 10.0).epsilon(5e-3));
}

TEST_CASE("MH refinement samples the prior restricted to the plausible region", "[vpop]") {
    // 70 kg, so AUC = 70 / CL; the constraint 14 <= AUC <= 16 keeps 4.375 <= CL <= 5. The chains' states must
    // follow the log-normal prior truncated there: E[CL] = e^(mu + s^2/2) [Phi(b - s) - Phi(a - s)] / [Phi(b) - Phi(a)]
    // with a, b the standardized log bounds.
    const VpopStudy study = study_from(R"(
seed: 13
plausible_size: 400
vpop_size: 20
bootstrap: 0
vary:
  CL: {distribution: lognormal, median: 5, sd_log: 0.4, lower: 1, upper: 20}
constraints:
  - {quantity: auc, lower: 14, upper: 16}
refine: {chains: 20, steps: 300, step_size: 0.2, thin: 3}
targets:
  - {statistic: mean, quantity: auc, value: 15, se: 1}
)", "vpop_refine.yaml");
    PlausiblePopulation pop = generate_plausible(study, 2);
    const int from_hypercube = static_cast<int>(pop.plausible_indices().size());
    refine_plausible(study, pop, 2);
    REQUIRE(pop.from_chains == 20 * 100);
    std::vector<int> rows;
    for (int i = pop.candidates - pop.from_chains; i < pop.candidates; ++i) rows.push_back(i);
    const auto cl = pop.column("CL", rows), auc = pop.column("auc", rows);
    for (std::size_t i = 0; i < cl.size(); ++i) {
        REQUIRE(auc[i] >= 14.0);
        REQUIRE(auc[i] <= 16.0);
    }
    const double mu = std::log(5.0), s = 0.4, a = (std::log(4.375) - mu) / s, b = (std::log(5.0) - mu) / s;
    const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    const double truth = std::exp(mu + s * s / 2) * (phi(b - s) - phi(a - s)) / (phi(b) - phi(a));
    // CL spans 0.625 L/h (SD about 0.18); 2,000 correlated states, about 200 effectively independent: SE ~ 0.013
    CHECK(mean_of(cl) == Approx(truth).margin(0.05));
    CHECK(from_hypercube > 10);
    // the chains explore: many distinct states
    std::vector<double> distinct = cl;
    std::sort(distinct.begin(), distinct.end());
    CHECK(std::unique(distinct.begin(), distinct.end()) - distinct.begin() > 500);
}
