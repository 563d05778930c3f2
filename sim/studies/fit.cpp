// Multi-start fitting, Fisher-information statistics and profile likelihoods.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>

#include "sim/studies/fit.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/numerics/small_linear_algebra.hpp"

namespace mobsim {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

ResidualFunction residual_function(const FitObjective& objective, int threads = 1) {
    return [&objective, threads](const std::vector<double>& x, std::vector<double>& r) {
        return objective.residuals(x, r, threads);
    };
}

double objective_at(const FitObjective& objective, const std::vector<double>& x, int threads = 1) {
    Evaluation e;
    if (!objective.evaluate(x, e, threads)) return kInfinity;
    return objective.neg2_log_likelihood(x, e);
}

// A start's outcome as bytes, for the ranks that did not compute it.
std::string packed(const StartOutcome& o) {
    std::string bytes;
    pack(bytes, o.start);
    pack(bytes, o.lm.x);
    pack(bytes, o.lm.residuals);
    pack(bytes, o.lm.jacobian);
    pack(bytes, o.lm.sum_of_squares);
    pack(bytes, o.lm.iterations);
    pack(bytes, o.lm.evaluations);
    pack(bytes, o.lm.status);
    pack(bytes, o.objective);
    return bytes;
}

StartOutcome unpacked_start(const std::string& bytes) {
    StartOutcome o;
    ByteReader in(bytes);
    in.read(o.start);
    in.read(o.lm.x);
    in.read(o.lm.residuals);
    in.read(o.lm.jacobian);
    in.read(o.lm.sum_of_squares);
    in.read(o.lm.iterations);
    in.read(o.lm.evaluations);
    in.read(o.lm.status);
    in.read(o.objective);
    return o;
}

double derivative_of_natural(ParameterScale scale, double natural) {
    switch (scale) {
        case ParameterScale::lin: return 1.0;
        case ParameterScale::log: return natural;
        case ParameterScale::log10: return natural * std::log(10.0);
    }
    return 1.0;
}

}  // namespace

std::vector<double> fisher_information(const FitObjective& objective, const std::vector<double>& x, int threads) {
    const std::size_t n = x.size(), rows = objective.spec().data.size();
    // One vector holding h(prediction), sigma and the residuals, differentiated together.
    ResidualFunction stacked = [&](const std::vector<double>& at, std::vector<double>& out) {
        Evaluation e;
        if (!objective.evaluate(at, e, threads)) return false;
        out.clear();
        for (std::size_t row = 0; row < rows; ++row) out.push_back(objective.transformed(row, e.prediction[row]));
        out.insert(out.end(), e.sigma.begin(), e.sigma.end());
        std::vector<double> r;
        objective.residuals_of(at, e, r);
        out.insert(out.end(), r.begin(), r.end());
        return true;
    };
    std::vector<double> value, jacobian;
    if (!stacked(x, value)) return std::vector<double>(n * n, 0.0);
    Evaluation e;
    objective.evaluate(x, e, threads);
    long evaluations = 0;
    if (!finite_difference_jacobian(stacked, x, value, objective.lower(), objective.upper(), objective.spec().options.lm,
                                    {}, jacobian, evaluations))
        return std::vector<double>(n * n, 0.0);
    const std::size_t m = value.size();
    std::vector<double> info(n * n, 0.0);
    auto add_outer = [&](std::size_t i, double weight) {
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = 0; k < n; ++k) info[j * n + k] += weight * jacobian[i * n + j] * jacobian[i * n + k];
    };
    for (std::size_t row = 0; row < rows; ++row) {
        const double s2 = e.sigma[row] * e.sigma[row];
        if (objective.spec().data[row].censored) {
            add_outer(2 * rows + row, 1.0);  // its M3 residual
        } else {
            add_outer(row, 1.0 / s2);
            add_outer(rows + row, 2.0 / s2);
        }
    }
    // Prior residuals are the last ones of the residual vector; log-sigma residuals are covered above.
    std::size_t priors = 0;
    for (int i : objective.free())
        if (objective.spec().parameters[i].prior.kind != Prior::Kind::none) ++priors;
    for (std::size_t p = 0; p < priors; ++p) add_outer(m - priors + p, 1.0);
    return info;
}

FitResult fit(const FitObjective& objective, const FitProgress& progress) {
    const auto clock_start = std::chrono::steady_clock::now();
    const FitOptions& options = objective.spec().options;
    const std::vector<double> lower = objective.lower(), upper = objective.upper();
    std::vector<std::vector<double>> starts = {objective.start()};
    if (options.starts > 1) {
        const auto design = latin_hypercube(options.starts - 1, lower, upper, options.seed);
        starts.insert(starts.end(), design.begin(), design.end());
    }
    FitResult result;
    result.starts.resize(starts.size());
    std::mutex mutex;
    int finished = 0;
    double best_so_far = kInfinity;
    // Starts on rank i mod ranks; every rank gets every outcome and picks the best in start order. A cohort
    // objective simulates its patients on every thread and runs the starts in turn: one start uses every core, and
    // the slowest start does not set the time alone.
    const int threads = options.threads > 0 ? options.threads : default_thread_count();
    const int within = objective.simulates_cohort() ? threads : 1;
    const ResidualFunction f = residual_function(objective, within);
    distributed::for_each_across_ranks(static_cast<int>(starts.size()), within > 1 ? 1 : threads, [&](int i) {
        StartOutcome& outcome = result.starts[i];
        outcome.start = starts[i];
        outcome.lm = levenberg_marquardt(f, starts[i], lower, upper, options.lm);
        outcome.objective =
                outcome.lm.status == LmStatus::failed ? kInfinity : objective_at(objective, outcome.lm.x, within);
        std::lock_guard<std::mutex> lock(mutex);
        ++finished;
        best_so_far = std::min(best_so_far, outcome.objective);
        if (progress && distributed::is_root()) progress(finished, static_cast<int>(starts.size()), best_so_far);
    }, [&](int i) { return packed(result.starts[i]); },
       [&](int i, const std::string& bytes) { result.starts[i] = unpacked_start(bytes); });
    for (std::size_t i = 0; i < result.starts.size(); ++i)
        if (std::isfinite(result.starts[i].objective) &&
            (result.best < 0 || result.starts[i].objective < result.starts[result.best].objective))
            result.best = static_cast<int>(i);
    if (result.best < 0) {
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
        return result;
    }
    result.x = result.starts[result.best].lm.x;
    result.natural = objective.natural(result.x);
    objective.evaluate(result.x, result.evaluation, threads);
    result.objective = result.starts[result.best].objective;

    const std::size_t n = result.x.size();
    const SymmetricInverse covariance =
            symmetric_inverse(fisher_information(objective, result.x, threads), static_cast<int>(n));
    result.fisher_rank = covariance.rank;
    result.correlation.assign(n * n, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t j = 0; j < n; ++j) {
        const FitParameter& p = objective.spec().parameters[objective.free()[j]];
        const double variance = covariance.inverse[j * n + j];
        const double se = covariance.singular[j] || !(variance >= 0.0) ? kInfinity : std::sqrt(variance);
        result.se_scaled.push_back(se);
        const double value = result.natural[objective.free()[j]];
        result.se_natural.push_back(se * derivative_of_natural(p.scale, value));
        result.ci_lower.push_back(std::isfinite(se) ? from_scale(p.scale, result.x[j] - 1.959963984540054 * se) : -kInfinity);
        result.ci_upper.push_back(std::isfinite(se) ? from_scale(p.scale, result.x[j] + 1.959963984540054 * se) : kInfinity);
        if (!std::isfinite(se) && p.scale != ParameterScale::lin) result.ci_lower.back() = 0.0;
    }
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < n; ++k)
            if (std::isfinite(result.se_scaled[j]) && std::isfinite(result.se_scaled[k]) && result.se_scaled[j] > 0 &&
                result.se_scaled[k] > 0)
                result.correlation[j * n + k] =
                    j == k ? 1.0 : covariance.inverse[j * n + k] / (result.se_scaled[j] * result.se_scaled[k]);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
    return result;
}

namespace {

struct Side {
    std::vector<ProfilePoint> points;  // outward order
    std::optional<double> crossing;    // natural scale
    bool at_bound = false;
};

Side profile_side(const FitObjective& objective, const FitResult& optimum, std::size_t j, int direction,
                  const ProfileSettings& settings) {
    const std::vector<double> lower = objective.lower(), upper = objective.upper();
    const FitParameter& p = objective.spec().parameters[objective.free()[j]];
    const double range = upper[j] - lower[j];
    const double se = optimum.se_scaled[j];
    double step = std::isfinite(se) ? std::clamp(0.5 * se, 1e-3 * range, 0.1 * range) : 0.05 * range;
    const double bound = direction > 0 ? upper[j] : lower[j];
    std::vector<bool> held(optimum.x.size(), false);
    held[j] = true;
    const ResidualFunction f = residual_function(objective);

    Side side;
    std::vector<double> x = optimum.x;
    double previous_value = optimum.x[j], previous_delta = 0.0;
    for (int k = 0; k < settings.max_points_per_side; ++k) {
        if (previous_value == bound) {
            side.at_bound = true;
            break;
        }
        double value = previous_value + direction * step;
        value = direction > 0 ? std::min(value, bound) : std::max(value, bound);
        x[j] = value;
        const LmResult lm = levenberg_marquardt(f, x, lower, upper, objective.spec().options.lm, held);
        const double obj = lm.status == LmStatus::failed ? kInfinity : objective_at(objective, lm.x);
        if (lm.status != LmStatus::failed) x = lm.x;
        x[j] = value;
        side.points.push_back({from_scale(p.scale, value), obj, converged(lm.status)});
        const double delta = obj - optimum.objective;
        if (delta > settings.threshold) {
            const double t = std::isfinite(delta) ? (settings.threshold - previous_delta) / (delta - previous_delta) : 0.5;
            side.crossing = from_scale(p.scale, previous_value + t * (value - previous_value));
            break;
        }
        const double rise = delta - previous_delta;
        if (rise < 0.5) step = std::min(2.0 * step, 0.25 * range);
        else if (rise > 2.0) step *= 0.5;
        previous_value = value;
        previous_delta = std::max(delta, 0.0);
    }
    if (!side.crossing && previous_value == bound) side.at_bound = true;
    return side;
}

std::string packed(const Side& side) {
    std::string bytes;
    pack<std::uint64_t>(bytes, side.points.size());
    for (const ProfilePoint& p : side.points) {
        pack(bytes, p.value);
        pack(bytes, p.objective);
        pack(bytes, p.converged);
    }
    pack(bytes, side.crossing.has_value());
    pack(bytes, side.crossing.value_or(0.0));
    pack(bytes, side.at_bound);
    return bytes;
}

Side unpacked_side(const std::string& bytes) {
    Side side;
    ByteReader in(bytes);
    side.points.resize(in.take<std::uint64_t>());
    for (ProfilePoint& p : side.points) {
        in.read(p.value);
        in.read(p.objective);
        in.read(p.converged);
    }
    const bool crossed = in.take<bool>();
    const double crossing = in.take<double>();
    if (crossed) side.crossing = crossing;
    in.read(side.at_bound);
    return side;
}

}  // namespace

std::vector<Profile> profile(const FitObjective& objective, const FitResult& optimum, const ProfileSettings& settings,
                             const ProfileProgress& progress) {
    const std::size_t n = optimum.x.size();
    std::vector<Side> sides(2 * n);
    std::mutex mutex;
    int finished = 0;
    const int threads = objective.spec().options.threads;
    // Sides on rank task mod ranks; every rank gets every side.
    distributed::for_each_across_ranks(static_cast<int>(2 * n), threads > 0 ? threads : default_thread_count(), [&](int task) {
        sides[task] = profile_side(objective, optimum, static_cast<std::size_t>(task / 2), task % 2 ? 1 : -1, settings);
        std::lock_guard<std::mutex> lock(mutex);
        ++finished;
        if (progress && distributed::is_root()) progress(finished, static_cast<int>(2 * n));
    }, [&](int task) { return packed(sides[task]); },
       [&](int task, const std::string& bytes) { sides[task] = unpacked_side(bytes); });
    std::vector<Profile> out;
    for (std::size_t j = 0; j < n; ++j) {
        Profile pr;
        const int index = objective.free()[j];
        pr.parameter = objective.spec().parameters[index].id;
        const Side& down = sides[2 * j];
        const Side& up = sides[2 * j + 1];
        for (auto it = down.points.rbegin(); it != down.points.rend(); ++it) pr.points.push_back(*it);
        pr.points.push_back({optimum.natural[index], optimum.objective, true});
        pr.points.insert(pr.points.end(), up.points.begin(), up.points.end());
        pr.lower = down.crossing;
        pr.upper = up.crossing;
        pr.lower_at_bound = down.at_bound;
        pr.upper_at_bound = up.at_bound;
        out.push_back(pr);
    }
    return out;
}

}  // namespace mobsim
