// Diagnostics of a FOCEI fit: PRED, IPRED, RES, WRES (first-order, at eta = 0), IWRES, CWRES (Hooker, Staatz &
// Karlsson 2007, Pharm Res 24:2187: linearised around the EBEs), NPDE by simulation (Brendel et al. 2006, Pharm Res
// 23:2036; Comets, Brendel & Mentre 2008, Comput Methods Programs Biomed 90:154), eta and epsilon shrinkage
// (SD-based, as NONMEM and nlmixr2 report them), and simulation of new data sets from the fitted model.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/studies/nlme_focei.hpp"
#include "sim/studies/nlme_linear_algebra.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/random_stream.hpp"
#include "sim/numerics/small_linear_algebra.hpp"

namespace mobsim::nlme {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Phi^-1(p) by bisection on erfc: exact to double precision and never fails (p is clamped into (0, 1)).
double normal_quantile(double p) {
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 90; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// `deviation` decorrelated by the inverse Cholesky factor of `cov` (n x n), rows in time order: the choice of
// NONMEM's and nlmixr2's (C)WRES and of the npde package's default decorrelation. NaN when cov is not positive
// definite.
std::vector<double> decorrelate(const std::vector<double>& cov, int n, const std::vector<double>& deviation) {
    std::vector<double> lower, out(deviation);
    if (!cholesky_lower(cov, n, lower)) return std::vector<double>(n, kNaN);
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < i; ++k) out[i] -= lower[i * n + k] * out[k];
        out[i] /= lower[i * n + i];
    }
    return out;
}

// Linearised covariance G Omega G' + diag(V) over the uncensored rows `rows`.
std::vector<double> linearised_covariance(const std::vector<double>& g, const std::vector<double>& omega,
                                          const std::vector<double>& variance, const std::vector<int>& rows, int q) {
    const int n = static_cast<int>(rows.size());
    std::vector<double> c(static_cast<std::size_t>(n) * n, 0.0);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            double v = a == b ? variance[rows[a]] : 0.0;
            for (int m = 0; m < q; ++m)
                for (int k = 0; k < q; ++k) v += g[rows[a] * q + m] * omega[m * q + k] * g[rows[b] * q + k];
            c[a * n + b] = v;
        }
    return c;
}

double sample_sd(const std::vector<double>& v) {
    if (v.size() < 2) return kNaN;
    double mean = 0.0, ss = 0.0;
    for (double e : v) mean += e / v.size();
    for (double e : v) ss += (e - mean) * (e - mean);
    return std::sqrt(ss / (v.size() - 1));
}

// One simulated observation vector of subject s (all rows) with fresh eta and residual errors.
std::vector<double> simulate_subject(const FoceiProblem& problem, const std::vector<double>& x, const Subject& s,
                                     const std::vector<double>& omega_lower, RandomStream& random) {
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    std::vector<double> z(q), eta(q, 0.0), f, variance;
    for (double& v : z) v = random.normal();
    for (int r = 0; r < q; ++r)
        for (int k = 0; k <= r; ++k) eta[r] += omega_lower[r * q + k] * z[k];
    problem.predict(x, s, eta, f, nullptr, variance);
    for (std::size_t j = 0; j < f.size(); ++j) f[j] += std::sqrt(variance[j]) * random.normal();
    return f;
}

void subject_diagnostics(const FoceiProblem& problem, const NlmeOptions& options, const NlmeResult& result, int i,
                         const std::vector<double>& omega_lower, std::vector<RowDiagnostics>& rows) {
    const Subject& s = problem.population().subjects[i];
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    const std::vector<double> omega = problem.omega(result.x);
    std::vector<double> f0, g0, v0, fi, gi, vi;
    problem.predict(result.x, s, std::vector<double>(q, 0.0), f0, &g0, v0);
    problem.predict(result.x, s, result.eta[i], fi, &gi, vi);
    std::vector<int> measured;
    for (std::size_t j = 0; j < s.observations.size(); ++j)
        if (!s.observations[j].censored) measured.push_back(static_cast<int>(j));
    const int n = static_cast<int>(measured.size());
    std::vector<double> dev0(n), devc(n), y(n);
    for (int a = 0; a < n; ++a) {
        const int j = measured[a];
        y[a] = s.observations[j].value;
        dev0[a] = y[a] - f0[j];
        double linear = fi[j];
        for (int m = 0; m < q; ++m) linear -= gi[j * q + m] * result.eta[i][m];
        devc[a] = y[a] - linear;
    }
    const std::vector<double> wres = decorrelate(linearised_covariance(g0, omega, v0, measured, q), n, dev0);
    const std::vector<double> cwres = decorrelate(linearised_covariance(gi, omega, vi, measured, q), n, devc);
    // NPDE: decorrelated observations against decorrelated simulations of the same design
    const int samples = std::max(10, options.npde_samples);
    RandomStream random(options.seed, static_cast<std::uint64_t>(i), 17);
    std::vector<std::vector<double>> sims(samples);
    std::vector<double> mean(n, 0.0), cov(static_cast<std::size_t>(n) * n, 0.0);
    for (auto& sim : sims) {
        const std::vector<double> all = simulate_subject(problem, result.x, s, omega_lower, random);
        for (int a = 0; a < n; ++a) sim.push_back(all[measured[a]]), mean[a] += all[measured[a]] / samples;
    }
    for (const auto& sim : sims)
        for (int a = 0; a < n; ++a)
            for (int b = 0; b < n; ++b) cov[a * n + b] += (sim[a] - mean[a]) * (sim[b] - mean[b]) / (samples - 1);
    std::vector<double> dev_obs(n);
    for (int a = 0; a < n; ++a) dev_obs[a] = y[a] - mean[a];
    const std::vector<double> obs_star = decorrelate(cov, n, dev_obs);
    std::vector<int> below(n, 0);
    for (const auto& sim : sims) {
        std::vector<double> d(n);
        for (int a = 0; a < n; ++a) d[a] = sim[a] - mean[a];
        const std::vector<double> star = decorrelate(cov, n, d);
        for (int a = 0; a < n; ++a) below[a] += star[a] < obs_star[a] ? 1 : 0;
    }
    int a = 0;
    for (std::size_t j = 0; j < s.observations.size(); ++j) {
        RowDiagnostics row;
        row.id = s.id;
        row.time = s.observations[j].time;
        row.dv = s.observations[j].value;
        row.censored = s.observations[j].censored;
        row.pred = f0[j];
        row.ipred = fi[j];
        row.res = row.dv - row.pred;
        row.iwres = (row.dv - row.ipred) / std::sqrt(vi[j]);
        row.wres = row.cwres = row.npde = kNaN;
        if (!row.censored) {
            row.wres = wres[a];
            row.cwres = cwres[a];
            const double pde = std::clamp(static_cast<double>(below[a]) / samples, 1.0 / samples, 1.0 - 1.0 / samples);
            row.npde = normal_quantile(pde);
            ++a;
        } else {
            row.iwres = kNaN;
        }
        rows.push_back(row);
    }
}

std::string packed(const std::vector<RowDiagnostics>& rows) {
    std::string bytes;
    pack<std::uint64_t>(bytes, rows.size());
    for (const RowDiagnostics& r : rows) {
        pack(bytes, r.id);
        for (double v : {r.time, r.dv, r.pred, r.ipred, r.res, r.wres, r.iwres, r.cwres, r.npde}) pack(bytes, v);
        pack(bytes, r.censored);
    }
    return bytes;
}

std::vector<RowDiagnostics> unpacked_rows(const std::string& bytes) {
    ByteReader in(bytes);
    std::vector<RowDiagnostics> rows(in.take<std::uint64_t>());
    for (RowDiagnostics& r : rows) {
        in.read(r.id);
        for (double* v : {&r.time, &r.dv, &r.pred, &r.ipred, &r.res, &r.wres, &r.iwres, &r.cwres, &r.npde}) in.read(*v);
        in.read(r.censored);
    }
    return rows;
}

}  // namespace

void add_diagnostics(const FoceiProblem& problem, const NlmeOptions& options, NlmeResult& result) {
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    const int subjects = static_cast<int>(problem.population().subjects.size());
    std::vector<double> omega_lower;
    result.table.clear();
    if (!cholesky_lower(problem.omega(result.x), q, omega_lower)) return;
    // Subjects in parallel (each has its own random stream), on MPI rank i mod ranks; rows joined in subject order.
    std::vector<std::vector<RowDiagnostics>> rows(static_cast<std::size_t>(subjects));
    distributed::for_each_across_ranks(subjects, std::max(1, options.threads),
        [&](int i) { subject_diagnostics(problem, options, result, i, omega_lower, rows[static_cast<std::size_t>(i)]); },
        [&](int i) { return packed(rows[static_cast<std::size_t>(i)]); },
        [&](int i, const std::string& bytes) { rows[static_cast<std::size_t>(i)] = unpacked_rows(bytes); });
    for (const auto& subject_rows : rows) result.table.insert(result.table.end(), subject_rows.begin(), subject_rows.end());
    const std::vector<double> omega = problem.omega(result.x);
    result.eta_shrinkage_percent.assign(q, kNaN);
    for (int m = 0; m < q; ++m) {
        std::vector<double> values;
        for (const auto& eta : result.eta) values.push_back(eta[m]);
        result.eta_shrinkage_percent[m] = 100.0 * (1.0 - sample_sd(values) / std::sqrt(omega[m * q + m]));
    }
    std::vector<double> iwres;
    for (const RowDiagnostics& row : result.table)
        if (!row.censored) iwres.push_back(row.iwres);
    result.epsilon_shrinkage_percent = {100.0 * (1.0 - sample_sd(iwres))};
}

Population simulate_population(const FoceiProblem& problem, const std::vector<double>& x, std::uint64_t seed,
                               std::uint64_t replicate) {
    Population out = problem.population();
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    std::vector<double> omega_lower;
    if (q > 0 && !cholesky_lower(problem.omega(x), q, omega_lower)) return out;
    for (std::size_t i = 0; i < out.subjects.size(); ++i) {
        RandomStream random(seed, replicate * 0x100000000ull + i, 3);
        Subject& s = out.subjects[i];
        const std::vector<double> y = simulate_subject(problem, x, s, omega_lower, random);
        for (std::size_t j = 0; j < y.size(); ++j) {
            Observation& o = s.observations[j];
            if (o.censored && y[j] >= o.value) o.censored = false;
            if (!o.censored) o.value = y[j];
        }
    }
    return out;
}

}  // namespace mobsim::nlme
