#include "small_linear_algebra.hpp"

#include <algorithm>
#include <cmath>

namespace mobsim {

bool cholesky_solve(std::vector<double> a, int n, std::vector<double>& b) {
    for (int j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (int k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0) || !std::isfinite(d)) return false;
        const double l = std::sqrt(d);
        a[j * n + j] = l;
        for (int i = j + 1; i < n; ++i) {
            double s = a[i * n + j];
            for (int k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / l;
        }
    }
    for (int i = 0; i < n; ++i) {  // L y = b
        double s = b[i];
        for (int k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
        b[i] = s / a[i * n + i];
    }
    for (int i = n - 1; i >= 0; --i) {  // L^T x = y
        double s = b[i];
        for (int k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
        b[i] = s / a[i * n + i];
    }
    return true;
}

SymmetricEigen symmetric_eigen(std::vector<double> a, int n) {
    std::vector<double> v(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i) v[i * n + i] = 1.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0.0, total = 0.0;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) (i == j ? total : off) += a[i * n + j] * a[i * n + j];
        if (off <= 1e-30 * (total + off) || off == 0.0) break;
        for (int p = 0; p < n; ++p) {
            for (int q = p + 1; q < n; ++q) {
                const double apq = a[p * n + q];
                if (apq == 0.0) continue;
                const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < n; ++k) {  // columns p, q
                    const double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; ++k) {  // rows p, q
                    const double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; ++k) {
                    const double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    SymmetricEigen out;
    out.values.resize(n);
    for (int i = 0; i < n; ++i) out.values[i] = a[i * n + i];
    out.vectors = v;
    return out;
}

SymmetricInverse symmetric_inverse(const std::vector<double>& a, int n, double relative_cutoff) {
    const SymmetricEigen e = symmetric_eigen(a, n);
    double largest = 0.0;
    for (double value : e.values) largest = std::max(largest, value);
    SymmetricInverse out;
    out.inverse.assign(static_cast<std::size_t>(n) * n, 0.0);
    out.singular.assign(n, false);
    for (int k = 0; k < n; ++k) {
        const bool null = !(e.values[k] > relative_cutoff * largest) || largest <= 0.0;
        for (int i = 0; i < n; ++i) {
            const double vi = e.vectors[i * n + k];
            if (null) {
                if (vi * vi > 1e-6) out.singular[i] = true;
                continue;
            }
            for (int j = 0; j < n; ++j) out.inverse[i * n + j] += vi * e.vectors[j * n + k] / e.values[k];
        }
        if (!null) ++out.rank;
    }
    return out;
}

}  // namespace mobsim
