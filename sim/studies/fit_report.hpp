// Texts written by `mobsim fit` and `mobsim profile`: report (YAML), residuals (CSV), fitted parameter file,
// profile table (CSV) and short human summaries.
#pragma once
#include <string>
#include <vector>

#include "sim/studies/fit.hpp"

namespace mobsim {

struct FitRunInfo {
    std::string fit_path;
    std::string command;
};

std::string fit_report_yaml(const FitObjective& objective, const FitResult& result, const FitRunInfo& info);
// Header: target,observed,predicted,residual,weighted_residual (residual = observed - predicted, natural scale;
// weighted_residual = (h(observed) - h(predicted)) / sigma, or sqrt(-2 log Phi) for a censored row).
std::string residuals_csv(const FitObjective& objective, const FitResult& result);
// The model curves at the optimum (FitObjective::curves, 200 intervals): series,time_h,predicted; for plots of
// the time courses with the model between observations.
std::string curves_csv(const FitObjective& objective, const FitResult& result);
// `parameters:` (fitted and fixed model parameters, natural scale) plus metadata; accepted by `mobsim run
// --parameters`, a scenario's parameters_file and a fit's `start:`.
std::string fitted_parameter_file(const FitObjective& objective, const FitResult& result, const FitRunInfo& info);
std::string fit_summary(const FitObjective& objective, const FitResult& result);

// Header: parameter,value,objective,delta_objective
std::string profile_csv(const std::vector<Profile>& profiles, double optimum);
std::string profile_summary(const std::vector<Profile>& profiles, const FitObjective& objective, const FitResult& result,
                            double threshold);

// A row's label in reports: observable@condition[:t=TIME][:subject=ID][:censored].
std::string target_label(const DataRow& row, bool summary);

}  // namespace mobsim
