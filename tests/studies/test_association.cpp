// Repeated-cohort association: a strictly monotone pair gives rho = -1 in every cohort, an independent pair
// follows the null distribution (p uniform: median near 0.5, share below alpha near alpha).
#include <catch2/catch.hpp>

#include <cmath>

#include "models/registry.hpp"
#include "sim/studies/association.hpp"
#include "sim/base/errors.hpp"

#include "test_helpers.hpp"

using namespace mobsim;

namespace {

// IV bolus into linear_pk: AUC = D/CL (1 - exp(-CL/V T)) falls strictly with CL; weight is drawn independently.
const char* kCohort = R"(
scenario:
  model: linear_pk
  parameters: {CL: 5.0, V1: 10.0}
  regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]
  output: {end_h: 24, step_h: 1}
size: 20
seed: 7
variability: {parameters: [CL], omega: [0.09]}
covariates:
  weight_kg: {distribution: lognormal, median: 70, sd_log: 0.2}
summaries:
  - {name: auc, output: conc_central, kind: auc}
correlations:
  - {variable: [CL, weight_kg], summary: auc}
)";

CohortStudy association_study(const std::string& yaml) {
    static const ModelRegistry registry = models::builtin_models();
    return read_cohort_study(test::write_temp_file("association.yaml", yaml), registry);
}

}  // namespace

TEST_CASE("association: a monotone pair is perfectly associated in every cohort, an independent pair follows the null",
          "[association]") {
    const CohortStudy study = association_study(kCohort);
    AssociationOptions options;
    options.seeds = 100;
    options.alpha = 0.05;
    const auto rows = repeated_associations(study, options);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].variable == "CL");
    CHECK(rows[0].cohorts == 100);
    CHECK(rows[0].median_rho == Approx(-1.0));
    CHECK(rows[0].share_significant == 1.0);
    // null: p ~ U(0,1); over 100 cohorts the median p has SD ~0.05 and the share ~ Binomial(100, 0.05)/100
    CHECK(rows[1].variable == "weight_kg");
    CHECK(std::abs(rows[1].median_p - 0.5) < 0.2);
    CHECK(rows[1].share_significant <= 0.14);
    CHECK(std::abs(rows[1].median_rho) < 0.12);  // SD of rho ~ 1/sqrt(19); of its median over 100 cohorts ~0.03
}

TEST_CASE("association: results do not depend on the thread count and need correlation pairs", "[association]") {
    CohortStudy study = association_study(kCohort);
    AssociationOptions options;
    options.seeds = 5;
    options.size = 8;
    options.threads = 1;
    const auto one = repeated_associations(study, options);
    options.threads = 2;
    const auto two = repeated_associations(study, options);
    REQUIRE(one.size() == two.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        CHECK(one[i].median_rho == two[i].median_rho);
        CHECK(one[i].median_p == two[i].median_p);
    }
    study.correlations.clear();
    CHECK_THROWS_AS(repeated_associations(study, options), InputError);
}
