// Matrix exponential of a small dense matrix (row-major n x n), for exact propagation of linear blocks.
#pragma once
#include <vector>

namespace mobsim {

// exp(a) by scaling and squaring of a Taylor polynomial: a is scaled by 2^-s until its 1-norm is at most
// 1/2, where 18 Taylor terms leave a truncation below 1e-20 relative, then squared s times.
std::vector<double> matrix_exponential(const std::vector<double>& a, int n);

// Maximum absolute row sum (the infinity norm) of a row-major n x n matrix.
double infinity_norm(const std::vector<double>& a, int n);

// Infinity norm of a^(2^squarings), by repeated squaring.
double infinity_norm_of_power(const std::vector<double>& a, int n, int squarings);

}  // namespace mobsim
