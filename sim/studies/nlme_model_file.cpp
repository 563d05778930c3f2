#include "sim/studies/nlme_model_file.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/base/errors.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/studies/nlme_ode.hpp"

namespace mobsim::nlme {

namespace {

class ModelFileStructuralModel final : public StructuralModel {
public:
    ModelFileStructuralModel(std::shared_ptr<const Model> model, ModelFileFit fit)
        : model_(std::move(model)), fit_(std::move(fit)) {
        const model_file::ModelFileFunctions functions = model_file::model_file_functions(*model_);
        code_ = functions.sensitivities;
        values_ = functions.values;
        if (!code_) throw InputError(model_->name() + " was not loaded from a model file: it has no sensitivities");
        for (const std::string& name : fit_.estimated) {
            const auto& ps = model_->parameters();
            const auto it = std::find_if(ps.begin(), ps.end(), [&](const ParameterInfo& p) { return p.name == name; });
            if (it == ps.end()) throw InputError(model_->name() + " has no parameter " + name);
            estimated_index_.push_back(static_cast<int>(it - ps.begin()));
        }
        precomputed_ = static_cast<std::size_t>(functions.values->n_precomputed);
    }
    std::string name() const override { return model_->name(); }
    std::vector<std::string> parameter_names() const override { return fit_.estimated; }

    void predict(const std::vector<double>& estimated, const Subject& subject, std::vector<double>& f,
                 std::vector<double>* jacobian) const override {
        try {
            integrate(estimated, subject, f, jacobian);
        } catch (const std::runtime_error& e) {  // integration failed here: an infinite objective, not an abort
            if (dynamic_cast<const InputError*>(&e)) throw;
            f.assign(subject.observations.size(), std::numeric_limits<double>::quiet_NaN());
            if (jacobian) jacobian->assign(f.size() * estimated.size(), 0.0);
        }
    }

private:
    struct Dose {
        double time;
        int state;
        double amount;
        std::vector<double> d_amount;  // per model parameter
    };

    void integrate(const std::vector<double>& estimated, const Subject& subject, std::vector<double>& f,
                   std::vector<double>* jacobian) const {
        const int n = static_cast<int>(model_->states().size()), np = code_->n_parameters;
        const int nc = static_cast<int>(model_->covariates().size());
        std::vector<double> p(fit_.parameters), c(subject.covariates.begin(), subject.covariates.begin() + nc);
        for (std::size_t e = 0; e < estimated.size(); ++e) p[estimated_index_[e]] = estimated[e];
        c.push_back(0.0);  // never empty
        const bool sensitivities = jacobian != nullptr;
        std::vector<double> pre(precomputed_ + 1), dpre((precomputed_ + 1) * static_cast<std::size_t>(np));
        code_->prepare(p.data(), c.data(), pre.data(), dpre.data());
        // the states, then (with sensitivities) d states / d parameters, row-major
        std::vector<double> y(static_cast<std::size_t>(n) * (sensitivities ? 1 + np : 1));
        if (sensitivities) code_->initial_state(p.data(), c.data(), pre.data(), dpre.data(), y.data(), y.data() + n);
        else values_->initial_state(p.data(), c.data(), pre.data(), y.data());
        const std::vector<Dose> doses = doses_of(subject, p, c, pre, dpre);
        auto rhs = [&](double t, const std::vector<double>& state, std::vector<double>& dt) {
            if (!sensitivities) return values_->rhs(t, state.data(), p.data(), c.data(), pre.data(), dt.data());
            code_->rhs(t, state.data(), state.data() + n, p.data(), c.data(), pre.data(), dpre.data(), dt.data(),
                       dt.data() + n);
        };
        const int outputs = code_->n_outputs;
        std::vector<double> out(outputs + 1), d_out(static_cast<std::size_t>(outputs) * np + 1);
        double t = std::min(0.0, doses.empty() ? 0.0 : doses.front().time);
        if (!subject.observations.empty()) t = std::min(t, subject.observations.front().time);
        std::size_t next = 0;
        const std::size_t ne = estimated.size();
        f.clear();
        if (jacobian) jacobian->clear();
        for (const Observation& o : subject.observations) {
            for (; next < doses.size() && doses[next].time <= o.time; ++next) {  // doses first at equal times
                const Dose& d = doses[next];
                integrate_dopri5(rhs, y, t, d.time, fit_.rtol, fit_.atol);
                t = std::max(t, d.time);
                y[d.state] += d.amount;
                if (sensitivities)
                    for (int k = 0; k < np; ++k) y[n + d.state * np + k] += d.d_amount[k];
            }
            integrate_dopri5(rhs, y, t, o.time, fit_.rtol, fit_.atol);
            t = std::max(t, o.time);
            if (sensitivities)
                code_->observe(t, y.data(), y.data() + n, p.data(), c.data(), pre.data(), dpre.data(), out.data(),
                               d_out.data());
            else
                values_->observe(t, y.data(), p.data(), c.data(), pre.data(), out.data());
            const int which = o.output >= 0 ? o.output : fit_.output;
            f.push_back(out[which]);
            if (jacobian)
                for (std::size_t e = 0; e < ne; ++e) jacobian->push_back(d_out[which * np + estimated_index_[e]]);
        }
    }

    // The subject's doses at their times after the lag, with bioavailable amounts and their sensitivities.
    std::vector<Dose> doses_of(const Subject& subject, const std::vector<double>& p, const std::vector<double>& c,
                               const std::vector<double>& pre, const std::vector<double>& dpre) const {
        const int n = static_cast<int>(model_->states().size()), np = code_->n_parameters;
        std::vector<Dose> out;
        std::vector<double> d_lag(np + 1), d_f(np + 1);
        for (const DoseEvent& dose : subject.doses) {
            const int state = dose.compartment - 1;
            if (state < 0 || state >= n)
                throw InputError(subject.id + ": a dose into compartment " + std::to_string(dose.compartment) +
                                 ", but " + model_->name() + " has " + std::to_string(n) + " states");
            const double lag = code_->lag_time_h(state, p.data(), c.data(), pre.data(), dpre.data(), d_lag.data());
            for (int k : estimated_index_)
                if (d_lag[k] != 0.0)
                    throw InputError(model_->name() + ": the lag time of state " + model_->states()[state].name +
                                     " depends on the estimated parameter " + model_->parameters()[k].name +
                                     "; the NLME fit carries no sensitivity of dose times: fix it (fixed:)");
            const double bioavailability = code_->bioavailability(state, dose.amount, p.data(), c.data(), pre.data(),
                                                                  dpre.data(), d_f.data());
            Dose d{dose.time + lag, state, dose.amount * bioavailability, std::vector<double>(np)};
            for (int k = 0; k < np; ++k) d.d_amount[k] = dose.amount * d_f[k];
            out.push_back(std::move(d));
        }
        std::stable_sort(out.begin(), out.end(), [](const Dose& a, const Dose& b) { return a.time < b.time; });
        return out;
    }

    std::shared_ptr<const Model> model_;
    ModelFileFit fit_;
    const MobsimModelFileSensitivitiesV1* code_ = nullptr;  // with sensitivities
    const MobsimModelFileAbiV1* values_ = nullptr;  // values alone (simulations: NPDE, VPC)
    std::vector<int> estimated_index_;
    std::size_t precomputed_ = 0;
};

}  // namespace

std::unique_ptr<StructuralModel> model_file_structural_model(std::shared_ptr<const Model> model, ModelFileFit fit) {
    return std::make_unique<ModelFileStructuralModel>(std::move(model), std::move(fit));
}

}  // namespace mobsim::nlme
