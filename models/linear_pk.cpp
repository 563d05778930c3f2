#include "models/linear_pk.hpp"

#include <algorithm>
#include <array>

#include "models/component.hpp"
#include "models/composed_model.hpp"
#include "models/pk_blocks.hpp"

namespace mobsim::models {

namespace {

enum State { depot, central, peripheral, eliminated };
enum Param { ka, cl, v1, q, v2 };

class LinearPkComponent : public TemplatedComponent<LinearPkComponent> {
public:
    LinearPkComponent(const double* p, const double*) { std::copy(p, p + p_.size(), p_.begin()); }
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt) const {
        pk::absorption(x, dxdt, depot, central, p_[ka]);
        pk::distribution(x, dxdt, central, peripheral, p_[q], p_[v1], p_[v2]);
        dxdt[eliminated] += pk::elimination(x, dxdt, central, p_[cl], p_[v1]);
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[0] = x[central] / p_[v1];
        out[1] = x[peripheral] / p_[v2];
        for (int s = depot; s <= eliminated; ++s) out[2 + s] = x[s];
    }

private:
    std::array<double, 5> p_{};
};

ComponentDeclaration linear_pk_component() {
    const char* generic = "assumption: generic default";
    ComponentDeclaration d{
        "linear_pk",
        {{{"depot", "mg", "absorption depot"}, true},
         {{"central", "mg", "central compartment"}},
         {{"peripheral", "mg", "peripheral compartment"}},
         {{"eliminated", "mg", "cumulative amount eliminated", true}}},
        {{"ka", 1.0, "1/h", "first-order absorption rate constant", generic, 0.0, 1e4},
         {"CL", 5.0, "L/h", "clearance", generic, 0.0, 1e6},
         {"V1", 50.0, "L", "central volume", generic, 1e-9, 1e7},
         {"Q", 0.0, "L/h", "inter-compartmental clearance (0: one compartment)", generic, 0.0, 1e6},
         {"V2", 100.0, "L", "peripheral volume", generic, 1e-9, 1e7}},
        {},
        {"conc_central", "conc_peripheral", "amount_depot", "amount_central", "amount_peripheral", "amount_eliminated"},
        {},
        {},
        bind_component<LinearPkComponent>};
    const char* descriptions[] = {"central concentration", "peripheral concentration", "amount in the depot",
                                  "amount in the central compartment", "amount in the peripheral compartment",
                                  "cumulative amount eliminated"};
    for (std::size_t i = 0; i < d.ports.size(); ++i)
        d.outputs.push_back({{d.ports[i], i < 2 ? "mg/L" : "mg", descriptions[i]}, d.ports[i]});
    return d;
}

}  // namespace

std::unique_ptr<Model> make_linear_pk() {
    return std::make_unique<ComposedModel>(
        "linear_pk", "Linear two-compartment PK with first-order absorption from a depot (Q = 0: one compartment)",
        std::vector{linear_pk_component()});
}

}  // namespace mobsim::models
