// Subject and Dataset accessors and time units of sim/io/dataset.hpp.
#include <algorithm>
#include <iterator>

#include "sim/io/dataset.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

double hours_per_time_unit(const std::string& unit, const std::string& where) {
    static const std::vector<std::pair<std::vector<std::string>, double>> units = {
        {{"h", "hour", "hours"}, 1.0}, {{"min", "minute", "minutes"}, 1.0 / 60.0},
        {{"d", "day", "days"}, 24.0}, {{"w", "week", "weeks"}, 168.0}};
    std::vector<std::string> names;
    for (const auto& [spellings, hours] : units) {
        if (std::find(spellings.begin(), spellings.end(), unit) != spellings.end()) return hours;
        names.push_back(spellings.front());
    }
    throw InputError(where + ": unknown time unit '" + unit + "'" + did_you_mean(unit, names) + " (expected h, min, d or w)");
}

double Subject::covariate(const std::string& name, double t_h) const {
    const auto it = covariates.find(name);
    if (it == covariates.end() || it->second.empty())
        throw InputError("subject " + id + " has no value of covariate '" + name + "'");
    const auto& points = it->second;
    if (carry == CovariateCarry::last_forward) {
        const auto after = std::upper_bound(points.begin(), points.end(), t_h,
                                            [](double t, const CovariatePoint& p) { return t < p.time_h; });
        return after == points.begin() ? points.front().value : std::prev(after)->value;
    }
    const auto next = std::lower_bound(points.begin(), points.end(), t_h,
                                       [](const CovariatePoint& p, double t) { return p.time_h < t; });
    return next == points.end() ? points.back().value : next->value;
}

CovariateCarry covariate_carry_named(const std::string& name, const std::string& where) {
    if (name == "nocb") return CovariateCarry::next_backward;
    if (name == "locf") return CovariateCarry::last_forward;
    throw InputError(where + ": unknown covariate direction '" + name + "'" + did_you_mean(name, {"nocb", "locf"}) +
                     " (expected nocb, next observation carried backward as NONMEM, or locf, last carried forward)");
}

std::map<std::string, double> Subject::baseline_covariates() const {
    std::map<std::string, double> out;
    for (const auto& [name, points] : covariates) out[name] = points.front().value;
    return out;
}

bool Subject::has_time_varying_covariates() const {
    return std::any_of(covariates.begin(), covariates.end(), [](const auto& c) {
        return std::any_of(c.second.begin(), c.second.end(),
                           [&](const CovariatePoint& p) { return p.value != c.second.front().value; });
    });
}

double Subject::end_time_h() const {
    double end = 0.0;
    for (const auto& d : dosing.doses) end = std::max(end, d.time_h);
    for (double t : dosing.resets_h) end = std::max(end, t);
    for (const auto& o : observations) end = std::max(end, o.time_h);
    for (double t : other_event_times_h) end = std::max(end, t);
    return end;
}

const Subject& Dataset::subject(const std::string& id) const {
    std::vector<std::string> ids;
    for (const auto& s : subjects) {
        if (s.id == id) return s;
        ids.push_back(s.id);
    }
    throw InputError(path + ": no subject with ID '" + id + "'" + did_you_mean(id, ids) + " (" +
                     std::to_string(ids.size()) + " subjects, IDs " + ids.front() + " to " + ids.back() + ")");
}

}  // namespace mobsim
