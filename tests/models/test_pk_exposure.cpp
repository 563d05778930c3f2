// The steady-state exposure summary (sim/studies/exposure.hpp) against closed forms of linear PK
// (Gibaldi & Perrier, Pharmacokinetics, 2nd ed., ch. 3: at steady state AUC_tau = F D / CL, and the
// one-compartment oral steady-state curve with accumulation factors 1/(1 - exp(-k tau)).
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/base/errors.hpp"
#include "sim/studies/exposure.hpp"
#include "test_pk_helpers.hpp"

using namespace mobsim;
using namespace mobsim::test;

namespace {

const char* kLinear = R"(
model: linear_pk
parameters: {ka: 1.0, CL: 5.0, V1: 50.0}
regimens:
  - {label: drug, into: depot, amount: 100, unit: mg, bioavailability: 0.8, every_h: 12, count: 4}
  - {label: other, into: central, amount: 50, unit: mg, at_h: [30]}
output: {end_h: 48, step_h: 1}
solver: {rtol: 1.0e-11, atol: 1.0e-13}
)";

}  // namespace

TEST_CASE("exposure: AUC_tau = F D / CL, and Cmax, Cmin, trough follow the steady-state Bateman curve") {
    const Problem p = problem_from_yaml(kLinear);
    ExposureRequest request;
    request.output = "conc_central";
    request.regimen = "drug";
    request.interval_h = 12.0;
    request.amounts = {100.0, 250.0};
    const ExposureTable table = steady_state_exposure(p, request);
    REQUIRE(table.rows.size() == 2);
    CHECK(table.amount_unit == "mg");
    const double f = 0.8, ka = 1.0, k = 0.1, v = 50.0, tau = 12.0;
    for (const ExposureRow& row : table.rows) {
        const double d = row.amount;
        auto css = [&](double s) {
            return f * d * ka / (v * (ka - k)) *
                   (std::exp(-k * s) / (1 - std::exp(-k * tau)) - std::exp(-ka * s) / (1 - std::exp(-ka * tau)));
        };
        CHECK(relative_error(row.auc_tau, f * d / 5.0) < 1e-7);
        CHECK(relative_error(row.cavg, f * d / (5.0 * tau)) < 1e-7);
        CHECK(relative_error(row.ctrough, css(tau)) < 1e-7);
        double cmax = 0.0, cmin = 1e300, tmax = 0.0;
        for (int i = 0; i <= request.intervals; ++i) {
            const double s = tau * i / request.intervals;
            if (css(s) > cmax) cmax = css(s), tmax = s;
            cmin = std::min(cmin, css(s));
        }
        CHECK(relative_error(row.cmax, cmax) < 1e-7);
        CHECK(relative_error(row.cmin, cmin) < 1e-7);
        CHECK(std::abs(row.tmax_h - tmax) < 1e-9);
    }
}

TEST_CASE("exposure: CSV header carries the units") {
    const Problem p = problem_from_yaml(kLinear);
    ExposureRequest request{"conc_central", "drug", 12.0, {100.0}, 100};
    const std::string csv = to_exposure_csv(steady_state_exposure(p, request), Provenance{});
    CHECK(csv.rfind("amount_mg,auc_tau_mg_h_L,cmax_mg_L,tmax_h,cmin_mg_L,ctrough_mg_L,cavg_mg_L\n", 0) == 0);
}

TEST_CASE("exposure: bad requests are input errors") {
    const Problem p = problem_from_yaml(kLinear);
    CHECK_THROWS_AS(steady_state_exposure(p, {"conc_central", "", 12.0, {100.0}, 100}), InputError);  // 2 regimens
    CHECK_THROWS_WITH(steady_state_exposure(p, {"conc_central", "drgu", 12.0, {100.0}, 100}), Catch::Contains("drug"));
    CHECK_THROWS_WITH(steady_state_exposure(p, {"conc_centrl", "drug", 12.0, {100.0}, 100}),
                      Catch::Contains("conc_central"));
    CHECK_THROWS_AS(steady_state_exposure(p, {"conc_central", "drug", 0.0, {100.0}, 100}), InputError);
    CHECK_THROWS_AS(steady_state_exposure(p, {"conc_central", "drug", 12.0, {}, 100}), InputError);
    CHECK_THROWS_AS(steady_state_exposure(p, {"conc_central", "drug", 12.0, {100.0}, 101}), InputError);
}
