// Virtual-patient draws against the laws they should follow. The draws are deterministic, so each
// statistical tolerance (stated as a multiple of the standard error) is checked once, not re-sampled.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "sim/base/errors.hpp"
#include "sim/studies/population.hpp"
#include "test_helpers.hpp"

using namespace mobsim;

namespace {

const int kN = 20000;

CohortSpec two_parameter_cohort() {
    CohortSpec spec;
    spec.size = kN;
    spec.seed = 12345;
    spec.variability.parameters = {"CL", "V1"};
    spec.variability.omega = {0.09, 0.03, 0.03, 0.04};  // sd 0.3 and 0.2, correlation 0.5
    return spec;
}

double mean(const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

double covariance(const std::vector<double>& x, const std::vector<double>& y) {
    const double mx = mean(x), my = mean(y);
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
    return s / static_cast<double>(x.size() - 1);
}

}  // namespace

TEST_CASE("eta = L z has the requested mean, variances and correlation") {
    const CohortSpec spec = two_parameter_cohort();
    std::vector<double> cl, v1, z0;
    for (const auto& p : draw_cohort(spec)) {
        const auto eta = etas(spec.variability, p.z);
        cl.push_back(eta[0]);
        v1.push_back(eta[1]);
        z0.push_back(p.z[0]);
    }
    const double n = kN;
    // means: SE = sd / sqrt(n); 4 SE
    CHECK(std::abs(mean(cl)) < 4 * 0.3 / std::sqrt(n));
    CHECK(std::abs(mean(v1)) < 4 * 0.2 / std::sqrt(n));
    // variances: SE = sigma^2 sqrt(2 / (n - 1)); 4 SE
    CHECK(std::abs(covariance(cl, cl) - 0.09) < 4 * 0.09 * std::sqrt(2 / (n - 1)));
    CHECK(std::abs(covariance(v1, v1) - 0.04) < 4 * 0.04 * std::sqrt(2 / (n - 1)));
    // correlation: SE ~ (1 - rho^2) / sqrt(n); 4 SE
    const double rho = covariance(cl, v1) / std::sqrt(covariance(cl, cl) * covariance(v1, v1));
    CHECK(std::abs(rho - 0.5) < 4 * 0.75 / std::sqrt(n));
    // normality of z: P(|z| < 1.96) = 0.95, SE = sqrt(0.95 * 0.05 / n); 4 SE
    const double inside = static_cast<double>(std::count_if(z0.begin(), z0.end(), [](double z) { return std::abs(z) < 1.959964; })) / n;
    CHECK(std::abs(inside - 0.95) < 4 * std::sqrt(0.95 * 0.05 / n));
}

TEST_CASE("draws depend only on (seed, patient index)") {
    CohortSpec spec = two_parameter_cohort();
    spec.covariates.push_back({"weight_kg", CovariateDistribution::Kind::lognormal, 70.0, 0.2});
    const VirtualPatient a = draw_patient(spec, 17);
    const VirtualPatient b = draw_patient(spec, 17);
    CHECK(a.z == b.z);
    CHECK(a.covariates == b.covariates);
    spec.size = 40;
    CHECK(draw_cohort(spec)[17].z == a.z);
    CHECK(draw_patient(spec, 18).z != a.z);
    CohortSpec other = spec;
    other.seed = 12346;
    CHECK(draw_patient(other, 17).z != a.z);
    // adding a covariate leaves the IIV draws and the earlier covariates unchanged
    other = spec;
    other.covariates.push_back({"crcl", CovariateDistribution::Kind::normal, 90.0, 20.0});
    CHECK(draw_patient(other, 17).z == a.z);
    CHECK(draw_patient(other, 17).covariates[0] == a.covariates[0]);
}

TEST_CASE("covariate distributions and truncation") {
    CohortSpec spec;
    spec.size = kN;
    spec.seed = 7;
    CovariateDistribution half{"weight_kg", CovariateDistribution::Kind::normal, 70.0, 30.0};
    half.lower = 70.0;  // half-normal above the mean: mean 70 + 30 sqrt(2/pi), sd 30 sqrt(1 - 2/pi)
    CovariateDistribution uniform{"u", CovariateDistribution::Kind::uniform, 2.0, 5.0};
    CovariateDistribution boxed{"b", CovariateDistribution::Kind::lognormal, 70.0, 0.5};
    boxed.lower = 50.0;
    boxed.upper = 90.0;
    spec.covariates = {half, uniform, boxed};
    std::vector<double> h, u, b;
    for (const auto& p : draw_cohort(spec)) {
        h.push_back(p.covariates[0]);
        u.push_back(p.covariates[1]);
        b.push_back(p.covariates[2]);
    }
    const double pi = std::acos(-1.0), n = kN;
    CHECK(*std::min_element(h.begin(), h.end()) >= 70.0);
    CHECK(std::abs(mean(h) - (70.0 + 30.0 * std::sqrt(2 / pi))) < 4 * 30.0 * std::sqrt(1 - 2 / pi) / std::sqrt(n));
    CHECK(*std::min_element(u.begin(), u.end()) > 2.0);
    CHECK(*std::max_element(u.begin(), u.end()) < 5.0);
    CHECK(std::abs(mean(u) - 3.5) < 4 * 3.0 / std::sqrt(12 * n));
    CHECK(*std::min_element(b.begin(), b.end()) >= 50.0);
    CHECK(*std::max_element(b.begin(), b.end()) <= 90.0);

    CovariateDistribution impossible{"x", CovariateDistribution::Kind::normal, 0.0, 1.0};
    impossible.lower = 50.0;
    spec.covariates = {impossible};
    CHECK_THROWS_AS(draw_patient(spec, 0), InputError);
}

TEST_CASE("omega must be symmetric positive definite, names must exist") {
    const auto model = models::builtin_models().create("linear_pk");
    CohortSpec spec = two_parameter_cohort();
    CHECK_NOTHROW(validate_cohort(spec, *model));
    spec.variability.omega = {0.09, 0.2, 0.2, 0.04};  // correlation > 1
    CHECK_THROWS_AS(validate_cohort(spec, *model), InputError);
    spec.variability.omega = {0.09, 0.03, 0.01, 0.04};
    CHECK_THROWS_AS(validate_cohort(spec, *model), InputError);
    spec.variability.omega = {0.09, 0.0, 0.0};
    CHECK_THROWS_AS(validate_cohort(spec, *model), InputError);
    spec = two_parameter_cohort();
    spec.variability.parameters = {"CL", "Vc"};
    CHECK_THROWS_WITH(validate_cohort(spec, *model), Catch::Contains("Vc"));
    spec = two_parameter_cohort();
    spec.covariates.push_back({"height_cm", CovariateDistribution::Kind::fixed, 170.0});
    CHECK_THROWS_AS(validate_cohort(spec, *model), InputError);
}

TEST_CASE("a patient's problem scales parameters by exp(eta) and sets covariates") {
    const Problem base = test::problem_from_yaml(R"(
model: linear_pk
parameters: {CL: 4.0, V1: 40.0}
regimens: [{into: central, amount: 1, unit: mg/kg, at_h: [0]}]
patient: {weight_kg: 70}
output: {end_h: 24, step_h: 1}
)");
    CohortSpec spec = two_parameter_cohort();
    spec.covariates.push_back({"weight_kg", CovariateDistribution::Kind::uniform, 50.0, 90.0});
    const VirtualPatient patient = draw_patient(spec, 3);
    const Problem p = patient_problem(base, spec, patient);
    const auto eta = etas(spec.variability, patient.z);
    CHECK(p.parameters[1] == Approx(4.0 * std::exp(eta[0])).epsilon(1e-15));
    CHECK(p.parameters[2] == Approx(40.0 * std::exp(eta[1])).epsilon(1e-15));
    CHECK(*p.weight_kg == patient.covariates[0]);
    // the dose follows the drawn weight: amount in central at t = 0 is 1 mg/kg x weight
    const Trajectory t = simulate(p);
    CHECK(t.column("amount_central")[0] == Approx(patient.covariates[0]).epsilon(1e-12));
}

TEST_CASE("correlated covariates: every pair has correlation r on the log scale, the margins and the others unchanged",
          "[population]") {
    CohortSpec spec;
    spec.size = kN;
    spec.seed = 777;
    using Kind = CovariateDistribution::Kind;
    spec.covariates = {{"a", Kind::lognormal, 1.0, 0.47}, {"b", Kind::lognormal, 2.0, 0.3}, {"c", Kind::normal, 5.0, 1.0}};
    const auto independent = draw_cohort(spec);
    spec.covariate_correlation = {{"a", "b"}, 0.6};
    const auto correlated = draw_cohort(spec);
    std::vector<double> la, lb;
    for (int i = 0; i < kN; ++i) {
        la.push_back(std::log(correlated[i].covariates[0]));
        lb.push_back(std::log(correlated[i].covariates[1] / 2.0));
        CHECK(correlated[i].covariates[2] == independent[i].covariates[2]);  // not listed: the same draw
    }
    const double sa = std::sqrt(covariance(la, la)), sb = std::sqrt(covariance(lb, lb));
    // SE of a sample SD ~ sd / sqrt(2n), of a correlation ~ (1 - r^2) / sqrt(n): 5 SE allowed
    CHECK(sa == Approx(0.47).margin(5 * 0.47 / std::sqrt(2.0 * kN)));
    CHECK(sb == Approx(0.3).margin(5 * 0.3 / std::sqrt(2.0 * kN)));
    CHECK(covariance(la, lb) / (sa * sb) == Approx(0.6).margin(5 * 0.64 / std::sqrt(kN)));
    CHECK(std::abs(mean(la)) < 5 * 0.47 / std::sqrt(kN));
}
