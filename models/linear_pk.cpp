#include "models/linear_pk.hpp"

#include "models/pk_blocks.hpp"

namespace mobsim::models {

namespace {

enum State { depot, central, peripheral, eliminated, n_states };
enum Param { ka, cl, v1, q, v2 };

class LinearPkSystem : public OdeSystem {
public:
    explicit LinearPkSystem(const std::vector<double>& p) : p_(p) {}
    void initial_state(double* x) const override {
        for (int i = 0; i < n_states; ++i) x[i] = 0.0;
    }
    void rhs(double, const double* x, double* dxdt) const override {
        for (int i = 0; i < n_states; ++i) dxdt[i] = 0.0;
        pk::absorption(x, dxdt, depot, central, p_[ka]);
        pk::distribution(x, dxdt, central, peripheral, p_[q], p_[v1], p_[v2]);
        dxdt[eliminated] += pk::elimination(x, dxdt, central, p_[cl], p_[v1]);
    }
    void observe(double, const double* x, double* y) const override {
        y[0] = x[central] / p_[v1];
        y[1] = x[peripheral] / p_[v2];
        y[2] = x[depot];
        y[3] = x[central];
        y[4] = x[peripheral];
        y[5] = x[eliminated];
    }

private:
    std::vector<double> p_;
};

class LinearPk : public Model {
public:
    std::string name() const override { return "linear_pk"; }
    std::string description() const override {
        return "Linear two-compartment PK with first-order absorption from a depot (Q = 0: one compartment)";
    }
    const std::vector<StateInfo>& states() const override {
        static const std::vector<StateInfo> s = {{"depot", "mg", "absorption depot"},
                                                 {"central", "mg", "central compartment"},
                                                 {"peripheral", "mg", "peripheral compartment"},
                                                 {"eliminated", "mg", "cumulative amount eliminated", true}};
        return s;
    }
    const std::vector<ParameterInfo>& parameters() const override {
        static const std::vector<ParameterInfo> p = {
            {"ka", 1.0, "1/h", "first-order absorption rate constant", "assumption: generic default", 0.0, 1e4},
            {"CL", 5.0, "L/h", "clearance", "assumption: generic default", 0.0, 1e6},
            {"V1", 50.0, "L", "central volume", "assumption: generic default", 1e-9, 1e7},
            {"Q", 0.0, "L/h", "inter-compartmental clearance (0: one compartment)", "assumption: generic default",
             0.0, 1e6},
            {"V2", 100.0, "L", "peripheral volume", "assumption: generic default", 1e-9, 1e7}};
        return p;
    }
    const std::vector<CovariateInfo>& covariates() const override {
        static const std::vector<CovariateInfo> c;
        return c;
    }
    const std::vector<OutputInfo>& outputs() const override {
        static const std::vector<OutputInfo> o = {{"conc_central", "mg/L", "central concentration"},
                                                  {"conc_peripheral", "mg/L", "peripheral concentration"},
                                                  {"amount_depot", "mg", "amount in the depot"},
                                                  {"amount_central", "mg", "amount in the central compartment"},
                                                  {"amount_peripheral", "mg", "amount in the peripheral compartment"},
                                                  {"amount_eliminated", "mg", "cumulative amount eliminated"}};
        return o;
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& params, const std::vector<double>&) const override {
        return std::make_unique<LinearPkSystem>(params);
    }
};

}  // namespace

std::unique_ptr<Model> make_linear_pk() { return std::make_unique<LinearPk>(); }

}  // namespace mobsim::models
