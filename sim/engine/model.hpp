// A model is a right-hand side plus metadata: named states, parameters, covariates and outputs.
// The engine knows nothing else about it.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mobsim {

struct StateInfo {
    std::string name;
    std::string unit;  // amount unit ("mg", "ug", "cells", "1"); doses convert into it
    std::string description;
    bool cumulative = false;  // an accumulator (e.g. amount eliminated): never periodic, reset at a steady-state start
    // Factor on the solver's rtol and atol for this state's local error (< 1: tighter), where the error estimate
    // is known to understate the state's error; a scenario may override it (solver.tolerance_scale).
    double tolerance_scale = 1.0;
};

struct ParameterInfo {
    std::string name;
    double value;  // default (typical) value
    std::string unit;
    std::string description;
    std::string source;  // paper and table, "derived: ...", "assumption: ...", "calibrated: ..."
    double lower = 0.0;  // admissible range, checked when a scenario or fit sets the value
    double upper = 1e300;
};

struct CovariateInfo {
    std::string name;  // e.g. "weight_kg"
    std::string unit;
    std::string description;
};

struct OutputInfo {
    std::string name;  // e.g. "plerixafor"
    std::string unit;  // e.g. "mg/L"
    std::string description;
};

// States whose dynamics are linear with constant coefficients between actions (doses, switch times) and that
// no other state feeds: x_b' = A x_b. `coupling` lists the block states that rhs() of other states or observe()
// read. A solver may propagate such a block exactly instead of stepping it; it then keeps only the coupling
// states current in rhs() and observe(), and every state current where it reports full states.
// A dose into a block state that is not a coupling state, and what on_dose() and on_switch() do for it, may
// change only the block (its state and matrix): the other states' derivatives stay continuous there, and a
// solver may keep the derivative it has.
struct LinearBlock {
    int first_state = 0;
    int size = 0;
    std::vector<int> coupling;  // state indices
};

// A model bound to parameter and covariate values, ready to integrate. One instance per simulation:
// on_dose() may record dose history that the right-hand side uses (e.g. time after dose).
class OdeSystem {
public:
    virtual ~OdeSystem() = default;
    virtual void initial_state(double* x) const = 0;
    virtual void rhs(double t, const double* x, double* dxdt) const = 0;
    virtual void observe(double t, const double* x, double* y) const = 0;
    // Model-owned bioavailability and lag of a dose into `state` (multiplied / added to the regimen's).
    virtual double bioavailability(int /*state*/, double /*amount*/) const { return 1.0; }
    virtual double lag_time_h(int /*state*/) const { return 0.0; }
    // Zero-order input the model sets for a dose of `amount` into `state` when a dataset asks for it (RATE -1:
    // the rate, RATE -2: the duration); 0 when the model sets none.
    virtual double infusion_rate_per_h(int /*state*/, double /*amount*/) const { return 0.0; }
    virtual double infusion_duration_h(int /*state*/, double /*amount*/) const { return 0.0; }
    // Called when a dose reaches `state` at time t (after any lag).
    virtual void on_dose(int /*state*/, double /*t*/) {}
    // Delays after a dose into `state` at which the right-hand side switches; the solver restarts there exactly
    // and calls on_switch(state, t) before continuing.
    virtual std::vector<double> switch_delays_h(int /*state*/) const { return {}; }
    virtual void on_switch(int /*state*/, double /*t*/) {}
    // Blocks the solver may propagate exactly, and the matrix (row-major size x size) of `block` in force
    // from time t until the next action (after the doses at t are given).
    virtual std::vector<LinearBlock> linear_blocks() const { return {}; }
    virtual void linear_block_matrix(int /*block*/, double /*t*/, double* /*a*/) const {}
    // Which blocks the solver now propagates itself (indices into linear_blocks()); rhs() may leave their
    // derivatives unwritten, since the solver ignores them. Set before each integration.
    virtual void set_propagated_blocks(const std::vector<int>& /*blocks*/) {}
    // Analytic Jacobian (row-major n*n) and df/dt; return false to let the solver use finite differences.
    virtual bool jacobian(double /*t*/, const double* /*x*/, double* /*J*/, double* /*dfdt*/) const {
        return false;
    }
};

class Model {
public:
    virtual ~Model() = default;
    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    virtual const std::vector<StateInfo>& states() const = 0;
    virtual const std::vector<ParameterInfo>& parameters() const = 0;
    virtual const std::vector<CovariateInfo>& covariates() const = 0;
    virtual const std::vector<OutputInfo>& outputs() const = 0;
    // params: one value per parameters() entry; covariates: one per covariates() entry.
    virtual std::unique_ptr<OdeSystem> bind(const std::vector<double>& params,
                                            const std::vector<double>& covariates) const = 0;

    int state_index(const std::string& name) const;      // -1 when absent
    int parameter_index(const std::string& name) const;  // -1 when absent
    int output_index(const std::string& name) const;     // -1 when absent
    std::vector<double> default_parameters() const;
    std::vector<std::string> output_names() const;
    std::vector<std::string> state_names() const;
    // Index of an output, or InputError "<where>: model 'm' has no output 'x'; did you mean ...".
    int require_output(const std::string& name, const std::string& where) const;
    // Index of a state, or InputError "<where>: model 'm' has no state 'x'; did you mean ...".
    int require_state(const std::string& name, const std::string& where) const;
};

using ModelFactory = std::function<std::unique_ptr<Model>()>;
// Builds a Model from a model file's path (sim/model_files/model_file.hpp).
using ModelFileLoader = std::function<std::unique_ptr<Model>(const std::string& path)>;

// A model name that is a path to a model file (docs/model-files.md) rather than a registered name.
inline bool names_model_file(const std::string& name) {
    return name.size() > 6 && name.compare(name.size() - 6, 6, ".model") == 0;
}

// Name -> factory. Models register themselves from models/; the engine only looks them up.
class ModelRegistry {
public:
    void add(const std::string& name, ModelFactory factory);
    std::unique_ptr<Model> create(const std::string& name) const;  // throws InputError with a near match
    // Where a model name is a model file's path, create() hands it to this loader: the one place where a
    // model file becomes a model, so it works wherever a model name does.
    void set_file_loader(ModelFileLoader loader) { file_loader_ = std::move(loader); }
    std::vector<std::string> names() const;

private:
    std::map<std::string, ModelFactory> factories_;
    ModelFileLoader file_loader_;
};

}  // namespace mobsim
