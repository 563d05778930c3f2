// Population (NLME) estimation: what a subject is, and the structural model that predicts its observations.
//
// A subject is its dose events, its observations and its (time-constant) covariates. A structural model maps the
// individual parameters (positive, natural scale, e.g. ka, CL, V) to predictions at the observation times and
// their sensitivities d f / d parameter, which the FOCEI inner problem needs exactly: they come from forward-mode
// dual numbers through the model's templated formula, not from finite differences.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace mobsim::nlme {

struct DoseEvent {
    double time = 0.0;  // h
    double amount = 0.0;
    int compartment = 1;  // 1: depot (first-order absorption), 2: central (bolus)
};

struct Observation {
    double time = 0.0;  // h
    double value = 0.0;  // DV; for a censored observation the LLOQ
    bool censored = false;  // below the LLOQ: M3 likelihood P(y < LLOQ)
    int output = -1;  // model output observed (a model file's output index); -1: the model's default
};

struct Subject {
    std::string id;
    std::vector<DoseEvent> doses;  // sorted by time
    std::vector<Observation> observations;  // sorted by time
    std::vector<double> covariates;  // aligned with the population's covariate names
};

struct Population {
    std::vector<std::string> covariate_names;
    std::vector<Subject> subjects;
};

// The structural model of an NLME fit. Implementations are const and thread-safe.
class StructuralModel {
public:
    virtual ~StructuralModel() = default;
    virtual std::string name() const = 0;
    virtual std::vector<std::string> parameter_names() const = 0;
    // Predictions f at the subject's observation times; with `jacobian`, also d f / d parameter (row-major,
    // observations x parameters).
    virtual void predict(const std::vector<double>& parameters, const Subject& subject, std::vector<double>& f,
                         std::vector<double>* jacobian) const = 0;
};

// One compartment with first-order absorption (parameters ka [1/h], CL [L/h], V [L]); concentration = amount / V.
// Doses into compartment 1 are absorbed, into compartment 2 are boluses; superposition of the closed forms.
std::unique_ptr<StructuralModel> one_compartment_oral();

// The model of a name ("one_compartment_oral"); nullptr for an unknown name.
std::unique_ptr<StructuralModel> structural_model(const std::string& name);
std::vector<std::string> structural_model_names();

}  // namespace mobsim::nlme
