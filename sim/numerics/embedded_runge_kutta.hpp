// Explicit embedded Runge-Kutta pairs of order 5(4) with seven stages, the seventh evaluated at the new point and
// reused as the next step's first (FSAL), with error control and a 4th-order continuous extension, stepping a
// model-sized state in place. A tableau struct supplies the coefficients; two are below.
// Only the `runs` of the state are integrated; the system may write the other entries of a stage state (the
// solver keeps exactly propagated coupling states there), and they never enter the arithmetic or the error.
// The step-size control matches Boost.Odeint's controlled dopri5 (default_error_checker, default_step_adjuster),
// so with Dormand-Prince's tableau both take the same steps up to rounding.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>

namespace mobsim {

// Dormand & Prince's 5(4) pair (J. Comput. Appl. Math. 6:19, 1980) with Shampine's continuous extension, as in
// Hairer, Norsett & Wanner, Solving ODE I (2nd ed.), II.5 and II.6 (DOPRI5, CONTD5).
struct DormandPrince5Tableau {
    static constexpr double c[7] = {0.0, 0.2, 0.3, 0.8, 8.0 / 9, 1.0, 1.0};
    // a[i][j], j < i; row 6 is the 5th-order solution
    static constexpr double a[7][6] = {
        {},
        {0.2},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
    // 5th-order minus 4th-order weights: the local error estimate is h sum e_i k_i
    static constexpr double e[7] = {35.0 / 384 - 5179.0 / 57600, 0.0, 500.0 / 1113 - 7571.0 / 16695,
                                    125.0 / 192 - 393.0 / 640, -2187.0 / 6784 + 92097.0 / 339200,
                                    11.0 / 84 - 187.0 / 2100, -1.0 / 40};
    // Weights w_i(theta) of h k_i in the continuous extension y(t + theta h) = y + h sum w_i k_i; w_2 = 0.
    static constexpr double dense_stages[7] = {1, 0, 1, 1, 1, 1, 1};  // 0: that stage's weight is always 0
    static void dense_weights(double theta, double* w) {
        const double theta_m1 = theta - 1.0, theta_sq = theta * theta;
        const double p = theta_sq * (3.0 - 2.0 * theta), q = theta_sq * theta_m1;
        const double r = theta_sq * theta_m1 * theta_m1, d = theta * theta_m1 * theta_m1;
        const double x1 = 5.0 * (2558722523.0 - 31403016.0 * theta) / 11282082432.0;
        const double x3 = 100.0 * (882725551.0 - 15701508.0 * theta) / 32700410799.0;
        const double x4 = 25.0 * (443332067.0 - 31403016.0 * theta) / 1880347072.0;
        const double x5 = 32805.0 * (23143187.0 - 3489224.0 * theta) / 199316789632.0;
        const double x6 = 55.0 * (29972135.0 - 7076736.0 * theta) / 822651844.0;
        const double x7 = 10.0 * (7414447.0 - 829305.0 * theta) / 29380423.0;
        w[0] = p * a[6][0] - r * x1 + d;
        w[1] = 0.0;
        w[2] = p * a[6][2] + r * x3;
        w[3] = p * a[6][3] - r * x4;
        w[4] = p * a[6][4] + r * x5;
        w[5] = p * a[6][5] - r * x6;
        w[6] = q + r * x7;
    }
};

// Tsitouras' 5(4) pair (Comput. Math. Appl. 62:770, 2011, with its continuous extension). It imposes only the
// first-column simplifying assumption, and spends the freedom gained on smaller error coefficients. The
// coefficients are 16-digit decimals; tests/numerics/test_embedded_runge_kutta.cpp checks them against the order conditions.
struct Tsitouras5Tableau {
    static constexpr double c[7] = {0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0};
    static constexpr double a[7][6] = {
        {},
        {0.161},
        {-0.008480655492356989, 0.335480655492357},
        {2.897153057105493, -6.359448489975075, 4.3622954328695815},
        {5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525},
        {5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383},
        {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
         2.324710524099774}};
    static constexpr double e[7] = {-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995,
                                    -0.1447110071732629,     0.5823571654525552,    -0.45808210592918697,
                                    1.0 / 66};
    // w_i(theta) = r_i1 theta + r_i2 theta^2 + r_i3 theta^3 + r_i4 theta^4
    static constexpr double dense_stages[7] = {1, 1, 1, 1, 1, 1, 1};
    static void dense_weights(double theta, double* w) {
        static constexpr double r[7][4] = {{1.0, -2.763706197274826, 2.9132554618219126, -1.0530884977290216},
                                           {0.0, 0.1317, -0.2234, 0.1017},
                                           {0.0, 3.9302962368947516, -5.941033872131505, 2.490627285651253},
                                           {0.0, -12.411077166933676, 30.33818863028232, -16.548102889244902},
                                           {0.0, 37.50931341651104, -88.1789048947664, 47.37952196281928},
                                           {0.0, -27.896526289197286, 65.09189467479366, -34.87065786149661},
                                           {0.0, 1.5, -4.0, 2.5}};
        for (int i = 0; i < 7; ++i) w[i] = theta * (r[i][0] + theta * (r[i][1] + theta * (r[i][2] + theta * r[i][3])));
    }
};

// System: void operator()(double t, double* x, double* dxdt): dxdt = f(t, x) on the stepped entries; it may
// overwrite entries of x outside the runs.
template <class Tableau, class System>
class EmbeddedRungeKutta {
public:
    using Runs = std::vector<std::pair<int, int>>;  // (first, count)

    // tolerance_scale: n factors on atol and rtol, one per state (null: 1 for every state).
    EmbeddedRungeKutta(std::size_t n, Runs runs, double atol, double rtol, const double* tolerance_scale = nullptr)
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
        buffer_.assign(kSlots * stride, 0.0);
        for (int s = 0; s < kSlots; ++s) slot_[s] = buffer_.data() + s * stride;
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
            f(t_, x0(), slot_[kK1]);
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
            std::swap(slot_[kK1], slot_[kK1 + 6]);  // first same as last
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
        const double h = t_ - t_old_;
        double w[7];
        Tableau::dense_weights((t - t_old_) / h, w);
        // after step(), slot kX1 holds the old state, kK1 + 6 the old first stage and kK1 the new derivative
        const double* k[7] = {slot_[kK1 + 6], slot_[kK1 + 1], slot_[kK1 + 2], slot_[kK1 + 3],
                              slot_[kK1 + 4], slot_[kK1 + 5], slot_[kK1]};
        constexpr Terms<7> used = nonzero(Tableau::dense_stages);
        double weight[used.count];
        const double* stage[used.count];
        for (int m = 0; m < used.count; ++m) {
            weight[m] = h * w[used.index[m]];
            stage[m] = k[used.index[m]];
        }
        combine<used.count>(work_runs_, out, slot_[kX1], weight, stage);
    }

private:
    enum Slot { kX0, kX1, kTmp, kK1 };  // then k2 .. k7 at kK1 + 1 .. kK1 + 6
    static constexpr int kSlots = kK1 + 7;

    // The indices i < N with w[i] != 0, found at compile time: tableau zeros cost no arithmetic.
    template <int N>
    struct Terms {
        int count = 0;
        int index[N] = {};
    };
    template <int N>
    static constexpr Terms<N> nonzero(const double (&w)[N], int below = N) {
        Terms<N> t;
        for (int i = 0; i < below; ++i)
            if (w[i] != 0.0) t.index[t.count++] = i;
        return t;
    }
    double* x0() { return slot_[kX0]; }

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

    // Stages 2-7 from x0 and k1 over h: the new state into kX1, k7 = f(t + h, x1) into kK1 + 6, the error into
    // kTmp.
    void stages(System& f, double h) {
        const double* x = slot_[kX0];
        double* tmp = slot_[kTmp];
        const double t = t_;
        stage_row<1>(f, t, h, x, tmp);
        stage_row<2>(f, t, h, x, tmp);
        stage_row<3>(f, t, h, x, tmp);
        stage_row<4>(f, t, h, x, tmp);
        stage_row<5>(f, t, h, x, tmp);
        double* x1 = slot_[kX1];
        row_sum<6>(h, x, x1);
        f(t + h, x1, slot_[kK1 + 6]);
        error_sum(h, tmp);
    }
    template <int Row>
    void stage_row(System& f, double t, double h, const double* x, double* tmp) {
        row_sum<Row>(h, x, tmp);
        f(t + Tableau::c[Row] * h, tmp, slot_[kK1 + Row]);
    }
    // x + h sum_{j < Row} a[Row][j] k_j into out, skipping zero coefficients at compile time
    template <int Row>
    void row_sum(double h, const double* x, double* out) {
        constexpr Terms<6> terms = nonzero(Tableau::a[Row], Row);
        double w[terms.count];
        const double* k[terms.count];
        for (int m = 0; m < terms.count; ++m) {
            w[m] = h * Tableau::a[Row][terms.index[m]];
            k[m] = slot_[kK1 + terms.index[m]];
        }
        combine<terms.count>(work_runs_, out, x, w, k);
    }
    void error_sum(double h, double* out) {
        constexpr Terms<7> terms = nonzero(Tableau::e);
        double w[terms.count];
        const double* k[terms.count];
        for (int m = 0; m < terms.count; ++m) {
            w[m] = h * Tableau::e[terms.index[m]];
            k[m] = slot_[kK1 + terms.index[m]];
        }
        combine<terms.count>(work_runs_, out, nullptr, w, k);
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
    double* slot_[kSlots] = {};
    double t_ = 0.0, t_old_ = 0.0, dt_ = 0.0;
    bool derivative_current_ = false;
};

template <class System>
using DormandPrince = EmbeddedRungeKutta<DormandPrince5Tableau, System>;
template <class System>
using Tsitouras5 = EmbeddedRungeKutta<Tsitouras5Tableau, System>;

}  // namespace mobsim
