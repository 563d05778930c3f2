// Model files: the C++ text the generator emits for steady-state initial values (`init = steady`). Kept apart
// from the generator so that each file stays short; it is text, compiled only into generated model libraries,
// where it follows the right-hand side (rhs_of), the Jacobian (jacobian) and the constants N, NX, NP, NPRE, NS, S.
#pragma once

namespace mobsim::model_file {

// Steady states (`init = steady`): Newton's method on their equations at t = 0 in doubles (the Jacobian from the
// dual pass, steps halved while the residual does not fall), the other states at their initial values; then one
// more Newton step in P, which for the sensitivities carries the implicit derivatives dx_s/dp = -J_ss^-1 df_s/dp.
// No steady state found: NaN, which the loader reports.
inline constexpr const char* kSteady = R"(
template <class V>
bool solve_linear(double* a, V* b, int n) {  // Gaussian elimination with partial pivoting, in place
    for (int k = 0; k < n; ++k) {
        int pivot = k;
        for (int i = k + 1; i < n; ++i)
            if (std::fabs(a[i * n + k]) > std::fabs(a[pivot * n + k])) pivot = i;
        if (!(std::fabs(a[pivot * n + k]) > 0.0)) return false;
        for (int j = 0; j < n && pivot != k; ++j) std::swap(a[k * n + j], a[pivot * n + j]);
        std::swap(b[k], b[pivot]);
        for (int i = k + 1; i < n; ++i) {
            const double f = a[i * n + k] / a[k * n + k];
            for (int j = k; j < n; ++j) a[i * n + j] -= f * a[k * n + j];
            b[i] = b[i] - f * b[k];
        }
    }
    for (int i = n - 1; i >= 0; --i) {
        V sum = b[i];
        for (int j = i + 1; j < n; ++j) sum = sum - a[i * n + j] * b[j];
        b[i] = sum / a[i * n + i];
    }
    return true;
}
double steady_residual(const double* x, const double* p, const double* c, const double* pre, double* f) {
    rhs_of<double, double>(0.0, x, x + N, p, c, pre, f);
    double sum = 0.0;
    for (int r = 0; r < NS; ++r) sum += f[S[r]] * f[S[r]];
    return sum;
}
void steady_matrix(const double* x, const double* p, const double* c, const double* pre, double* a) {
    double J[N * NX + 1], dfdt[N + 1];
    jacobian(0.0, x, p, c, pre, J, dfdt);
    for (int r = 0; r < NS; ++r)
        for (int k = 0; k < NS; ++k) a[r * NS + k] = J[S[r] * NX + S[k]];
}
template <class P>
void steady_of(const P* p, const double* c, const P* pre, P* x) {
    if (NS == 0) return;
    double pv[NP + 1], prev[NPRE + 1], xv[NX + 1] = {}, xt[NX + 1] = {}, f[N + 1], a[NS * NS + 1], step[NS + 1];
    for (int i = 0; i < NP; ++i) pv[i] = mf::val(p[i]);
    for (int i = 0; i < NPRE; ++i) prev[i] = mf::val(pre[i]);
    for (int i = 0; i < NX; ++i) xv[i] = xt[i] = mf::val(x[i]);  // the imported ports read, held
    double norm = steady_residual(xv, pv, c, prev, f);
    bool converged = norm == 0.0;
    for (int iteration = 0; iteration < 200 && !converged && std::isfinite(norm); ++iteration) {
        steady_matrix(xv, pv, c, prev, a);
        for (int r = 0; r < NS; ++r) step[r] = f[S[r]];
        if (!solve_linear(a, step, NS)) break;
        double lambda = 1.0, trial = norm;
        for (int halving = 0; halving < 60; ++halving, lambda *= 0.5) {
            for (int r = 0; r < NS; ++r) xt[S[r]] = xv[S[r]] - lambda * step[r];
            trial = steady_residual(xt, pv, c, prev, f);
            if (trial < norm) break;
        }
        bool small = true;
        for (int r = 0; r < NS; ++r) small = small && std::fabs(step[r]) <= 1e-10 * std::fabs(xv[S[r]]);
        if (!(trial < norm)) {  // no step lowers the residual: converged if the full step was negligible
            converged = small;
            break;
        }
        for (int r = 0; r < NS; ++r) xv[S[r]] = xt[S[r]];
        norm = trial;
        converged = norm == 0.0 || (small && lambda == 1.0);
    }
    P xp[NX + 1], fp[N + 1], b[NS + 1];
    for (int i = 0; i < NX; ++i) xp[i] = x[i];
    for (int r = 0; r < NS; ++r) xp[S[r]] = P(xv[S[r]]);
    rhs_of<P, P>(P(0.0), xp, xp + N, p, c, pre, fp);
    for (int r = 0; r < NS; ++r) b[r] = fp[S[r]];
    steady_matrix(xv, pv, c, prev, a);
    converged = converged && solve_linear(a, b, NS);
    for (int r = 0; r < NS; ++r) x[S[r]] = converged ? xp[S[r]] - b[r] : P(NAN);
}
)";

}  // namespace mobsim::model_file
