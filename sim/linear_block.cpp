#include "linear_block.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "matrix_exponential.hpp"

namespace mobsim {

namespace {

// Polynomial sum_k c[k] s^k by Estrin's scheme: adjacent pairs combine with s, s^2, s^4, ..., so the
// dependency chain is log2(terms) deep instead of one step per term as in Horner's rule.
template <int Terms>
double estrin(const double* c, double s) {
    double level[Terms];
    std::copy(c, c + Terms, level);
    int n = Terms;
    for (double power = s; n > 1; power *= power) {
        for (int i = 0; i < n / 2; ++i) level[i] = level[2 * i] + level[2 * i + 1] * power;
        if (n % 2 == 1) level[n / 2] = level[n - 1];
        n = (n + 1) / 2;
    }
    return level[0];
}

// y = A x for a row-major n x n matrix.
void multiply(const double* a, const double* x, double* y, int n) {
    for (int i = 0; i < n; ++i) {
        double sum = 0.0;
        for (int j = 0; j < n; ++j) sum += a[i * n + j] * x[j];
        y[i] = sum;
    }
}

}  // namespace

LinearBlockPropagator::LinearBlockPropagator(LinearBlock block) : block_(std::move(block)), n_(block_.size) {
    work_a_.resize(n_);
    work_b_.resize(n_);
}

const LinearBlockPropagator::Propagation& LinearBlockPropagator::propagation_for(const std::vector<double>& a) {
    for (const auto& p : cache_)
        if (p.a == a) return p;
    Propagation p;
    p.a = a;
    const double norm = infinity_norm(a, n_);
    p.norm = norm;
    p.h = norm > 0.0 ? 3.0 / norm : std::numeric_limits<double>::infinity();
    p.inverse_h = norm > 0.0 ? norm / 3.0 : 0.0;
    if (norm > 0.0) {
        std::vector<double> scaled(a);
        for (double& v : scaled) v *= p.h;
        p.knot_step = matrix_exponential(scaled, n_);
    }
    // rows of A^k / k!: row_{k} = row_{k-1} A / k
    const int m = static_cast<int>(block_.coupling.size());
    p.coupling_rows.assign(static_cast<std::size_t>(m) * (kOrder + 1) * n_, 0.0);
    for (int c = 0; c < m; ++c) {
        double* rows = &p.coupling_rows[static_cast<std::size_t>(c) * (kOrder + 1) * n_];
        rows[block_.coupling[c] - block_.first_state] = 1.0;
        for (int k = 1; k <= kOrder; ++k)
            for (int j = 0; j < n_; ++j) {
                double sum = 0.0;
                for (int i = 0; i < n_; ++i) sum += rows[(k - 1) * n_ + i] * a[i * n_ + j];
                rows[k * n_ + j] = sum / k;
            }
    }
    cache_.push_back(std::move(p));
    return cache_.back();
}

void LinearBlockPropagator::restart(double t0, const double* x, const std::vector<double>& a) {
    current_ = &propagation_for(a);
    t0_ = t0;
    knots_.assign(x + block_.first_state, x + block_.first_state + n_);
    knot_count_ = 1;
    coefficients_.clear();
    zero_ = std::all_of(knots_.begin(), knots_.end(), [](double v) { return v == 0.0; });
    if (!zero_) append_series();
}

void LinearBlockPropagator::add_knot() {
    const std::size_t last = knots_.size() - n_;
    knots_.resize(knots_.size() + n_);
    multiply(current_->knot_step.data(), &knots_[last], &knots_[last + n_], n_);
    ++knot_count_;
    append_series();
}

void LinearBlockPropagator::append_series() {
    const double* x = &knots_[knots_.size() - n_];
    const std::size_t rows = block_.coupling.size() * (kOrder + 1);
    const double* row = current_->coupling_rows.data();
    for (std::size_t r = 0; r < rows; ++r, row += n_) {
        double sum = 0.0;
        for (int i = 0; i < n_; ++i) sum += row[i] * x[i];
        coefficients_.push_back(sum);
    }
}

long LinearBlockPropagator::nearest_knot(double t, double& offset) {
    const double elapsed = t - t0_;
    if (current_->norm == 0.0) {
        offset = elapsed;
        return 0;
    }
    const long j = elapsed > 0.0 ? static_cast<long>(elapsed * current_->inverse_h + 0.5) : 0;
    offset = elapsed - j * current_->h;
    while (knot_count_ <= j) add_knot();
    return j;
}

void LinearBlockPropagator::fill_coupling(double t, double* x) {
    if (zero_) {
        for (int i : block_.coupling) x[i] = 0.0;
        return;
    }
    double s = 0.0;
    const long j = nearest_knot(t, s);
    const std::size_t m = block_.coupling.size();
    const double* series = coefficients_.data() + static_cast<std::size_t>(j) * m * (kOrder + 1);
    for (std::size_t k = 0; k < m; ++k, series += kOrder + 1) {
        x[block_.coupling[k]] = estrin<kOrder + 1>(series, s);
    }
}

void LinearBlockPropagator::fill_all(double t, double* x) {
    if (zero_) {
        std::fill(x + block_.first_state, x + block_.first_state + n_, 0.0);
        return;
    }
    double s = 0.0;
    const long j = nearest_knot(t, s);
    const double* start = &knots_[static_cast<std::size_t>(j) * n_];
    // Horner on vectors: v = x_j + (s/k) A v, k = K..1, with K set by |A s|^(K+1)/(K+1)! < 1e-16
    const double size = current_->norm * std::abs(s);
    int order = 0;
    double omitted = size;  // |A s|^(order+1) / (order+1)!
    while (omitted > 1e-16 && order < 60) {
        ++order;
        omitted *= size / (order + 1);
    }
    double* v = work_a_.data();
    double* av = work_b_.data();
    std::copy(start, start + n_, v);
    for (int k = order; k >= 1; --k) {
        multiply(current_->a.data(), v, av, n_);
        for (int i = 0; i < n_; ++i) v[i] = start[i] + (s / k) * av[i];
    }
    std::copy(v, v + n_, x + block_.first_state);
}

}  // namespace mobsim
