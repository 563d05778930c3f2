// Stochastic simulation and re-estimation of a FOCEI model (see nlme_focei.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "sim/studies/nlme_focei.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::nlme {

namespace {

// Whether the 95% interval (Wald on the natural or on the log scale) holds the truth.
bool covers(double estimate, double se, double truth, bool log_scale) {
    if (log_scale && estimate > 0.0 && truth > 0.0)
        return std::abs(std::log(estimate) - std::log(truth)) <= 1.96 * se / estimate;
    return std::abs(estimate - truth) <= 1.96 * se;
}

}  // namespace

SseSummary simulate_reestimate(const FoceiProblem& problem, const std::vector<double>& x_truth, int replicates,
                               std::uint64_t seed, int threads) {
    const auto started = std::chrono::steady_clock::now();
    SseSummary out;
    out.names = problem.layout().names;
    out.truth = problem.reported(x_truth);
    out.replicates = replicates;
    std::vector<NlmeResult>& results = out.fits;
    results.resize(replicates);
    parallel_for(replicates, threads, [&](int r) {
        const Population data = simulate_population(problem, x_truth, seed, static_cast<std::uint64_t>(r));
        const FoceiProblem replicate(problem.model(), data, problem.spec());
        NlmeOptions options;
        options.diagnostics = false;
        options.threads = std::max(1, threads / replicates);  // threads left over go to the subjects
        results[r] = fit_focei(replicate, options);
    });
    const std::size_t n = out.truth.size();
    for (auto* v : {&out.mean_estimate, &out.bias_percent, &out.coverage_percent, &out.coverage_r_percent,
                    &out.coverage_log_percent, &out.coverage_log_r_percent, &out.coverage_ci_percent, &out.empirical_sd, &out.mean_se,
                    &out.mean_se_r})
        v->assign(n, 0.0);
    for (const NlmeResult& r : results) {
        if (!r.converged) continue;
        ++out.converged;
        for (std::size_t k = 0; k < n; ++k) out.mean_estimate[k] += r.estimate[k];
        if (!r.covariance_ok) continue;
        ++out.with_covariance;
        for (std::size_t k = 0; k < n; ++k) {
            const double e = r.estimate[k], truth = out.truth[k];
            out.coverage_percent[k] += covers(e, r.se[k], truth, false) ? 1.0 : 0.0;
            out.coverage_r_percent[k] += covers(e, r.se_r[k], truth, false) ? 1.0 : 0.0;
            const bool log_scale = problem.layout().log_scale(static_cast<int>(k));
            out.coverage_log_percent[k] += covers(e, r.se[k], truth, log_scale) ? 1.0 : 0.0;
            out.coverage_log_r_percent[k] += covers(e, r.se_r[k], truth, log_scale) ? 1.0 : 0.0;
            out.coverage_ci_percent[k] += r.ci_lower[k] <= truth && truth <= r.ci_upper[k] ? 1.0 : 0.0;
            out.mean_se[k] += r.se[k];
            out.mean_se_r[k] += r.se_r[k];
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        out.mean_estimate[k] /= out.converged;
        out.bias_percent[k] = 100.0 * (out.mean_estimate[k] - out.truth[k]) / std::abs(out.truth[k]);
        for (auto* v : {&out.coverage_percent, &out.coverage_r_percent, &out.coverage_log_percent,
                        &out.coverage_log_r_percent, &out.coverage_ci_percent})
            (*v)[k] *= 100.0 / out.with_covariance;
        out.mean_se[k] /= out.with_covariance;
        out.mean_se_r[k] /= out.with_covariance;
    }
    for (const NlmeResult& r : results)
        if (r.converged)
            for (std::size_t k = 0; k < n; ++k)
                out.empirical_sd[k] += std::pow(r.estimate[k] - out.mean_estimate[k], 2) / std::max(1, out.converged - 1);
    for (double& v : out.empirical_sd) v = std::sqrt(v);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

}  // namespace mobsim::nlme
