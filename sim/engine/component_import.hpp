// Components a model file may import by name (docs/model-files.md, "Imports"). The engine only declares the
// interface: models/ implements it for the shipped components (models/component_imports.hpp) and
// sim/model_files uses it, so that neither of the two includes the other.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/model.hpp"

namespace mobsim {

// What an importing model file sees of a component: the names it adds to the composed model, and its ports,
// which the file reads as NAME.PORT.
struct ImportableComponent {
    std::string name;
    std::vector<StateInfo> states;
    std::vector<bool> dosable;  // per state
    std::vector<ParameterInfo> parameters;
    std::vector<CovariateInfo> covariates;  // shared by name with the other parts
    std::vector<std::string> ports;
    std::vector<OutputInfo> outputs;
};

// A model file's own equations bound to one patient: the part of the composed model whose right-hand side and
// outputs also read `in`, the values of the imported ports it uses (ImportingPart::inputs order).
class ImportingSystem {
public:
    virtual ~ImportingSystem() = default;
    // `in`: the inputs at the imported components' initial states.
    virtual void initial_state(double* x, const double* in) const = 0;
    virtual void rhs(double t, const double* x, const double* in, double* dxdt) const = 0;
    // J: row-major n x (n + n_inputs), derivatives to the own states, then to the inputs; dfdt at fixed
    // states and inputs.
    virtual void jacobian(double t, const double* x, const double* in, double* J, double* dfdt) const = 0;
    virtual void observe(double t, const double* x, const double* in, double* y) const = 0;
    virtual double bioavailability(int state, double amount) const = 0;
    virtual double lag_time_h(int state) const = 0;
};

struct ImportingPart {
    std::string name;  // its component name
    std::vector<StateInfo> states;
    std::vector<ParameterInfo> parameters;
    std::vector<CovariateInfo> covariates;
    std::vector<OutputInfo> outputs;
    std::vector<std::string> inputs;  // qualified ports, "plerixafor.central_concentration"
    // Parameter values in `parameters` order, covariate values in `covariates` order.
    std::function<std::unique_ptr<ImportingSystem>(const double* p, const double* c)> bind;
};

class ComponentSource {
public:
    virtual ~ComponentSource() = default;
    virtual std::vector<std::string> names() const = 0;
    virtual const ImportableComponent* find(const std::string& name) const = 0;  // nullptr: no such component
    // Why a file may import nothing here, when names() is empty.
    static constexpr const char* kNothingImportable = "nothing can be imported here";
    virtual std::string none_available() const { return kNothingImportable; }
    // The imported components in the order given, then `own`. Throws InputError when two parts declare one name.
    virtual std::unique_ptr<Model> compose(const std::string& name, const std::string& description,
                                           const std::vector<std::string>& imports, ImportingPart own) const = 0;
};

}  // namespace mobsim
