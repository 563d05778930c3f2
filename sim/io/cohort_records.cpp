#include "sim/io/cohort_records.hpp"

#include <algorithm>
#include <sstream>

#include "sim/io/csv_output.hpp"

namespace mobsim {

namespace {

struct Administered {
    double time_h;
    double amount;
    int state;
};

// Doses as given (before the model's F and lag): the history's records, or each regimen's administrations.
std::vector<Administered> administered(const Problem& p) {
    std::vector<Administered> doses;
    for (const auto& d : p.history.doses)
        if (d.time_h <= p.end_h) doses.push_back({d.time_h, d.amount, d.state});
    for (std::size_t r = 0; r < p.regimens.size(); ++r) {
        const Regimen& reg = p.regimens[r];
        const int state = p.regimen_states[r];
        const double amount = convert_amount(reg.amount, reg.unit, p.model->states()[state].unit, p.weight_kg, reg.label) *
                              reg.bioavailability;
        for (double t : administration_times(reg))
            if (t + reg.lag_h <= p.end_h) doses.push_back({t + reg.lag_h, amount, state});
    }
    std::stable_sort(doses.begin(), doses.end(), [](const Administered& a, const Administered& b) { return a.time_h < b.time_h; });
    return doses;
}

}  // namespace

std::string records_header(const RecordColumns& columns) {
    std::string header = "ID,TIME,EVID,AMT,CMT,DV,IPRED,PRED";
    for (const auto& c : columns.covariates) header += "," + c;
    return header + "\n";
}

std::string patient_records(const std::string& id, const Problem& p, const Trajectory& individual,
                            const Trajectory& typical, const RecordColumns& columns,
                            const std::vector<double>& covariate_values) {
    std::string tail;
    for (double v : covariate_values) tail += "," + format_number(v);
    std::vector<std::size_t> output_columns;
    for (const auto& name : columns.outputs) output_columns.push_back(static_cast<std::size_t>(p.model->output_index(name)));
    const auto doses = administered(p);
    std::ostringstream out;
    std::size_t next = 0;
    for (std::size_t row = 0; row < individual.time_h.size(); ++row) {
        const double t = individual.time_h[row];
        for (; next < doses.size() && doses[next].time_h <= t; ++next)
            out << id << ',' << format_number(doses[next].time_h) << ",1," << format_number(doses[next].amount) << ','
                << p.model->states()[static_cast<std::size_t>(doses[next].state)].name << ",.,.,." << tail << '\n';
        for (std::size_t k = 0; k < output_columns.size(); ++k) {
            const std::string ipred = format_number(individual.at(row, output_columns[k]));
            out << id << ',' << format_number(t) << ",0,0," << columns.outputs[k] << ',' << ipred << ',' << ipred << ','
                << format_number(typical.at(row, output_columns[k])) << tail << '\n';
        }
    }
    for (; next < doses.size(); ++next)
        out << id << ',' << format_number(doses[next].time_h) << ",1," << format_number(doses[next].amount) << ','
            << p.model->states()[static_cast<std::size_t>(doses[next].state)].name << ",.,.,." << tail << '\n';
    return out.str();
}

}  // namespace mobsim
