#include "sim/io/dataset_events.hpp"

#include <algorithm>
#include <cmath>

namespace mobsim::dataset_events {

void add_record(Subject& s, const Record& r, double time, int line, const std::vector<double>& covariates,
                std::vector<std::vector<CovariatePoint>>& history) {
    for (std::size_t k = 0; k < covariates.size(); ++k) history[k].push_back({time, covariates[k]});
    if (r.evid == 3 || r.evid == 4) s.dosing.resets_h.push_back(time);
    if (r.evid == 1 || r.evid == 4) {
        DoseRecord d;
        d.time_h = time;
        d.state = r.state;
        d.amount = r.amt;
        d.input = r.rate > 0.0 ? InputRate::given_rate : r.rate == -1.0 ? InputRate::model_rate
                : r.rate == -2.0 ? InputRate::model_duration : InputRate::bolus;
        d.rate_per_h = r.rate > 0.0 ? r.rate : 0.0;
        d.steady_state = r.ss;
        d.interval_h = r.ii;
        d.line = line;
        s.dosing.doses.push_back(d);
        d.steady_state = 0;  // the additional doses are ordinary ones
        for (long k = 1; k <= r.addl; ++k) {
            d.time_h = time + static_cast<double>(k) * r.ii;
            s.dosing.doses.push_back(d);
        }
    } else if (r.evid == 0 && !r.mdv) {
        DatasetObservation o;
        o.time_h = time;
        o.output = r.output;
        o.value = r.dv;
        o.censoring = r.blq ? Censoring::below : Censoring::none;
        o.lloq = r.has_lloq ? r.lloq : r.blq ? r.dv : 0.0;
        o.line = line;
        s.observations.push_back(o);
    } else if (r.evid != 3) {
        s.other_event_times_h.push_back(time);
    }
}

// Covariates: fills missing values (NaN) from the previous record, leading ones from the first value, and keeps
// the first and last point of each run of equal values: the points either direction of carrying reads.
void finish_subject(Subject& s, const std::vector<std::string>& names,
                    std::vector<std::vector<CovariatePoint>>& history) {
    for (std::size_t k = 0; k < names.size(); ++k) {
        auto& points = history[k];
        const auto first = std::find_if(points.begin(), points.end(), [](const CovariatePoint& p) { return !std::isnan(p.value); });
        if (first == points.end()) continue;
        double last = first->value;
        for (auto& p : points) {
            if (std::isnan(p.value)) p.value = last;
            last = p.value;
        }
        std::vector<CovariatePoint> kept;
        for (std::size_t i = 0; i < points.size(); ++i)
            if (i == 0 || i + 1 == points.size() || points[i].value != points[i + 1].value ||
                points[i].value != points[i - 1].value)
                kept.push_back(points[i]);
        s.covariates[names[k]] = std::move(kept);
        points.clear();
    }
    std::stable_sort(s.dosing.doses.begin(), s.dosing.doses.end(),
                     [](const DoseRecord& a, const DoseRecord& b) { return a.time_h < b.time_h; });
}

}  // namespace mobsim::dataset_events
