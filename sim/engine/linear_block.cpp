#include "sim/engine/linear_block.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <utility>

#include "sim/base/errors.hpp"
#include "sim/numerics/matrix_exponential.hpp"

namespace mobsim {

namespace {

// Four doubles in one register (a GCC and Clang vector extension): the kernels below work on such quads, so they
// compile to 4-lane arithmetic with AVX2 and to pairs of 2-lane operations on any other x86-64 (SSE2), without
// relying on the auto-vectorizer's choices.
typedef double Quad __attribute__((vector_size(32)));
Quad load_quad(const double* p) {
    Quad v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
void store_quad(double* p, Quad v) { std::memcpy(p, &v, sizeof v); }

// c[k] = sum_j x[j] rows[16 j + k] for k < 16: the series coefficients of one state at a knot x, from that
// state's rows of A^k / k!. The 16 sums stay in registers. N > 0: the block size, known at compile time, so the
// loop over j unrolls; N = 0: n at run time.
template <int N>
void project16(const double* rows, const double* x, int n, double* c) {
    if (N > 0) n = N;
    Quad sum[4] = {};
    for (int j = 0; j < n; ++j, rows += 16) {
        const Quad xj = {x[j], x[j], x[j], x[j]};
        for (int k = 0; k < 4; ++k) sum[k] += xj * load_quad(rows + 4 * k);
    }
    for (int k = 0; k < 4; ++k) store_quad(c + 4 * k, sum[k]);
}

// y = M x for a matrix with n columns stored one after another, each padded with zeros to `stride` entries
// (n rounded up to a multiple of 4); y gets `stride` entries. The sums stay in registers, up to 4 quads
// (16 rows); N as in project16.
template <int N>
void multiply_by_columns(const double* m, const double* x, double* y, int n, int stride) {
    if (N > 0) n = N, stride = (N + 3) / 4 * 4;
    for (int r = 0; r < stride; r += 16) {
        const int quads = std::min(4, (stride - r) / 4);
        Quad sum[4] = {};
        const double* column = m + r;
        for (int j = 0; j < n; ++j, column += stride) {
            const Quad xj = {x[j], x[j], x[j], x[j]};
            for (int q = 0; q < quads; ++q) sum[q] += xj * load_quad(column + 4 * q);
        }
        for (int q = 0; q < quads; ++q) store_quad(y + r + 4 * q, sum[q]);
    }
}

// One knot ahead: the state at the next knot, then the series of each coupling state there.
template <int N>
void step_knot(const double* knot_step, const double* series_rows, const std::vector<int>& coupling, int n,
               int stride, const double* x, double* next, double* coefficients) {
    multiply_by_columns<N>(knot_step, x, next, n, stride);
    for (int i : coupling) {
        project16<N>(series_rows + static_cast<std::size_t>(i) * n * 16, next, n, coefficients);
        coefficients += 16;
    }
}

constexpr long kInitialKnots = 64;  // capacity of a new propagator; doubles as needed

}  // namespace

// Compile-time sizes for the usual small blocks.
LinearBlockPropagator::KnotStepper LinearBlockPropagator::knot_stepper_for(int n) {
    switch (n) {
        case 1: return step_knot<1>;
        case 2: return step_knot<2>;
        case 3: return step_knot<3>;
        case 4: return step_knot<4>;
        case 5: return step_knot<5>;
        case 6: return step_knot<6>;
        case 7: return step_knot<7>;
        case 8: return step_knot<8>;
        default: return step_knot<0>;
    }
}

LinearBlockPropagator::LinearBlockPropagator(LinearBlock block)
    : block_(std::move(block)),
      n_(block_.size),
      stride_((block_.size + 3) / 4 * 4),
      step_knot_(knot_stepper_for(n_)) {
    for (int c : block_.coupling) coupling_local_.push_back(c - block_.first_state);
    series_stride_ = coupling_local_.size() * kTerms;
    knots_.assign(static_cast<std::size_t>(kInitialKnots) * stride_, 0.0);
    coefficients_.assign(static_cast<std::size_t>(kInitialKnots) * series_stride_, 0.0);
}

const LinearBlockPropagator::Propagation& LinearBlockPropagator::propagation_for(const std::vector<double>& a) {
    // Bitwise comparison: cheaper than ==, and the solver passes the same matrices again. A mismatch that ==
    // would not see (0.0 against -0.0) only costs a second entry.
    const auto same = [&a](const Propagation& p) {
        return p.a.size() == a.size() && std::memcmp(p.a.data(), a.data(), a.size() * sizeof(double)) == 0;
    };
    if (current_ && same(*current_)) return *current_;
    for (const auto& p : cache_)
        if (same(p)) return p;
    Propagation p;
    p.a = a;
    const double norm = infinity_norm(a, n_);
    p.norm = norm;
    // The first omitted term, |A^16| |s|^16 / 16! with |s| <= h/2, is held at 1e-14; |A^16|^(1/16) is often
    // well below |A| (a transit chain: 4.1 against 5.06 /h), so the knots are that much sparser.
    static_assert(kTerms == 16, "the knot spacing uses |A^16|");
    const double power_norm = infinity_norm_of_power(a, n_, 4);
    const double half_step = power_norm > 0.0 ? std::pow(1e-14 * std::tgamma(17.0) / power_norm, 1.0 / 16.0) : 0.0;
    // A^16 = 0: the series is exact about knot 0 at any distance; h = 1/h = 0 keeps every query there
    p.h = power_norm > 0.0 ? 2.0 * std::min(half_step, 1.0 / std::max(norm, 1e-300)) : 0.0;
    p.inverse_h = power_norm > 0.0 ? 1.0 / p.h : 0.0;
    if (power_norm > 0.0) {
        std::vector<double> scaled(a);
        for (double& v : scaled) v *= p.h;
        const std::vector<double> step = matrix_exponential(scaled, n_);
        p.knot_step.assign(static_cast<std::size_t>(n_) * stride_, 0.0);
        for (int i = 0; i < n_; ++i)
            for (int j = 0; j < n_; ++j) p.knot_step[j * stride_ + i] = step[i * n_ + j];
    }
    // Row i of A^k / k! from row i of A^(k-1) / (k-1)!: row_k = row_(k-1) A / k, over the nonzeros of A only
    // (a transit chain has about 2n of n^2).
    struct Entry {
        int row, column;
        double value;
    };
    std::vector<Entry> nonzeros;
    for (int l = 0; l < n_; ++l)
        for (int j = 0; j < n_; ++j)
            if (a[l * n_ + j] != 0.0) nonzeros.push_back({l, j, a[l * n_ + j]});
    p.series_rows.assign(static_cast<std::size_t>(n_) * n_ * kTerms, 0.0);
    std::vector<double> rows(static_cast<std::size_t>(kTerms) * n_);  // [k][j] for the current i
    for (int i = 0; i < n_; ++i) {
        std::fill(rows.begin(), rows.end(), 0.0);
        rows[i] = 1.0;
        for (int k = 1; k < kTerms; ++k) {
            const double* previous = &rows[(k - 1) * n_];
            double* row = &rows[k * n_];  // still zero
            for (const Entry& e : nonzeros) row[e.column] += previous[e.row] * e.value;
            for (int j = 0; j < n_; ++j) row[j] /= k;
        }
        for (int k = 0; k < kTerms; ++k)
            for (int j = 0; j < n_; ++j)
                p.series_rows[(static_cast<std::size_t>(i) * n_ + j) * kTerms + k] = rows[k * n_ + j];
    }
    cache_.push_back(std::move(p));
    return cache_.back();
}

void LinearBlockPropagator::restart(double t0, const double* x, const std::vector<double>& a) {
    current_ = &propagation_for(a);
    t0_ = t0;
    h_ = current_->h;
    inverse_h_ = current_->inverse_h;
    knot_count_ = 1;
    const double* start = x + block_.first_state;
    if (std::all_of(start, start + n_, [](double v) { return v == 0.0; })) {
        h_ = inverse_h_ = 0.0;  // it stays zero: knot 0 and its zero series serve every t
        std::fill(knots_.begin(), knots_.begin() + stride_, 0.0);
        std::fill(coefficients_.begin(), coefficients_.begin() + series_stride_, 0.0);
        return;
    }
    std::copy(start, start + n_, knots_.begin());
    double* c = coefficients_.data();  // knot 0's series
    for (int i : coupling_local_) {
        project16<0>(&current_->series_rows[static_cast<std::size_t>(i) * n_ * kTerms], knots_.data(), n_, c);
        c += kTerms;
    }
}

void LinearBlockPropagator::add_knots_through(long j) {
    if (j >= kMaxKnots) throw_too_many_knots();
    if (static_cast<std::size_t>(j + 1) * stride_ > knots_.size()) grow_knots(j);
    const double* knot_step = current_->knot_step.data();
    const double* series_rows = current_->series_rows.data();
    double* x = &knots_[static_cast<std::size_t>(knot_count_ - 1) * stride_];
    double* coefficients = &coefficients_[static_cast<std::size_t>(knot_count_) * series_stride_];
    for (; knot_count_ <= j; ++knot_count_, x += stride_, coefficients += series_stride_)
        step_knot_(knot_step, series_rows, coupling_local_, n_, stride_, x, x + stride_, coefficients);
}

void LinearBlockPropagator::grow_knots(long j) {
    while (static_cast<std::size_t>(j + 1) * stride_ > knots_.size()) {
        knots_.resize(2 * knots_.size());
        coefficients_.resize(2 * coefficients_.size());
    }
}

void LinearBlockPropagator::throw_too_many_knots() const {
    std::ostringstream msg;
    msg << "the linear block from state " << block_.first_state << " would need more than " << kMaxKnots
        << " knots after t = " << t0_ << " h (its fastest rate is about " << current_->norm
        << " /h); set solver.linear_blocks: stepped, with a stiff method for such rates (solver.method: rosenbrock4)";
    throw SolverError(msg.str());
}

void LinearBlockPropagator::fill_coupling_rate(double t, double* dxdt) {
    double s = 0.0;
    const long j = nearest_knot(t, s);
    const std::size_t m = block_.coupling.size();
    const double* series = coefficients_.data() + static_cast<std::size_t>(j) * series_stride_;
    for (std::size_t k = 0; k < m; ++k, series += kTerms) {
        double rate = 0.0;  // Horner on the derivative: sum of i c_i s^(i-1)
        for (int i = kTerms - 1; i >= 1; --i) rate = rate * s + i * series[i];
        dxdt[block_.coupling[k]] += rate;
    }
}

void LinearBlockPropagator::fill_all(double t, double* x) {
    double s = 0.0;
    const long j = nearest_knot(t, s);
    const double* knot = &knots_[static_cast<std::size_t>(j) * stride_];
    const double* rows = current_->series_rows.data();
    for (int i = 0; i < n_; ++i, rows += static_cast<std::size_t>(n_) * kTerms) {
        double series[kTerms];
        project16<0>(rows, knot, n_, series);
        x[block_.first_state + i] = series_value(series, s);
    }
}

}  // namespace mobsim
