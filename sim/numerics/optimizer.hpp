// Levenberg-Marquardt least squares with box bounds, finite-difference Jacobians and space-filling multi-starts.
//
// Bounds are handled by projection with an active set: a coordinate sitting on a bound whose gradient points
// outward is held fixed for the step, the others solve the damped normal equations, and the trial point is
// clipped into the box. Damping follows Nielsen (1999) with Marquardt's diagonal scaling.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mobsim {

// Residuals at x; returns false when they cannot be computed (e.g. the ODE solver failed). The optimizer
// treats such points as infinitely bad. Must be safe to call from several threads at once.
using ResidualFunction = std::function<bool(const std::vector<double>& x, std::vector<double>& residuals)>;

enum class Differences { central, forward };

struct LmSettings {
    int max_iterations = 200;
    double objective_tolerance = 1e-10;  // stop when actual and predicted relative decrease fall below
    double step_tolerance = 1e-10;       // stop when |dx| <= tol * (|x| + tol)
    double gradient_tolerance = 1e-12;   // stop when max |J^T r| over free coordinates <= tol * (1 + |r|^2)
    Differences differences = Differences::central;
    double difference_step = 1e-5;  // step of x_j: difference_step * max(1, |x_j|)
};

enum class LmStatus { objective_converged, step_converged, gradient_converged, no_progress, max_iterations, failed };
std::string to_string(LmStatus status);
bool converged(LmStatus status);

struct LmResult {
    std::vector<double> x;
    std::vector<double> residuals;
    std::vector<double> jacobian;  // row-major, residuals x parameters, at x; columns of held coordinates are 0
    double sum_of_squares = 0.0;
    int iterations = 0;
    long evaluations = 0;
    LmStatus status = LmStatus::failed;
};

// Minimizes sum_i r_i(x)^2 over lower <= x <= upper from `start` (clipped into the box).
// held[j] true keeps x_j at its start value (profile likelihoods).
LmResult levenberg_marquardt(const ResidualFunction& f, std::vector<double> start, const std::vector<double>& lower,
                             const std::vector<double>& upper, const LmSettings& settings,
                             const std::vector<bool>& held = {});

// Jacobian of f at x (row-major m x n, m = r.size()) by finite differences; one-sided inward at the bounds.
// Columns with held[j] are left 0. Returns false if any evaluation fails.
bool finite_difference_jacobian(const ResidualFunction& f, const std::vector<double>& x, const std::vector<double>& r,
                                const std::vector<double>& lower, const std::vector<double>& upper,
                                const LmSettings& settings, const std::vector<bool>& held, std::vector<double>& jacobian,
                                long& evaluations);

// `count` points of a Latin hypercube in the box, each coordinate stratified into `count` bins;
// deterministic for a seed on every platform (own uniform generator on top of mt19937_64).
std::vector<std::vector<double>> latin_hypercube(int count, const std::vector<double>& lower,
                                                 const std::vector<double>& upper, std::uint64_t seed);

// log Phi(z), the log of the standard normal CDF, accurate far into the lower tail.
double log_normal_cdf(double z);

}  // namespace mobsim
