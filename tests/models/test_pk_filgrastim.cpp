// filgrastim_pk (Krzyzanski et al., J Clin Pharmacol 2010;50(9 Suppl):101S; quasi-equilibrium TMDD with the
// receptor pool carried by the neutrophil lineage) against published figures (docs/literature-verified.md
// section 3): the filgrastim SmPC (peak up to 118 ng/mL after SC doses, above 10 ng/mL for 8-16 h, t1/2 about
// 3.5 h), the Neupogen label (ANC rises within 1-2 days; back to baseline within 4 days) and the Krzyzanski
// abstract (Cmax decays with repeated doses because receptor-mediated clearance grows).
#include <catch2/catch.hpp>

#include <cmath>

#include "models/filgrastim_pk.hpp"
#include "test_pk_helpers.hpp"

using namespace mobsim;
using namespace mobsim::test;

namespace {

const char* kTight = "solver: {rtol: 1.0e-10, atol: 1.0e-12}\n";
constexpr double kBaselineConc = 0.02, kBaselineAnc = 1.55;  // Krzyzanski 2010: endogenous G-CSF, NB0

std::string scenario(const std::string& regimens, double end_h, double step_h) {
    return "model: filgrastim_pk\npatient: {weight_kg: 70}\nregimens:\n" + regimens +
           "output: {end_h: " + std::to_string(end_h) + ", step_h: " + std::to_string(step_h) + "}\n" + kTight;
}

std::string single_sc(double ug_per_kg) {
    return "  - {label: filgrastim, into: filgrastim_depot, amount: " + std::to_string(ug_per_kg) +
           ", unit: ug/kg, at_h: [0]}\n";
}

}  // namespace

TEST_CASE("filgrastim 10 ug/kg SC in 70 kg: peak, time above 10 ng/mL and apparent half-life") {
    const Trajectory t = run_yaml(scenario(single_sc(10), 120, 0.01));
    const auto c = t.column("filgrastim");
    const Peak p = peak_between(t.time_h, c, 0.0, 120.0);
    // SmPC: "peak serum concentrations up to 118 ng/mL" after SC doses.
    CHECK(p.value <= 118.0);
    // Not a published figure: an independent SciPy integration of Krzyzanski's published equations and final
    // estimates, tests/reference/filgrastim_krzyzanski_ref.py (ctest reference_filgrastim): 94.9 ng/mL at 2.92 h.
    CHECK(relative_error(p.value, 95.0) < 0.02);
    CHECK(std::abs(p.time_h - 2.9) < 0.3);

    double above = 0.0;
    for (std::size_t i = 1; i < c.size(); ++i)
        if (c[i] > 10.0 && c[i - 1] > 10.0) above += t.time_h[i] - t.time_h[i - 1];
    CHECK(above >= 8.0);  // SmPC: serum concentration above 10 ng/mL for 8-16 h
    CHECK(above <= 16.0);

    // SmPC: elimination half-life about 3.5 h. Measured over 8-24 h (absorption 99.5% complete at 8 h);
    // tolerance 2.5-4.5 h, since receptor-mediated clearance makes the slope concentration-dependent.
    const double half_life = half_life_between(t.time_h, c, 8.0, 24.0);
    CHECK(half_life > 2.5);
    CHECK(half_life < 4.5);

    // Back near the endogenous level: below 0.1 ng/mL (1/30 of EC50 3.15 ng/mL) at 48 h, and within 25% of
    // 0.02 ng/mL from 72 h on (literature-verified.md 3.1: the 48-h trough is back at about 0.02-0.07 ng/mL).
    CHECK(c[row_at(t.time_h, 48.0)] < 0.1);
    for (double time : {72.0, 96.0, 120.0}) CHECK(relative_error(c[row_at(t.time_h, time)], kBaselineConc) < 0.25);
}

TEST_CASE("filgrastim: saturable receptor clearance makes dose-normalised AUC larger at 10 than at 1 ug/kg") {
    auto auc_above_baseline_per_dose = [](double ug_per_kg) {
        const Trajectory t = run_yaml(scenario(single_sc(ug_per_kg), 96, 0.01));
        const auto c = t.column("filgrastim");
        return (simpson(t.time_h, c, 0, c.size() - 1) - kBaselineConc * 96.0) / ug_per_kg;
    };
    // Krzyzanski 2010 abstract: receptor-mediated endocytosis; at low concentration it removes G-CSF at
    // KINT RTOT/KD = 1.3 1/h, about 9 x KEL, and it saturates at high concentration.
    CHECK(auc_above_baseline_per_dose(10.0) > 1.5 * auc_above_baseline_per_dose(1.0));
}

TEST_CASE("filgrastim: systemic clearance against the SmPC's 0.6 mL/min/kg, at 1 ug/kg and at the 10 ug/kg dose") {
    // SmPC section 5.2 (filgrastim; the same text in the Grastofil and Neutromax SmPCs): first-order clearance of
    // about 0.6 mL/min/kg and a linear dose-concentration relation. Krzyzanski's receptor clearance is saturable, so
    // the model holds the label's clearance only at low doses; at 10 ug/kg it clears 4-5x slower (docs/pk.md, 3).
    const double f_sc = models::FilgrastimPk::parameter_infos()[models::FilgrastimPk::f_sc].value;
    auto clearance_mL_min_kg = [f_sc](double ug_per_kg) {
        const Trajectory t = run_yaml(scenario(single_sc(ug_per_kg), 96, 0.01));
        const auto c = t.column("filgrastim");
        const double auc = simpson(t.time_h, c, 0, c.size() - 1) - kBaselineConc * 96.0;  // ng h/mL
        return f_sc * ug_per_kg * 1000.0 / auc / 60.0;  // (ng/kg) / (ng h/mL) = mL/h/kg
    };
    const double low = clearance_mL_min_kg(1.0), label_dose = clearance_mL_min_kg(10.0);
    INFO("CL at 1 ug/kg " << low << ", at 10 ug/kg " << label_dose << " mL/min/kg");
    CHECK(relative_error(low, 0.6) < 0.15);  // "approximately 0.6": within 15%
    CHECK(label_dose < 0.6 / 3.0);           // the miss, stated in docs/pk.md
}

TEST_CASE("filgrastim 10 ug/kg every 48 h: Cmax decays with repeated doses") {
    const Trajectory t = run_yaml(scenario(
        "  - {label: filgrastim, into: filgrastim_depot, amount: 10, unit: ug/kg, days: [1, 3, 5, 7, 9, 11, 13]}\n",
        336, 0.01));
    const auto c = t.column("filgrastim");
    // Krzyzanski 2010 abstract: the model "depicted the decaying trend in Cmax values with repeated doses".
    // The paper reports the trend, not these numbers: they are the peaks of an independent SciPy integration of its
    // equations, tests/reference/filgrastim_krzyzanski_ref.py (ctest reference_filgrastim), rounded to 1 ng/mL.
    const double reference[] = {95, 91, 84, 75, 64, 51, 38};
    double previous = 1e300;
    for (int k = 0; k < 7; ++k) {
        const Peak p = peak_between(t.time_h, c, 48.0 * k, 48.0 * k + 47.99);
        CHECK(p.value < previous);
        CHECK(std::abs(p.value - reference[k]) < 1.0);  // the reference list is rounded to 1 ng/mL
        previous = p.value;
    }
}

TEST_CASE("filgrastim: ANC rises within 1-2 days and is back near baseline 4 days after a single dose") {
    const Trajectory t = run_yaml(scenario(single_sc(10), 96, 0.25));
    const auto anc = t.column("anc");
    // Neupogen label: a transient rise in neutrophil counts 1-2 days after starting filgrastim.
    CHECK(anc[row_at(t.time_h, 24.0)] > 2.0 * kBaselineAnc);
    CHECK(anc[row_at(t.time_h, 48.0)] > 2.0 * kBaselineAnc);
    // Neupogen label: ANC returns to baseline within 4 days of stopping (tolerance 25%).
    CHECK(relative_error(anc[row_at(t.time_h, 96.0)], kBaselineAnc) < 0.25);
}

TEST_CASE("filgrastim: the untreated baseline is a steady state") {
    const Trajectory t = run_yaml(scenario("  []\n", 720, 24));
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        CHECK(relative_error(t.at(i, 0), kBaselineConc) < 1e-8);  // Krzyzanski 2010: 0.02 ng/mL
        CHECK(relative_error(t.at(i, 1), kBaselineAnc) < 1e-8);   // NB0 1.55e3/uL
    }
}

TEST_CASE("filgrastim: the free concentration solves the binding equilibrium to rounding, even with far more receptors than drug") {
    // total/V = C + R C / (KD + C) with R = receptors per cell x lineage cells; checked by substitution
    std::vector<double> p;
    for (const auto& info : models::FilgrastimPk::parameter_infos()) p.push_back(info.value);
    models::FilgrastimPk pk;
    pk.bind(p.data());
    const double v = p[models::FilgrastimPk::volume], kd = p[models::FilgrastimPk::kd];
    const double per_cell = p[models::FilgrastimPk::ksi];
    for (double lineage : {1.0, 15.0, 1e3, 1e6})
        for (double total_ug : {1e-9, 1e-4, 0.05, 30.0, 3e3}) {
            double x[models::FilgrastimPk::n_states] = {};
            x[models::FilgrastimPk::total] = total_ug;
            x[models::FilgrastimPk::anc] = lineage;  // the lineage is the sum of the marrow stages and the blood
            const double c = pk.concentration_ng_mL(x), receptors = per_cell * lineage;
            INFO("lineage " << lineage << ", total " << total_ug << " ug: C = " << c);
            CHECK(c > 0.0);
            CHECK(relative_error(c + receptors * c / (kd + c), total_ug / v) < 1e-13);
        }
}
