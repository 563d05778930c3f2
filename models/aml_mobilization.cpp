#include "models/aml_mobilization.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "models/aml_mobilization_parameters.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/model_base.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/vector_exp.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

using namespace aml;

// The model's linear blocks, as indices into linear_blocks(); sorafenib's is declared only when piecewise linear.
enum Block { kPlerixaforBlock, kFilgrastimDepotBlock, kSorafenibBlock, kBlocks };
constexpr int kPopulationSlots = 8;  // the populations rounded up to whole 4-lane exps (exp_array)

struct Layout {
    int sorafenib = 0, plerixafor = 0, filgrastim = 0, signal = 0, ligand = 0, cells = 0, n = 0;
    int p_sorafenib = 0, p_plerixafor = 0, p_filgrastim = 0, p_pd = 0, p_blood0 = 0;
};

constexpr Layout make_layout() {
    Layout l;
    l.plerixafor = SorafenibPk::n_states;
    l.filgrastim = l.plerixafor + PlerixaforPk::n_states;
    l.signal = l.filgrastim + FilgrastimPk::n_states;
    l.ligand = l.signal + kSignalStages;
    l.cells = l.ligand + kAxes;
    l.n = l.cells + 3 * kPopulations;
    l.p_plerixafor = SorafenibPk::n_params;
    l.p_filgrastim = l.p_plerixafor + PlerixaforPk::n_params;
    l.p_pd = l.p_filgrastim + FilgrastimPk::n_params;
    l.p_blood0 = l.p_pd + n_pd_params;
    return l;
}
constexpr Layout kLayout = make_layout();

// Cells of population j: niche-bound marrow, free marrow, blood (all as total cell numbers). Pool by pool, so
// the right-hand side handles the seven populations as vectors.
constexpr int bound(int j) { return kLayout.cells + j; }
constexpr int free_pool(int j) { return kLayout.cells + kPopulations + j; }
constexpr int blood(int j) { return kLayout.cells + 2 * kPopulations + j; }

// Where the entry named `name` sits in a list of ids or of covariates: inputs are read by name, not by a position
// kept in step with the list by hand.
const std::string& name_of(const std::string& id) { return id; }
const std::string& name_of(const CovariateInfo& c) { return c.name; }
template <class List>
int index_of(const List& list, const std::string& name) {
    for (std::size_t i = 0; i < list.size(); ++i)
        if (name_of(list[i]) == name) return static_cast<int>(i);
    throw std::logic_error("aml_mobilization: no entry named '" + name + "'");
}

// The covariates' positions and the blasts' population index, looked up by name once per process.
struct Slots {
    int weight, crcl, expression[kAxes], blasts;
};
const Slots& named_slots() {
    static const Slots slots = [] {
        const auto list = aml::covariates();
        return Slots{index_of(list, "weight_kg"),
                     index_of(list, "crcl_mL_min"),
                     {index_of(list, "cxcr4_expression"), index_of(list, "vla4_expression"), index_of(list, "cd44_expression")},
                     index_of(kPopulationIds, "blasts")};
    }();
    return slots;
}

class MobilizationSystem : public OdeSystem {
public:
    MobilizationSystem(const std::vector<double>& p, const std::vector<double>& c) {
        const Slots& slots = named_slots();
        const double weight = c.at(slots.weight), crcl = c.at(slots.crcl);
        for (int a = 0; a < kAxes; ++a) expression_[a] = c.at(slots.expression[a]);
        blasts_ = slots.blasts;
        sorafenib_.bind(p.data() + kLayout.p_sorafenib, weight);
        plerixafor_.bind(p.data() + kLayout.p_plerixafor, weight, crcl);
        filgrastim_.bind(p.data() + kLayout.p_filgrastim);
        const double* d = p.data() + kLayout.p_pd;
        gcsf_ec50_ = d[gcsf_ec50];
        k_signal_ = kSignalStages / d[gcsf_mtt];
        k_ligand_ = d[ligand_turnover];
        const double erosion[kAxes] = {d[erosion_sdf1], d[erosion_vcam1], d[erosion_cd44]};
        for (int a = 0; a < kAxes; ++a) {
            erosion_ratio_[a] = erosion[a] / (1.0 - erosion[a]);
            erosion_rate_[a] = k_ligand_ * erosion_ratio_[a];
        }
        pler_ec50_amount_ = d[pler_ec50] * plerixafor_.central_volume_L();
        sor_ic50_amount_ = d[sor_ic50] * sorafenib_.volume_L();
        reserve_k_ = d[reserve_k];
        k_on0_ = d[k_on0];
        k_egress_ = d[k_egress];
        k_home0_ = d[k_home0];
        k_clear_ = d[k_clear];
        kill_blood_ = d[kill_blood];
        kill_marrow_ = (1.0 - d[stromal_protection]) * d[kill_blood];
        blood_uL_ = d[blood_volume_kg] * weight * 1e6;

        const double base_weights[kAxes] = {d[weight_cxcr4], d[weight_vla4], d[weight_cd44]};
        density_ = {1.0, d[receptor_density]};
        signal0_ = gcsf_effect(filgrastim_.baseline_ng_mL());
        for (int a = 0; a < kAxes; ++a) ligand0_[a] = 1.0 / (1.0 + erosion_ratio_[a] * signal0_);
        for (int j = 0; j < kPopulations; ++j) {
            double total = 0.0;
            for (int a = 0; a < kAxes; ++a) {
                weights_[j][a] = base_weights[a] * (kRelies[j][a] ? d[marker_enrichment] : 1.0);
                total += weights_[j][a];
            }
            for (int a = 0; a < kAxes; ++a) weights_[j][a] /= total;
            AxisBonds<double> bonds, typical_bonds;
            axis_bonds(ligand0_.data(), 0.0, bonds);
            axis_bonds(ligand0_.data(), 0.0, typical_bonds, {1.0, 1.0, 1.0});
            retention0_[j] = retention(j, bonds);
            for (int a = 0; a < kAxes; ++a) {
                const double w = weights_[j][a] / retention0_[j];
                relative_weights_[kCarries[j][a]][a][j] = w;
            }
            // bonds lost count against the pool's typical retention, the same for every patient, so a patient's
            // expression changes how much retention the drugs remove instead of cancelling out
            pool_gain_[j] = d[gain] * retention0_[j] / retention(j, typical_bonds);
            // baseline steady state: blood count given, marrow from the ratio, rates that balance
            blood0_[j] = p[kLayout.p_blood0 + j] * blood_uL_;
            marrow0_[j] = d[marrow_blood_ratio] * blood0_[j];
            free0_[j] = (k_home0_ + k_clear_) * blood0_[j] / k_egress_;
            k_off0_[j] = ((k_on0_ + k_egress_) * free0_[j] - k_home0_ * blood0_[j]) / marrow0_[j];
            // death balances proliferation less the cells lost from the blood
            death_[j] = d[proliferation] - k_clear_ * blood0_[j] / marrow0_[j];
        }
        for (int j = 0; j < kPopulations; ++j) net_growth0_[j] = d[proliferation] - death_[j];
        const int b = blasts_;
        normal_marrow_ = (marrow0_[b] + free0_[b]) / d[marrow_blast_odds0];
        marrow_blast_pct0_ = 100.0 * d[marrow_blast_odds0] / (1.0 + d[marrow_blast_odds0]);
    }

    void initial_state(double* x) const override {
        std::fill(x, x + kLayout.n, 0.0);
        filgrastim_.initial_state(x + kLayout.filgrastim);
        for (int s = 0; s < kSignalStages; ++s) x[kLayout.signal + s] = signal0_;
        for (int a = 0; a < kAxes; ++a) x[kLayout.ligand + a] = ligand0_[a];
        for (int j = 0; j < kPopulations; ++j) {
            x[bound(j)] = marrow0_[j];
            x[free_pool(j)] = free0_[j];
            x[blood(j)] = blood0_[j];
        }
    }

    void rhs(double t, const double* x, double* dx) const override { evaluate(t, x, dx, propagated_); }

    // The exact derivative of rhs(), by forward-mode differentiation of evaluate(); df/dt comes from sorafenib's
    // Hill switch only.
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override {
        forward_jacobian<JacobianDual::directions, kLayout.n>(
            [&](const auto* xs, auto* dxs) { evaluate(t, xs, dxs, kNoBlockPropagated); }, kLayout.n, x, J);
        std::fill(dfdt, dfdt + kLayout.n, 0.0);
        sorafenib_.time_derivative(t, sorafenib_clock_, x + kLayout.sorafenib, dfdt + kLayout.sorafenib);
        return true;
    }

private:
    static constexpr std::array<bool, kBlocks> kNoBlockPropagated{};

    // The right-hand side once, for double and for JacobianDual: every derivative is written, except those of
    // the blocks marked propagated (the solver propagates them itself).
    template <class T>
    void evaluate(double t, const T* x, T* dx, const std::array<bool, kBlocks>& propagated) const {
        if (!propagated[kSorafenibBlock]) {
            std::fill(dx + kLayout.sorafenib, dx + kLayout.sorafenib + SorafenibPk::n_states, T(0.0));
            sorafenib_.rhs(t, sorafenib_clock_, x + kLayout.sorafenib, dx + kLayout.sorafenib);
        }
        if (!propagated[kPlerixaforBlock]) {
            std::fill(dx + kLayout.plerixafor, dx + kLayout.plerixafor + PlerixaforPk::n_states, T(0.0));
            plerixafor_.rhs(x + kLayout.plerixafor, dx + kLayout.plerixafor);
        }
        const T gcsf = filgrastim_.rhs(x + kLayout.filgrastim, dx + kLayout.filgrastim);

        // G-CSF acts on the niche through a delay chain (marrow neutrophil/protease build-up)
        const T* s = x + kLayout.signal;
        T* ds = dx + kLayout.signal;
        ds[0] = k_signal_ * (gcsf_effect(gcsf) - s[0]);
        for (int i = 1; i < kSignalStages; ++i) ds[i] = k_signal_ * (s[i - 1] - s[i]);
        const T* ligand = x + kLayout.ligand;
        const T signal = s[kSignalStages - 1];
        for (int a = 0; a < kAxes; ++a)
            dx[kLayout.ligand + a] = k_ligand_ * (1.0 - ligand[a]) - erosion_rate_[a] * signal * ligand[a];

        const T occupancy = cxcr4_occupancy(x);
        const T inhibition = flt3_inhibition(x);
        AxisBonds<T> bonds;
        axis_bonds(ligand, occupancy, bonds);
        T r[kPopulationSlots], release[kPopulationSlots];
        niche_release(bonds, r, release);
        // rates shared by all populations, read once into locals so they stay in registers over the stores
        const T marrow_kill = kill_marrow_ * inhibition, blood_kill = kill_blood_ * inhibition;
        const double k_on0 = k_on0_, k_home0 = k_home0_, k_egress = k_egress_;
        const T free_loss = k_egress + marrow_kill, blood_loss = k_clear_ + blood_kill;
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


public:
    void observe(double, const double* x, double* y) const override {
        *y++ = sorafenib_.concentration_mg_L(x + kLayout.sorafenib);
        *y++ = plerixafor_.concentration_mg_L(x + kLayout.plerixafor);
        *y++ = filgrastim_.concentration_ng_mL(x + kLayout.filgrastim);
        *y++ = filgrastim_.neutrophils(x + kLayout.filgrastim);
        *y++ = cxcr4_occupancy(x);
        *y++ = flt3_inhibition(x);
        *y++ = x[kLayout.signal + kSignalStages - 1];
        for (int a = 0; a < kAxes; ++a) *y++ = x[kLayout.ligand + a];
        for (int j = 0; j < kPopulations; ++j) {
            const double marrow = x[bound(j)] + x[free_pool(j)], b = x[blood(j)];
            *y++ = b / blood_uL_;
            *y++ = marrow;
            *y++ = b / blood0_[j];
            *y++ = (b / marrow) / (blood0_[j] / (marrow0_[j] + free0_[j]));
        }
        const int blasts = blasts_;
        const double marrow_blasts = x[bound(blasts)] + x[free_pool(blasts)];
        const double pct = 100.0 * marrow_blasts / (marrow_blasts + normal_marrow_);
        *y++ = pct;
        // < 1 exactly when marrow blasts are < 5% (CR/CRp/CRi) or 5-25% and at most half the entry value (PR)
        *y++ = std::min(pct / 5.0, std::max(pct / 25.0, 2.0 * pct / marrow_blast_pct0_));
    }

    double bioavailability(int state, double amount) const override {
        if (state == kLayout.sorafenib + SorafenibPk::depot) return sorafenib_.bioavailability(amount);
        if (state == kLayout.plerixafor + PlerixaforPk::depot) return plerixafor_.bioavailability();
        if (state == kLayout.filgrastim + FilgrastimPk::depot) return filgrastim_.bioavailability();
        return 1.0;
    }
    void on_dose(int state, double t) override {
        if (state == kLayout.sorafenib + SorafenibPk::depot) sorafenib_.on_dose(sorafenib_clock_, t);
    }
    void on_switch(int state, double t) override {
        if (state == kLayout.sorafenib + SorafenibPk::depot) sorafenib_.on_switch(sorafenib_clock_, t);
    }
    std::vector<double> switch_delays_h(int state) const override {
        if (state == kLayout.sorafenib + SorafenibPk::depot) return {sorafenib_.switch_delay_h()};
        return {};
    }
    // Plerixafor always, sorafenib with its instantaneous gallbladder switch: the PD reads their central amounts.
    // The filgrastim depot decays at ka alone: the G-CSF plasma state reads it. Order as in enum Block.
    std::vector<LinearBlock> linear_blocks() const override {
        const int depot = kLayout.filgrastim + FilgrastimPk::depot;
        std::vector<LinearBlock> blocks{
            {kLayout.plerixafor, PlerixaforPk::n_states, {kLayout.plerixafor + PlerixaforPk::central}},
            {depot, 1, {depot}}};
        if (sorafenib_.is_piecewise_linear())
            blocks.push_back({kLayout.sorafenib, SorafenibPk::n_states, {kLayout.sorafenib + SorafenibPk::central}});
        return blocks;
    }
    void set_propagated_blocks(const std::vector<int>& blocks) override {
        propagated_ = {};
        for (int b : blocks) propagated_.at(b) = true;
    }
    void linear_block_matrix(int block, double t, double* a) const override {
        // a linear block's matrix is its Jacobian
        if (block == kPlerixaforBlock) plerixafor_.jacobian(a, PlerixaforPk::n_states);
        else if (block == kFilgrastimDepotBlock) a[0] = -filgrastim_.absorption_rate();
        else sorafenib_.jacobian(t, sorafenib_clock_, a, SorafenibPk::n_states);
    }

private:
    template <class T>
    T gcsf_effect(T c) const {
        return c / (gcsf_ec50_ + c);
    }
    // C/(EC50 + C) with C = amount/V, written as amount/(EC50 V + amount): one division
    template <class T>
    T cxcr4_occupancy(const T* x) const {
        const T amount = x[kLayout.plerixafor + PlerixaforPk::central];
        return amount / (pler_ec50_amount_ + amount);
    }
    template <class T>
    T flt3_inhibition(const T* x) const {
        const T amount = x[kLayout.sorafenib + SorafenibPk::central];
        return amount / (sor_ic50_amount_ + amount);
    }
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
                bonds[c][a] = u / (reserve_k_ + u);
            }
    }
    double retention(int j, const AxisBonds<double>& bonds) const {
        double total = 0.0;
        for (int a = 0; a < kAxes; ++a) total += weights_[j][a] * bonds[kCarries[j][a]][a];
        return total;
    }
    // Relative retention r_j (to the patient's own untreated retention) and niche release
    // exp(gain (R_j0 - R_j) / typical R_j) = exp(pool_gain_j (1 - r_j)) of each population (the padding slot too).
    template <class T>
    void niche_release(const AxisBonds<T>& bonds, T* r, T* release) const {
        static_assert(kPopulationSlots >= kPopulations, "a slot for every population");
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

    SorafenibPk sorafenib_;
    PlerixaforPk plerixafor_;
    FilgrastimPk filgrastim_;
    SorafenibDoseClock sorafenib_clock_;
    std::array<bool, kBlocks> propagated_{};  // by Block
    std::array<double, kAxes> expression_{}, erosion_ratio_{}, ligand0_{};
    std::array<double, kAxes> erosion_rate_{};  // k_ligand * erosion ratio
    double weights_[kPopulations][kAxes] = {};
    // Weights divided by the baseline retention, by receptor density (typical, carried): r_j is their dot
    // product with the bonds. [density][axis][population]
    double relative_weights_[2][kAxes][kPopulationSlots] = {};
    std::array<double, 2> density_{};  // typical (1), marker-positive pools (marker_receptor_density)
    double pool_gain_[kPopulationSlots] = {};  // gain x own / typical untreated retention
    std::array<double, kPopulations> retention0_{}, blood0_{}, marrow0_{}, free0_{}, k_off0_{}, death_{};
    std::array<double, kPopulations> net_growth0_{};  // proliferation - death
    double pler_ec50_amount_ = 0, sor_ic50_amount_ = 0;  // EC50/IC50 times the central volume, mg
    double gcsf_ec50_ = 0, k_signal_ = 0, k_ligand_ = 0, reserve_k_ = 0;
    double k_on0_ = 0, k_egress_ = 0, k_home0_ = 0, k_clear_ = 0, kill_blood_ = 0, kill_marrow_ = 0;
    int blasts_ = 0;  // the blasts' population index (the marrow response reads them)
    double blood_uL_ = 0, signal0_ = 0, normal_marrow_ = 0, marrow_blast_pct0_ = 0;
};

template <class T>
void append(std::vector<T>& to, std::vector<T> more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

class MobilizationModel : public ModelBase {
public:
    MobilizationModel()
        : ModelBase("aml_mobilization", "Sorafenib + G-CSF + plerixafor PK driving marrow-blood traffic of seven "
                                        "leukemic populations (Borthakur 2020 trial)") {
        states_.reserve(64);  // the lists below without reallocation
        parameters_.reserve(64);
        append_block<SorafenibPk>(states_, parameters_);
        append_block<PlerixaforPk>(states_, parameters_);
        append_block<FilgrastimPk>(states_, parameters_);
        append(states_, aml::pd_states());
        append(parameters_, aml::pd_parameters());
        append(parameters_, aml::baseline_blood_parameters());
        covariates_ = aml::covariates();
        outputs_ = aml::outputs();
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        return std::make_unique<MobilizationSystem>(p, c);
    }
};

}  // namespace

std::unique_ptr<Model> make_aml_mobilization() { return std::make_unique<MobilizationModel>(); }

}  // namespace mobsim::models
