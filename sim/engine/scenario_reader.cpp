#include "sim/engine/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/base/errors.hpp"
#include "sim/engine/model.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

constexpr double kMaxDoseAmount = 1e6;  // in the regimen's unit; bounds 1e308-style typos

double checked_time(const ConfigNode& node) { return require_non_negative(node, as_number(node)); }

Regimen read_regimen(const ConfigNode& node) {
    MapReader r(node, {"label", "into", "amount", "unit", "bioavailability", "lag_h", "duration_h", "rate_per_h",
                       "at_h", "start_h", "every_h", "count", "until_h", "days", "clock", "steady_state"});
    Regimen reg;
    reg.target = r.text("into");
    reg.label = r.optional_text("label").value_or(reg.target);
    reg.amount = require_positive(r.require("amount"), r.number("amount"));
    if (reg.amount > kMaxDoseAmount)
        fail_at(r.require("amount"), "expected an amount > 0 and at most 1000000 in the regimen's unit");
    reg.unit = parse_amount_unit(r.text("unit"), r.require("unit").where());
    if (r.has("bioavailability")) {
        reg.bioavailability = r.number("bioavailability");
        if (!(reg.bioavailability > 0.0 && reg.bioavailability <= 1.0))
            fail_at(r.require("bioavailability"), "expected a fraction in (0, 1]");
    }
    if (r.has("lag_h")) reg.lag_h = checked_time(r.require("lag_h"));
    if (r.has("duration_h") && r.has("rate_per_h"))
        fail_at(node, "give either duration_h or rate_per_h for an infusion, not both");
    // `model` asks the model for the infusion, as NONMEM's RATE -2 / -1 do
    const auto asks_model = [&](const char* key) { return r.has(key) && r.require(key).scalar == "model"; };
    if (asks_model("duration_h")) reg.model_infusion = InputRate::model_duration;
    else if (r.has("duration_h")) reg.duration_h = require_positive(r.require("duration_h"), r.number("duration_h"));
    if (asks_model("rate_per_h")) reg.model_infusion = InputRate::model_rate;
    else if (r.has("rate_per_h")) reg.rate_per_h = require_positive(r.require("rate_per_h"), r.number("rate_per_h"));

    const int timing_forms = int(r.has("at_h")) + int(r.has("every_h") || r.has("start_h")) + int(r.has("days"));
    if (timing_forms == 0)
        fail_at(node, "missing dose timing: give at_h (a list of times), start_h/every_h with count or until_h, "
                      "or days with clock");
    if (timing_forms > 1) fail_at(node, "give only one of at_h, every_h/start_h, or days");
    if (r.has("at_h")) {
        const ConfigNode& list = r.require("at_h");
        expect_kind(list, ConfigNode::Kind::sequence);
        if (list.items.empty()) fail_at(list, "expected at least one time");
        for (const auto& item : list.items) reg.times_h.push_back(checked_time(item));
    }
    if (r.has("start_h")) reg.start_h = checked_time(r.require("start_h"));
    if (r.has("every_h")) {
        reg.every_h = require_positive(r.require("every_h"), r.number("every_h"));
        if (r.has("count") == r.has("until_h"))
            fail_at(node, "a repeated regimen (every_h) needs exactly one of count or until_h");
        if (r.has("count")) {
            const long count = *r.optional_integer("count");
            if (count < 1 || count > 1000000) fail_at(r.require("count"), "expected a count from 1 to 1000000");
            reg.count = static_cast<int>(count);
        } else {
            reg.until_h = checked_time(r.require("until_h"));
            if (*reg.until_h / *reg.every_h > 1e6) fail_at(r.require("until_h"), "more than 1000000 doses");
        }
    } else if (r.has("count") || r.has("until_h")) {
        fail_at(node, "count and until_h need every_h");
    }
    if (r.has("days")) {
        const ConfigNode& list = r.require("days");
        expect_kind(list, ConfigNode::Kind::sequence);
        if (list.items.empty()) fail_at(list, "expected at least one treatment day");
        for (const auto& item : list.items) {
            const long day = as_integer(item);
            if (day < 1 || day > 100000) fail_at(item, "expected a treatment day from 1 to 100000 (day 1 is t = 0)");
            reg.days.push_back(static_cast<int>(day));
        }
        if (r.has("clock")) {  // one time, or a list (twice daily: ["08:00", "20:00"])
            const ConfigNode& clocks = r.require("clock");
            const bool list = clocks.kind == ConfigNode::Kind::sequence;
            if (list && clocks.items.empty()) fail_at(clocks, "expected at least one clock time");
            reg.clocks_h.clear();
            for (const ConfigNode& clock : list ? clocks.items : std::vector<ConfigNode>{clocks})
                reg.clocks_h.push_back(as_clock_hours(clock));
        }
    } else if (r.has("clock")) {
        fail_at(node, "clock goes with days");
    }
    reg.steady_state = r.flag_or("steady_state", false);
    if (reg.steady_state && !reg.every_h)
        fail_at(node, "steady_state needs a repeated regimen (every_h)");
    if (reg.steady_state && reg.duration_h && *reg.duration_h > *reg.every_h)
        fail_at(node, "steady_state needs an infusion no longer than the dosing interval");
    return reg;
}

OutputSpec read_output(const ConfigNode& node) {
    MapReader r(node, {"start_h", "end_h", "step_h", "times_h", "include_dose_times", "format", "outputs", "file"});
    OutputSpec out;
    out.end_h = require_positive(r.require("end_h"), r.number("end_h"));
    if (out.end_h > 1e7) fail_at(r.require("end_h"), "end_h above 1e7 h is not a sensible horizon");
    if (r.has("start_h")) out.start_h = checked_time(r.require("start_h"));
    if (out.start_h > out.end_h) fail_at(r.require("start_h"), "start_h is after end_h");
    if (r.has("step_h") && r.has("times_h")) fail_at(node, "give either step_h or times_h, not both");
    if (r.has("step_h")) {
        out.step_h = require_positive(r.require("step_h"), r.number("step_h"));
        if ((out.end_h - out.start_h) / *out.step_h > 1e7)
            fail_at(r.require("step_h"), "the grid would have more than 1e7 rows");
    } else if (r.has("times_h")) {
        expect_kind(r.require("times_h"), ConfigNode::Kind::sequence);
        for (const auto& item : r.require("times_h").items) out.times_h.push_back(checked_time(item));
        if (out.times_h.empty()) fail_at(r.require("times_h"), "expected at least one output time");
    } else {
        fail_at(node, "missing output grid: give step_h or times_h");
    }
    out.include_dose_times = r.flag_or("include_dose_times", false);
    if (auto format = r.optional_text("format")) {
        if (*format == "wide") out.layout = CsvLayout::wide;
        else if (*format == "long") out.layout = CsvLayout::long_format;
        else fail_at(r.require("format"), "expected wide or long, found '" + *format + "'" +
                                              did_you_mean(*format, {"wide", "long"}));
    }
    if (r.has("outputs")) out.outputs = r.texts("outputs");
    if (auto file = r.optional_text("file")) out.file = resolve_relative(node.file, *file);
    return out;
}

}  // namespace

SolverSettings read_solver_settings(const ConfigNode& node) {
    // tolerance_scale names model states: the scenario reads it, and build_problem resolves it against the model
    MapReader r(node, {"method", "rtol", "atol", "max_steps", "initial_step_h", "linear_blocks", "stiff_fallback",
                       "tolerance_scale"});
    SolverSettings s;
    if (auto method = r.optional_text("method")) {
        if (find_solver_method(*method)) s.method = *method;
        else fail_at(r.require("method"), "unknown solver method '" + *method + "'" +
                                              did_you_mean(*method, solver_method_names()) + " (expected " +
                                              join(solver_method_names(), ", ") + ")");
    }
    if (auto fallback = r.optional_text("stiff_fallback")) {
        std::vector<std::string> allowed = stiff_solver_method_names();
        allowed.push_back("none");
        if (*fallback == "none") s.stiff_fallback.reset();
        else if (std::find(allowed.begin(), allowed.end(), *fallback) != allowed.end()) s.stiff_fallback = *fallback;
        else fail_at(r.require("stiff_fallback"), "unknown stiff_fallback '" + *fallback + "'" +
                                                      did_you_mean(*fallback, allowed) + " (expected a stiff method: " +
                                                      join(allowed, ", ") + ")");
    }
    if (r.has("rtol")) {
        s.rtol = r.number("rtol");
        if (!(s.rtol >= 1e-14 && s.rtol <= 0.1)) fail_at(r.require("rtol"), "expected rtol in [1e-14, 0.1]");
    }
    if (r.has("atol")) {
        s.atol = r.number("atol");
        if (!(s.atol > 0.0 && s.atol <= 1.0)) fail_at(r.require("atol"), "expected atol in (0, 1]");
    }
    if (auto steps = r.optional_integer("max_steps")) {
        if (*steps < 1 || *steps > 1000000000) fail_at(r.require("max_steps"), "expected max_steps from 1 to 1e9");
        s.max_steps = *steps;
    }
    if (r.has("initial_step_h"))
        s.initial_step_h = require_positive(r.require("initial_step_h"), r.number("initial_step_h"));
    if (auto blocks = r.optional_text("linear_blocks")) {
        if (*blocks == "exact") s.exact_linear_blocks = true;
        else if (*blocks == "stepped") s.exact_linear_blocks = false;
        else fail_at(r.require("linear_blocks"), "unknown linear_blocks '" + *blocks + "'" +
                                                     did_you_mean(*blocks, {"exact", "stepped"}) +
                                                     " (expected exact or stepped)");
    }
    return s;
}

std::map<std::string, double> read_number_map(const ConfigNode& node) {
    expect_kind(node, ConfigNode::Kind::map);
    std::map<std::string, double> out;
    for (const auto& [key, value] : node.entries) out[key] = as_number(value);
    return out;
}

std::map<std::string, double> read_parameter_file(const std::string& path) {
    const ConfigNode root = load_config_file(path);
    const ConfigNode* params = root.find("parameters");
    if (!params) fail_at(root, "a parameter file needs a 'parameters:' mapping of name: value");
    return read_number_map(*params);
}

Scenario read_scenario_node(const ConfigNode& root) {
    MapReader r(root, {"model", "description", "patient", "parameters", "parameters_file", "regimens", "output",
                       "solver"});
    Scenario s;
    s.path = root.file;
    s.model = r.text("model");
    if (names_model_file(s.model)) s.model = resolve_relative(root.file, s.model);  // beside the scenario
    s.positions.emplace("model", r.require("model"));
    s.description = r.optional_text("description").value_or("");
    if (r.has("patient")) {
        const ConfigNode& patient = r.require("patient");
        s.patient = read_number_map(patient);
        for (const auto& [key, value] : patient.entries) {
            require_positive(value, s.patient[key]);
            s.positions.emplace("patient." + key, value);
        }
    }
    if (r.has("parameters")) {
        const ConfigNode& params = r.require("parameters");
        s.parameters = read_number_map(params);
        for (const auto& [key, value] : params.entries) s.positions.emplace("parameters." + key, value);
    }
    if (auto file = r.optional_text("parameters_file")) s.parameters_file = resolve_relative(root.file, *file);
    if (r.has("regimens")) {
        const ConfigNode& list = r.require("regimens");
        expect_kind(list, ConfigNode::Kind::sequence);
        for (const auto& item : list.items) {
            s.regimens.push_back(read_regimen(item));
            s.positions.emplace("regimens[" + std::to_string(s.regimens.size() - 1) + "]", item);
        }
    }
    s.output = read_output(r.require("output"));
    if (r.has("solver")) {
        const ConfigNode& solver = r.require("solver");
        s.solver = read_solver_settings(solver);
        if (const ConfigNode* scales = solver.find("tolerance_scale")) {
            s.tolerance_scale = read_number_map(*scales);
            for (const auto& [key, value] : scales->entries) {
                const double v = s.tolerance_scale[key];
                if (!(v >= 1e-6 && v <= 1e6)) fail_at(value, "expected a tolerance scale in [1e-6, 1e6]");
                s.positions.emplace("solver.tolerance_scale." + key, value);
            }
        }
    }
    return s;
}

Scenario read_scenario(const std::string& path) { return read_scenario_node(load_config_file(path)); }

}  // namespace mobsim
