// NLME fits of model files: the generated dual-number parameter sensitivities, integrated with the states,
// against the closed form of the one-compartment oral model (an independent truth: Bateman's function and its
// derivatives), and the FOCEI objective of the theophylline data through the model file against the closed form's.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "sim/model_files/model_file.hpp"
#include "sim/studies/nlme_focei.hpp"
#include "sim/studies/nlme_model_file.hpp"
#include "test_helpers.hpp"
#include "test_nlme_helpers.hpp"

using namespace mobsim::nlme;
namespace test = mobsim::test;
namespace model_file = mobsim::model_file;

namespace {

// tests/data/one_compartment_oral_nlme.model with the given parameters estimated (F fixed at 1 unless estimated).
std::unique_ptr<StructuralModel> model_file_model(std::vector<std::string> estimated) {
    const auto path = std::filesystem::path(MOBSIM_SOURCE_DIR) / "tests" / "data" / "one_compartment_oral_nlme.model";
    std::shared_ptr<const mobsim::Model> model = model_file::load_model_file(path.string(), {test::model_file_cache()});
    ModelFileFit fit;
    fit.estimated = std::move(estimated);
    for (const mobsim::ParameterInfo& p : model->parameters()) fit.parameters.push_back(p.name == "F" ? 1.0 : p.value);
    return model_file_structural_model(model, fit);
}

double relative(double a, double b, double scale) { return std::abs(a - b) / scale; }

}  // namespace

TEST_CASE("a model file's dual-number parameter sensitivities agree with the closed form", "[nlme]") {
    const auto file_model = model_file_model({"ka", "CL", "V", "F"});
    const auto closed_form = one_compartment_oral();
    Subject s;  // oral doses (bioavailability F) and an intravenous bolus (F does not apply)
    s.doses = {{0.0, 320.0, 1}, {12.0, 160.0, 1}, {18.0, 50.0, 2}};
    for (double t : {0.0, 0.25, 1.0, 3.0, 12.0, 12.5, 18.0, 20.0, 30.0}) s.observations.push_back({t, 0.0, false});
    for (const std::vector<double>& p : {std::vector<double>{1.5, 2.7, 31.0, 0.8}, std::vector<double>{0.0871, 2.7, 31.0, 0.8}}) {
        std::vector<double> f, jac, fc, jc, f_oral;
        file_model->predict(p, s, f, &jac);
        Subject absorbed(s), oral_only(s);  // the closed form with the absorbed amounts; d f / d F: oral doses alone
        for (DoseEvent& d : absorbed.doses)
            if (d.compartment == 1) d.amount *= p[3];
        oral_only.doses.pop_back();
        closed_form->predict({p[0], p[1], p[2]}, absorbed, fc, &jc);
        closed_form->predict({p[0], p[1], p[2]}, oral_only, f_oral, nullptr);
        REQUIRE(f.size() == fc.size());
        double value_error = 0.0, sensitivity_error = 0.0, scale = 0.0;
        for (double v : fc) scale = std::max(scale, std::abs(v));
        for (std::size_t j = 0; j < f.size(); ++j) {
            value_error = std::max(value_error, relative(f[j], fc[j], scale));
            for (int k = 0; k < 3; ++k) {
                double column_scale = 0.0;
                for (std::size_t i = 0; i < f.size(); ++i) column_scale = std::max(column_scale, std::abs(jc[i * 3 + k]));
                sensitivity_error = std::max(sensitivity_error, relative(jac[j * 4 + k], jc[j * 3 + k], column_scale));
            }
            sensitivity_error = std::max(sensitivity_error, relative(jac[j * 4 + 3], f_oral[j], scale / p[3]));
        }
        CHECK(value_error < 1e-10);  // the integration's tolerance is rtol 1e-10, atol 1e-12
        CHECK(sensitivity_error < 1e-9);
        // Central differences through the adaptive integrator (step 1e-4 relative) against the closed form's
        // derivatives: their truncation and the integrator's error make them the less accurate of the two.
        double difference_error = 0.0;
        for (int k = 0; k < 3; ++k) {
            std::vector<double> up(p), down(p), fu, fd;
            up[k] *= 1.0 + 1e-4;
            down[k] *= 1.0 - 1e-4;
            file_model->predict(up, s, fu, nullptr);
            file_model->predict(down, s, fd, nullptr);
            double column_scale = 0.0;
            for (std::size_t i = 0; i < f.size(); ++i) column_scale = std::max(column_scale, std::abs(jc[i * 3 + k]));
            for (std::size_t j = 0; j < f.size(); ++j)
                difference_error = std::max(difference_error, relative((fu[j] - fd[j]) / (2e-4 * p[k]), jc[j * 3 + k], column_scale));
        }
        CHECK(difference_error < 1e-6);  // measured 6e-9 to 9e-9; the dual numbers 2e-11
    }
}

TEST_CASE("FOCEI through a model file gives the closed form's theophylline OFV and EBEs", "[nlme]") {
    const Population theoph = test::theophylline();
    const auto file_model = model_file_model({"ka", "CL", "V"});
    const auto closed_form = one_compartment_oral();
    NlmeSpec spec;  // at nlmixr2's published FOCEI estimates (docs/nlme.md)
    spec.theta_start = {1.593, 2.752, 31.81};
    spec.eta_parameter = {0, 1, 2};
    spec.omega_start = {0.4037, 0, 0, 0, 0.06911, 0, 0, 0, 0.01914};
    spec.additive_start = 0.6947;
    NlmeOptions evaluate;
    evaluate.max_iterations = 0;
    evaluate.diagnostics = false;
    evaluate.threads = 2;
    const NlmeResult a = fit_focei(FoceiProblem(*file_model, theoph, spec), evaluate);
    const NlmeResult b = fit_focei(FoceiProblem(*closed_form, theoph, spec), evaluate);
    CHECK(std::abs(a.ofv - b.ofv) < 1e-5);
    CHECK(std::abs(b.ofv - 116.80) < 0.05);  // nlmixr2's 116.8036 at its own (rounded here) estimates
    double eta_difference = 0.0;
    for (std::size_t i = 0; i < a.eta.size(); ++i)
        for (std::size_t m = 0; m < 3; ++m) eta_difference = std::max(eta_difference, std::abs(a.eta[i][m] - b.eta[i][m]));
    CHECK(eta_difference < 1e-6);
}
