// exp of several values at once. On x86-64 with AVX2 and glibc, when the build links libmvec (CMakeLists.txt),
// this calls its 4-lane exp (the x86-64 vector function ABI; glibc lists it within 1 ulp of the exact result),
// else std::exp value by value.
// A model whose right-hand side needs a few exponentials per evaluation saves most of their cost this way.
#pragma once
#include <algorithm>
#include <cmath>

#if defined(MOBSIM_HAVE_LIBMVEC) && defined(__x86_64__) && defined(__AVX2__) && defined(__GLIBC__)
#include <immintrin.h>
extern "C" __m256d _ZGVdN4v_exp(__m256d);  // libmvec
#define MOBSIM_VECTOR_EXP 1
#endif

namespace mobsim {

// y[i] = exp(x[i]) for i < n; x and y may be the same array. Fastest when n is a multiple of 4.
inline void exp_array(const double* x, double* y, int n) {
#ifdef MOBSIM_VECTOR_EXP
    int i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_exp(_mm256_loadu_pd(x + i)));
    if (i < n) {
        double lanes[4] = {};
        std::copy(x + i, x + n, lanes);
        _mm256_storeu_pd(lanes, _ZGVdN4v_exp(_mm256_loadu_pd(lanes)));
        std::copy(lanes, lanes + (n - i), y + i);
    }
#else
    for (int i = 0; i < n; ++i) y[i] = std::exp(x[i]);
#endif
}

}  // namespace mobsim
