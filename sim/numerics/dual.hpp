// Forward-mode automatic differentiation: a dual number carries a value and its derivatives along N directions.
// A right-hand side written once as a template on its scalar type gives its values with double and its exact
// Jacobian with Dual<N> (the approach of Stan Math's templated ODE functors: the same code for both). The models'
// Jacobians and the NLME predictions' parameter sensitivities (sim/studies/nlme_model.cpp, nlme_ode.hpp) use it.
// Branches compare values only, so a piecewise function is differentiated on the branch that is taken.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace mobsim {

template <int N>
struct Dual {
    static_assert(N > 0, "a dual number needs at least one direction");
    static constexpr int directions = N;
    double value = 0.0;
    std::array<double, N> d{};  // derivative along each direction

    Dual() = default;
    Dual(double v) : value(v) {}  // a constant: every derivative zero  NOLINT(google-explicit-constructor)
    // An independent variable: derivative 1 along `direction`, 0 along the others.
    static Dual variable(double v, int direction) {
        Dual x(v);
        x.d[direction] = 1.0;
        return x;
    }

    Dual& operator+=(const Dual& b) {
        value += b.value;
        for (int i = 0; i < N; ++i) d[i] += b.d[i];
        return *this;
    }
    Dual& operator-=(const Dual& b) {
        value -= b.value;
        for (int i = 0; i < N; ++i) d[i] -= b.d[i];
        return *this;
    }
    Dual& operator*=(const Dual& b) { return *this = *this * b; }
    Dual& operator/=(const Dual& b) { return *this = *this / b; }

    // value + u * d (chain rule through a function with derivative u at the value)
    friend Dual chain(double value, double u, const Dual& a) {
        Dual r(value);
        for (int i = 0; i < N; ++i) r.d[i] = u * a.d[i];
        return r;
    }
    friend Dual operator-(const Dual& a) { return chain(-a.value, -1.0, a); }
    friend Dual operator+(Dual a, const Dual& b) { return a += b; }
    friend Dual operator-(Dual a, const Dual& b) { return a -= b; }
    friend Dual operator*(const Dual& a, const Dual& b) {
        Dual r(a.value * b.value);
        for (int i = 0; i < N; ++i) r.d[i] = a.d[i] * b.value + a.value * b.d[i];
        return r;
    }
    friend Dual operator/(const Dual& a, const Dual& b) {
        const double q = a.value / b.value, inv = 1.0 / b.value;
        Dual r(q);
        for (int i = 0; i < N; ++i) r.d[i] = (a.d[i] - q * b.d[i]) * inv;
        return r;
    }
    // with a double on one side: cheaper than promoting it to a dual
    friend Dual operator+(Dual a, double b) { a.value += b; return a; }
    friend Dual operator+(double b, Dual a) { a.value += b; return a; }
    friend Dual operator-(Dual a, double b) { a.value -= b; return a; }
    friend Dual operator-(double b, const Dual& a) { return chain(b - a.value, -1.0, a); }
    friend Dual operator*(const Dual& a, double b) { return chain(a.value * b, b, a); }
    friend Dual operator*(double b, const Dual& a) { return chain(b * a.value, b, a); }
    friend Dual operator/(const Dual& a, double b) { return chain(a.value / b, 1.0 / b, a); }
    friend Dual operator/(double b, const Dual& a) {
        const double q = b / a.value;
        return chain(q, -q / a.value, a);
    }

    friend bool operator<(const Dual& a, const Dual& b) { return a.value < b.value; }
    friend bool operator>(const Dual& a, const Dual& b) { return a.value > b.value; }
    friend bool operator<=(const Dual& a, const Dual& b) { return a.value <= b.value; }
    friend bool operator>=(const Dual& a, const Dual& b) { return a.value >= b.value; }

    friend Dual exp(const Dual& a) {
        const double e = std::exp(a.value);
        return chain(e, e, a);
    }
    friend Dual log(const Dual& a) { return chain(std::log(a.value), 1.0 / a.value, a); }
    friend Dual sqrt(const Dual& a) {
        const double s = std::sqrt(a.value);
        return chain(s, 0.5 / s, a);
    }
    friend Dual pow(const Dual& a, double p) {
        const double v = std::pow(a.value, p);
        return chain(v, p * std::pow(a.value, p - 1.0), a);
    }
    friend Dual pow(double b, const Dual& a) {
        const double v = std::pow(b, a.value);
        return chain(v, v * std::log(b), a);
    }
    friend Dual pow(const Dual& a, const Dual& b) { return exp(b * log(a)); }
    friend Dual abs(const Dual& a) { return a.value < 0.0 ? -a : a; }
    friend Dual fabs(const Dual& a) { return abs(a); }
    friend Dual min(const Dual& a, const Dual& b) { return b.value < a.value ? b : a; }
    friend Dual max(const Dual& a, const Dual& b) { return a.value < b.value ? b : a; }
    friend Dual tanh(const Dual& a) {
        const double t = std::tanh(a.value);
        return chain(t, 1.0 - t * t, a);
    }
};

inline double value_of(double x) { return x; }
template <int N>
double value_of(const Dual<N>& x) {
    return x.value;
}

template <class T>
struct is_dual : std::false_type {};
template <int N>
struct is_dual<Dual<N>> : std::true_type {};

// The Jacobian J (row-major n x n) of f at x, where f(const T* x, T* dxdt) is a template on T written once:
// columns in chunks of Chunk directions, each chunk one evaluation of f with Dual<Chunk>. `dxdt` of f must be
// fully written. No allocation beyond two arrays of n duals on the stack when n <= MaxN.
template <int Chunk, int MaxN, class F>
void forward_jacobian(const F& f, int n, const double* x, double* J) {
    static_assert(MaxN > 0 && Chunk > 0, "sizes");
    using D = Dual<Chunk>;
    if (n > MaxN) throw std::logic_error("forward_jacobian: more states than MaxN");
    std::array<D, MaxN> xd, fd;
    for (int i = 0; i < n; ++i) xd[i] = D(x[i]);
    for (int first = 0; first < n; first += Chunk) {
        const int width = std::min(Chunk, n - first);
        for (int k = 0; k < width; ++k) xd[first + k].d[k] = 1.0;
        f(xd.data(), fd.data());
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < width; ++k) J[i * n + first + k] = fd[i].d[k];
        for (int k = 0; k < width; ++k) xd[first + k].d[k] = 0.0;
    }
}

}  // namespace mobsim
