// Exact propagation of a linear block (x' = A x, A constant between actions) for the solver.
// Knots every h carry the exact state, advanced by exp(A h); between knots the state comes from the Taylor
// series of exp(A s) about the nearest knot (|s| <= h/2), with h set so the truncation stays below 1e-14 |x|.
#pragma once
#include <algorithm>
#include <cstring>
#include <vector>

#include "sim/engine/model.hpp"

namespace mobsim {

class LinearBlockPropagator {
public:
    explicit LinearBlockPropagator(LinearBlock block);
    const LinearBlock& block() const { return block_; }

    // Starts a segment at t0 from the block states in the full state x, under matrix a (row-major).
    void restart(double t0, const double* x, const std::vector<double>& a);
    // Writes the coupling states at time t (in the current segment) into the full state x.
    // Cost: one polynomial of degree 15 per coupling state. Inline: the solver calls it on every evaluation.
    void fill_coupling(double t, double* x) {
        double s = 0.0;
        const long j = nearest_knot(t, s);
        const double* series = coefficients_.data() + static_cast<std::size_t>(j) * series_stride_;
        if (block_.coupling.size() == 1) {
            x[block_.coupling[0]] = series_value(series, s);
            return;
        }
        for (int i : block_.coupling) {
            x[i] = series_value(series, s);
            series += kTerms;
        }
    }
    // Adds the time derivative of each coupling state at t into dxdt (the derivative of the same series).
    void fill_coupling_rate(double t, double* dxdt);
    // Writes every block state at time t (in the current segment) into x.
    // Cost: one polynomial of degree 15 per state, after n x 16 x n multiply-adds for its coefficients.
    void fill_all(double t, double* x);

private:
    static constexpr int kTerms = 16;  // of the series (degree 15)
    // c[0] + c[1] s + ... + c[15] s^15 (c: kTerms values)
    static double series_value(const double* c, double s);
    static constexpr long kMaxKnots = 200000;  // per segment (~40 MB for a 7-state block); beyond: SolverError
    struct Propagation {               // what depends on the matrix only
        std::vector<double> a;         // A as given, row-major: the cache key
        std::vector<double> knot_step;  // exp(A h) by columns, each padded to stride_ entries
        double h = 0.0, inverse_h = 0.0, norm = 0.0;
        // (A^k / k!)_ij at [(i n + j) kTerms + k]: row i of the series of exp(A s), one run of kTerms per j
        std::vector<double> series_rows;
    };
    const Propagation& propagation_for(const std::vector<double>& a);
    // The knot nearest to t (computed if needed) and the offset of t from it.
    long nearest_knot(double t, double& offset) {
        const double elapsed = t - t0_;
        const long j = static_cast<long>(std::max(elapsed, 0.0) * inverse_h_ + 0.5);
        offset = elapsed - j * h_;
        if (j >= knot_count_) add_knots_through(j);
        return j;
    }
    void add_knots_through(long j);  // the knots up to j, each with its coupling states' series
    void grow_knots(long j);          // room for knots up to j
    [[noreturn]] void throw_too_many_knots() const;
    // One knot ahead: the state at the next knot and its coupling states' series (compiled per block size).
    using KnotStepper = void (*)(const double* knot_step, const double* series_rows, const std::vector<int>& coupling,
                                 int n, int stride, const double* x, double* next, double* coefficients);
    static KnotStepper knot_stepper_for(int n);

    LinearBlock block_;
    int n_;
    int stride_;  // n_ rounded up to a multiple of 4: knot states and knot_step columns are padded to it
    KnotStepper step_knot_;
    std::vector<int> coupling_local_;  // coupling states as indices within the block
    std::size_t series_stride_ = 0;     // series coefficients per knot: kTerms per coupling state
    std::vector<Propagation> cache_;  // matrices seen so far (e.g. before and after a switch)
    const Propagation* current_ = nullptr;
    double t0_ = 0.0;
    // The current knot spacing; both 0 when A^16 = 0 or the segment starts from zero: one knot serves all t.
    double h_ = 0.0, inverse_h_ = 0.0;
    long knot_count_ = 0;
    // Knots 0..knot_count_-1 of the segment: stride_ per knot, then kTerms per coupling state per knot.
    // Both only grow (by doubling), so appending a knot does not allocate.
    std::vector<double> knots_;
    std::vector<double> coefficients_;
};

// Two doubles in one register (a GCC and Clang vector extension), so the polynomial compiles to packed arithmetic
// on any x86-64 (SSE2). As E(s^2) + s O(s^2), with the even coefficients E in one lane and the odd ones O in the
// other, each of degree 7 in u = s^2 by Estrin's scheme (pairs combine with u, then with u^2, then u^4): the
// dependency chain is 4 deep instead of 15 as in Horner's rule.
inline double LinearBlockPropagator::series_value(const double* c, double s) {
    typedef double Pair __attribute__((vector_size(16)));
    const auto load = [](const double* p) {
        Pair v;
        std::memcpy(&v, p, sizeof v);
        return v;
    };
    const double u = s * s, u2 = u * u, u4 = u2 * u2;
    const Pair pu = {u, u}, pu2 = {u2, u2}, pu4 = {u4, u4};
    Pair q[4];  // lanes: even and odd coefficients
    for (int i = 0; i < 4; ++i) q[i] = load(c + 4 * i) + load(c + 4 * i + 2) * pu;
    const Pair r0 = q[0] + q[1] * pu2, r1 = q[2] + q[3] * pu2;
    const Pair even_odd = r0 + r1 * pu4;
    return even_odd[0] + s * even_odd[1];
}

}  // namespace mobsim
