// The trial model's marrow niche component (models/aml_niche.cpp declares it): its parameter table and its class,
// in a header so that the compiled trial composition (models/aml_mobilization.cpp) calls it without dispatch.
#pragma once
#include <array>

#include "models/aml_mobilization_parameters.hpp"

namespace mobsim::models::aml::niche {

inline constexpr ParameterRow kNicheParameters[] = {
        {"gcsf_niche_EC50", 3.15, "ng/mL", "G-CSF for half-maximal drive of the niche signal",
         "Krzyzanski 2010 (SC1, the EC50 of G-CSF marrow effects)", 1e-3, 1e3},
        {"gcsf_niche_delay", 40, "h", "mean transit time of the 3-stage delay from G-CSF to niche erosion",
         "derived from human data: daily G-CSF 7.5-10 ug/kg raises CD34+ to 61/uL before the 4th dose and 128/uL "
         "before the 5th (Stroncek 1997 Transfus Med 7:19), peak on day 5 or 6 (Ann Hematol 1996;72:269); model: "
         "docs/validation.md, Single-agent validation", 1, 1000},
        {"ligand_turnover", 0.03, "1/h", "recovery rate of SDF-1, VCAM-1 and CD44 ligands",
         "assumption: marrow SDF-1 falls over days under G-CSF (Petit 2002); the onset is set by gcsf_niche_delay", 1e-4, 10},
        {"erosion_sdf1", 0.8, "1", "maximal fractional loss of marrow SDF-1 under G-CSF",
         "assumption: Petit 2002 Nat Immunol 3:687 (marked, gradual fall of marrow SDF-1)", 0, 0.99},
        {"erosion_vcam1", 0.93, "1", "maximal fractional loss of marrow VCAM-1 under G-CSF",
         "derived from human data: the same protease cleavage (neutrophil elastase, cathepsin G; Levesque 2001 Blood "
         "98:1289) for VCAM-1 and CD44 ligands, the one extent that gives daily G-CSF alone its day-5 CD34+ rise "
         "(20.8-40-fold: Blood 2008;112:2092 with Liles 2003 baselines)", 0, 0.99},
        {"erosion_cd44", 0.93, "1", "maximal fractional loss of CD44 ligands under G-CSF",
         "derived: as erosion_vcam1 (the trial abstract names G-CSF cleavage of CD44 ligands; the same proteases)", 0, 0.99},
};
inline constexpr int gcsf_ec50 = index_of(kNicheParameters, "gcsf_niche_EC50");
inline constexpr int gcsf_mtt = index_of(kNicheParameters, "gcsf_niche_delay");
inline constexpr int ligand_turnover = index_of(kNicheParameters, "ligand_turnover");
inline constexpr int erosion[kAxes] = {index_of(kNicheParameters, "erosion_sdf1"), index_of(kNicheParameters, "erosion_vcam1"),
                                index_of(kNicheParameters, "erosion_cd44")};
inline constexpr const char* kLigandOutputs[kAxes] = {"marrow SDF-1 availability", "marrow VCAM-1 availability",
                                               "marrow CD44-ligand availability"};
// States: the signal stages, then the ligands. Ports: the last stage, then the ligands (the same order).
inline constexpr int kLigandState = kSignalStages;

class NicheComponent : public TemplatedComponent<NicheComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp): the signal stages and ligands; the last
    // stage and the ligands.
    static constexpr int state_count = kSignalStages + kAxes, port_count = 1 + kAxes;
    static constexpr bool assigns_derivatives = true;  // its rhs writes every derivative
    static constexpr int ligand_port(int axis) { return 1 + axis; }  // after the signal; checked by name
    NicheComponent(const double* p, const double*) {
        gcsf_ec50_ = p[gcsf_ec50];
        k_signal_ = kSignalStages / p[gcsf_mtt];
        k_ligand_ = p[ligand_turnover];
        for (int a = 0; a < kAxes; ++a) {
            erosion_ratio_[a] = p[erosion[a]] / (1.0 - p[erosion[a]]);
            erosion_rate_[a] = k_ligand_ * erosion_ratio_[a];
        }
    }
    // At rest under endogenous G-CSF: the signal its baseline effect, each ligand where erosion balances recovery.
    void set_baseline_inputs(const double* in) override {
        signal0_ = gcsf_effect(in[0]);
        for (int a = 0; a < kAxes; ++a) ligand0_[a] = 1.0 / (1.0 + erosion_ratio_[a] * signal0_);
    }
    void initial_state(double* x, int) const override {
        for (int s = 0; s < kSignalStages; ++s) x[s] = signal0_;
        for (int a = 0; a < kAxes; ++a) x[kLigandState + a] = ligand0_[a];
    }
    template <class T>
    void evaluate(double, const T* x, const T* in, T* dx) const {
        dx[0] = k_signal_ * (gcsf_effect(in[0]) - x[0]);
        for (int i = 1; i < kSignalStages; ++i) dx[i] = k_signal_ * (x[i - 1] - x[i]);
        const T* ligand = x + kLigandState;
        const T signal = x[kSignalStages - 1];
        for (int a = 0; a < kAxes; ++a)
            dx[kLigandState + a] = k_ligand_ * (1.0 - ligand[a]) - erosion_rate_[a] * signal * ligand[a];
    }
    template <class T>
    void port_values(const T* x, T* out) const {
        for (int i = 0; i <= kAxes; ++i) out[i] = x[kSignalStages - 1 + i];
    }

private:
    template <class T>
    T gcsf_effect(T c) const {
        return c / (gcsf_ec50_ + c);
    }
    double gcsf_ec50_ = 0, k_signal_ = 0, k_ligand_ = 0, signal0_ = 0;
    std::array<double, kAxes> erosion_ratio_{}, erosion_rate_{}, ligand0_{};  // erosion rate: k_ligand x ratio
};

}  // namespace mobsim::models::aml::niche
