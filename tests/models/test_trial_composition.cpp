// The trial model as a composition (models/aml_mobilization.hpp): its FLT3 inhibitor is one argument, read only
// through the port "<inhibitor>.flt3_inhibition". Checked against the shipped trial model itself: a stand-in
// inhibitor whose inhibition is zero must give the cell outputs of the sorafenib trial without sorafenib doses (to
// the solver's tolerance: the two compositions step different states), and a constant inhibition must reach them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "models/aml_mobilization.hpp"
#include "models/composed_model.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/registry.hpp"
#include "sim/base/config.hpp"
#include "sim/engine/simulation.hpp"

using namespace mobsim;
using namespace mobsim::models;

namespace {

// A FLT3 inhibitor with one compartment (mg) that offers a constant inhibition `level`.
class StandInInhibitor : public TemplatedComponent<StandInInhibitor> {
public:
    StandInInhibitor(const double* p, const double*) : volume_(p[0]), level_(p[1]) {}
    template <class T>
    void evaluate(double, const T* x, const T*, T* dxdt) const {
        dxdt[0] = -0.1 * x[0];
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[0] = x[0] / volume_;
        out[1] = T(level_);
    }

private:
    double volume_, level_;
};

ComponentDeclaration stand_in(double level) {
    return {"stand_in",
            {{{"stand_in_central", "mg", "the stand-in inhibitor"}, true}},
            {{"stand_in_V", 100, "L", "volume", "test", 1, 1e4},
             {"stand_in_inhibition", level, "1", "constant FLT3 inhibition", "test", 0, 1}},
            {},
            {"central_concentration", "flt3_inhibition"},
            {},
            {{{"stand_in", "mg/L", "plasma stand-in"}, "central_concentration"}},
            bind_component<StandInInhibitor>};
}

const char* kRegimens =
    "patient: {weight_kg: 70, crcl_mL_min: 90, cxcr4_expression: 1.3, vla4_expression: 0.8, cd44_expression: 1}\n"
    "regimens:\n"
    "  - {label: filgrastim, into: filgrastim_depot, amount: 10, unit: ug/kg, days: [1, 3, 5]}\n"
    "  - {label: plerixafor, into: plerixafor_depot, amount: 240, unit: ug/kg, days: [1, 3, 5]}\n"
    "output: {end_h: 168, step_h: 4}\nsolver: {rtol: 1.0e-9, atol: 1.0e-11}\n";

Trajectory run(const std::shared_ptr<const Model>& model, const std::string& extra = "") {
    const Scenario s = read_scenario_node(load_config_text("model: " + model->name() + "\n" + kRegimens + extra, "t.yaml"));
    return simulate(build_problem(s, model));
}

}  // namespace

TEST_CASE("trial composition: the FLT3 inhibitor is one argument, read through its flt3_inhibition port", "[composition]") {
    const std::shared_ptr<const Model> sorafenib = make_aml_mobilization_sorafenib();
    const std::shared_ptr<const Model> none = make_aml_mobilization("trial_stand_in", "test", stand_in(0.0));
    // the stand-in takes sorafenib's place: first states, first output; the rest of the layout is the trial's
    REQUIRE(none->states().size() == sorafenib->states().size() - 7 + 1);
    CHECK(none->states()[0].name == "stand_in_central");
    const auto trial_outputs = sorafenib->output_names(), outputs = none->output_names();
    CHECK(outputs[0] == "stand_in");
    CHECK(std::vector<std::string>(outputs.begin() + 1, outputs.end()) ==
          std::vector<std::string>(trial_outputs.begin() + 1, trial_outputs.end()));

    // no inhibition: the cell traffic is the sorafenib trial's without sorafenib
    const Trajectory a = run(sorafenib), b = run(none);
    for (const char* output : {"fold_cd34", "fold_blasts", "marrow_blasts", "sdf1", "flt3_inhibition"}) {
        const auto x = a.column(output), y = b.column(output);
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == Approx(x[i]).epsilon(1e-6).margin(1e-12));
    }
    // a constant inhibition reaches the cells: the model's flt3_inhibition output is the port's value, and blood
    // blasts fall under the kill
    const std::shared_ptr<const Model> half = make_aml_mobilization("trial_half", "test", stand_in(0.5));
    const Trajectory c = run(half);
    CHECK(c.column("flt3_inhibition").back() == 0.5);
    CHECK(c.column("blood_blasts").back() < 0.9 * b.column("blood_blasts").back());
}

TEST_CASE("composed model: an input from a later component and an unknown chosen output are rejected", "[composition]") {
    ComponentDeclaration reader = stand_in(0.0);
    reader.inputs = {"plerixafor.central_concentration"};
    CHECK_THROWS_WITH(ComposedModel("t", "t", {reader, plerixafor_component()}),
                      Catch::Contains("reads 'plerixafor.central_concentration' of a component not declared before it"));
    CHECK_NOTHROW(ComposedModel("t", "t", {plerixafor_component(), reader}));
    CHECK_THROWS_WITH(ComposedModel("t", "t", {plerixafor_component()}, {"plerixafor", "plerixafr"}),
                      Catch::Contains("no component declares the output 'plerixafr'"));
    CHECK_THROWS_WITH(ComposedModel("t", "t", {plerixafor_component()}, {"plerixafor", "plerixafor"}),
                      Catch::Contains("duplicated chosen output name 'plerixafor'"));
    const ComposedModel chosen("t", "t", {plerixafor_component(), stand_in(0.2)}, {"stand_in", "plerixafor"});
    REQUIRE(chosen.outputs().size() == 2);
    CHECK(chosen.outputs()[0].name == "stand_in");
}

TEST_CASE("trial with gilteritinib: the cells read C/(C+IC50) of the gilteritinib concentration", "[composition][gilteritinib]") {
    // The registered variant swaps sorafenib for the gilteritinib component (models/registry.cpp). Its
    // flt3_inhibition output must be the closed form of its own plasma concentration output with the IC50 it
    // declares (Lee 2017 plasma IC50, docs/model.md), and the mobilization, which FLT3 inhibition does not drive
    // before blasts are killed, must start as the sorafenib trial's.
    const std::shared_ptr<const Model> gilteritinib = builtin_models().create("aml_mobilization_gilteritinib");
    const auto& parameters = gilteritinib->parameters();
    const auto ic50 = std::find_if(parameters.begin(), parameters.end(),
                                   [](const ParameterInfo& p) { return p.name == "gilteritinib_flt3_IC50"; });
    REQUIRE(ic50 != parameters.end());
    std::string regimens = kRegimens;
    regimens.insert(regimens.find("output:"), "  - {label: gilteritinib, into: gilteritinib_depot, amount: 120, "
                                              "unit: mg, every_h: 24, count: 7}\n");
    const Scenario scenario = read_scenario_node(load_config_text("model: aml_mobilization_gilteritinib\n" + regimens, "t.yaml"));
    const Trajectory g = simulate(build_problem(scenario, gilteritinib));
    const auto c = g.column("gilteritinib"), inhibition = g.column("flt3_inhibition");
    REQUIRE(c.back() > 0.0);
    for (std::size_t i = 0; i < c.size(); ++i)
        CHECK(inhibition[i] == Approx(c[i] / (c[i] + ic50->value)).epsilon(1e-12).margin(1e-15));
    // after a week of 120 mg once daily: above 90% inhibition, as the label's pFLT3 data say (docs/pk.md)
    CHECK(inhibition.back() > 0.9);
    // the niche reads G-CSF only: its ligands are the sorafenib trial's, whatever the FLT3 inhibitor
    const Trajectory s = run(builtin_models().create("aml_mobilization"));
    const auto sdf1_g = g.column("sdf1"), sdf1_s = s.column("sdf1");
    for (std::size_t i = 0; i < sdf1_g.size(); ++i) CHECK(sdf1_g[i] == Approx(sdf1_s[i]).epsilon(1e-6));
}
