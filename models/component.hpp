// A component (one drug's PK, a PD chain) declares by name, in one table, its states, parameters, covariates,
// ports and outputs; a ComposedModel (models/composed_model.hpp) lays several out, dispatches their doses and
// connects them through named ports. Its right-hand side is written once as a template on the scalar type, so
// the composed model's Jacobian comes from dual numbers.
#pragma once
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/drug_block.hpp"

namespace mobsim::models {

struct ComponentState {
    StateInfo info;
    bool dosable = false;   // a dose entry: its dose rule comes from the bound component
    int linear_block = -1;  // local id of the linear block holding it (states of one block contiguous), -1: none
    bool coupling = false;  // read outside its block (by the component's other states or its ports)
    // >= 0: a coupling state read outside its block only by this port, so it couples only when a component reads
    // that port or a model output reports it (sorafenib's gallbladder, which the trial neither reads nor reports)
    int coupling_port = -1;
};

struct ComponentOutput {
    OutputInfo info;
    std::string port;  // the component's own port the output reports
};

// How a dose into a dosable state is given, as data the composed model applies (mrgsolve's F_ and ALAG_).
struct DoseRule {
    double bioavailability = 1.0;
    std::function<double(double amount)> amount_bioavailability;  // replaces the constant when set
    double lag_h = 0.0;
    std::vector<double> switch_delays_h;  // times after the dose at which the right-hand side switches
};

// The rule of a dose given with a constant bioavailability and nothing else.
inline DoseRule constant_bioavailability(double f) {
    DoseRule rule;
    rule.bioavailability = f;
    return rule;
}

class BoundComponent;

struct ComponentDeclaration {
    std::string name;  // prefix of its ports: "plerixafor" offers "plerixafor.central_concentration"
    std::vector<ComponentState> states;
    std::vector<ParameterInfo> parameters;
    std::vector<CovariateInfo> covariates;  // shared by name with the other components
    std::vector<std::string> ports;         // values of its states it offers to outputs and other components
    std::vector<std::string> inputs;        // qualified ports it reads ("filgrastim.free_concentration"), in order
    std::vector<ComponentOutput> outputs;
    // Parameter values in `parameters` order, covariate values in `covariates` order.
    std::function<std::unique_ptr<BoundComponent>(const double* p, const double* c)> bind;
    bool assigns_derivatives = false;  // its rhs writes every derivative: dxdt need not be zeroed first
};

// A component bound to its parameter and covariate values. x, dxdt, dfdt point at its own states; `in` holds its
// inputs' values in declared order; rhs adds to a zeroed dxdt.
class BoundComponent {
public:
    virtual ~BoundComponent() = default;
    virtual void initial_state(double* x, int n) const { std::fill(x, x + n, 0.0); }
    // The same for a component whose initial state reads its inputs (at the earlier components' initial states).
    virtual void initial_state_from_inputs(double* x, int n, const double* /*in*/) const { initial_state(x, n); }
    virtual void rhs(double t, const double* x, const double* in, double* dxdt) const = 0;
    virtual void rhs(double t, const JacobianDual* x, const JacobianDual* in, JacobianDual* dxdt) const = 0;
    virtual void ports(const double* x, double* out) const = 0;
    virtual void ports(const JacobianDual* x, JacobianDual* out) const = 0;
    // The port values outputs report, at time t with the inputs' values: its ports unless it overrides (a model
    // file's part, whose outputs read time and its inputs). Inputs read ports of components declared before it.
    virtual void observe(double /*t*/, const double* x, const double* /*in*/, double* out) const { ports(x, out); }
    // Its inputs' values at the composed model's initial state, given once after binding and before
    // initial_state(), in declaration order: a component whose rest state depends on what it reads (the marrow
    // niche on endogenous G-CSF) sets that state up here.
    virtual void set_baseline_inputs(const double* /*in*/) {}
    // Both at once, at every solver stage where the component's ports are read and its states stepped: a
    // TemplatedComponent computes shared terms (filgrastim's free G-CSF) once where its Derived says how.
    virtual void rhs_and_ports(double t, const double* x, const double* in, double* dxdt, double* out) const {
        ports(x, out);
        rhs(t, x, in, dxdt);
    }
    virtual void rhs_and_ports(double t, const JacobianDual* x, const JacobianDual* in, JacobianDual* dxdt,
                               JacobianDual* out) const {
        ports(x, out);
        rhs(t, x, in, dxdt);
    }
    virtual void time_derivative(double /*t*/, const double* /*x*/, double* /*dfdt*/) const {}  // explicit t only
    virtual DoseRule dose_rule(int /*state*/) const { return {}; }
    virtual void on_dose(int /*state*/, double /*t*/) {}
    virtual void on_switch(int /*state*/, double /*t*/) {}
    virtual bool linear_block_holds(int /*block*/) const { return true; }
    // Row-major matrix of a declared linear block, in force from t until the next action.
    virtual void linear_block_matrix(int /*block*/, double /*t*/, double* /*a*/) const {}
};

template <class D, class T, class = void>
struct has_fused_evaluate : std::false_type {};
template <class D, class T>
struct has_fused_evaluate<D, T, std::void_t<decltype(std::declval<const D&>().evaluate(
                                     0.0, std::declval<const T*>(), std::declval<const T*>(), std::declval<T*>(),
                                     std::declval<T*>()))>> : std::true_type {};

// Implements the scalar-typed virtuals from a Derived that writes them once as templates:
// `template <class T> void evaluate(double t, const T* x, const T* in, T* dxdt) const` and
// `template <class T> void port_values(const T* x, T* out) const`; optionally
// `template <class T> void evaluate(double t, const T* x, const T* in, T* dxdt, T* out) const`, both at once.
template <class Derived>
class TemplatedComponent : public BoundComponent {
public:
    // The solver's calls: everything the Derived's templates call is inlined into them (one call per component).
    [[gnu::flatten]] void rhs_and_ports(double t, const double* x, const double* in, double* dxdt,
                                        double* out) const override {
        both(t, x, in, dxdt, out);
    }
    void rhs_and_ports(double t, const JacobianDual* x, const JacobianDual* in, JacobianDual* dxdt,
                       JacobianDual* out) const override {
        both(t, x, in, dxdt, out);
    }
    [[gnu::flatten]] void rhs(double t, const double* x, const double* in, double* dxdt) const override {
        self().evaluate(t, x, in, dxdt);
    }
    void rhs(double t, const JacobianDual* x, const JacobianDual* in, JacobianDual* dxdt) const override {
        self().evaluate(t, x, in, dxdt);
    }
    void ports(const double* x, double* out) const override { self().port_values(x, out); }
    void ports(const JacobianDual* x, JacobianDual* out) const override { self().port_values(x, out); }

    // rhs_and_ports without the virtual call, for a composition that knows the Derived type
    // (models/static_composition.hpp).
    template <class T>
    void both(double t, const T* x, const T* in, T* dxdt, T* out) const {
        if constexpr (has_fused_evaluate<Derived, T>::value) {
            self().evaluate(t, x, in, dxdt, out);
        } else {
            self().port_values(x, out);
            self().evaluate(t, x, in, dxdt);
        }
    }

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// A parameter as a literal, so that a component's parameter table can be constexpr and its indices derived from
// it by name at compile time (index_of): no enum kept in step with the table by hand.
struct ParameterRow {
    const char* name;
    double value;
    const char* unit;
    const char* description;
    const char* source;
    double lower, upper;
    ParameterInfo info() const { return {name, value, unit, description, source, lower, upper}; }
};

// Position of the row named `name` in a constexpr table; used in a constant expression, a missing name does not
// compile.
template <class Row, std::size_t N>
constexpr int index_of(const Row (&table)[N], std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (name == table[i].name) return static_cast<int>(i);
    throw std::logic_error("no row of that name");
}

template <std::size_t N>
std::vector<ParameterInfo> parameter_infos(const ParameterRow (&table)[N]) {
    std::vector<ParameterInfo> list;
    for (const ParameterRow& row : table) list.push_back(row.info());
    return list;
}

// A start-up check of a block whose code indexes its tables by enum: the table holds at least `size` entries and the
// entry at each index has the name given, so an enum out of step with its table fails when the component is declared.
struct NamedIndex {
    int index;
    const char* name;
};
inline const std::string& entry_name(const ParameterInfo& p) { return p.name; }
inline const std::string& entry_name(const ComponentState& s) { return s.info.name; }
inline const std::string& entry_name(const CovariateInfo& c) { return c.name; }
inline const std::string& entry_name(const std::string& port) { return port; }
template <class Entry>
void check_indices(const std::vector<Entry>& table, int size, std::initializer_list<NamedIndex> named, const std::string& what) {
    if (static_cast<int>(table.size()) < size) throw std::logic_error(what + ": the table has fewer entries than its enum");
    for (const NamedIndex& n : named)
        if (entry_name(table.at(static_cast<std::size_t>(n.index))) != n.name)
            throw std::logic_error(what + ": entry " + std::to_string(n.index) + " is '" +
                                   entry_name(table[static_cast<std::size_t>(n.index)]) + "', its enum says '" + n.name + "'");
}

// Declaration entries from a block's static state table: every state plain, to be marked by the caller.
template <class Block>
std::vector<ComponentState> component_states() {
    std::vector<ComponentState> states;
    for (const auto& s : Block::state_infos()) states.push_back({s});
    return states;
}

// The declaration's `bind` for a Derived constructed from (parameters, covariates).
template <class Derived>
std::unique_ptr<BoundComponent> bind_component(const double* p, const double* c) {
    return std::make_unique<Derived>(p, c);
}

}  // namespace mobsim::models
