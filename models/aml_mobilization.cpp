#include "models/aml_mobilization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/aml_mobilization_parameters.hpp"
#include "models/filgrastim_pk.hpp"
#include "models/model_base.hpp"
#include "models/plerixafor_pk.hpp"
#include "models/vector_exp.hpp"
#include "models/sorafenib_pk.hpp"

namespace mobsim::models {

namespace {

using namespace aml;

// Which axes each population relies on more than typical blasts (marker_enrichment multiplies that axis'
// weight). Order: CXCR4, VLA4, CD44. See docs/model.md.
constexpr bool kRelies[kPopulations][kAxes] = {
    {1, 0, 0},  // cd34: CD34+ progenitors are the classic CXCR4-dependent cells
    {0, 0, 1},  // cd34_38neg: stem-like cells depend on CD44 for niche homing
    {1, 0, 1},  // cd34_38neg_123pos
    {0, 0, 1},  // cd44+
    {0, 1, 0},  // vla4+
    {1, 0, 0},  // cxcr4+
    {0, 0, 0},  // blasts: the typical profile
};
// Which receptor a population carries at marker_receptor_density times the typical blast's: the pools selected
// for being positive for that receptor (a marker-positive gate keeps the cells with more of it). The progenitor
// pools are gated on CD34/CD38/CD123, not on an adhesion receptor, so they carry typical amounts.
constexpr bool kCarries[kPopulations][kAxes] = {
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
    {0, 0, 1},  // cd44+
    {0, 1, 0},  // vla4+
    {1, 0, 0},  // cxcr4+
    {0, 0, 0},
};
constexpr double kBaselineBlood[kPopulations] = {300, 50, 30, 400, 300, 200, 500};  // cells/uL, assumption

constexpr int kSignalStages = 3;
// Cell states: the folds are exponential in retention (gain ~15), so the default error control understates their
// relative error; this tighter tolerance keeps the trial's outputs within 1e-6 of a tight solution (0.1 did not).
constexpr double kCellTolerance = 0.02;
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

class MobilizationSystem : public OdeSystem {
public:
    MobilizationSystem(const std::vector<double>& p, const std::vector<double>& c) {
        const double weight = c[0], crcl = c[1];
        expression_ = {c[2], c[3], c[4]};
        sorafenib_.bind(p.data() + kLayout.p_sorafenib, weight);
        plerixafor_.bind(p.data() + kLayout.p_plerixafor, weight, crcl);
        filgrastim_.bind(p.data() + kLayout.p_filgrastim);
        const double* d = p.data() + kLayout.p_pd;
        pler_ec50_ = d[pler_ec50];
        gcsf_ec50_ = d[gcsf_ec50];
        k_signal_ = kSignalStages / d[gcsf_mtt];
        k_ligand_ = d[ligand_turnover];
        const double erosion[kAxes] = {d[erosion_sdf1], d[erosion_vcam1], d[erosion_cd44]};
        for (int a = 0; a < kAxes; ++a) {
            erosion_ratio_[a] = erosion[a] / (1.0 - erosion[a]);
            erosion_rate_[a] = k_ligand_ * erosion_ratio_[a];
        }
        sor_ic50_ = d[sor_ic50];
        pler_ec50_amount_ = pler_ec50_ * plerixafor_.central_volume_L();
        sor_ic50_amount_ = sor_ic50_ * sorafenib_.volume_L();
        reserve_k_ = d[reserve_k];
        gain_ = d[gain];
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
            AxisBonds bonds, typical_bonds;
            axis_bonds(ligand0_.data(), 0.0, bonds);
            axis_bonds(ligand0_.data(), 0.0, typical_bonds, {1.0, 1.0, 1.0});
            retention0_[j] = retention(j, bonds);
            for (int a = 0; a < kAxes; ++a) {
                const double w = weights_[j][a] / retention0_[j];
                relative_weights_[kCarries[j][a]][a][j] = w;
            }
            // bonds lost count against the pool's typical retention, the same for every patient, so a patient's
            // expression changes how much retention the drugs remove instead of cancelling out
            pool_gain_[j] = gain_ * retention0_[j] / retention(j, typical_bonds);
            // baseline steady state: blood count given, marrow from the ratio, rates that balance
            blood0_[j] = p[kLayout.p_blood0 + j] * blood_uL_;
            marrow0_[j] = d[marrow_blood_ratio] * blood0_[j];
            free0_[j] = (k_home0_ + k_clear_) * blood0_[j] / k_egress_;
            k_off0_[j] = ((k_on0_ + k_egress_) * free0_[j] - k_home0_ * blood0_[j]) / marrow0_[j];
            // death balances proliferation less the cells lost from the blood
            death_[j] = d[proliferation] - k_clear_ * blood0_[j] / marrow0_[j];
        }
        proliferation_ = d[proliferation];
        for (int j = 0; j < kPopulations; ++j) net_growth0_[j] = proliferation_ - death_[j];
        const int b = kPopulations - 1;  // blasts
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

    void rhs(double t, const double* x, double* dx) const override {
        // every derivative is written below, except those of blocks the solver propagates itself
        if (!propagated_[kSorafenibBlock]) {
            std::fill(dx + kLayout.sorafenib, dx + kLayout.sorafenib + SorafenibPk::n_states, 0.0);
            sorafenib_.rhs(t, sorafenib_clock_, x + kLayout.sorafenib, dx + kLayout.sorafenib);
        }
        if (!propagated_[kPlerixaforBlock]) {
            std::fill(dx + kLayout.plerixafor, dx + kLayout.plerixafor + PlerixaforPk::n_states, 0.0);
            plerixafor_.rhs(x + kLayout.plerixafor, dx + kLayout.plerixafor);
        }
        const double gcsf = filgrastim_.rhs(x + kLayout.filgrastim, dx + kLayout.filgrastim);

        // G-CSF acts on the niche through a delay chain (marrow neutrophil/protease build-up)
        const double* s = x + kLayout.signal;
        double* ds = dx + kLayout.signal;
        ds[0] = k_signal_ * (gcsf_effect(gcsf) - s[0]);
        for (int i = 1; i < kSignalStages; ++i) ds[i] = k_signal_ * (s[i - 1] - s[i]);
        const double* ligand = x + kLayout.ligand;
        const double signal = s[kSignalStages - 1];
        for (int a = 0; a < kAxes; ++a)
            dx[kLayout.ligand + a] = k_ligand_ * (1.0 - ligand[a]) - erosion_rate_[a] * signal * ligand[a];

        const double occupancy = cxcr4_occupancy(x);
        const double inhibition = flt3_inhibition(x);
        AxisBonds bonds;
        axis_bonds(ligand, occupancy, bonds);
        double r[kPopulationSlots], release[kPopulationSlots];
        niche_release(bonds, r, release);
        // rates shared by all populations, read once into locals so they stay in registers over the stores
        const double marrow_kill = kill_marrow_ * inhibition, blood_kill = kill_blood_ * inhibition;
        const double k_on0 = k_on0_, k_home0 = k_home0_, k_egress = k_egress_;
        const double free_loss = k_egress + marrow_kill, blood_loss = k_clear_ + blood_kill;
        const double *m = x + bound(0), *f = x + free_pool(0), *b = x + blood(0);
        double *dm = dx + bound(0), *df = dx + free_pool(0), *db = dx + blood(0);
#pragma omp simd
        for (int j = 0; j < kPopulations; ++j) {
            const double k_off = k_off0_[j] * release[j];
            const double k_on = k_on0 * r[j], k_home = k_home0 * r[j];
            const double growth = net_growth0_[j] - marrow_kill;
            // net flow from the niche to the free pool, and from the blood back to the marrow
            const double unbound = k_off * m[j] - k_on * f[j], homed = k_home * b[j];
            dm[j] = growth * m[j] - unbound;
            df[j] = unbound + homed - free_loss * f[j];
            db[j] = k_egress * f[j] - homed - blood_loss * b[j];
        }
    }

    // The exact derivative of rhs(); df/dt comes from sorafenib's Hill switch only.
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override {
        const int n = kLayout.n;
        std::fill(J, J + n * n, 0.0);
        std::fill(dfdt, dfdt + n, 0.0);
        auto at = [&](int row, int column) -> double& { return J[row * n + column]; };
        sorafenib_.jacobian(t, sorafenib_clock_, &at(kLayout.sorafenib, kLayout.sorafenib), n);
        sorafenib_.time_derivative(t, sorafenib_clock_, x + kLayout.sorafenib, dfdt + kLayout.sorafenib);
        plerixafor_.jacobian(&at(kLayout.plerixafor, kLayout.plerixafor), n);
        filgrastim_.jacobian(x + kLayout.filgrastim, &at(kLayout.filgrastim, kLayout.filgrastim), n);

        // signal chain; its first stage follows the G-CSF effect of the free concentration
        double dc[FilgrastimPk::n_states];
        const double c = filgrastim_.concentration_ng_mL(x + kLayout.filgrastim, dc);
        const double deffect_dc = gcsf_ec50_ / ((gcsf_ec50_ + c) * (gcsf_ec50_ + c));
        for (int k = 0; k < FilgrastimPk::n_states; ++k)
            at(kLayout.signal, kLayout.filgrastim + k) = k_signal_ * deffect_dc * dc[k];
        for (int i = 0; i < kSignalStages; ++i) {
            at(kLayout.signal + i, kLayout.signal + i) = -k_signal_;
            if (i > 0) at(kLayout.signal + i, kLayout.signal + i - 1) = k_signal_;
        }
        const int last_signal = kLayout.signal + kSignalStages - 1;
        const double* ligand = x + kLayout.ligand;
        for (int a = 0; a < kAxes; ++a) {
            at(kLayout.ligand + a, kLayout.ligand + a) = -k_ligand_ - k_ligand_ * erosion_ratio_[a] * x[last_signal];
            at(kLayout.ligand + a, last_signal) = -k_ligand_ * erosion_ratio_[a] * ligand[a];
        }

        // cells: rates depend on r_j (ligands, plerixafor occupancy) and on FLT3 inhibition (sorafenib)
        const int plerixafor_central = kLayout.plerixafor + PlerixaforPk::central;
        const int sorafenib_central = kLayout.sorafenib + SorafenibPk::central;
        const double cp = plerixafor_.concentration_mg_L(x + kLayout.plerixafor);
        const double doccupancy = pler_ec50_ / ((pler_ec50_ + cp) * (pler_ec50_ + cp)) / plerixafor_.central_volume_L();
        const double cs = sorafenib_.concentration_mg_L(x + kLayout.sorafenib);
        const double dinhibition = sor_ic50_ / ((sor_ic50_ + cs) * (sor_ic50_ + cs)) / sorafenib_.volume_L();
        const double occupancy = cxcr4_occupancy(x), inhibition = flt3_inhibition(x);
        AxisBonds bonds;
        double dbonds_dligand[2][kAxes], dbonds_cxcr4_doccupancy[2];
        axis_bonds(ligand, occupancy, bonds);
        for (int c = 0; c < 2; ++c) {
            for (int a = 0; a < kAxes; ++a) {
                // d/dL of u/(K + u), u = L x free receptor
                const double free_receptor = density_[c] * expression_[a] * (a == 0 ? 1.0 - occupancy : 1.0);
                const double u = ligand[a] * free_receptor;
                dbonds_dligand[c][a] = free_receptor * reserve_k_ / ((reserve_k_ + u) * (reserve_k_ + u));
            }
            const double receptor = density_[c] * expression_[0];
            const double u_cxcr4 = ligand[0] * receptor * (1.0 - occupancy);
            dbonds_cxcr4_doccupancy[c] = -ligand[0] * receptor * reserve_k_ / ((reserve_k_ + u_cxcr4) * (reserve_k_ + u_cxcr4));
        }
        double r[kPopulationSlots], release[kPopulationSlots];
        niche_release(bonds, r, release);
        for (int j = 0; j < kPopulations; ++j) {
            const int mi = bound(j), fi = free_pool(j), bi = blood(j);
            const double m = x[mi], f = x[fi], b = x[bi];
            const double k_off = k_off0_[j] * release[j];
            const double k_on = k_on0_ * r[j], k_home = k_home0_ * r[j];
            const double growth = proliferation_ - death_[j] - kill_marrow_ * inhibition;
            at(mi, mi) = growth - k_off;
            at(mi, fi) = k_on;
            at(fi, mi) = k_off;
            at(fi, fi) = -(k_on + k_egress_ + kill_marrow_ * inhibition);
            at(fi, bi) = k_home;
            at(bi, fi) = k_egress_;
            at(bi, bi) = -(k_home + k_clear_ + kill_blood_ * inhibition);
            // a change dr of r_j: k_off by -gain k_off dr (exp release), k_on and k_home in proportion
            auto add_retention_column = [&](int column, double dr) {
                const double dk_off = -pool_gain_[j] * k_off * dr, dk_on = k_on0_ * dr, dk_home = k_home0_ * dr;
                at(mi, column) += -dk_off * m + dk_on * f;
                at(fi, column) += dk_off * m - dk_on * f + dk_home * b;
                at(bi, column) -= dk_home * b;
            };
            for (int a = 0; a < kAxes; ++a)
                add_retention_column(kLayout.ligand + a,
                                     weights_[j][a] * dbonds_dligand[kCarries[j][a]][a] / retention0_[j]);
            add_retention_column(plerixafor_central, weights_[j][0] * dbonds_cxcr4_doccupancy[kCarries[j][0]] *
                                                         doccupancy / retention0_[j]);
            at(mi, sorafenib_central) = -kill_marrow_ * dinhibition * m;
            at(fi, sorafenib_central) = -kill_marrow_ * dinhibition * f;
            at(bi, sorafenib_central) = -kill_blood_ * dinhibition * b;
        }
        return true;
    }

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
        const int blasts = kPopulations - 1;
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
    double gcsf_effect(double c) const { return c / (gcsf_ec50_ + c); }
    // C/(EC50 + C) with C = amount/V, written as amount/(EC50 V + amount): one division
    double cxcr4_occupancy(const double* x) const {
        const double amount = x[kLayout.plerixafor + PlerixaforPk::central];
        return amount / (pler_ec50_amount_ + amount);
    }
    double flt3_inhibition(const double* x) const {
        const double amount = x[kLayout.sorafenib + SorafenibPk::central];
        return amount / (sor_ic50_amount_ + amount);
    }
    // Bonds per axis saturate in ligand x free receptor (receptor reserve K): a cell with more receptor loses
    // fewer bonds to the same ligand erosion or the same plerixafor occupancy. [0]: typical receptor density,
    // [1]: the density of the marker-positive pools (kCarries).
    using AxisBonds = double[2][kAxes];
    void axis_bonds(const double* ligand, double occupancy, AxisBonds& bonds) const {
        axis_bonds(ligand, occupancy, bonds, expression_);
    }
    void axis_bonds(const double* ligand, double occupancy, AxisBonds& bonds,
                    const std::array<double, kAxes>& expression) const {
        for (int c = 0; c < 2; ++c)
            for (int a = 0; a < kAxes; ++a) {
                const double u = ligand[a] * density_[c] * expression[a] * (a == 0 ? 1.0 - occupancy : 1.0);
                bonds[c][a] = u / (reserve_k_ + u);
            }
    }
    double retention(int j, const AxisBonds& bonds) const {
        double total = 0.0;
        for (int a = 0; a < kAxes; ++a) total += weights_[j][a] * bonds[kCarries[j][a]][a];
        return total;
    }
    // Relative retention r_j (to the patient's own untreated retention) and niche release
    // exp(gain (R_j0 - R_j) / typical R_j) = exp(pool_gain_j (1 - r_j)) of each population (the padding slot too).
    void niche_release(const AxisBonds& bonds, double* r, double* release) const {
        for (int j = 0; j < kPopulationSlots; ++j) {
            double total = 0.0;
            for (int c = 0; c < 2; ++c)
                for (int a = 0; a < kAxes; ++a) total += relative_weights_[c][a][j] * bonds[c][a];
            r[j] = total;
            release[j] = pool_gain_[j] * (1.0 - r[j]);
        }
        exp_array(release, release, kPopulationSlots);
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
    double pler_ec50_ = 0, gcsf_ec50_ = 0, k_signal_ = 0, k_ligand_ = 0, sor_ic50_ = 0, reserve_k_ = 0, gain_ = 0;
    double k_on0_ = 0, k_egress_ = 0, k_home0_ = 0, k_clear_ = 0, kill_blood_ = 0, kill_marrow_ = 0;
    double blood_uL_ = 0, signal0_ = 0, proliferation_ = 0, normal_marrow_ = 0, marrow_blast_pct0_ = 0;
};

class MobilizationModel : public ModelBase {
public:
    MobilizationModel()
        : ModelBase("aml_mobilization", "Sorafenib + G-CSF + plerixafor PK driving marrow-blood traffic of seven "
                                        "leukemic populations (Borthakur 2020 trial)") {
        append_block<SorafenibPk>(states_, parameters_);
        append_block<PlerixaforPk>(states_, parameters_);
        append_block<FilgrastimPk>(states_, parameters_);
        for (int s = 1; s <= kSignalStages; ++s)
            states_.push_back({"gcsf_niche_signal" + std::to_string(s), "1", "delayed G-CSF niche signal, stage " + std::to_string(s)});
        for (const char* l : {"sdf1", "vcam1", "cd44_ligand"})
            states_.push_back({l, "1", std::string(l) + " availability in the marrow (1 = untreated)"});
        for (const auto& id : kPopulationIds) {
            states_.push_back({id + "_bound", "cells", id + " cells held in the marrow niche"});
            states_.back().tolerance_scale = kCellTolerance;
        }
        for (const auto& id : kPopulationIds) {
            states_.push_back({id + "_free", "cells", id + " cells free in the marrow, not held"});
            states_.back().tolerance_scale = kCellTolerance;
        }
        for (const auto& id : kPopulationIds) {
            states_.push_back({id + "_blood", "cells", id + " cells in the blood"});
            states_.back().tolerance_scale = kCellTolerance;
        }
        for (const auto& p : pd_parameters()) parameters_.push_back(p);
        for (int j = 0; j < kPopulations; ++j)
            parameters_.push_back({"blood0_" + kPopulationIds[j], kBaselineBlood[j], "cells/uL",
                                   "pre-treatment blood count of " + kPopulationIds[j],
                                   "assumption: scales counts only; fold changes do not depend on it", 1e-6, 1e7});
        covariates_ = {kWeight, kCreatinineClearance,
                       {"cxcr4_expression", "1", "CXCR4 expression on the patient's leukemic cells (1 = typical)"},
                       {"vla4_expression", "1", "VLA4 expression (1 = typical)"},
                       {"cd44_expression", "1", "CD44 expression (1 = typical)"}};
        outputs_ = {{"sorafenib", "mg/L", "total plasma sorafenib"},
                    {"plerixafor", "mg/L", "plasma plerixafor"},
                    {"filgrastim", "ng/mL", "free serum G-CSF"},
                    {"anc", "1e3/uL", "absolute neutrophil count"},
                    {"cxcr4_occupancy", "1", "fraction of CXCR4 blocked by plerixafor"},
                    {"flt3_inhibition", "1", "fraction of FLT3-ITD signalling inhibited by sorafenib"},
                    {"gcsf_niche_signal", "1", "delayed G-CSF signal acting on the niche"},
                    {"sdf1", "1", "marrow SDF-1 availability"},
                    {"vcam1", "1", "marrow VCAM-1 availability"},
                    {"cd44_ligand", "1", "marrow CD44-ligand availability"}};
        for (const auto& id : kPopulationIds) {
            outputs_.push_back({"blood_" + id, "/uL", id + " cells per uL of blood"});
            outputs_.push_back({"marrow_" + id, "cells", id + " cells in the marrow (bound + free)"});
            outputs_.push_back({"fold_" + id, "1", "blood count relative to pre-treatment"});
            outputs_.push_back({"ratio_" + id, "1", "blood/marrow ratio relative to pre-treatment"});
        }
        outputs_.push_back({"marrow_blast_pct", "%", "blasts as a percentage of marrow cells"});
        outputs_.push_back({"marrow_response_index", "1",
                            "below 1 when the marrow meets CR/CRp/CRi (blasts < 5%) or PR (5-25% and halved from entry)"});
    }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& p, const std::vector<double>& c) const override {
        return std::make_unique<MobilizationSystem>(p, c);
    }
};

}  // namespace

std::unique_ptr<Model> make_aml_mobilization() { return std::make_unique<MobilizationModel>(); }

}  // namespace mobsim::models
