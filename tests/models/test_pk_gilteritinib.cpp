// Gilteritinib PK, the built-in component (models/gilteritinib_pk.cpp), against three independent truths: the same
// model written as a file (models/files/gilteritinib_pk.model, compiled by the model-file path), the closed-form
// concentration after one oral dose, and the figures the XOSPATA label reports for 120 mg once daily (US label
// 12.2-12.3, EU SmPC 5.2; clinical PK profile: James et al., Clin Pharmacokinet 2020;59:1273).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "models/gilteritinib_pk.hpp"
#include "models/sorafenib_pk.hpp"
#include "sim/base/config.hpp"
#include "sim/engine/simulation.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

const std::string kModelFile =
    (std::filesystem::path(MOBSIM_SOURCE_DIR) / "models" / "files" / "gilteritinib_pk.model").string();

// `regimen` without its `into`: the built-in model doses gilteritinib_depot, the model file `depot`.
Trajectory simulate_gilteritinib(const std::string& model, const std::string& regimen, double end_h, double step_h) {
    const std::string into = model == kModelFile ? "depot" : "gilteritinib_depot";
    const std::string text = "model: " + model + "\nregimens: [{into: " + into + ", " + regimen +
                             "}]\noutput: {end_h: " + std::to_string(end_h) + ", step_h: " + std::to_string(step_h) +
                             "}\nsolver: {rtol: 1.0e-10, atol: 1.0e-14}\n";
    const Scenario s = read_scenario_node(load_config_text(text, "gilteritinib.yaml"));
    return simulate(build_problem(s, test::registry_with_model_files().create(s.model)));
}

Trajectory builtin(const std::string& regimen, double end_h, double step_h) {
    return simulate_gilteritinib("gilteritinib_pk", regimen, end_h, step_h);
}

struct Interval {
    double auc_ng_h_mL = 0, cmax_ng_mL = 0, tmax_h = 0, cmin_ng_mL = 1e300;
};

// AUC (trapezoid), Cmax, tmax and Cmin over [from, from + 24] of a concentration column in mg/L.
Interval dosing_interval(const Trajectory& t, const std::vector<double>& c, double from) {
    Interval out;
    for (std::size_t i = 1; i < t.time_h.size(); ++i) {
        if (t.time_h[i - 1] < from - 1e-9 || t.time_h[i] > from + 24 + 1e-9) continue;
        out.auc_ng_h_mL += 0.5 * (c[i] + c[i - 1]) * (t.time_h[i] - t.time_h[i - 1]) * 1000.0;
        out.cmin_ng_mL = std::min(out.cmin_ng_mL, c[i] * 1000.0);
        if (c[i] * 1000.0 > out.cmax_ng_mL) {
            out.cmax_ng_mL = c[i] * 1000.0;
            out.tmax_h = t.time_h[i] - from;
        }
    }
    return out;
}

// Plasma concentration (mg/L) t h after one oral dose D (mg): the two-compartment model with first-order
// absorption after a lag, in closed form (sum of three exponentials; Gibaldi & Perrier, Pharmacokinetics).
double closed_form_mg_L(double t, double dose) {
    const double ka = 0.43, lag = 0.34, cl = 14.85, vc = 1092, vp = 1100, q = 39.17;
    const double s = t - lag;
    if (s <= 0) return 0.0;
    const double k10 = cl / vc, k12 = q / vc, k21 = q / vp, sum = k10 + k12 + k21;
    const double root = std::sqrt(sum * sum - 4 * k10 * k21);
    const double alpha = (sum + root) / 2, beta = (sum - root) / 2;
    return ka * dose / vc *
           ((k21 - alpha) / ((ka - alpha) * (beta - alpha)) * std::exp(-alpha * s) +
            (k21 - beta) / ((ka - beta) * (alpha - beta)) * std::exp(-beta * s) +
            (k21 - ka) / ((alpha - ka) * (beta - ka)) * std::exp(-ka * s));
}

}  // namespace

TEST_CASE("built-in gilteritinib_pk agrees with the gilteritinib model file", "[gilteritinib]") {
    // the labelled regimen, and irregular doses of different sizes (one inside the lag of the previous)
    for (const std::string regimen : {"amount: 120, unit: mg, start_h: 8, every_h: 24, count: 28",
                                      "amount: 80, unit: mg, at_h: [0, 0.2, 7.5, 31, 100]"}) {
        INFO(regimen);
        const std::vector<double> a = builtin(regimen, 700, 0.5).column("gilteritinib"),
                                  b = simulate_gilteritinib(kModelFile, regimen, 700, 0.5).column("gilteritinib");
        REQUIRE(a.size() == b.size());
        const double peak = *std::max_element(b.begin(), b.end());
        double worst = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / peak);
        CHECK(worst < 1e-9);  // measured 4e-12: the built-in block is propagated exactly, the file stepped
    }
}

TEST_CASE("gilteritinib after one dose follows the closed-form two-compartment solution", "[gilteritinib]") {
    const Trajectory t = builtin("amount: 120, unit: mg, at_h: [0]", 300, 0.25);
    const std::vector<double> c = t.column("gilteritinib");
    double worst = 0.0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const double truth = closed_form_mg_L(t.time_h[i], 120.0);
        if (truth > 0) worst = std::max(worst, std::abs(c[i] - truth) / truth);
        else CHECK(c[i] == 0.0);  // nothing reaches plasma during the 0.34 h lag
    }
    CHECK(worst < 1e-10);  // measured 1e-14: the linear block is propagated by its matrix exponential
}

TEST_CASE("gilteritinib 120 mg once daily matches the label's steady-state figures", "[gilteritinib]") {
    const Trajectory t = builtin("amount: 120, unit: mg, every_h: 24, count: 28", 672, 0.05);
    const std::vector<double> c = t.column("gilteritinib");
    const Interval day1 = dosing_interval(t, c, 0), day15 = dosing_interval(t, c, 14 * 24),
                   day28 = dosing_interval(t, c, 27 * 24);
    // EU SmPC 5.2 medians with their CV: Cmax 282 ng/mL (50.8%), AUC0-24 6180 ng*h/mL (46.4%)
    CHECK(std::abs(day28.cmax_ng_mL / 282.0 - 1.0) < 0.508);
    CHECK(std::abs(day28.auc_ng_h_mL / 6180.0 - 1.0) < 0.464);
    // US label 12.3 means with their SD: Cmax 374 (190) ng/mL, AUC24 6943 (3221) ng*h/mL
    CHECK(std::abs(day28.cmax_ng_mL - 374.0) < 190.0);
    CHECK(std::abs(day28.auc_ng_h_mL - 6943.0) < 3221.0);
    CHECK(day28.tmax_h >= 4.0);  // median tmax 4-6 h (label), 2-6 h (James 2020)
    CHECK(day28.tmax_h <= 6.0);
    CHECK(day15.auc_ng_h_mL > 0.9 * day28.auc_ng_h_mL);  // steady state within 15 days (label)
    // AUC accumulation about 5-fold (a SciPy integration of the same equations gives 5.04), not the label's
    // "approximately 10-fold" (docs/pk.md, section 6)
    CHECK(day28.auc_ng_h_mL / day1.auc_ng_h_mL > 4.5);
    CHECK(day28.auc_ng_h_mL / day1.auc_ng_h_mL < 5.5);
    // linear PK: at steady state AUC over a dosing interval is dose / CL (120 mg / 14.85 L/h); day 28 is within 5%
    CHECK(day28.auc_ng_h_mL / (120.0 / 14.85 * 1000.0) == Approx(1.0).epsilon(0.05));
}

TEST_CASE("gilteritinib terminal half-life is the label's 113 h", "[gilteritinib]") {
    const Trajectory t = builtin("amount: 120, unit: mg, at_h: [0]", 800, 1);
    const std::vector<double> c = t.column("gilteritinib");
    // log-linear slope between 400 and 800 h, long after distribution has equilibrated
    const double slope = (std::log(c[800]) - std::log(c[400])) / 400.0;
    CHECK(std::log(2.0) / -slope == Approx(113.0).epsilon(0.01));
}

TEST_CASE("gilteritinib FLT3 port: sustained inhibition above 90% at 120 mg once daily, as the label reports",
          "[gilteritinib]") {
    const models::ComponentDeclaration decl = models::gilteritinib_component();
    REQUIRE(decl.ports == std::vector<std::string>{"central_concentration", "flt3_inhibition"});
    // the concentration port is in sorafenib's unit, so a FLT3 coupling reads either drug alike
    CHECK(decl.outputs.at(0).port == "central_concentration");
    CHECK(decl.outputs.at(0).info.unit == models::sorafenib_component().outputs.at(0).info.unit);
    std::vector<double> p;
    for (const auto& info : decl.parameters) p.push_back(info.value);
    const auto bound = decl.bind(p.data(), nullptr);
    const double vc = p[models::GilteritinibPk::vc], ic50 = p[models::GilteritinibPk::flt3_ic50];

    const Trajectory t = builtin("amount: 120, unit: mg, every_h: 24, count: 28", 672, 0.5);
    const std::vector<double> c = t.column("gilteritinib");
    double lowest_steady = 1.0, at_24h = 0.0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const double x[3] = {0.0, c[i] * vc, 0.0};
        double ports[2];
        bound->ports(x, ports);
        CHECK(ports[0] == Approx(c[i]).epsilon(1e-12));
        CHECK(ports[1] == Approx(c[i] / (c[i] + ic50)).epsilon(1e-12));  // Imax 1, Hill 1
        if (t.time_h[i] >= 14 * 24) lowest_steady = std::min(lowest_steady, ports[1]);
        if (t.time_h[i] == 24.0) at_24h = ports[1];
    }
    // US label 12.2: >90% inhibition of FLT3 phosphorylation (plasma inhibitory activity assay), sustained
    CHECK(lowest_steady > 0.90);
    // and "within 24 hours after the first dose": not reproduced, 24 h after the first dose the model inhibits
    // 80% (90% from about 27 h; docs/validation.md, gilteritinib's potency against its label)
    CHECK(at_24h > 0.5);
    CHECK(at_24h < 0.90);
}
