// A drug's PK as a reusable block: its states, parameters and right-hand side at given offsets,
// so that a standalone PK model and the combined trial model share one implementation.
#pragma once
#include <algorithm>
#include <array>
#include <vector>

#include "sim/model.hpp"

namespace mobsim::models {

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

// The matrix (row-major n x n) of a right-hand side that is linear in the state: column j is f(e_j), exactly.
// `rhs(x, dxdt)` adds its terms to a zeroed dxdt.
template <class LinearRhs>
void linear_matrix(int n, const LinearRhs& rhs, double* a) {
    std::vector<double> unit(n, 0.0), column(n);
    for (int j = 0; j < n; ++j) {
        unit[j] = 1.0;
        std::fill(column.begin(), column.end(), 0.0);
        rhs(unit.data(), column.data());
        unit[j] = 0.0;
        for (int i = 0; i < n; ++i) a[i * n + j] = column[i];
    }
}

// The same for a block of N states, written into a sub-block of a larger matrix (leading dimension ld);
// no allocation, so a Jacobian can use it on every call.
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
