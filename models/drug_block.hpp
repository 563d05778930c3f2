// A drug's PK as a reusable block: its states, parameters and right-hand side at given offsets,
// so that a standalone PK model and the combined trial model share one implementation.
#pragma once
#include <array>
#include <vector>

#include "sim/engine/model.hpp"
#include "sim/numerics/dual.hpp"

namespace mobsim::models {

// The scalar of a model's Jacobian pass: eight directions (columns) per evaluation of its templated rhs.
using JacobianDual = Dual<8>;

// Where a block's states and parameters sit inside a larger model.
struct BlockOffsets {
    int state = 0;
    int parameter = 0;
};

// Appends `block` metadata to a model's lists and returns where it landed.
template <class Block>
BlockOffsets append_block(std::vector<StateInfo>& states, std::vector<ParameterInfo>& parameters) {
    BlockOffsets at{static_cast<int>(states.size()), static_cast<int>(parameters.size())};
    for (const auto& s : Block::state_infos()) states.push_back(s);
    for (const auto& p : Block::parameter_infos()) parameters.push_back(p);
    return at;
}

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
