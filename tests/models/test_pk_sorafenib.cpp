// sorafenib_pk (Jain et al., Br J Clin Pharmacol 2011;72:294) against closed forms of its own structure
// (mass balance at steady state, the dose-exponent assumption) and against the Nexavar label
// (docs/literature-verified.md section 1: t1/2 25-48 h, accumulation 2.5-7-fold, peak/trough < 2 at steady
// state, tmax about 3 h, Css around 8 mg/L at 400 mg BID).
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/studies/exposure.hpp"
#include "test_pk_helpers.hpp"

using namespace mobsim;
using namespace mobsim::test;

namespace {

// Jain 2011 Table 3 (as in models/sorafenib_pk.cpp): CL/F 8.13 L/h, Fent 0.498.
constexpr double kCl = 8.13, kFent = 0.498, kTau = 12.0;
const char* kTight = "solver: {rtol: 1.0e-10, atol: 1.0e-12}\n";

std::string bid_steady_state(double amount, double weight) {
    return "model: sorafenib_pk\npatient: {weight_kg: " + std::to_string(weight) +
           "}\nregimens: [{label: sorafenib, into: sorafenib_depot, amount: " + std::to_string(amount) +
           ", unit: mg, every_h: 12, count: 1, steady_state: true}]\noutput: {end_h: 12, step_h: 1}\n" + kTight;
}

ExposureRow steady_state(double amount, double weight = 80.0) {
    ExposureRequest request;
    request.output = "sorafenib";
    request.interval_h = kTau;
    request.amounts = {amount};
    request.intervals = 2400;
    return steady_state_exposure(problem_from_yaml(bid_steady_state(amount, weight)), request).rows.at(0);
}

}  // namespace

TEST_CASE("sorafenib 400 mg BID: steady-state Cavg is dose / (tau (1 - Fent) CL) and lies near 8 mg/L") {
    const ExposureRow ss = steady_state(400.0);
    // Mass balance at steady state: all drug dosed in one interval leaves through the only irreversible
    // pathway, (1 - Fent) CL C (bile is re-absorbed completely), so AUC_tau = D / ((1 - Fent) CL).
    const double cavg_closed_form = 400.0 / (kTau * (1.0 - kFent) * kCl);  // 8.167 mg/L
    CHECK(relative_error(ss.cavg, cavg_closed_form) < 1e-5);
    // docs/literature-verified.md 1.3: Css,avg about 8 mg/L at 400 mg BID; 4-10 mg/L spans the long-run
    // median (about 4.4 mg/L, Boudou-Rouquette 2012) to the day-15 dose-normalised AUC (102 mg.h/L).
    CHECK(ss.cavg > 4.0);
    CHECK(ss.cavg < 10.0);
}

TEST_CASE("sorafenib steady state: peak/trough below 2 (label)") {
    const ExposureRow ss = steady_state(400.0);
    // Nexavar label (literature-verified.md 1.3): peak-to-trough ratio < 2 at steady state.
    CHECK(ss.cmax / ss.cmin < 2.0);
    CHECK(ss.cmax / ss.ctrough < 2.0);
}

TEST_CASE("sorafenib: effective half-life after stopping and accumulation are within the label ranges") {
    // 400 mg BID for 14 days (28 doses; last dose at 324 h), then 4 days without dosing.
    const Trajectory t = run_yaml(std::string(R"(
model: sorafenib_pk
patient: {weight_kg: 80}
regimens: [{label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, every_h: 12, count: 28}]
output: {end_h: 420, step_h: 0.05}
)") + kTight);
    const auto c = t.column("sorafenib");
    // terminal phase 24-96 h after the last dose
    const double half_life = half_life_between(t.time_h, c, 348.0, 420.0);
    CHECK(half_life > 25.0);  // Nexavar label: elimination half-life 25-48 h
    CHECK(half_life < 48.0);
    // The bile loop (transit 0.4 h, gallbladder 1.2 h) is fast next to V/CL = 26 h, so the terminal rate is
    // close to (1 - Fent) CL / V: t1/2 = ln 2 V / ((1 - Fent) CL) = 36.2 h (literature-verified.md 1.3).
    CHECK(relative_error(half_life, std::log(2.0) * 213.0 / ((1.0 - kFent) * kCl)) < 0.10);

    // Accumulation: AUC over a steady-state interval vs AUC over the first interval (label: 2.5-7-fold).
    const std::size_t i12 = row_at(t.time_h, 12.0);
    const double first_interval = simpson(t.time_h, c, 0, i12);
    const double steady = steady_state(400.0).auc_tau;
    const double accumulation = steady / first_interval;
    CHECK(accumulation > 2.5);
    CHECK(accumulation < 7.0);
    // Day 14 (doses 27-28) is at steady state: the label says steady state is reached within 7 days.
    const double day14 = simpson(t.time_h, c, row_at(t.time_h, 312.0), row_at(t.time_h, 324.0));
    CHECK(relative_error(day14, steady) < 0.02);
}

TEST_CASE("sorafenib first dose: the label's 3 h tmax lies inside Jain 2011's absorption spread") {
    // Nexavar label: peak plasma levels about 3 h after an oral dose. Jain 2011: MAT 1.98 h (ka = 5/MAT) with
    // 61.9% CV (omega^2 0.324). The typical patient peaks at 4.2 h, 1.2 h after the label (documented miss,
    // docs/pk.md); the label's value must lie between the tmax of the 10th- and 90th-percentile MAT, and the
    // 25th-percentile MAT (1.35 h) must peak within 0.5 h of it.
    auto tmax = [](double mat_h) {
        const Trajectory t = run_yaml("model: sorafenib_pk\npatient: {weight_kg: 80}\nparameters: {sorafenib_ka: " +
                                      std::to_string(5.0 / mat_h) +
                                      "}\nregimens: [{label: sorafenib, into: sorafenib_depot, amount: 400, unit: "
                                      "mg, at_h: [0]}]\noutput: {end_h: 24, step_h: 0.01}\n" + kTight);
        return peak_between(t.time_h, t.column("sorafenib"), 0.0, 24.0).time_h;
    };
    const double omega = std::sqrt(0.324), mat = 1.98;
    const double fast = tmax(mat * std::exp(-1.2816 * omega)), slow = tmax(mat * std::exp(1.2816 * omega));
    CHECK(fast < 3.0);
    CHECK(slow > 3.0);
    CHECK(std::abs(tmax(mat * std::exp(-0.6745 * omega)) - 3.0) < 0.5);
}

TEST_CASE("sorafenib 600 and 800 mg: AUC ratio follows the (D/400)^(1 - theta) assumption, less than proportional") {
    const double auc400 = steady_state(400.0).auc_tau;
    for (double dose : {600.0, 800.0}) {
        const double ratio = steady_state(dose).auc_tau / auc400;
        // models/sorafenib_pk.cpp: F_rel = (D/400)^-0.6 above 400 mg and linear disposition, so
        // AUC(D)/AUC(400) = (D/400)^(1 - 0.6) exactly: 1.176 at 600 mg, 1.320 at 800 mg.
        CHECK(relative_error(ratio, std::pow(dose / 400.0, 0.4)) < 1e-5);
        CHECK(ratio < dose / 400.0);  // label: less than dose-proportional above 400 mg BID
    }
    // Below 400 mg exposure is dose-proportional (Japanese phase 1, PubMed 18477034: linear up to 400 mg BID).
    CHECK(relative_error(steady_state(200.0).auc_tau / auc400, 0.5) < 1e-5);
}

TEST_CASE("sorafenib: only a dose into the sorafenib depot restarts the gallbladder clock") {
    // A 400 mg dose at 0 h; the gallbladder empties from t' = 6.13 h on. An extra 1 mg given at 9 h into the
    // central compartment must not restart the clock: the gallbladder then differs from the single-dose run by
    // at most the 1 mg extra (the system is linear for a fixed clock). A restart would stop the emptying from
    // 9 h to 15.1 h and leave tens of mg more in the gallbladder. The same 1 mg into the depot restarts it.
    auto gallbladder_at_14h = [](const std::string& extra) {
        const Trajectory t = run_yaml(
            "model: sorafenib_pk\npatient: {weight_kg: 80}\nregimens:\n"
            "  - {label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, at_h: [0]}\n" +
            extra + "output: {end_h: 14, times_h: [14]}\n" + kTight);
        return t.column("sorafenib_gallbladder").back();
    };
    const double single = gallbladder_at_14h("");
    const double central = gallbladder_at_14h("  - {label: iv, into: sorafenib_central, amount: 1, unit: mg, at_h: [9]}\n");
    const double transit = gallbladder_at_14h("  - {label: gut, into: sorafenib_transit4, amount: 1, unit: mg, at_h: [9]}\n");
    const double depot = gallbladder_at_14h("  - {label: oral, into: sorafenib_depot, amount: 1, unit: mg, at_h: [9]}\n");
    CHECK(std::abs(central - single) < 1.0);
    CHECK(std::abs(transit - single) < 1.0);
    CHECK(depot - single > 10.0);
}

TEST_CASE("sorafenib: body weight scales V only, so steady-state AUC is unchanged and the swing changes") {
    const ExposureRow light = steady_state(400.0, 50.0), heavy = steady_state(400.0, 120.0);
    // AUC_tau = D / ((1 - Fent) CL) does not depend on V (Jain 2011: weight on V/F only).
    CHECK(relative_error(light.auc_tau, heavy.auc_tau) < 1e-5);
    // A smaller volume means faster kel = CL/V and a larger peak-trough swing.
    CHECK((light.cmax - light.cmin) / light.cavg > 1.5 * (heavy.cmax - heavy.cmin) / heavy.cavg);
}
