#include "sim/engine/dosing.hpp"

#include <algorithm>
#include <cmath>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {
double grams_per_unit(const std::string& unit) {
    if (unit == "mg") return 1e-3;
    if (unit == "ug") return 1e-6;
    if (unit == "ng") return 1e-9;
    return 0.0;
}
}  // namespace

AmountUnit parse_amount_unit(const std::string& text, const std::string& context) {
    if (text == "mg") return AmountUnit::mg;
    if (text == "ug" || text == "µg" || text == "mcg") return AmountUnit::ug;
    if (text == "ng") return AmountUnit::ng;
    if (text == "mg/kg") return AmountUnit::mg_per_kg;
    if (text == "ug/kg" || text == "µg/kg" || text == "mcg/kg") return AmountUnit::ug_per_kg;
    throw InputError(context + ": unknown amount unit '" + text + "'" +
                     did_you_mean(text, {"mg", "ug", "ng", "mg/kg", "ug/kg"}) +
                     " (expected mg, ug, ng, mg/kg or ug/kg)");
}

std::string to_string(AmountUnit unit) {
    switch (unit) {
        case AmountUnit::mg: return "mg";
        case AmountUnit::ug: return "ug";
        case AmountUnit::ng: return "ng";
        case AmountUnit::mg_per_kg: return "mg/kg";
        case AmountUnit::ug_per_kg: return "ug/kg";
    }
    return "?";
}

double convert_amount(double amount, AmountUnit unit, const std::string& state_unit,
                      std::optional<double> weight_kg, const std::string& context) {
    const double target_grams = grams_per_unit(state_unit);
    if (target_grams == 0.0)
        throw InputError(context + ": the target state holds '" + state_unit +
                         "', which is not a mass unit a dose can be converted into");
    double grams = 0.0;
    switch (unit) {
        case AmountUnit::mg: grams = amount * 1e-3; break;
        case AmountUnit::ug: grams = amount * 1e-6; break;
        case AmountUnit::ng: grams = amount * 1e-9; break;
        case AmountUnit::mg_per_kg:
        case AmountUnit::ug_per_kg:
            if (!weight_kg)
                throw InputError(context + ": the dose is in " + to_string(unit) +
                                 " but the scenario gives no patient weight_kg");
            grams = amount * *weight_kg * (unit == AmountUnit::mg_per_kg ? 1e-3 : 1e-6);
            break;
    }
    return grams / target_grams;
}

std::vector<double> administration_times(const Regimen& r) {
    std::vector<double> times = r.times_h;
    for (int day : r.days)
        for (double clock : r.clocks_h) times.push_back(24.0 * (day - 1) + clock);
    if (r.every_h) {
        const double start = r.start_h.value_or(0.0);
        if (r.count) {
            for (int k = 0; k < *r.count; ++k) times.push_back(start + k * *r.every_h);
        } else if (r.until_h) {
            // k * every rather than repeated addition, so long schedules do not drift
            for (long k = 0;; ++k) {
                const double t = start + static_cast<double>(k) * *r.every_h;
                if (t > *r.until_h + 1e-9 * std::max(1.0, std::abs(*r.until_h))) break;
                times.push_back(t);
            }
        }
    } else if (r.start_h) {
        times.push_back(*r.start_h);
    }
    std::sort(times.begin(), times.end());
    return times;
}

}  // namespace mobsim
