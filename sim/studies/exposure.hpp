// Steady-state exposure of one regimen at several dose amounts: AUC over a dosing interval, Cmax,
// Cmin, pre-dose trough and average concentration of one model output.
#pragma once
#include <string>
#include <vector>

#include "sim/io/csv_output.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim {

struct ExposureRequest {
    std::string output;           // model output to summarise, e.g. "sorafenib"
    std::string regimen;          // label of the regimen whose amount varies; empty: the only regimen
    double interval_h = 0.0;      // dosing interval tau
    std::vector<double> amounts;  // in the regimen's own unit
    int intervals = 1200;         // grid intervals over tau (even; Simpson's rule)
};

struct ExposureRow {
    double amount = 0.0;
    double auc_tau = 0.0;   // integral of the output over [0, tau] at steady state
    double cmax = 0.0;      // largest grid value over the interval
    double tmax_h = 0.0;    // time after the dose of cmax
    double cmin = 0.0;      // smallest grid value over the interval
    double ctrough = 0.0;   // pre-dose trough: the value at the end of the interval
    double cavg = 0.0;      // auc_tau / tau
};

struct ExposureTable {
    std::string amount_unit;  // the regimen's unit, e.g. "mg"
    OutputInfo output;        // the summarised output (name and unit)
    std::vector<ExposureRow> rows;
};

// For each amount: makes the chosen regimen a steady-state regimen (every interval_h, first dose at t = 0),
// keeps other regimens only if they are steady_state themselves (they must share the interval), simulates
// [0, tau] on a uniform grid and summarises the output. Throws InputError on a bad request.
ExposureTable steady_state_exposure(const Problem& problem, const ExposureRequest& request);

// CSV with the units in the column names, e.g. amount_mg,auc_tau_mg_h_L,cmax_mg_L,...
std::string to_exposure_csv(const ExposureTable& table, const Provenance& provenance);

}  // namespace mobsim
