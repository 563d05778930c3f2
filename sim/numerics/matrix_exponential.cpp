#include "sim/numerics/matrix_exponential.hpp"

#include <algorithm>
#include <cmath>

namespace mobsim {

namespace {

std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, int n) {
    std::vector<double> c(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < n; ++k) {
            const double aik = a[i * n + k];
            if (aik == 0.0) continue;
            for (int j = 0; j < n; ++j) c[i * n + j] += aik * b[k * n + j];
        }
    return c;
}

// Largest sum of |entries| along a line of the row-major n x n matrix: a row when `rows`, else a column.
double largest_line_sum(const std::vector<double>& a, int n, bool rows) {
    const int along = rows ? 1 : n, across = rows ? n : 1;
    double norm = 0.0;
    for (int line = 0; line < n; ++line) {
        double sum = 0.0;
        for (int k = 0; k < n; ++k) sum += std::abs(a[line * across + k * along]);
        norm = std::max(norm, sum);
    }
    return norm;
}

double one_norm(const std::vector<double>& a, int n) { return largest_line_sum(a, n, false); }

}  // namespace

double infinity_norm(const std::vector<double>& a, int n) { return largest_line_sum(a, n, true); }

double infinity_norm_of_power(const std::vector<double>& a, int n, int squarings) {
    std::vector<double> power(a);
    for (int s = 0; s < squarings; ++s) power = multiply(power, power, n);
    return infinity_norm(power, n);
}

std::vector<double> matrix_exponential(const std::vector<double>& a, int n) {
    const double norm = one_norm(a, n);
    int squarings = 0;
    if (norm > 0.5) squarings = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
    const double scale = std::ldexp(1.0, -squarings);
    std::vector<double> scaled(a);
    for (double& v : scaled) v *= scale;
    // Horner: I + B (I + B/2 (I + B/3 (... (I + B/18))))
    constexpr int kTerms = 18;
    std::vector<double> result(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i) result[i * n + i] = 1.0;
    for (int k = kTerms; k >= 1; --k) {
        result = multiply(scaled, result, n);
        for (double& v : result) v /= k;
        for (int i = 0; i < n; ++i) result[i * n + i] += 1.0;
    }
    for (int s = 0; s < squarings; ++s) result = multiply(result, result, n);
    return result;
}

}  // namespace mobsim
