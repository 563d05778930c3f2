#include "sim/studies/nlme_model.hpp"

#include <cmath>

#include "sim/numerics/dual.hpp"
#include "sim/studies/nlme_ode.hpp"

namespace mobsim::nlme {

namespace {

// Concentration at time t after every dose given at or before t, for any scalar type (double or Dual).
template <typename T>
T one_compartment_concentration(const T& ka, const T& cl, const T& v, const Subject& subject, double t) {
    using std::exp;
    const T k = cl / v;
    T c(0.0);
    for (const DoseEvent& dose : subject.doses) {
        if (dose.time > t) break;
        const double dt = t - dose.time;
        if (dose.compartment == 2) {
            c = c + T(dose.amount) / v * exp(k * T(-dt));
            continue;
        }
        const T gap = ka - k;  // (e^{-k t} - e^{-ka t}) / (ka - k) = e^{-k t} (1 - e^{-gap t}) / gap
        T ratio;
        if (std::abs(value_of(gap)) * dt > 1e-2) {
            ratio = (exp(k * T(-dt)) - exp(ka * T(-dt))) / gap;
        } else {  // near ka = k the difference cancels: its Taylor series in x = gap t, truncation < 1e-13
            const T x = gap * T(dt);
            const T series = T(1.0) - x * (T(0.5) - x * (T(1.0 / 6) - x * (T(1.0 / 24) - x * T(1.0 / 120))));
            ratio = exp(k * T(-dt)) * T(dt) * series;
        }
        c = c + T(dose.amount) * ka / v * ratio;
    }
    return c;
}

// The closed form at every observation time.
template <typename T>
void one_compartment_closed_form_predictions(const T& ka, const T& cl, const T& v, const Subject& subject,
                                             std::vector<T>& out) {
    out.clear();
    for (const Observation& o : subject.observations)
        out.push_back(one_compartment_concentration(ka, cl, v, subject, o.time));
}

// The same model as ODEs (depot' = -ka depot, central' = ka depot - CL/V central), integrated with dual numbers:
// the path an ODE model takes, checked against the closed form.
template <typename T>
void one_compartment_ode_predictions(const T& ka, const T& cl, const T& v, const Subject& subject,
                                     std::vector<T>& out) {
    const T k = cl / v;
    auto rhs = [&](double, const std::vector<T>& y, std::vector<T>& dydt) {
        dydt[0] = T(0.0) - ka * y[0];
        dydt[1] = ka * y[0] - k * y[1];
    };
    std::vector<T> y(2, T(0.0));
    double t = subject.doses.empty() ? 0.0 : std::min(0.0, subject.doses.front().time);
    std::size_t next_dose = 0;
    out.clear();
    for (const Observation& o : subject.observations) {
        while (next_dose < subject.doses.size() && subject.doses[next_dose].time <= o.time) {  // doses first
            const DoseEvent& d = subject.doses[next_dose++];
            integrate_dopri5(rhs, y, t, d.time, 1e-10, 1e-12);
            t = std::max(t, d.time);
            y[d.compartment == 2 ? 1 : 0] = y[d.compartment == 2 ? 1 : 0] + T(d.amount);
        }
        integrate_dopri5(rhs, y, t, o.time, 1e-10, 1e-12);
        t = std::max(t, o.time);
        out.push_back(y[1] / v);
    }
}

// A model of (ka, CL, V) given by its predictions for any scalar type: doubles for values, dual numbers for
// d f / d parameter.
template <typename Predictions>
class KaClVModel final : public StructuralModel {
public:
    KaClVModel(std::string name, Predictions predictions) : name_(std::move(name)), predictions_(predictions) {}
    std::string name() const override { return name_; }
    std::vector<std::string> parameter_names() const override { return {"ka", "CL", "V"}; }
    void predict(const std::vector<double>& p, const Subject& subject, std::vector<double>& f,
                 std::vector<double>* jacobian) const override {
        if (!jacobian) {
            predictions_(p[0], p[1], p[2], subject, f);
            return;
        }
        using D = Dual<3>;
        std::vector<D> c;
        predictions_(D::variable(p[0], 0), D::variable(p[1], 1), D::variable(p[2], 2), subject, c);
        f.resize(c.size());
        jacobian->resize(c.size() * 3);
        for (std::size_t j = 0; j < c.size(); ++j) {
            f[j] = c[j].value;
            for (int k = 0; k < 3; ++k) (*jacobian)[j * 3 + k] = c[j].d[k];
        }
    }

private:
    std::string name_;
    Predictions predictions_;
};

template <typename Predictions>
std::unique_ptr<StructuralModel> ka_cl_v_model(std::string name, Predictions predictions) {
    return std::make_unique<KaClVModel<Predictions>>(std::move(name), predictions);
}

}  // namespace

std::unique_ptr<StructuralModel> one_compartment_oral() {
    return ka_cl_v_model("one_compartment_oral", [](const auto& ka, const auto& cl, const auto& v,
                                                    const Subject& subject, auto& out) {
        one_compartment_closed_form_predictions(ka, cl, v, subject, out);
    });
}

std::unique_ptr<StructuralModel> structural_model(const std::string& name) {
    if (name == "one_compartment_oral") return one_compartment_oral();
    if (name == "one_compartment_oral_ode")
        return ka_cl_v_model(name, [](const auto& ka, const auto& cl, const auto& v, const Subject& subject,
                                      auto& out) { one_compartment_ode_predictions(ka, cl, v, subject, out); });
    return nullptr;
}

std::vector<std::string> structural_model_names() { return {"one_compartment_oral", "one_compartment_oral_ode"}; }

}  // namespace mobsim::nlme
