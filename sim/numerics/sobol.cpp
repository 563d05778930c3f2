#include "sim/numerics/sobol.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mobsim {

namespace {

// Joe & Kuo's rows for dimensions 2-20: degree s of the primitive polynomial, its inner coefficients a (bits
// a_1 .. a_{s-1}, most significant first) and the initial direction integers m_1 .. m_s.
struct DirectionRow {
    int s;
    unsigned a;
    unsigned m[7];
};
constexpr DirectionRow kJoeKuo[kSobolMaxDimensions - 1] = {
    {1, 0, {1}},           {2, 1, {1, 3}},         {3, 1, {1, 3, 1}},       {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},  {4, 4, {1, 3, 5, 13}},  {5, 2, {1, 1, 5, 5, 17}}, {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}}, {5, 11, {1, 1, 5, 1, 1}}, {5, 13, {1, 1, 1, 3, 11}}, {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}}, {6, 13, {1, 1, 1, 15, 21, 21}}, {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}}, {6, 22, {1, 3, 1, 15, 13, 25}}, {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
};

constexpr int kBits = 32;

// v_k = m_k 2^(32-k) for k <= s, then v_k = v_{k-s} xor (v_{k-s} >> s) xor the a_l-selected v_{k-l}.
std::vector<std::uint32_t> direction_numbers(int dimension) {
    std::vector<std::uint32_t> v(kBits + 1, 0);
    if (dimension == 0) {  // all m_k = 1
        for (int k = 1; k <= kBits; ++k) v[k] = std::uint32_t{1} << (kBits - k);
        return v;
    }
    const DirectionRow& row = kJoeKuo[dimension - 1];
    for (int k = 1; k <= kBits; ++k) {
        if (k <= row.s) {
            v[k] = row.m[k - 1] << (kBits - k);
            continue;
        }
        v[k] = v[k - row.s] ^ (v[k - row.s] >> row.s);
        for (int l = 1; l < row.s; ++l)
            if ((row.a >> (row.s - 1 - l)) & 1u) v[k] ^= v[k - l];
    }
    return v;
}

}  // namespace

std::vector<std::vector<double>> sobol_points(int count, int dimensions) {
    if (dimensions < 1 || dimensions > kSobolMaxDimensions)
        throw std::invalid_argument("Sobol' points: " + std::to_string(dimensions) + " dimensions (1 to " +
                                    std::to_string(kSobolMaxDimensions) + " supported)");
    if (count < 0) throw std::invalid_argument("Sobol' points: negative count");
    std::vector<std::vector<std::uint32_t>> v;
    for (int j = 0; j < dimensions; ++j) v.push_back(direction_numbers(j));
    std::vector<std::uint32_t> x(static_cast<std::size_t>(dimensions), 0);
    std::vector<std::vector<double>> points;
    points.reserve(static_cast<std::size_t>(count));
    for (std::uint32_t i = 1; i <= static_cast<std::uint32_t>(count); ++i) {
        int c = 1;  // the rightmost zero bit of i - 1 (Gray code: point i differs from i - 1 there)
        for (std::uint32_t rest = i - 1; rest & 1u; rest >>= 1) ++c;
        std::vector<double> point(static_cast<std::size_t>(dimensions));
        for (int j = 0; j < dimensions; ++j) {
            x[static_cast<std::size_t>(j)] ^= v[static_cast<std::size_t>(j)][static_cast<std::size_t>(c)];
            point[static_cast<std::size_t>(j)] = x[static_cast<std::size_t>(j)] / 4294967296.0;
        }
        points.push_back(std::move(point));
    }
    return points;
}

}  // namespace mobsim
