#include "sim/studies/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "sim/io/cohort_records.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

const std::vector<std::string> kRegimenFields = {"amount", "every_h", "count", "lag_h", "duration_h",
                                                 "start_day_offset"};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

void shift_days(Regimen& reg, double days, const std::string& key) {
    if (reg.steady_state) throw InputError(key + ": a steady_state regimen cannot be shifted in time");
    std::vector<double> times = administration_times(reg);
    for (double& t : times) {
        t += 24.0 * days;
        if (t < 0.0)
            throw InputError(key + " = " + format_number(days) + " moves a dose of regimen '" + reg.label +
                             "' before t = 0");
    }
    reg.times_h = times;
    reg.days.clear();
    reg.start_h.reset();
    reg.every_h.reset();
    reg.count.reset();
    reg.until_h.reset();
}

void apply_regimen_field(Regimen& reg, const std::string& field, double value, const std::string& key) {
    auto require = [&](bool ok, const std::string& what) {
        if (!ok) throw InputError(key + " = " + format_number(value) + ": " + what);
    };
    if (field == "amount") {
        require(value >= 0.0 && value <= 1e6, "expected an amount from 0 (a zero-dose arm) to 1000000");
        reg.amount = value;
    } else if (field == "every_h" || field == "count") {
        require(reg.every_h.has_value(), "regimen '" + reg.label + "' is not a repeated (every_h) schedule");
        if (field == "every_h") {
            require(value > 0.0, "expected an interval > 0");
            reg.every_h = value;
        } else {
            require(value >= 1.0 && value <= 1e6 && value == std::floor(value), "expected a whole count from 1");
            reg.count = static_cast<int>(value);
            reg.until_h.reset();
        }
    } else if (field == "lag_h") {
        require(value >= 0.0, "expected a lag >= 0");
        reg.lag_h = value;
    } else if (field == "duration_h") {
        require(value > 0.0, "expected a duration > 0");
        reg.duration_h = value;
        reg.rate_per_h.reset();
    } else if (field == "start_day_offset") {
        shift_days(reg, value, key);
    } else {
        throw InputError(key + ": regimens have no sweepable field '" + field + "'" + did_you_mean(field, kRegimenFields) +
                         " (sweepable: " + join(kRegimenFields, ", ") + ")");
    }
}

// Parses "1,2,3" (or "1 2 3") into whole numbers from `low` to `high`.
std::vector<int> whole_numbers(const std::string& key, const std::string& text, int low, int high) {
    std::vector<int> out;
    std::string item;
    auto flush = [&] {
        if (item.empty()) return;
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (end != item.c_str() + item.size() || !(v >= low && v <= high) || v != std::floor(v))
            throw InputError(key + "=" + text + ": '" + item + "' is not a whole number from " + std::to_string(low) +
                             " to " + std::to_string(high));
        out.push_back(static_cast<int>(v));
        item.clear();
    };
    for (char c : text) {
        if (c == ',' || c == ' ') flush();
        else item += c;
    }
    flush();
    if (out.empty()) throw InputError(key + "=" + text + ": expected a list such as 1,2,3");
    return out;
}

bool is_day_shift(const std::string& key) {
    const std::string suffix = ".start_day_offset";
    return key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A swept value as written: a list axis's schedule, or the number.
std::string axis_text(const std::vector<std::string>& labels, double value) {
    return labels.empty() ? format_number(value) : labels.at(static_cast<std::size_t>(value) - 1);
}

std::string describe_point(const SweepStudy& study, std::size_t index) {
    const auto values = sweep_point_values(study, index);
    std::ostringstream out;
    out << "grid point " << index << " (";
    for (std::size_t k = 0; k < values.size(); ++k)
        out << (k ? ", " : "") << study.axes[k].key << "=" << axis_text(study.axes[k].labels, values[k]);
    return out.str() + ")";
}

}  // namespace

std::size_t SweepStudy::points() const {
    std::size_t n = 1;
    for (const auto& axis : axes) n *= axis.values.size();
    return n;
}

std::size_t SweepStudy::runs() const { return points() * static_cast<std::size_t>(std::max(1, vpop.rows())); }

void apply_sweep_value(Scenario& s, const std::string& key, double value) {
    if (!std::isfinite(value)) throw InputError(key + ": expected a finite value");
    if (starts_with(key, "parameters.")) {
        s.parameters[key.substr(11)] = value;
        return;
    }
    if (starts_with(key, "patient.")) {
        if (!(value > 0.0)) throw InputError(key + " = " + format_number(value) + ": expected a value > 0");
        s.patient[key.substr(8)] = value;
        return;
    }
    const auto dot = key.rfind('.');
    if (dot == std::string::npos || dot == 0)
        throw InputError("'" + key + "': expected parameters.NAME, patient.NAME or REGIMEN_LABEL.FIELD");
    const std::string label = key.substr(0, dot), field = key.substr(dot + 1);
    std::vector<std::string> labels;
    bool found = false;
    for (auto& reg : s.regimens) {
        labels.push_back(reg.label);
        if (reg.label != label) continue;
        apply_regimen_field(reg, field, value, key);
        found = true;
    }
    if (!found)
        throw InputError("'" + key + "': the scenario has no regimen labelled '" + label + "'" +
                         did_you_mean(label, labels) + " (labels: " + join(labels, ", ") +
                         "; other keys start with parameters. or patient.)");
}

void apply_override(Scenario& s, const std::string& key, const std::string& text) {
    const auto dot = key.rfind('.');
    const std::string field = dot == std::string::npos ? "" : key.substr(dot + 1);
    if (field != "days" && field != "clock") {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size())
            throw InputError("--set " + key + "=" + text + ": '" + text + "' is not a number");
        apply_sweep_value(s, key, value);
        return;
    }
    std::vector<double> clocks;
    std::size_t from = 0;
    while (field == "clock" && from <= text.size()) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        const std::string item = text.substr(from, comma - from);
        int hours = -1, minutes = -1;
        char tail = 0;
        if (std::sscanf(item.c_str(), "%d:%d%c", &hours, &minutes, &tail) != 2 || hours < 0 || hours > 23 ||
            minutes < 0 || minutes > 59)
            throw InputError("--set " + key + "=" + text + ": expected clock times HH:MM from 00:00 to 23:59, found '" +
                             item + "'");
        clocks.push_back(hours + minutes / 60.0);
        from = comma + 1;
    }
    bool found = false;
    for (auto& reg : s.regimens) {
        if (reg.label != key.substr(0, dot)) continue;
        found = true;
        if (field == "days") {
            reg.days = whole_numbers("--set " + key, text, 1, 100000);
            reg.times_h.clear();
            reg.start_h.reset();
            reg.every_h.reset();
            reg.count.reset();
            reg.until_h.reset();
            reg.steady_state = false;
        } else {
            if (reg.days.empty())
                throw InputError("--set " + key + "=" + text + ": regimen '" + reg.label +
                                 "' is not given on treatment days; set " + reg.label + ".days first");
            reg.clocks_h = clocks;
        }
    }
    if (!found) apply_sweep_value(s, key.substr(0, dot) + ".amount", 1.0);  // reports the unknown label
}

std::vector<double> sweep_point_values(const SweepStudy& study, std::size_t index) {
    std::vector<double> values(study.axes.size());
    for (std::size_t k = study.axes.size(); k-- > 0;) {
        const std::size_t n = study.axes[k].values.size();
        values[k] = study.axes[k].values[index % n];
        index /= n;
    }
    return values;
}

Problem sweep_point_problem(const SweepStudy& study, std::size_t index) {
    Scenario s = study.scenario;
    const auto values = sweep_point_values(study, index);
    auto is_parameter = [](const std::string& key) { return starts_with(key, "parameters."); };
    for (int pass = 0; pass < 2; ++pass)  // day shifts last: they freeze the schedule into explicit times
        for (std::size_t k = 0; k < values.size(); ++k)
            if (!is_parameter(study.axes[k].key) && is_day_shift(study.axes[k].key) == (pass == 1)) {
                try {
                    const SweepAxis& axis = study.axes[k];
                    if (axis.labels.empty()) apply_sweep_value(s, axis.key, values[k]);
                    else apply_override(s, axis.key, axis_text(axis.labels, values[k]));
                } catch (const InputError& e) {
                    throw InputError(study.axes[k].where + ": " + e.what());
                }
            }
    Problem p = build_problem(s, study.model);
    for (std::size_t k = 0; k < values.size(); ++k)  // set here so that a bad name or value names the grid line
        if (is_parameter(study.axes[k].key))
            set_parameter(p, study.axes[k].key.substr(11), values[k], study.axes[k].where);
    const auto extra = required_times(study.summaries);
    p.grid.insert(p.grid.end(), extra.begin(), extra.end());
    std::sort(p.grid.begin(), p.grid.end());
    p.grid.erase(std::unique(p.grid.begin(), p.grid.end()), p.grid.end());
    return p;
}

SweepResult run_sweep(const SweepStudy& study, int threads, const std::function<void(int done)>& progress,
                      bool across_ranks) {
    SweepResult r;
    for (const auto& a : study.axes) {
        r.axis_names.push_back(a.key);
        r.axis_labels.push_back(a.labels);
    }
    const std::size_t patients = static_cast<std::size_t>(std::max(1, study.vpop.rows()));
    if (study.vpop.rows() > 0) r.axis_names.push_back("patient");  // the VPop row, after the grid point's values
    for (const auto& s : study.summaries) r.summary_names.push_back(s.name);
    const std::size_t n = study.runs(), n_axes = r.axis_names.size(), n_sum = r.summary_names.size();
    if (n > 10000000) throw InputError(study.file + ": the sweep has more than 1e7 runs (grid points x VPop patients)");
    r.axis_values.resize(n * n_axes);
    r.summary_values.resize(n * n_sum);
    for (const auto& name : study.record_outputs) study.model->require_output(name, study.file + ": records");
    if (!study.record_outputs.empty()) r.records.resize(n);
    const int workers = threads > 0 ? threads : study.threads > 0 ? study.threads : default_thread_count();
    const auto solve = [&](int point) {
        const auto i = static_cast<std::size_t>(point), grid_point = i / patients;
        Problem p = sweep_point_problem(study, grid_point);
        if (study.vpop.rows() > 0) apply_listed_row(p, study.vpop, static_cast<int>(i % patients));
        Trajectory t;
        try {
            t = simulate(p);
        } catch (const SolverError& e) {
            const std::string patient = study.vpop.rows() > 0 ? ", VPop row " + std::to_string(i % patients) : "";
            throw SolverError(describe_point(study, grid_point) + patient + ": " + e.what());
        }
        auto values = sweep_point_values(study, grid_point);
        if (study.vpop.rows() > 0) values.push_back(static_cast<double>(i % patients));
        std::copy(values.begin(), values.end(), r.axis_values.begin() + static_cast<long>(i * n_axes));
        for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = evaluate_summary(t, study.summaries[k]);
        if (!r.records.empty())
            r.records[i] = patient_records(std::to_string(i + 1), p, t, t, {study.record_outputs, r.axis_names}, values);
    };
    const int ranks = across_ranks ? distributed::ranks() : 1;
    if (ranks == 1) {
        parallel_for(static_cast<int>(n), workers, solve, progress);
        return r;
    }
    // Fixed blocks of grid points, block b on rank b mod ranks; rank 0 gathers them (each point is computed
    // alone, so the values are those of one process).
    const std::size_t blocks = (n + kSweepBlockSize - 1) / kSweepBlockSize, me = static_cast<std::size_t>(distributed::rank());
    const auto range = [&](std::size_t b) { return std::pair{b * kSweepBlockSize, std::min(n, (b + 1) * kSweepBlockSize)}; };
    for (std::size_t b = 0; b < blocks; ++b) {
        const auto [first, end] = range(b);
        const auto owner = static_cast<int>(b % static_cast<std::size_t>(ranks));
        if (owner == static_cast<int>(me)) {
            parallel_for(static_cast<int>(end - first), workers, [&](int k) { solve(static_cast<int>(first) + k); });
            if (me == 0) continue;
            std::string bytes;
            pack(bytes, std::vector<double>(r.axis_values.begin() + long(first * n_axes), r.axis_values.begin() + long(end * n_axes)));
            pack(bytes, std::vector<double>(r.summary_values.begin() + long(first * n_sum), r.summary_values.begin() + long(end * n_sum)));
            pack(bytes, r.records.empty() ? std::vector<std::string>() : std::vector<std::string>(r.records.begin() + long(first), r.records.begin() + long(end)));
            distributed::send(0, bytes);
        } else if (me == 0) {
            const std::string bytes = distributed::receive(owner);
            ByteReader in(bytes);
            std::vector<double> axes, summaries;
            std::vector<std::string> records;
            in.read(axes);
            in.read(summaries);
            in.read(records);
            std::copy(axes.begin(), axes.end(), r.axis_values.begin() + long(first * n_axes));
            std::copy(summaries.begin(), summaries.end(), r.summary_values.begin() + long(first * n_sum));
            if (!records.empty()) std::move(records.begin(), records.end(), r.records.begin() + long(first));
        }
        if (me == 0 && progress) progress(static_cast<int>(end));
    }
    return r;
}

namespace {

std::string axis_unit(const SweepStudy& study, const std::string& key) {
    const Model& model = *study.model;
    if (starts_with(key, "parameters.")) {
        const int i = model.parameter_index(key.substr(11));
        return i < 0 ? "" : model.parameters()[static_cast<std::size_t>(i)].unit;
    }
    if (starts_with(key, "patient.")) {
        if (key == "patient.weight_kg") return "kg";
        for (const auto& c : model.covariates())
            if (c.name == key.substr(8)) return c.unit;
        return "";
    }
    const auto dot = key.rfind('.');
    const std::string field = key.substr(dot + 1);
    if (field == "amount")
        for (const auto& reg : study.scenario.regimens)
            if (reg.label == key.substr(0, dot)) return to_string(reg.unit);
    if (field == "every_h" || field == "lag_h" || field == "duration_h") return "h";
    if (field == "start_day_offset") return "d";
    if (field == "days") return "treatment days";
    if (field == "clock") return "HH:MM";
    return "1";
}

}  // namespace

std::string sweep_units(const SweepStudy& study) {
    std::string out;
    for (const auto& axis : study.axes) out += (out.empty() ? "" : ", ") + axis.key + "=" + axis_unit(study, axis.key);
    for (const auto& s : study.summaries) out += (out.empty() ? "" : ", ") + s.name + "=" + summary_unit(s, *study.model);
    return out;
}

std::string sweep_csv(const SweepResult& r, const Provenance& provenance) {
    std::ostringstream out;
    for (const auto& [key, value] : provenance.entries) out << "# " << key << ": " << value << '\n';
    std::vector<std::string> header = r.axis_names;
    header.insert(header.end(), r.summary_names.begin(), r.summary_names.end());
    for (std::size_t k = 0; k < header.size(); ++k) out << (k ? "," : "") << csv_field(header[k]);
    out << '\n';
    const std::size_t n_axes = r.axis_names.size(), n_sum = r.summary_names.size();
    const std::size_t rows = n_axes ? r.axis_values.size() / n_axes : (n_sum ? r.summary_values.size() / n_sum : 0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t k = 0; k < n_axes; ++k) {
            const double value = r.axis_values[i * n_axes + k];
            out << (k ? "," : "") << csv_field(k < r.axis_labels.size() ? axis_text(r.axis_labels[k], value) : format_number(value));
        }
        for (std::size_t k = 0; k < n_sum; ++k)
            out << (n_axes + k ? "," : "") << format_number(r.summary_values[i * n_sum + k]);
        out << '\n';
    }
    return out.str();
}

std::string sweep_records_csv(const SweepStudy& study, const SweepResult& r, const Provenance& provenance) {
    std::ostringstream out;
    for (const auto& [key, value] : provenance.entries) out << "# " << key << ": " << value << '\n';
    out << records_header({study.record_outputs, r.axis_names});
    for (const auto& rows : r.records) out << rows;
    return out.str();
}

}  // namespace mobsim
