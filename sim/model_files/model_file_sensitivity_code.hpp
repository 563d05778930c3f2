// Model files: the C++ text of the generated parameter sensitivities. Kept apart from the generator so that each
// file stays short; it is text, compiled only into generated model libraries, where it follows the templated
// functions (prepare_of, initial_state_of, steady_of, rhs_of, observe_of, the dose properties) and mf::SDual.
#pragma once

namespace mobsim::model_file {

// Forward parameter sensitivities: every value carries its derivatives along the NP parameters (stride NP in
// the arrays), so one dual pass of the right-hand side gives d/dt (dx/dp) = J dx/dp + df/dp.
inline constexpr const char* kSensitivities = R"(
// Written member by member: assigning whole temporaries here stalled on store forwarding (half the fit's time).
void seed(const double* v, const double* dv, int n, mf::SDual* out) {
    for (int i = 0; i < n; ++i) {
        out[i].v = v[i];
        for (int k = 0; k < mf::DS; ++k) out[i].d[k] = k < NP ? dv[i * NP + k] : 0.0;
    }
}
void parameters(const double* p, mf::SDual* out) {
    for (int k = 0; k < NP; ++k) {
        out[k].v = p[k];
        for (int i = 0; i < mf::DS; ++i) out[k].d[i] = i == k ? 1.0 : 0.0;
    }
}
void unseed(const mf::SDual* in, int n, double* v, double* dv) {
    for (int i = 0; i < n; ++i) {
        v[i] = in[i].v;
        for (int k = 0; k < NP; ++k) dv[i * NP + k] = in[i].d[k];
    }
}
void s_prepare(const double* p, const double* c, double* pre, double* dpre) {
    mf::SDual pd[NP + 1], pred[NPRE + 1];
    parameters(p, pd);
    prepare_of(pd, c, pred);
    unseed(pred, NPRE, pre, dpre);
}
void s_initial_state(const double* p, const double* c, const double* pre, const double* dpre, double* x, double* dx) {
    mf::SDual pd[NP + 1], pred[NPRE + 1], xd[NX + 1];
    parameters(p, pd);
    seed(pre, dpre, NPRE, pred);
    initial_state_of(pd, c, pred, xd);
    steady_of(pd, c, pred, xd);
    unseed(xd, N, x, dx);
}
// The parameters, precomputed values and state as seeded duals, given to `body`, whose M results come back unseeded.
template <int M, class Body>
void at_state(const double* x, const double* dx, const double* p, const double* pre, const double* dpre, double* out,
              double* dout, Body body) {
    mf::SDual pd[NP + 1], pred[NPRE + 1], xd[NX + 1], od[M + 1];
    parameters(p, pd);
    seed(pre, dpre, NPRE, pred);
    seed(x, dx, N, xd);
    body(pd, pred, xd, od);
    unseed(od, M, out, dout);
}
void s_rhs(double t, const double* x, const double* dx, const double* p, const double* c, const double* pre,
           const double* dpre, double* f, double* df) {
    at_state<N>(x, dx, p, pre, dpre, f, df, [&](const mf::SDual* pd, const mf::SDual* pred, mf::SDual* xd, mf::SDual* fd) {
        rhs_of<mf::SDual, mf::SDual>(mf::SDual(t), xd, xd + N, pd, c, pred, fd);
    });
}
void s_observe(double t, const double* x, const double* dx, const double* p, const double* c, const double* pre,
               const double* dpre, double* y, double* dy) {
    at_state<NOUT>(x, dx, p, pre, dpre, y, dy, [&](const mf::SDual* pd, const mf::SDual* pred, mf::SDual* xd, mf::SDual* yd) {
        observe_of<mf::SDual, mf::SDual>(mf::SDual(t), xd, xd + N, pd, c, pred, yd);
    });
}
double s_bioavailability(int state, double amount, const double* p, const double* c, const double* pre,
                         const double* dpre, double* d) {
    mf::SDual pd[NP + 1], pred[NPRE + 1];
    parameters(p, pd);
    seed(pre, dpre, NPRE, pred);
    const mf::SDual f = bioavailability_of(state, amount, pd, c, pred);
    double value = 0.0;
    unseed(&f, 1, &value, d);
    return value;
}
double s_lag_time_h(int state, const double* p, const double* c, const double* pre, const double* dpre, double* d) {
    mf::SDual pd[NP + 1], pred[NPRE + 1];
    parameters(p, pd);
    seed(pre, dpre, NPRE, pred);
    const mf::SDual lag = lag_time_h_of(state, pd, c, pred);
    double value = 0.0;
    unseed(&lag, 1, &value, d);
    return value;
}
)";

}  // namespace mobsim::model_file
