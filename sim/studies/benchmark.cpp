#include "sim/studies/benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "sim/io/csv_output.hpp"

namespace mobsim {

double max_relative_error(const Trajectory& run, const Trajectory& reference, double floor, std::string* worst) {
    const std::size_t n_out = reference.outputs.size();
    double largest = 0.0;
    for (std::size_t j = 0; j < n_out; ++j) {
        double peak = 0.0;
        for (std::size_t i = 0; i < reference.time_h.size(); ++i) peak = std::max(peak, std::abs(reference.at(i, j)));
        if (peak == 0.0) continue;
        for (std::size_t i = 0; i < reference.time_h.size(); ++i) {
            const double ref = reference.at(i, j);
            const double error = std::abs(run.at(i, j) - ref) / std::max(std::abs(ref), floor * peak);
            if (error > largest) {
                largest = error;
                if (worst) *worst = reference.outputs[j].name;
            }
        }
    }
    return largest;
}

namespace {

Trajectory reference_solution(const Problem& problem, double reference_rtol, double atol_ratio) {
    Problem tight = problem;
    tight.solver.method = "dopri5";
    tight.solver.rtol = reference_rtol;
    tight.solver.atol = reference_rtol * atol_ratio * 1e-2;
    tight.solver.max_steps = 100000000;
    tight.solver.exact_linear_blocks = false;  // every state stepped: independent of the exact propagation
    tight.solver.tolerance_scale.clear();      // one tolerance for all: independent of the model's scales
    tight.solver.stiff_fallback.reset();       // each row measures its own method
    return simulate(tight);
}

}  // namespace

std::vector<WorkPrecisionRow> work_precision(const Problem& problem, const std::vector<std::string>& methods,
                                             const std::vector<double>& rtols, double atol_ratio,
                                             double reference_rtol, int repeats, double floor,
                                             const std::vector<bool>& exact_blocks_settings) {
    const Trajectory reference = reference_solution(problem, reference_rtol, atol_ratio);
    std::vector<WorkPrecisionRow> rows;
    for (const std::string& method : methods) {
        for (bool exact_blocks : exact_blocks_settings)
        for (double rtol : rtols) {
            Problem p = problem;
            p.solver.method = method;
            p.solver.rtol = rtol;
            p.solver.atol = rtol * atol_ratio;
            p.solver.exact_linear_blocks = exact_blocks;
            p.solver.stiff_fallback.reset();
            WorkPrecisionRow row;
            row.method = method;
            row.linear_blocks = exact_blocks ? "exact" : "stepped";
            row.rtol = rtol;
            row.atol = p.solver.atol;
            std::vector<double> seconds;
            Trajectory result;
            for (int r = 0; r < std::max(1, repeats); ++r) {
                const auto start = std::chrono::steady_clock::now();
                result = simulate(p);
                seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            }
            std::sort(seconds.begin(), seconds.end());
            row.seconds_per_run = seconds[seconds.size() / 2];
            row.steps = result.stats.steps;
            row.rhs_evaluations = result.stats.rhs_evaluations;
            row.max_relative_error = max_relative_error(result, reference, floor, &row.worst_output);
            rows.push_back(row);
        }
    }
    return rows;
}

std::string to_csv(const std::vector<WorkPrecisionRow>& rows) {
    std::ostringstream out;
    out << "method,linear_blocks,rtol,atol,ms_per_run,steps,rhs_evaluations,max_relative_error,worst_output\n";
    for (const auto& r : rows)
        out << r.method << ',' << r.linear_blocks << ',' << format_number(r.rtol) << ',' << format_number(r.atol) << ','
            << format_number(std::round(r.seconds_per_run * 1e6) / 1e3) << ',' << r.steps << ',' << r.rhs_evaluations
            << ',' << format_number(r.max_relative_error) << ',' << r.worst_output << '\n';
    return out.str();
}

std::vector<PatientError> cohort_errors(const Problem& base, const CohortSpec& cohort, int count,
                                        double reference_rtol, double atol_ratio, double floor) {
    std::vector<PatientError> errors;
    for (int i = 0; i < count; ++i) {
        const Problem p = patient_problem(base, cohort, draw_patient(cohort, i));
        const Trajectory reference = reference_solution(p, reference_rtol, atol_ratio);
        PatientError e;
        e.patient = i;
        e.max_relative_error = max_relative_error(simulate(p), reference, floor, &e.worst_output);
        errors.push_back(e);
    }
    return errors;
}

}  // namespace mobsim
