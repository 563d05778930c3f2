// Dose events and regimens: what is given, into which state, and when.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace mobsim {

enum class AmountUnit { mg, ug, ng, mg_per_kg, ug_per_kg };

// How a dose record's input rate is given (NONMEM's RATE data item).
enum class InputRate {
    bolus,           // RATE 0 or absent
    given_rate,      // RATE > 0: zero-order input at rate_per_h (AMT / RATE hours)
    model_rate,      // RATE -1: the model defines the rate (OdeSystem::infusion_rate_per_h)
    model_duration,  // RATE -2: the model defines the duration (OdeSystem::infusion_duration_h)
};

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
    // model_rate / model_duration: the model sets the infusion (`rate_per_h: model` / `duration_h: model`)
    InputRate model_infusion = InputRate::bolus;
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

// One dose of an individual dosing history (a dataset record, ADDL already expanded), as administered:
// the engine applies the model's bioavailability and lag time to it, as it does to a regimen's doses.
struct DoseRecord {
    double time_h = 0.0;  // administration time
    int state = 0;        // target state (index into Model::states())
    double amount = 0.0;  // in the target state's unit (AMT)
    InputRate input = InputRate::bolus;
    double rate_per_h = 0.0;  // for InputRate::given_rate, in the state's unit per hour
    // 0: none. 1: the states are reset and brought to the steady state of this dose repeated every interval_h
    // before it is given. 2: that steady state (from initial states) is added to the current states.
    int steady_state = 0;
    double interval_h = 0.0;  // II of a steady-state dose
    int line = 0;               // source line in its dataset, for messages (0: none)
};

// An individual dosing history: doses sorted by time (record order kept at equal times) and the sorted times
// at which every state returns to its initial value (EVID 3 and 4 records; a reset precedes doses at its time).
struct DosingHistory {
    std::vector<DoseRecord> doses;
    std::vector<double> resets_h;
    bool empty() const { return doses.empty() && resets_h.empty(); }
};

// How a time-varying covariate fills the time between the records that give it.
enum class CovariateCarry {
    next_backward,  // NONMEM's rule: the value recorded at t holds over (t_previous, t] (mrgsolve's nocb default)
    last_forward,   // the value recorded at t holds over [t, t_next) (mrgsolve's nocb = FALSE, "locf")
};

// Converts an amount to the mass unit of a state ("mg", "ug" or "ng"). Weight is needed for per-kg units.
double convert_amount(double amount, AmountUnit unit, const std::string& state_unit,
                      std::optional<double> weight_kg, const std::string& context);
AmountUnit parse_amount_unit(const std::string& text, const std::string& context);
std::string to_string(AmountUnit unit);

// Administration times (before lag) of a regimen, sorted. Throws InputError for an open-ended schedule.
std::vector<double> administration_times(const Regimen& regimen);

}  // namespace mobsim
