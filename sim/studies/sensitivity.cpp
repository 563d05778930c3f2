#include "sim/studies/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

std::vector<double> window_maxima(const Problem& p, const std::vector<int>& columns, double start_h, double end_h) {
    const Trajectory t = simulate(p);
    std::vector<double> best(columns.size(), -1e300);
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        if (t.time_h[i] < start_h || t.time_h[i] > end_h) continue;
        for (std::size_t k = 0; k < columns.size(); ++k) best[k] = std::max(best[k], t.at(i, columns[k]));
    }
    return best;
}

}  // namespace

SensitivityTable local_sensitivity(const Problem& problem, const std::vector<std::string>& outputs, double start_h,
                                   double end_h, double relative_step) {
    SensitivityTable table;
    std::vector<int> columns;
    for (const auto& name : outputs) {
        columns.push_back(problem.model->require_output(name, "sensitivity --outputs"));
        table.outputs.push_back(name);
    }
    table.baseline = window_maxima(problem, columns, start_h, end_h);
    const auto& infos = problem.model->parameters();
    for (std::size_t j = 0; j < infos.size(); ++j) {
        const double value = problem.parameters[j];
        if (value == 0.0) continue;
        Problem up = problem, down = problem;
        up.parameters[j] = std::min(value * (1.0 + relative_step), infos[j].upper);
        down.parameters[j] = std::max(value * (1.0 - relative_step), infos[j].lower);
        if (up.parameters[j] == down.parameters[j]) continue;
        const auto high = window_maxima(up, columns, start_h, end_h), low = window_maxima(down, columns, start_h, end_h);
        table.parameters.push_back(infos[j].name);
        const double dlog_theta = std::log(up.parameters[j] / down.parameters[j]);
        for (std::size_t k = 0; k < columns.size(); ++k)
            table.values.push_back(high[k] > 0 && low[k] > 0 ? std::log(high[k] / low[k]) / dlog_theta : 0.0);
    }
    return table;
}

std::string to_csv(const SensitivityTable& table) {
    std::ostringstream out;
    out << "parameter";
    for (const auto& o : table.outputs) out << ',' << o;
    out << '\n';
    for (std::size_t j = 0; j < table.parameters.size(); ++j) {
        out << table.parameters[j];
        for (std::size_t k = 0; k < table.outputs.size(); ++k)
            out << ',' << format_number(std::round(table.values[j * table.outputs.size() + k] * 1e4) / 1e4);
        out << '\n';
    }
    return out.str();
}

}  // namespace mobsim
