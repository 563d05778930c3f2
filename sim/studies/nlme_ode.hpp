// Adaptive Dormand-Prince 5(4) integration of a small ODE system templated on its scalar type, so that the same
// right-hand side runs on doubles or on forward-mode dual numbers (sim/numerics/dual.hpp): with duals, the integrator
// propagates the forward sensitivities d y / d parameter alongside y, and the step-size control covers both (as
// CVODES' full error control does). Tableau: sim/numerics/embedded_runge_kutta.hpp. For the few-state models of an NLME
// fit; the trial model uses sim/solver.*.
#pragma once
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/numerics/dual.hpp"
#include "sim/numerics/embedded_runge_kutta.hpp"

namespace mobsim::nlme {

inline double error_ratio(double err, double y0, double y1, double rtol, double atol) {
    return std::abs(err) / (atol + rtol * std::max(std::abs(y0), std::abs(y1)));
}
template <int N>
double error_ratio(const Dual<N>& err, const Dual<N>& y0, const Dual<N>& y1, double rtol, double atol) {
    double worst = error_ratio(err.value, y0.value, y1.value, rtol, atol);
    for (int i = 0; i < N; ++i) worst = std::max(worst, error_ratio(err.d[i], y0.d[i], y1.d[i], rtol, atol));
    return worst;
}

// Integrates y' = rhs(t, y) from t0 to t1 in place. rhs(t, y, dydt) must accept std::vector<T>.
template <typename T, typename Rhs>
void integrate_dopri5(const Rhs& rhs, std::vector<T>& y, double t0, double t1, double rtol, double atol) {
    using Tableau = DormandPrince5Tableau;
    if (!(t1 > t0)) return;
    const std::size_t n = y.size();
    std::vector<std::vector<T>> k(7, std::vector<T>(n));
    std::vector<T> stage(n);
    double t = t0, h = std::min(t1 - t0, 0.01 * std::max(1.0, t1 - t0));
    rhs(t, y, k[0]);
    for (long steps = 0; t < t1; ++steps) {
        if (steps > 1000000 || !(h > 1e-14 * std::max(1.0, std::abs(t))))
            throw std::runtime_error("NLME ODE integration: step size underflow or step limit");
        const bool last = t + h >= t1;
        if (last) h = t1 - t;
        for (int s = 1; s < 7; ++s) {
            for (std::size_t i = 0; i < n; ++i) {
                T sum = y[i];
                for (int j = 0; j < s; ++j)
                    if (Tableau::a[s][j] != 0.0) sum = sum + T(h * Tableau::a[s][j]) * k[j][i];
                stage[i] = sum;
            }
            rhs(t + Tableau::c[s] * h, stage, k[s]);
        }
        double norm = 0.0;  // stage now holds the 5th-order solution at t + h
        for (std::size_t i = 0; i < n; ++i) {
            T err(0.0);
            for (int j = 0; j < 7; ++j)
                if (Tableau::e[j] != 0.0) err = err + T(h * Tableau::e[j]) * k[j][i];
            norm = std::max(norm, error_ratio(err, y[i], stage[i], rtol, atol));
        }
        if (!std::isfinite(norm)) throw std::runtime_error("NLME ODE integration: non-finite state");
        if (norm <= 1.0) {
            t = last ? t1 : t + h;
            y = stage;
            std::swap(k[0], k[6]);
            h *= std::min(5.0, std::max(0.2, 0.9 * std::pow(std::max(norm, 1e-10), -0.2)));
        } else {
            h *= std::max(0.2, 0.9 * std::pow(norm, -0.25));
        }
    }
}

}  // namespace mobsim::nlme
