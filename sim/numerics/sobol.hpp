// Sobol' low-discrepancy points with the direction numbers of Joe & Kuo (SIAM J Sci Comput 2008;30:2635, the
// new-joe-kuo-6.21201 set), generated in Gray-code order (Antonov & Saleev 1979).
#pragma once
#include <vector>

namespace mobsim {

constexpr int kSobolMaxDimensions = 20;

// Points 1..count of the unscrambled sequence (point 0, the origin, is skipped: it lies on every lower bound),
// each in [0, 1)^dimensions, 32-bit resolution. Throws std::invalid_argument for dimensions outside
// 1..kSobolMaxDimensions or count outside 0..2^31 - 1.
std::vector<std::vector<double>> sobol_points(int count, int dimensions);

}  // namespace mobsim
