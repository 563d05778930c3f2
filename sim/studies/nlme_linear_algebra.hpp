// Cholesky-based helpers for the q x q matrices of the FOCEI inner problem (q = number of random effects, a few):
// written out here because they run millions of times and need no allocation-heavy general library.
#pragma once
#include <cmath>
#include <vector>

namespace mobsim::nlme {

// Lower Cholesky factor of the symmetric positive-definite a (row-major n x n, lower triangle read); false when
// a pivot is not positive.
inline bool cholesky_lower(const std::vector<double>& a, int n, std::vector<double>& lower) {
    lower.assign(static_cast<std::size_t>(n) * n, 0.0);
    for (int j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (int k = 0; k < j; ++k) d -= lower[j * n + k] * lower[j * n + k];
        if (!(d > 0.0) || !std::isfinite(d)) return false;
        const double pivot = std::sqrt(d);
        lower[j * n + j] = pivot;
        for (int i = j + 1; i < n; ++i) {
            double s = a[i * n + j];
            for (int k = 0; k < j; ++k) s -= lower[i * n + k] * lower[j * n + k];
            lower[i * n + j] = s / pivot;
        }
    }
    return true;
}

// Solves a x = b in place for symmetric positive-definite a.
inline bool solve_positive_definite(const std::vector<double>& a, int n, std::vector<double>& b) {
    std::vector<double> l;
    if (!cholesky_lower(a, n, l)) return false;
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < i; ++k) b[i] -= l[i * n + k] * b[k];
        b[i] /= l[i * n + i];
    }
    for (int i = n - 1; i >= 0; --i) {
        for (int k = i + 1; k < n; ++k) b[i] -= l[k * n + i] * b[k];
        b[i] /= l[i * n + i];
    }
    return true;
}

// Inverse and log determinant of a symmetric positive-definite a.
inline bool inverse_and_log_det(const std::vector<double>& a, int n, std::vector<double>& inverse, double& log_det) {
    std::vector<double> l;
    if (!cholesky_lower(a, n, l)) return false;
    log_det = 0.0;
    for (int i = 0; i < n; ++i) log_det += 2.0 * std::log(l[i * n + i]);
    inverse.assign(static_cast<std::size_t>(n) * n, 0.0);
    for (int c = 0; c < n; ++c) {
        std::vector<double> e(n, 0.0);
        e[c] = 1.0;
        if (!solve_positive_definite(a, n, e)) return false;
        for (int r = 0; r < n; ++r) inverse[r * n + c] = e[r];
    }
    return true;
}

}  // namespace mobsim::nlme
