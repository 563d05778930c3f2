// What the drug blocks share: the dual scalar of Jacobian passes and the exact matrix of a linear right-hand side.
// A block becomes a component (models/component.hpp), composed alone or into a larger model.
#pragma once
#include <array>
#include <vector>

#include "sim/engine/model.hpp"
#include "sim/numerics/dual.hpp"

namespace mobsim::models {

// The scalar of a model's Jacobian pass: eight directions (columns) per evaluation of its templated rhs.
using JacobianDual = Dual<8>;

// The matrix of a right-hand side that is linear in N states: column j is f(e_j), exactly. `rhs(x, dxdt)` adds
// its terms to a zeroed dxdt. Written row-major into a sub-block of a larger matrix (leading dimension ld),
// without allocation, so a Jacobian can use it on every call.
template <int N, class LinearRhs>
void linear_submatrix(const LinearRhs& rhs, double* a, int ld) {
    std::array<double, N> unit{}, column{};
    for (int j = 0; j < N; ++j) {
        unit[j] = 1.0;
        column.fill(0.0);
        rhs(unit.data(), column.data());
        unit[j] = 0.0;
        for (int i = 0; i < N; ++i) a[i * ld + j] = column[i];
    }
}

}  // namespace mobsim::models
