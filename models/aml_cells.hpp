// The trial model's cell traffic component (models/aml_cells.cpp declares it): its indices, constants and class, in
// a header so that the compiled trial composition (models/aml_mobilization.cpp) calls it without dispatch.
#pragma once
#include <algorithm>
#include <array>
#include <iterator>
#include <stdexcept>
#include <type_traits>

#include "models/aml_mobilization_parameters.hpp"
#include "models/model_base.hpp"
#include "models/vector_exp.hpp"

namespace mobsim::models::aml::cells {

constexpr int param(std::string_view name) { return index_of(kCellParameters, name); }
// Parameter indices, by name from the table: a name missing from it does not compile.
inline constexpr int kReserveK = param("receptor_reserve_K");
inline constexpr int kRebinding = param("rebinding_rate");
inline constexpr int kEgress = param("egress_rate");
inline constexpr int kHoming = param("homing_rate");
inline constexpr int kBloodClearance = param("blood_clearance");
inline constexpr int kKillBlood = param("sorafenib_kill_blood");
inline constexpr int kStromalProtection = param("stromal_protection");
inline constexpr int kBloodVolume = param("blood_volume");
inline constexpr int kReceptorDensity = param("marker_receptor_density");
inline constexpr int kWeightCxcr4 = param("retention_weight_cxcr4");
inline constexpr int kWeightVla4 = param("retention_weight_vla4");
inline constexpr int kWeightCd44 = param("retention_weight_cd44");
inline constexpr int kProliferation = param("proliferation_rate");
inline constexpr int kEnrichment = param("marker_enrichment");
inline constexpr int kMarrowBloodRatio = param("marrow_to_blood_ratio");
inline constexpr int kBlastOdds0 = param("marrow_blast_odds0");
inline constexpr int kGain = param("mobilization_gain");
inline constexpr int kBlood0 = static_cast<int>(std::size(kCellParameters));  // then one per population
// The populations rounded up to whole 4-lane exps (exp_array); the padding slots carry zero weights.
inline constexpr int kPopulationSlots = (kPopulations + 3) / 4 * 4;
static_assert(kPopulationSlots >= kPopulations && kPopulationSlots % 4 == 0, "a slot for every population");

// Covariates: weight, then the expression of each axis' receptor (CXCR4, VLA4, CD44).
inline constexpr const char* kExpression[kAxes] = {"cxcr4_expression", "vla4_expression", "cd44_expression"};
inline constexpr const char* kExpressionMeaning[kAxes] = {"CXCR4 expression on the patient's leukemic cells (1 = typical)",
                                                   "VLA4 expression (1 = typical)", "CD44 expression (1 = typical)"};
// Cell states: the folds are exponential in retention (gain ~15), so the default error control understates their
// relative error; this tighter tolerance keeps the trial's outputs within 1e-6 of a tight solution (0.1 did not).
inline constexpr double kCellTolerance = 0.02;
inline constexpr double kBaselineBlood[kPopulations] = {300, 50, 30, 400, 300, 200, 500};  // cells/uL, assumption
inline constexpr int kWeightCovariate = 0, kExpressionCovariate = 1;
// Inputs: the ligand of each axis, CXCR4 occupancy, FLT3 inhibition.
inline constexpr int kLigandInput = 0, kOccupancyInput = kAxes, kInhibitionInput = kAxes + 1, kInputs = kAxes + 2;
// Ports (all outputs): the two drug effects, four per population, then the marrow's blast percentage and response.
enum PopulationPort { kBloodPerUl, kMarrow, kFold, kRatio, kPerPopulation };
inline constexpr int kOccupancyPort = 0, kInhibitionPort = 1;
constexpr int population_port(int j, PopulationPort q) { return 2 + kPerPopulation * j + q; }
inline constexpr int kBlastPctPort = population_port(kPopulations, kBloodPerUl), kResponsePort = kBlastPctPort + 1;
inline constexpr int kPorts = kResponsePort + 1;
// States of population j, pool by pool so the right-hand side handles the populations as vectors.
constexpr int bound(int j) { return j; }
constexpr int free_pool(int j) { return kPopulations + j; }
constexpr int blood(int j) { return 2 * kPopulations + j; }

inline int blasts_index() {
    const auto it = std::find(kPopulationIds.begin(), kPopulationIds.end(), "blasts");
    if (it == kPopulationIds.end()) throw std::logic_error("aml_mobilization: no population named 'blasts'");
    return static_cast<int>(it - kPopulationIds.begin());
}

class CellsComponent : public TemplatedComponent<CellsComponent> {
public:
    // Its shape, for a static composition (models/static_composition.hpp).
    static constexpr int state_count = 3 * kPopulations, port_count = kPorts;
    static constexpr bool assigns_derivatives = true;  // its rhs writes every derivative
    CellsComponent(const double* p, const double* c) {
        std::copy(p, p + kBlood0, p_.begin());
        const double weight = c[kWeightCovariate];
        for (int a = 0; a < kAxes; ++a) expression_[a] = c[kExpressionCovariate + a];
        kill_marrow_ = (1.0 - p[kStromalProtection]) * p[kKillBlood];
        blood_uL_ = p[kBloodVolume] * weight * 1e6;
        density_ = {1.0, p[kReceptorDensity]};
        const double base_weights[kAxes] = {p[kWeightCxcr4], p[kWeightVla4],
                                            p[kWeightCd44]};
        const double proliferation = p[kProliferation];
        for (int j = 0; j < kPopulations; ++j) {
            double total = 0.0;
            for (int a = 0; a < kAxes; ++a) {
                weights_[j][a] = base_weights[a] * (kRelies[j][a] ? p[kEnrichment] : 1.0);
                total += weights_[j][a];
            }
            for (int a = 0; a < kAxes; ++a) weights_[j][a] /= total;
            // baseline steady state: blood count given, marrow from the ratio, rates that balance
            blood0_[j] = p[kBlood0 + j] * blood_uL_;
            marrow0_[j] = p[kMarrowBloodRatio] * blood0_[j];
            free0_[j] = (p[kHoming] + p[kBloodClearance]) * blood0_[j] / p[kEgress];
            k_off0_[j] = ((p[kRebinding] + p[kEgress]) * free0_[j] - p[kHoming] * blood0_[j]) / marrow0_[j];
            // death balances proliferation less the cells lost from the blood
            const double death = proliferation - p[kBloodClearance] * blood0_[j] / marrow0_[j];
            net_growth0_[j] = proliferation - death;
        }
        const int b = blasts_index();
        blasts_ = b;
        const double odds0 = p[kBlastOdds0];
        normal_marrow_ = (marrow0_[b] + free0_[b]) / odds0;
        marrow_blast_pct0_ = 100.0 * odds0 / (1.0 + odds0);
    }

    // The untreated retention of each population, at the niche's rest ligands and no CXCR4 blocked.
    void set_baseline_inputs(const double* in) override {
        const double* ligand0 = in + kLigandInput;
        for (int j = 0; j < kPopulations; ++j) {
            AxisBonds<double> bonds, typical_bonds;
            axis_bonds(ligand0, 0.0, bonds);
            axis_bonds(ligand0, 0.0, typical_bonds, {1.0, 1.0, 1.0});
            const double retention0 = retention(j, bonds);
            for (int a = 0; a < kAxes; ++a) relative_weights_[kCarries[j][a]][a][j] = weights_[j][a] / retention0;
            // bonds lost count against the pool's typical retention, the same for every patient, so a patient's
            // expression changes how much retention the drugs remove instead of cancelling out
            pool_gain_[j] = p_[kGain] * retention0 / retention(j, typical_bonds);
        }
    }
    void initial_state(double* x, int) const override {
        for (int j = 0; j < kPopulations; ++j) {
            x[bound(j)] = marrow0_[j];
            x[free_pool(j)] = free0_[j];
            x[blood(j)] = blood0_[j];
        }
    }

    template <class T>
    void evaluate(double, const T* x, const T* in, T* dx) const {
        AxisBonds<T> bonds;
        axis_bonds(in + kLigandInput, in[kOccupancyInput], bonds);
        T r[kPopulationSlots], release[kPopulationSlots];
        niche_release(bonds, r, release);
        // rates shared by all populations, read once into locals so they stay in registers over the stores
        const T inhibition = in[kInhibitionInput];
        const T marrow_kill = kill_marrow_ * inhibition, blood_kill = p_[kKillBlood] * inhibition;
        const double k_on0 = p_[kRebinding], k_home0 = p_[kHoming], k_egress = p_[kEgress];
        const T free_loss = k_egress + marrow_kill, blood_loss = p_[kBloodClearance] + blood_kill;
        const T *m = x + bound(0), *f = x + free_pool(0), *b = x + blood(0);
        T *dm = dx + bound(0), *df = dx + free_pool(0), *db = dx + blood(0);
#pragma omp simd
        for (int j = 0; j < kPopulations; ++j) {
            const T k_off = k_off0_[j] * release[j];
            const T k_on = k_on0 * r[j], k_home = k_home0 * r[j];
            const T growth = net_growth0_[j] - marrow_kill;
            // net flow from the niche to the free pool, and from the blood back to the marrow
            const T unbound = k_off * m[j] - k_on * f[j], homed = k_home * b[j];
            dm[j] = growth * m[j] - unbound;
            df[j] = unbound + homed - free_loss * f[j];
            db[j] = k_egress * f[j] - homed - blood_loss * b[j];
        }
    }
    // Its ports are outputs only, read with the inputs (observe): no component may read them.
    template <class T>
    void port_values(const T*, T*) const {
        throw std::logic_error("aml_mobilization: the cell traffic's ports are outputs, not inputs");
    }
    void observe(double, const double* x, const double* in, double* y) const override {
        y[kOccupancyPort] = in[kOccupancyInput];
        y[kInhibitionPort] = in[kInhibitionInput];
        for (int j = 0; j < kPopulations; ++j) {
            const double marrow = x[bound(j)] + x[free_pool(j)], b = x[blood(j)];
            y[population_port(j, kBloodPerUl)] = b / blood_uL_;
            y[population_port(j, kMarrow)] = marrow;
            y[population_port(j, kFold)] = b / blood0_[j];
            y[population_port(j, kRatio)] = (b / marrow) / (blood0_[j] / (marrow0_[j] + free0_[j]));
        }
        const double marrow_blasts = x[bound(blasts_)] + x[free_pool(blasts_)];
        const double pct = 100.0 * marrow_blasts / (marrow_blasts + normal_marrow_);
        y[kBlastPctPort] = pct;
        // < 1 exactly when marrow blasts are < 5% (CR/CRp/CRi) or 5-25% and at most half the entry value (PR)
        y[kResponsePort] = std::min(pct / 5.0, std::max(pct / 25.0, 2.0 * pct / marrow_blast_pct0_));
    }

private:
    // Bonds per axis saturate in ligand x free receptor (receptor reserve K): a cell with more receptor loses
    // fewer bonds to the same ligand erosion or the same plerixafor occupancy. [0]: typical receptor density,
    // [1]: the density of the marker-positive pools (kCarries).
    template <class T>
    using AxisBonds = T[2][kAxes];
    template <class T>
    void axis_bonds(const T* ligand, const T& occupancy, AxisBonds<T>& bonds) const {
        axis_bonds(ligand, occupancy, bonds, expression_);
    }
    template <class T>
    void axis_bonds(const T* ligand, const T& occupancy, AxisBonds<T>& bonds,
                    const std::array<double, kAxes>& expression) const {
        for (int c = 0; c < 2; ++c)
            for (int a = 0; a < kAxes; ++a) {
                const T u = ligand[a] * density_[c] * expression[a] * (a == 0 ? 1.0 - occupancy : T(1.0));
                bonds[c][a] = u / (p_[kReserveK] + u);
            }
    }
    double retention(int j, const AxisBonds<double>& bonds) const {
        double total = 0.0;
        for (int a = 0; a < kAxes; ++a) total += weights_[j][a] * bonds[kCarries[j][a]][a];
        return total;
    }
    // Relative retention r_j (to the patient's own untreated retention) and niche release
    // exp(gain (R_j0 - R_j) / typical R_j) = exp(pool_gain_j (1 - r_j)) of each population (the padding slots too).
    template <class T>
    void niche_release(const AxisBonds<T>& bonds, T* r, T* release) const {
        for (int j = 0; j < kPopulationSlots; ++j) {
            T total = 0.0;
            for (int c = 0; c < 2; ++c)
                for (int a = 0; a < kAxes; ++a) total += relative_weights_[c][a][j] * bonds[c][a];
            r[j] = total;
            release[j] = pool_gain_[j] * (1.0 - r[j]);
        }
        if constexpr (std::is_same_v<T, double>) {
            exp_array(release, release, kPopulationSlots);
        } else {
            for (int j = 0; j < kPopulationSlots; ++j) release[j] = exp(release[j]);
        }
    }

    std::array<double, kBlood0> p_{};  // the parameters of the table, read by their indices
    std::array<double, kAxes> expression_{};
    double weights_[kPopulations][kAxes] = {};
    // Weights divided by the baseline retention, by receptor density (typical, carried): r_j is their dot
    // product with the bonds. [density][axis][population slot]
    double relative_weights_[2][kAxes][kPopulationSlots] = {};
    std::array<double, 2> density_{};  // typical (1), marker-positive pools (marker_receptor_density)
    double pool_gain_[kPopulationSlots] = {};  // gain x own / typical untreated retention
    std::array<double, kPopulations> blood0_{}, marrow0_{}, free0_{}, k_off0_{};
    std::array<double, kPopulations> net_growth0_{};  // proliferation - death
    double kill_marrow_ = 0;  // the kill in the marrow at full inhibition, under stromal protection
    int blasts_ = 0;  // the blasts' population index (the marrow response reads them)
    double blood_uL_ = 0, normal_marrow_ = 0, marrow_blast_pct0_ = 0;
};

}  // namespace mobsim::models::aml::cells
