// Scalar summaries of a simulated time course: the quantities trial tables report.
#pragma once
#include <string>
#include <vector>

#include "sim/base/config.hpp"
#include "sim/engine/simulation.hpp"

namespace mobsim {

enum class SummaryKind {
    value_at,    // output at start_h
    maximum,     // max over the window
    minimum,     // min over the window
    auc,         // trapezoidal integral over the window (output unit x h)
    peak_ratio,  // max over the window of output(t) / output(baseline_h)
};

struct SummarySpec {
    std::string name;    // e.g. "peak_fold_cd34"
    std::string output;  // model output name
    SummaryKind kind = SummaryKind::maximum;
    double start_h = 0.0;
    double end_h = 0.0;
    double baseline_h = 0.0;             // for peak_ratio
    std::vector<double> sample_times_h;  // empty: every grid time in the window ("continuous")
};

// Times a trajectory must contain for these summaries (sample times, window ends, baselines).
std::vector<double> required_times(const std::vector<SummarySpec>& specs);

// Evaluates one summary; the trajectory must contain required_times(). Throws std::invalid_argument otherwise.
double evaluate_summary(const Trajectory& trajectory, const SummarySpec& spec);

// The summary's unit: its output's, h times it for an AUC, "1" for a ratio.
std::string summary_unit(const SummarySpec& spec, const Model& model);

SummaryKind parse_summary_kind(const std::string& text, const std::string& where);
std::string to_string(SummaryKind kind);

// Reads a `summaries:` list (see sim/studies/summary_reader.cpp for the keys) and checks outputs against the model
// and times against [0, end_h]. Names must be unique.
std::vector<SummarySpec> read_summaries(const ConfigNode& list, const Model& model, double end_h);

}  // namespace mobsim
