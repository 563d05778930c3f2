// Stochastic simulation and re-estimation of a FOCEI model (see nlme_focei.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "sim/studies/nlme_focei.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::nlme {

SseSummary simulate_reestimate(const FoceiProblem& problem, const std::vector<double>& x_truth, int replicates,
                               std::uint64_t seed, int threads) {
    const auto started = std::chrono::steady_clock::now();
    SseSummary out;
    out.names = problem.layout().names;
    out.truth = problem.reported(x_truth);
    out.replicates = replicates;
    std::vector<NlmeResult> results(replicates);
    parallel_for(replicates, threads, [&](int r) {
        const Population data = simulate_population(problem, x_truth, seed, static_cast<std::uint64_t>(r));
        const FoceiProblem replicate(problem.model(), data, problem.spec());
        NlmeOptions options;
        options.diagnostics = false;
        options.threads = std::max(1, threads / replicates);  // threads left over go to the subjects
        results[r] = fit_focei(replicate, options);
    });
    const std::size_t n = out.truth.size();
    out.mean_estimate.assign(n, 0.0);
    out.bias_percent.assign(n, 0.0);
    out.coverage_percent.assign(n, 0.0);
    out.coverage_r_percent.assign(n, 0.0);
    out.empirical_sd.assign(n, 0.0);
    out.mean_se.assign(n, 0.0);
    out.mean_se_r.assign(n, 0.0);
    for (const NlmeResult& r : results) {
        if (!r.converged) continue;
        ++out.converged;
        for (std::size_t k = 0; k < n; ++k) out.mean_estimate[k] += r.estimate[k];
        if (!r.covariance_ok) continue;
        ++out.with_covariance;
        for (std::size_t k = 0; k < n; ++k) {
            const double miss = std::abs(r.estimate[k] - out.truth[k]);
            out.coverage_percent[k] += miss <= 1.96 * r.se[k] ? 1.0 : 0.0;
            out.coverage_r_percent[k] += miss <= 1.96 * r.se_r[k] ? 1.0 : 0.0;
            out.mean_se[k] += r.se[k];
            out.mean_se_r[k] += r.se_r[k];
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        out.mean_estimate[k] /= out.converged;
        out.bias_percent[k] = 100.0 * (out.mean_estimate[k] - out.truth[k]) / std::abs(out.truth[k]);
        out.coverage_percent[k] *= 100.0 / out.with_covariance;
        out.coverage_r_percent[k] *= 100.0 / out.with_covariance;
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
