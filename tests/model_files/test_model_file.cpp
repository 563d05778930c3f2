// Model files (docs/model-files.md): positioned errors, the shipped examples against independent truths, the
// dual-number Jacobian against finite differences, and the cache's handling of corrupt and stale entries.
// The examples compile once into a cache beside the test binary, shared by every test process of a run.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <array>
#include <random>
#include <thread>

#include "models/registry.hpp"
#include "sim/base/config.hpp"
#include "sim/base/errors.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "sim/model_files/model_file_compile.hpp"
#include "sim/model_files/model_file_generate.hpp"
#include "sim/engine/simulation.hpp"
#include "test_helpers.hpp"

using namespace mobsim;
namespace fs = std::filesystem;

namespace {

std::string shared_cache() { return test::model_file_cache(); }

std::string example(const std::string& name) {
    return (fs::path(MOBSIM_SOURCE_DIR) / "models" / "files" / name).string();
}

const ModelRegistry& registry() { return test::registry_with_model_files(); }

Problem problem_for(const std::string& model, const std::string& rest) {
    const Scenario s = read_scenario_node(load_config_text("model: " + model + "\n" + rest, "test.yaml"));
    return build_problem(s, registry().create(s.model));
}

// The checker's message for `text`, or "" when it is valid.
std::string check_message(const std::string& text) {
    try {
        model_file::check_model_text(text, "m.model");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

const std::string kHeader =
    "parameter ka = 1 [1/h]\nparameter CL = 5 [L/h]\nparameter V = 50 [L]\nstate depot [mg]\nstate central [mg]\n";

}  // namespace

TEST_CASE("model file errors name the file, line and column, with a near match") {
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot\nd/dt(central) = kaa * depot - CL / V * central\n") ==
          "m.model:7:17: unknown name 'kaa'; did you mean 'ka'?");
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot\n") ==
          "m.model:5:7: state 'central' has no equation: add d/dt(central) = ...");
    CHECK(check_message(kHeader + "parameter V = 2 [L]\nd/dt(depot) = 0\nd/dt(central) = 0\n") ==
          "m.model:6:11: 'V' is already declared at line 3");
    // CL * central is L*mg/h, not mg/h: a dimension error at the right-hand side's first token
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot\nd/dt(central) = ka * depot - CL * central\n") ==
          "m.model:7:28: unit mismatch: '-' between mass/time and mass*volume/time");
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot\nd/dt(central) = exp(V) * 0\noutput c [mg/L] = central\n") ==
          "m.model:7:17: exp() needs a dimensionless argument; it has dimension volume\n"
          "m.model:8:19: unit mismatch: output 'c' has dimension mass, expected mass/volume");
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * (depot\nd/dt(central) = 0\n") ==
          "m.model:7:1: expected ')', found 'd'");
    CHECK(check_message(kHeader + "d/dt(depot) = if(t > V, 0, ka * depot)\nd/dt(central) = 0\n") ==
          "m.model:6:20: unit mismatch: '>' between time and volume");
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot\nd/dt(central) = 0\nd/dt(centrl) = 1\n") ==
          "m.model:8:6: 'centrl' is not a state; did you mean 'central'?");
}

TEST_CASE("one-compartment oral model file follows the Bateman function with bioavailability and lag") {
    const double dose = 100, ka = 1.3, cl = 4.0, v = 30.0, f = 0.7, lag = 0.5, ke = cl / v;
    const Problem p = problem_for(example("one_compartment_oral.model"),
                                  "parameters: {ka: 1.3, CL: 4.0, V: 30.0, F: 0.7, tlag: 0.5}\n"
                                  "regimens: [{into: depot, amount: 100, unit: mg, at_h: [0]}]\n"
                                  "output: {end_h: 48, step_h: 0.25}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n");
    const Trajectory t = simulate(p);
    const std::vector<double> conc = t.column("conc");
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        const double s = t.time_h[i] - lag;
        const double truth = s <= 0 ? 0.0 : f * dose * ka / (v * (ka - ke)) * (std::exp(-ke * s) - std::exp(-ka * s));
        INFO("t = " << t.time_h[i]);
        CHECK(std::abs(conc[i] - truth) <= 1e-8 * std::max(truth, 1e-3));
    }
}

TEST_CASE("a model file's scalar and 4-lane exp are within 2 ulp of the long double exp") {
    // arguments -710 ... 710 (the library's range ends included) and small ones near 0; the two lets' exps go
    // into one 4-lane call, the output's is the scalar one
    const std::string path = test::write_temp_file("exp_accuracy.model", "parameter k = 1\nstate x\nd/dt(x) = 0\n"
                                                   "let w = exp(k * t - 710)\nlet n = exp(k * t / 997 - 0.7)\n"
                                                   "output wide = w\noutput narrow = n\noutput scalar = exp(k * t - 710)\n");
    REQUIRE(model_file::generate_cpp(model_file::read_model_file(path)).find("mf::exp_n(") != std::string::npos);
    const Trajectory t = simulate(problem_for(path, "output: {end_h: 1420, step_h: 0.0371}\n"));
    const std::vector<double> wide = t.column("wide"), narrow = t.column("narrow"), scalar = t.column("scalar");
    REQUIRE(t.time_h.size() > 38000);
    int checked = 0;
    for (std::size_t i = 0; i < t.time_h.size(); ++i)
        for (const auto& [value, argument] : {std::pair{wide[i], 1.0 * t.time_h[i] - 710.0},
                                              std::pair{narrow[i], 1.0 * t.time_h[i] / 997.0 - 0.7},
                                              std::pair{scalar[i], 1.0 * t.time_h[i] - 710.0}}) {
            const double truth = static_cast<double>(std::exp(static_cast<long double>(argument)));
            if (!std::isfinite(truth) || truth == 0.0) {
                CHECK(value == truth);
                continue;
            }
            const double ulp = std::nextafter(truth, INFINITY) - truth;
            INFO("exp(" << argument << ")");
            CHECK(std::abs(value - truth) <= 2 * ulp);
            ++checked;
        }
    CHECK(checked > 110000);
}

TEST_CASE("linear_pk as a model file gives the built-in model's outputs within 1e-9") {
    const std::string rest = "parameters: {ka: 1.2, CL: 5.0, V1: 40.0, Q: 8.0, V2: 120.0}\n"
                             "regimens: [{into: depot, amount: 100, unit: mg, every_h: 12, count: 6},\n"
                             "           {into: central, amount: 20, unit: mg, at_h: [30]}]\n"
                             "output: {end_h: 96, step_h: 0.5}\nsolver: {rtol: 1.0e-11, atol: 1.0e-13}\n";
    const Trajectory file = simulate(problem_for(example("linear_pk.model"), rest));
    const Trajectory builtin = simulate(problem_for("linear_pk", rest));
    REQUIRE(file.outputs.size() == builtin.outputs.size());
    for (std::size_t k = 0; k < file.outputs.size(); ++k) CHECK(file.outputs[k].name == builtin.outputs[k].name);
    REQUIRE(file.values.size() == builtin.values.size());
    double worst = 0;
    for (std::size_t i = 0; i < file.values.size(); ++i)
        worst = std::max(worst, std::abs(file.values[i] - builtin.values[i]) / std::max(std::abs(builtin.values[i]), 1e-3));
    CHECK(worst <= 1e-9);
    // and term by term: the same right-hand side and outputs at random states
    const Problem pf = problem_for(example("linear_pk.model"), rest), pb = problem_for("linear_pk", rest);
    const auto sf = pf.model->bind(pf.parameters, pf.covariates), sb = pb.model->bind(pb.parameters, pb.covariates);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.0, 100.0);
    for (int trial = 0; trial < 20; ++trial) {
        double x[4], df[4], db[4], yf[6], yb[6];
        for (double& e : x) e = u(rng);
        sf->rhs(1.0, x, df);
        sb->rhs(1.0, x, db);
        sf->observe(1.0, x, yf);
        sb->observe(1.0, x, yb);
        for (int i = 0; i < 4; ++i) CHECK(df[i] == Approx(db[i]).epsilon(1e-14).margin(1e-12));
        for (int i = 0; i < 6; ++i) CHECK(yf[i] == Approx(yb[i]).epsilon(1e-14));
    }
}

namespace {

// Friberg 2002 written again, independently of the model file: classical RK4 at a fixed 0.01 h step.
std::vector<double> friberg_rk4(double dose_mg, const std::vector<double>& times) {
    const double mtt = 124, gamma = 0.239, circ0 = 7.21, slope = 28.9, cl = 20, v = 300, mw = 853.9;
    const double ktr = 4 / mtt;
    auto f = [&](const std::array<double, 6>& y) {
        const double effect = slope * (y[0] / v / mw * 1000);
        std::array<double, 6> d{};
        d[0] = -cl / v * y[0];
        d[1] = ktr * y[1] * (1 - effect) * std::pow(circ0 / y[5], gamma) - ktr * y[1];
        for (int i = 2; i < 6; ++i) d[i] = ktr * (y[i - 1] - y[i]);
        return d;
    };
    std::array<double, 6> y = {dose_mg, circ0, circ0, circ0, circ0, circ0};
    std::vector<double> out;
    const double h = 0.01;
    long steps = 0;
    for (double target : times) {
        for (; steps < std::lround(target / h); ++steps) {
            auto add = [&](const std::array<double, 6>& k, double s) {
                std::array<double, 6> r;
                for (int i = 0; i < 6; ++i) r[i] = y[i] + s * k[i];
                return r;
            };
            const auto k1 = f(y), k2 = f(add(k1, h / 2)), k3 = f(add(k2, h / 2)), k4 = f(add(k3, h));
            for (int i = 0; i < 6; ++i) y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        out.push_back(y[5]);
    }
    return out;
}

}  // namespace

TEST_CASE("Friberg myelosuppression model file keeps its baseline and matches a second implementation") {
    const std::string output = "output: {end_h: 600, step_h: 25}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\n";
    // no drug: every maturation compartment stays at the published baseline Circ0 = 7.21e9/L
    const Trajectory baseline = simulate(problem_for(example("friberg_myelosuppression.model"), output));
    for (double c : baseline.column("leukocytes")) CHECK(c == Approx(7.21).epsilon(1e-12));
    // 50 mg at t = 0: the second implementation agrees, and the count falls and recovers
    const Trajectory dosed = simulate(problem_for(example("friberg_myelosuppression.model"),
                                                  "regimens: [{into: central, amount: 50, unit: mg, at_h: [0]}]\n" + output));
    const std::vector<double> leukocytes = dosed.column("leukocytes");
    const std::vector<double> truth = friberg_rk4(50, dosed.time_h);
    for (std::size_t i = 0; i < truth.size(); ++i) CHECK(leukocytes[i] == Approx(truth[i]).epsilon(1e-8));
    const auto nadir = std::min_element(leukocytes.begin(), leukocytes.end());
    CHECK(*nadir < 0.8 * 7.21);
    CHECK(dosed.time_h[nadir - leukocytes.begin()] > 100);  // the nadir waits for the transit chain (MTT 124 h)
}

TEST_CASE("model file Jacobian from dual numbers matches central differences") {
    const Problem p = problem_for(example("friberg_myelosuppression.model"), "output: {end_h: 1, step_h: 1}\n");
    const auto system = p.model->bind(p.parameters, p.covariates);
    const int n = static_cast<int>(p.model->states().size());
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(0.5, 20.0);
    for (int trial = 0; trial < 10; ++trial) {
        std::vector<double> x(n), J(n * n), dfdt(n), up(n), down(n);
        for (double& e : x) e = u(rng);
        REQUIRE(system->jacobian(3.0, x.data(), J.data(), dfdt.data()));
        for (int j = 0; j < n; ++j) {
            const double h = 1e-6 * x[j];
            std::vector<double> xp = x, xm = x;
            xp[j] += h;
            xm[j] -= h;
            system->rhs(3.0, xp.data(), up.data());
            system->rhs(3.0, xm.data(), down.data());
            for (int i = 0; i < n; ++i) CHECK(J[i * n + j] == Approx((up[i] - down[i]) / (2 * h)).epsilon(1e-6).margin(1e-9));
        }
        for (double d : dfdt) CHECK(d == 0.0);  // autonomous
    }
}

TEST_CASE("model cache survives concurrent compiles and rebuilds corrupt and stale entries") {
    const std::string dir = fs::path(test::write_temp_file("cache/.keep", "")).parent_path().string();
    const std::string model = test::write_temp_file("cached.model", kHeader +
        "d/dt(depot) = -ka * depot\nd/dt(central) = ka * depot - CL / V * central\noutput c [mg/L] = central / V\n");
    const model_file::CheckedModel checked = model_file::read_model_file(model);
    const std::string source = model_file::generate_cpp(checked);
    const model_file::Compiler compiler = model_file::find_compiler(model);
    const model_file::CacheEntry entry = model_file::cache_entry(dir, source, compiler);
    // two compiles of the same entry at once (as two runs would): the entry ends up whole
    std::thread a([&] { model_file::compile_into(entry, source, compiler, model); });
    model_file::compile_into(entry, source, compiler, model);
    a.join();
    CHECK(model_file::cache_entry_intact(entry));
    for (const auto& f : fs::directory_iterator(dir)) CHECK(f.path().string().find(".tmp") == std::string::npos);
    model_file::LoadReport report;
    model_file::load_model_file(model, {dir, false}, &report);
    CHECK_FALSE(report.compiled);

    // corrupt: bytes overwritten in the library; the checksum no longer matches, so it is rebuilt
    {
        std::fstream f(entry.library, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(64);
        f << "corrupted";
    }
    CHECK_FALSE(model_file::cache_entry_intact(entry));
    model_file::load_model_file(model, {dir, false}, &report);
    CHECK(report.compiled);
    CHECK(model_file::cache_entry_intact(entry));

    // stale: another model's library, with a matching checksum, under this entry's name (in a fresh folder,
    // which this process has not loaded from): its interface names another source, so it is rebuilt
    const std::string stale_dir = dir + "_stale";
    const model_file::CacheEntry stale = model_file::cache_entry(stale_dir, source, compiler);
    model_file::LoadReport other;
    registry().create(example("one_compartment_oral.model"));
    model_file::load_model_file(example("one_compartment_oral.model"), {shared_cache()}, &other);
    fs::create_directories(stale_dir);
    fs::copy_file(other.library_path, stale.library, fs::copy_options::overwrite_existing);
    fs::copy_file(other.library_path + ".sha256", stale.checksum, fs::copy_options::overwrite_existing);
    REQUIRE(model_file::cache_entry_intact(stale));
    model_file::load_model_file(model, {stale_dir, false}, &report);
    CHECK(report.compiled);
    const auto loaded = model_file::load_model_file(model, {stale_dir, false}, &report);
    CHECK_FALSE(report.compiled);
    CHECK(loaded->outputs().at(0).name == "c");
}

TEST_CASE("a missing compiler is reported with the Debian package to install") {
    const char* old = std::getenv("CXX");
    const std::string saved = old ? old : "";
    ::setenv("CXX", "/nonexistent/c++", 1);
    std::string message;
    try {
        model_file::find_compiler("m.model");
    } catch (const InputError& e) {
        message = e.what();
    }
    if (old) ::setenv("CXX", saved.c_str(), 1);
    else ::unsetenv("CXX");
    CHECK(message.find("m.model: ") == 0);
    CHECK(message.find("g++") != std::string::npos);
}

TEST_CASE("mutated model files give a positioned error or a valid model, never a crash") {
    const std::string alphabet = "()[]\"=+-*/^<>!&|,#\n 0123456789.eE_dtxabif";
    std::mt19937 rng(2026);
    int rejected = 0;
    for (const char* name : {"one_compartment_oral.model", "friberg_myelosuppression.model", "linear_pk.model"}) {
        std::ifstream in(example(name));
        const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (int variant = 0; variant < 600; ++variant) {
            std::string text = original;
            for (int edit = 0; edit < 1 + variant % 4; ++edit) {
                const std::size_t at = rng() % text.size();
                switch (rng() % 3) {
                    case 0: text.erase(at, 1 + rng() % 8); break;
                    case 1: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
                    default: text.insert(at, text.substr(rng() % text.size(), rng() % 30)); break;
                }
            }
            try {
                const std::string code = model_file::generate_cpp(model_file::check_model_text(text, "fuzzed.model"));
                CHECK(code.find("mobsim_model_file_abi_v1") != std::string::npos);
            } catch (const InputError& e) {
                ++rejected;
                CHECK(std::string(e.what()).rfind("fuzzed.model:", 0) == 0);
            }
        }
    }
    CHECK(rejected > 1000);  // most mutations break something; the rest must be valid models
    const std::string deep = kHeader + "d/dt(depot) = " + std::string(100000, '(') + "1" + std::string(100000, ')') +
                             "\nd/dt(central) = " + std::string(100000, '-') + "1\n";
    CHECK(check_message(deep).find("m.model:6:") == 0);
}

TEST_CASE("a compiler failure is reported at the model file's line, not as compiler output") {
    // A stand-in compiler that fails as g++ does on a line the generated code's #line maps to the model file.
    const std::string fake = test::write_temp_file("failing_cxx.sh", "#!/bin/sh\n"
        "echo 'm.model:7:12: error: something the checker missed'\necho 'a page of template backtrace'\nexit 1\n");
    fs::permissions(fake, fs::perms::owner_all);
    const char* old = std::getenv("CXX");
    const std::string saved = old ? old : "";
    ::setenv("CXX", fake.c_str(), 1);
    std::string message;
    try {
        const model_file::CheckedModel checked = model_file::check_model_text(
            kHeader + "d/dt(depot) = -ka * depot\nd/dt(central) = ka * depot - CL / V * central\n", "m.model");
        const std::string source = model_file::generate_cpp(checked);
        const model_file::Compiler compiler = model_file::find_compiler("m.model");
        const std::string dir = fs::path(test::write_temp_file("failing/.keep", "")).parent_path().string();
        model_file::compile_into(model_file::cache_entry(dir, source, compiler), source, compiler, "m.model");
    } catch (const InputError& e) {
        message = e.what();
    }
    if (old) ::setenv("CXX", saved.c_str(), 1);
    else ::unsetenv("CXX");
    CHECK(message.rfind("m.model:7: the C++ compiler rejected the code generated for this line: something the "
                        "checker missed (full compiler output: ", 0) == 0);
    CHECK(message.find("template backtrace") == std::string::npos);
    CHECK(check_message(kHeader + "d/dt(depot) = -ka * depot * 1e999\nd/dt(central) = 0\n") ==
          "m.model:6:29: number '1e999' is out of range");
}
