// Dense linear algebra for the few-parameter systems of calibration (n up to a few dozen), row-major.
#pragma once
#include <vector>

namespace mobsim {

// Solves A x = b for symmetric positive-definite A (n x n) by Cholesky; false when A is not positive definite.
bool cholesky_solve(std::vector<double> a, int n, std::vector<double>& b);

// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: a = V diag(values) V^T,
// eigenvector k in column k of `vectors`.
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
