// A composition whose component types are known at compile time: the same wiring, binding, dosing and blocks as
// ComposedSystem, but its right-hand side and observe() call each component's templates directly, at state and
// port offsets fixed at compile time, so the compiler inlines the whole composition into one function (no virtual
// call, no loop over components, port values on the stack). For the models on the hot path (the trial); model
// files and other compositions use the run-time ComposedSystem.
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "models/composed_model.hpp"
#include "models/composed_system.hpp"

namespace mobsim::models {

// The number of inputs a component type reads: its `static constexpr int input_count`, or none.
template <class Part, class = void>
inline constexpr int input_count_v = 0;
template <class Part>
inline constexpr int input_count_v<Part, std::void_t<decltype(Part::input_count)>> = Part::input_count;

// Parts: the bound component types, in the composition's declaration order; each a TemplatedComponent that
// states its shape as `static constexpr int state_count, port_count` (and input_count when it reads inputs).
// The binding checks the shapes against the declarations, so a class out of step with its table fails there.
template <class... Parts>
class StaticComposedSystem final : public ComposedSystem {
public:
    // Throws std::logic_error when the declarations do not bind exactly these types, in this order and shape.
    StaticComposedSystem(std::shared_ptr<const ComposedWiring> wiring, const std::vector<double>& p,
                         const std::vector<double>& c)
        : ComposedSystem(std::move(wiring), p, c) {
        if (slots_.size() != sizeof...(Parts) || static_cast<int>(ports_.size()) != kPorts)
            throw std::logic_error("static composition: " + std::to_string(slots_.size()) + " components with " +
                                   std::to_string(ports_.size()) + " ports bound, " + std::to_string(sizeof...(Parts)) +
                                   " types with " + std::to_string(kPorts) + " listed");
        check_parts(Indices{});
    }

    // The solver's stages, with the values of ComposedSystem::rhs: the components in declaration order, each
    // reading the ports of those before it; a component the solver propagates only writes its ports.
    [[gnu::flatten]] void rhs(double t, const double* x, double* dxdt) const override {
        stage_all(t, x, dxdt, Indices{});
    }
    [[gnu::flatten]] void observe(double t, const double* x, double* y) const override {
        observe_all(t, x, Indices{});
        copy_outputs(y);
    }

private:
    using Indices = std::index_sequence_for<Parts...>;
    template <std::size_t K>
    using Part = std::tuple_element_t<K, std::tuple<Parts...>>;
    static constexpr int kParts = sizeof...(Parts);
    static constexpr std::array<int, kParts> kStateCounts{Parts::state_count...};
    static constexpr std::array<int, kParts> kPortCounts{Parts::port_count...};
    static constexpr int offset(const std::array<int, kParts>& counts, std::size_t k) {
        int at = 0;
        for (std::size_t i = 0; i < k; ++i) at += counts[i];
        return at;
    }
    template <std::size_t K>
    static constexpr int kState = offset(kStateCounts, K);
    template <std::size_t K>
    static constexpr int kPort = offset(kPortCounts, K);
    static constexpr int kPorts = offset(kPortCounts, kParts);

    template <std::size_t... K>
    void check_parts(std::index_sequence<K...>) const {
        const bool same[] = {(is_a<Part<K>>(*slots_[K].part) && slots_[K].state == kState<K> &&
                              slots_[K].n_states == Part<K>::state_count && slots_[K].port == kPort<K> &&
                              slots_[K].n_inputs == input_count_v<Part<K>>)...};
        for (std::size_t k = 0; k < sizeof...(K); ++k)
            if (!same[k])
                throw std::logic_error("static composition: component " + std::to_string(k) +
                                       " is not the listed type, or its states, ports or inputs differ from its class'");
    }
    template <class P>
    static bool is_a(const BoundComponent& part) {
        return typeid(part) == typeid(P);
    }
    template <std::size_t K>
    const Part<K>& part() const {
        return static_cast<const Part<K>&>(*slots_[K].part);
    }
    // The count is the Part's own, so the copy unrolls; `ports` holds every port value.
    template <std::size_t K>
    void inputs_of(const double* ports, double* inputs) const {
        const int* from = slots_[K].inputs;
        for (int i = 0; i < input_count_v<Part<K>>; ++i) inputs[i] = ports[from[i]];
    }

    template <std::size_t... K>
    void stage_all(double t, const double* x, double* dxdt, std::index_sequence<K...>) const {
        double ports[kPorts > 0 ? kPorts : 1];  // on the stack: no store of the solver's can alias them
        (stage<K>(t, x, dxdt, ports), ...);
    }
    template <std::size_t K>
    void stage(double t, const double* x, double* dxdt, double* ports) const {
        constexpr int state = kState<K>, port = kPort<K>;
        const Slot& s = slots_[K];
        if (s.propagated) {
            if (s.read) part<K>().port_values(x + state, ports + port);
            return;
        }
        double inputs[input_count_v<Part<K>> > 0 ? input_count_v<Part<K>> : 1];
        inputs_of<K>(ports, inputs);
        if (!s.assigns) std::fill(dxdt + state, dxdt + state + Part<K>::state_count, 0.0);
        if (s.read) part<K>().both(t, x + state, static_cast<const double*>(inputs), dxdt + state, ports + port);
        else part<K>().evaluate(t, x + state, static_cast<const double*>(inputs), dxdt + state);
    }

    template <std::size_t... K>
    void observe_all(double t, const double* x, std::index_sequence<K...>) const {
        (observe_one<K>(t, x), ...);
    }
    template <std::size_t K>
    void observe_one(double t, const double* x) const {
        using Observe = void (BoundComponent::*)(double, const double*, const double*, double*) const;
        double* ports = ports_.data();
        if constexpr (std::is_same_v<decltype(&Part<K>::observe), Observe>) {  // not overridden: its ports
            part<K>().port_values(x + kState<K>, ports + kPort<K>);
        } else {
            using P = Part<K>;
            double inputs[input_count_v<P> > 0 ? input_count_v<P> : 1];
            inputs_of<K>(ports, inputs);
            part<K>().P::observe(t, x + kState<K>, inputs, ports + kPort<K>);
        }
    }
};

// The ComposedSystemBinder of a static composition (ComposedModel's last argument).
template <class... Parts>
std::unique_ptr<OdeSystem> bind_static_composition(std::shared_ptr<const ComposedWiring> wiring,
                                                   const std::vector<double>& params,
                                                   const std::vector<double>& covariates) {
    return std::make_unique<StaticComposedSystem<Parts...>>(std::move(wiring), params, covariates);
}

}  // namespace mobsim::models
