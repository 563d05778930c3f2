// A VPop study's arms: one scenario per arm (or a dataset subject's doses on a template scenario), and the
// names of per-patient quantities across arms (QUANTITY@ARM). Format in sim/studies/vpop_reader.cpp.
#include <algorithm>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/studies/cohort.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

std::vector<std::string> arm_names(const VpopStudy& study) {
    std::vector<std::string> names;
    for (const auto& arm : study.arms) names.push_back(arm.name);
    return names;
}

bool is_summary(const VpopStudy& study, const std::string& name) {
    return std::any_of(study.summaries.begin(), study.summaries.end(), [&](const auto& s) { return s.name == name; });
}

void require_known(const ConfigNode& node, const std::string& name, const std::vector<std::string>& known) {
    if (std::find(known.begin(), known.end(), name) == known.end())
        fail_at(node, "unknown quantity '" + name + "'" + did_you_mean(name, known) +
                          " (quantities: the varied values and the summaries: " + join(known, ", ") + ")");
}

}  // namespace

std::string arm_column(const std::string& quantity, const std::string& arm) {
    return arm.empty() ? quantity : quantity + "@" + arm;
}

std::vector<Scenario> read_arm_scenarios(const MapReader& r, VpopStudy& study) {
    std::vector<Scenario> scenarios;
    if (r.has("scenario")) {
        study.arms.emplace_back();
        scenarios.push_back(read_study_scenario(r.require("scenario"), study.file, study.arms.back().scenario_file));
        return scenarios;
    }
    const ConfigNode& list = r.require("arms");
    expect_kind(list, ConfigNode::Kind::sequence);
    if (list.items.empty()) fail_at(list, "expected at least one arm");
    for (const auto& item : list.items) {
        MapReader a(item, {"name", "scenario", "dataset", "id", "time_unit"});
        VpopArm arm;
        arm.name = a.text("name");
        if (arm.name.empty() || arm.name.find_first_of("@, \t\"") != std::string::npos)
            fail_at(a.require("name"), "an arm's name must be non-empty, without '@', commas, blanks or quotes");
        for (const auto& other : study.arms)
            if (other.name == arm.name) fail_at(a.require("name"), "arm '" + arm.name + "' is named twice");
        scenarios.push_back(read_study_scenario(a.require("scenario"), study.file, arm.scenario_file));
        if (scenarios.back().model != scenarios.front().model)
            fail_at(a.require("scenario"), "every arm must use one model; this one uses '" + scenarios.back().model +
                                               "', the first '" + scenarios.front().model + "'");
        if (a.has("dataset")) {
            arm.dataset_file = resolve_relative(study.file, a.text("dataset"));
            arm.subject = a.optional_text("id").value_or("");
        } else if (a.has("id") || a.has("time_unit")) {
            fail_at(a.has("id") ? a.require("id") : a.require("time_unit"), "id and time_unit go with dataset");
        }
        study.arms.push_back(arm);
    }
    return scenarios;
}

void build_arm_problems(const MapReader& r, VpopStudy& study, const std::vector<Scenario>& scenarios,
                        const std::shared_ptr<const Model>& model) {
    const ConfigNode* arms = r.node().find("arms");
    for (std::size_t a = 0; a < study.arms.size(); ++a) {
        VpopArm& arm = study.arms[a];
        if (arm.dataset_file.empty()) {
            arm.base = build_problem(scenarios[a], model);
            continue;
        }
        const MapReader item(arms->items[a], {"name", "scenario", "dataset", "id", "time_unit"});
        DatasetSchema schema = dataset_schema(*model);
        if (item.has("time_unit")) schema.hours_per_time_unit = hours_per_time_unit(item.text("time_unit"), item.require("time_unit").where());
        const Dataset dataset = read_dataset(arm.dataset_file, schema);
        if (arm.subject.empty() && dataset.subjects.size() != 1)
            fail_at(item.require("dataset"), "the dataset has " + std::to_string(dataset.subjects.size()) +
                                                 " subjects; name the arm's one with id");
        try {
            const Subject& subject = arm.subject.empty() ? dataset.subjects.front() : dataset.subject(arm.subject);
            arm.subject = subject.id;
            arm.base = build_subject_problem(scenarios[a], model, dataset, subject);
        } catch (const InputError& e) {
            fail_at(item.require("dataset"), e.what());
        }
    }
    if (r.has("quantities")) study.summaries = read_summaries(r.require("quantities"), *model, study.arms.front().base.end_h);
    for (auto& arm : study.arms) {
        if (arm.base.end_h != study.arms.front().base.end_h)
            fail_at(arms ? *arms : r.node(), "every arm must simulate the same span (output.end_h); arm '" + arm.name +
                                                 "' ends at " + format_number(arm.base.end_h) + " h");
        auto& grid = arm.base.grid;
        const auto extra = required_times(study.summaries);
        grid.insert(grid.end(), extra.begin(), extra.end());
        std::sort(grid.begin(), grid.end());
        grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    }
}

std::vector<std::string> quantity_columns(const VpopStudy& study, const MapReader& r, const ConfigNode& node,
                                          const std::string& name, bool every_arm_by_default) {
    const auto known = study.quantity_names();
    const bool named_arms = !study.arms.front().name.empty();
    if (r.has("arm")) {
        const std::string arm = r.text("arm");
        const auto names = arm_names(study);
        if (!named_arms) fail_at(r.require("arm"), "arm applies to a study with arms: (this one has one scenario)");
        if (std::find(names.begin(), names.end(), arm) == names.end())
            fail_at(r.require("arm"), "no arm named '" + arm + "'" + did_you_mean(arm, names) + " (arms: " + join(names, ", ") + ")");
        if (is_summary(study, name)) return {arm_column(name, arm)};
        require_known(node, name, known);
        return {name};
    }
    if (named_arms && is_summary(study, name)) {
        if (!every_arm_by_default)
            fail_at(node, "'" + name + "' is computed in every arm; give arm: (one of " + join(arm_names(study), ", ") +
                              ") or write " + arm_column(name, study.arms.front().name));
        std::vector<std::string> columns;
        for (const auto& arm : study.arms) columns.push_back(arm_column(name, arm.name));
        return columns;
    }
    require_known(node, name, known);
    return {name};
}

}  // namespace mobsim
