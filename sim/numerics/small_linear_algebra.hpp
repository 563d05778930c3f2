// Dense linear algebra for the small systems of calibration (n up to a few dozen) and of a cohort's omega, row-major
// std::vector<double> in and out. Eigen does the work (LLT, SelfAdjointEigenSolver) in small_linear_algebra.cpp, the
// only file that includes it: this header stays free of Eigen so its callers compile fast.
#pragma once
#include <vector>

namespace mobsim {

// Solves A x = b for symmetric positive-definite A (n x n; its lower triangle is read) by Eigen's Cholesky (LLT);
// false when A is not positive definite or its lower triangle is not finite.
bool cholesky_solve(std::vector<double> a, int n, std::vector<double>& b);

// Lower Cholesky factor of a symmetric matrix by Eigen's LLT (its lower triangle is read): a = L L^T, `lower` row-major
// with zeros above the diagonal. Returns -1 when every pivot passes, L(j,j)^2 > pivot_tolerance x max(1, |a(j,j)|)
// (0: plain positive definiteness); otherwise the first row j (0-based) whose pivot fails, and `lower` is unspecified.
int cholesky_factor(const std::vector<double>& a, int n, std::vector<double>& lower, double pivot_tolerance = 0.0);

// Eigen-decomposition of a symmetric matrix (its lower triangle is read) by Eigen's SelfAdjointEigenSolver:
// a = V diag(values) V^T, eigenvector k in column k of `vectors`, values ascending. All NaN when it does not converge.
struct SymmetricEigen {
    std::vector<double> values;
    std::vector<double> vectors;
};
SymmetricEigen symmetric_eigen(std::vector<double> a, int n);

// Inverse of a symmetric positive-semidefinite matrix (e.g. a Fisher information). Eigenvalues at or below
// relative_cutoff x the largest count as zero: `singular[j]` marks coordinates with a share in that null space
// (their variance is unbounded); `inverse` is the pseudo-inverse.
struct SymmetricInverse {
    std::vector<double> inverse;
    std::vector<bool> singular;
    int rank = 0;
};
SymmetricInverse symmetric_inverse(const std::vector<double>& a, int n, double relative_cutoff = 1e-10);

}  // namespace mobsim
