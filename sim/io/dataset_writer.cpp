#include "sim/io/dataset_writer.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"

namespace mobsim {

namespace {

struct Line {
    double time = 0.0;
    std::size_t regimen = 0;
    double addl_interval = 0.0;
    long addl = 0;
    int ss = 0;
};

// The rate that, divided into amount, gives back `duration` exactly (as the reader computes it), if one near
// amount / duration does.
double rate_for(double amount, double duration) {
    double rate = amount / duration;
    for (int k = 0; k < 8 && amount / rate != duration; ++k)
        rate = std::nextafter(rate, amount / rate > duration ? INFINITY : 0.0);
    return rate;
}

}  // namespace

std::string regimens_to_dataset(const Problem& p, const std::map<std::string, double>& patient, const std::string& id) {
    std::vector<Line> lines;
    for (std::size_t r = 0; r < p.regimens.size(); ++r) {
        const Regimen& reg = p.regimens[r];
        std::vector<double> times;
        for (double t : administration_times(reg))
            if (t <= p.end_h) times.push_back(t + reg.lag_h);
        if (reg.steady_state && (times.empty() || times.front() != 0.0))
            throw InputError("regimen '" + reg.label + "': a steady_state regimen whose first dose is not at 0 h "
                             "has no dataset equivalent");
        for (std::size_t i = 0; i < times.size();) {
            Line line{times[i], r, 0.0, 0, reg.steady_state && i == 0 ? 1 : 0};
            std::size_t j = i + 1;
            if (j < times.size()) {
                const double interval = times[j] - times[i];
                // the reader expands ADDL as time + k * II; keep the run only while that gives the same bits
                while (j < times.size() && times[i] + static_cast<double>(j - i) * interval == times[j]) ++j;
                if (j - i >= 2) line.addl = static_cast<long>(j - i - 1), line.addl_interval = interval;
                else j = i + 1;
            }
            if (line.ss == 1 && line.addl == 0) line.addl_interval = *reg.every_h;
            lines.push_back(line);
            i = j;
        }
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.time < b.time; });

    std::ostringstream out;
    out << "ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS,MDV";
    for (const auto& [name, value] : patient) out << "," << name;
    out << "\n";
    const auto& states = p.model->states();
    for (const Line& line : lines) {
        const Regimen& reg = p.regimens[line.regimen];
        const int state = p.regimen_states[line.regimen];
        const double amount =
            convert_amount(reg.amount, reg.unit, states[state].unit, p.weight_kg, "regimen '" + reg.label + "'") *
            reg.bioavailability;
        double rate = 0.0;
        if (reg.duration_h) rate = rate_for(amount, *reg.duration_h);
        if (reg.rate_per_h) rate = rate_for(amount, reg.amount / *reg.rate_per_h);
        out << id << "," << format_number(line.time) << ",1," << format_number(amount) << "," << states[state].name
            << "," << format_number(rate) << "," << format_number(line.addl_interval) << "," << line.addl << ","
            << line.ss << ",1";
        for (const auto& entry : patient) out << "," << format_number(entry.second);
        out << "\n";
    }
    if (lines.empty()) {  // no doses: one record still carries the subject and its covariates
        out << id << ",0,2,0,.,0,0,0,0,1";
        for (const auto& entry : patient) out << "," << format_number(entry.second);
        out << "\n";
    }
    return out.str();
}

}  // namespace mobsim
