// Exact propagation of a linear block (x' = A x, A constant between actions) for the solver.
// Knots every h carry the exact state, advanced by exp(A h); between knots the state comes from the Taylor
// series of exp(A s) about the nearest knot (|s| <= h/2), with h set so the truncation stays below 1e-14 |x|.
#pragma once
#include <vector>

#include "model.hpp"

namespace mobsim {

class LinearBlockPropagator {
public:
    explicit LinearBlockPropagator(LinearBlock block);
    const LinearBlock& block() const { return block_; }

    // Starts a segment at t0 from the block states in the full state x, under matrix a (row-major).
    void restart(double t0, const double* x, const std::vector<double>& a);
    // Writes the coupling states at time t (in the current segment) into the full state x.
    // Cost: one polynomial of degree 15 per coupling state.
    void fill_coupling(double t, double* x);
    // Adds the time derivative of each coupling state at t into dxdt (the derivative of the same series).
    void fill_coupling_rate(double t, double* dxdt);
    // Writes every block state at time t (in the current segment) into x.
    void fill_all(double t, double* x);

private:
    static constexpr int kOrder = 15;  // degree of the series
    static constexpr long kMaxKnots = 200000;  // per segment (~40 MB for a 7-state block); beyond: SolverError
    struct Propagation {               // what depends on the matrix only
        std::vector<double> a, knot_step;  // A and exp(A h)
        double h = 0.0, inverse_h = 0.0, norm = 0.0;
        std::vector<double> coupling_rows;  // row of A^k / k! per coupling state, transposed: [state][k]
    };
    const Propagation& propagation_for(const std::vector<double>& a);
    long nearest_knot(double t, double& offset);  // computes knots up to the one returned
    void add_knot();       // steps the state one knot ahead
    void append_series();  // series coefficients of the coupling states at the newest knot

    LinearBlock block_;
    int n_;
    std::vector<Propagation> cache_;  // matrices seen so far (e.g. before and after a switch)
    const Propagation* current_ = nullptr;
    double t0_ = 0.0;
    bool zero_ = false;  // the segment started from a zero state, so it stays zero
    std::vector<double> knots_;         // n per knot, knots 0..knot_count_-1 of the segment
    long knot_count_ = 0;
    std::vector<double> coefficients_;  // (kOrder + 1) per coupling state per knot
    std::vector<double> work_a_, work_b_;
};

}  // namespace mobsim
