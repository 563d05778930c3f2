// Model files that import the shipped components (docs/model-files.md, "Imports"): against closed forms (AUC =
// F·D/CL through the component's own dose rule; gilteritinib's FLT3 port C/(C+IC50)), against the built-in
// sorafenib_pk and gilteritinib_pk (second implementations of the same models: their dose rules, gallbladder switch,
// lag and linear blocks), the composed Jacobian against central differences, and the positioned errors of a wrong
// import, port or name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "models/component_imports.hpp"
#include "sim/base/config.hpp"
#include "sim/base/errors.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "sim/model_files/model_file_generate.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
namespace fs = std::filesystem;

namespace {

std::string example(const std::string& name) {
    return (fs::path(MOBSIM_SOURCE_DIR) / "models" / "files" / name).string();
}

Problem problem_for(const std::string& model, const std::string& rest) {
    const Scenario s = read_scenario_node(load_config_text("model: " + model + "\n" + rest, "test.yaml"));
    return build_problem(s, test::registry_with_model_files().create(s.model));
}

std::string check_message(const std::string& text) {
    try {
        model_file::check_model_text(text, "m.model", &models::builtin_components());
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

double worst_relative(const std::vector<double>& a, const std::vector<double>& b, double floor) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), floor));
    return worst;
}

// Every output of the built-in model, by name, within 1e-9 relative (|value| below `floor` counts as `floor`).
void check_outputs_agree(const Trajectory& file, const Trajectory& builtin, double floor) {
    for (const OutputInfo& o : builtin.outputs) {
        INFO(o.name);
        CHECK(worst_relative(file.column(o.name), builtin.column(o.name), floor) <= 1e-9);
    }
}

}  // namespace

TEST_CASE("a model file importing plerixafor reaches the closed-form AUC F*D/CL through the component's dose rule") {
    // two 240 ug/kg SC doses in a 70 kg patient with CrCl 60 mL/min; by 400 h every dose is eliminated
    const std::string rest = "patient: {weight_kg: 70, crcl_mL_min: 60}\nparameters: {ke0: 0.5, plerixafor_F: 0.8}\n"
                             "regimens: [{into: plerixafor_depot, amount: 240, unit: ug/kg, at_h: [0, 24]}]\n"
                             "output: {end_h: 400, step_h: 4}\nsolver: {rtol: 1.0e-11, atol: 1.0e-14}\n";
    const Problem p = problem_for(example("plerixafor_effect.model"), rest);
    const Trajectory t = simulate(p);
    const double dose_mg = 2 * 0.240 * 70, f = 0.8;
    const double cl = 0.077 * 70 * ((1 - 0.4) + 0.4 * 60 / 100.0);  // the component's documented clearance
    CHECK(t.column("auc_plasma").back() == Approx(f * dose_mg / cl).epsilon(1e-8));
    // the effect site is a unit-gain linear filter of the plasma concentration: the same area
    CHECK(t.column("auc_effect").back() == Approx(f * dose_mg / cl).epsilon(1e-8));
    // the imported output under its own name, as the built-in plerixafor_pk gives it
    const Trajectory builtin = simulate(problem_for("plerixafor_pk", "patient: {weight_kg: 70, crcl_mL_min: 60}\n"
                                                                     "parameters: {plerixafor_F: 0.8}\n" +
                                                                         rest.substr(rest.find("regimens"))));
    CHECK(worst_relative(t.column("plerixafor"), builtin.column("plerixafor"), 1e-6) <= 1e-9);
    // the component's linear block is kept in the composition
    const auto system = p.model->bind(p.parameters, p.covariates);
    const std::vector<LinearBlock> blocks = system->linear_blocks();
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].first_state == 0);
    CHECK(blocks[0].size == 3);
}

TEST_CASE("a model file re-exporting the sorafenib component agrees with the built-in sorafenib_pk within 1e-9") {
    // 800 mg twice daily for a week, then 400 mg: the amount-dependent bioavailability, the gallbladder switch
    // after every dose and the linear block all come from the component's own rules
    const std::string rest = R"(patient: {weight_kg: 80}
regimens:
  - {into: sorafenib_depot, amount: 800, unit: mg, every_h: 12, count: 14}
  - {into: sorafenib_depot, amount: 400, unit: mg, start_h: 168, every_h: 12, count: 6}
output: {end_h: 300, step_h: 0.5}
solver: {rtol: 1.0e-10, atol: 1.0e-12}
)";
    const Trajectory builtin = simulate(problem_for("sorafenib_pk", rest));
    const Trajectory file = simulate(problem_for(example("sorafenib_reexport.model"), rest));
    check_outputs_agree(file, builtin, 1e-6);
    CHECK(worst_relative(file.column("sorafenib_plasma"), builtin.column("sorafenib"), 1e-6) <= 1e-9);
    const std::vector<double> plasma = builtin.column("sorafenib");
    CHECK(*std::max_element(plasma.begin(), plasma.end()) > 1.0);
}

TEST_CASE("a model file importing gilteritinib agrees with gilteritinib_pk within 1e-9 and its FLT3 port is C/(C+IC50)") {
    // the labelled 120 mg once daily for a week (XOSPATA US label 2.2): the lag and the linear block come from the
    // component's own rules
    const std::string rest = "regimens: [{into: gilteritinib_depot, amount: 120, unit: mg, every_h: 24, count: 7}]\n"
                             "output: {end_h: 200, step_h: 0.5}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n";
    const Problem builtin_problem = problem_for("gilteritinib_pk", rest);
    const Problem file_problem = problem_for(example("gilteritinib_flt3.model"), rest);
    REQUIRE(file_problem.model->states().size() == builtin_problem.model->states().size());
    REQUIRE(file_problem.model->parameters().size() == builtin_problem.model->parameters().size());
    const Trajectory builtin = simulate(builtin_problem), file = simulate(file_problem);
    check_outputs_agree(file, builtin, 1e-6);
    const std::vector<double> plasma = file.column("gilteritinib_plasma");
    CHECK(worst_relative(plasma, builtin.column("gilteritinib"), 1e-6) <= 1e-9);
    CHECK(*std::max_element(plasma.begin(), plasma.end()) > 0.1);  // 120 mg QD: Cmax above 100 ng/mL by day 7
    const auto blocks = file_problem.model->bind(file_problem.parameters, file_problem.covariates)->linear_blocks();
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].size == 3);
    // Imax 1, Hill 1 at the component's potency: the documented 0.0131 mg/L (Lee 2017), then a scenario's own value
    const int ic50_at = file_problem.model->parameter_index("gilteritinib_flt3_IC50");
    REQUIRE(ic50_at >= 0);
    CHECK(file_problem.parameters[ic50_at] == 0.0131);
    const auto check_inhibition = [](const Trajectory& t, double ic50) {
        const std::vector<double> c = t.column("gilteritinib_plasma"), inhibition = t.column("flt3_inhibition");
        for (std::size_t i = 0; i < c.size(); ++i) CHECK(inhibition[i] == Approx(c[i] / (c[i] + ic50)).epsilon(1e-14));
        CHECK(*std::max_element(inhibition.begin(), inhibition.end()) > 0.8);  // the doses reach the port
    };
    check_inhibition(file, 0.0131);
    check_inhibition(simulate(problem_for(example("gilteritinib_flt3.model"),
                                          "parameters: {gilteritinib_flt3_IC50: 0.05}\n" + rest)), 0.05);
}

TEST_CASE("the Jacobian of a composed model file matches central differences, in the states and in time") {
    // nonlinear in two imported ports and explicitly time-dependent, so every chained term of the file part counts
    const std::string text =
        "import plerixafor\nimport sorafenib\nparameter kin = 2\nparameter kout = 0.3\nstate r init = 5\n"
        "let c = plerixafor.central_concentration\n"
        "d/dt(r) = kin * (1 + 3 * c^2 / (0.01 + c^2)) * (1 + 0.2 * sin(0.5 * t)) - kout * r * (1 + sorafenib.central_concentration)\n"
        "output response = r * c\n";
    const std::string path = test::write_temp_file("imports_jacobian.model", text);
    const Problem p = problem_for(path, "patient: {weight_kg: 70, crcl_mL_min: 90}\noutput: {end_h: 1, step_h: 1}\n");
    const auto system = p.model->bind(p.parameters, p.covariates);
    const int n = static_cast<int>(p.model->states().size());
    REQUIRE(n == 3 + 7 + 1);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0.5, 20.0);
    for (int trial = 0; trial < 5; ++trial) {
        std::vector<double> x(n), J(n * n), dfdt(n), up(n), down(n);
        for (double& e : x) e = u(rng);
        const double t = 2.0 + trial;
        REQUIRE(system->jacobian(t, x.data(), J.data(), dfdt.data()));
        for (int j = 0; j < n; ++j) {
            const double h = 1e-6 * x[j];
            std::vector<double> xp = x, xm = x;
            xp[j] += h;
            xm[j] -= h;
            system->rhs(t, xp.data(), up.data());
            system->rhs(t, xm.data(), down.data());
            for (int i = 0; i < n; ++i) CHECK(J[i * n + j] == Approx((up[i] - down[i]) / (2 * h)).epsilon(1e-6).margin(1e-9));
        }
        system->rhs(t + 1e-5, x.data(), up.data());
        system->rhs(t - 1e-5, x.data(), down.data());
        for (int i = 0; i < n; ++i) CHECK(dfdt[i] == Approx((up[i] - down[i]) / 2e-5).epsilon(1e-6).margin(1e-9));
    }
}

TEST_CASE("import errors name the model file's line and column, with a near match") {
    const std::string state = "state e\nd/dt(e) = -e\n";
    CHECK(check_message("import plerixafr\n" + state) ==
          "m.model:1:8: unknown component 'plerixafr'; did you mean 'plerixafor'? (components: sorafenib, plerixafor, "
          "filgrastim, gilteritinib)");
    CHECK(check_message("import giltertinib\n" + state) ==
          "m.model:1:8: unknown component 'giltertinib'; did you mean 'gilteritinib'? (components: sorafenib, "
          "plerixafor, filgrastim, gilteritinib)");
    CHECK(check_message("import gilteritinib\nstate e\nd/dt(e) = gilteritinib.flt3_inhibiton - e\n") ==
          "m.model:3:11: component 'gilteritinib' has no port 'flt3_inhibiton'; did you mean 'flt3_inhibition'? "
          "(ports: central_concentration, flt3_inhibition)");
    CHECK(check_message("import plerixafor\nstate e\nd/dt(e) = plerixafor.centrl_concentration - e\n") ==
          "m.model:3:11: component 'plerixafor' has no port 'centrl_concentration'; did you mean "
          "'central_concentration'? (ports: central_concentration, cxcr4_occupancy)");
    CHECK(check_message("import plerixafor\nstate e\nd/dt(e) = sorafenib.central_concentration - e\n") ==
          "m.model:3:11: component 'sorafenib' is not imported: add 'import sorafenib'");
    CHECK(check_message("import plerixafor\nstate e\nd/dt(e) = sorafenb.central_concentration - e\n") ==
          "m.model:3:11: unknown component 'sorafenb' in 'sorafenb.central_concentration'; did you mean 'sorafenib'?");
    CHECK(check_message("import plerixafor\nparameter plerixafor_ka = 1\n" + state) ==
          "m.model:2:11: the parameter 'plerixafor_ka' clashes with a parameter of the imported component "
          "'plerixafor' (imported at line 1); choose another name");
    CHECK(check_message("import plerixafor\n" + state + "output plerixafor = e\n") ==
          "m.model:4:8: the output 'plerixafor' clashes with an output of the imported component 'plerixafor' "
          "(imported at line 1); choose another name");
    CHECK(check_message("import plerixafor\ncovariate weight_kg [g]\n" + state) ==
          "m.model:2:11: the covariate 'weight_kg' clashes with a covariate of the imported component 'plerixafor' "
          "(imported at line 1), declared in [kg]: use that unit to share it");
    CHECK(check_message("import plerixafor\ncovariate weight_kg [kg]\nstate e\nd/dt(e) = -e / weight_kg\n").empty());
    CHECK(check_message("model plerixafor\nimport plerixafor\n" + state) ==
          "m.model:1:7: the model's name 'plerixafor' is also an imported component's name; choose another (model NAME)");
    CHECK(check_message("import plerixafor\nstate e dosable\nd/dt(e) = -e\ndose e lag = plerixafor.central_concentration\n") ==
          "m.model:4:14: 'plerixafor.central_concentration' changes with the states; a dose property may not use it");
    CHECK(check_message("import plerixafor\nimport plerixafor\n" + state) ==
          "m.model:2:8: component 'plerixafor' is already imported at line 1");
    // without a component source (a file checked on its own) nothing can be imported
    CHECK_THROWS_WITH(model_file::check_model_text("import plerixafor\n" + state, "m.model"),
                      "m.model:1:8: unknown component 'plerixafor' (nothing can be imported here)");
}

TEST_CASE("an importing file's initial values read the imported ports at their initial state, and init = steady holds them") {
    // the filgrastim component starts at its endogenous G-CSF baseline C0; a delay chain driven by C/(EC50 + C)
    // starts at its closed-form rest point C0/(EC50 + C0), and without treatment everything stays there
    const std::string text =
        "import filgrastim\nparameter ec50 = 2.5 [ng/mL]\nparameter k = 0.2 [1/h]\n"
        "state baseline [ng/mL] init = filgrastim.free_concentration\n"
        "state s1 init = steady\nstate s2 init = steady(0.5)\n"
        "d/dt(baseline) = 0\nd/dt(s1) = k * (filgrastim.free_concentration / (ec50 + filgrastim.free_concentration) - s1)\n"
        "d/dt(s2) = k * (s1 - s2)\noutput first = s1\noutput second = s2\noutput c0 [ng/mL] = baseline\n";
    const std::string path = test::write_temp_file("imports_steady.model", text);
    const std::string rest = "output: {end_h: 240, step_h: 24}\nsolver: {rtol: 1.0e-11, atol: 1.0e-13}\n";
    const Trajectory t = simulate(problem_for(path, rest));
    const double c0 = simulate(problem_for("filgrastim_pk", rest)).column("filgrastim").front();
    REQUIRE(c0 > 0.0);
    CHECK(t.column("c0").front() == Approx(c0).epsilon(1e-14));
    for (const char* name : {"first", "second"})
        for (double v : t.column(name)) CHECK(v == Approx(c0 / (2.5 + c0)).epsilon(1e-9));
}

TEST_CASE("initial(NAME.PORT) holds the port's value at the components' initial state while the port moves") {
    // a G-CSF dose raises the free concentration; a quantity derived from initial() stays at the baseline C0
    const std::string text =
        "import filgrastim\nparameter ec50 = 2.5 [ng/mL]\nstate e\nd/dt(e) = -e\n"
        "let c0 [ng/mL] = initial(filgrastim.free_concentration)\nlet signal0 = c0 / (ec50 + c0)\n"
        "output held = signal0\noutput now [ng/mL] = filgrastim.free_concentration\n";
    const std::string path = test::write_temp_file("imports_initial.model", text);
    const std::string rest = "patient: {weight_kg: 70}\n"
                             "regimens: [{into: filgrastim_depot, amount: 10, unit: ug/kg, at_h: [1]}]\n"
                             "output: {end_h: 48, step_h: 4}\n";
    const Trajectory t = simulate(problem_for(path, rest));
    const std::vector<double> now = t.column("now"), held = t.column("held");
    const double c0 = now.front();
    REQUIRE(c0 > 0.0);
    CHECK(*std::max_element(now.begin(), now.end()) > 10 * c0);  // the port moves
    for (double v : held) CHECK(v == Approx(c0 / (2.5 + c0)).epsilon(1e-14));
    CHECK(check_message("import filgrastim\nstate e dosable\nd/dt(e) = -e\ndose e lag = initial(filgrastim.free_concentration)\n") ==
          "m.model:4:14: initial(filgrastim.free_concentration) is known only from the components' initial state; a "
          "dose property may not use it");
    CHECK(check_message("import filgrastim\nparameter k = 1\nstate e\nd/dt(e) = -e\nlet a = initial(k)\n") ==
          "m.model:5:17: initial() takes an imported port, NAME.PORT (e.g. initial(filgrastim.free_concentration))");
}

TEST_CASE("the trial's cell layer as a model file importing the three drugs gives aml_mobilization's outputs within 1e-9") {
    // the trial regimen in a patient away from the typical: other weight, renal function and receptor expression
    const std::string rest =
        "patient: {weight_kg: 85, crcl_mL_min: 55, cxcr4_expression: 1.6, vla4_expression: 0.7, cd44_expression: 1.2}\n"
        "regimens:\n"
        "  - {into: sorafenib_depot, amount: 800, unit: mg, start_h: 8, every_h: 12, count: 40}\n"
        "  - {into: filgrastim_depot, amount: 10, unit: ug/kg, days: [1, 3, 5, 7, 9, 11, 13], clock: '08:00'}\n"
        "  - {into: plerixafor_depot, amount: 240, unit: ug/kg, days: [1, 3, 5, 7, 9, 11, 13], clock: '08:00'}\n"
        "output: {end_h: 480, step_h: 2}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n";
    const Problem file_problem = problem_for(example("aml_cell_layer.model"), rest);
    const Trajectory file = simulate(file_problem);
    const Trajectory builtin = simulate(problem_for("aml_mobilization", rest));
    check_outputs_agree(file, builtin, 1e-12);
    const std::vector<double> fold = builtin.column("fold_cd34");
    CHECK(*std::max_element(fold.begin(), fold.end()) > 3.0);  // the drugs move cells: the comparison is not idle
    // the composed Jacobian (three components and the file's part) against central differences near the start
    const auto system = file_problem.model->bind(file_problem.parameters, file_problem.covariates);
    const int n = static_cast<int>(file_problem.model->states().size());
    std::vector<double> x(n), J(n * n), dfdt(n), up(n), down(n);
    system->initial_state(x.data());
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    for (int i = 0; i < n; ++i) x[i] = (x[i] > 0 ? x[i] : 1.0) * u(rng);  // drugs present, cells displaced
    REQUIRE(system->jacobian(30.0, x.data(), J.data(), dfdt.data()));
    for (int j = 0; j < n; ++j) {
        const double h = 1e-6 * std::abs(x[j]);
        std::vector<double> xp = x, xm = x;
        xp[j] += h;
        xm[j] -= h;
        system->rhs(30.0, xp.data(), up.data());
        system->rhs(30.0, xm.data(), down.data());
        for (int i = 0; i < n; ++i) {
            const double fd = (up[i] - down[i]) / (2 * h);
            INFO("d f" << i << " / d x" << j);
            CHECK(J[i * n + j] == Approx(fd).epsilon(1e-5).margin(1e-11 * (std::abs(up[i]) + std::abs(down[i])) / h + 1e-300));
        }
    }
}

TEST_CASE("mutated importing model files give a positioned error or a valid model, never a crash") {
    const std::string alphabet = "()[]\"=+-*/^<>!&|,#\n 0123456789.eE_dtxabif";
    std::ifstream in(example("plerixafor_effect.model"));
    const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::mt19937 rng(22);
    int rejected = 0;
    for (int variant = 0; variant < 400; ++variant) {
        std::string text = original;
        for (int edit = 0; edit < 1 + variant % 3; ++edit) {
            const std::size_t at = rng() % text.size();
            if (rng() % 2) text.insert(at, 1, alphabet[rng() % alphabet.size()]);
            else text.erase(at, 1 + rng() % 6);
        }
        try {
            const auto checked = model_file::check_model_text(text, "fuzzed.model", &models::builtin_components());
            CHECK(model_file::generate_cpp(checked).find("mobsim_model_file_abi_v1") != std::string::npos);
        } catch (const InputError& e) {
            ++rejected;
            CHECK(std::string(e.what()).rfind("fuzzed.model:", 0) == 0);
        }
    }
    CHECK(rejected > 200);
}
