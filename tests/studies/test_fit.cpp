// Calibration end to end on linear_pk: recovery of known parameters, M3 censoring, cohort-mean targets,
// identifiability by profile likelihood, and the fitted parameter file.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "models/registry.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/fit.hpp"
#include "sim/studies/fit_report.hpp"

using namespace mobsim;
using Catch::Matchers::Contains;

namespace {

const ModelRegistry& registry() {
    static const ModelRegistry r = models::builtin_models();
    return r;
}

// A fresh folder for one test's files.
struct Folder {
    std::filesystem::path path;
    Folder() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("mobsim_fit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~Folder() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream((path / name).string()) << text;
        return (path / name).string();
    }
};

// Standard normal draws independent of the standard library's distributions (Box-Muller on mt19937_64).
struct Noise {
    std::mt19937_64 engine;
    explicit Noise(std::uint64_t seed) : engine(seed) {}
    double uniform() { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; }
    double normal() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform()); }
};

double bateman(double t, double dose, double ka, double cl, double v) {
    const double k = cl / v;
    return dose * ka / (v * (ka - k)) * (std::exp(-k * t) - std::exp(-ka * t));
}

const char* kOralScenario = R"(model: linear_pk
parameters: {Q: 0}
regimens: [{into: depot, amount: 100, unit: mg, at_h: [0]}]
output: {end_h: 48, step_h: 1}
solver: {rtol: 1.0e-10, atol: 1.0e-12}
)";

const char* kBolusScenario = R"(model: linear_pk
parameters: {Q: 0}
regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]
output: {end_h: 24, step_h: 1}
solver: {rtol: 1.0e-10, atol: 1.0e-12}
)";

}  // namespace

TEST_CASE("simulate and recover: oral time course with proportional noise, truth inside the 95% intervals") {
    Folder folder;
    folder.write("oral.yaml", kOralScenario);
    const double ka = 1.2, cl = 5.0, v = 40.0, sigma = 0.1;
    Noise noise(7);
    std::ostringstream data;
    data << "observableId,subjectId,time,measurement\n";
    for (int subject = 1; subject <= 4; ++subject)
        for (double t : {0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 24.0})
            data << "conc," << subject << ',' << t << ',' << bateman(t, 100, ka, cl, v) * (1 + sigma * noise.normal())
                 << '\n';
    folder.write("data.csv", data.str());
    const std::string fit_file = folder.write("fit.yaml", R"(scenarios: {oral: oral.yaml}
parameters:
  - {parameterId: ka, parameterScale: log10, lowerBound: 0.05, upperBound: 20, nominalValue: 0.5}
  - {parameterId: CL, parameterScale: log10, lowerBound: 0.1, upperBound: 100, nominalValue: 2}
  - {parameterId: V1, parameterScale: log, lowerBound: 1, upperBound: 1000, nominalValue: 100}
  - {parameterId: sigma, parameterScale: log10, lowerBound: 0.001, upperBound: 1, nominalValue: 0.3}
observables:
  conc: {output: conc_central, error: {model: proportional, proportional: sigma}}
data: {time_courses: [data.csv]}
optimizer: {starts: 4, seed: 3, threads: 2}
)");
    const FitSpec spec = read_fit_file(fit_file, registry());
    const FitObjective objective(spec, registry());
    const FitResult result = fit(objective);
    REQUIRE(result.best >= 0);
    const std::vector<double> truth = {ka, cl, v, sigma};
    for (std::size_t j = 0; j < truth.size(); ++j) {
        INFO(spec.parameters[j].id << " = " << result.natural[j] << " [" << result.ci_lower[j] << ", "
                                   << result.ci_upper[j] << "]");
        CHECK(result.ci_lower[j] < truth[j]);
        CHECK(truth[j] < result.ci_upper[j]);
        CHECK(result.ci_upper[j] / result.ci_lower[j] < 1.6);  // informative intervals, not vacuous ones
    }
    for (const auto& start : result.starts) CHECK(converged(start.lm.status));

    SECTION("the result does not depend on the number of threads") {
        FitSpec serial = spec;
        serial.options.threads = 1;
        const FitResult again = fit(FitObjective(serial, registry()));
        CHECK(again.x == result.x);
        CHECK(again.objective == result.objective);
    }
    SECTION("the fitted parameter file is a valid parameter file and a start") {
        const std::string written =
            folder.write("fitted.yaml", fitted_parameter_file(objective, result, FitRunInfo{fit_file, "test"}));
        const auto values = read_parameter_file(written);
        CHECK(values.at("CL") == result.natural[1]);
        CHECK(values.count("sigma") == 0);  // noise parameters live under noise_parameters:
        Scenario scenario = read_scenario(folder.path.string() + "/oral.yaml");
        scenario.parameters_file = written;
        const Problem problem = build_problem(scenario, registry().create("linear_pk"));
        CHECK(problem.parameters[registry().create("linear_pk")->parameter_index("V1")] == result.natural[2]);
        FitSpec restarted = spec;
        CHECK(apply_start_file(restarted, written).empty());
        CHECK(restarted.parameters[3].nominal == result.natural[3]);
        const std::string csv = residuals_csv(objective, result);
        CHECK(csv.rfind("target,observed,predicted,residual,weighted_residual\nconc@oral:t=0.25:subject=1,", 0) == 0);
    }
}

TEST_CASE("M3: a censored row contributes -2 log Phi((LLOQ - prediction) / sigma)") {
    Folder folder;
    folder.write("bolus.yaml", kBolusScenario);
    // IV bolus 100 mg, CL 5, V1 50: C(t) = 2 exp(-0.1 t). LLOQ one sigma below C(10) gives Phi(-1).
    const double sigma = 0.1, c10 = 2.0 * std::exp(-1.0), c2 = 2.0 * std::exp(-0.2);
    std::ostringstream data;
    data.precision(17);
    data << "observableId,time,measurement,censored\nconc,2," << c2 + 0.05 << ",0\nconc,10," << c10 - sigma << ",1\n";
    folder.write("data.csv", data.str());
    const std::string fit_file = folder.write("fit.yaml", R"(scenarios: {bolus: bolus.yaml}
parameters:
  - {parameterId: CL, parameterScale: lin, lowerBound: 0.1, upperBound: 100, nominalValue: 5}
  - {parameterId: V1, parameterScale: lin, lowerBound: 1, upperBound: 1000, nominalValue: 50, estimate: false}
observables:
  conc: {output: conc_central, error: {model: additive, additive: 0.1}}
data: {time_courses: [data.csv]}
)");
    const FitObjective objective(read_fit_file(fit_file, registry()), registry());
    Evaluation e;
    REQUIRE(objective.evaluate({5.0}, e));
    const double phi_minus_1 = 0.15865525393145707;  // Phi(-1), from tables
    const double measured = std::pow(0.05 / sigma, 2) + 2.0 * std::log(sigma) + std::log(2.0 * M_PI);
    CHECK(objective.neg2_log_likelihood({5.0}, e) == Approx(measured - 2.0 * std::log(phi_minus_1)).epsilon(1e-7));
    std::vector<double> r;
    objective.residuals_of({5.0}, e, r);
    REQUIRE(r.size() == 2);
    CHECK(r[1] * r[1] == Approx(-2.0 * std::log(phi_minus_1)).epsilon(1e-7));
}

TEST_CASE("cohort mean: AUC and peak targets of known typical values are recovered") {
    Folder folder;
    folder.write("bolus.yaml", R"(model: linear_pk
parameters: {Q: 0}
regimens: [{into: central, amount: 100, unit: mg, at_h: [0]}]
output: {end_h: 120, step_h: 0.1}
)");
    const double cl = 4.0, v = 30.0;
    CohortSpec cohort;
    cohort.size = 20;
    cohort.seed = 11;
    cohort.variability = {{"CL"}, {0.09}};
    // Truth without the ODE solver: AUC_i(0, 120 h) = D / CL_i (1 - exp(-CL_i / V1 120)), CL_i = CL exp(eta_i),
    // and every patient's peak is D / V1 at t = 0 (IIV only on CL).
    double mean_auc = 0.0;
    for (const auto& patient : draw_cohort(cohort)) {
        const double cl_i = cl * std::exp(etas(cohort.variability, patient.z)[0]);
        mean_auc += 100.0 / cl_i * (1.0 - std::exp(-cl_i / v * 120.0)) / cohort.size;
    }
    std::ostringstream data;
    data.precision(17);
    data << "observableId,measurement,sd,source\nauc," << mean_auc << ",0.01,analytic\npeak," << 100.0 / v
         << ",0.001,analytic\n";
    folder.write("targets.csv", data.str());
    const std::string fit_file = folder.write("fit.yaml", R"(scenarios: {bolus: bolus.yaml}
parameters:
  - {parameterId: CL, parameterScale: log10, lowerBound: 0.1, upperBound: 100, nominalValue: 1}
  - {parameterId: V1, parameterScale: log10, lowerBound: 1, upperBound: 1000, nominalValue: 100}
observables:
  auc: {output: conc_central, summary: {kind: auc, start_h: 0, end_h: 120}}
  peak: {output: conc_central, summary: {kind: maximum, start_h: 0, end_h: 120}}
data: {summaries: [targets.csv]}
cohort: {size: 20, seed: 11, variability: {parameters: [CL], omega: [0.09]}}
optimizer: {starts: 1, threads: 3}
)");
    const FitObjective objective(read_fit_file(fit_file, registry()), registry());
    const FitResult result = fit(objective);
    REQUIRE(result.best == 0);
    CHECK(result.natural[0] == Approx(cl).epsilon(1e-4));  // trapezoid error of the 0.1 h grid is ~2e-5
    CHECK(result.natural[1] == Approx(v).epsilon(1e-6));
    // its patients were simulated on three threads; one gives the same bits (they are summed in patient order)
    FitSpec serial = read_fit_file(fit_file, registry());
    serial.options.threads = 1;
    const FitResult again = fit(FitObjective(serial, registry()));
    CHECK(again.x == result.x);
    CHECK(again.objective == result.objective);
    CHECK(again.se_scaled == result.se_scaled);
}

TEST_CASE("profile likelihood flags a parameter the data cannot determine") {
    Folder folder;
    folder.write("bolus.yaml", kBolusScenario);
    Noise noise(5);
    std::ostringstream data;
    data << "observableId,time,measurement\n";
    for (double t : {0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0})
        data << "conc," << t << ',' << 2.0 * std::exp(-0.1 * t) + 0.02 * noise.normal() << '\n';
    folder.write("data.csv", data.str());
    // ka has no effect on an IV bolus into the central compartment.
    const std::string fit_file = folder.write("fit.yaml", R"(scenarios: {bolus: bolus.yaml}
parameters:
  - {parameterId: CL, parameterScale: log10, lowerBound: 0.1, upperBound: 100, nominalValue: 3}
  - {parameterId: V1, parameterScale: log10, lowerBound: 1, upperBound: 1000, nominalValue: 30}
  - {parameterId: ka, parameterScale: log10, lowerBound: 0.01, upperBound: 100, nominalValue: 1}
observables:
  conc: {output: conc_central, error: {model: additive, additive: 0.02}}
data: {time_courses: [data.csv]}
optimizer: {threads: 2}
)");
    const FitObjective objective(read_fit_file(fit_file, registry()), registry());
    const FitResult result = fit(objective);
    CHECK(result.fisher_rank == 2);
    CHECK(std::isinf(result.se_scaled[2]));
    const auto profiles = profile(objective, result, ProfileSettings{});
    REQUIRE(profiles.size() == 3);
    CHECK(profiles[0].identifiable());
    CHECK(profiles[1].identifiable());
    CHECK(*profiles[0].lower < 5.0);
    CHECK(5.0 < *profiles[0].upper);
    CHECK(*profiles[1].lower < 50.0);
    CHECK(50.0 < *profiles[1].upper);
    CHECK_FALSE(profiles[2].identifiable());
    CHECK(profiles[2].lower_at_bound);
    CHECK(profiles[2].upper_at_bound);
    CHECK(profile_csv(profiles, result.objective).rfind("parameter,value,objective,delta_objective\n", 0) == 0);
}

TEST_CASE("fit files are validated with positions and near matches") {
    Folder folder;
    folder.write("bolus.yaml", kBolusScenario);
    folder.write("data.csv", "observableId,time,measurement\nconc,1,1.8\n");
    auto fails = [&](const std::string& text, const std::string& message) {
        const std::string path = folder.write("fit.yaml", text);
        CHECK_THROWS_WITH(read_fit_file(path, registry()), Contains(message));
    };
    const std::string head = "scenarios: {bolus: bolus.yaml}\n";
    const std::string obs = "observables: {conc: {output: conc_central, error: {model: additive, additive: 0.1}}}\n";
    const std::string data = "data: {time_courses: [data.csv]}\n";
    fails(head + "parameters: [{parameterId: CLL, lowerBound: 1, upperBound: 10}]\n" + obs + data,
          "'CLL' is neither a parameter of model 'linear_pk' nor used by an error model; did you mean 'CL'?");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 10, upperBound: 1}]\n" + obs + data,
          "upperBound must exceed lowerBound");
    fails(head + "parameters: [{parameterId: CL, parameterScale: log10, lowerBound: 0, upperBound: 10}]\n" + obs + data,
          "needs lowerBound > 0");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10}]\n" +
              "observables: {conc: {output: conc_centrl}}\n" + data,
          "has no output 'conc_centrl'; did you mean 'conc_central'?");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10}]\n" +
              "observables: {conc: {output: conc_central, error: {model: additive, additive: sig}}}\n" + data,
          "'sig' is neither a number nor a parameter in 'parameters'");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10}]\n" +
              "observables: {conc: {output: conc_central}}\n" + data,
          "has no error model, so every row needs an sd");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10}]\n" + obs + "data: {summaries: [data.csv]}\n",
          "data.csv:1: column 2: unknown column 'time'");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10, estimate: false}]\n" + obs + data,
          "nothing to fit");
    fails(head + "parameters: [{parameterId: CL, lowerBound: 1, upperBound: 10}]\n" + obs + data +
              "optimizer: {strats: 3}\n",
          "unknown key 'strats'; did you mean 'starts'?");
}
