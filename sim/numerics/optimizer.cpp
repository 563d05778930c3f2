#include "sim/numerics/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "sim/numerics/small_linear_algebra.hpp"

namespace mobsim {

std::string to_string(LmStatus status) {
    switch (status) {
        case LmStatus::objective_converged: return "converged (objective)";
        case LmStatus::step_converged: return "converged (step)";
        case LmStatus::gradient_converged: return "converged (gradient)";
        case LmStatus::no_progress: return "no further decrease";
        case LmStatus::max_iterations: return "iteration limit";
        case LmStatus::failed: return "failed (objective not computable)";
    }
    return "unknown";
}

bool converged(LmStatus status) {
    return status == LmStatus::objective_converged || status == LmStatus::step_converged ||
           status == LmStatus::gradient_converged || status == LmStatus::no_progress;
}

namespace {

double sum_of_squares(const std::vector<double>& r) {
    double s = 0.0;
    for (double v : r) s += v * v;
    return s;
}

bool all_finite(const std::vector<double>& r) {
    return std::all_of(r.begin(), r.end(), [](double v) { return std::isfinite(v); });
}

bool evaluate(const ResidualFunction& f, const std::vector<double>& x, std::vector<double>& r, long& evaluations) {
    ++evaluations;
    return f(x, r) && all_finite(r);
}

double norm(const std::vector<double>& v) { return std::sqrt(sum_of_squares(v)); }

}  // namespace

bool finite_difference_jacobian(const ResidualFunction& f, const std::vector<double>& x, const std::vector<double>& r,
                                const std::vector<double>& lower, const std::vector<double>& upper,
                                const LmSettings& settings, const std::vector<bool>& held, std::vector<double>& jacobian,
                                long& evaluations) {
    const std::size_t m = r.size(), n = x.size();
    jacobian.assign(m * n, 0.0);
    std::vector<double> xp = x, rp(m), rm(m);
    for (std::size_t j = 0; j < n; ++j) {
        if (!held.empty() && held[j]) continue;
        const double h = settings.difference_step * std::max(1.0, std::abs(x[j]));
        const bool room_up = x[j] + h <= upper[j], room_down = x[j] - h >= lower[j];
        if (settings.differences == Differences::central && room_up && room_down) {
            xp[j] = x[j] + h;
            if (!evaluate(f, xp, rp, evaluations)) return false;
            xp[j] = x[j] - h;
            if (!evaluate(f, xp, rm, evaluations)) return false;
            for (std::size_t i = 0; i < m; ++i) jacobian[i * n + j] = (rp[i] - rm[i]) / (2.0 * h);
        } else {
            const double step = room_up ? h : -h;
            xp[j] = x[j] + step;
            if (!evaluate(f, xp, rp, evaluations)) return false;
            for (std::size_t i = 0; i < m; ++i) jacobian[i * n + j] = (rp[i] - r[i]) / step;
        }
        xp[j] = x[j];
    }
    return true;
}

LmResult levenberg_marquardt(const ResidualFunction& f, std::vector<double> start, const std::vector<double>& lower,
                             const std::vector<double>& upper, const LmSettings& settings,
                             const std::vector<bool>& held) {
    const std::size_t n = start.size();
    LmResult out;
    for (std::size_t j = 0; j < n; ++j) start[j] = std::clamp(start[j], lower[j], upper[j]);
    out.x = start;
    if (!evaluate(f, out.x, out.residuals, out.evaluations)) return out;  // status failed
    out.sum_of_squares = sum_of_squares(out.residuals);
    const std::size_t m = out.residuals.size();
    if (!finite_difference_jacobian(f, out.x, out.residuals, lower, upper, settings, held, out.jacobian,
                                    out.evaluations))
        return out;

    double mu = -1.0, nu = 2.0;
    std::vector<double> trial_r;
    out.status = LmStatus::max_iterations;
    while (out.iterations < settings.max_iterations) {
        ++out.iterations;
        std::vector<double> g(n, 0.0), a(n * n, 0.0);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const double jij = out.jacobian[i * n + j];
                if (jij == 0.0) continue;
                g[j] += jij * out.residuals[i];
                for (std::size_t k = 0; k < n; ++k) a[j * n + k] += jij * out.jacobian[i * n + k];
            }
        std::vector<std::size_t> free;
        double gradient_max = 0.0, diagonal_max = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            if (!held.empty() && held[j]) continue;
            if (out.x[j] <= lower[j] && g[j] > 0.0) continue;  // descent would leave the box
            if (out.x[j] >= upper[j] && g[j] < 0.0) continue;
            free.push_back(j);
            gradient_max = std::max(gradient_max, std::abs(g[j]));
            diagonal_max = std::max(diagonal_max, a[j * n + j]);
        }
        if (free.empty() || gradient_max <= settings.gradient_tolerance * (1.0 + out.sum_of_squares)) {
            out.status = LmStatus::gradient_converged;
            return out;
        }
        if (mu < 0.0) mu = 1e-3 * std::max(diagonal_max, 1e-300);
        const std::size_t nf = free.size();
        bool accepted = false;
        while (!accepted) {
            std::vector<double> af(nf * nf), step(nf);
            for (std::size_t p = 0; p < nf; ++p) {
                for (std::size_t q = 0; q < nf; ++q) af[p * nf + q] = a[free[p] * n + free[q]];
                const double scale = std::max(a[free[p] * n + free[p]], 1e-12 * diagonal_max + 1e-300);
                af[p * nf + p] += mu * scale;
                step[p] = -g[free[p]];
            }
            std::vector<double> trial = out.x;
            if (cholesky_solve(af, static_cast<int>(nf), step))
                for (std::size_t p = 0; p < nf; ++p)
                    trial[free[p]] = std::clamp(out.x[free[p]] + step[p], lower[free[p]], upper[free[p]]);
            std::vector<double> dx(n);
            for (std::size_t j = 0; j < n; ++j) dx[j] = trial[j] - out.x[j];
            if (norm(dx) <= settings.step_tolerance * (norm(out.x) + settings.step_tolerance)) {
                out.status = LmStatus::step_converged;
                return out;
            }
            double predicted = 0.0;  // decrease of the quadratic model: -(2 g.dx + dx' A dx)
            for (std::size_t j = 0; j < n; ++j) {
                predicted -= 2.0 * g[j] * dx[j];
                for (std::size_t k = 0; k < n; ++k) predicted -= dx[j] * a[j * n + k] * dx[k];
            }
            const bool ok = evaluate(f, trial, trial_r, out.evaluations);
            const double trial_ss = ok ? sum_of_squares(trial_r) : std::numeric_limits<double>::infinity();
            if (ok && trial_ss < out.sum_of_squares) {
                const double actual = out.sum_of_squares - trial_ss;
                const double rho = predicted > 0.0 ? actual / predicted : 1.0;
                mu *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
                nu = 2.0;
                const double before = out.sum_of_squares;
                out.x = trial;
                out.residuals = trial_r;
                out.sum_of_squares = trial_ss;
                if (!finite_difference_jacobian(f, out.x, out.residuals, lower, upper, settings, held, out.jacobian,
                                                out.evaluations)) {
                    out.status = LmStatus::failed;
                    return out;
                }
                if (actual <= settings.objective_tolerance * before &&
                    std::abs(predicted) <= settings.objective_tolerance * before) {
                    out.status = LmStatus::objective_converged;
                    return out;
                }
                accepted = true;
            } else {
                mu *= nu;
                nu *= 2.0;
                if (!(mu < 1e30)) {
                    out.status = LmStatus::no_progress;
                    return out;
                }
            }
        }
    }
    return out;
}

std::vector<std::vector<double>> latin_hypercube(int count, const std::vector<double>& lower,
                                                 const std::vector<double>& upper, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    auto uniform = [&engine] { return static_cast<double>(engine() >> 11) * 0x1.0p-53; };
    const std::size_t n = lower.size();
    std::vector<std::vector<double>> points(count, std::vector<double>(n));
    for (std::size_t j = 0; j < n; ++j) {
        std::vector<int> bins(count);
        for (int i = 0; i < count; ++i) bins[i] = i;
        for (int i = count - 1; i > 0; --i) {  // Fisher-Yates with the portable generator
            const int k = static_cast<int>(uniform() * (i + 1));
            std::swap(bins[i], bins[std::min(k, i)]);
        }
        for (int i = 0; i < count; ++i)
            points[i][j] = lower[j] + (upper[j] - lower[j]) * (bins[i] + uniform()) / count;
    }
    return points;
}

double log_normal_cdf(double z) {
    if (z > -30.0) return std::log(0.5 * std::erfc(-z / std::sqrt(2.0)));
    // Asymptotic series of Mills' ratio: Phi(z) ~ phi(z)/|z| (1 - 1/z^2 + 3/z^4 - 15/z^6)
    const double z2 = z * z;
    return -0.5 * z2 - std::log(-z) - 0.91893853320467274178 + std::log1p(-1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2));
}

}  // namespace mobsim
