// Model files: the C++ text of the generated code's exp (in namespace mf, after <cmath>). Kept apart from the
// generator so that each file stays short; it is text, compiled only into generated model libraries.
#pragma once

namespace mobsim::model_file {

// exp inline, without the library call (a right-hand side may take several per evaluation): 2^n e^r with
// n = round(a / ln 2), r = a - n ln 2 (ln 2 in two parts, Cody-Waite), e^r by its Taylor series to degree 13
// (|r| <= 0.35: truncation below 1e-17), 2^n from its exponent bits. Within 2 ulp of std::exp (tested); the
// library where 2^n would leave the normal range, and for infinities and NaN. exp_n takes several at once: the
// generator gathers a right-hand side's independent exps into one call, 4 lanes at a time with AVX2.
inline constexpr const char* kExp = R"(
constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
template <class V, class Fma, class Splat>
__attribute__((always_inline)) inline V exp_series(V r, Fma fma, Splat splat) {  // e^r, |r| <= 0.35: Horner on 1/k!
    V e = fma(r, splat(1.0 / 6227020800.0), splat(1.0 / 479001600.0));  // written out: no loop at -O2
    e = fma(e, r, splat(1.0 / 39916800.0)), e = fma(e, r, splat(1.0 / 3628800.0)), e = fma(e, r, splat(1.0 / 362880.0));
    e = fma(e, r, splat(1.0 / 40320.0)), e = fma(e, r, splat(1.0 / 5040.0)), e = fma(e, r, splat(1.0 / 720.0));
    e = fma(e, r, splat(1.0 / 120.0)), e = fma(e, r, splat(1.0 / 24.0)), e = fma(e, r, splat(1.0 / 6.0));
    e = fma(e, r, splat(0.5)), e = fma(e, r, splat(1.0));
    return fma(e, r, splat(1.0));
}
__attribute__((always_inline)) inline double exp(double a) {
    if (!(std::fabs(a) < 700.0)) return std::exp(a);
    const double n = std::fma(a, 1.4426950408889634, kShifter) - kShifter;
    const double r = std::fma(n, -1.9082149292705877e-10, std::fma(n, -0.69314718036912382, a));
    const double e = exp_series(r, [](double x, double y, double z) { return std::fma(x, y, z); }, [](double c) { return c; });
    const long long bits = static_cast<long long>(n + 1023.0) << 52;
    double scale;
    __builtin_memcpy(&scale, &bits, sizeof scale);
    return e * scale;
}
template <class T>
void exp_n(const T* a, T* y, int k) {
    for (int i = 0; i < k; ++i) y[i] = exp(a[i]);
}
#if defined(__AVX2__) && defined(__FMA__)
__attribute__((always_inline)) inline void exp_n(const double* a, double* y, int k) {  // k a multiple of 4 (the generator pads)
    for (int i = 0; i < k; i += 4) {
        const __m256d x = _mm256_loadu_pd(a + i), shifter = _mm256_set1_pd(kShifter);
        const __m256d kd = _mm256_fmadd_pd(x, _mm256_set1_pd(1.4426950408889634), shifter);
        const __m256d n = _mm256_sub_pd(kd, shifter);  // the bits of kd hold n in their low part
        __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(0.69314718036912382), x);
        r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.9082149292705877e-10), r);
        const __m256d e = exp_series(r, [](__m256d p, __m256d q, __m256d s) { return _mm256_fmadd_pd(p, q, s); },
                                     [](double c) { return _mm256_set1_pd(c); });
        const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(kd), _mm256_set1_epi64x(1023)), 52);
        _mm256_storeu_pd(y + i, _mm256_mul_pd(e, _mm256_castsi256_pd(bits)));
        const __m256d magnitude = _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);  // |x|; NaN compares false
        if (_mm256_movemask_pd(_mm256_cmp_pd(magnitude, _mm256_set1_pd(700.0), _CMP_LT_OQ)) != 0xF)
            for (int j = i; j < i + 4; ++j) y[j] = exp(a[j]);  // rare: the library's range ends, NaN
    }
}
#endif
)";

}  // namespace mobsim::model_file
