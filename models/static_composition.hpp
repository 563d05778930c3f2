// A composition whose component types, wiring and outputs are known at compile time: the same binding, dosing
// and blocks as ComposedSystem, but its right-hand side and observe() call each component's templates directly,
// held inside the system at offsets fixed at compile time, each input and output at a port fixed at compile time.
// The compiler inlines the whole composition into one function: no virtual call, no loop over components, ports
// nobody reads never computed, and a variant per set of components the solver propagates. For the models on the
// hot path (the trial); model files and other compositions use the run-time ComposedSystem. The compile-time
// wiring and outputs restate the named ones, and binding checks that they agree.
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

// The source of one input: local port `Port` of the part at position `From` of the composition.
template <int From, int Port>
struct Wire {
    static constexpr int from = From, port = Port;
};

// One part of a static composition: its bound component type and the wires of its inputs, in the order its
// declaration lists them. The type states its shape as `static constexpr int state_count, port_count`, and
// `static constexpr bool assigns_derivatives` when its declaration says so.
template <class Component, class... Wires>
struct Wired {
    using type = Component;
    static constexpr int input_count = sizeof...(Wires);
    static constexpr std::array<int, sizeof...(Wires)> from{Wires::from...}, port{Wires::port...};
    static constexpr bool reads(int part) {
        for (const int f : from)
            if (f == part) return true;
        return false;
    }
};

// A run of model outputs, in the model's output order: `Count` ports of the part at position `From`, from its
// local port `Port` on.
template <int From, int Port, int Count = 1>
struct Report {
    static constexpr int from = From, port = Port, count = Count;
};
// The model's outputs, as runs in output order.
template <class... Runs>
struct Reports {
    static constexpr int count = (0 + ... + Runs::count);
    struct Places {
        std::array<int, count> from{}, port{};  // the part and local port of each output
    };
    static constexpr Places places() {
        Places at;
        int o = 0;
        const auto run = [&](int from, int first, int n) {
            for (int i = 0; i < n; ++i, ++o) {
                at.from[o] = from;
                at.port[o] = first + i;
            }
        };
        (run(Runs::from, Runs::port, Runs::count), ...);
        return at;
    }
    static constexpr std::array<int, count> from = places().from, port = places().port;
};

template <class Component, class = void>
inline constexpr bool assigns_derivatives_v = false;
template <class Component>
inline constexpr bool assigns_derivatives_v<Component, std::void_t<decltype(Component::assigns_derivatives)>> =
        Component::assigns_derivatives;

// Outputs: Reports<...>, the model's outputs in order. Parts: Wired<...> in the composition's declaration order.
// Binding checks the types, shapes, wires and outputs against the declarations, so a class, a wire or a report out
// of step with its table fails there.
template <class Outputs, class... Parts>
class StaticComposedSystem final : public ComposedSystem {
public:
    // Throws std::logic_error when the declarations do not bind exactly these types, shapes, wires and outputs.
    StaticComposedSystem(std::shared_ptr<const ComposedWiring> wiring, const std::vector<double>& p,
                         const std::vector<double>& c)
        : ComposedSystem(std::move(wiring), p, c), inside_(checked_copies(Indices{})) {
        check_outputs();
        adopt_parts(pointers(Indices{}));
    }
    StaticComposedSystem(const StaticComposedSystem&) = delete;  // its slots point into itself
    StaticComposedSystem& operator=(const StaticComposedSystem&) = delete;

    // The solver's stages, with the values of ComposedSystem::rhs: the components in declaration order, each
    // reading the ports of those before it; a component the solver propagates only writes its ports.
    void rhs(double t, const double* x, double* dxdt) const override { stages_(*this, t, x, dxdt); }
    // ComposedSystem::observe's values, each output written straight from its component's port.
    [[gnu::flatten]] void observe(double t, const double* x, double* y) const override {
        observe_all(t, x, y, Indices{});
    }
    // The block's matrix from its component's own function, without a virtual call.
    void linear_block_matrix(int block, double t, double* a) const override {
        const BlockPlacement& b = held_block(block);
        block_matrix(b.component, b.local_block, t, a, Indices{});
    }
    void set_propagated_blocks(const std::vector<int>& blocks) override {
        ComposedSystem::set_propagated_blocks(blocks);
        unsigned mask = 0;
        for (std::size_t k = 0; k < kParts; ++k) {
            if (!slots_[k].propagated) continue;
            if (kPropagationBit[k] < 0) throw std::logic_error("static composition: a part without blocks propagated");
            mask |= 1u << kPropagationBit[k];
        }
        stages_ = kStages[mask];
    }

private:
    using Indices = std::index_sequence_for<Parts...>;
    template <std::size_t K>
    using Wiring = std::tuple_element_t<K, std::tuple<Parts...>>;
    template <std::size_t K>
    using Part = typename Wiring<K>::type;
    static constexpr std::size_t kParts = sizeof...(Parts);
    static constexpr std::array<int, kParts> kStateCounts{Parts::type::state_count...};
    static constexpr std::array<int, kParts> kPortCounts{Parts::type::port_count...};
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
    // The port-value index of each (part, local port) pair; a pair naming a part at or after `parts` or a missing
    // port does not compile.
    template <std::size_t N>
    static constexpr std::array<int, N> port_values_at(const std::array<int, N>& from, const std::array<int, N>& port,
                                                       int parts) {
        std::array<int, N> at{};
        for (std::size_t i = 0; i < N; ++i) {
            if (from[i] < 0 || from[i] >= parts) throw std::logic_error("a part out of reach");
            if (port[i] < 0 || port[i] >= kPortCounts[from[i]]) throw std::logic_error("no such port");
            at[i] = offset(kPortCounts, from[i]) + port[i];
        }
        return at;
    }
    // The port-value index of each input of part K, which reads only parts before it.
    template <std::size_t K>
    static constexpr std::array<int, Wiring<K>::input_count> kInputs =
            port_values_at(Wiring<K>::from, Wiring<K>::port, static_cast<int>(K));
    template <std::size_t K>
    static constexpr bool kRead = (Parts::reads(static_cast<int>(K)) || ...);  // some part reads its ports
    // The place of each port value among those some input reads (-1: none reads it): the solver stages keep only
    // these, in a small array the compiler holds in registers, and never compute the others.
    template <std::size_t... K>
    static constexpr std::array<int, kPorts> read_places(std::index_sequence<K...>) {
        std::array<int, kPorts> place{};
        ([&place] {
            for (const int at : kInputs<K>) place[at] = 1;
        }(), ...);
        int n = 0;
        for (int& p : place) p = p ? n++ : -1;
        return place;
    }
    static constexpr std::array<int, kPorts> kReadPlace = read_places(Indices{});
    static constexpr int kReadPorts = [] {
        int n = 0;
        for (const int p : kReadPlace) n += p >= 0;
        return n;
    }();
    // The port-value index of each output.
    static constexpr std::array<int, Outputs::count> kOutputPorts =
            port_values_at(Outputs::from, Outputs::port, static_cast<int>(kParts));
    // A part without linear blocks (one that does not override linear_block_matrix) is never propagated: its stage
    // tests nothing.
    template <std::size_t K>
    static constexpr bool kMayPropagate =
            !std::is_same_v<decltype(&Part<K>::linear_block_matrix), void (BoundComponent::*)(int, double, double*) const>;
    // Each part that may be propagated has a bit; the right-hand side has a variant per set of propagated parts,
    // chosen once per set_propagated_blocks(), so no stage tests what the solver propagates.
    template <std::size_t... K>
    static constexpr std::array<int, kParts> propagation_bits(std::index_sequence<K...>) {
        const bool may[] = {kMayPropagate<K>...};
        std::array<int, kParts> bit{};
        int n = 0;
        for (std::size_t k = 0; k < kParts; ++k) bit[k] = may[k] ? n++ : -1;
        return bit;
    }
    static constexpr std::array<int, kParts> kPropagationBit = propagation_bits(Indices{});
    static constexpr unsigned kVariants = [] {
        unsigned n = 1;
        for (const int b : kPropagationBit) n <<= b >= 0;
        return n;
    }();
    template <unsigned Mask, std::size_t K>
    static constexpr bool kPropagated = kPropagationBit[K] >= 0 && ((Mask >> kPropagationBit[K]) & 1u);
    using Stages = void (*)(const StaticComposedSystem&, double, const double*, double*);
    template <unsigned Mask>
    [[gnu::flatten]] static void stages(const StaticComposedSystem& self, double t, const double* x, double* dxdt) {
        self.stage_all<Mask>(t, x, dxdt, Indices{});
    }
    template <unsigned... Mask>
    static constexpr std::array<Stages, sizeof...(Mask)> stage_table(std::integer_sequence<unsigned, Mask...>) {
        return {&stages<Mask>...};
    }
    static constexpr std::array<Stages, kVariants> kStages = stage_table(std::make_integer_sequence<unsigned, kVariants>{});

    // Copies of the bound components, once their types are checked: the stages then reach them at offsets from
    // `this`, not through pointers.
    template <std::size_t... K>
    std::tuple<Part<K>...> checked_copies(std::index_sequence<K...>) const {
        if (slots_.size() != kParts || static_cast<int>(ports_.size()) != kPorts)
            throw std::logic_error("static composition: " + std::to_string(slots_.size()) + " components with " +
                                   std::to_string(ports_.size()) + " ports bound, " + std::to_string(kParts) +
                                   " types with " + std::to_string(kPorts) + " listed");
        const std::string problems[] = {check_part<K>()...};
        for (const std::string& problem : problems)
            if (!problem.empty()) throw std::logic_error("static composition: " + problem);
        return std::tuple<Part<K>...>(static_cast<const Part<K>&>(*slots_[K].part)...);
    }
    template <std::size_t... K>
    std::vector<BoundComponent*> pointers(std::index_sequence<K...>) {
        return {&std::get<K>(inside_)...};
    }
    template <std::size_t K>
    std::string check_part() const {
        const Slot& s = slots_[K];
        const std::string which = "component " + std::to_string(K) + " ";
        const BoundComponent& bound = *s.part;  // typeid of a reference: no evaluated dereference
        if (typeid(bound) != typeid(Part<K>)) return which + "is not the listed type";
        if (s.state != kState<K> || s.n_states != Part<K>::state_count || s.port != kPort<K> ||
            s.assigns != assigns_derivatives_v<Part<K>>)
            return which + "has states, ports or derivative writes other than its class'";
        if (!kMayPropagate<K>)
            for (const ComponentState& state : w_->components[K].states)
                if (state.linear_block >= 0) return which + "declares a linear block its class gives no matrix for";
        if (s.n_inputs != Wiring<K>::input_count || s.read != kRead<K>) return which + "is wired otherwise than listed";
        for (int i = 0; i < s.n_inputs; ++i)
            if (s.inputs[i] != kInputs<K>[i])
                return which + "reads port value " + std::to_string(s.inputs[i]) + " as input " + std::to_string(i) +
                       ", its wire says " + std::to_string(kInputs<K>[i]);
        return {};
    }
    void check_outputs() const {
        if (w_->output_ports.size() != kOutputPorts.size())
            throw std::logic_error("static composition: " + std::to_string(w_->output_ports.size()) + " outputs, " +
                                   std::to_string(kOutputPorts.size()) + " reported");
        for (std::size_t o = 0; o < kOutputPorts.size(); ++o)
            if (w_->output_ports[o] != kOutputPorts[o])
                throw std::logic_error("static composition: output " + std::to_string(o) + " reports port value " +
                                       std::to_string(w_->output_ports[o]) + ", its report says " +
                                       std::to_string(kOutputPorts[o]));
    }
    template <std::size_t K>
    const Part<K>& part() const {
        return std::get<K>(inside_);
    }

    template <unsigned Mask, std::size_t... K>
    void stage_all(double t, const double* x, double* dxdt, std::index_sequence<K...>) const {
        double read[kReadPorts > 0 ? kReadPorts : 1];  // the port values inputs read, in kReadPlace order
        (stage<Mask, K>(t, x, dxdt, read), ...);
    }
    template <unsigned Mask, std::size_t K>
    void stage(double t, const double* x, double* dxdt, double* read) const {
        constexpr int state = kState<K>;
        double out[Part<K>::port_count > 0 ? Part<K>::port_count : 1];
        if constexpr (kPropagated<Mask, K>) {
            if constexpr (kRead<K>) {
                part<K>().port_values(x + state, out);
                keep_read<K>(out, read);
            }
        } else {
            double inputs[Wiring<K>::input_count > 0 ? Wiring<K>::input_count : 1];
            gather<K>(read, inputs, std::make_index_sequence<Wiring<K>::input_count>{});
            if constexpr (!assigns_derivatives_v<Part<K>>) std::fill(dxdt + state, dxdt + state + Part<K>::state_count, 0.0);
            if constexpr (kRead<K>) {
                part<K>().both(t, x + state, static_cast<const double*>(inputs), dxdt + state, out);
                keep_read<K>(out, read);
            } else {
                part<K>().evaluate(t, x + state, static_cast<const double*>(inputs), dxdt + state);
            }
        }
    }
    // Indices as template arguments, not loop counters: the compiler sees constants, not loads of kReadPlace.
    template <std::size_t K, std::size_t... I>
    static void gather([[maybe_unused]] const double* read, [[maybe_unused]] double* inputs, std::index_sequence<I...>) {
        ((inputs[I] = read[std::integral_constant<int, kReadPlace[kInputs<K>[I]]>::value]), ...);
    }
    // Part K's read port values into `read`; the others are dropped, so their arithmetic is dead code.
    template <std::size_t K>
    static void keep_read(const double* out, double* read) {
        keep_read<K>(out, read, std::make_index_sequence<Part<K>::port_count>{});
    }
    template <std::size_t K, std::size_t... P>
    static void keep_read(const double* out, double* read, std::index_sequence<P...>) {
        (keep_port<kReadPlace[kPort<K> + P]>(out[P], read), ...);
    }
    template <int Place>
    static void keep_port([[maybe_unused]] double value, [[maybe_unused]] double* read) {
        if constexpr (Place >= 0) read[Place] = value;
    }

    template <std::size_t... K>
    void block_matrix(int component, int local_block, double t, double* a, std::index_sequence<K...>) const {
        ((component == static_cast<int>(K) ? block_matrix_of<K>(local_block, t, a) : void()), ...);
    }
    template <std::size_t K>
    void block_matrix_of([[maybe_unused]] int local_block, [[maybe_unused]] double t, [[maybe_unused]] double* a) const {
        if constexpr (kMayPropagate<K>) part<K>().Part<K>::linear_block_matrix(local_block, t, a);
    }

    template <std::size_t... K>
    void observe_all(double t, const double* x, double* y, std::index_sequence<K...>) const {
        double read[kReadPorts > 0 ? kReadPorts : 1];
        (observe_one<K>(t, x, y, read), ...);
    }
    template <std::size_t K>
    void observe_one(double t, const double* x, double* y, double* read) const {
        using Observe = void (BoundComponent::*)(double, const double*, const double*, double*) const;
        using P = Part<K>;
        double out[P::port_count > 0 ? P::port_count : 1];
        if constexpr (std::is_same_v<decltype(&P::observe), Observe>) {  // not overridden: its ports
            part<K>().port_values(x + kState<K>, out);
        } else {
            double inputs[Wiring<K>::input_count > 0 ? Wiring<K>::input_count : 1];
            gather<K>(read, inputs, std::make_index_sequence<Wiring<K>::input_count>{});
            part<K>().P::observe(t, x + kState<K>, inputs, out);
        }
        keep_read<K>(out, read);
        report<K>(out, y, std::make_index_sequence<Outputs::count>{});
    }
    // The outputs part K reports, each at its constant place in y.
    template <std::size_t K, std::size_t... O>
    static void report(const double* out, double* y, std::index_sequence<O...>) {
        (report_one<K, O>(out, y), ...);
    }
    template <std::size_t K, std::size_t O>
    static void report_one([[maybe_unused]] const double* out, [[maybe_unused]] double* y) {
        if constexpr (Outputs::from[O] == static_cast<int>(K)) y[O] = out[Outputs::port[O]];
    }

    std::tuple<typename Parts::type...> inside_;  // the bound components
    Stages stages_ = kStages[0];  // the variant for the parts the solver propagates now
};

// The ComposedSystemBinder of a static composition (ComposedModel's last argument).
template <class Outputs, class... Parts>
std::unique_ptr<OdeSystem> bind_static_composition(std::shared_ptr<const ComposedWiring> wiring,
                                                   const std::vector<double>& params,
                                                   const std::vector<double>& covariates) {
    return std::make_unique<StaticComposedSystem<Outputs, Parts...>>(std::move(wiring), params, covariates);
}

}  // namespace mobsim::models
