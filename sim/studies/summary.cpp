#include "sim/studies/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

bool same_time(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

std::size_t output_column(const Trajectory& t, const SummarySpec& spec) {
    for (std::size_t j = 0; j < t.outputs.size(); ++j)
        if (t.outputs[j].name == spec.output) return j;
    throw std::invalid_argument("summary '" + spec.name + "': no output named '" + spec.output + "'");
}

std::size_t row_at(const Trajectory& t, double time, const SummarySpec& spec) {
    const auto it = std::lower_bound(t.time_h.begin(), t.time_h.end(), time - 1e-9 * std::max(1.0, std::abs(time)));
    if (it == t.time_h.end() || !same_time(*it, time))
        throw std::invalid_argument("summary '" + spec.name + "': the trajectory has no row at t = " +
                                    std::to_string(time) + " h");
    return static_cast<std::size_t>(it - t.time_h.begin());
}

// Rows the summary looks at: the sample times, or every row within [start_h, end_h].
std::vector<std::size_t> rows_of(const Trajectory& t, const SummarySpec& spec) {
    std::vector<std::size_t> rows;
    if (!spec.sample_times_h.empty()) {
        for (double time : spec.sample_times_h) rows.push_back(row_at(t, time, spec));
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        return rows;
    }
    const std::size_t first = row_at(t, spec.start_h, spec), last = row_at(t, spec.end_h, spec);
    for (std::size_t i = first; i <= last; ++i) rows.push_back(i);
    return rows;
}

}  // namespace

std::vector<double> required_times(const std::vector<SummarySpec>& specs) {
    std::vector<double> times;
    for (const auto& s : specs) {
        if (s.kind == SummaryKind::value_at) {
            times.push_back(s.start_h);
            continue;
        }
        if (s.kind == SummaryKind::peak_ratio) times.push_back(s.baseline_h);
        if (s.sample_times_h.empty()) {
            times.push_back(s.start_h);
            times.push_back(s.end_h);
        } else {
            times.insert(times.end(), s.sample_times_h.begin(), s.sample_times_h.end());
        }
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    return times;
}

double evaluate_summary(const Trajectory& t, const SummarySpec& spec) {
    const std::size_t column = output_column(t, spec);
    if (spec.kind == SummaryKind::value_at) return t.at(row_at(t, spec.start_h, spec), column);
    const std::vector<std::size_t> rows = rows_of(t, spec);
    switch (spec.kind) {
        case SummaryKind::maximum: {
            double best = -std::numeric_limits<double>::infinity();
            for (std::size_t i : rows) best = std::max(best, t.at(i, column));
            return best;
        }
        case SummaryKind::minimum: {
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t i : rows) best = std::min(best, t.at(i, column));
            return best;
        }
        case SummaryKind::auc: {
            double area = 0.0;
            for (std::size_t k = 1; k < rows.size(); ++k)
                area += 0.5 * (t.time_h[rows[k]] - t.time_h[rows[k - 1]]) *
                        (t.at(rows[k], column) + t.at(rows[k - 1], column));
            return area;
        }
        case SummaryKind::peak_ratio: {
            const double baseline = t.at(row_at(t, spec.baseline_h, spec), column);
            double best = -std::numeric_limits<double>::infinity();
            for (std::size_t i : rows) best = std::max(best, t.at(i, column));
            return best / baseline;  // inf or nan when the baseline is zero: reported as such
        }
        case SummaryKind::value_at: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

SummaryKind parse_summary_kind(const std::string& text, const std::string& where) {
    if (text == "value_at") return SummaryKind::value_at;
    if (text == "max" || text == "maximum") return SummaryKind::maximum;
    if (text == "min" || text == "minimum") return SummaryKind::minimum;
    if (text == "auc") return SummaryKind::auc;
    if (text == "peak_ratio") return SummaryKind::peak_ratio;
    throw InputError(where + ": unknown summary kind '" + text + "'" +
                     did_you_mean(text, {"value_at", "max", "min", "auc", "peak_ratio"}) +
                     " (expected value_at, max, min, auc or peak_ratio)");
}

std::string summary_unit(const SummarySpec& spec, const Model& model) {
    const int output = model.output_index(spec.output);
    const std::string unit = output < 0 ? "" : model.outputs()[static_cast<std::size_t>(output)].unit;
    if (spec.kind == SummaryKind::peak_ratio) return "1";
    if (spec.kind == SummaryKind::auc) return unit == "1" || unit.empty() ? "h" : unit + "*h";
    return unit;
}

std::string to_string(SummaryKind kind) {
    switch (kind) {
        case SummaryKind::value_at: return "value_at";
        case SummaryKind::maximum: return "max";
        case SummaryKind::minimum: return "min";
        case SummaryKind::auc: return "auc";
        case SummaryKind::peak_ratio: return "peak_ratio";
    }
    return "?";
}

}  // namespace mobsim
