// NONMEM-format datasets: one record per line, grouped by ID, read into per-subject dosing histories,
// observations and covariates. Comma-separated (CSV) or whitespace-separated; column names case-insensitive.
//   ID, TIME (hours; or clock time hh:mm with DATE/DAT1/DAT2/DAT3), EVID (0 observation, 1 dose, 2 other,
//   3 reset, 4 reset and dose), AMT, CMT (a state name or its 1-based number; on an observation an output name
//   or number), RATE (> 0, -1, -2), II, ADDL, SS (0, 1, 2), DV, MDV, BLQ or CENS (1: DV below LLOQ), LLOQ.
//   Any other column is a numeric covariate; "." or an empty cell is missing. See docs/datasets.md.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/engine/dosing.hpp"

namespace mobsim {

// What the dataset is read against: the model's state names (CMT of a dose) and output names (CMT of an
// observation). Empty lists accept no name; numbers are then checked against nothing.
struct DatasetSchema {
    std::vector<std::string> states;
    std::vector<std::string> outputs;
    // Hours per unit of a numeric TIME and of II (and RATE is per that unit): 1 for hours, 24 for days, 1/60 for
    // minutes. Clock times and dates are hours whatever it is.
    double hours_per_time_unit = 1.0;
    // How time-varying covariates fill the time between records (NONMEM's next observation carried backward).
    CovariateCarry covariate_carry = CovariateCarry::next_backward;
};

// "nocb" or "locf" (mrgsolve's names); InputError naming `where` otherwise.
CovariateCarry covariate_carry_named(const std::string& name, const std::string& where);

// Hours per unit for "h", "min", "d" or "w" (and spelled-out forms); InputError naming `where` otherwise.
double hours_per_time_unit(const std::string& unit, const std::string& where);

enum class Censoring { none, below };  // below: the value lies below the LLOQ (M3 likelihood)

struct DatasetObservation {
    double time_h = 0.0;
    std::string output;  // model output named by CMT; empty when the record names none
    double value = 0.0;  // DV
    Censoring censoring = Censoring::none;
    double lloq = 0.0;   // the LLOQ column's value; for a censored observation without one, DV; else 0
    int line = 0;        // source line
};

// One covariate value from one record. By default a value holds back to the previous record's time: the value
// in force on (t_previous, t] is the one recorded at t, and after the last record the last value (NONMEM's
// rule, next observation carried backward, which mrgsolve also follows by default); with last_forward it holds
// over [t, t_next), and before the first record the first value. Missing cells are filled from the previous
// record of the subject, or from the next for leading ones.
struct CovariatePoint {
    double time_h = 0.0;
    double value = 0.0;
};

struct Subject {
    std::string id;
    DosingHistory dosing;
    std::vector<DatasetObservation> observations;  // time order, record order at equal times
    std::vector<double> other_event_times_h;       // EVID 2 and MDV 1 records: output times without data
    // name -> the first and last record of each run of one value (time order); a subject with no value for a
    // covariate has no entry for it
    std::map<std::string, std::vector<CovariatePoint>> covariates;
    CovariateCarry carry = CovariateCarry::next_backward;  // the rule the covariates are read by
    int first_line = 0;
    int last_line = 0;

    // The covariate's value in force at time t (by `carry`); throws InputError when the subject has none.
    double covariate(const std::string& name, double t_h) const;
    // Each covariate's value at the subject's first record.
    std::map<std::string, double> baseline_covariates() const;
    // True when some covariate takes more than one value.
    bool has_time_varying_covariates() const;
    // Last time of any record (dose, observation, event).
    double end_time_h() const;
};

struct Dataset {
    std::string path;
    std::vector<std::string> covariate_names;  // as written in the header, in column order
    std::vector<Subject> subjects;             // in file order
    std::size_t records = 0;                   // data lines read

    // The subject with this ID; InputError naming the dataset and a near match otherwise.
    const Subject& subject(const std::string& id) const;
};

// Reads and validates a dataset. Throws InputError "file:line: column N (NAME): message" for any malformed
// record (see docs/datasets.md for the list).
Dataset read_dataset(const std::string& path, const DatasetSchema& schema);
Dataset read_dataset_text(const std::string& text, const std::string& name, const DatasetSchema& schema);

}  // namespace mobsim
