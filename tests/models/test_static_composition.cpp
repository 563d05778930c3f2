// The compiled trial composition (models/static_composition.hpp, compiled_trial<>) against the run-time one
// (models/composed_system.hpp) built from the same declarations: a second implementation of the same
// right-hand side, observations and runs, which must agree whatever the solver propagates.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/aml_mobilization.hpp"
#include "models/aml_mobilization_compiled.hpp"
#include "models/gilteritinib_pk.hpp"
#include "models/sorafenib_pk.hpp"
#include "sim/base/config.hpp"
#include "sim/engine/simulation.hpp"

using namespace mobsim;
using namespace mobsim::models;

namespace {

struct Pair {
    std::shared_ptr<const Model> run_time, compiled;
};

Pair sorafenib_pair() {
    return {make_aml_mobilization("trial_run_time", "test", sorafenib_component()),
            make_aml_mobilization("trial_compiled", "test", sorafenib_component(), compiled_trial<SorafenibComponent>())};
}

Pair gilteritinib_pair() {
    return {make_aml_mobilization("trial_run_time", "test", gilteritinib_component()),
            make_aml_mobilization("trial_compiled", "test", gilteritinib_component(),
                                  compiled_trial<GilteritinibComponent>())};
}

// Both systems at one random state (the default patient's rest state, each value scaled log-normally), with the
// linear blocks in `subset` (bit k: the k-th block) propagated: the derivatives of the stepped states and every
// observation agree.
void check_same_functions(const Pair& pair, unsigned subset, unsigned seed) {
    const Model& model = *pair.run_time;
    const std::vector<double> covariates = {70, 90, 1.4, 0.7, 1.1};
    const auto a = pair.run_time->bind(model.default_parameters(), covariates);
    const auto b = pair.compiled->bind(model.default_parameters(), covariates);
    const std::size_t n = model.states().size();
    std::vector<double> x(n);
    a->initial_state(x.data());
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (double& v : x) v = (v + 1.0) * std::exp(normal(rng));  // drug amounts too, which start at zero
    std::vector<bool> stepped(n, true);
    const auto blocks = a->linear_blocks();
    REQUIRE(b->linear_blocks().size() == blocks.size());
    std::vector<int> propagated;
    for (std::size_t k = 0; k < blocks.size(); ++k)
        if (subset >> k & 1u) {
            propagated.push_back(static_cast<int>(k));
            for (int i = 0; i < blocks[k].size; ++i) stepped[blocks[k].first_state + i] = false;
        }
    a->set_propagated_blocks(propagated);
    b->set_propagated_blocks(propagated);
    std::vector<double> da(n, 0.0), db(n, 0.0), ya(model.outputs().size()), yb(ya.size());
    a->rhs(10.0, x.data(), da.data());
    b->rhs(10.0, x.data(), db.data());
    for (std::size_t i = 0; i < n; ++i) {
        INFO(model.states()[i].name);
        if (stepped[i]) CHECK(db[i] == Approx(da[i]).epsilon(1e-14).margin(1e-300));
    }
    a->observe(10.0, x.data(), ya.data());
    b->observe(10.0, x.data(), yb.data());
    for (std::size_t o = 0; o < ya.size(); ++o) {
        INFO(model.outputs()[o].name);
        CHECK(yb[o] == Approx(ya[o]).epsilon(1e-14).margin(1e-300));
    }
}

const char* kTrialWeek =
    "patient: {weight_kg: 70, crcl_mL_min: 90, cxcr4_expression: 1.3, vla4_expression: 0.8, cd44_expression: 1}\n"
    "regimens:\n"
    "  - {label: filgrastim, into: filgrastim_depot, amount: 10, unit: ug/kg, days: [1, 3, 5]}\n"
    "  - {label: plerixafor, into: plerixafor_depot, amount: 240, unit: ug/kg, days: [1, 3, 5]}\n"
    "  - {label: sorafenib, into: sorafenib_depot, amount: 400, unit: mg, every_h: 12, count: 14}\n"
    "output: {end_h: 168, step_h: 2}\n";

Trajectory run(const std::shared_ptr<const Model>& model) {
    const Scenario s = read_scenario_node(load_config_text("model: " + model->name() + "\n" + kTrialWeek, "t.yaml"));
    return simulate(build_problem(s, model));
}

}  // namespace

TEST_CASE("compiled trial composition: the run-time composition's derivatives and outputs at random states", "[composition]") {
    // every subset of the three linear blocks (the drug, plerixafor, the G-CSF depot): each picks its own compiled
    // right-hand side
    REQUIRE(sorafenib_pair().run_time->bind(sorafenib_pair().run_time->default_parameters(), {70, 90, 1, 1, 1})
                    ->linear_blocks().size() == 3);
    for (unsigned subset = 0; subset < 8; ++subset) {
        INFO("linear blocks propagated, as bits: " << subset);
        for (unsigned seed = 1; seed <= 3; ++seed) {
            check_same_functions(sorafenib_pair(), subset, seed);
            check_same_functions(gilteritinib_pair(), subset, seed + 10);
        }
    }
}

TEST_CASE("compiled trial composition: a week of the trial's dosing gives the run-time composition's outputs", "[composition]") {
    const Pair pair = sorafenib_pair();
    const Trajectory a = run(pair.run_time), b = run(pair.compiled);
    REQUIRE(a.time_h == b.time_h);
    for (const auto& name : pair.run_time->output_names()) {
        const auto x = a.column(name), y = b.column(name);
        for (std::size_t i = 0; i < x.size(); ++i) {
            INFO(name << " at " << a.time_h[i] << " h");
            CHECK(y[i] == Approx(x[i]).epsilon(1e-12).margin(1e-300));
        }
    }
}

TEST_CASE("compiled trial composition: declarations of another type are rejected when a patient is bound", "[composition]") {
    // compiled for sorafenib, given gilteritinib: a different FLT3 component type and layout
    const auto wrong = make_aml_mobilization("trial_wrong", "test", gilteritinib_component(),
                                             compiled_trial<SorafenibComponent>());
    CHECK_THROWS_WITH(wrong->bind(wrong->default_parameters(), {70, 90, 1, 1, 1}), Catch::Contains("static composition"));
}

namespace {

using aml::cells::CellsComponent;
using aml::niche::NicheComponent;
enum Position { flt3, plerixafor, filgrastim, niche, cells };
// The trial's outputs, restated as compiled_trial<>() states them; and with the niche's run and the drug effects'
// swapped.
using TrialOutputs = Reports<Report<flt3, SorafenibComponent::central_concentration_port>,
                             Report<plerixafor, PlerixaforComponent::central_concentration_port>,
                             Report<filgrastim, 0, 2>, Report<cells, 0, 2>, Report<niche, 0, 4>,
                             Report<cells, 2, CellsComponent::port_count - 2>>;
using SwappedOutputs = Reports<Report<flt3, SorafenibComponent::central_concentration_port>,
                               Report<plerixafor, PlerixaforComponent::central_concentration_port>,
                               Report<filgrastim, 0, 2>, Report<niche, 0, 4>, Report<cells, 0, 2>,
                               Report<cells, 2, CellsComponent::port_count - 2>>;
template <class Outputs, int OccupancyPort>
ComposedSystemBinder sorafenib_trial_binder() {
    return &bind_static_composition<
            Outputs, Wired<SorafenibComponent>, Wired<PlerixaforComponent>, Wired<FilgrastimComponent>,
            Wired<NicheComponent, Wire<filgrastim, FilgrastimComponent::free_concentration_port>>,
            Wired<CellsComponent, Wire<niche, NicheComponent::ligand_port(0)>, Wire<niche, NicheComponent::ligand_port(1)>,
                  Wire<niche, NicheComponent::ligand_port(2)>, Wire<plerixafor, OccupancyPort>,
                  Wire<flt3, SorafenibComponent::flt3_inhibition_port>>>;
}

std::string bind_error(ComposedSystemBinder binder) {
    const auto model = make_aml_mobilization("trial_restated", "test", sorafenib_component(), binder);
    try {
        model->bind(model->default_parameters(), {70, 90, 1, 1, 1});
    } catch (const std::logic_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("compiled trial composition: a wire or an output out of step with the declarations is rejected", "[composition]") {
    // the restatement itself binds: what the other two change is what the check sees
    CHECK(bind_error(sorafenib_trial_binder<TrialOutputs, PlerixaforComponent::cxcr4_occupancy_port>()).empty());
    // the cells reading plerixafor's concentration where the declaration says its CXCR4 occupancy
    CHECK_THAT(bind_error(sorafenib_trial_binder<TrialOutputs, PlerixaforComponent::central_concentration_port>()),
               Catch::Contains("component 4 reads port value") && Catch::Contains("as input 3"));
    CHECK_THAT(bind_error(sorafenib_trial_binder<SwappedOutputs, PlerixaforComponent::cxcr4_occupancy_port>()),
               Catch::Contains("static composition: output 4 reports port value"));
}
