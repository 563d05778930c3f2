// The `summaries:` list shared by cohort and sweep files. Each item:
//   name: peak_conc          # column name: letters, digits and _
//   output: conc_central     # a model output
//   kind: max                # value_at | max | min | auc | peak_ratio
//   at_h: 72  or  at_day: 28 (+ clock: "08:00")   # value_at only; day 1 is t = 0
//   window_h: [0, 96]        # other kinds; default [0, end of the scenario]
//   baseline_h: 0            # peak_ratio only; default 0
//   samples_h: [8, 32]  or  daily_at: "08:00"   # optional: use only these times (e.g. daily blood draws)
#include <algorithm>
#include <cctype>

#include "sim/base/errors.hpp"
#include "sim/studies/summary.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

void check_time(const ConfigNode& node, double t, double end_h) {
    if (t < 0.0 || t > end_h)
        fail_at(node, "time " + node.scalar + " h lies outside the simulated span [0, " + std::to_string(end_h) + "] h");
}

SummarySpec read_summary(const ConfigNode& node, const Model& model, double end_h) {
    MapReader r(node, {"name", "output", "kind", "at_h", "at_day", "clock", "window_h", "baseline_h", "samples_h",
                       "daily_at"});
    SummarySpec s;
    s.name = r.text("name");
    const bool plain = !s.name.empty() && std::all_of(s.name.begin(), s.name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_';
    });
    if (!plain) fail_at(r.require("name"), "a summary name may hold only letters, digits and _");
    s.output = r.text("output");
    model.require_output(s.output, r.require("output").where());
    s.kind = parse_summary_kind(r.text("kind"), r.require("kind").where());

    if (s.kind == SummaryKind::value_at) {
        for (const char* key : {"window_h", "baseline_h", "samples_h", "daily_at"})
            if (r.has(key)) fail_at(r.require(key), std::string("'") + key + "' does not apply to kind value_at");
        if (r.has("at_h") == r.has("at_day")) fail_at(node, "kind value_at needs exactly one of at_h or at_day");
        if (r.has("at_h")) {
            if (r.has("clock")) fail_at(r.require("clock"), "clock goes with at_day");
            s.start_h = r.number("at_h");
        } else {
            const long day = *r.optional_integer("at_day");
            if (day < 1) fail_at(r.require("at_day"), "expected a day >= 1 (day 1 is t = 0)");
            s.start_h = 24.0 * static_cast<double>(day - 1) + (r.has("clock") ? as_clock_hours(r.require("clock")) : 0.0);
        }
        check_time(r.has("at_h") ? r.require("at_h") : r.require("at_day"), s.start_h, end_h);
        s.end_h = s.start_h;
        return s;
    }
    for (const char* key : {"at_h", "at_day", "clock"})
        if (r.has(key)) fail_at(r.require(key), std::string("'") + key + "' applies only to kind value_at");
    s.end_h = end_h;
    if (r.has("window_h")) {
        const auto window = r.numbers("window_h");
        if (window.size() != 2 || !(window[0] < window[1]))
            fail_at(r.require("window_h"), "expected [start, end] with start < end");
        for (const auto& item : r.require("window_h").items) check_time(item, as_number(item), end_h);
        s.start_h = window[0];
        s.end_h = window[1];
    }
    if (r.has("baseline_h")) {
        if (s.kind != SummaryKind::peak_ratio) fail_at(r.require("baseline_h"), "baseline_h applies only to peak_ratio");
        s.baseline_h = r.number("baseline_h");
        check_time(r.require("baseline_h"), s.baseline_h, end_h);
    }
    if (r.has("samples_h") && r.has("daily_at")) fail_at(node, "give samples_h or daily_at, not both");
    if (r.has("samples_h")) {
        const ConfigNode& list = r.require("samples_h");
        expect_kind(list, ConfigNode::Kind::sequence);
        for (const auto& item : list.items) {
            const double t = as_number(item);
            if (t < s.start_h || t > s.end_h) fail_at(item, "sample time lies outside the summary's window_h");
            s.sample_times_h.push_back(t);
        }
    }
    if (r.has("daily_at")) {
        const double clock = as_clock_hours(r.require("daily_at"));
        for (long day = 0; 24.0 * static_cast<double>(day) + clock <= s.end_h; ++day) {
            const double t = 24.0 * static_cast<double>(day) + clock;
            if (t >= s.start_h) s.sample_times_h.push_back(t);
        }
    }
    if ((r.has("samples_h") || r.has("daily_at")) && s.sample_times_h.empty())
        fail_at(node, "no sample time falls inside the window");
    return s;
}

}  // namespace

std::vector<SummarySpec> read_summaries(const ConfigNode& list, const Model& model, double end_h) {
    expect_kind(list, ConfigNode::Kind::sequence);
    std::vector<SummarySpec> specs;
    for (const auto& item : list.items) {
        specs.push_back(read_summary(item, model, end_h));
        for (std::size_t k = 0; k + 1 < specs.size(); ++k)
            if (specs[k].name == specs.back().name) fail_at(item, "summary name '" + specs.back().name + "' is used twice");
    }
    return specs;
}

}  // namespace mobsim
