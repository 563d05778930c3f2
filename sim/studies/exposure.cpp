#include "sim/studies/exposure.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

// "mg/L" -> "mg.h/L"; "ng/mL" -> "ng.h/mL"; "1e3/uL" -> "1e3.h/uL"; "cells" -> "cells.h".
std::string time_integral_unit(const std::string& unit) {
    if (unit.empty() || unit == "1") return "h";
    const auto slash = unit.find('/');
    if (slash == std::string::npos || slash == 0) return unit + ".h";
    return unit.substr(0, slash) + ".h" + unit.substr(slash);
}

std::size_t chosen_regimen(const Problem& problem, const std::string& label) {
    std::vector<std::string> labels;
    for (const auto& r : problem.regimens) labels.push_back(r.label);
    if (label.empty()) {
        if (problem.regimens.size() == 1) return 0;
        throw InputError("exposure: the scenario has " + std::to_string(problem.regimens.size()) +
                         " regimens; name the one to vary with --regimen (labels: " + join(labels, ", ") + ")");
    }
    for (std::size_t r = 0; r < problem.regimens.size(); ++r)
        if (problem.regimens[r].label == label) return r;
    throw InputError("exposure: the scenario has no regimen labelled '" + label + "'" + did_you_mean(label, labels) +
                     " (labels: " + join(labels, ", ") + ")");
}

}  // namespace

ExposureTable steady_state_exposure(const Problem& problem, const ExposureRequest& request) {
    if (!(request.interval_h > 0.0) || !std::isfinite(request.interval_h))
        throw InputError("exposure: the dosing interval must be a positive number of hours");
    if (request.amounts.empty()) throw InputError("exposure: give at least one dose amount");
    if (request.intervals < 2 || request.intervals % 2 != 0)
        throw InputError("exposure: the number of grid intervals must be even and at least 2");
    const int column = problem.model->require_output(request.output, "exposure");
    const std::size_t chosen = chosen_regimen(problem, request.regimen);

    ExposureTable table;
    table.amount_unit = to_string(problem.regimens[chosen].unit);
    table.output = problem.model->outputs()[column];

    const double tau = request.interval_h;
    const int n = request.intervals;
    std::vector<double> grid(n + 1);
    for (int k = 0; k <= n; ++k) grid[k] = tau * k / n;
    grid[n] = tau;

    for (double amount : request.amounts) {
        if (!(amount > 0.0) || !std::isfinite(amount))
            throw InputError("exposure: dose amounts must be positive numbers");
        Problem p = problem;
        p.regimens.clear();
        p.regimen_states.clear();
        for (std::size_t r = 0; r < problem.regimens.size(); ++r) {
            Regimen reg = problem.regimens[r];
            if (r == chosen) {
                Regimen periodic;
                periodic.label = reg.label;
                periodic.target = reg.target;
                periodic.unit = reg.unit;
                periodic.bioavailability = reg.bioavailability;
                periodic.lag_h = reg.lag_h;
                periodic.duration_h = reg.duration_h;
                periodic.rate_per_h = reg.rate_per_h;
                periodic.amount = amount;
                periodic.start_h = 0.0;
                periodic.every_h = tau;
                periodic.count = 1;  // the dose at t = 0; the next one (at tau) lies outside [0, tau)
                periodic.steady_state = true;
                reg = periodic;
            } else if (!reg.steady_state) {
                continue;  // a one-off regimen has no place in a periodic state
            }
            p.regimens.push_back(reg);
            p.regimen_states.push_back(problem.regimen_states[r]);
        }
        p.end_h = tau;
        p.grid = grid;
        std::vector<double> values;
        values.reserve(grid.size());
        std::vector<double> y(p.model->outputs().size());
        simulate_states(p, grid, [&](const OdeSystem& system, double t, const double* x) {
            system.observe(t, x, y.data());
            values.push_back(y[column]);
        }, false);
        if (values.size() != grid.size())
            throw SolverError("exposure: the simulation reported " + std::to_string(values.size()) + " of " +
                              std::to_string(grid.size()) + " grid values");
        // Composite Simpson's rule on the uniform grid
        const double h = tau / n;
        double sum = values.front() + values.back();
        for (int k = 1; k < n; ++k) sum += (k % 2 ? 4.0 : 2.0) * values[k];
        ExposureRow row;
        row.amount = amount;
        row.auc_tau = sum * h / 3.0;
        const auto peak = std::max_element(values.begin(), values.end());
        row.cmax = *peak;
        row.tmax_h = grid[static_cast<std::size_t>(peak - values.begin())];
        row.cmin = *std::min_element(values.begin(), values.end());
        row.ctrough = values.back();
        row.cavg = row.auc_tau / tau;
        table.rows.push_back(row);
    }
    return table;
}

std::string to_exposure_csv(const ExposureTable& table, const Provenance& provenance) {
    std::ostringstream out;
    for (const auto& [key, value] : provenance.entries) out << "# " << key << ": " << value << '\n';
    const std::string& unit = table.output.unit;
    auto name = [](const std::string& base, const std::string& u) { return column_name(OutputInfo{base, u, ""}); };
    out << name("amount", table.amount_unit) << ',' << name("auc_tau", time_integral_unit(unit)) << ','
        << name("cmax", unit) << ',' << "tmax_h" << ',' << name("cmin", unit) << ',' << name("ctrough", unit) << ','
        << name("cavg", unit) << '\n';
    for (const auto& r : table.rows)
        out << format_number(r.amount) << ',' << format_number(r.auc_tau) << ',' << format_number(r.cmax) << ','
            << format_number(r.tmax_h) << ',' << format_number(r.cmin) << ',' << format_number(r.ctrough) << ','
            << format_number(r.cavg) << '\n';
    return out.str();
}

}  // namespace mobsim
