// The sweep file format (paths relative to the sweep file):
//   scenario: trial.yaml         # a scenario file, or an inline scenario mapping
//   vpop: trial_vpop.csv         # optional: every grid point on every patient of a VPop file (mobsim vpop)
//   threads: 4                   # optional; default all cores
//   grid:                        # full factorial; the first key varies slowest
//     plerixafor.count: [1, 2, 3]               # REGIMEN_LABEL.FIELD
//     plerixafor.start_day_offset: [-1, 0, 1]   # shift that regimen by whole or fractional days
//     parameters.EC50: {from: 1, to: 4, step: 1}
//     patient.weight_kg: [60, 80]
//     filgrastim.days: [[1, 2, 3, 4, 5], [1, 3, 5]]   # days and clock take a list of schedules
//   summaries: [...]             # see sim/studies/summary_reader.cpp
//   output: {file: sweep.csv}
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/base/errors.hpp"
#include "sim/studies/sweep.hpp"

namespace mobsim {

namespace {

bool is_list_field(const std::string& key) {
    const auto dot = key.rfind('.');
    return dot != std::string::npos && (key.substr(dot + 1) == "days" || key.substr(dot + 1) == "clock");
}

// A days or clock axis: a list of schedules, each a list (days 1..100000, clock times HH:MM).
SweepAxis read_list_axis(const std::string& key, const ConfigNode& node) {
    SweepAxis axis{key, {}, node.where(), {}};
    if (node.kind != ConfigNode::Kind::sequence || node.items.empty())
        fail_at(node, "expected a list of schedules, e.g. " + key + ": [[1, 2, 3, 4, 5], [1, 3, 5]]");
    for (const auto& schedule : node.items) {
        if (schedule.kind != ConfigNode::Kind::sequence || schedule.items.empty())
            fail_at(schedule, "expected a schedule: a list such as [1, 2, 3] (days) or [08:00, 20:00] (clock)");
        std::string text;
        for (const auto& item : schedule.items) text += (text.empty() ? "" : ",") + as_text(item);
        axis.labels.push_back(text);
        axis.values.push_back(static_cast<double>(axis.labels.size()));
    }
    return axis;
}

std::vector<double> read_axis_values(const ConfigNode& node) {
    std::vector<double> values;
    if (node.kind == ConfigNode::Kind::sequence) {
        for (const auto& item : node.items) values.push_back(as_number(item));
    } else {
        MapReader r(node, {"from", "to", "step"});
        const double from = r.number("from"), to = r.number("to");
        const double step = require_positive(r.require("step"), r.number("step"));
        if (to < from) fail_at(r.require("to"), "expected to >= from");
        const double n = std::floor((to - from) / step * (1 + 1e-12));
        if (n > 1e6) fail_at(r.require("step"), "more than 1e6 values");
        for (long k = 0; k <= static_cast<long>(n); ++k) values.push_back(from + static_cast<double>(k) * step);
    }
    if (values.empty()) fail_at(node, "expected at least one value");
    return values;
}

// The VPop's covariates need a placeholder in the scenario to build its problem; each row replaces it.
void read_sweep_vpop(const ConfigNode& node, SweepStudy& study) {
    study.vpop = read_listed_values(resolve_relative(study.file, as_text(node)), *study.model);
    for (const auto& name : study.vpop.names)
        if (study.model->parameter_index(name) < 0) study.scenario.patient.emplace(name, 1.0);
}

}  // namespace

SweepStudy read_sweep_study(const std::string& path, const ModelRegistry& models) {
    const ConfigNode root = load_config_file(path);
    MapReader r(root, {"description", "scenario", "vpop", "threads", "grid", "summaries", "output"});
    SweepStudy study;
    study.file = path;
    const ConfigNode& scenario_node = r.require("scenario");
    if (scenario_node.kind == ConfigNode::Kind::map) {
        study.scenario = read_scenario_node(scenario_node);
    } else {
        study.scenario_file = resolve_relative(path, as_text(scenario_node));
        study.scenario = read_scenario(study.scenario_file);
    }
    study.model = models.create(study.scenario.model);
    if (r.has("vpop")) read_sweep_vpop(r.require("vpop"), study);
    const Problem base = build_problem(study.scenario, study.model);
    if (auto threads = r.optional_integer("threads")) {
        if (*threads < 1 || *threads > 1024) fail_at(r.require("threads"), "expected 1 to 1024 threads");
        study.threads = static_cast<int>(*threads);
    }
    const ConfigNode& grid = r.require("grid");
    expect_kind(grid, ConfigNode::Kind::map);
    if (grid.entries.empty()) fail_at(grid, "expected at least one swept quantity");
    for (const auto& [key, value] : grid.entries) {
        study.axes.push_back(is_list_field(key) ? read_list_axis(key, value)
                                                : SweepAxis{key, read_axis_values(value), value.where(), {}});
        const auto dot = key.find('.');
        const std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
        const auto& listed = study.vpop.names;
        if ((key.rfind("parameters.", 0) == 0 || key.rfind("patient.", 0) == 0) &&
            std::find(listed.begin(), listed.end(), name) != listed.end())
            fail_at(value, "'" + name + "' is a column of the VPop file, which sets it per patient; sweep another value");
    }
    if (static_cast<double>(study.points()) > 1e7) fail_at(grid, "the grid has more than 1e7 points");
    study.summaries = read_summaries(r.require("summaries"), *study.model, base.end_h);
    if (auto out = r.has("output") ? MapReader(r.require("output"), {"file"}).optional_text("file") : std::nullopt)
        study.output_file = resolve_relative(path, *out);

    // Every value of every axis (others at their first value) must give a valid problem before anything runs. A
    // long axis is checked at its ends and at 1000 values between, so that checking stays a matter of seconds; a
    // bad value left unchecked still stops the run before anything is written, naming its grid line.
    std::size_t stride = study.points();
    for (const auto& axis : study.axes) {
        stride /= axis.values.size();
        const std::size_t n = axis.values.size(), every = std::max<std::size_t>(1, n / 1000);
        for (std::size_t j = 0; j < n; j += every) sweep_point_problem(study, j * stride);
        sweep_point_problem(study, (n - 1) * stride);
    }
    return study;
}

}  // namespace mobsim
