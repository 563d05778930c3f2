// Dose events and regimens: what is given, into which state, and when.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace mobsim {

enum class AmountUnit { mg, ug, ng, mg_per_kg, ug_per_kg };

// A dose instruction as a scenario states it, before expansion into events.
struct Regimen {
    std::string label;      // e.g. "sorafenib"; used in messages
    std::string target;     // state name that receives the dose
    double amount = 0.0;    // in `unit`
    AmountUnit unit = AmountUnit::mg;
    double bioavailability = 1.0;
    double lag_h = 0.0;
    // zero-order input: give duration or rate (amount unit per hour); neither means bolus
    std::optional<double> duration_h;
    std::optional<double> rate_per_h;
    // timing: explicit times, or start + every (+ count or until), or treatment days at a clock time
    std::vector<double> times_h;
    std::optional<double> start_h;
    std::optional<double> every_h;
    std::optional<int> count;
    std::optional<double> until_h;
    std::vector<int> days;    // day 1 is t = 0
    std::vector<double> clocks_h{0.0};  // clock times within each treatment day (e.g. 08:00 and 20:00)
    bool steady_state = false;  // the regimen has been running long enough to be periodic at t = 0
};

// One scheduled input: a bolus (rate == 0) or the start of a zero-order input lasting duration_h.
struct DoseEvent {
    double time_h = 0.0;
    int state = 0;
    double amount = 0.0;  // in the state's unit, after bioavailability
    double duration_h = 0.0;  // 0 for a bolus
    int regimen = 0;          // index of the regimen it came from
};

// Converts an amount to the mass unit of a state ("mg", "ug" or "ng"). Weight is needed for per-kg units.
double convert_amount(double amount, AmountUnit unit, const std::string& state_unit,
                      std::optional<double> weight_kg, const std::string& context);
AmountUnit parse_amount_unit(const std::string& text, const std::string& context);
std::string to_string(AmountUnit unit);

// Administration times (before lag) of a regimen, sorted. Throws InputError for an open-ended schedule.
std::vector<double> administration_times(const Regimen& regimen);

}  // namespace mobsim
