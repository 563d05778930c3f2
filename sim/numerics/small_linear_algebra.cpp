// The one translation unit that includes Eigen (see the header): LLT for the Levenberg-Marquardt steps and a
// cohort's omega, SelfAdjointEigenSolver for the covariance from a Fisher information. Every matrix goes through
// Eigen::MatrixXd so each Eigen algorithm is instantiated once.
#include "sim/numerics/small_linear_algebra.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

namespace mobsim {

namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The row-major n x n matrix `a` as an Eigen matrix (the same matrix, not its transpose).
Eigen::MatrixXd to_matrix(const std::vector<double>& a, int n) { return Eigen::Map<const RowMajorMatrix>(a.data(), n, n); }

bool lower_triangle_finite(const Eigen::MatrixXd& m) {
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        if (!m.col(j).tail(m.rows() - j).allFinite()) return false;
    return true;
}

// The first row j < size whose pivot L(j,j) of `llt` (a factorisation of the leading size x size block of m) is not
// > 0 or, for pivot_tolerance > 0, has L(j,j)^2 <= pivot_tolerance x max(1, |m(j,j)|); -1 when none.
int failing_pivot(const Eigen::LLT<Eigen::MatrixXd>& llt, const Eigen::MatrixXd& m, int size, double pivot_tolerance) {
    const Eigen::MatrixXd& l = llt.matrixLLT();
    for (int j = 0; j < size; ++j) {
        const double pivot = l(j, j);
        if (!(pivot > 0.0)) return j;
        if (pivot_tolerance > 0.0 && !(pivot * pivot > pivot_tolerance * std::max(1.0, std::abs(m(j, j))))) return j;
    }
    return -1;
}

}  // namespace

bool cholesky_solve(std::vector<double> a, int n, std::vector<double>& b) {
    const Eigen::MatrixXd m = to_matrix(a, n);
    if (!lower_triangle_finite(m)) return false;
    const Eigen::LLT<Eigen::MatrixXd> llt(m);
    if (llt.info() != Eigen::Success || failing_pivot(llt, m, n, 0.0) >= 0) return false;
    Eigen::Map<Eigen::VectorXd> x(b.data(), n);
    llt.solveInPlace(x);
    return true;
}

int cholesky_factor(const std::vector<double>& a, int n, std::vector<double>& lower, double pivot_tolerance) {
    const Eigen::MatrixXd m = to_matrix(a, n);
    Eigen::LLT<Eigen::MatrixXd> llt(m);
    if (llt.info() == Eigen::Success) {
        const int row = failing_pivot(llt, m, n, pivot_tolerance);
        if (row >= 0) return row;
        lower.assign(static_cast<std::size_t>(n) * n, 0.0);
        Eigen::Map<RowMajorMatrix>(lower.data(), n, n) = llt.matrixL();
        return -1;
    }
    // Eigen does not say where it failed. The factor of a leading block is the leading block of the factor, so the
    // first leading block that fails names the row (n is small; this runs only for a rejected matrix).
    for (int size = 1; size <= n; ++size) {
        const Eigen::MatrixXd leading = m.topLeftCorner(size, size);
        llt.compute(leading);
        if (llt.info() != Eigen::Success) return size - 1;
        const int row = failing_pivot(llt, m, size, pivot_tolerance);
        if (row >= 0) return row;
    }
    return n - 1;
}

SymmetricEigen symmetric_eigen(std::vector<double> a, int n) {
    SymmetricEigen out;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out.values.assign(n, nan);
    out.vectors.assign(static_cast<std::size_t>(n) * n, nan);
    if (n == 0) return out;
    const Eigen::MatrixXd m = to_matrix(a, n);
    if (!lower_triangle_finite(m)) return out;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m);
    if (solver.info() != Eigen::Success) return out;
    Eigen::Map<Eigen::VectorXd>(out.values.data(), n) = solver.eigenvalues();
    Eigen::Map<RowMajorMatrix>(out.vectors.data(), n, n) = solver.eigenvectors();
    return out;
}

SymmetricInverse symmetric_inverse(const std::vector<double>& a, int n, double relative_cutoff) {
    const SymmetricEigen e = symmetric_eigen(a, n);
    double largest = 0.0;
    for (double value : e.values) largest = std::max(largest, value);
    SymmetricInverse out;
    out.inverse.assign(static_cast<std::size_t>(n) * n, 0.0);
    out.singular.assign(n, false);
    // a non-finite matrix (e.g. a Fisher information from a failed simulation) bounds no variance
    if (std::any_of(e.values.begin(), e.values.end(), [](double v) { return !std::isfinite(v); })) {
        out.singular.assign(n, true);
        return out;
    }
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
