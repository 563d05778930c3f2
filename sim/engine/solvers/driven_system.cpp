#include "sim/engine/solvers/driven_system.hpp"

#include <cmath>

namespace mobsim::solvers {

void DrivenSystem::set_stepped(std::vector<int> states) {
    stepped = std::move(states);
    stepped_runs.clear();
    for (std::size_t k = 0; k < stepped.size(); ++k) {
        if (k > 0 && stepped[k] == stepped[k - 1] + 1) ++stepped_runs.back().second;
        else stepped_runs.push_back({stepped[k], 1});
    }
}

bool DrivenSystem::stepped_jacobian(double t, const double* s, double* jac, double* dfdt) const {
    const std::size_t n = full.size(), m = stepped.size();
    auto& [model_jac, model_dfdt, rate] = jacobian_work;
    model_jac.resize(n * n);
    model_dfdt.resize(n);
    rate.assign(n, 0.0);
    unpack(s, full.data());
    write_coupling(t, full.data());
    for (auto& b : blocks) b.fill_coupling_rate(t, rate.data());
    if (!model.jacobian(t, full.data(), model_jac.data(), model_dfdt.data())) return false;
    for (std::size_t k = 0; k < m; ++k) {
        const double* row = &model_jac[static_cast<std::size_t>(stepped[k]) * n];
        dfdt[k] = model_dfdt[stepped[k]];
        for (int c : coupling_states) dfdt[k] += row[c] * rate[c];
        for (std::size_t l = 0; l < m; ++l) jac[k * m + l] = row[stepped[l]];
    }
    return true;
}

void DrivenSystem::jacobian(double t, const double* s, double* jac, double* dfdt) const {
    ++jacobian_count;
    if (stepped_jacobian(t, s, jac, dfdt)) return;
    const std::size_t n = size();
    auto& [f0, f1, xp] = finite_difference_work;
    f0.resize(n);
    f1.resize(n);
    xp.assign(s, s + n);
    (*this)(xp.data(), f0.data(), t);
    for (std::size_t j = 0; j < n; ++j) {
        const double h = 1.49e-8 * std::max(std::abs(xp[j]), 1e-6);
        const double saved = xp[j];
        xp[j] = saved + h;
        (*this)(xp.data(), f1.data(), t);
        for (std::size_t i = 0; i < n; ++i) jac[i * n + j] = (f1[i] - f0[i]) / h;
        xp[j] = saved;
    }
    const double ht = 1.49e-8 * std::max(std::abs(t), 1.0);
    (*this)(xp.data(), f1.data(), t + ht);
    for (std::size_t i = 0; i < n; ++i) dfdt[i] = (f1[i] - f0[i]) / ht;
}

void DrivenSystem::restart_blocks(double t, const double* x) {
    coupling_time = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> a;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const int n = blocks[b].block().size;
        a.assign(static_cast<std::size_t>(n) * n, 0.0);
        model.linear_block_matrix(block_ids[b], t, a.data());
        blocks[b].restart(t, x, a);
    }
}

void add_linear_blocks(DrivenSystem& driven, const std::vector<Action>& actions) {
    const auto blocks = driven.model.linear_blocks();
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const LinearBlock& block = blocks[b];
        const bool infused = std::any_of(actions.begin(), actions.end(), [&](const Action& a) {
            return a.rate_change != 0.0 && a.state >= block.first_state && a.state < block.first_state + block.size;
        });
        if (infused) continue;
        driven.blocks.emplace_back(block);
        driven.block_ids.push_back(static_cast<int>(b));
        driven.coupling_states.insert(driven.coupling_states.end(), block.coupling.begin(), block.coupling.end());
        driven.coupling_values.resize(driven.coupling_states.size());
        const auto in_block = [&](int i) { return i >= block.first_state && i < block.first_state + block.size; };
        std::vector<int> stepped = driven.stepped;
        stepped.erase(std::remove_if(stepped.begin(), stepped.end(), in_block), stepped.end());
        driven.set_stepped(std::move(stepped));
    }
}

}  // namespace mobsim::solvers
