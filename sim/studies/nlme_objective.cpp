// The FOCEI objective (see nlme_focei.hpp): parameter layout, individual predictions with their eta-sensitivities,
// each subject's inner problem (EBE) and its OFV contribution.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/studies/nlme_focei.hpp"
#include "sim/studies/nlme_linear_algebra.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/optimizer.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::nlme {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::string omega_name(const std::vector<std::string>& parameters, const std::vector<int>& eta_parameter, int r,
                       int c) {
    if (r == c) return "omega(" + parameters[eta_parameter[r]] + ")";
    return "omega(" + parameters[eta_parameter[c]] + "," + parameters[eta_parameter[r]] + ")";
}

}  // namespace

FoceiProblem::FoceiProblem(const StructuralModel& model, const Population& population, NlmeSpec spec)
    : model_(model), population_(population), spec_(std::move(spec)) {
    const std::vector<std::string> names = model_.parameter_names();
    const int p = static_cast<int>(names.size()), q = static_cast<int>(spec_.eta_parameter.size());
    if (static_cast<int>(spec_.theta_start.size()) != p)
        throw std::invalid_argument("NLME: one typical value per structural parameter expected");
    if (static_cast<int>(spec_.omega_start.size()) != q * q)
        throw std::invalid_argument("NLME: omega must be q x q for q random effects");
    if (spec_.omega_block.empty())  // diagonal omega
        for (int m = 0; m < q; ++m) spec_.omega_block.push_back(m);
    if (static_cast<int>(spec_.omega_block.size()) != q)
        throw std::invalid_argument("NLME: one omega block number per random effect expected");
    layout_.thetas = p;
    for (int k = 0; k < p; ++k) layout_.names.push_back(names[k]);
    layout_.betas = static_cast<int>(spec_.covariates.size());
    for (const CovariateEffect& e : spec_.covariates)
        layout_.names.push_back(names[e.parameter] + "~" + population_.covariate_names[e.covariate] +
                                (e.form == CovariateForm::power ? " (power)" : " (linear)"));
    for (int r = 0; r < q; ++r)
        for (int c = 0; c <= r; ++c)
            if (spec_.omega_block[r] == spec_.omega_block[c]) {
                layout_.omega_elements.emplace_back(r, c);
                layout_.names.push_back(omega_name(names, spec_.eta_parameter, r, c));
            }
    layout_.omega = static_cast<int>(layout_.omega_elements.size());
    if (spec_.error != ErrorKind::proportional) layout_.names.push_back("additive_sd"), ++layout_.sigmas;
    if (spec_.error != ErrorKind::additive) layout_.names.push_back("proportional_sd"), ++layout_.sigmas;
}

std::vector<double> FoceiProblem::start() const {
    std::vector<double> x;
    for (double t : spec_.theta_start) x.push_back(std::log(t));
    for (const CovariateEffect& e : spec_.covariates) x.push_back(e.start);
    const int q = static_cast<int>(spec_.eta_parameter.size());
    std::vector<double> masked = spec_.omega_start;
    for (int r = 0; r < q; ++r)
        for (int c = 0; c < q; ++c)
            if (spec_.omega_block[r] != spec_.omega_block[c]) masked[r * q + c] = 0.0;
    std::vector<double> lower;
    if (q > 0 && !cholesky_lower(masked, q, lower))
        throw std::invalid_argument("NLME: the initial omega is not positive definite");
    for (const auto& [r, c] : layout_.omega_elements) x.push_back(r == c ? std::log(lower[r * q + c]) : lower[r * q + c]);
    if (spec_.error != ErrorKind::proportional) x.push_back(std::log(spec_.additive_start));
    if (spec_.error != ErrorKind::additive) x.push_back(std::log(spec_.proportional_start));
    return x;
}

int FoceiProblem::observation_count() const {
    int n = 0;
    for (const Subject& s : population_.subjects)
        for (const Observation& o : s.observations) n += o.censored ? 0 : 1;
    return n;
}

std::vector<double> FoceiProblem::typical_values(const std::vector<double>& x, const Subject& subject) const {
    std::vector<double> tv(layout_.thetas);
    for (int k = 0; k < layout_.thetas; ++k) tv[k] = std::exp(x[k]);
    for (int b = 0; b < layout_.betas; ++b) {
        const CovariateEffect& e = spec_.covariates[b];
        const double beta = x[layout_.thetas + b], c = subject.covariates[e.covariate];
        const double factor =
            e.form == CovariateForm::power ? std::pow(c / e.reference, beta) : 1.0 + beta * (c - e.reference);
        tv[e.parameter] *= factor > 0.0 ? factor : std::numeric_limits<double>::quiet_NaN();
    }
    return tv;
}

std::vector<double> FoceiProblem::omega(const std::vector<double>& x) const {
    const int q = static_cast<int>(spec_.eta_parameter.size());
    std::vector<double> lower(q * q, 0.0), out(q * q, 0.0);
    const int offset = layout_.thetas + layout_.betas;
    for (int i = 0; i < layout_.omega; ++i) {
        const auto [r, c] = layout_.omega_elements[i];
        lower[r * q + c] = r == c ? std::exp(x[offset + i]) : x[offset + i];
    }
    for (int r = 0; r < q; ++r)
        for (int c = 0; c < q; ++c)
            for (int k = 0; k <= std::min(r, c); ++k) out[r * q + c] += lower[r * q + k] * lower[c * q + k];
    return out;
}

double FoceiProblem::additive_sd(const std::vector<double>& x) const {
    return spec_.error == ErrorKind::proportional ? 0.0 : std::exp(x[layout_.size() - layout_.sigmas]);
}

double FoceiProblem::proportional_sd(const std::vector<double>& x) const {
    return spec_.error == ErrorKind::additive ? 0.0 : std::exp(x[layout_.size() - 1]);
}

std::vector<double> FoceiProblem::individual_parameters(const std::vector<double>& x, const Subject& s,
                                                        const std::vector<double>& eta) const {
    std::vector<double> p = typical_values(x, s);
    for (std::size_t m = 0; m < eta.size(); ++m) p[spec_.eta_parameter[m]] *= std::exp(eta[m]);
    return p;
}

std::vector<double> FoceiProblem::reported(const std::vector<double>& x) const {
    std::vector<double> out;
    for (int k = 0; k < layout_.thetas; ++k) out.push_back(std::exp(x[k]));
    for (int b = 0; b < layout_.betas; ++b) out.push_back(x[layout_.thetas + b]);
    const int q = static_cast<int>(spec_.eta_parameter.size());
    const std::vector<double> om = omega(x);
    for (const auto& [r, c] : layout_.omega_elements) out.push_back(om[r * q + c]);
    if (spec_.error != ErrorKind::proportional) out.push_back(additive_sd(x));
    if (spec_.error != ErrorKind::additive) out.push_back(proportional_sd(x));
    return out;
}

bool x_from_reported(const FoceiProblem& problem, const std::vector<double>& reported, std::vector<double>& x) {
    const ParameterLayout& layout = problem.layout();
    if (static_cast<int>(reported.size()) != layout.size()) return false;
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    x.clear();
    for (int k = 0; k < layout.thetas; ++k) x.push_back(std::log(reported[k]));
    for (int b = 0; b < layout.betas; ++b) x.push_back(reported[layout.thetas + b]);
    std::vector<double> omega(static_cast<std::size_t>(q) * q, 0.0), lower;
    const int offset = layout.thetas + layout.betas;
    for (int i = 0; i < layout.omega; ++i) {
        const auto [r, c] = layout.omega_elements[i];
        omega[r * q + c] = omega[c * q + r] = reported[offset + i];
    }
    if (q > 0 && !cholesky_lower(omega, q, lower)) return false;
    for (const auto& [r, c] : layout.omega_elements) x.push_back(r == c ? std::log(lower[r * q + c]) : lower[r * q + c]);
    for (int k = offset + layout.omega; k < layout.size(); ++k) x.push_back(std::log(reported[k]));
    for (double v : x)
        if (!std::isfinite(v)) return false;
    return true;
}

void FoceiProblem::predict(const std::vector<double>& x, const Subject& s, const std::vector<double>& eta,
                           std::vector<double>& f, std::vector<double>* g, std::vector<double>& variance) const {
    const std::vector<double> p = individual_parameters(x, s, eta);
    const std::size_t n = s.observations.size(), q = eta.size(), np = p.size();
    std::vector<double> jacobian;
    model_.predict(p, s, f, g ? &jacobian : nullptr);
    const double a = additive_sd(x), b = proportional_sd(x);
    variance.resize(n);
    for (std::size_t j = 0; j < n; ++j) variance[j] = a * a + b * b * f[j] * f[j];
    if (!g) return;
    g->assign(n * q, 0.0);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t m = 0; m < q; ++m) {
            const int k = spec_.eta_parameter[m];
            (*g)[j * q + m] = jacobian[j * np + k] * p[k];  // d P_k / d eta_m = P_k
        }
}

namespace {

// Half the conditional objective l(eta) / 2, its gradient and the FOCEI (Gauss-Newton) Hessian.
struct Conditional {
    double half_l = kInfinity;
    std::vector<double> gradient, hessian;
};

Conditional conditional(const FoceiProblem& problem, const std::vector<double>& x, const Subject& s,
                        const std::vector<double>& eta, const std::vector<double>& omega_inverse, double b) {
    const std::size_t q = eta.size();
    Conditional out;
    std::vector<double> f, g, variance;
    problem.predict(x, s, eta, f, &g, variance);
    double half_l = 0.0;
    std::vector<double> gradient(q, 0.0), hessian(omega_inverse);
    std::vector<double> dv(q), dz(q);
    for (std::size_t m = 0; m < q; ++m)
        for (std::size_t n = 0; n < q; ++n) {
            half_l += 0.5 * eta[m] * omega_inverse[m * q + n] * eta[n];
            gradient[m] += omega_inverse[m * q + n] * eta[n];
        }
    for (std::size_t j = 0; j < s.observations.size(); ++j) {
        const double v = variance[j], r = s.observations[j].value - f[j];
        if (!std::isfinite(f[j]) || !(v > 0.0)) return out;
        const double* gj = &g[j * q];
        for (std::size_t m = 0; m < q; ++m) dv[m] = 2.0 * b * b * f[j] * gj[m];
        if (s.observations[j].censored) {
            const double sd = std::sqrt(v), z = r / sd, log_phi = log_normal_cdf(z);
            const double lambda = std::exp(-0.5 * z * z - 0.91893853320467274178 - log_phi);
            half_l -= log_phi;
            for (std::size_t m = 0; m < q; ++m) dz[m] = -gj[m] / sd - z * dv[m] / (2.0 * v);
            for (std::size_t m = 0; m < q; ++m) {
                gradient[m] -= lambda * dz[m];
                for (std::size_t n = 0; n < q; ++n) hessian[m * q + n] += lambda * (lambda + z) * dz[m] * dz[n];
            }
            continue;
        }
        half_l += 0.5 * (r * r / v + std::log(v));
        for (std::size_t m = 0; m < q; ++m) {
            gradient[m] += -r * gj[m] / v + 0.5 * (1.0 / v - r * r / (v * v)) * dv[m];
            for (std::size_t n = 0; n < q; ++n)
                hessian[m * q + n] += gj[m] * gj[n] / v + 0.5 * dv[m] * dv[n] / (v * v);
        }
    }
    out.half_l = half_l;
    out.gradient = std::move(gradient);
    out.hessian = std::move(hessian);
    return out;
}

}  // namespace

FoceiProblem::SubjectFit FoceiProblem::fit_subject(const std::vector<double>& x, int i,
                                                   const std::vector<double>& eta_start) const {
    const Subject& s = population_.subjects[i];
    const int q = static_cast<int>(spec_.eta_parameter.size());
    SubjectFit out;
    out.eta = eta_start;
    out.ofv = kInfinity;
    const std::vector<double> om = omega(x);
    std::vector<double> omega_inverse;
    double log_det_omega = 0.0;
    if (!inverse_and_log_det(om, q, omega_inverse, log_det_omega)) return out;
    const double b = proportional_sd(x);
    Conditional at = conditional(*this, x, s, out.eta, omega_inverse, b);
    if (!std::isfinite(at.half_l)) {  // a poor start: retry from the typical subject
        out.eta.assign(q, 0.0);
        at = conditional(*this, x, s, out.eta, omega_inverse, b);
        if (!std::isfinite(at.half_l)) return out;
    }
    for (out.iterations = 0; out.iterations < 200 && !out.converged; ++out.iterations) {
        std::vector<double> step(at.gradient);
        for (double& v : step) v = -v;
        if (!solve_positive_definite(at.hessian, q, step)) return out;
        double slope = 0.0, largest = 0.0;
        for (int m = 0; m < q; ++m) slope += at.gradient[m] * step[m], largest = std::max(largest, std::abs(step[m]));
        if (largest < 1e-10 || -slope < 1e-14) {
            out.converged = true;
            break;
        }
        double t = 1.0;
        for (int halving = 0; halving < 40; ++halving, t *= 0.5) {
            std::vector<double> trial(out.eta);
            for (int m = 0; m < q; ++m) trial[m] += t * step[m];
            Conditional next = conditional(*this, x, s, trial, omega_inverse, b);
            if (next.half_l <= at.half_l + 1e-4 * t * slope) {
                out.eta = std::move(trial);
                at = std::move(next);
                break;
            }
        }
        if (t * largest < 1e-10) out.converged = true;  // no decrease at any step length: at the minimum
    }
    double log_det_h = 0.0;
    std::vector<double> unused;
    if (!inverse_and_log_det(at.hessian, q, unused, log_det_h)) return out;
    out.ofv = 2.0 * at.half_l + log_det_omega + log_det_h;
    return out;
}

double FoceiProblem::objective(const std::vector<double>& x, const std::vector<std::vector<double>>& eta_start,
                               int threads, std::vector<SubjectFit>& fits) const {
    const int n = static_cast<int>(population_.subjects.size());
    fits.assign(n, SubjectFit{});
    // Subject i on MPI rank i mod ranks; every rank gets every subject's fit and sums them in subject order, so all
    // ranks take the same outer steps.
    distributed::for_each_across_ranks(n, threads, [&](int i) { fits[i] = fit_subject(x, i, eta_start[i]); },
        [&](int i) {
            std::string bytes;
            pack(bytes, fits[i].eta);
            pack(bytes, fits[i].ofv);
            pack(bytes, fits[i].iterations);
            pack(bytes, fits[i].converged);
            return bytes;
        },
        [&](int i, const std::string& bytes) {
            ByteReader in(bytes);
            in.read(fits[i].eta);
            in.read(fits[i].ofv);
            in.read(fits[i].iterations);
            in.read(fits[i].converged);
        });
    double total = 0.0;
    for (const SubjectFit& fit : fits) total += fit.ofv;
    return std::isfinite(total) ? total : kInfinity;
}

}  // namespace mobsim::nlme
