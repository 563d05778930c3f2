// Reusable compartment building blocks for right-hand sides. Each adds its flows to dxdt;
// a model's rhs() is a sum of blocks plus whatever nonlinear terms it needs. Templates on the scalar type, so a
// right-hand side built from them also runs on dual numbers (sim/numerics/dual.hpp) for its Jacobian.
#pragma once

namespace mobsim::pk {

// First-order transfer of rate constant k (1/h) from compartment `from` to `to` (to < 0: out of the system).
template <class T>
void transfer(const T* x, T* dxdt, int from, int to, double k) {
    const T flow = k * x[from];
    dxdt[from] -= flow;
    if (to >= 0) dxdt[to] += flow;
}

// Depot with first-order absorption ka into `central`.
template <class T>
void absorption(const T* x, T* dxdt, int depot, int central, double ka) {
    transfer(x, dxdt, depot, central, ka);
}

// Linear elimination CL/V from `central`; returns the eliminated flow (amount/h).
template <class T>
T elimination(const T* x, T* dxdt, int central, double clearance, double volume) {
    const T flow = clearance / volume * x[central];
    dxdt[central] -= flow;
    return flow;
}

// Inter-compartmental distribution with clearance Q between central (V1) and peripheral (V2).
template <class T>
void distribution(const T* x, T* dxdt, int central, int peripheral, double q, double v1, double v2) {
    const T flow = q * (x[central] / v1 - x[peripheral] / v2);
    dxdt[central] -= flow;
    dxdt[peripheral] += flow;
}

// Chain of n compartments first..first+n-1 with rate ktr between neighbours; the last drains into `to`.
template <class T>
void transit_chain(const T* x, T* dxdt, int first, int n, int to, double ktr) {
    for (int i = 0; i < n; ++i) transfer(x, dxdt, first + i, i + 1 < n ? first + i + 1 : to, ktr);
}

}  // namespace mobsim::pk
