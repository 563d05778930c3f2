#include "models/component_imports.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "models/composed_model.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/gilteritinib_pk.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/sorafenib_pk.hpp"
#include "sim/base/errors.hpp"

namespace mobsim::models {

namespace {

// A model file's own part as a component. Its right-hand side in dual numbers is the chain rule on the
// library's Jacobian to its states and inputs, so the composed model's Jacobian stays exact.
class ImportingComponent : public BoundComponent {
public:
    ImportingComponent(std::unique_ptr<ImportingSystem> system, int n_states, int n_inputs)
        : system_(std::move(system)), n_(n_states), m_(n_inputs), values_(n_states + n_inputs + 1),
          f_(n_states + 1), J_(static_cast<std::size_t>(n_states) * (n_states + n_inputs) + 1), dfdt_(n_states + 1) {}

    void initial_state(double* x, int) const override { system_->initial_state(x, values_.data()); }  // no inputs
    void initial_state_from_inputs(double* x, int, const double* in) const override { system_->initial_state(x, in); }
    void rhs(double t, const double* x, const double* in, double* dxdt) const override { system_->rhs(t, x, in, dxdt); }
    void rhs(double t, const JacobianDual* x, const JacobianDual* in, JacobianDual* dxdt) const override {
        for (int i = 0; i < n_; ++i) values_[i] = x[i].value;
        for (int k = 0; k < m_; ++k) values_[n_ + k] = in[k].value;
        const double* in_values = values_.data() + n_;
        system_->rhs(t, values_.data(), in_values, f_.data());
        system_->jacobian(t, values_.data(), in_values, J_.data(), dfdt_.data());  // dfdt_ kept for time_derivative
        const int width = n_ + m_;
        for (int i = 0; i < n_; ++i) {
            JacobianDual out(f_[i]);
            for (int j = 0; j < width; ++j) {
                const double a = J_[static_cast<std::size_t>(i) * width + j];
                if (a == 0.0) continue;
                const JacobianDual& v = j < n_ ? x[j] : in[j - n_];
                for (int d = 0; d < JacobianDual::directions; ++d) out.d[d] += a * v.d[d];
            }
            dxdt[i] = out;
        }
    }
    // Nothing reads the file part's ports in the right-hand side (the imported components read only each other):
    // its outputs come from observe().
    void ports(const double*, double*) const override {}
    void ports(const JacobianDual*, JacobianDual*) const override {}
    void observe(double t, const double* x, const double* in, double* out) const override { system_->observe(t, x, in, out); }
    // The composed Jacobian evaluates rhs in dual numbers at (t, x) just before it asks for df/dt there.
    void time_derivative(double, const double*, double* dfdt) const override { std::copy(dfdt_.begin(), dfdt_.begin() + n_, dfdt); }
    DoseRule dose_rule(int state) const override {
        DoseRule rule;
        rule.amount_bioavailability = [system = system_.get(), state](double amount) {
            return system->bioavailability(state, amount);
        };
        rule.lag_h = system_->lag_time_h(state);
        return rule;
    }

private:
    std::unique_ptr<ImportingSystem> system_;
    int n_, m_;
    mutable std::vector<double> values_, f_, J_, dfdt_;  // one system per simulation: never shared between threads
};

ComponentDeclaration declaration_of(ImportingPart own) {
    ComponentDeclaration d;
    d.name = own.name;
    // every state takes its dose rule from the file, as in a model file alone (where `dosable` is documentation)
    for (const StateInfo& s : own.states) d.states.push_back({s, true});
    d.parameters = own.parameters;
    d.covariates = own.covariates;
    d.inputs = own.inputs;
    for (const OutputInfo& o : own.outputs) {
        d.ports.push_back(o.name);
        d.outputs.push_back({o, o.name});
    }
    const int n = static_cast<int>(own.states.size()), m = static_cast<int>(own.inputs.size());
    d.bind = [bind = std::move(own.bind), n, m](const double* p, const double* c) -> std::unique_ptr<BoundComponent> {
        return std::make_unique<ImportingComponent>(bind(p, c), n, m);
    };
    return d;
}

ImportableComponent importable(const ComponentDeclaration& d) {
    ImportableComponent c{d.name, {}, {}, d.parameters, d.covariates, d.ports, {}};
    for (const ComponentState& s : d.states) {
        c.states.push_back(s.info);
        c.dosable.push_back(s.dosable);
    }
    for (const ComponentOutput& o : d.outputs) c.outputs.push_back(o.info);
    return c;
}

class BuiltinComponents : public ComponentSource {
public:
    BuiltinComponents() {
        for (ComponentDeclaration (*make)() :
             {sorafenib_component, plerixafor_component, filgrastim_component, gilteritinib_component}) {
            ComponentDeclaration d = make();
            importable_.push_back(importable(d));
            declarations_.push_back(std::move(d));
        }
    }
    std::vector<std::string> names() const override {
        std::vector<std::string> out;
        for (const auto& c : importable_) out.push_back(c.name);
        return out;
    }
    const ImportableComponent* find(const std::string& name) const override {
        const auto it = std::find_if(importable_.begin(), importable_.end(), [&](const auto& c) { return c.name == name; });
        return it == importable_.end() ? nullptr : &*it;
    }
    std::unique_ptr<Model> compose(const std::string& name, const std::string& description,
                                   const std::vector<std::string>& imports, ImportingPart own) const override {
        std::vector<ComponentDeclaration> parts;
        std::string layout;
        int first = 0;
        const auto place = [&](const std::string& part, std::size_t states) {
            const int last = first + static_cast<int>(states) - 1;
            layout += (layout.empty() ? "" : ", ") + part + " (states " +
                      (states ? std::to_string(first) + "-" + std::to_string(last) : "none") + ")";
            first = last + 1;
        };
        for (const std::string& import : imports) {
            const auto it = std::find_if(declarations_.begin(), declarations_.end(),
                                         [&](const auto& d) { return d.name == import; });
            if (it == declarations_.end()) throw InputError(name + ": unknown component '" + import + "'");
            parts.push_back(*it);
            place(import, it->states.size());
        }
        place("this file's " + own.name, own.states.size());
        parts.push_back(declaration_of(std::move(own)));
        try {
            return std::make_unique<ComposedModel>(name, description + ". Composed of: " + layout, std::move(parts));
        } catch (const std::logic_error& e) {  // a clash the model-file checker does not see (between two imports)
            throw InputError(e.what());
        }
    }

private:
    std::vector<ComponentDeclaration> declarations_;
    std::vector<ImportableComponent> importable_;
};

}  // namespace

const ComponentSource& builtin_components() {
    static const BuiltinComponents components;
    return components;
}

}  // namespace mobsim::models
