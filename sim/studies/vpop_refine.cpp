// Metropolis-Hastings refinement of the plausible population (after Rieger et al. 2018): random-walk chains in
// the candidates' normal scores whose stationary distribution is the prior restricted to the plausible region.
// They start from plausible hypercube candidates, which are already draws from that distribution, so no burn-in
// is needed; every `thin`-th state is added to the population. The added patients thus have the same
// distribution as the screened hypercube's, and the prevalence weights apply to both alike. Where the
// constraints admit few candidates, the chains find more plausible patients per simulation than the hypercube.
#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "sim/numerics/parallel.hpp"
#include "sim/numerics/random_stream.hpp"
#include "sim/studies/vpop_internal.hpp"

namespace mobsim {

namespace {

constexpr std::uint64_t kChainStream = 103;

}  // namespace

void refine_plausible(const VpopStudy& study, PlausiblePopulation& pop, int threads,
                      const std::function<void(int)>& progress) {
    const std::vector<int> starts_pool = pop.plausible_indices();
    if (study.refine_chains <= 0 || starts_pool.empty()) return;
    const boost::math::normal normal;
    const auto cube = candidate_uniforms(study);
    const std::vector<double> copula = copula_factor(study);
    const std::vector<std::size_t> columns = constraint_columns(study);
    const std::size_t d = study.varied.size(), width = pop.names.size();
    const auto chains = static_cast<std::size_t>(study.refine_chains);
    const auto kept = static_cast<std::size_t>(study.refine_steps / study.refine_thin);
    std::vector<double> added(chains * kept * width);
    parallel_for(study.refine_chains, threads > 0 ? threads : default_thread_count(), [&](int chain) {
        const auto c = static_cast<std::size_t>(chain);
        const int start = starts_pool[c * starts_pool.size() / chains];
        RandomStream rng(study.seed, c, kChainStream);
        std::vector<double> z(d), proposal(d), u(d);
        for (std::size_t j = 0; j < d; ++j) z[j] = boost::math::quantile(normal, cube[static_cast<std::size_t>(start)][j]);
        std::vector<double> row(pop.values.begin() + long(std::size_t(start) * width),
                                pop.values.begin() + long((std::size_t(start) + 1) * width));
        std::vector<double> trial(width);
        double log_prior = 0.0;
        for (double v : z) log_prior -= 0.5 * v * v;
        for (int step = 1; step <= study.refine_steps; ++step) {
            double proposal_log_prior = 0.0;
            for (std::size_t j = 0; j < d; ++j) {
                proposal[j] = z[j] + study.refine_step_size * rng.normal();
                proposal_log_prior -= 0.5 * proposal[j] * proposal[j];
                u[j] = boost::math::cdf(normal, std::clamp(proposal[j], -37.0, 37.0));
                u[j] = std::clamp(u[j], 1e-12, 1.0 - 1e-12);
            }
            const double threshold = std::log(rng.uniform());  // drawn every step, so the stream does not branch
            varied_from_uniforms(study, copula, u, trial.data());
            if (threshold < proposal_log_prior - log_prior && screen_candidate(study, columns, trial.data()) == kPlausible) {
                z = proposal;
                row = trial;
                log_prior = proposal_log_prior;
            }
            if (step % study.refine_thin == 0)
                std::copy(row.begin(), row.end(), added.begin() + long((c * kept + std::size_t(step / study.refine_thin) - 1) * width));
        }
    }, progress);
    pop.values.insert(pop.values.end(), added.begin(), added.end());
    pop.plausible.insert(pop.plausible.end(), chains * kept, 1);
    pop.from_chains = static_cast<int>(chains * kept);
    pop.candidates += pop.from_chains;
}

}  // namespace mobsim
