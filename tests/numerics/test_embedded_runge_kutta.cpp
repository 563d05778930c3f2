// mobsim's own embedded 5(4) pairs (sim/numerics/embedded_runge_kutta.hpp): their tableaus against the order conditions,
// both against closed forms, and Dormand-Prince against Boost.Odeint's controlled dopri5, whose step-size control
// it reproduces.
#include <catch2/catch.hpp>

#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/numerics/embedded_runge_kutta.hpp"

namespace {

// State layout: [0] y' = -2 y + 10 s(t), [1] s(t) = sin 3t written by the system (not stepped), [2] logistic
// z' = z (1 - z), [3] not stepped, with a NaN derivative that must stay out of the arithmetic and the error norm.
struct DrivenLogistic {
    int evaluations = 0;
    void operator()(double t, double* x, double* dxdt) {
        ++evaluations;
        x[1] = std::sin(3.0 * t);
        dxdt[0] = -2.0 * x[0] + 10.0 * x[1];
        dxdt[2] = x[2] * (1.0 - x[2]);
        dxdt[3] = std::numeric_limits<double>::quiet_NaN();
    }
};

double exact_y(double t) {  // y(0) = 1; particular solution (20 sin 3t - 30 cos 3t) / 13
    return 43.0 / 13.0 * std::exp(-2.0 * t) + (20.0 * std::sin(3.0 * t) - 30.0 * std::cos(3.0 * t)) / 13.0;
}
double exact_z(double t) { return 1.0 / (1.0 + 9.0 * std::exp(-t)); }  // z(0) = 0.1

// The larger relative error of y (against max(1, |y|)) and z at t.
double error_of(const double* x, double t) {
    return std::max(std::abs(x[0] - exact_y(t)) / std::max(1.0, std::abs(exact_y(t))),
                    std::abs(x[2] - exact_z(t)) / exact_z(t));
}

struct Run {
    double worst_step_end = 0.0, worst_dense = 0.0;
    long steps = 0;
};

template <class Tableau>
Run integrate_to(double t_end, double rtol) {
    DrivenLogistic f;
    mobsim::EmbeddedRungeKutta<Tableau, DrivenLogistic> stepper(4, {{0, 1}, {2, 1}}, rtol * 1e-2, rtol);
    const double x0[4] = {1.0, 0.0, 0.1, std::numeric_limits<double>::quiet_NaN()};
    stepper.initialize(x0, 0.0, 1e-3);
    Run run;
    double out[4] = {};
    double next_dense = 0.05;
    while (stepper.time() < t_end) {
        REQUIRE(run.steps < 100000);  // a broken error estimate must fail, not crawl
        stepper.limit_step(std::min(stepper.step_size(), t_end - stepper.time()));
        REQUIRE(stepper.step(f));
        ++run.steps;
        const double t = stepper.time();
        run.worst_step_end = std::max(run.worst_step_end, error_of(stepper.state(), t));
        for (; next_dense < t; next_dense += 0.1) {
            stepper.interpolate(next_dense, out);
            run.worst_dense = std::max(run.worst_dense, error_of(out, next_dense));
        }
    }
    return run;
}

}  // namespace

namespace {

// The elementary weights of the rooted trees up to order 5 (Hairer, Norsett & Wanner, Solving ODE I, II.2,
// Table 2.2) for weights w, against 1/gamma(tree) scaled by theta^order: the conditions a method of that order
// (or, for theta < 1, a continuous extension of that order) satisfies. Returns the largest residual over the
// trees of order min_order..max_order.
template <class Tableau>
double order_residual(const double (&w)[7], double theta, int min_order, int max_order) {
    double c[7], ac[7] = {}, ac2[7] = {}, ac3[7] = {}, a_cac[7] = {}, aac[7] = {}, aac2[7] = {}, aaac[7] = {};
    for (int i = 0; i < 7; ++i) c[i] = Tableau::c[i];
    for (int i = 0; i < 7; ++i)
        for (int j = 0; j < i; ++j) {
            const double a = Tableau::a[i][j];
            ac[i] += a * c[j];
            ac2[i] += a * c[j] * c[j];
            ac3[i] += a * c[j] * c[j] * c[j];
        }
    for (int i = 0; i < 7; ++i)
        for (int j = 0; j < i; ++j) {
            const double a = Tableau::a[i][j];
            a_cac[i] += a * c[j] * ac[j];
            aac[i] += a * ac[j];
            aac2[i] += a * ac2[j];
        }
    for (int i = 0; i < 7; ++i)
        for (int j = 0; j < i; ++j) aaac[i] += Tableau::a[i][j] * aac[j];
    struct Tree {
        int order;
        double gamma;
        double phi[7];
    };
    std::vector<Tree> trees;
    const auto add = [&](int order, double gamma, auto phi) {
        Tree t{order, gamma, {}};
        for (int i = 0; i < 7; ++i) t.phi[i] = phi(i);
        trees.push_back(t);
    };
    add(1, 1, [&](int) { return 1.0; });
    add(2, 2, [&](int i) { return c[i]; });
    add(3, 3, [&](int i) { return c[i] * c[i]; });
    add(3, 6, [&](int i) { return ac[i]; });
    add(4, 4, [&](int i) { return c[i] * c[i] * c[i]; });
    add(4, 8, [&](int i) { return c[i] * ac[i]; });
    add(4, 12, [&](int i) { return ac2[i]; });
    add(4, 24, [&](int i) { return aac[i]; });
    add(5, 5, [&](int i) { return c[i] * c[i] * c[i] * c[i]; });
    add(5, 10, [&](int i) { return c[i] * c[i] * ac[i]; });
    add(5, 15, [&](int i) { return c[i] * ac2[i]; });
    add(5, 30, [&](int i) { return c[i] * aac[i]; });
    add(5, 20, [&](int i) { return ac[i] * ac[i]; });
    add(5, 20, [&](int i) { return ac3[i]; });
    add(5, 40, [&](int i) { return a_cac[i]; });
    add(5, 60, [&](int i) { return aac2[i]; });
    add(5, 120, [&](int i) { return aaac[i]; });
    double worst = 0.0;
    for (const Tree& t : trees) {
        if (t.order < min_order || t.order > max_order) continue;
        double sum = 0.0;
        for (int i = 0; i < 7; ++i) sum += w[i] * t.phi[i];
        worst = std::max(worst, std::abs(sum - std::pow(theta, t.order) / t.gamma));
    }
    return worst;
}

}  // namespace

TEMPLATE_TEST_CASE("each tableau meets the order conditions of a 5(4) pair with a 4th-order dense output",
                   "[embedded_runge_kutta]", mobsim::DormandPrince5Tableau, mobsim::Tsitouras5Tableau) {
    using T = TestType;
    for (int i = 1; i < 7; ++i) {  // the row sums give the nodes
        double row = 0.0;
        for (int j = 0; j < i; ++j) row += T::a[i][j];
        CHECK(row == Approx(T::c[i]).margin(1e-14));
    }
    double b[7], embedded[7];
    for (int i = 0; i < 7; ++i) {
        b[i] = i < 6 ? T::a[6][i] : 0.0;  // the last stage is only the next step's first (FSAL)
        embedded[i] = b[i] - T::e[i];
    }
    CHECK(order_residual<T>(b, 1.0, 1, 5) < 1e-14);
    CHECK(order_residual<T>(embedded, 1.0, 1, 4) < 1e-14);
    CHECK(order_residual<T>(embedded, 1.0, 5, 5) > 1e-4);  // the embedded solution is of order 4, not 5
    for (double theta : {0.2, 0.5, 0.9}) {
        double w[7];
        T::dense_weights(theta, w);
        INFO("theta " << theta);
        CHECK(order_residual<T>(w, theta, 1, 4) < 1e-14);
        for (int i = 0; i < 7; ++i)
            if (T::dense_stages[i] == 0.0) CHECK(w[i] == 0.0);
    }
    double w1[7];
    T::dense_weights(1.0, w1);  // the continuous extension ends on the step's solution
    for (int i = 0; i < 7; ++i) CHECK(w1[i] == Approx(b[i]).margin(1e-14));
}

TEMPLATE_TEST_CASE("each 5(4) pair follows closed forms at its step ends and in its dense output",
                   "[embedded_runge_kutta]", mobsim::DormandPrince5Tableau, mobsim::Tsitouras5Tableau) {
    const Run loose = integrate_to<TestType>(10.0, 1e-6), tight = integrate_to<TestType>(10.0, 1e-9);
    CHECK(loose.worst_step_end < 1e-5);
    CHECK(loose.worst_dense < 1e-5);
    CHECK(tight.worst_step_end < 1e-8);
    CHECK(tight.worst_dense < 1e-8);
    // a 5th-order method: 1000x tighter tolerance costs about 1000^(1/5) = 4x the steps, not 1000x
    CHECK(tight.steps > 2 * loose.steps);
    CHECK(tight.steps < 8 * loose.steps);
}

TEST_CASE("Dormand-Prince takes Boost.Odeint's controlled dopri5 steps and agrees with it", "[embedded_runge_kutta]") {
    // a nonlinear oscillator (Van der Pol, mu = 2) from the same start, tolerance and first step
    constexpr double mu = 2.0, rtol = 1e-8, atol = 1e-10;
    struct Vdp {
        void operator()(double, double* x, double* dxdt) const {
            dxdt[0] = x[1];
            dxdt[1] = mu * (1.0 - x[0] * x[0]) * x[1] - x[0];
        }
    } own_system;
    mobsim::DormandPrince<Vdp> own(2, {{0, 2}}, atol, rtol);
    const double x0[2] = {2.0, 0.0};
    own.initialize(x0, 0.0, 1e-3);

    namespace odeint = boost::numeric::odeint;
    using State = std::vector<double>;
    auto reference = odeint::make_dense_output(atol, rtol, odeint::runge_kutta_dopri5<State>());
    reference.initialize(State{2.0, 0.0}, 0.0, 1e-3);
    const auto vdp = [](const State& x, State& dxdt, double) {
        dxdt[0] = x[1];
        dxdt[1] = mu * (1.0 - x[0] * x[0]) * x[1] - x[0];
    };

    long own_steps = 0, reference_steps = 0;
    while (own.time() < 20.0) {
        REQUIRE(own_steps < 100000);
        REQUIRE(own.step(own_system));
        ++own_steps;
    }
    while (reference.current_time() < 20.0) {
        reference.do_step(vdp);
        ++reference_steps;
    }
    CHECK(own_steps == reference_steps);
    CHECK(own.time() == Approx(reference.current_time()).epsilon(1e-9));
    // the same step ends to rounding, so the same states; and the same dense output inside the last step
    CHECK(own.state()[0] == Approx(reference.current_state()[0]).epsilon(1e-9));
    CHECK(own.state()[1] == Approx(reference.current_state()[1]).epsilon(1e-9));
    const double t_inside = 0.5 * (own.previous_time() + own.time());
    std::vector<double> own_dense(own.padded_size());
    State reference_dense(2);
    own.interpolate(t_inside, own_dense.data());
    reference.calc_state(t_inside, reference_dense);
    CHECK(own_dense[0] == Approx(reference_dense[0]).epsilon(1e-9));
    CHECK(own_dense[1] == Approx(reference_dense[1]).epsilon(1e-9));
}

TEST_CASE("Dormand-Prince keeps the derivative when the next step is only limited", "[embedded_runge_kutta]") {
    DrivenLogistic f;
    mobsim::DormandPrince<DrivenLogistic> stepper(4, {{0, 1}, {2, 1}}, 1e-8, 1e-6);
    const double x0[4] = {1.0, 0.0, 0.1, 0.0};
    stepper.initialize(x0, 0.0, 0.01);
    long steps = 0;
    for (double end : {0.3, 0.7, 1.0}) {
        while (stepper.time() < end - 1e-12) {
            stepper.limit_step(std::min(stepper.step_size(), end - stepper.time()));
            REQUIRE(stepper.step(f));
            ++steps;
        }
        CHECK(stepper.time() == Approx(end).epsilon(1e-14));
    }
    // one evaluation at the start, then six per attempted step (rejected ones too), none at a limited step
    CHECK((f.evaluations - 1) % 6 == 0);
    CHECK(f.evaluations >= 1 + 6 * steps);
    CHECK(stepper.state()[2] == Approx(exact_z(1.0)).epsilon(1e-6));
}

TEST_CASE("Dormand-Prince resumed at a segment end keeps its derivative and the closed form",
          "[embedded_runge_kutta]") {
    // The same integration to t = 1, once straight through and once stopped at the segment ends 0.3 and 0.7 and
    // resumed there: the resumed run makes no evaluation at a segment start and stays on the closed forms.
    const double x0[4] = {1.0, 0.0, 0.1, 0.0};
    DrivenLogistic f;
    mobsim::DormandPrince<DrivenLogistic> stepper(4, {{0, 1}, {2, 1}}, 1e-10, 1e-8);
    stepper.initialize(x0, 0.0, 0.01);
    for (double end : {0.3, 0.7, 1.0}) {
        while (end - stepper.time() > 1e-12) {
            stepper.limit_step(std::min(stepper.step_size(), end - stepper.time()));
            REQUIRE(stepper.step(f));
        }
        if (end < 1.0) stepper.resume(end, stepper.step_size());
    }
    CHECK((f.evaluations - 1) % 6 == 0);  // only the first derivative outside the steps' six
    CHECK(stepper.time() == 1.0);
    CHECK(error_of(stepper.state(), 1.0) < 1e-7);
}

namespace {

struct ScaledRun {
    long steps = 0;
    double y = 0.0, z = 0.0;                     // at t = 10
    double worst_y = 0.0, worst_z = 0.0;         // relative errors at step ends, against the closed forms
};

ScaledRun run_scaled(double atol, double rtol, const double* tolerance_scale) {
    DrivenLogistic f;
    mobsim::DormandPrince<DrivenLogistic> stepper(4, {{0, 1}, {2, 1}}, atol, rtol, tolerance_scale);
    const double x0[4] = {1.0, 0.0, 0.1, 0.0};
    stepper.initialize(x0, 0.0, 1e-3);
    ScaledRun run;
    while (10.0 - stepper.time() > 1e-12) {
        stepper.limit_step(std::min(stepper.step_size(), 10.0 - stepper.time()));
        REQUIRE(stepper.step(f));
        ++run.steps;
        const double t = stepper.time(), *x = stepper.state();
        run.worst_y = std::max(run.worst_y, std::abs(x[0] - exact_y(t)) / std::max(1.0, std::abs(exact_y(t))));
        run.worst_z = std::max(run.worst_z, std::abs(x[2] - exact_z(t)) / exact_z(t));
    }
    run.y = stepper.state()[0];
    run.z = stepper.state()[2];
    return run;
}

}  // namespace

TEST_CASE("Dormand-Prince scales a state's tolerances by its tolerance scale", "[embedded_runge_kutta]") {
    const double atol = 1e-8, rtol = 1e-6;
    SECTION("one scale on every stepped state is the same as scaled rtol and atol") {
        // a power of two, so both forms of the error ratio round alike and the runs must match bit for bit
        const double eighth[4] = {0.125, 1.0, 0.125, 1.0};  // entries 1 and 3 are not stepped: ignored
        const ScaledRun scaled = run_scaled(atol, rtol, eighth), tighter = run_scaled(atol / 8, rtol / 8, nullptr);
        CHECK(scaled.steps == tighter.steps);
        CHECK(scaled.y == tighter.y);
        CHECK(scaled.z == tighter.z);
    }
    SECTION("a scale on one state tightens that state's error against its closed form") {
        // the driven decay sets the steps; its tolerances 64x tighter cost about 64^(1/5) = 2.3x the steps
        const double decay_tighter[4] = {1.0 / 64, 1.0, 1.0, 1.0};
        const ScaledRun plain = run_scaled(atol, rtol, nullptr), scaled = run_scaled(atol, rtol, decay_tighter);
        INFO("decay error " << plain.worst_y << " -> " << scaled.worst_y << ", steps " << plain.steps << " -> "
                            << scaled.steps);
        CHECK(scaled.worst_y < plain.worst_y / 10);
        CHECK(scaled.steps > 1.5 * plain.steps);
        CHECK(scaled.steps < 3.5 * plain.steps);
        CHECK(scaled.worst_z < 1e-6);
    }
}
