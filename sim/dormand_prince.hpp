// Dormand-Prince 5(4) with error control and the 4th-order continuous extension (Hairer, Norsett & Wanner,
// Solving ODE I, II.4-II.6), stepping a model-sized state in place.
// Only the `runs` of the state are integrated; the system may write the other entries of a stage state (the
// solver keeps exactly propagated coupling states there), and they never enter the arithmetic or the error.
// The step-size control matches Boost.Odeint's controlled dopri5 (default_error_checker, default_step_adjuster),
// so both take the same steps up to rounding.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

namespace mobsim {

// System: void operator()(double t, double* x, double* dxdt): dxdt = f(t, x) on the stepped entries; it may
// overwrite entries of x outside the runs.
template <class System>
class DormandPrince {
public:
    using Runs = std::vector<std::pair<int, int>>;  // (first, count)

    // tolerance_scale: n factors on atol and rtol, one per state (null: 1 for every state).
    DormandPrince(std::size_t n, Runs runs, double atol, double rtol, const double* tolerance_scale = nullptr)
        : work_runs_(std::move(runs)), atol_(atol), rtol_(rtol), n_(n) {
        // A run that ends the state is padded to whole 4-lane vectors: the padding stays zero in every slot,
        // so it adds 0 / atol to the error norm and spares the loops their scalar remainders.
        std::size_t stride = n;
        if (!work_runs_.empty() && static_cast<std::size_t>(work_runs_.back().first + work_runs_.back().second) == n &&
            atol > 0.0) {
            work_runs_.back().second = (work_runs_.back().second + 3) / 4 * 4;
            stride = static_cast<std::size_t>(work_runs_.back().first + work_runs_.back().second);
        }
        padded_size_ = stride;
        inverse_scale_.assign(stride, 1.0);
        if (tolerance_scale)
            for (std::size_t i = 0; i < n; ++i) inverse_scale_[i] = 1.0 / tolerance_scale[i];
        buffer_.assign(9 * stride, 0.0);
        for (int s = 0; s < 9; ++s) slot_[s] = buffer_.data() + s * stride;
    }
    // The model-sized state plus the padding of its last stepped run: what interpolate() may write.
    std::size_t padded_size() const { return padded_size_; }

    // Starts from the model-sized state x at t with a first trial step dt; the derivative is evaluated anew.
    void initialize(const double* x, double t, double dt) {
        std::copy(x, x + n_, x0());
        t_ = t;
        t_old_ = t;
        dt_ = dt;
        derivative_current_ = false;
    }
    // The next step tries dt, keeping the derivative at the current point (for landing on a segment end).
    void limit_step(double dt) { dt_ = dt; }
    // Goes on from the current state, now labelled t (a segment end, equal up to rounding), with a first trial
    // step dt; the derivative there is kept. For a new segment whose right-hand side continues the last one's.
    void resume(double t, double dt) {
        t_ = t;
        dt_ = dt;
    }

    // One accepted step. False after 500 rejections in a row (the step size underflows).
    bool step(System& f) {
        if (!derivative_current_) {
            f(t_, x0(), k1());
            derivative_current_ = true;
        }
        for (int rejected = 0; rejected < 500; ++rejected) {
            const double h = dt_;
            stages(f, h);
            const double err = error_norm(h);
            if (err > 1.0) {
                dt_ = h * std::max(0.9 * std::pow(err, -1.0 / 3.0), 0.2);
                continue;
            }
            t_old_ = t_;
            t_ += h;
            if (err < 0.5) dt_ = h * 0.9 * std::pow(std::max(err, 3.2e-4), -0.2);  // at most 5x: 5^-5 = 3.2e-4
            std::swap(slot_[kX0], slot_[kX1]);  // the new state becomes current, the old one stays for dense output
            std::swap(slot_[kK1], slot_[kK7]);  // first same as last
            return true;
        }
        return false;
    }

    double time() const { return t_; }
    double previous_time() const { return t_old_; }
    double step_size() const { return dt_; }
    const double* state() const { return slot_[kX0]; }
    // True if every stepped entry of the state is finite.
    bool state_finite() const {
        const double* x = slot_[kX0];
        double probe = 0.0;  // x * 0 is 0 for finite x, NaN otherwise
        for (const auto& [first, count] : work_runs_) {
            const int end = first + count;
#pragma omp simd reduction(+ : probe)
            for (int i = first; i < end; ++i) probe += x[i] * 0.0;
        }
        return probe == 0.0;
    }

    // Stepped entries of the state at t in [previous_time(), time()] into out, from the last step's stages.
    // out holds padded_size() entries: the padding of the last run is written too (zeros).
    void interpolate(double t, double* out) const {
        const double h = t_ - t_old_, theta = (t - t_old_) / h;
        const double theta_m1 = theta - 1.0, theta_sq = theta * theta;
        const double a = theta_sq * (3.0 - 2.0 * theta), b = theta_sq * theta_m1;
        const double c = theta_sq * theta_m1 * theta_m1, d = theta * theta_m1 * theta_m1;
        const double x1 = 5.0 * (2558722523.0 - 31403016.0 * theta) / 11282082432.0;
        const double x3 = 100.0 * (882725551.0 - 15701508.0 * theta) / 32700410799.0;
        const double x4 = 25.0 * (443332067.0 - 31403016.0 * theta) / 1880347072.0;
        const double x5 = 32805.0 * (23143187.0 - 3489224.0 * theta) / 199316789632.0;
        const double x6 = 55.0 * (29972135.0 - 7076736.0 * theta) / 822651844.0;
        const double x7 = 10.0 * (7414447.0 - 829305.0 * theta) / 29380423.0;
        const double w1 = h * (a * kB1 - c * x1 + d), w3 = h * (a * kB3 + c * x3), w4 = h * (a * kB4 - c * x4);
        const double w5 = h * (a * kB5 + c * x5), w6 = h * (a * kB6 - c * x6), w7 = h * (b + c * x7);
        // after step(), slot kX1 holds the old state, kK7 the old first stage and kK1 the new derivative
        const double *x = slot_[kX1], *k1 = slot_[kK7], *k3 = slot_[kK3], *k4 = slot_[kK4], *k5 = slot_[kK5],
                     *k6 = slot_[kK6], *k7 = slot_[kK1];
        combine<6>(work_runs_, out, x, {w1, w3, w4, w5, w6, w7}, {k1, k3, k4, k5, k6, k7});
    }

private:
    enum Slot { kX0, kX1, kTmp, kK1, kK3, kK4, kK5, kK6, kK7 };  // k2 shares kK7's slot until stage 7
    static constexpr double kB1 = 35.0 / 384, kB3 = 500.0 / 1113, kB4 = 125.0 / 192, kB5 = -2187.0 / 6784,
                            kB6 = 11.0 / 84;

    double* x0() { return slot_[kX0]; }
    double* k1() { return slot_[kK1]; }

    // out = base + sum_j w[j] k[j] on [first, end) (base may be null: zero). The buffers never overlap.
    template <int K>
    static void combine_run(int first, int end, double* __restrict out, const double* __restrict base,
                            const double (&w)[K], const double* const (&k)[K]) {
        for (int i = first; i < end; ++i) {
            double sum = base ? base[i] : 0.0;
            for (int j = 0; j < K; ++j) sum += w[j] * k[j][i];
            out[i] = sum;
        }
    }
    // The same over runs, in whole 4-lane vectors where a run allows it (the padded one).
    typedef double Quad __attribute__((vector_size(32)));  // two 2-lane halves on SSE2 builds
    static Quad load(const double* p) {
        Quad v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
    template <int K>
    static void combine(const Runs& runs, double* __restrict out, const double* __restrict base,
                        const double (&w)[K], const double* const (&k)[K]) {
        for (const auto& [first, count] : runs) {
            if (count % 4 != 0) {
                combine_run<K>(first, first + count, out, base, w, k);
                continue;
            }
            Quad weight[K];
            for (int j = 0; j < K; ++j) weight[j] = Quad{w[j], w[j], w[j], w[j]};
            for (int i = first; i < first + count; i += 4) {
                Quad sum = base ? load(base + i) : Quad{};
                for (int j = 0; j < K; ++j) sum += weight[j] * load(k[j] + i);
                std::memcpy(out + i, &sum, sizeof sum);
            }
        }
    }

    // Stages 2-7 from x0 and k1 over h: the new state into kX1, k7 = f(t + h, x1) into kK7, the error into kTmp.
    void stages(System& f, double h) {
        const double *x = slot_[kX0], *k1 = slot_[kK1];
        double *tmp = slot_[kTmp], *k2 = slot_[kK7], *k3 = slot_[kK3], *k4 = slot_[kK4], *k5 = slot_[kK5],
               *k6 = slot_[kK6], *x1 = slot_[kX1];
        const double t = t_;
        combine<1>(work_runs_, tmp, x, {h * 0.2}, {k1});
        f(t + 0.2 * h, tmp, k2);
        combine<2>(work_runs_, tmp, x, {h * (3.0 / 40), h * (9.0 / 40)}, {k1, k2});
        f(t + 0.3 * h, tmp, k3);
        combine<3>(work_runs_, tmp, x, {h * (44.0 / 45), h * (-56.0 / 15), h * (32.0 / 9)}, {k1, k2, k3});
        f(t + 0.8 * h, tmp, k4);
        combine<4>(work_runs_, tmp, x,
                   {h * (19372.0 / 6561), h * (-25360.0 / 2187), h * (64448.0 / 6561), h * (-212.0 / 729)},
                   {k1, k2, k3, k4});
        f(t + 8.0 / 9 * h, tmp, k5);
        combine<5>(work_runs_, tmp, x,
                   {h * (9017.0 / 3168), h * (-355.0 / 33), h * (46732.0 / 5247), h * (49.0 / 176),
                    h * (-5103.0 / 18656)},
                   {k1, k2, k3, k4, k5});
        f(t + h, tmp, k6);
        combine<5>(work_runs_, x1, x, {h * kB1, h * kB3, h * kB4, h * kB5, h * kB6}, {k1, k3, k4, k5, k6});
        double* k7 = slot_[kK7];  // k2 is no longer needed
        f(t + h, x1, k7);
        constexpr double e1 = kB1 - 5179.0 / 57600, e3 = kB3 - 7571.0 / 16695, e4 = kB4 - 393.0 / 640,
                         e5 = kB5 + 92097.0 / 339200, e6 = kB6 - 187.0 / 2100, e7 = -1.0 / 40;
        combine<6>(work_runs_, tmp, nullptr, {h * e1, h * e3, h * e4, h * e5, h * e6, h * e7},
                   {k1, k3, k4, k5, k6, k7});
    }

    // max_i |err_i| / (s_i (atol + rtol (|x_i| + h |k1_i|))), as Boost.Odeint's default_error_checker when every
    // tolerance scale s_i is 1
    double error_norm(double h) const {
        const double *err = slot_[kTmp], *x = slot_[kX0], *k1 = slot_[kK1], *inverse_scale = inverse_scale_.data();
        double worst = 0.0;
        for (const auto& [first, count] : work_runs_) {
            const int end = first + count;
#pragma omp simd reduction(max : worst)
            for (int i = first; i < end; ++i)
                worst = std::max(worst, std::abs(err[i]) * inverse_scale[i] /
                                            (atol_ + rtol_ * (std::abs(x[i]) + h * std::abs(k1[i]))));
        }
        return worst;
    }

    Runs work_runs_;  // the stepped entries, the run that ends the state padded
    double atol_, rtol_;
    std::size_t n_, padded_size_ = 0;
    std::vector<double> inverse_scale_;  // 1 / tolerance scale, padded_size_ entries
    std::vector<double> buffer_;
    double* slot_[9] = {};
    double t_ = 0.0, t_old_ = 0.0, dt_ = 0.0;
    bool derivative_current_ = false;
};

}  // namespace mobsim
