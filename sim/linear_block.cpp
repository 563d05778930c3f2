#include "linear_block.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

#include "errors.hpp"
#include "matrix_exponential.hpp"

namespace mobsim {

namespace {

// Polynomial c[0] + c[1] s + ... + c[15] s^15 by Estrin's scheme: pairs combine with s, then with s^2, s^4
// and s^8, so the dependency chain is 4 deep instead of 15 as in Horner's rule.
double estrin16(const double* c, double s) {
    const double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
    double pair[8];
    for (int i = 0; i < 8; ++i) pair[i] = c[2 * i] + c[2 * i + 1] * s;
    const double q0 = pair[0] + pair[1] * s2, q1 = pair[2] + pair[3] * s2;
    const double q2 = pair[4] + pair[5] * s2, q3 = pair[6] + pair[7] * s2;
    return (q0 + q1 * s4) + (q2 + q3 * s4) * s8;
}

// c[k] += a * v[k] for k < 16, written out in pairs so the compiler keeps it to packed operations.
void axpy16(double a, const double* __restrict v, double* __restrict c) {
    for (int k = 0; k < 16; k += 2) {
        c[k] += a * v[k];
        c[k + 1] += a * v[k + 1];
    }
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
    // The first omitted term, |A^16| |s|^16 / 16! with |s| <= h/2, is held at 1e-14; |A^16|^(1/16) is often
    // well below |A| (a transit chain: 4.1 against 5.06 /h), so the knots are that much sparser.
    static_assert(kOrder + 1 == 16, "the knot spacing uses |A^16|");
    const double power_norm = infinity_norm_of_power(a, n_, 4);
    const double half_step = power_norm > 0.0 ? std::pow(1e-14 * std::tgamma(17.0) / power_norm, 1.0 / 16.0) : 0.0;
    p.h = power_norm > 0.0 ? 2.0 * std::min(half_step, 1.0 / std::max(norm, 1e-300))
                           : std::numeric_limits<double>::infinity();
    p.inverse_h = power_norm > 0.0 ? 1.0 / p.h : 0.0;
    if (power_norm > 0.0) {
        std::vector<double> scaled(a);
        for (double& v : scaled) v *= p.h;
        p.knot_step = matrix_exponential(scaled, n_);
    }
    // rows of A^k / k! (row_k = row_{k-1} A / k), stored transposed: [coupling][state][k]
    constexpr int terms = kOrder + 1;
    const int m = static_cast<int>(block_.coupling.size());
    p.coupling_rows.assign(static_cast<std::size_t>(m) * terms * n_, 0.0);
    std::vector<double> rows(static_cast<std::size_t>(terms) * n_);
    for (int c = 0; c < m; ++c) {
        std::fill(rows.begin(), rows.end(), 0.0);
        rows[block_.coupling[c] - block_.first_state] = 1.0;
        for (int k = 1; k < terms; ++k)
            for (int j = 0; j < n_; ++j) {
                double sum = 0.0;
                for (int i = 0; i < n_; ++i) sum += rows[(k - 1) * n_ + i] * a[i * n_ + j];
                rows[k * n_ + j] = sum / k;
            }
        for (int k = 0; k < terms; ++k)
            for (int j = 0; j < n_; ++j) p.coupling_rows[(static_cast<std::size_t>(c) * n_ + j) * terms + k] = rows[k * n_ + j];
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
    if (knot_count_ >= kMaxKnots) {
        std::ostringstream msg;
        msg << "the linear block from state " << block_.first_state << " would need more than " << kMaxKnots
            << " knots after t = " << t0_ << " h (its fastest rate is about " << current_->norm
            << " /h); set solver.linear_blocks: stepped, with a stiff method for such rates (solver.method: rosenbrock4)";
        throw SolverError(msg.str());
    }
    const std::size_t last = knots_.size() - n_;
    knots_.resize(knots_.size() + n_);
    multiply(current_->knot_step.data(), &knots_[last], &knots_[last + n_], n_);
    ++knot_count_;
    append_series();
}

void LinearBlockPropagator::append_series() {
    constexpr int terms = kOrder + 1;
    const std::size_t start = coefficients_.size();
    coefficients_.resize(start + block_.coupling.size() * terms);
    const double* x = &knots_[knots_.size() - n_];
    const double* column = current_->coupling_rows.data();
    for (std::size_t m = 0; m < block_.coupling.size(); ++m) {
        double* c = &coefficients_[start + m * terms];
        for (int i = 0; i < n_; ++i, column += terms)  // c += x_i (row_k)_i for all k at once
            axpy16(x[i], column, c);
    }
}

long LinearBlockPropagator::nearest_knot(double t, double& offset) {
    const double elapsed = t - t0_;
    if (current_->inverse_h == 0.0) {  // A^16 = 0: the series is exact with one knot
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
        x[block_.coupling[k]] = estrin16(series, s);
    }
}

void LinearBlockPropagator::fill_coupling_rate(double t, double* dxdt) {
    if (zero_) return;
    double s = 0.0;
    const long j = nearest_knot(t, s);
    const std::size_t m = block_.coupling.size();
    const double* series = coefficients_.data() + static_cast<std::size_t>(j) * m * (kOrder + 1);
    for (std::size_t k = 0; k < m; ++k, series += kOrder + 1) {
        double rate = 0.0;  // Horner on the derivative: sum of i c_i s^(i-1)
        for (int i = kOrder; i >= 1; --i) rate = rate * s + i * series[i];
        dxdt[block_.coupling[k]] += rate;
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
