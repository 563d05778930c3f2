// A full-factorial sweep over scenario values (regimen fields, model parameters, patient covariates),
// simulated in parallel; one row of summaries per grid point, in a fixed order.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/io/csv_output.hpp"
#include "sim/engine/scenario.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/studies/population.hpp"
#include "sim/studies/summary.hpp"

namespace mobsim {

// One swept quantity. key is "parameters.NAME", "patient.NAME" or "LABEL.FIELD" where LABEL is a regimen
// label and FIELD one of amount, every_h, count, lag_h, duration_h, start_day_offset.
// A LABEL.days or LABEL.clock axis takes lists (schedules): `labels` holds each as --set would write it
// (1,2,3,4,5 or 08:00,20:00) and `values` their numbers 1..n.
struct SweepAxis {
    std::string key;
    std::vector<double> values;
    std::string where;  // position in the sweep file, for messages
    std::vector<std::string> labels;  // schedules of a list axis; empty for a numeric one
};

struct SweepStudy {
    std::string file;
    std::string scenario_file;  // empty for an inline scenario
    Scenario scenario;
    std::shared_ptr<const Model> model;
    std::vector<SweepAxis> axes;  // the first axis varies slowest
    std::vector<SummarySpec> summaries;
    int threads = 0;  // 0: all cores
    std::string output_file;  // empty: chosen by the caller
    // Outputs written per grid point as NONMEM-layout records (sweep_records_csv); empty: none
    std::vector<std::string> record_outputs;
    // A VPop file's rows (vpop:, mobsim vpop): every grid point runs on every row, one output row each (column
    // `patient`, the VPop row); empty: one run per grid point
    ListedValues vpop;
    std::size_t points() const;
    std::size_t runs() const;  // points() x VPop rows (or 1)
};

// Sets one swept value in a scenario. start_day_offset shifts every administration of the regimen by
// 24 h x value (the schedule becomes explicit times, which must stay >= 0). Several regimens sharing the
// label are all changed. Throws InputError for unknown keys or values that do not fit the regimen.
void apply_sweep_value(Scenario& scenario, const std::string& key, double value);

// A command-line override (--set KEY=TEXT) of a scenario: patient.NAME or REGIMEN_LABEL.FIELD as above, plus
// REGIMEN_LABEL.days (a list, 1,2,3,4,5: the regimen becomes daily at its clock times) and REGIMEN_LABEL.clock
// (08:00 or 08:00,20:00). Model parameters are set on the built problem instead (set_parameter).
void apply_override(Scenario& scenario, const std::string& key, const std::string& text);

// The problem at grid point `index` (row-major over the axes), its grid extended by the summaries' times.
Problem sweep_point_problem(const SweepStudy& study, std::size_t index);
std::vector<double> sweep_point_values(const SweepStudy& study, std::size_t index);

SweepStudy read_sweep_study(const std::string& path, const ModelRegistry& models);

struct SweepResult {
    std::vector<std::string> axis_names, summary_names;
    std::vector<std::vector<std::string>> axis_labels;  // per axis: a list axis's schedules (written for its numbers)
    std::vector<double> axis_values, summary_values;  // row-major by grid point
    std::vector<std::string> records;                 // per grid point, with study.record_outputs
};

// Throws SolverError naming the grid point when one fails. With `across_ranks`, MPI ranks share fixed blocks
// of kSweepBlockSize grid points and only rank 0's result is whole.
inline constexpr std::size_t kSweepBlockSize = 256;
SweepResult run_sweep(const SweepStudy& study, int threads = 0, const std::function<void(int done)>& progress = {},
                      bool across_ranks = false);

// "KEY=UNIT, ..." for every axis and summary (a provenance line the plots read): a parameter's or covariate's
// unit, a regimen amount's unit, h for times, d for a day shift, "day" for a days list, "1" for counts.
std::string sweep_units(const SweepStudy& study);

std::string sweep_csv(const SweepResult& result, const Provenance& provenance);
// Grid point k is ID k + 1, its swept values the covariate columns; PRED equals IPRED (a sweep draws no IIV).
std::string sweep_records_csv(const SweepStudy& study, const SweepResult& result, const Provenance& provenance);

}  // namespace mobsim
