// The generic composition (models/composed_model.hpp): start-up rejection of duplicated and missing names, and
// ports that carry one component's value into another's right-hand side, checked against closed forms of linear
// PK (the area under a two-compartment curve after an absorbed dose is F D / CL, Gibaldi & Perrier,
// Pharmacokinetics, 2nd ed.).
#include <catch2/catch.hpp>

#include <stdexcept>

#include "models/composed_model.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/sorafenib_pk.hpp"
#include "sim/base/config.hpp"
#include "sim/engine/simulation.hpp"

using namespace mobsim;
using namespace mobsim::models;

namespace {

// Integrates the concentration it reads through its one input: its state is the area under that curve.
class AreaComponent : public TemplatedComponent<AreaComponent> {
public:
    AreaComponent(const double*, const double*) {}
    template <class T>
    void evaluate(double, const T*, const T* in, T* dxdt) const {
        dxdt[0] += in[0];
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        out[0] = x[0];
    }
};

ComponentDeclaration area_of(const std::string& port) {
    return {"area", {{{"area", "mg.h/L", "area under the input"}}}, {}, {}, {"value"}, {port},
            {{{"area", "mg.h/L", "area under the input"}, "value"}}, bind_component<AreaComponent>};
}

void check_rejected(std::vector<ComponentDeclaration> components, const std::string& message) {
    CHECK_THROWS_WITH(ComposedModel("test", "test", std::move(components)), Catch::Contains(message));
}

}  // namespace

TEST_CASE("composed model: duplicated and missing names are rejected when it is built", "[composition]") {
    check_rejected({plerixafor_component(), plerixafor_component()}, "duplicated component name 'plerixafor'");
    ComponentDeclaration twin = plerixafor_component();
    twin.name = "plerixafor_twin";
    check_rejected({plerixafor_component(), twin}, "duplicated state name 'plerixafor_depot'");
    for (std::size_t i = 0; i < twin.states.size(); ++i) twin.states[i].info.name += "_twin";
    check_rejected({plerixafor_component(), twin}, "duplicated parameter name 'plerixafor_ka'");
    for (auto& p : twin.parameters) p.name += "_twin";
    check_rejected({plerixafor_component(), twin}, "duplicated output name 'plerixafor'");
    twin.outputs[0].info.name = "plerixafor_twin";
    CHECK_NOTHROW(ComposedModel("test", "test", {plerixafor_component(), twin}));

    check_rejected({plerixafor_component(), area_of("plerixafor.central_conc")},
                   "component 'area' reads missing port 'plerixafor.central_conc'");
    check_rejected({area_of("plerixafor.central_concentration")}, "missing port 'plerixafor.central_concentration'");
    ComponentDeclaration bad_output = plerixafor_component();
    bad_output.outputs[0].port = "amount";
    check_rejected({bad_output}, "output 'plerixafor' reads missing port 'plerixafor.amount'");
    ComponentDeclaration grams = sorafenib_component();
    grams.covariates[0].unit = "g";
    check_rejected({plerixafor_component(), grams}, "covariate 'weight_kg' declared in two units");
}

TEST_CASE("composed model: a port carries plerixafor's concentration into another component", "[composition]") {
    const auto model = std::make_shared<ComposedModel>(
        "pler_area", "plerixafor and the area under its curve",
        std::vector{plerixafor_component(), area_of("plerixafor.central_concentration")});
    REQUIRE(model->states().size() == 4);
    REQUIRE(model->covariates().size() == 2);  // weight and CrCl, from plerixafor's declaration
    const Scenario scenario = read_scenario_node(load_config_text(
        "model: pler_area\npatient: {weight_kg: 70, crcl_mL_min: 100}\nregimens:\n"
        "  - {label: p, into: plerixafor_depot, amount: 16.8, unit: mg, at_h: [0]}\n"
        "solver: {rtol: 1.0e-10, atol: 1.0e-13}\noutput: {end_h: 240, step_h: 240}\n",
        "composition.yaml"));
    const Problem problem = build_problem(scenario, model);
    const Trajectory run = simulate(problem);
    // AUC(0, inf) = F D / CL; the curve's terminal half-life is a few hours, so 240 h hold all of it
    const double f = 0.87, clearance = 0.077 * 70.0;
    CHECK(run.column("area").back() == Approx(f * 16.8 / clearance).epsilon(1e-7));

    // the dual-number Jacobian sees the coupling: d(area')/d(plerixafor_central) = 1 / V1
    const auto system = model->bind(model->default_parameters(), {70.0, 100.0});
    std::vector<double> x = {1.0, 2.0, 3.0, 4.0}, jacobian(16), dfdt(4);
    REQUIRE(system->jacobian(0.0, x.data(), jacobian.data(), dfdt.data()));
    CHECK(jacobian[3 * 4 + 1] == Approx(1.0 / (0.15 * 70.0)).epsilon(1e-14));
    CHECK(jacobian[3 * 4 + 3] == 0.0);
    // doses are dispatched by state: the depot takes plerixafor's F, the area none
    CHECK(system->bioavailability(0, 1.0) == f);
    CHECK(system->bioavailability(3, 1.0) == 1.0);
}

TEST_CASE("an enum out of step with its table is caught when the component is declared", "[composition]") {
    std::vector<ParameterInfo> table = {{"ka", 1, "1/h", "", ""}, {"CL", 2, "L/h", "", ""}};
    CHECK_NOTHROW(check_indices(table, 2, {{0, "ka"}, {1, "CL"}}, "test"));
    CHECK_THROWS_WITH(check_indices(table, 2, {{0, "CL"}}, "test"), Catch::Contains("entry 0 is 'ka', its enum says 'CL'"));
    CHECK_THROWS_WITH(check_indices(table, 3, {}, "test"), Catch::Contains("fewer entries than its enum"));
}
