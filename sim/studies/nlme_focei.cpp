// FOCEI outer problem: quasi-Newton (BFGS) on the unconstrained estimation vector with central-difference
// gradients of the OFV (each evaluation re-solves every subject's inner problem from the current EBEs, as NONMEM
// does), then the covariance step: R (finite-difference Hessian of the OFV) and S (sum over subjects of the outer
// products of their OFV gradients), covariance R^-1 S R^-1 (NONMEM's default sandwich), delta method to the
// reported scale.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "sim/studies/nlme_focei.hpp"
#include "sim/numerics/small_linear_algebra.hpp"

namespace mobsim::nlme {

namespace {

constexpr double kGradientStep = 1e-4;  // on the unconstrained (mostly log) scale
constexpr double kHessianStep = 2e-3;

using Etas = std::vector<std::vector<double>>;

struct Evaluator {
    const FoceiProblem& problem;
    int threads;
    long evaluations = 0;
    double operator()(const std::vector<double>& x, const Etas& etas, std::vector<FoceiProblem::SubjectFit>& fits) {
        ++evaluations;
        return problem.objective(x, etas, threads, fits);
    }
};

Etas etas_of(const std::vector<FoceiProblem::SubjectFit>& fits) {
    Etas out;
    for (const auto& f : fits) out.push_back(f.eta);
    return out;
}

// Central-difference gradient of the OFV; per_subject (optional) receives each subject's gradient (n_subjects x n).
bool gradient(Evaluator& evaluate, const std::vector<double>& x, const Etas& etas, double step,
              std::vector<double>& g, std::vector<double>* per_subject) {
    const std::size_t n = x.size(), subjects = etas.size();
    g.assign(n, 0.0);
    if (per_subject) per_subject->assign(subjects * n, 0.0);
    std::vector<FoceiProblem::SubjectFit> up, down;
    for (std::size_t j = 0; j < n; ++j) {
        std::vector<double> xp(x), xm(x);
        xp[j] += step;
        xm[j] -= step;
        const double fp = evaluate(xp, etas, up), fm = evaluate(xm, etas, down);
        if (!std::isfinite(fp) || !std::isfinite(fm)) return false;
        g[j] = (fp - fm) / (2.0 * step);
        if (per_subject)
            for (std::size_t i = 0; i < subjects; ++i) (*per_subject)[i * n + j] = (up[i].ofv - down[i].ofv) / (2.0 * step);
    }
    return true;
}

double max_abs(const std::vector<double>& v) {
    double m = 0.0;
    for (double e : v) m = std::max(m, std::abs(e));
    return m;
}

std::string format(double v) {
    std::ostringstream out;
    out.precision(8);
    out << v;
    return out.str();
}

// R: finite-difference Hessian of the OFV at x.
bool hessian(Evaluator& evaluate, const std::vector<double>& x, const Etas& etas, double f0, std::vector<double>& r) {
    const std::size_t n = x.size();
    const double h = kHessianStep;
    r.assign(n * n, 0.0);
    std::vector<FoceiProblem::SubjectFit> fits;
    auto at = [&](std::size_t j, double dj, std::size_t k, double dk) {
        std::vector<double> y(x);
        y[j] += dj;
        y[k] += dk;
        return evaluate(y, etas, fits);
    };
    for (std::size_t j = 0; j < n; ++j) {
        r[j * n + j] = (at(j, h, j, 0.0) - 2.0 * f0 + at(j, -h, j, 0.0)) / (h * h);
        for (std::size_t k = 0; k < j; ++k) {
            const double v = (at(j, h, k, h) - at(j, h, k, -h) - at(j, -h, k, h) + at(j, -h, k, -h)) / (4.0 * h * h);
            r[j * n + k] = r[k * n + j] = v;
        }
    }
    for (double v : r)
        if (!std::isfinite(v)) return false;
    return true;
}

std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, int n) {
    std::vector<double> c(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < n; ++k)
            for (int j = 0; j < n; ++j) c[i * n + j] += a[i * n + k] * b[k * n + j];
    return c;
}

double correlation_condition_number(const std::vector<double>& cov, int n) {
    std::vector<double> cor(cov);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) cor[i * n + j] = cov[i * n + j] / std::sqrt(cov[i * n + i] * cov[j * n + j]);
    const SymmetricEigen e = symmetric_eigen(cor, n);
    return e.values.back() / e.values.front();
}

void covariance_step(const FoceiProblem& problem, Evaluator& evaluate, const Etas& etas, NlmeResult& result) {
    const int n = static_cast<int>(result.x.size());
    const int subjects = static_cast<int>(etas.size());
    std::vector<double> g, per_subject, r;
    std::vector<FoceiProblem::SubjectFit> fits;
    const double f0 = evaluate(result.x, etas, fits);
    if (!gradient(evaluate, result.x, etas, kGradientStep, g, &per_subject) || !hessian(evaluate, result.x, etas, f0, r)) {
        result.warnings.push_back("covariance step failed: the objective could not be evaluated near the estimate");
        return;
    }
    const SymmetricEigen eigen_r = symmetric_eigen(r, n);
    if (!(eigen_r.values.front() > 1e-10 * eigen_r.values.back())) {
        result.warnings.push_back("covariance step failed: R matrix not positive definite (smallest eigenvalue " +
                                  format(eigen_r.values.front()) + ", largest " + format(eigen_r.values.back()) +
                                  "): some parameters are not identifiable from these data");
        result.condition_number = std::abs(eigen_r.values.back() / eigen_r.values.front());
        return;
    }
    const SymmetricInverse r_inverse = symmetric_inverse(r, n);
    std::vector<double> s(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < subjects; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k) s[j * n + k] += per_subject[i * n + j] * per_subject[i * n + k];
    result.covariance_x = multiply(multiply(r_inverse.inverse, s, n), r_inverse.inverse, n);
    result.covariance_ok = true;
    result.condition_number = correlation_condition_number(result.covariance_x, n);
    // delta method: J = d reported / d x by central differences of the (cheap) transformation
    std::vector<double> jac(static_cast<std::size_t>(n) * n);
    for (int k = 0; k < n; ++k) {
        std::vector<double> xp(result.x), xm(result.x);
        xp[k] += 1e-6;
        xm[k] -= 1e-6;
        const std::vector<double> rp = problem.reported(xp), rm = problem.reported(xm);
        for (int j = 0; j < n; ++j) jac[j * n + k] = (rp[j] - rm[j]) / 2e-6;
    }
    auto standard_errors = [&](const std::vector<double>& cov) {
        std::vector<double> se(n);
        for (int j = 0; j < n; ++j) {
            double v = 0.0;
            for (int a = 0; a < n; ++a)
                for (int b = 0; b < n; ++b) v += jac[j * n + a] * cov[a * n + b] * jac[j * n + b];
            se[j] = std::sqrt(v);
        }
        return se;
    };
    result.se = standard_errors(result.covariance_x);
    std::vector<double> r_based(r_inverse.inverse);
    for (double& v : r_based) v *= 2.0;  // the inverse of the observed information, (R / 2)^-1
    result.se_r = standard_errors(r_based);
    for (int j = 0; j < n; ++j) result.rse_percent[j] = 100.0 * result.se[j] / std::abs(result.estimate[j]);
    result.small_sample_factor = subjects > n ? std::sqrt(static_cast<double>(subjects) / (subjects - n))
                                              : std::numeric_limits<double>::quiet_NaN();
    for (int j = 0; j < n; ++j) {
        const double e = result.estimate[j], half = 1.96 * result.small_sample_factor * result.se[j];
        const bool log_scale = problem.layout().log_scale(j) && e > 0.0;
        result.ci_lower[j] = log_scale ? e * std::exp(-half / e) : e - half;
        result.ci_upper[j] = log_scale ? e * std::exp(half / e) : e + half;
    }
    if (result.condition_number > 1e6)
        result.warnings.push_back("ill-conditioned covariance (condition number " + format(result.condition_number) +
                                  " of the correlation matrix)");
}

void check_omega_boundaries(const FoceiProblem& problem, NlmeResult& result) {
    const ParameterLayout& layout = problem.layout();
    const int offset = layout.thetas + layout.betas;
    for (int i = 0; i < layout.omega; ++i) {
        const auto [r, c] = layout.omega_elements[i];
        if (r != c) continue;
        const double variance = result.estimate[offset + i];
        if (variance < 1e-4)
            result.warnings.push_back(layout.names[offset + i] + " is at its boundary (variance " + format(variance) +
                                      "): this random effect is not identifiable from these data");
    }
}

}  // namespace

NlmeResult fit_focei(const FoceiProblem& problem, const NlmeOptions& options, const NlmeProgress& progress) {
    const auto started = std::chrono::steady_clock::now();
    Evaluator evaluate{problem, std::max(1, options.threads)};
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    const int subjects = static_cast<int>(problem.population().subjects.size());
    NlmeResult result;
    result.names = problem.layout().names;
    std::vector<double> x = problem.start();
    const int n = static_cast<int>(x.size());
    Etas etas(subjects, std::vector<double>(q, 0.0));
    std::vector<FoceiProblem::SubjectFit> fits;
    double f = evaluate(x, etas, fits);
    if (!std::isfinite(f)) {
        int failing = 0;
        while (failing + 1 < subjects && std::isfinite(fits[failing].ofv)) ++failing;
        result.status = "the objective cannot be computed at the initial estimates (subject " +
                        problem.population().subjects[failing].id +
                        ": a residual variance is 0 or a prediction is not finite; a proportional error needs an "
                        "additive part where predictions are 0, e.g. at the time of an oral dose)";
        result.x = x;
        result.ofv = f;
        result.eta = etas;
        result.estimate = problem.reported(x);
        result.se.assign(n, std::numeric_limits<double>::quiet_NaN());
        result.rse_percent = result.se_r = result.ci_lower = result.ci_upper = result.se;
        result.evaluations = evaluate.evaluations;
        return result;
    }
    etas = etas_of(fits);
    std::vector<double> g, inverse_hessian(static_cast<std::size_t>(n) * n, 0.0);
    bool ok = gradient(evaluate, x, etas, kGradientStep, g, nullptr);
    const double initial_scale = 0.1 / std::max(1.0, max_abs(g));
    for (int j = 0; j < n; ++j) inverse_hessian[j * n + j] = initial_scale;
    result.status = "iteration limit";
    if (options.max_iterations == 0) {  // NONMEM's MAXEVAL=0: the OFV, EBEs and diagnostics at the initial estimates
        result.status = "evaluated at the initial estimates";
        result.converged = true;
        ok = false;
    }
    int flat_iterations = 0;
    while (ok && result.iterations < options.max_iterations) {
        if (max_abs(g) <= options.gradient_tolerance) {
            result.converged = true;
            result.status = "converged (gradient)";
            break;
        }
        ++result.iterations;
        std::vector<double> d(n, 0.0);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) d[i] -= inverse_hessian[i * n + j] * g[j];
        double slope = 0.0;
        for (int i = 0; i < n; ++i) slope += g[i] * d[i];
        if (slope >= 0.0) {  // not a descent direction: restart from steepest descent
            std::fill(inverse_hessian.begin(), inverse_hessian.end(), 0.0);
            for (int j = 0; j < n; ++j) inverse_hessian[j * n + j] = initial_scale, d[j] = -initial_scale * g[j];
            slope = 0.0;
            for (int i = 0; i < n; ++i) slope += g[i] * d[i];
        }
        const double longest = max_abs(d);
        if (longest > 1.0) {  // at most a factor e per step on the log scale
            for (double& v : d) v /= longest;
            slope /= longest;
        }
        double t = 1.0, f_new = f;
        std::vector<double> x_new;
        std::vector<FoceiProblem::SubjectFit> fits_new;
        bool accepted = false;
        for (int halving = 0; halving < 30 && !accepted; ++halving, t *= 0.5) {
            x_new = x;
            for (int i = 0; i < n; ++i) x_new[i] += t * d[i];
            f_new = evaluate(x_new, etas, fits_new);
            accepted = std::isfinite(f_new) && f_new <= f + 1e-4 * t * slope;
            if (accepted) break;
        }
        if (!accepted) {
            result.converged = max_abs(g) <= 100.0 * options.gradient_tolerance;
            result.status = result.converged ? "converged (no further decrease)" : "no further decrease";
            break;
        }
        std::vector<double> s(n), g_new;
        int moved = 0;
        for (int i = 0; i < n; ++i) {
            s[i] = x_new[i] - x[i];
            if (std::abs(s[i]) > std::abs(s[moved])) moved = i;
        }
        result.last_moved = result.names[moved];
        const Etas etas_new = etas_of(fits_new);
        if (!gradient(evaluate, x_new, etas_new, kGradientStep, g_new, nullptr)) {
            result.status = "the objective cannot be computed near the current estimates";
            break;
        }
        std::vector<double> y(n);
        double sy = 0.0, yy = 0.0;
        for (int i = 0; i < n; ++i) y[i] = g_new[i] - g[i], sy += s[i] * y[i], yy += y[i] * y[i];
        if (sy > 1e-12 * std::sqrt(yy) * max_abs(s)) {
            if (result.iterations == 1)  // Shanno-Phua scaling of the first update
                for (int j = 0; j < n; ++j)
                    for (int k = 0; k < n; ++k) inverse_hessian[j * n + k] = j == k ? sy / yy : 0.0;
            std::vector<double> hy(n, 0.0);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) hy[i] += inverse_hessian[i * n + j] * y[j];
            double yhy = 0.0;
            for (int i = 0; i < n; ++i) yhy += y[i] * hy[i];
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    inverse_hessian[i * n + j] += ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
        }
        flat_iterations = f - f_new < 1e-7 * (1.0 + std::abs(f)) ? flat_iterations + 1 : 0;
        x = x_new;
        f = f_new;
        g = g_new;
        etas = etas_new;
        if (progress) progress(result.iterations, f);
        if (flat_iterations >= 3 && max_abs(g) <= 100.0 * options.gradient_tolerance) {
            result.converged = true;
            result.status = "converged (objective)";
            break;
        }
    }
    if (!ok && options.max_iterations > 0) result.status = "the objective cannot be computed near the initial estimates";
    result.x = x;
    result.ofv = f;
    result.neg2_log_likelihood = f + problem.observation_count() * std::log(2.0 * M_PI);
    result.eta = etas;
    result.estimate = problem.reported(x);
    result.se.assign(n, std::numeric_limits<double>::quiet_NaN());
    result.rse_percent = result.se_r = result.ci_lower = result.ci_upper = result.se;
    check_omega_boundaries(problem, result);
    if (options.covariance && result.converged && options.max_iterations > 0) covariance_step(problem, evaluate, etas, result);
    result.evaluations = evaluate.evaluations;
    if (options.diagnostics) add_diagnostics(problem, options, result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace mobsim::nlme
