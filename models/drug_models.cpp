#include "models/drug_models.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/filgrastim_pk.hpp"
#include "models/model_base.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

class SorafenibSystem : public OdeSystem {
public:
    SorafenibSystem(const std::vector<double>& p, double weight) { pk_.bind(p.data(), weight); }
    void initial_state(double* x) const override { std::fill(x, x + SorafenibPk::n_states, 0.0); }
    void rhs(double t, const double* x, double* dxdt) const override {
        std::fill(dxdt, dxdt + SorafenibPk::n_states, 0.0);
        pk_.rhs(t, clock_, x, dxdt);
    }
    void observe(double, const double* x, double* y) const override {
        y[0] = pk_.concentration_mg_L(x);
        y[1] = x[SorafenibPk::gallbladder];
    }
    double bioavailability(int state, double amount) const override {
        return state == SorafenibPk::depot ? pk_.bioavailability(amount) : 1.0;
    }
    void on_dose(int state, double t) override {
        if (state == SorafenibPk::depot) pk_.on_dose(clock_, t);
    }
    void on_switch(int state, double t) override {
        if (state == SorafenibPk::depot) pk_.on_switch(clock_, t);
    }
    std::vector<double> switch_delays_h(int state) const override {
        return state == SorafenibPk::depot ? std::vector<double>{pk_.switch_delay_h()} : std::vector<double>{};
    }
    std::vector<LinearBlock> linear_blocks() const override {
        if (!pk_.is_piecewise_linear()) return {};
        return {{0, SorafenibPk::n_states, {SorafenibPk::central, SorafenibPk::gallbladder}}};
    }
    void linear_block_matrix(int, double t, double* a) const override {
        pk_.jacobian(t, clock_, a, SorafenibPk::n_states);  // a linear block's matrix is its Jacobian
    }
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override {
        pk_.jacobian(t, clock_, J, SorafenibPk::n_states);
        pk_.time_derivative(t, clock_, x, dfdt);
        return true;
    }

private:
    SorafenibPk pk_;
    SorafenibDoseClock clock_;
};

class SorafenibModel : public ModelBase {
public:
    SorafenibModel() : ModelBase("sorafenib_pk", "Sorafenib oral PK with transit absorption and enterohepatic "
                                                 "recirculation (Jain 2011)") {
        append_block<SorafenibPk>(states_, parameters_);
        covariates_ = {kWeight};
        outputs_ = {{"sorafenib", "mg/L", "total plasma sorafenib"},
                    {"sorafenib_gallbladder", "mg", "amount stored in the gallbladder"}};
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        return std::make_unique<SorafenibSystem>(p, c[0]);
    }
};

class PlerixaforSystem : public OdeSystem {
public:
    PlerixaforSystem(const std::vector<double>& p, double weight, double crcl) { pk_.bind(p.data(), weight, crcl); }
    void initial_state(double* x) const override { std::fill(x, x + PlerixaforPk::n_states, 0.0); }
    void rhs(double, const double* x, double* dxdt) const override {
        std::fill(dxdt, dxdt + PlerixaforPk::n_states, 0.0);
        pk_.rhs(x, dxdt);
    }
    void observe(double, const double* x, double* y) const override { y[0] = pk_.concentration_mg_L(x); }
    double bioavailability(int state, double) const override {
        return state == PlerixaforPk::depot ? pk_.bioavailability() : 1.0;
    }
    std::vector<LinearBlock> linear_blocks() const override {
        return {{0, PlerixaforPk::n_states, {PlerixaforPk::central}}};
    }
    void linear_block_matrix(int, double, double* a) const override {
        pk_.jacobian(a, PlerixaforPk::n_states);  // a linear block's matrix is its Jacobian
    }
    bool jacobian(double, const double*, double* J, double* dfdt) const override {
        pk_.jacobian(J, PlerixaforPk::n_states);
        std::fill(dfdt, dfdt + PlerixaforPk::n_states, 0.0);
        return true;
    }

private:
    PlerixaforPk pk_;
};

class PlerixaforModel : public ModelBase {
public:
    PlerixaforModel() : ModelBase("plerixafor_pk", "Plerixafor SC PK: two compartments, weight-scaled, "
                                                   "CrCl-dependent clearance") {
        append_block<PlerixaforPk>(states_, parameters_);
        covariates_ = {kWeight, kCreatinineClearance};
        outputs_ = {{"plerixafor", "mg/L", "plasma plerixafor"}};
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        return std::make_unique<PlerixaforSystem>(p, c[0], c[1]);
    }
};

class FilgrastimSystem : public OdeSystem {
public:
    explicit FilgrastimSystem(const std::vector<double>& p) { pk_.bind(p.data()); }
    void initial_state(double* x) const override { pk_.initial_state(x); }
    void rhs(double, const double* x, double* dxdt) const override { pk_.rhs(x, dxdt); }
    void observe(double, const double* x, double* y) const override {
        y[0] = pk_.concentration_ng_mL(x);
        y[1] = pk_.neutrophils(x);
    }
    double bioavailability(int state, double) const override {
        return state == FilgrastimPk::depot ? pk_.bioavailability() : 1.0;
    }
    std::vector<LinearBlock> linear_blocks() const override {  // the depot decays at ka alone
        return {{FilgrastimPk::depot, 1, {FilgrastimPk::depot}}};
    }
    void linear_block_matrix(int, double, double* a) const override { a[0] = -pk_.absorption_rate(); }
    bool jacobian(double, const double* x, double* J, double* dfdt) const override {
        pk_.jacobian(x, J);
        std::fill(dfdt, dfdt + FilgrastimPk::n_states, 0.0);
        return true;
    }

private:
    FilgrastimPk pk_;
};

class FilgrastimModel : public ModelBase {
public:
    FilgrastimModel() : ModelBase("filgrastim_pk", "Filgrastim SC PK with receptor-mediated clearance and the "
                                                   "neutrophil response that carries the receptors (Krzyzanski 2010)") {
        append_block<FilgrastimPk>(states_, parameters_);
        outputs_ = {{"filgrastim", "ng/mL", "free serum G-CSF"}, {"anc", "1e3/uL", "absolute neutrophil count"}};
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>&) const override {
        return std::make_unique<FilgrastimSystem>(p);
    }
};

}  // namespace

std::unique_ptr<Model> make_sorafenib_pk() { return std::make_unique<SorafenibModel>(); }
std::unique_ptr<Model> make_plerixafor_pk() { return std::make_unique<PlerixaforModel>(); }
std::unique_ptr<Model> make_filgrastim_pk() { return std::make_unique<FilgrastimModel>(); }

}  // namespace mobsim::models
